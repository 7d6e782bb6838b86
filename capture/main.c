/*
 * asimdns-capture: the privileged, minimal service. Opens its event source and the ring,
 * then moves events from one to the other until stopped (SIGINT/SIGTERM, Ctrl-C).
 *
 * Usage: asimdns-capture -c capture.yaml [--check] [--record FILE]
 */
#include <stdbool.h>
#include <stdio.h>

#include "capture/privdrop.h"
#include "capture/source.h"
#include "capture/source_table.h"
#include "common/compiler.h"
#include "common/log.h"
#include "common/record.h"
#include "common/sdnotify.h"
#include "common/service.h"
#include "common/service_args.h"
#include "common/stop.h"
#include "config/capture_config.h"
#include "ipc/ring.h"

#define USAGE                                                                                      \
    "usage: asimdns-capture -c FILE [--check] [--record FILE]\n"                                   \
    "  -c, --config FILE  capture configuration (YAML)\n"                                          \
    "      --check        validate the configuration, print it, and exit\n"                        \
    "      --record FILE  etw/etl sources: also write every raw event to FILE in\n"                \
    "                     the replay format\n"                                                     \
    "      --version      print the version and exit\n"                                            \
    "  asimdns-capture service install|remove|run ...  (Windows service; see deploy/windows)\n"

static ad_err open_ring(const ad_capture_config *cfg, ad_ring_producer **ring)
{
    ad_ring_config rc;
    if (ad_ring_set_directory(cfg->ring.directory) != AD_OK) {
        ad_log_error("ring.directory '%s' is not usable", cfg->ring.directory);
        return AD_EINVAL;
    }
    ad_ring_config_init(&rc, cfg->ring.name);
    rc.capacity = cfg->ring.size;
    rc.data_mode = cfg->ring.data_mode;
    rc.cursor_mode = cfg->ring.cursor_mode;
    rc.group = cfg->ring.group[0] ? cfg->ring.group : NULL;
    rc.exporter_account = cfg->ring.exporter_account[0] ? cfg->ring.exporter_account : NULL;
    rc.recreate_on_mismatch = cfg->ring.recreate_on_mismatch;
    /* the promised period, so `status --check` judges staleness from the first heartbeat on */
    rc.heartbeat_interval_ns = (uint64_t)cfg->heartbeat_seconds * 1000000000ULL;
    char msg[256] = "";
    ad_err err = ad_ring_producer_open(&rc, ring, msg, sizeof(msg));
    if (err != AD_OK)
        ad_log_error("ring '%s': %s (%s)", cfg->ring.name, msg, ad_strerror(err));
    else if (msg[0] != '\0') /* what open did: created, re-attached, repaired */
        ad_log_info("ring '%s': %s", cfg->ring.name, msg);
    return err;
}

/*
 * The configured source's row, or the error for one this build or OS lacks (logged; the
 * message comes from the row: source_table.h).
 */
static const ad_source_desc *configured_source(const ad_capture_config *cfg)
{
    const ad_source_desc *src = ad_source_desc_find(cfg->source.type);
    if (src == NULL) {
        ad_log_error("source '%s' is not available in this build",
                     ad_source_name(cfg->source.type));
        return NULL;
    }
    if (!(src->caps & AD_SOURCE_AVAILABLE)) {
        ad_log_error("source '%s' %s", src->name, src->unavailable);
        return NULL;
    }
    return src;
}

static void close_source(const ad_source_desc *src, void *state)
{
    if (src->close != NULL)
        src->close(state);
}

static bool drop_privileges(const ad_capture_config *cfg)
{
    char msg[256] = "";
    if (ad_privdrop(cfg->privileges.user, cfg->privileges.group, msg, sizeof(msg)) != AD_OK) {
        ad_log_error("dropping privileges: %s", msg);
        return false;
    }
    if (msg[0] != '\0')
        ad_log_warn("dropping privileges: %s", msg);
    if (cfg->privileges.user[0] != '\0')
        ad_log_info("running as user '%s'%s%s", cfg->privileges.user,
                    cfg->privileges.group[0] ? ", group " : "", cfg->privileges.group);
    return true;
}

/*
 * Opens the source and drops privileges, in the order the source needs: one whose open needs
 * the privileges the capture starts with (AD_SOURCE_OPENS_PRIVILEGED) opens before the drop,
 * the others (most open their input in run) after it, as the configured user. On failure
 * (logged) nothing of the source is left open.
 */
static bool start_source(const ad_source_desc *src, ad_capture_ctx *ctx, void **state)
{
    bool privileged = (src->caps & AD_SOURCE_OPENS_PRIVILEGED) != 0;
    *state = NULL;
    if (privileged && src->open != NULL && src->open(ctx, state) != AD_OK)
        return false;
    /* The ring (and a privileged source) are open: nothing below needs more than the
       configured user. */
    if (!drop_privileges(ctx->cfg)) {
        if (privileged)
            close_source(src, *state);
        return false;
    }
    return privileged || src->open == NULL || src->open(ctx, state) == AD_OK;
}

/* `asimdns-capture service install|remove|run` (Windows SCM; on Linux: the systemd unit). */
static const ad_service_info service_info = {
    .name = "asimdns-capture",
    .display_name = "asimdns capture (DNS ETW -> shared-memory ring)",
    .description = "Reads DNS Server/Client events from ETW and writes them to the asimdns ring.",
    /* A virtual account in Performance Log Users may run ETW sessions (deploy/windows). */
    .default_account = "NT SERVICE\\asimdns-capture",
    /* Global\ sections need SeCreateGlobalPrivilege; nothing else is kept in the token. */
    .privileges = "SeChangeNotifyPrivilege,SeCreateGlobalPrivilege",
};

int main(int argc, char **argv)
{
    /* Under `service run` this calls main again, without the `service run` words. */
    int rc_svc = ad_service_command(argc, argv, &service_info, main);
    if (rc_svc >= 0)
        return rc_svc;
    const char *record_path = NULL;
    ad_service_args args;
    const ad_service_opt opts[] = {{.name = "--record", .value = &record_path}};
    int rc_args = ad_service_args_parse(argc, argv, "asimdns-capture", USAGE, opts,
                                        AD_ARRAY_LEN(opts), &args);
    if (rc_args >= 0)
        return rc_args;
    const char *config_path = args.config_path;
    if (args.check)
        return ad_config_check_capture(config_path, NULL, stdout, stderr);

    static ad_capture_config cfg;
    char err[AD_CONFIG_ERR_MAX];
    if (ad_config_load_capture(config_path, NULL, &cfg, err, sizeof(err)) != AD_OK) {
        fprintf(stderr, "asimdns-capture: %s\n", err);
        return 1;
    }
    ad_log_init("capture", cfg.log.level, cfg.log.format);
    const ad_source_desc *src = ad_source_desc_find(cfg.source.type);
    if (record_path != NULL && (src == NULL || !(src->caps & AD_SOURCE_RECORDS))) {
        fprintf(stderr, "asimdns-capture: --record needs the etw or etl source (source is %s)\n",
                ad_source_name(cfg.source.type));
        return 2;
    }
    /* Before the ring is touched: a source this build or OS lacks is a configuration error. */
    src = configured_source(&cfg);
    if (src == NULL)
        return 1;
    ad_stop_install();

    ad_ring_producer *ring;
    if (open_ring(&cfg, &ring) != AD_OK)
        return 1;
    ad_log_info("asimdns-capture %s: source %s, ring '%s' (%llu bytes, generation %016llx, "
                "next sequence %llu)",
                ASIMDNS_VERSION, ad_source_name(cfg.source.type), cfg.ring.name,
                (unsigned long long)ad_ring_producer_capacity(ring),
                (unsigned long long)ad_ring_producer_generation(ring),
                (unsigned long long)ad_ring_producer_next_seq(ring));

    ad_capture_ctx ctx;
    ad_capture_ctx_init(&ctx, ring, &cfg);
    ctx.record_path = record_path;
    void *state;
    if (!start_source(src, &ctx, &state)) {
        ad_ring_producer_close(ring);
        return 1;
    }

    (void)ad_sd_notify("READY=1");
    ad_err rc = src->run(&ctx, state);
    (void)ad_sd_notify("STOPPING=1");
    close_source(src, state);
    ad_log_info("stopping: %llu events in, %llu written, %llu dropped (ring full)",
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_EVENTS_IN),
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_RECORDS_WRITTEN),
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_DROPPED_RING_FULL));
    ad_ring_producer_close(ring);
    return rc == AD_OK ? 0 : 1;
}

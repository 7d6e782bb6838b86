/*
 * asimdns-capture: the privileged, minimal service. Opens its event source and the ring,
 * then moves events from one to the other until stopped (SIGINT/SIGTERM, Ctrl-C).
 *
 * Usage: asimdns-capture -c capture.yaml [--check] [--record FILE]
 */
#include <stdio.h>
#include <string.h>

#include "capture/etw_record.h"
#include "capture/etw_session.h"
#include "capture/privdrop.h"
#ifdef ASIMDNS_HAVE_DNSTAP
#include "capture/dnstap_source.h"
#endif
#include "capture/source.h"
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
    return err;
}

_Static_assert(sizeof(((ad_etw_settings *)0)->event_ids) ==
                   sizeof(((ad_capture_source *)0)->event_ids),
               "the event-id filter has the same room in the configuration and the session");

/* The ETW controller's settings from the configuration (etw_session.h keeps config out). */
static ad_err etw_settings_from_config(const ad_capture_source *src, ad_etw_settings *set)
{
    ad_etw_settings_init(set);
    set->source = src->type;
    if (src->type == AD_SOURCE_ETW && !src->provider_guid_known) {
        ad_log_error("ETW provider '%s': give its GUID as source.provider_guid (providers are "
                     "resolved by name only for dns_server and dns_client)",
                     src->provider_name);
        return AD_EINVAL;
    }
    snprintf(set->session_name, sizeof(set->session_name), "%s", src->session_name);
    snprintf(set->etl_file, sizeof(set->etl_file), "%s", src->etl_file);
    set->provider_guid = src->provider_guid;
    set->level = src->level;
    set->match_any_keyword = src->match_any_keyword;
    set->match_all_keyword = src->match_all_keyword;
    set->event_id_count = src->event_id_count;
    memcpy(set->event_ids, src->event_ids, sizeof(set->event_ids));
    set->buffer_size_kb = src->buffer_size_kb;
    set->min_buffers = src->min_buffers;
    set->max_buffers = src->max_buffers;
    set->flush_seconds = src->flush_seconds;
    set->process_cache_size = src->process_names.enabled ? src->process_names.cache_size : 0;
    return AD_OK;
}

/* The etw and etl sources: the session controller over the platform's ETW API. */
static ad_err run_etw(ad_capture_ctx *ctx, const char *record_path)
{
    static ad_etw_settings set;
    static ad_etw_session session; /* reachable by ad_etw_session_stop_active() */
    static ad_etw_recorder rec;
    const ad_etw_api *api = ad_etw_api_win32();
    if (api == NULL) {
        ad_log_error("source '%s' needs Windows (Event Tracing for Windows); on this system use "
                     "the replay, synthetic or dnstap source (a file made with --record replays "
                     "anywhere)",
                     ad_source_name(ctx->cfg->source.type));
        return AD_EUNSUPP;
    }
    ad_err err = etw_settings_from_config(&ctx->cfg->source, &set);
    if (err != AD_OK)
        return err;
    if (record_path != NULL && ad_etw_recorder_open(&rec, record_path) != AD_OK)
        return AD_EIO;
    err = ad_etw_session_run(&session, &set, api, ctx, record_path != NULL ? &rec : NULL);
    if (record_path != NULL && ad_etw_recorder_close(&rec) != AD_OK && err == AD_OK)
        err = AD_EIO;
    return err;
}

/*
 * What a source set up before the privilege drop. Only the dnstap source needs that step:
 * giving its socket to the DNS server's user (chown) needs the privileges the capture starts
 * with. The others open their input in run_source, as the configured user.
 */
typedef struct opened_source {
#ifdef ASIMDNS_HAVE_DNSTAP
    ad_dnstap_source *dnstap;
#else
    int unused;
#endif
} opened_source;

static ad_err open_source(ad_capture_ctx *ctx, opened_source *os)
{
    memset(os, 0, sizeof(*os));
#ifdef ASIMDNS_HAVE_DNSTAP
    if (ctx->cfg->source.type == AD_SOURCE_DNSTAP)
        return ad_source_dnstap_open(ctx, &os->dnstap);
#else
    (void)ctx;
#endif
    return AD_OK;
}

static void close_source(opened_source *os)
{
#ifdef ASIMDNS_HAVE_DNSTAP
    ad_source_dnstap_close(os->dnstap);
    os->dnstap = NULL;
#else
    (void)os;
#endif
}

static ad_err run_source(ad_capture_ctx *ctx, opened_source *os, const char *record_path)
{
    switch (ctx->cfg->source.type) {
    case AD_SOURCE_SYNTHETIC:
        return ad_source_synthetic_run(ctx);
    case AD_SOURCE_REPLAY:
        return ad_source_replay_run(ctx);
    case AD_SOURCE_ETW:
    case AD_SOURCE_ETL:
        return run_etw(ctx, record_path);
#ifdef ASIMDNS_HAVE_DNSTAP
    case AD_SOURCE_DNSTAP:
        return ad_source_dnstap_serve(os->dnstap);
#endif
    default:
        (void)os;
        ad_log_error("source '%s' is not available in this build",
                     ad_source_name(ctx->cfg->source.type));
        return AD_EUNSUPP;
    }
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
    if (record_path != NULL && cfg.source.type != AD_SOURCE_ETW &&
        cfg.source.type != AD_SOURCE_ETL) {
        fprintf(stderr, "asimdns-capture: --record needs the etw or etl source (source is %s)\n",
                ad_source_name(cfg.source.type));
        return 2;
    }
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
    opened_source os;
    if (open_source(&ctx, &os) != AD_OK) {
        ad_ring_producer_close(ring);
        return 1;
    }

    /* The ring and the source are open: nothing below needs more than the configured user. */
    char msg[256] = "";
    ad_err perr = ad_privdrop(cfg.privileges.user, cfg.privileges.group, msg, sizeof(msg));
    if (perr != AD_OK) {
        ad_log_error("dropping privileges: %s", msg);
        close_source(&os);
        ad_ring_producer_close(ring);
        return 1;
    }
    if (msg[0] != '\0')
        ad_log_warn("dropping privileges: %s", msg);
    if (cfg.privileges.user[0] != '\0')
        ad_log_info("running as user '%s'%s%s", cfg.privileges.user,
                    cfg.privileges.group[0] ? ", group " : "", cfg.privileges.group);

    (void)ad_sd_notify("READY=1");
    ad_err rc = run_source(&ctx, &os, record_path);
    (void)ad_sd_notify("STOPPING=1");
    close_source(&os);
    ad_log_info("stopping: %llu events in, %llu written, %llu dropped (ring full)",
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_EVENTS_IN),
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_RECORDS_WRITTEN),
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_DROPPED_RING_FULL));
    ad_ring_producer_close(ring);
    return rc == AD_OK ? 0 : 1;
}

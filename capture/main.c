/*
 * asimdns-capture: the privileged, minimal service. Opens its event source and the ring,
 * then moves events from one to the other until stopped (SIGINT/SIGTERM, Ctrl-C).
 *
 * Usage: asimdns-capture -c capture.yaml [--check]
 */
#include <stdio.h>
#include <string.h>

#include "capture/source.h"
#include "common/log.h"
#include "common/record.h"
#include "common/stop.h"
#include "config/capture_config.h"
#include "ipc/ring.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: asimdns-capture -c FILE [--check]\n"
                 "  -c, --config FILE  capture configuration (YAML)\n"
                 "      --check        validate the configuration, print it, and exit\n"
                 "      --version      print the version and exit\n");
}

static ad_err open_ring(const ad_capture_config *cfg, ad_ring_producer **ring)
{
    ad_ring_config rc;
    ad_ring_config_init(&rc, cfg->ring.name);
    rc.capacity = cfg->ring.size;
    rc.data_mode = cfg->ring.data_mode;
    rc.cursor_mode = cfg->ring.cursor_mode;
    rc.group = cfg->ring.group[0] ? cfg->ring.group : NULL;
    rc.recreate_on_mismatch = cfg->ring.recreate_on_mismatch;
    char msg[256] = "";
    ad_err err = ad_ring_producer_open(&rc, ring, msg, sizeof(msg));
    if (err != AD_OK)
        ad_log_error("ring '%s': %s (%s)", cfg->ring.name, msg, ad_strerror(err));
    return err;
}

static ad_err run_source(ad_capture_ctx *ctx)
{
    switch (ctx->cfg->source.type) {
    case AD_SOURCE_SYNTHETIC:
        return ad_source_synthetic_run(ctx);
    case AD_SOURCE_REPLAY:
        return ad_source_replay_run(ctx);
    default:
        ad_log_error("source '%s' is not available in this build",
                     ad_source_name(ctx->cfg->source.type));
        return AD_EUNSUPP;
    }
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int check = 0;
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("asimdns-capture %s\n", ASIMDNS_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "asimdns-capture: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (config_path == NULL) {
        usage(stderr);
        return 2;
    }
    if (check)
        return ad_config_check_capture(config_path, NULL, stdout, stderr);

    static ad_capture_config cfg;
    char err[AD_CONFIG_ERR_MAX];
    if (ad_config_load_capture(config_path, NULL, &cfg, err, sizeof(err)) != AD_OK) {
        fprintf(stderr, "asimdns-capture: %s\n", err);
        return 1;
    }
    ad_log_init("capture", cfg.log.level, cfg.log.format);
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
    ad_err rc = run_source(&ctx);
    ad_log_info("stopping: %llu events in, %llu written, %llu dropped (ring full)",
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_EVENTS_IN),
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_RECORDS_WRITTEN),
                (unsigned long long)ad_ring_producer_counter_get(ring, AD_CAP_DROPPED_RING_FULL));
    ad_ring_producer_close(ring);
    return rc == AD_OK ? 0 : 1;
}

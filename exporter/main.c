/*
 * asimdns-exporter: the unprivileged service. Maps the ring read-only, normalizes each record
 * to ASIM and delivers it over otlp_http, nng or the console (exporter/pipeline.h); the ring
 * cursor moves only after the receiver acknowledged (at-least-once). Stops cleanly on SIGINT/
 * SIGTERM; re-attaches when the ring is removed or recreated.
 *
 * Usage: asimdns-exporter -c exporter.yaml [--check] [--max-idle SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/host.h"
#include "common/compiler.h"
#include "common/log.h"
#include "common/sdnotify.h"
#include "common/service.h"
#include "common/service_args.h"
#include "common/stop.h"
#include "common/timeutil.h"
#include "config/exporter_config.h"
#include "exporter/asim.h"
#include "exporter/metrics.h"
#include "exporter/metrics_http.h"
#include "exporter/delivery_lanes.h"
#include "exporter/delivery_monitor.h"
#include "exporter/pipeline.h"
#include "exporter/shutdown_watchdog.h"
#include "exporter/spool_stage.h"
#include "exporter/transport.h"
#include "ipc/ring.h"

#define NS_PER_SEC 1000000000ULL

typedef struct exporter {
    const ad_exporter_config *cfg;
    ad_ring_consumer *ring;
    ad_xport *transport;           /* lanes[0] */
    ad_xport *lanes[AD_LANES_MAX]; /* one per batch in flight (delivery_lanes.h) */
    unsigned lane_count;
    ad_asim_host host;
    char instance_id[40];  /* service.instance.id: a UUID v4 per start (facts/otlp-logs.md §7) */
    uint64_t max_idle_ns;  /* 0 = run until stopped */
    bool attached_once;    /* a ring was attached at least once (--max-idle's exit status) */
    ad_metrics metrics;    /* shared with the metrics endpoint's threads (atomics) */
    ad_spool_stage *spool; /* spool.enabled; NULL = ring only */
} exporter;

#define USAGE                                                                                      \
    "usage: asimdns-exporter -c FILE [--check] [--max-idle SECONDS]\n"                             \
    "  -c, --config FILE     exporter configuration (YAML)\n"                                      \
    "      --check           validate the configuration, print it, and exit\n"                     \
    "      --max-idle SECS   exit after SECS seconds without records and with\n"                   \
    "                        nothing left to deliver (exit status 1 when the\n"                    \
    "                        ring did not even appear within SECS)\n"                              \
    "      --allow-root      run even as root / LocalSystem (refused otherwise)\n"                 \
    "      --version         print the version and exit\n"                                         \
    "  asimdns-exporter service install|remove|run ...  (Windows service; see deploy/windows)\n"

/* --max-idle also bounds the wait for a ring that does not exist (yet): no records then. */
static bool max_idle_passed(const exporter *x, uint64_t *since)
{
    uint64_t now = ad_time_mono_ns();
    if (*since == 0)
        *since = now;
    return x->max_idle_ns != 0 && now - *since >= x->max_idle_ns;
}

/*
 * Attaches to the ring, waiting while the capture has not created it yet (or is repairing its
 * cursor object), at most --max-idle: a misspelt ring.name must not keep a one-shot exporter
 * waiting forever.
 */
static ad_err attach(exporter *x)
{
    uint64_t waiting_since = 0;
    ad_ring_consumer_config rc;
    ad_ring_consumer_config_init(&rc, x->cfg->ring.name);
    /* Only the capture's user (by default root, which creates the ring before the capture
       drops its privileges) may own the ring: anyone else's objects are a forgery. */
    rc.expected_owner = x->cfg->ring.expected_owner[0] != '\0' ? x->cfg->ring.expected_owner
                                                               : AD_RING_DEFAULT_OWNER;
    int logged = 0;
    for (;;) {
        char msg[256] = "";
        ad_err err = ad_ring_consumer_open(&rc, &x->ring, msg, sizeof(msg));
        if (err == AD_OK) {
            if (msg[0] != '\0')
                ad_log_warn("%s", msg); /* what the attach had to correct */
            return AD_OK;
        }
        if (err != AD_ENOENT) {
            ad_log_error("ring '%s': %s (%s)", x->cfg->ring.name, msg, ad_strerror(err));
            return err;
        }
        if (!logged++)
            ad_log_info("ring '%s' is not available yet (%s); waiting for asimdns-capture",
                        x->cfg->ring.name, msg);
        if (ad_stop_requested())
            return AD_ECLOSED;
        if (max_idle_passed(x, &waiting_since)) {
            /* Never seen: most likely a wrong ring.name, an error. Gone after delivering: idle. */
            if (x->attached_once)
                ad_log_info("ring '%s' gone for --max-idle %llu s; exiting", x->cfg->ring.name,
                            (unsigned long long)(x->max_idle_ns / NS_PER_SEC));
            else
                ad_log_error("ring '%s' did not appear within --max-idle %llu s (%s); exiting (is "
                             "ring.name the capture's?)",
                             x->cfg->ring.name, (unsigned long long)(x->max_idle_ns / NS_PER_SEC),
                             msg);
            return AD_ETIMEDOUT;
        }
        (void)ad_sd_notify("WATCHDOG=1"); /* waiting for the capture is not a hang */
        ad_metrics_beat(&x->metrics, ad_time_mono_ns());
        ad_sleep_ns(NS_PER_SEC / 4);
    }
}

/* A random (version 4) UUID from nng's generator. */
static void make_instance_id(char *buf, size_t cap)
{
    uint8_t b[16];
    for (size_t i = 0; i < sizeof(b); i += 4) {
        uint32_t r = nng_random();
        memcpy(b + i, &r, 4);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(buf, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static const char *output_name(const ad_exporter_config *cfg)
{
    switch (cfg->type) {
    case AD_EXPORTER_OTLP_HTTP:
        return "otlp_http";
    case AD_EXPORTER_NNG:
        return cfg->nng.mode == AD_NNG_PUSH ? "nng push" : "nng req";
    case AD_EXPORTER_CONSOLE:
        return "console";
    case AD_EXPORTER_KAFKA:
        return "kafka";
    case AD_EXPORTER_LOGS_INGESTION:
        return "logs_ingestion";
    }
    return "?";
}

/* One attachment's worth of delivery; AD_ECLOSED asks for a re-attach. */
static ad_err run(exporter *x)
{
    ad_pipeline_opts po = {
        .cfg = x->cfg,
        .ring = x->ring,
        .transport = x->transport,
        .lanes = x->lanes,
        .lane_count = x->lane_count,
        .host = &x->host,
        .instance_id = x->instance_id,
        .max_idle_ns = x->max_idle_ns,
        .metrics = &x->metrics,
        .spool = x->spool,
    };
    ad_pipeline *p;
    ad_err err = ad_pipeline_create(&po, &p);
    if (err != AD_OK) {
        ad_log_error("cannot set up the pipeline: %s", ad_strerror(err));
        return err;
    }
    err = ad_pipeline_run(p);
    if (err == AD_OK && ad_pipeline_idle_exit(p))
        ad_log_info("no records for %llu s; exiting",
                    (unsigned long long)(x->max_idle_ns / NS_PER_SEC));
    ad_pipeline_destroy(p);
    return err;
}

static void destroy_transports(exporter *x)
{
    for (unsigned i = 0; i < x->lane_count; i++)
        ad_xport_destroy(x->lanes[i]);
    x->lane_count = 0;
    x->transport = NULL;
}

/* One transport per batch in flight (ad_xport_lanes); each makes its own connection. */
static ad_err create_transports(exporter *x)
{
    unsigned n = ad_xport_lanes(x->cfg);
    if (n > AD_LANES_MAX)
        n = AD_LANES_MAX;
    char terr[512] = "";
    if (ad_xport_create_lanes(x->cfg, x->lanes, n, terr, sizeof(terr)) != AD_OK) {
        ad_log_error("%s", terr[0] ? terr : "cannot create the transport");
        return AD_EINVAL;
    }
    x->lane_count = n;
    x->transport = x->lanes[0];
    if (n > 1)
        ad_log_info("up to %u batches in flight", n);
    return AD_OK;
}

/* `asimdns-exporter service install|remove|run` (Windows SCM; on Linux: the systemd unit). */
static const ad_service_info service_info = {
    .name = "asimdns-exporter",
    .display_name = "asimdns exporter (ring -> ASIM -> OpenTelemetry)",
    .description = "Normalizes DNS events from the asimdns ring to ASIM and sends them on.",
    /* A virtual account: no password, no ETW rights, named in the ring's descriptor. */
    .default_account = "NT SERVICE\\asimdns-exporter",
    .privileges = "SeChangeNotifyPrivilege",
};

int main(int argc, char **argv)
{
    /* Under `service run` this calls main again, without the `service run` words. */
    int rc_svc = ad_service_command(argc, argv, &service_info, main);
    if (rc_svc >= 0)
        return rc_svc;
    exporter x;
    memset(&x, 0, sizeof(x));
    ad_service_args args;
    const char *max_idle = NULL;
    bool allow_root = false;
    const ad_service_opt opts[] = {{.name = "--max-idle", .value = &max_idle},
                                   {.name = "--allow-root", .flag = &allow_root}};
    int rc_args = ad_service_args_parse(argc, argv, "asimdns-exporter", USAGE, opts,
                                        AD_ARRAY_LEN(opts), &args);
    if (rc_args >= 0)
        return rc_args;
    const char *config_path = args.config_path;
    unsigned long long idle_ns = 0;
    if (max_idle != NULL && !ad_service_parse_seconds(max_idle, &idle_ns)) {
        fprintf(stderr, "asimdns-exporter: --max-idle needs whole seconds, not '%s'\n", max_idle);
        return 2;
    }
    x.max_idle_ns = idle_ns;
    if (args.check)
        return ad_config_check_exporter(config_path, NULL, stdout, stderr);
    /* Least privilege: the exporter reads the ring and talks to the network, nothing more. */
    int rc_root = ad_service_refuse_privileged("asimdns-exporter", allow_root);
    if (rc_root >= 0)
        return rc_root;

    static ad_exporter_config cfg;
    char err[AD_CONFIG_ERR_MAX];
    if (ad_config_load_exporter(config_path, NULL, &cfg, err, sizeof(err)) != AD_OK) {
        fprintf(stderr, "asimdns-exporter: %s\n", err);
        return 1;
    }
    x.cfg = &cfg;
    ad_log_init("exporter", cfg.log.level, cfg.log.format);
    if (ad_ring_set_directory(cfg.ring.directory) != AD_OK) {
        ad_log_error("ring.directory '%s' is not usable", cfg.ring.directory);
        return 1;
    }
    ad_stop_install();
    if (create_transports(&x) != AD_OK)
        return 1;
    char host[256];
    if (cfg.host_name[0])
        snprintf(host, sizeof(host), "%s", cfg.host_name);
    else
        ad_host_name(host, sizeof(host));
    ad_asim_host_init(&x.host, host);
    make_instance_id(x.instance_id, sizeof(x.instance_id));
    /* The spool is opened (and checked: damage counted, torn tails cut) before the first
       attach, so what it holds is delivered first whatever the ring holds. */
    if (cfg.spool.enabled && ad_spool_stage_open(&cfg, NULL, &x.spool) != AD_OK) {
        destroy_transports(&x);
        return 1;
    }
    if (x.spool != NULL)
        ad_log_info("spool %s: up to %llu bytes", cfg.spool.directory,
                    (unsigned long long)cfg.spool.max_size);

    ad_metrics_init(&x.metrics);
    x.metrics.filters = &cfg.filters;
    ad_metrics_beat(&x.metrics, ad_time_mono_ns());
    ad_metrics_server *msrv = NULL;
    if (cfg.metrics.listen[0] != '\0') {
        char merr[384] = "";
        /* /readyz tolerates failures for one longest backoff step: an ordinary retry. */
        ad_metrics_server_opts mo = {
            .listen = cfg.metrics.listen,
            .ring_name = cfg.ring.name,
            .global_namespace = true,
            .m = &x.metrics,
            .retry_window_ns = cfg.retry.max_interval_ms * 1000000ULL,
            .alive_limit_ns = 30 * NS_PER_SEC,
        };
        if (ad_metrics_server_start(&mo, &msrv, merr, sizeof(merr)) != AD_OK) {
            ad_log_error("%s", merr);
            destroy_transports(&x);
            return 1;
        }
        ad_log_info("metrics endpoint: http://%s/metrics, /healthz, /readyz", cfg.metrics.listen);
    }
    if (cfg.log.summary_seconds != 0)
        ad_log_info("summary line every %u s", cfg.log.summary_seconds);

    ad_err rc = AD_OK;
    (void)ad_sd_notify("READY=1");
    for (;;) {
        ad_err aerr = attach(&x);
        if (aerr != AD_OK) {
            bool idle_exit = aerr == AD_ETIMEDOUT && x.attached_once;
            rc = ad_stop_requested() || idle_exit ? AD_OK : AD_EIO;
            break;
        }
        x.attached_once = true;
        ad_log_info("asimdns-exporter %s: ring '%s' attached (generation %016llx), output %s",
                    ASIMDNS_VERSION, cfg.ring.name,
                    (unsigned long long)ad_ring_consumer_generation(x.ring), output_name(&cfg));
        ad_metrics_set_attached(&x.metrics, true, ad_ring_consumer_generation(x.ring));
        rc = run(&x);
        ad_metrics_set_attached(&x.metrics, false, 0);
        /* A ring removed or recreated is attached again: that run's totals do not stop us. */
        ad_dmon_log_totals(x.ring, rc == AD_ECLOSED ? "detaching" : "stopping");
        ad_ring_consumer_close(x.ring);
        x.ring = NULL;
        if (rc != AD_ECLOSED)
            break;
        ad_log_warn("ring '%s' was removed or recreated; attaching again", cfg.ring.name);
    }
    (void)ad_sd_notify("STOPPING=1");
    ad_spool_stage_close(x.spool);
    /* Everything is settled (the ring cursor committed); only nng's teardown is left, which can
       hang under load (shutdown_watchdog.h). */
    int exit_code = rc == AD_OK ? 0 : 1;
    if (ad_shutdown_watchdog_arm("closing the transport and metrics endpoint", AD_SHUTDOWN_LIMIT_MS,
                                 exit_code) != 0)
        ad_log_warn("no shutdown watchdog: the nng teardown is not bounded");
    ad_metrics_server_stop(msrv);
    destroy_transports(&x);
    return exit_code;
}

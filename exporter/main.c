/*
 * asimdns-exporter: the unprivileged service. Maps the ring read-only, normalizes each record
 * to ASIM and delivers it; the ring cursor moves only after delivery succeeded.
 *
 * Usage: asimdns-exporter -c exporter.yaml [--check] [--max-idle SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/host.h"
#include "common/log.h"
#include "common/record.h"
#include "common/stop.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "config/exporter_config.h"
#include "exporter/asim.h"
#include "exporter/asim_json.h"
#include "ipc/ring.h"

#define NS_PER_SEC 1000000000ULL
#define PEEK_BATCH 1024
#define LINE_MAX_BYTES 8192

typedef struct exporter {
    const ad_exporter_config *cfg;
    ad_ring_consumer *ring;
    ad_asim_host host;
    uint64_t last_seq; /* sequence of the last record seen, for gap counting */
    int have_last_seq;
    uint64_t max_idle_ns; /* 0 = run until stopped */
} exporter;

static void usage(FILE *out)
{
    fprintf(out, "usage: asimdns-exporter -c FILE [--check] [--max-idle SECONDS]\n"
                 "  -c, --config FILE     exporter configuration (YAML)\n"
                 "      --check           validate the configuration, print it, and exit\n"
                 "      --max-idle SECS   exit after SECS seconds without records\n"
                 "      --version         print the version and exit\n");
}

/* Attaches to the ring, waiting while the capture has not created it yet. */
static ad_err attach(exporter *x)
{
    ad_ring_consumer_config rc;
    ad_ring_consumer_config_init(&rc, x->cfg->ring.name);
    int logged = 0;
    for (;;) {
        char msg[256] = "";
        ad_err err = ad_ring_consumer_open(&rc, &x->ring, msg, sizeof(msg));
        if (err == AD_OK)
            return AD_OK;
        if (err != AD_ENOENT) {
            ad_log_error("ring '%s': %s (%s)", x->cfg->ring.name, msg, ad_strerror(err));
            return err;
        }
        if (!logged++)
            ad_log_info("ring '%s' does not exist yet; waiting for asimdns-capture",
                        x->cfg->ring.name);
        if (ad_stop_requested())
            return AD_ECLOSED;
        ad_sleep_ns(NS_PER_SEC / 4);
    }
}

/* Counts sequence gaps (records the capture dropped) between consecutive records. */
static void track_sequence(exporter *x, uint64_t seq)
{
    if (x->have_last_seq && seq > x->last_seq + 1)
        ad_ring_consumer_counter_add(x->ring, AD_EXP_SEQUENCE_GAPS, seq - x->last_seq - 1);
    x->last_seq = seq;
    x->have_last_seq = 1;
}

/* Console delivery: one ASIM JSON line per record on stdout. */
static ad_err deliver_console(exporter *x, const ad_ring_view *views, size_t count)
{
    static char line[LINE_MAX_BYTES];
    ad_strbuf sb;
    for (size_t i = 0; i < count; i++) {
        ad_event ev;
        ad_asim asim;
        track_sequence(x, views[i].seq);
        if (ad_record_decode(views[i].data, views[i].len, &ev) != AD_OK ||
            ad_asim_map(&ev, ad_ring_consumer_generation(x->ring), &x->host, &asim) != AD_OK) {
            ad_ring_consumer_counter_add(x->ring, AD_EXP_RECORDS_CORRUPT, 1);
            continue;
        }
        ad_strbuf_init(&sb, line, sizeof(line));
        ad_asim_json_write(&asim, &sb);
        ad_strbuf_putc(&sb, '\n');
        fwrite(sb.data, 1, sb.len, stdout);
        ad_ring_consumer_counter_add(x->ring, AD_EXP_RECORDS_EXPORTED, 1);
    }
    if (fflush(stdout) != 0)
        return AD_EIO;
    return AD_OK;
}

static ad_err run(exporter *x)
{
    ad_ring_view views[PEEK_BATCH];
    uint64_t next_beat = 0, last_data = ad_time_mono_ns();
    while (!ad_stop_requested()) {
        uint64_t now = ad_time_mono_ns();
        if (now >= next_beat) {
            ad_ring_consumer_heartbeat(x->ring, ad_time_now_ns());
            next_beat = now + NS_PER_SEC;
        }
        size_t count = 0;
        ad_err err = ad_ring_consumer_peek(x->ring, views, PEEK_BATCH, &count);
        if (err == AD_EEMPTY || count == 0) {
            if (x->max_idle_ns && now - last_data >= x->max_idle_ns) {
                ad_log_info("no records for %llu s; exiting",
                            (unsigned long long)(x->max_idle_ns / NS_PER_SEC));
                break;
            }
            ad_ring_consumer_commit_all(x->ring); /* releases skipped pads/corrupt bytes */
            (void)ad_ring_consumer_wait(x->ring, NS_PER_SEC / 10);
            continue;
        }
        last_data = now;
        err = deliver_console(x, views, count);
        if (err != AD_OK) {
            ad_log_error("console output failed: %s", ad_strerror(err));
            return err;
        }
        ad_ring_consumer_commit(x->ring, &views[count - 1]);
    }
    return AD_OK;
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int check = 0;
    exporter x;
    memset(&x, 0, sizeof(x));
    for (int i = 1; i < argc; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc) {
            config_path = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            check = 1;
        } else if (strcmp(argv[i], "--max-idle") == 0 && i + 1 < argc) {
            x.max_idle_ns = strtoull(argv[++i], NULL, 10) * NS_PER_SEC;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("asimdns-exporter %s\n", ASIMDNS_VERSION);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "asimdns-exporter: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (config_path == NULL) {
        usage(stderr);
        return 2;
    }
    if (check)
        return ad_config_check_exporter(config_path, NULL, stdout, stderr);

    static ad_exporter_config cfg;
    char err[AD_CONFIG_ERR_MAX];
    if (ad_config_load_exporter(config_path, NULL, &cfg, err, sizeof(err)) != AD_OK) {
        fprintf(stderr, "asimdns-exporter: %s\n", err);
        return 1;
    }
    x.cfg = &cfg;
    ad_log_init("exporter", cfg.log.level, cfg.log.format);
    ad_stop_install();
    if (cfg.type != AD_EXPORTER_CONSOLE) {
        ad_log_error("this build delivers to the console only; set exporter.type: console");
        return 1;
    }
    char host[256];
    if (cfg.host_name[0])
        snprintf(host, sizeof(host), "%s", cfg.host_name);
    else
        ad_host_name(host, sizeof(host));
    ad_asim_host_init(&x.host, host);

    if (attach(&x) != AD_OK)
        return ad_stop_requested() ? 0 : 1;
    ad_log_info("asimdns-exporter %s: ring '%s' attached (generation %016llx), output console",
                ASIMDNS_VERSION, cfg.ring.name,
                (unsigned long long)ad_ring_consumer_generation(x.ring));
    ad_err rc = run(&x);
    ad_log_info("stopping: %llu records exported, %llu sequence gaps, %llu corrupt",
                (unsigned long long)ad_ring_consumer_counter_get(x.ring, AD_EXP_RECORDS_EXPORTED),
                (unsigned long long)ad_ring_consumer_counter_get(x.ring, AD_EXP_SEQUENCE_GAPS),
                (unsigned long long)ad_ring_consumer_counter_get(x.ring, AD_EXP_RECORDS_CORRUPT));
    ad_ring_consumer_close(x.ring);
    return rc == AD_OK ? 0 : 1;
}

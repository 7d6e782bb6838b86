/*
 * asimdns bench: the disk spool (exporter/spool.h, docs/SPOOL.md). Realistic ring records from
 * the synthetic generator are spooled in pumps of PUMP records (append + sync, as the spool
 * stage does), then drained block by block with an acknowledgement per block, for each fsync
 * policy with and without zlib. Prints records/s and MB/s (record bytes) for writing and
 * draining, the disk bytes per record, the longest outage a disk budget covers at 20k and
 * 100k events/s, and how long opening the full spool takes (a restart: every segment is
 * checked).
 *
 * usage: bench_spool [DIR=/var/tmp/asimdns-bench-spool] [RECORDS=200000] [BUDGET_GIB=1]
 * DIR should be on the disk the spool will use (not tmpfs: fsync costs are the point).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/synthetic.h"
#include "common/log.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "exporter/spool.h"

#define SLOT 1024
#define PUMP 1000

static void die(const char *what, ad_err err)
{
    fprintf(stderr, "bench_spool: %s: %s\n", what, ad_strerror(err));
    exit(1);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/var/tmp/asimdns-bench-spool";
    size_t n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 200000;
    double budget_gib = argc > 3 ? strtod(argv[3], NULL) : 1.0;
    ad_log_init("bench", AD_LOG_WARN, AD_LOG_TEXT);
    uint8_t *pool = malloc(n * SLOT);
    size_t *lens = malloc(n * sizeof(*lens));
    if (pool == NULL || lens == NULL)
        die("memory", AD_ENOMEM);
    ad_synth gen;
    ad_synth_init(&gen, 2024, AD_SYNTH_BOTH);
    uint64_t base = ad_time_now_ns();
    double raw_bytes = 0;
    for (size_t i = 0; i < n; i++) {
        ad_event ev;
        ad_synth_next(&gen, base, &ev);
        ev.hdr.sequence = i + 1;
        ad_err err = ad_record_encode(&ev, pool + i * SLOT, SLOT, &lens[i]);
        if (err != AD_OK)
            die("record encode", err);
        raw_bytes += (double)lens[i];
    }
    printf("%zu records, %.0f bytes each on average; spool dir %s\n", n, raw_bytes / (double)n,
           dir);
    printf("%-9s %-5s %12s %9s %12s %9s %9s %14s %14s %9s\n", "fsync", "zlib", "write rec/s",
           "MB/s", "drain rec/s", "MB/s", "disk B/rec", "outage @20k/s", "outage @100k/s",
           "reopen s");
    const char *names[] = {"always", "batch", "interval"};
    ad_spool_fsync pol[] = {AD_SPOOL_FSYNC_ALWAYS, AD_SPOOL_FSYNC_BATCH, AD_SPOOL_FSYNC_INTERVAL};
    for (int p = 0; p < 3; p++) {
        for (int z = 0; z < 2; z++) {
            char cmd[600];
            snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
            if (system(cmd) != 0)
                die("rm", AD_EIO);
            ad_spool_opts o = {
                .dir = dir, .max_bytes = 64ULL << 30, .fsync = pol[p], .compress = z == 1};
            ad_spool *sp;
            char msg[256];
            ad_err err = ad_spool_open(&o, &sp, msg, sizeof(msg));
            if (err != AD_OK) {
                fprintf(stderr, "%s\n", msg);
                die("open", err);
            }
            uint64_t t0 = ad_time_mono_ns();
            for (size_t i = 0; i < n; i++) {
                err = ad_spool_append(sp, 1, i + 1, pool + i * SLOT, (uint32_t)lens[i], base);
                if (err != AD_OK)
                    die("append", err);
                if ((i + 1) % PUMP == 0 && (err = ad_spool_sync(sp, ad_time_mono_ns())) != AD_OK)
                    die("sync", err);
            }
            if ((err = ad_spool_sync(sp, ad_time_mono_ns())) != AD_OK)
                die("sync", err);
            uint64_t t1 = ad_time_mono_ns();
            double disk = (double)ad_spool_bytes(sp);
            /* A restart: close and open again (the start-up check reads every segment). */
            ad_spool_close(sp);
            uint64_t r0 = ad_time_mono_ns();
            if ((err = ad_spool_open(&o, &sp, msg, sizeof(msg))) != AD_OK)
                die("reopen", err);
            double reopen_s = (double)(ad_time_mono_ns() - r0) / 1e9;
            t1 = ad_time_mono_ns();
            size_t got = 0;
            while (got < n) {
                const ad_spool_rec *r;
                size_t k;
                if ((err = ad_spool_read(sp, &r, &k)) != AD_OK)
                    die("read", err);
                got += k;
                if ((err = ad_spool_ack(sp, r[k - 1].id)) != AD_OK)
                    die("ack", err);
            }
            uint64_t t2 = ad_time_mono_ns();
            ad_spool_close(sp);
            double ws = (double)(t1 - t0) / 1e9, ds = (double)(t2 - t1) / 1e9;
            double per = disk / (double)n;
            double budget = budget_gib * 1024 * 1024 * 1024;
            printf("%-9s %-5s %12.0f %9.1f %12.0f %9.1f %9.1f %10.1f min %10.1f min %9.3f\n",
                   names[p], z ? "yes" : "no", (double)n / ws, raw_bytes / ws / 1e6, (double)n / ds,
                   raw_bytes / ds / 1e6, per, budget / per / 20000 / 60, budget / per / 100000 / 60,
                   reopen_s);
        }
    }
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    printf("(outage = %.1f GiB budget / disk bytes per record / rate)\n", budget_gib);
    free(pool);
    free(lens);
    return 0;
}

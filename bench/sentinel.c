/*
 * bench_sentinel: records per second on one core for the two encodings of the same ASIM
 * mapping, each with the gzip its transport uses (zlib's default level, ad_gzip_create(-1)):
 *
 *   otlp  decode + map + OTLP protobuf batch (exporter/otlp_batch.h) + gzip per request
 *   rows  decode + map + ASimDnsActivityLogs row (exporter/asim_rows.h) into 4 MiB batches of
 *         JSON lines (as the pipeline builds them), packed into JSON arrays of <= 1,000,000
 *         bytes (exporter/li_pack.h, the Logs Ingestion request limit) + gzip per request
 *
 * Records come from the synthetic generator, pre-encoded in the ring format and cycled, as in
 * bench_export. Pin it for per-core figures: `taskset -c 0 bench_sentinel`.
 *
 * usage: bench_sentinel [RECORDS=1000000] [REPS=3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/synthetic.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "exporter/asim.h"
#include "exporter/asim_rows.h"
#include "exporter/gzip.h"
#include "exporter/li_pack.h"
#include "exporter/otlp_batch.h"

enum { POOL = 16384, SLOT = 1024, MAX_REPS = 15 };
#define REQUEST_MAX 1000000u
#define BATCH_MAX (4u << 20)

typedef struct bench {
    uint8_t *pool;
    size_t lens[POOL];
    ad_asim_host host;
    ad_event ev;
    ad_asim asim;
    ad_otlp_batch *batch;
    ad_gzip *gz;
    uint8_t *zbuf;
    size_t zcap;
    char *req;   /* one JSON array */
    char *lines; /* one batch of JSON lines */
    size_t lines_len;
    char line[65536];
    uint64_t requests, raw_bytes, gz_bytes, sink;
} bench;

static void die(const char *what, ad_err err)
{
    fprintf(stderr, "bench_sentinel: %s: %s\n", what, ad_strerror(err));
    exit(1);
}

static void compress(bench *b, const void *data, size_t len)
{
    size_t glen;
    ad_err err = ad_gzip_compress(b->gz, data, len, b->zbuf, b->zcap, &glen);
    if (err != AD_OK)
        die("gzip", err);
    b->requests++;
    b->raw_bytes += len;
    b->gz_bytes += glen;
}

static void otlp_flush(bench *b)
{
    const uint8_t *data;
    size_t len;
    ad_err err = ad_otlp_batch_finish(b->batch, &data, &len);
    if (err == AD_EEMPTY)
        return;
    if (err != AD_OK)
        die("finish", err);
    compress(b, data, len);
    ad_otlp_batch_reset(b->batch);
}

static void rows_flush(bench *b)
{
    size_t off = 0, end;
    uint32_t n;
    size_t len;
    while ((len = ad_li_pack((const uint8_t *)b->lines, b->lines_len, off, REQUEST_MAX, REQUEST_MAX,
                             b->req, &end, &n)) > 0) {
        compress(b, b->req, len);
        off = end;
    }
    b->lines_len = 0;
}

static void map_one(bench *b, uint64_t i)
{
    size_t k = (size_t)(i % POOL);
    ad_err err = ad_record_decode(b->pool + k * SLOT, b->lens[k], &b->ev);
    if (err != AD_OK)
        die("decode", err);
    b->ev.hdr.sequence = i;
    if ((err = ad_asim_map(&b->ev, 1, &b->host, &b->asim)) != AD_OK)
        die("map", err);
}

/* mode 0: otlp, 1: rows. Returns seconds. */
static double run(bench *b, int mode, uint64_t n)
{
    b->requests = b->raw_bytes = b->gz_bytes = 0;
    ad_otlp_batch_reset(b->batch);
    b->lines_len = 0;
    uint64_t t0 = ad_time_mono_ns();
    for (uint64_t i = 0; i < n; i++) {
        map_one(b, i);
        if (mode == 0) {
            ad_err err = ad_otlp_batch_add(b->batch, &b->asim, 0);
            if (err == AD_EFULL) {
                otlp_flush(b);
                err = ad_otlp_batch_add(b->batch, &b->asim, 0);
            }
            if (err != AD_OK)
                die("add", err);
            continue;
        }
        ad_strbuf sb;
        ad_strbuf_init(&sb, b->line, sizeof(b->line));
        b->sink += ad_asim_row_write(&b->asim, 0, &sb);
        ad_strbuf_putc(&sb, '\n');
        if (b->lines_len + sb.len > BATCH_MAX)
            rows_flush(b);
        memcpy(b->lines + b->lines_len, sb.data, sb.len);
        b->lines_len += sb.len;
    }
    if (mode == 0)
        otlp_flush(b);
    else
        rows_flush(b);
    return (double)(ad_time_mono_ns() - t0) / 1e9;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;
    return (a > c) - (a < c);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (n == 0 || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_sentinel [RECORDS] [REPS 1..%d]\n", MAX_REPS);
        return 2;
    }
    bench *b = calloc(1, sizeof(*b));
    if (!b || !(b->pool = malloc((size_t)POOL * SLOT)) || !(b->req = malloc(REQUEST_MAX + 2)) ||
        !(b->lines = malloc(BATCH_MAX)))
        return 1;
    ad_asim_host_init(&b->host, "dns01.corp.contoso.com");
    ad_synth gen;
    ad_synth_init(&gen, 2024, AD_SYNTH_BOTH);
    uint64_t base = ad_time_now_ns();
    for (size_t i = 0; i < POOL; i++) {
        ad_event ev;
        ad_synth_next(&gen, base, &ev);
        ev.hdr.sequence = i;
        ad_err err = ad_record_encode(&ev, b->pool + i * SLOT, SLOT, &b->lens[i]);
        if (err != AD_OK)
            die("record encode", err);
    }
    ad_otlp_batch_opts opts = {.host_name = "dns01.corp.contoso.com"};
    ad_err err = ad_otlp_batch_create(&opts, &b->batch);
    if (err != AD_OK || (err = ad_gzip_create(-1, &b->gz)) != AD_OK)
        die("setup", err);
    size_t big = ad_otlp_batch_max_bytes(b->batch);
    b->zcap = ad_gzip_bound(big > REQUEST_MAX ? big : REQUEST_MAX);
    if (!(b->zbuf = malloc(b->zcap)))
        return 1;
    run(b, 0, 50000); /* warm-up */
    run(b, 1, 50000);

    static const char *const names[2] = {"otlp: map+protobuf+gzip", "rows: map+JSON rows+gzip"};
    double rate[2][MAX_REPS];
    double per_rec[2] = {0, 0}, ratio[2] = {0, 0}, per_req[2] = {0, 0};
    for (int rep = 0; rep < reps; rep++) {
        for (int mode = 0; mode < 2; mode++) {
            double secs = run(b, mode, n);
            rate[mode][rep] = (double)n / secs;
            per_rec[mode] = (double)b->raw_bytes / (double)n;
            ratio[mode] = (double)b->raw_bytes / (double)b->gz_bytes;
            per_req[mode] = (double)n / (double)b->requests;
        }
    }
    printf("bench_sentinel: %llu records x %d runs, synthetic mix both, zlib default level, "
           "one thread\n\n",
           (unsigned long long)n, reps);
    printf("| %-26s | %10s | %10s | %10s | %8s | %6s | %9s |\n", "encoding", "rec/s med", "min",
           "max", "B/rec", "gz x", "rec/req");
    printf("|----------------------------|------------|------------|------------|----------|"
           "--------|-----------|\n");
    for (int mode = 0; mode < 2; mode++) {
        qsort(rate[mode], (size_t)reps, sizeof(double), cmp_double);
        printf("| %-26s | %10.0f | %10.0f | %10.0f | %8.1f | %6.1f | %9.0f |\n", names[mode],
               rate[mode][reps / 2], rate[mode][0], rate[mode][reps - 1], per_rec[mode],
               ratio[mode], per_req[mode]);
    }
    printf("(sink %llu)\n", (unsigned long long)b->sink);
    ad_otlp_batch_destroy(b->batch);
    ad_gzip_destroy(b->gz);
    free(b->zbuf);
    free(b->req);
    free(b->lines);
    free(b->pool);
    free(b);
    return 0;
}

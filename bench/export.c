/*
 * bench_export: records per second on one core for the exporter's per-record work, on
 * realistic records from the synthetic generator (capture/synthetic.h), and peak memory.
 *
 *   decode+map              ad_record_decode + ad_asim_map (the part before OTLP)
 *   decode+map+encode       ... + ad_otlp_batch_add, finish per batch (gzip off)
 *   decode+map+encode+gzip1 ... + gzip level 1 of every finished request, same thread
 *   encode only             ad_otlp_batch_add of already mapped records
 *
 * Batches use the defaults (8192 records / 4 MiB). Records are pre-encoded into a pool of
 * POOL ring-format records (as asimdns-capture writes them) and cycled. Pin it to one core for
 * per-core figures: `taskset -c 0 bench_export`.
 *
 * usage: bench_export [RECORDS=2000000] [REPS=3] [server|client|both]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/synthetic.h"
#include "common/timeutil.h"
#include "exporter/asim.h"
#include "exporter/gzip.h"
#include "exporter/otlp_batch.h"

#if defined(_WIN32)
#include <windows.h>
#include <psapi.h>
#else
#include <sys/resource.h>
#endif

enum { POOL = 16384, SLOT = 1024, MAPPED = 1024, MAX_REPS = 15 };

/* Peak resident set size in KiB (0 when unknown). */
static unsigned long peak_rss_kib(void)
{
#if defined(_WIN32)
    PROCESS_MEMORY_COUNTERS pmc;
    if (GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc)))
        return (unsigned long)(pmc.PeakWorkingSetSize / 1024);
    return 0;
#else
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        return (unsigned long)ru.ru_maxrss; /* KiB on Linux */
    return 0;
#endif
}

typedef struct bench {
    uint8_t *pool;
    size_t lens[POOL];
    ad_asim_host host;
    ad_event ev;
    ad_asim asim;
    ad_otlp_batch *batch;
    ad_gzip *gz;
    uint8_t *gzbuf;
    size_t gzcap;
    /* results of the last run */
    uint64_t requests, req_bytes, gz_bytes, records_out;
    uint64_t sink;
} bench;

static void die(const char *what, ad_err err)
{
    fprintf(stderr, "bench_export: %s: %s\n", what, ad_strerror(err));
    exit(1);
}

/* Completes the current batch (and gzips it) and starts the next. */
static void flush(bench *b, int gzip)
{
    const uint8_t *data;
    size_t len;
    ad_err err = ad_otlp_batch_finish(b->batch, &data, &len);
    if (err == AD_EEMPTY)
        return;
    if (err != AD_OK)
        die("finish", err);
    b->requests++;
    b->req_bytes += len;
    b->records_out += ad_otlp_batch_count(b->batch);
    b->sink += data[len - 1];
    if (gzip) {
        size_t glen;
        err = ad_gzip_compress(b->gz, data, len, b->gzbuf, b->gzcap, &glen);
        if (err != AD_OK)
            die("gzip", err);
        b->gz_bytes += glen;
    }
    ad_otlp_batch_reset(b->batch);
    ad_otlp_batch_set_observed_time(b->batch, ad_time_now_ns());
}

/* mode 0: decode+map, 1: +encode, 2: +encode+gzip. Returns seconds. */
static double run(bench *b, int mode, uint64_t n)
{
    b->requests = b->req_bytes = b->gz_bytes = b->records_out = 0;
    ad_otlp_batch_reset(b->batch);
    ad_otlp_batch_set_observed_time(b->batch, ad_time_now_ns());
    uint64_t t0 = ad_time_mono_ns();
    for (uint64_t i = 0; i < n; i++) {
        size_t k = (size_t)(i % POOL);
        ad_err err = ad_record_decode(b->pool + k * SLOT, b->lens[k], &b->ev);
        if (err != AD_OK)
            die("decode", err);
        b->ev.hdr.sequence = i;
        if ((err = ad_asim_map(&b->ev, 1, &b->host, &b->asim)) != AD_OK)
            die("map", err);
        if (mode == 0) {
            b->sink += b->asim.nattrs;
            continue;
        }
        err = ad_otlp_batch_add(b->batch, &b->asim, 0);
        if (err == AD_EFULL) {
            flush(b, mode == 2);
            err = ad_otlp_batch_add(b->batch, &b->asim, 0);
        }
        if (err != AD_OK)
            die("add", err);
    }
    if (mode != 0)
        flush(b, mode == 2);
    return (double)(ad_time_mono_ns() - t0) / 1e9;
}

/* Encoder alone over MAPPED records mapped beforehand. */
static double run_encode_only(bench *b, const ad_asim *mapped, uint64_t n)
{
    b->requests = b->req_bytes = b->gz_bytes = b->records_out = 0;
    ad_otlp_batch_reset(b->batch);
    uint64_t t0 = ad_time_mono_ns();
    for (uint64_t i = 0; i < n; i++) {
        const ad_asim *a = &mapped[i % MAPPED];
        ad_err err = ad_otlp_batch_add(b->batch, a, 0);
        if (err == AD_EFULL) {
            flush(b, 0);
            err = ad_otlp_batch_add(b->batch, a, 0);
        }
        if (err != AD_OK)
            die("add", err);
    }
    flush(b, 0);
    return (double)(ad_time_mono_ns() - t0) / 1e9;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;
    return (a > c) - (a < c);
}

typedef struct row {
    const char *name;
    double rate[MAX_REPS];
    double bytes_per_rec, gz_ratio, us_per_rec;
} row;

static void print_row(const row *r, int reps)
{
    double s[MAX_REPS];
    memcpy(s, r->rate, sizeof(double) * (size_t)reps);
    qsort(s, (size_t)reps, sizeof(double), cmp_double);
    printf("| %-26s | %10.0f | %10.0f | %10.0f | %7.3f |", r->name, s[reps / 2], s[0], s[reps - 1],
           1e6 / s[reps / 2]);
    if (r->bytes_per_rec > 0)
        printf(" %8.1f |", r->bytes_per_rec);
    else
        printf(" %8s |", "-");
    if (r->gz_ratio > 0)
        printf(" %6.1f |\n", r->gz_ratio);
    else
        printf(" %6s |\n", "-");
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    const char *mixname = argc > 3 ? argv[3] : "server";
    if (n == 0 || reps < 1 || reps > MAX_REPS) {
        fprintf(stderr, "usage: bench_export [RECORDS] [REPS 1..%d] [server|client|both]\n",
                MAX_REPS);
        return 2;
    }
    ad_synth_mix mix = AD_SYNTH_DNS_SERVER;
    if (strcmp(mixname, "client") == 0)
        mix = AD_SYNTH_DNS_CLIENT;
    else if (strcmp(mixname, "both") == 0)
        mix = AD_SYNTH_BOTH;

    unsigned long rss0 = peak_rss_kib();
    bench *b = calloc(1, sizeof(*b));
    if (!b)
        return 1;
    b->pool = malloc((size_t)POOL * SLOT);
    if (!b->pool)
        return 1;
    ad_asim_host_init(&b->host, "dns01.corp.contoso.com");
    ad_synth gen;
    ad_synth_init(&gen, 2024, mix);
    uint64_t base = ad_time_now_ns();
    size_t pool_bytes = 0;
    for (size_t i = 0; i < POOL; i++) {
        ad_event ev;
        ad_synth_next(&gen, base, &ev);
        ev.hdr.sequence = i;
        ad_err err = ad_record_encode(&ev, b->pool + i * SLOT, SLOT, &b->lens[i]);
        if (err != AD_OK)
            die("record encode", err);
        pool_bytes += b->lens[i];
    }
    ad_otlp_batch_opts opts = {.host_name = "dns01.corp.contoso.com",
                               .instance_id = "6f1c7c1e-0000-4000-8000-000000000001"};
    ad_err err = ad_otlp_batch_create(&opts, &b->batch);
    if (err != AD_OK)
        die("batch", err);
    if ((err = ad_gzip_create(1, &b->gz)) != AD_OK)
        die("gzip", err);
    b->gzcap = ad_gzip_bound(ad_otlp_batch_max_bytes(b->batch));
    b->gzbuf = malloc(b->gzcap);
    if (!b->gzbuf)
        return 1;
    unsigned long rss_setup = peak_rss_kib();

    /* Warm-up: page in every buffer up to its cap. */
    run(b, 2, 100000);

    row rows[3] = {
        {.name = "decode+map"}, {.name = "decode+map+encode"}, {.name = "decode+map+encode+gzip1"}};
    double attrs = 0;
    for (int rep = 0; rep < reps; rep++) {
        for (int mode = 0; mode < 3; mode++) {
            double secs = run(b, mode, n);
            rows[mode].rate[rep] = (double)n / secs;
            if (mode >= 1)
                rows[mode].bytes_per_rec = (double)b->req_bytes / (double)b->records_out;
            if (mode == 2)
                rows[mode].gz_ratio = (double)b->req_bytes / (double)b->gz_bytes;
        }
    }
    unsigned long rss_run = peak_rss_kib();
    uint64_t requests = b->requests;

    /* Encoder alone. */
    ad_asim *mapped = malloc(sizeof(ad_asim) * MAPPED);
    ad_event *evs = malloc(sizeof(ad_event) * MAPPED);
    if (!mapped || !evs)
        return 1;
    for (size_t i = 0; i < MAPPED; i++) {
        if (ad_record_decode(b->pool + i * SLOT, b->lens[i], &evs[i]) != AD_OK ||
            ad_asim_map(&evs[i], 1, &b->host, &mapped[i]) != AD_OK)
            die("map", AD_EINVAL);
        attrs += mapped[i].nattrs;
    }
    row enc = {.name = "encode only (batch add)"};
    for (int rep = 0; rep < reps; rep++) {
        double secs = run_encode_only(b, mapped, n);
        enc.rate[rep] = (double)n / secs;
        enc.bytes_per_rec = (double)b->req_bytes / (double)b->records_out;
    }

    printf("bench_export: %llu records x %d runs, mix %s, pool %d records (%.0f B/record in "
           "the ring format), %.1f ASIM attributes/record, batches of <= %u records / %zu B "
           "(%llu requests per run)\n\n",
           (unsigned long long)n, reps, mixname, POOL, (double)pool_bytes / POOL, attrs / MAPPED,
           ad_otlp_batch_max_records(b->batch), ad_otlp_batch_max_bytes(b->batch),
           (unsigned long long)requests);
    printf("| %-26s | %10s | %10s | %10s | %7s | %8s | %6s |\n", "stage (one thread)", "rec/s med",
           "min", "max", "us/rec", "B/rec", "gz x");
    printf("|----------------------------|------------|------------|------------|---------|"
           "----------|--------|\n");
    for (int i = 0; i < 3; i++)
        print_row(&rows[i], reps);
    print_row(&enc, reps);
    printf("\npeak RSS: %lu KiB at start, %lu KiB after setup (pool %zu KiB), %lu KiB after the "
           "timed runs (exporter state: batch regions + gzip + output buffer)\n",
           rss0, rss_setup, (size_t)POOL * SLOT / 1024, rss_run);
    printf("(sink %llu)\n", (unsigned long long)b->sink);

    free(mapped);
    free(evs);
    ad_otlp_batch_destroy(b->batch);
    ad_gzip_destroy(b->gz);
    free(b->gzbuf);
    free(b->pool);
    free(b);
    return 0;
}

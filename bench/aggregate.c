/*
 * asimdns bench: bytes sent with and without aggregation (exporter/aggregate.h), for the
 * synthetic mix (capture/synthetic.h) at a given event rate.
 *
 *   bench_aggregate [--records N] [--rate EVENTS_PER_S] [--window SECONDS] [--max-keys K]
 *                   [--key ATTR,ATTR,...]
 *
 * Each record is encoded, decoded and mapped as in the pipeline. Without aggregation every
 * record is one OTLP LogRecord; with it, records equal on the default key within the window
 * become one row (EventCount = n). Rows are popped when due (arrival time = event time here),
 * evicted when K rows are open, and flushed at the end. Prints rows, OTLP request bytes and
 * gzip-1 bytes for both, the reduction, and checks that the rows' EventCounts add up to N.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/synthetic.h"
#include "exporter/aggregate.h"
#include "exporter/gzip.h"
#include "exporter/otlp_batch.h"

typedef struct sink {
    ad_otlp_batch *batch;
    ad_gzip *gz;
    uint8_t *gzbuf;
    size_t gzcap;
    uint64_t rows, bytes, gz_bytes, counted;
} sink;

static void die(const char *what, ad_err err)
{
    fprintf(stderr, "bench_aggregate: %s: %s\n", what, ad_strerror(err));
    exit(1);
}

static void flush(sink *s)
{
    const uint8_t *data;
    size_t len, glen;
    ad_err err = ad_otlp_batch_finish(s->batch, &data, &len);
    if (err == AD_EEMPTY)
        return;
    if (err != AD_OK)
        die("finish", err);
    s->bytes += len;
    if ((err = ad_gzip_compress(s->gz, data, len, s->gzbuf, s->gzcap, &glen)) != AD_OK)
        die("gzip", err);
    s->gz_bytes += glen;
    ad_otlp_batch_reset(s->batch);
}

static void emit(sink *s, const ad_asim *a)
{
    ad_err err = ad_otlp_batch_add(s->batch, a, 0);
    if (err == AD_EFULL) {
        flush(s);
        err = ad_otlp_batch_add(s->batch, a, 0);
    }
    if (err != AD_OK)
        die("add", err);
    s->rows++;
    const ad_attr *c = ad_asim_find(a, "EventCount");
    s->counted += c != NULL ? (uint64_t)c->num : 0;
}

static void sink_init(sink *s)
{
    memset(s, 0, sizeof(*s));
    ad_otlp_batch_opts opts = {.host_name = "dns01.corp.contoso.com",
                               .instance_id = "6f1c7c1e-0000-4000-8000-000000000001"};
    ad_err err = ad_otlp_batch_create(&opts, &s->batch);
    if (err == AD_OK)
        err = ad_gzip_create(1, &s->gz);
    if (err != AD_OK)
        die("create", err);
    s->gzcap = ad_gzip_bound(ad_otlp_batch_max_bytes(s->batch));
    s->gzbuf = malloc(s->gzcap);
    if (s->gzbuf == NULL)
        die("gzip buffer", AD_ENOMEM);
    ad_otlp_batch_set_observed_time(s->batch, 1700000000000000000ull);
}

static ad_asim_host host;
static ad_asim asim, row_asim;

/* Maps a popped row again and sets its span. */
static void emit_row(sink *s, const ad_agg_row *row)
{
    ad_event ev;
    ad_err err = ad_record_decode(row->rec, row->len, &ev);
    if (err == AD_OK)
        err = ad_asim_map(&ev, 1, &host, &row_asim);
    if (err == AD_OK)
        err = ad_asim_set_span(&row_asim, row->count, row->first_ns, row->last_ns);
    if (err != AD_OK)
        die("row", err);
    emit(s, &row_asim);
}

int main(int argc, char **argv)
{
    uint64_t n = 200000, rate = 2000, window_s = 10, max_keys = 65536;
    static char keybuf[512];
    const char *key[AD_AGG_MAX_KEY_ATTRS];
    unsigned key_count = 0;
    const char *key_text = "default";
    for (int i = 1; i + 1 < argc; i += 2) {
        uint64_t v = strtoull(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--key") == 0) { /* comma-separated ASIM attribute names */
            key_text = argv[i + 1];
            snprintf(keybuf, sizeof(keybuf), "%s", argv[i + 1]);
            for (char *tok = strtok(keybuf, ","); tok != NULL && key_count < AD_AGG_MAX_KEY_ATTRS;
                 tok = strtok(NULL, ","))
                key[key_count++] = tok;
        }
        if (strcmp(argv[i], "--records") == 0)
            n = v;
        else if (strcmp(argv[i], "--rate") == 0)
            rate = v;
        else if (strcmp(argv[i], "--window") == 0)
            window_s = v;
        else if (strcmp(argv[i], "--max-keys") == 0)
            max_keys = v;
    }
    if (n == 0 || rate == 0 || window_s == 0 || max_keys == 0 || max_keys > UINT32_MAX) {
        fprintf(stderr, "usage: bench_aggregate [--records N] [--rate EVENTS_PER_S] "
                        "[--window SECONDS] [--max-keys K] [--key ATTR,...]\n");
        return 2;
    }
    ad_asim_host_init(&host, "dns01.corp.contoso.com");
    sink plain, agg_sink;
    sink_init(&plain);
    sink_init(&agg_sink);
    ad_agg *agg;
    ad_agg_opts o = {.window_ns = window_s * 1000000000ull,
                     .max_keys = (uint32_t)max_keys,
                     .key = key_count ? key : NULL,
                     .key_count = key_count};
    ad_err err = ad_agg_create(&o, &agg);
    if (err != AD_OK)
        die("aggregator", err);
    ad_synth syn;
    ad_synth_init(&syn, 7, AD_SYNTH_BOTH);
    static unsigned char rec[AD_RECORD_MAX_SIZE];
    const uint64_t t0 = 1700000000000000000ull, step = 1000000000ull / rate;
    ad_agg_row row;
    for (uint64_t i = 0; i < n; i++) {
        ad_event ev, dec;
        size_t len;
        uint64_t now = t0 + i * step;
        ad_synth_next(&syn, now, &ev);
        ev.hdr.sequence = i + 1;
        if ((err = ad_record_encode(&ev, rec, sizeof(rec), &len)) != AD_OK ||
            (err = ad_record_decode(rec, len, &dec)) != AD_OK ||
            (err = ad_asim_map(&dec, 1, &host, &asim)) != AD_OK)
            die("record", err);
        emit(&plain, &asim);
        while (ad_agg_pop(agg, now, AD_AGG_POP_DUE, &row))
            emit_row(&agg_sink, &row);
        while ((err = ad_agg_add(agg, &asim, rec, len, &(ad_agg_mark){.pos = i + 1}, now)) ==
               AD_EFULL) {
            if (!ad_agg_pop(agg, now, AD_AGG_POP_OLDEST, &row))
                die("evict", AD_EFULL);
            emit_row(&agg_sink, &row);
        }
        if (err != AD_OK)
            die("aggregate", err);
    }
    while (ad_agg_pop(agg, 0, AD_AGG_POP_ANY, &row))
        emit_row(&agg_sink, &row);
    flush(&plain);
    flush(&agg_sink);
    ad_agg_stats st;
    ad_agg_get_stats(agg, &st);
    printf("records %llu at %llu/s, window %llu s, max keys %llu, key %s\n", (unsigned long long)n,
           (unsigned long long)rate, (unsigned long long)window_s, (unsigned long long)max_keys,
           key_text);
    printf("%-12s %10s %14s %14s\n", "", "rows", "OTLP bytes", "gzip-1 bytes");
    printf("%-12s %10llu %14llu %14llu\n", "plain", (unsigned long long)plain.rows,
           (unsigned long long)plain.bytes, (unsigned long long)plain.gz_bytes);
    printf("%-12s %10llu %14llu %14llu\n", "aggregated", (unsigned long long)agg_sink.rows,
           (unsigned long long)agg_sink.bytes, (unsigned long long)agg_sink.gz_bytes);
    printf("reduction    %9.1f%% %13.1f%% %13.1f%%   (evictions %llu)\n",
           100.0 * (1.0 - (double)agg_sink.rows / (double)plain.rows),
           100.0 * (1.0 - (double)agg_sink.bytes / (double)plain.bytes),
           100.0 * (1.0 - (double)agg_sink.gz_bytes / (double)plain.gz_bytes),
           (unsigned long long)st.evictions);
    if (agg_sink.counted != n || plain.counted != n) {
        fprintf(stderr, "EventCount sums %llu and %llu, expected %llu\n",
                (unsigned long long)agg_sink.counted, (unsigned long long)plain.counted,
                (unsigned long long)n);
        return 1;
    }
    ad_agg_destroy(agg);
    return 0;
}

/*
 * asimdns bench: cost of the exporter's filter rules per record (exporter/filter.h), on the
 * synthetic mix of DNS Server and DNS Client records (capture/synthetic.h), decoded from
 * their encoded form as the pipeline sees them.
 *
 *   bench_filter [--records N] [--runs R]
 *
 * Rule sets: none; 64 rules of mixed kinds (event ids, name patterns of every kind, query
 * types, client/server/interface CIDRs in IPv4 and IPv6, result details, results,
 * protocols, providers, several combined with AND) of which few match, so most records
 * go through every field lookup. Prints best and median ns/record of R runs, each 16 passes
 * over N records (default 4096, packed as in the ring: the pipeline filters a record it has
 * just decoded, so it is in cache), and how many records were dropped. Target: <= 50 ns/record with
 * 64 rules.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/synthetic.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "config/exporter_config.h"
#include "exporter/filter.h"

#define MAX_RUNS 64
#define PASSES 16 /* over the same records per run */

static volatile uint64_t sink;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* 64 rules: 8 each of 8 kinds, the last rules combining fields. */
static size_t rules_yaml(char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "filters:\n");
    for (int i = 0; i < 8 && n < cap; i++) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "  - {name: ids%d, event_ids: [%d, %d]}\n"
                              "  - {name: sub%d, dns_query: ['*.tracker%d.example', "
                              "'*.ads%d.example.net']}\n"
                              "  - {name: exact%d, dns_query: [host%d.corp.example, "
                              "'**.cdn%d.example.org']}\n"
                              "  - {name: qt%d, dns_query_type: [%d], provider: dns_server}\n"
                              "  - {name: src%d, src_ip: [10.%d.0.0/16, '2001:db8:%x::/48']}\n"
                              "  - {name: dvc%d, dvc_ip: [192.0.2.%d/32], network_protocol: TCP}\n"
                              "  - {name: det%d, event_result_details: [BADKEY, BADSIG], "
                              "event_ids: [%d]}\n"
                              "  - {name: and%d, event_result: Failure, dns_query: "
                              "['**.zone%d.example'], dst_ip: ['fd00:%x::/32']}\n",
                              i, 600 + i, 700 + i, i, i, i, i, i, i, i, 40 + i, i, i, 0x100 + i, i,
                              i, i, 290 + i, i, i, i);
    }
    return n;
}

static void measure(const char *label, const ad_filter *f, const ad_event *evs, size_t count,
                    int runs)
{
    uint64_t t[MAX_RUNS];
    uint64_t dropped = 0;
    for (size_t i = 0; i < count; i++) /* warm-up */
        sink += (uint64_t)(ad_filter_match(f, &evs[i]) + 1);
    for (int r = 0; r < runs; r++) {
        uint64_t start = ad_time_mono_ns();
        uint64_t matched = 0;
        for (int pass = 0; pass < PASSES; pass++) {
            for (size_t i = 0; i < count; i++) {
                int rule = ad_filter_match(f, &evs[i]);
                matched += rule >= 0 && !((f->keep >> rule) & 1u);
            }
        }
        t[r] = (ad_time_mono_ns() - start) / PASSES;
        dropped = matched / PASSES;
    }
    qsort(t, (size_t)runs, sizeof(t[0]), cmp_u64);
    printf("%-28s %8.1f %8.1f %10llu/%zu\n", label, (double)t[0] / (double)count,
           (double)t[runs / 2] / (double)count, (unsigned long long)dropped, count);
    sink += dropped;
}

int main(int argc, char **argv)
{
    size_t count = 4096; /* a pipeline batch-sized working set */
    int runs = 9;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--records") == 0)
            count = (size_t)strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--runs") == 0)
            runs = atoi(argv[i + 1]);
    }
    if (count == 0 || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: bench_filter [--records N] [--runs 1-%d]\n", MAX_RUNS);
        return 2;
    }
    /* Records as the pipeline has them: encoded, then decoded with views into the bytes. */
    /* Packed one after the other (as in the ring), so the working set is the records' size. */
    unsigned char *bufs = malloc(count * AD_RECORD_MAX_SIZE);
    size_t used = 0;
    ad_event *evs = malloc(count * sizeof(ad_event));
    if (bufs == NULL || evs == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    ad_synth s;
    ad_synth_init(&s, 42, AD_SYNTH_BOTH);
    for (size_t i = 0; i < count; i++) {
        ad_event ev;
        size_t len;
        ad_synth_next(&s, 1700000000000000000ull + i * 1000, &ev);
        unsigned char *b = bufs + used;
        if (ad_record_encode(&ev, b, AD_RECORD_MAX_SIZE, &len) != AD_OK ||
            ad_record_decode(b, len, &evs[i]) != AD_OK) {
            fprintf(stderr, "synthetic record %zu does not encode\n", i);
            return 1;
        }
        used += len;
    }
    static ad_exporter_config cfg;
    static char yaml[32768];
    char err[AD_CONFIG_ERR_MAX];
    size_t ylen = rules_yaml(yaml, sizeof(yaml));
    if (ad_config_load_exporter_mem("bench.yaml", yaml, ylen, NULL, &cfg, err, sizeof(err)) !=
        AD_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    static ad_config_filters none;
    ad_filter f0, f64;
    if (ad_filter_init(&f0, &none, NULL) != AD_OK ||
        ad_filter_init(&f64, &cfg.filters, NULL) != AD_OK) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("%-28s %8s %8s %10s\n", "rules", "best ns", "median", "dropped");
    measure("none", &f0, evs, count, runs);
    char label[64];
    snprintf(label, sizeof(label), "%u mixed", (unsigned)cfg.filters.rule_count);
    measure(label, &f64, evs, count, runs);
    ad_filter_free(&f0);
    ad_filter_free(&f64);
    free(bufs);
    free(evs);
    return 0;
}

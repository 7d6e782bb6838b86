/*
 * asimdns bench: cost of the capture hot path per event, without ETW: the hand-written
 * decoder (capture/etw_decode.h) alone, and decoder + record encoder (common/record.h), for
 * DNS Server 256 (QUERY_RECEIVED), 257 (RESPONSE_SUCCESS, with its packet) and DNS-Client
 * 3008 (query completed), plus a mix of every supported (event, version) of both providers.
 *
 *   bench_decode [--events N] [--runs R]
 *
 * Payloads come from the test-vector builder (tests/capture/etw_vector_builder.c, compiled
 * into this program) with its realistic default values (facts/etw-dns-providers.md §2.5,
 * §3.5). Each measurement: a warm-up pass, then R timed runs of N decodes of the same payload
 * (the mix cycles through all payloads); prints best and median ns/event. Target: < 200
 * ns/event (DESIGN.md §1: the ETW callback must stay cheap, facts/peers-etw-and-ring.md §A.6).
 * Also the uncontended lock/unlock the ETW callback adds around each ring write
 * (capture/etw_session.c ring_lock).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/etw_decode.h"
#include "common/record.h"
#include "common/thread.h"
#include "common/timeutil.h"
#include "tests/capture/etw_vector_builder.h"

#define MAX_PAYLOADS 256
#define MAX_RUNS 64

typedef struct payload {
    ad_etw_event_in in;
    unsigned char *data;
} payload;

static ad_decode_scratch scratch;
static unsigned char record_buf[AD_RECORD_MAX_SIZE];
static volatile uint64_t sink; /* keeps the work observable */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void payload_set(payload *p, ad_provider provider, uint16_t id, uint8_t version,
                        unsigned ptr, const ad_vb *b)
{
    memset(p, 0, sizeof(*p));
    p->data = malloc(b->len > 0 ? b->len : 1);
    if (p->data == NULL)
        abort();
    memcpy(p->data, b->buf, b->len);
    p->in.provider = provider;
    p->in.source = AD_SOURCE_ETW;
    p->in.event_id = id;
    p->in.version = version;
    p->in.header_flags = ptr == 4 ? 0x0220 : 0x0240;
    p->in.pid = 2244;
    p->in.tid = 3100;
    p->in.time_ns = 1732528800123456700ull;
    p->in.userdata = p->data;
    p->in.userdata_len = b->len;
}

/* One timed pass of n events over payloads[0..np); returns ns/event. */
static double pass(const payload *payloads, size_t np, uint64_t n, bool encode)
{
    uint64_t acc = 0;
    uint64_t t0 = ad_time_mono_ns();
    size_t j = 0;
    for (uint64_t i = 0; i < n; i++) {
        ad_event ev;
        if (ad_etw_decode(&payloads[j].in, &ev, &scratch) != AD_OK)
            abort();
        acc += ev.hdr.qtype + ev.str[AD_STR_QNAME].len;
        if (encode) {
            size_t len = 0;
            if (ad_record_encode(&ev, record_buf, sizeof(record_buf), &len) != AD_OK)
                abort();
            acc += len;
        }
        if (++j == np)
            j = 0;
    }
    uint64_t t1 = ad_time_mono_ns();
    sink += acc;
    return (double)(t1 - t0) / (double)n;
}

static void measure(const char *name, const payload *payloads, size_t np, uint64_t n, unsigned runs)
{
    double best[2], median[2];
    for (int e = 0; e < 2; e++) {
        uint64_t ns[MAX_RUNS];
        (void)pass(payloads, np, n / 4 + 1, e == 1); /* warm-up: caches, branch predictors */
        for (unsigned r = 0; r < runs; r++)
            ns[r] = (uint64_t)(pass(payloads, np, n, e == 1) * 1000.0); /* ps/event */
        qsort(ns, runs, sizeof(ns[0]), cmp_u64);
        best[e] = (double)ns[0] / 1000.0;
        median[e] = (double)ns[runs / 2] / 1000.0;
    }
    /* Average sizes over the payloads, for scale. */
    size_t ud = 0, rec = 0;
    for (size_t i = 0; i < np; i++) {
        ad_event ev;
        size_t len = 0;
        if (ad_etw_decode(&payloads[i].in, &ev, &scratch) != AD_OK ||
            ad_record_encode(&ev, record_buf, sizeof(record_buf), &len) != AD_OK)
            abort();
        ud += payloads[i].in.userdata_len;
        rec += len;
    }
    printf("| %-28s | %9zu | %9zu | %8.1f | %8.1f | %8.1f | %8.1f |\n", name, ud / np, rec / np,
           best[0], median[0], best[1], median[1]);
}

/* ns for one uncontended ad_mutex lock + unlock (best and median of runs). */
static void measure_lock(uint64_t n, unsigned runs)
{
    ad_mutex *m = NULL;
    if (ad_mutex_create(&m) != AD_OK)
        abort();
    uint64_t ps[MAX_RUNS];
    for (unsigned r = 0; r <= runs; r++) { /* run 0 warms up */
        uint64_t t0 = ad_time_mono_ns();
        for (uint64_t i = 0; i < n; i++) {
            ad_mutex_lock(m);
            sink++;
            ad_mutex_unlock(m);
        }
        uint64_t t1 = ad_time_mono_ns();
        if (r > 0)
            ps[r - 1] = (t1 - t0) * 1000u / n;
    }
    qsort(ps, runs, sizeof(ps[0]), cmp_u64);
    printf("ring_lock (uncontended ad_mutex lock+unlock): best %.1f ns, median %.1f ns\n",
           (double)ps[0] / 1000.0, (double)ps[runs / 2] / 1000.0);
    ad_mutex_destroy(m);
}

int main(int argc, char **argv)
{
    uint64_t n = 1000000;
    unsigned runs = 9;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc) {
            n = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = (unsigned)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--events N] [--runs R]\n", argv[0]);
            return 2;
        }
    }
    if (n == 0 || runs == 0 || runs > MAX_RUNS) {
        fprintf(stderr, "bench_decode: --events > 0, --runs 1..%d\n", MAX_RUNS);
        return 2;
    }

    static ad_vb b;
    ad_vb_values v;
    ad_vb_values_default(&v);
    static payload one[3];
    if (!ad_vb_server_event(&b, 256, false, &v))
        abort();
    payload_set(&one[0], AD_PROVIDER_DNS_SERVER, 256, 0, 8, &b);
    if (!ad_vb_server_event(&b, 257, false, &v))
        abort();
    payload_set(&one[1], AD_PROVIDER_DNS_SERVER, 257, 0, 8, &b);
    if (!ad_vb_client_event(&b, 3008, 0, 8, &v))
        abort();
    payload_set(&one[2], AD_PROVIDER_DNS_CLIENT, 3008, 0, 8, &b);

    /* The mix: every DNS Server analytic event and every DNS-Client (event, version). */
    static payload mix[MAX_PAYLOADS];
    size_t nmix = 0;
    for (uint16_t id = 256; id <= 291 && nmix < MAX_PAYLOADS; id++)
        if (ad_vb_server_event(&b, id, false, &v))
            payload_set(&mix[nmix++], AD_PROVIDER_DNS_SERVER, id, 0, 8, &b);
    static const uint16_t client_ids[] = {1013, 1014, 1015, 1016, 1017, 1018, 3000, 3001, 3002,
                                          3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 3011,
                                          3012, 3013, 3014, 3015, 3016, 3018, 3019, 3020};
    for (size_t i = 0; i < sizeof(client_ids) / sizeof(client_ids[0]); i++)
        for (uint8_t ver = 0; ver <= 2 && nmix < MAX_PAYLOADS; ver++)
            if (ad_vb_client_event(&b, client_ids[i], ver, 8, &v))
                payload_set(&mix[nmix++], AD_PROVIDER_DNS_CLIENT, client_ids[i], ver, 8, &b);

    printf("bench_decode: %llu events per run, %u runs after a warm-up; ns/event\n\n",
           (unsigned long long)n, runs);
    printf("| %-28s | %9s | %9s | %8s | %8s | %8s | %8s |\n", "event", "userdata", "record",
           "dec best", "dec med", "d+e best", "d+e med");
    printf("|------------------------------|-----------|-----------|----------|----------|---"
           "-------|----------|\n");
    measure("256 QUERY_RECEIVED", &one[0], 1, n, runs);
    measure("257 RESPONSE_SUCCESS", &one[1], 1, n, runs);
    measure("3008 (DNS-Client v0)", &one[2], 1, n, runs);
    char name[64];
    snprintf(name, sizeof(name), "mix of %zu (event, version)", nmix);
    measure(name, mix, nmix, n, runs);
    printf("\nuserdata/record: average bytes; dec = ad_etw_decode; d+e = decode + "
           "ad_record_encode. Target < 200 ns/event.\n");
    measure_lock(n, runs);
    for (size_t i = 0; i < 3; i++)
        free(one[i].data);
    for (size_t i = 0; i < nmix; i++)
        free(mix[i].data);
    return 0;
}

/*
 * asimdns tests: a producer process for the cross-process ring tests.
 *
 *   ipc_ring_producer NAME [--capacity BYTES] [--max-payload BYTES] [--until-seq S]
 *                          [--drop] [--min LEN] [--max LEN] [--seconds T]
 *
 * Creates or re-attaches ring NAME and writes self-checking records (ring_test_util.h) until
 * the record with sequence S has been written (0: forever, or --seconds). Default is
 * lossless: a full ring is waited out with try_reserve, so every sequence reaches the ring;
 * --drop uses the capture's drop-when-full reserve instead.
 * Exit: 0 done, 2 cannot open the ring, 4 bad arguments.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "tests/ipc/ring_test_util.h"

static int producer_usage(void)
{
    fprintf(stderr, "usage: ipc_ring_producer NAME [--capacity B] [--max-payload B] "
                    "[--until-seq S] [--drop] [--min L] [--max L] [--seconds T]\n");
    return 4;
}

int main(int argc, char **argv)
{
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    char msg[512];
    uint64_t until = 0, written = 0, dropped = 0, deadline = 0, iter = 0;
    uint32_t lo = 16, hi = 300;
    bool drop = false;
    ad_err err;

    if (argc < 2) {
        return producer_usage();
    }
    ad_ring_config_init(&cfg, argv[1]);
    cfg.capacity = 4u << 20;
    cfg.max_payload = 4096;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--drop") == 0) {
            drop = true;
            continue;
        }
        if (v == NULL) {
            return producer_usage();
        }
        i++;
        if (strcmp(a, "--capacity") == 0) {
            cfg.capacity = strtoull(v, NULL, 0);
        } else if (strcmp(a, "--max-payload") == 0) {
            cfg.max_payload = (uint32_t)strtoul(v, NULL, 0);
        } else if (strcmp(a, "--until-seq") == 0) {
            until = strtoull(v, NULL, 0);
        } else if (strcmp(a, "--min") == 0) {
            lo = (uint32_t)strtoul(v, NULL, 0);
        } else if (strcmp(a, "--max") == 0) {
            hi = (uint32_t)strtoul(v, NULL, 0);
        } else if (strcmp(a, "--seconds") == 0) {
            deadline = ad_time_mono_ns() + (uint64_t)(strtod(v, NULL) * 1e9);
        } else {
            return producer_usage();
        }
    }
    if (lo < RT_PAYLOAD_MIN || hi < lo || hi > cfg.max_payload) {
        return producer_usage();
    }
    if ((err = ad_ring_producer_open(&cfg, &p, msg, sizeof(msg))) != AD_OK) {
        fprintf(stderr, "producer: %s: %s\n", ad_err_name(err), msg);
        return 2;
    }
    for (;;) {
        uint64_t seq = ad_ring_producer_next_seq(p);
        uint32_t len = rt_len_for_seq(seq, lo, hi);
        void *dst;
        if (until != 0 && seq > until) {
            break;
        }
        if ((iter++ & 0xffff) == 0) {
            ad_ring_producer_heartbeat(p, ad_time_now_ns());
            if (deadline != 0 && ad_time_mono_ns() > deadline) {
                break;
            }
        }
        if (drop) {
            err = ad_ring_producer_reserve(p, len, &dst, &seq);
            if (err != AD_OK) {
                dropped++;
                sched_yield(); /* a real source would not retry at once either */
                continue;
            }
        } else {
            unsigned spins = 0;
            while ((err = ad_ring_producer_try_reserve(p, len, &dst, &seq)) == AD_EFULL) {
                if (++spins > 64) {
                    sched_yield();
                }
                if ((spins & 0xfffff) == 0) {
                    ad_ring_producer_heartbeat(p, ad_time_now_ns());
                    if (deadline != 0 && ad_time_mono_ns() > deadline) {
                        goto out;
                    }
                }
            }
        }
        rt_payload_fill(dst, len, seq);
        ad_ring_producer_commit(p, len);
        written++;
    }
out:
    ad_ring_producer_heartbeat(p, ad_time_now_ns());
    printf("producer: written=%llu dropped=%llu next_seq=%llu\n", (unsigned long long)written,
           (unsigned long long)dropped, (unsigned long long)ad_ring_producer_next_seq(p));
    ad_ring_producer_close(p);
    return 0;
}

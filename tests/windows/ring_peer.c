/*
 * asimdns tests: one side of the two-process ring test (tests/windows/ring_two_process.sh),
 * portable C over ipc/ring.h, so under Wine it exercises the named sections of shm_win32.c
 * between two separate processes.
 *
 *   ring_peer produce NAME COUNT DONE   creates ring NAME (small, so it wraps many times),
 *                                       writes COUNT self-checking records, waiting out a full
 *                                       ring, then waits for the file DONE
 *   ring_peer consume NAME COUNT DONE   attaches to NAME (waiting for it to appear), reads and
 *                                       checks COUNT records in order, commits them, then
 *                                       creates the file DONE
 *
 * A record's length and every byte follow from its sequence number (tests/ipc/ring_payload.h),
 * so the consumer detects a lost, repeated, torn or reordered record on its own. Exit: 0 all good,
 * 1 a check failed, 2 the ring could not be opened, 3 timeout, 4 usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "tests/ipc/ring_payload.h"

#define PEER_TIMEOUT_NS (60ull * 1000000000ull)

/* Odd sizes up to about 1 KiB, so the pads at the wrap vary. */
static uint32_t len_for_seq(uint64_t seq)
{
    return rt_len_for_seq(seq, RT_PAYLOAD_MIN, 1031);
}

static bool check(const ad_ring_view *v)
{
    return v->len == len_for_seq(v->seq) && rt_payload_check(v->data, v->len, v->seq);
}

static bool file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    fclose(f);
    return true;
}

static int produce(const char *name, uint64_t count, const char *done)
{
    ad_ring_config cfg;
    ad_ring_config_init(&cfg, name);
    cfg.capacity = 64u << 10;
    cfg.max_payload = 2048;
    ad_ring_producer *p;
    char msg[256] = "";
    ad_err err = ad_ring_producer_open(&cfg, &p, msg, sizeof(msg));
    if (err != AD_OK) {
        fprintf(stderr, "produce: %s: %s\n", ad_err_name(err), msg);
        return 2;
    }
    uint64_t deadline = ad_time_mono_ns() + PEER_TIMEOUT_NS;
    int rc = 0;
    for (uint64_t n = 0; n < count && rc == 0; n++) {
        uint64_t seq = ad_ring_producer_next_seq(p);
        uint32_t len = len_for_seq(seq);
        void *dst;
        while ((err = ad_ring_producer_try_reserve(p, len, &dst, &seq)) == AD_EFULL) {
            if (ad_time_mono_ns() > deadline) {
                fprintf(stderr, "produce: ring still full after %llu records\n",
                        (unsigned long long)n);
                rc = 3;
                break;
            }
            ad_sleep_ns(50000);
        }
        if (rc != 0)
            break;
        if (err != AD_OK) {
            fprintf(stderr, "produce: reserve: %s\n", ad_err_name(err));
            rc = 1;
            break;
        }
        rt_payload_fill(dst, len, seq);
        ad_ring_producer_commit(p, len);
        ad_ring_producer_heartbeat(p, ad_time_now_ns());
    }
    fprintf(stderr, "produce: %llu records written, position %llu\n", (unsigned long long)count,
            (unsigned long long)ad_ring_producer_position(p));
    /* A named section lives only while a process has it open: stay until the consumer, which
       may have attached late, says it has read everything. */
    while (rc == 0 && !file_exists(done)) {
        if (ad_time_mono_ns() > deadline) {
            fprintf(stderr, "produce: the consumer did not finish in time\n");
            rc = 3;
            break;
        }
        ad_sleep_ns(10000000);
    }
    ad_ring_producer_close(p);
    return rc;
}

static int consume(const char *name, uint64_t count, const char *done)
{
    ad_ring_consumer_config cfg;
    ad_ring_consumer_config_init(&cfg, name);
    ad_ring_consumer *c = NULL;
    char msg[256] = "";
    uint64_t deadline = ad_time_mono_ns() + PEER_TIMEOUT_NS;
    ad_err err;
    while ((err = ad_ring_consumer_open(&cfg, &c, msg, sizeof(msg))) == AD_ENOENT ||
           err == AD_EVERSION) {
        /* Not created yet, or created but not initialised yet. */
        if (ad_time_mono_ns() > deadline)
            break;
        ad_sleep_ns(10000000);
    }
    if (err != AD_OK) {
        fprintf(stderr, "consume: %s: %s\n", ad_err_name(err), msg);
        return 2;
    }
    uint64_t got = 0, expect = 0;
    int rc = 0;
    while (got < count && rc == 0) {
        ad_ring_view views[64];
        size_t n = 0;
        err = ad_ring_consumer_peek(c, views, 64, &n);
        if (err == AD_EEMPTY) {
            if (ad_time_mono_ns() > deadline) {
                fprintf(stderr, "consume: timeout after %llu of %llu records\n",
                        (unsigned long long)got, (unsigned long long)count);
                rc = 3;
                break;
            }
            (void)ad_ring_consumer_wait(c, 100000000);
            continue;
        }
        if (err != AD_OK) {
            fprintf(stderr, "consume: peek: %s\n", ad_err_name(err));
            rc = 1;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (expect == 0)
                expect = views[i].seq; /* sequence numbers start where the ring starts */
            if (views[i].seq != expect || !check(&views[i])) {
                fprintf(stderr, "consume: record %llu bad (sequence %llu, %u bytes)\n",
                        (unsigned long long)expect, (unsigned long long)views[i].seq, views[i].len);
                rc = 1;
                break;
            }
            expect++;
            got++;
        }
        if (rc == 0 && n > 0 && ad_ring_consumer_commit(c, &views[n - 1]) != AD_OK) {
            fprintf(stderr, "consume: commit refused\n");
            rc = 1;
        }
    }
    ad_ring_consumer_close(c);
    if (rc == 0) {
        fprintf(stderr, "consume: %llu records in order, all bytes as written\n",
                (unsigned long long)got);
        FILE *f = fopen(done, "wb");
        if (f == NULL || fclose(f) != 0)
            rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: ring_peer produce|consume NAME COUNT DONE-FILE\n");
        return 4;
    }
    uint64_t count = strtoull(argv[3], NULL, 10);
    if (count == 0)
        return 4;
    if (strcmp(argv[1], "produce") == 0)
        return produce(argv[2], count, argv[4]);
    if (strcmp(argv[1], "consume") == 0)
        return consume(argv[2], count, argv[4]);
    return 4;
}

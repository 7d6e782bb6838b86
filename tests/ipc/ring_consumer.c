/*
 * asimdns tests: a consumer process for the cross-process ring tests.
 *
 *   ipc_ring_consumer NAME [--until-seq S] [--expect-first F] [--timeout T] [--batch N]
 *
 * Attaches to ring NAME (waiting for it to appear), reads records in batches without copying,
 * verifies each one (payload sequence == ring sequence, length, checksum) and that sequences
 * are exactly consecutive (nothing lost, duplicated or reordered), starting at F when given,
 * then commits the batch. Stops after the record with sequence S.
 * Exit: 0 verified, 1 verification failed, 2 cannot open, 3 timeout, 4 bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "tests/ipc/ring_test_util.h"

#define MAX_BATCH 1024

static int consumer_usage(void)
{
    fprintf(stderr, "usage: ipc_ring_consumer NAME [--until-seq S] [--expect-first F] "
                    "[--timeout T] [--batch N]\n");
    return 4;
}

int main(int argc, char **argv)
{
    ad_ring_consumer_config cfg;
    ad_ring_consumer *c = NULL;
    ad_ring_view views[MAX_BATCH];
    char msg[512];
    uint64_t until = 0, expect = 0, records = 0, deadline, last_hb = 0;
    double timeout_s = 60;
    size_t batch = 256;
    ad_err err;
    int rc = 0;

    if (argc < 2) {
        return consumer_usage();
    }
    ad_ring_consumer_config_init(&cfg, argv[1]);
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--until-seq") == 0) {
            until = strtoull(argv[i + 1], NULL, 0);
        } else if (strcmp(argv[i], "--expect-first") == 0) {
            expect = strtoull(argv[i + 1], NULL, 0);
        } else if (strcmp(argv[i], "--timeout") == 0) {
            timeout_s = strtod(argv[i + 1], NULL);
        } else if (strcmp(argv[i], "--batch") == 0) {
            batch = (size_t)strtoul(argv[i + 1], NULL, 0);
        } else {
            return consumer_usage();
        }
    }
    if (batch == 0 || batch > MAX_BATCH || (argc % 2) != 0) {
        return consumer_usage();
    }
    deadline = ad_time_mono_ns() + (uint64_t)(timeout_s * 1e9);

    /* The producer may not have created the ring yet. */
    while ((err = ad_ring_consumer_open(&cfg, &c, msg, sizeof(msg))) != AD_OK) {
        if ((err != AD_ENOENT && err != AD_EEXIST) || ad_time_mono_ns() > deadline) {
            fprintf(stderr, "consumer: %s: %s\n", ad_err_name(err), msg);
            return err == AD_ENOENT || err == AD_EEXIST ? 3 : 2;
        }
        ad_sleep_ns(1000000);
    }

    for (;;) {
        size_t n = 0;
        if (until != 0 && expect > until) {
            break;
        }
        err = ad_ring_consumer_peek(c, views, batch, &n);
        if (err == AD_EEMPTY) {
            uint64_t now = ad_time_mono_ns();
            if (now > deadline) {
                fprintf(stderr, "consumer: timeout waiting after seq %llu\n",
                        (unsigned long long)(expect - 1));
                rc = 3;
                break;
            }
            if (now - last_hb > 100000000) {
                last_hb = now;
                ad_ring_consumer_heartbeat(c, ad_time_now_ns());
            }
            ad_ring_consumer_wait(c, 50000000);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            const ad_ring_view *v = &views[i];
            if (expect == 0) {
                expect = v->seq; /* no --expect-first: start wherever the cursor is */
            }
            if (v->seq != expect) {
                fprintf(stderr, "consumer: sequence %llu, expected %llu\n",
                        (unsigned long long)v->seq, (unsigned long long)expect);
                rc = 1;
                goto out;
            }
            if (!rt_payload_check(v->data, v->len, v->seq)) {
                fprintf(stderr, "consumer: bad payload at sequence %llu (len %u)\n",
                        (unsigned long long)v->seq, v->len);
                rc = 1;
                goto out;
            }
            expect++;
            records++;
        }
        ad_ring_consumer_commit(c, &views[n - 1]);
        if ((records & 0xffff) < n) {
            ad_ring_consumer_heartbeat(c, ad_time_now_ns());
        }
    }
out:
    printf("consumer: records=%llu next_expected=%llu corrupt=%llu gaps=%llu dup_possible=%llu\n",
           (unsigned long long)records, (unsigned long long)expect,
           (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_RECORDS_CORRUPT),
           (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_SEQUENCE_GAPS),
           (unsigned long long)ad_ring_consumer_counter_get(c, AD_EXP_DUPLICATES_POSSIBLE));
    if (rc == 0 && (ad_ring_consumer_counter_get(c, AD_EXP_RECORDS_CORRUPT) != 0 ||
                    ad_ring_consumer_counter_get(c, AD_EXP_SEQUENCE_GAPS) != 0)) {
        rc = 1;
    }
    ad_ring_consumer_close(c);
    return rc;
}

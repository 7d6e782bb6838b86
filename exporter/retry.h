/*
 * asimdns-exporter: the retry policy for batches the receiver could not take now.
 *
 * Exponential backoff with jitter as the OTLP exporter specification demands ("MUST implement
 * an exponential back-off with jitter", facts/otlp-logs.md §2.3) with the Collector's
 * parameters and algorithm (facts §3, configretry): the n-th wait is drawn uniformly from
 * [d(1 - jitter), d(1 + jitter)] where d = min(initial * multiplier^(n-1), max_interval); a
 * server's Retry-After raises the wait to max(backoff, retry_after) (facts §2.3, the
 * Collector's rule); when max_elapsed is set and the next attempt would start after it, the
 * batch is given up. The default max_elapsed is 0 = never give up (docs/CONFIG.md: the ring
 * absorbs the backlog and the cursor moves only on success).
 *
 * Pure arithmetic: time and randomness come from the caller, so tests check every bound
 * without waiting.
 */
#ifndef AD_EXPORTER_RETRY_H
#define AD_EXPORTER_RETRY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "config/exporter_config.h"

/*
 * Longest Retry-After honoured when it exceeds max_interval: a confused or hostile server
 * must not park the exporter for days. The larger of this and max_interval applies.
 */
#define AD_RETRY_AFTER_CAP_MS (3600u * 1000u)

typedef struct ad_retry_policy {
    uint64_t initial_ms;     /* first backoff delay (before jitter), >= 1 */
    uint64_t max_ms;         /* largest backoff delay (before jitter), >= initial_ms */
    uint64_t max_elapsed_ms; /* give up when the next attempt would start later; 0 = never */
    double multiplier;       /* >= 1 */
    double jitter;           /* randomization factor, 0..1 */
} ad_retry_policy;

/* State for one batch's attempts. */
typedef struct ad_retry {
    ad_retry_policy pol;
    uint64_t interval_ms; /* d for the next failure (before jitter) */
    uint64_t start_ms;    /* when the batch's first attempt started */
    uint32_t failures;    /* failed attempts so far */
} ad_retry;

/* The policy from exporter.yaml's retry section (values already range-checked). */
void ad_retry_policy_from_config(ad_retry_policy *pol, const ad_exporter_config *cfg);

/* Starts a fresh sequence of attempts for a new batch whose first attempt begins at now_ms. */
void ad_retry_start(ad_retry *r, const ad_retry_policy *pol, uint64_t now_ms);

/*
 * After a failed attempt at now_ms: computes the wait before the next attempt from the
 * backoff, the uniform random value rnd (any u32) and the server's retry_after_ms (0 = none).
 * Returns false when max_elapsed would be passed (give the batch up); *wait_ms is then the
 * wait that was refused.
 */
bool ad_retry_next(ad_retry *r, uint64_t now_ms, uint64_t retry_after_ms, uint32_t rnd,
                   uint64_t *wait_ms);

/*
 * Parses a Retry-After value: delay-seconds ("120") or an HTTP-date in any of the three
 * forms RFC 7231 §7.1.1.1 makes recipients accept (IMF-fixdate "Sun, 06 Nov 1994 08:49:37
 * GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov  6 08:49:37 1994").
 * A date gives date - now_unix_ms (0 when in the past). Surrounding spaces are ignored.
 * AD_EFORMAT for anything else (the caller falls back to plain backoff, facts §2.3).
 */
ad_err ad_retry_after_parse(const char *value, uint64_t now_unix_ms, uint64_t *delay_ms);

#endif

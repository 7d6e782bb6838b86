/* asimdns-exporter: backoff arithmetic and Retry-After parsing (see retry.h). */
#include "exporter/retry.h"

#include <ctype.h>
#include <string.h>

void ad_retry_policy_from_config(ad_retry_policy *pol, const ad_exporter_config *cfg)
{
    pol->initial_ms = cfg->retry.initial_interval_ms ? cfg->retry.initial_interval_ms : 1;
    pol->max_ms = cfg->retry.max_interval_ms;
    if (pol->max_ms < pol->initial_ms)
        pol->max_ms = pol->initial_ms;
    pol->max_elapsed_ms = cfg->retry.max_elapsed_ms;
    pol->multiplier = cfg->retry.multiplier < 1.0 ? 1.0 : cfg->retry.multiplier;
    pol->jitter = cfg->retry.jitter < 0.0 ? 0.0 : cfg->retry.jitter > 1.0 ? 1.0 : cfg->retry.jitter;
}

void ad_retry_start(ad_retry *r, const ad_retry_policy *pol, uint64_t now_ms)
{
    r->pol = *pol;
    r->interval_ms = pol->initial_ms;
    r->start_ms = now_ms;
    r->failures = 0;
}

bool ad_retry_next(ad_retry *r, uint64_t now_ms, uint64_t retry_after_ms, uint32_t rnd,
                   uint64_t *wait_ms)
{
    double d = (double)r->interval_ms;
    double delta = d * r->pol.jitter;
    /* Uniform in [d - delta, d + delta) (the Collector's randomization, facts §3). */
    double frac = (double)rnd / 4294967296.0;
    double w = d - delta + frac * 2.0 * delta;
    uint64_t wait = w < 1.0 ? 1 : (uint64_t)w;

    /* Retry-After raises the wait, never lowers it (facts §2.3: max(backoff, throttle)). */
    uint64_t cap = r->pol.max_ms > AD_RETRY_AFTER_CAP_MS ? r->pol.max_ms : AD_RETRY_AFTER_CAP_MS;
    if (retry_after_ms > cap)
        retry_after_ms = cap;
    if (retry_after_ms > wait)
        wait = retry_after_ms;

    /* Grow d for the next failure, capped at max_interval. */
    double next = d * r->pol.multiplier;
    r->interval_ms = next >= (double)r->pol.max_ms ? r->pol.max_ms : (uint64_t)next;
    r->failures++;
    *wait_ms = wait;

    if (r->pol.max_elapsed_ms != 0) {
        uint64_t elapsed = now_ms > r->start_ms ? now_ms - r->start_ms : 0;
        if (elapsed + wait > r->pol.max_elapsed_ms)
            return false;
    }
    return true;
}

/* ---- Retry-After ------------------------------------------------------------------------ */

static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), for m 1..12. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* A tiny cursor over the header value. */
typedef struct scan {
    const char *p;
} scan;

static void skip_spaces(scan *s)
{
    while (*s->p == ' ' || *s->p == '\t')
        s->p++;
}

/* Reads 1..max digits; false when there is none. */
static bool read_num(scan *s, unsigned max_digits, unsigned *out)
{
    unsigned v = 0, n = 0;
    while (n < max_digits && isdigit((unsigned char)s->p[n])) {
        v = v * 10 + (unsigned)(s->p[n] - '0');
        n++;
    }
    if (n == 0)
        return false;
    s->p += n;
    *out = v;
    return true;
}

static bool expect_char(scan *s, char c)
{
    if (*s->p != c)
        return false;
    s->p++;
    return true;
}

/* Month abbreviation (case-sensitive per RFC 7231, accepted in any case here). */
static bool read_month(scan *s, unsigned *month)
{
    for (unsigned i = 0; i < 12; i++) {
        const char *m = month_names[i];
        if (tolower((unsigned char)s->p[0]) == tolower((unsigned char)m[0]) &&
            tolower((unsigned char)s->p[1]) == tolower((unsigned char)m[1]) &&
            tolower((unsigned char)s->p[2]) == tolower((unsigned char)m[2])) {
            s->p += 3;
            *month = i + 1;
            return true;
        }
    }
    return false;
}

/* "HH:MM:SS" */
static bool read_clock(scan *s, unsigned *h, unsigned *mi, unsigned *se)
{
    return read_num(s, 2, h) && expect_char(s, ':') && read_num(s, 2, mi) && expect_char(s, ':') &&
           read_num(s, 2, se) && *h < 24 && *mi < 60 && *se < 61;
}

static bool skip_day_name(scan *s)
{
    size_t n = 0;
    while (isalpha((unsigned char)s->p[n]))
        n++;
    if (n < 3)
        return false;
    s->p += n;
    return true;
}

/* Parses the three HTTP-date forms into Unix seconds. */
static bool parse_http_date(const char *text, int64_t *unix_s)
{
    scan s = {text};
    unsigned day = 0, month = 0, year = 0, h = 0, mi = 0, se = 0;
    skip_spaces(&s);
    if (!skip_day_name(&s))
        return false;
    if (*s.p == ',') {
        s.p++;
        skip_spaces(&s);
        if (!read_num(&s, 2, &day))
            return false;
        if (*s.p == '-') {
            /* RFC 850: 06-Nov-94 */
            s.p++;
            if (!read_month(&s, &month) || !expect_char(&s, '-') || !read_num(&s, 4, &year))
                return false;
            if (year < 100)
                year += year < 70 ? 2000 : 1900; /* RFC 7231 §7.1.1.1: 50-year rule, simplified */
        } else {
            /* IMF-fixdate: 06 Nov 1994 */
            skip_spaces(&s);
            if (!read_month(&s, &month))
                return false;
            skip_spaces(&s);
            if (!read_num(&s, 4, &year))
                return false;
        }
        skip_spaces(&s);
        if (!read_clock(&s, &h, &mi, &se))
            return false;
        skip_spaces(&s);
        if (strncmp(s.p, "GMT", 3) != 0)
            return false;
        s.p += 3;
    } else {
        /* asctime: Nov  6 08:49:37 1994 */
        skip_spaces(&s);
        if (!read_month(&s, &month))
            return false;
        skip_spaces(&s);
        if (!read_num(&s, 2, &day))
            return false;
        skip_spaces(&s);
        if (!read_clock(&s, &h, &mi, &se))
            return false;
        skip_spaces(&s);
        if (!read_num(&s, 4, &year))
            return false;
    }
    skip_spaces(&s);
    if (*s.p != '\0' || day < 1 || day > 31 || year < 1970 || year > 9999)
        return false;
    *unix_s = days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

ad_err ad_retry_after_parse(const char *value, uint64_t now_unix_ms, uint64_t *delay_ms)
{
    if (value == NULL)
        return AD_EFORMAT;
    scan s = {value};
    skip_spaces(&s);
    if (isdigit((unsigned char)*s.p)) {
        /* delay-seconds first, as the Collector does (facts §2.3). */
        uint64_t secs = 0;
        while (isdigit((unsigned char)*s.p)) {
            if (secs > UINT64_MAX / 10000)
                secs = UINT64_MAX / 10000; /* saturate; the caller caps it anyway */
            else
                secs = secs * 10 + (uint64_t)(*s.p - '0');
            s.p++;
        }
        skip_spaces(&s);
        if (*s.p != '\0')
            return AD_EFORMAT;
        *delay_ms = secs * 1000;
        return AD_OK;
    }
    int64_t when;
    if (!parse_http_date(s.p, &when))
        return AD_EFORMAT;
    int64_t now_s = (int64_t)(now_unix_ms / 1000);
    *delay_ms = when > now_s ? (uint64_t)(when - now_s) * 1000 : 0;
    return AD_OK;
}

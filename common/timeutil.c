/* asimdns: portable time conversions (FILETIME, RFC 3339). */
#include "common/timeutil.h"

#include <stdio.h>

#define NS_PER_SEC 1000000000ULL
/* 2554-07-21 is where u64 Unix ns ends; keep parsing inside it. */
#define MAX_YEAR 2554

ad_err ad_filetime_to_unix_ns(uint64_t filetime, uint64_t *unix_ns)
{
    if (filetime < AD_FILETIME_UNIX_EPOCH)
        return AD_ERANGE;
    uint64_t ticks = filetime - AD_FILETIME_UNIX_EPOCH;
    if (ticks > UINT64_MAX / 100)
        return AD_ERANGE;
    *unix_ns = ticks * 100;
    return AD_OK;
}

uint64_t ad_unix_ns_to_filetime(uint64_t unix_ns)
{
    return unix_ns / 100 + AD_FILETIME_UNIX_EPOCH;
}

/* Howard Hinnant's civil-from-days / days-from-civil algorithms (public domain). */
static void civil_from_days(int64_t z, int *year, unsigned *month, unsigned *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(y + (*month <= 2));
}

static int64_t days_from_civil(int year, unsigned month, unsigned day)
{
    int64_t y = (int64_t)year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* Writes value as exactly width decimal digits (zero-padded) at p. */
static char *put_digits(char *p, unsigned value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    return p + width;
}

size_t ad_time_format_rfc3339(uint64_t unix_ns, char *buf, size_t cap)
{
    if (cap < AD_RFC3339_MAX)
        return 0;
    uint64_t secs = unix_ns / NS_PER_SEC;
    unsigned frac = (unsigned)(unix_ns % NS_PER_SEC);
    int64_t days = (int64_t)(secs / 86400);
    unsigned rem = (unsigned)(secs % 86400);
    int year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    /* Hand-formatted: this runs for every exported record, and snprintf costs ~10x more. */
    char *p = put_digits(buf, (unsigned)year, 4);
    *p++ = '-';
    p = put_digits(p, month, 2);
    *p++ = '-';
    p = put_digits(p, day, 2);
    *p++ = 'T';
    p = put_digits(p, rem / 3600, 2);
    *p++ = ':';
    p = put_digits(p, rem / 60 % 60, 2);
    *p++ = ':';
    p = put_digits(p, rem % 60, 2);
    *p++ = '.';
    p = put_digits(p, frac, 9);
    *p++ = 'Z';
    *p = '\0';
    return (size_t)(p - buf);
}

static int read_digits(const char **p, int count, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (unsigned)(c - '0');
    }
    *p += count;
    *out = v;
    return 1;
}

static int expect_char(const char **p, char c)
{
    if (**p != c)
        return 0;
    (*p)++;
    return 1;
}

static int is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

ad_err ad_time_parse_rfc3339(const char *text, uint64_t *unix_ns)
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    unsigned y, mo, d, h, mi, s, frac = 0;
    if (!read_digits(&p, 4, &y) || !expect_char(&p, '-') || !read_digits(&p, 2, &mo) ||
        !expect_char(&p, '-') || !read_digits(&p, 2, &d))
        return AD_EFORMAT;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return AD_EFORMAT;
    p++;
    if (!read_digits(&p, 2, &h) || !expect_char(&p, ':') || !read_digits(&p, 2, &mi) ||
        !expect_char(&p, ':') || !read_digits(&p, 2, &s))
        return AD_EFORMAT;
    if (*p == '.') {
        p++;
        int digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (digits < 9) {
                frac = frac * 10 + (unsigned)(*p - '0');
                digits++;
            }
            p++;
        }
        if (digits == 0)
            return AD_EFORMAT;
        for (; digits < 9; digits++)
            frac *= 10;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        unsigned oh, om;
        p++;
        if (!read_digits(&p, 2, &oh) || !expect_char(&p, ':') || !read_digits(&p, 2, &om))
            return AD_EFORMAT;
        if (oh > 23 || om > 59)
            return AD_ERANGE;
        offset = sign * (int64_t)(oh * 3600 + om * 60);
    } else {
        return AD_EFORMAT;
    }
    if (*p != '\0')
        return AD_EFORMAT;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60)
        return AD_ERANGE;
    unsigned dim = mdays[mo - 1] + (mo == 2 && is_leap(y));
    if (d > dim)
        return AD_ERANGE;
    if (y < 1970 || y > MAX_YEAR)
        return AD_ERANGE;
    int64_t secs = days_from_civil((int)y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
    if (secs < 0 || (uint64_t)secs > (UINT64_MAX - frac) / NS_PER_SEC)
        return AD_ERANGE;
    *unix_ns = (uint64_t)secs * NS_PER_SEC + frac;
    return AD_OK;
}

/* asimdns config: scalar parsers and formatters (see cfg_value.h for the exact syntax). */
#include "config/cfg_value.h"
#include "common/ascii.h"

#include <stdio.h>
#include <string.h>

/* Reads decimal digits at *p into *out; false on overflow or when there are none. */
static bool value_digits(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *out = v;
    return true;
}

bool ad__cfg_parse_u64(const char *s, uint64_t *out)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint64_t v = 0;
        const char *p = s + 2;
        if (*p == '\0')
            return false;
        for (; *p != '\0'; p++) {
            int d = ad_hex_digit(*p);
            if (d < 0 || v > (UINT64_MAX >> 4))
                return false;
            v = (v << 4) | (uint64_t)d;
        }
        *out = v;
        return true;
    }
    const char *p = s;
    uint64_t v;
    if (!value_digits(&p, &v) || *p != '\0')
        return false;
    *out = v;
    return true;
}

static bool value_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (ca != *b)
            return false;
    }
    return *a == '\0' && *b == '\0';
}

bool ad__cfg_parse_bool(const char *s, bool *out)
{
    if (value_ieq(s, "true")) {
        *out = true;
        return true;
    }
    if (value_ieq(s, "false")) {
        *out = false;
        return true;
    }
    return false;
}

ad_err ad__cfg_parse_size(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        unsigned shift;
    } units[] = {{"", 0}, {"B", 0}, {"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
    const char *p = s;
    uint64_t v;
    if (*p < '0' || *p > '9')
        return AD_EFORMAT;
    if (!value_digits(&p, &v))
        return AD_ERANGE;
    if (*p == ' ' && p[1] != '\0')
        p++;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(p, units[i].unit) == 0) {
            if (units[i].shift > 0 && v > (UINT64_MAX >> units[i].shift))
                return AD_ERANGE;
            *out = v << units[i].shift;
            return AD_OK;
        }
    }
    return AD_EFORMAT;
}

ad_err ad__cfg_parse_duration_ms(const char *s, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return AD_OK;
    }
    const char *p = s;
    uint64_t total = 0;
    if (*p == '\0')
        return AD_EFORMAT;
    while (*p != '\0') {
        uint64_t v;
        if (*p < '0' || *p > '9')
            return AD_EFORMAT;
        if (!value_digits(&p, &v))
            return AD_ERANGE;
        size_t ulen = 0;
        while (p[ulen] >= 'a' && p[ulen] <= 'z')
            ulen++;
        uint64_t mult = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
            if (strlen(units[i].unit) == ulen && strncmp(p, units[i].unit, ulen) == 0)
                mult = units[i].ms;
        }
        if (mult == 0)
            return AD_EFORMAT;
        if (v > UINT64_MAX / mult || total > UINT64_MAX - v * mult)
            return AD_ERANGE;
        total += v * mult;
        p += ulen;
    }
    *out = total;
    return AD_OK;
}

bool ad__cfg_parse_mode(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '7')
            return false;
        v = v * 8 + (uint32_t)(s[i] - '0');
    }
    if (v > 0777)
        return false;
    *out = v;
    return true;
}

void ad__cfg_format_guid(const ad_guid *g, char *buf, size_t n)
{
    snprintf(buf, n, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)g->data1,
             (unsigned)g->data2, (unsigned)g->data3, g->data4[0], g->data4[1], g->data4[2],
             g->data4[3], g->data4[4], g->data4[5], g->data4[6], g->data4[7]);
}

bool ad__cfg_parse_double(const char *s, double *out)
{
    /* Bounded digit counts keep the arithmetic exact enough and the value finite. */
    enum { MAX_INT_DIGITS = 9, MAX_FRAC_DIGITS = 9 };
    const char *p = s;
    double v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (++digits > MAX_INT_DIGITS)
            return false;
        v = v * 10 + (*p - '0');
        p++;
    }
    if (digits == 0)
        return false;
    if (*p == '.') {
        double scale = 0.1;
        int fdigits = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            if (++fdigits > MAX_FRAC_DIGITS)
                return false;
            v += (*p - '0') * scale;
            scale /= 10;
            p++;
        }
        if (fdigits == 0)
            return false;
    }
    if (*p != '\0')
        return false;
    *out = v;
    return true;
}

void ad__cfg_format_size(uint64_t v, char *buf, size_t n)
{
    static const char *const units[] = {"TiB", "GiB", "MiB", "KiB"};
    static const unsigned shifts[] = {40, 30, 20, 10};
    for (size_t i = 0; i < 4; i++) {
        uint64_t unit = (uint64_t)1 << shifts[i];
        if (v != 0 && v % unit == 0) {
            snprintf(buf, n, "%llu%s", (unsigned long long)(v / unit), units[i]);
            return;
        }
    }
    snprintf(buf, n, "%llu", (unsigned long long)v);
}

void ad__cfg_format_duration(uint64_t ms, char *buf, size_t n)
{
    static const char *const units[] = {"h", "m", "s", "ms"};
    static const uint64_t sizes[] = {3600000, 60000, 1000, 1};
    size_t len = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
    if (ms == 0) {
        snprintf(buf, n, "0s");
        return;
    }
    for (size_t i = 0; i < 4 && len < n; i++) {
        uint64_t q = ms / sizes[i];
        if (q == 0)
            continue;
        int w = snprintf(buf + len, n - len, "%llu%s", (unsigned long long)q, units[i]);
        if (w < 0)
            return;
        len += (size_t)w;
        ms %= sizes[i];
    }
}

void ad__cfg_format_double(double v, char *buf, size_t n)
{
    /* Integer arithmetic on thousandths avoids the locale's decimal separator. */
    unsigned long long milli = (unsigned long long)(v * 1000.0 + 0.5);
    unsigned long long ip = milli / 1000, frac = milli % 1000;
    if (frac == 0) {
        snprintf(buf, n, "%llu", ip);
        return;
    }
    char f[4];
    snprintf(f, sizeof(f), "%03llu", frac);
    for (int i = 2; i > 0 && f[i] == '0'; i--)
        f[i] = '\0';
    snprintf(buf, n, "%llu.%s", ip, f);
}

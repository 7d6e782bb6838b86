/* asimdns-exporter: a flat JSON member reader (json_flat.h). */
#include "exporter/json_flat.h"

#include <string.h>

#define MAX_DEPTH 32

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* s[i] == '"': returns the index after the closing quote, or n when unterminated. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n + 1;
}

/* Skips one value starting at s[i]; returns the index after it, or > n on malformed input. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return n + 1;
    if (s[i] == '"')
        return skip_string(s, n, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < n) {
            char c = s[i];
            if (c == '"') {
                i = skip_string(s, n, i);
                continue;
            }
            if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH)
                    return n + 1;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
            i++;
        }
        return n + 1;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' &&
           s[i] != '\r' && s[i] != '\t')
        i++;
    return i;
}

bool ad_json_flat_get(const char *json, size_t len, const char *key, const char **val, size_t *vlen,
                      bool *is_string)
{
    size_t klen = strlen(key);
    size_t i = skip_ws(json, len, 0);
    if (i >= len || json[i] != '{')
        return false;
    i++;
    for (;;) {
        i = skip_ws(json, len, i);
        if (i >= len || json[i] != '"')
            return false;
        size_t kstart = i + 1;
        i = skip_string(json, len, i);
        if (i > len)
            return false;
        size_t kl = i - 1 - kstart;
        i = skip_ws(json, len, i);
        if (i >= len || json[i] != ':')
            return false;
        i = skip_ws(json, len, i + 1);
        size_t vstart = i;
        i = skip_value(json, len, i);
        if (i > len)
            return false;
        if (kl == klen && memcmp(json + kstart, key, klen) == 0) {
            if (json[vstart] == '"') {
                *val = json + vstart + 1;
                *vlen = i - vstart - 2;
                *is_string = true;
                return true;
            }
            if (json[vstart] == '-' || (json[vstart] >= '0' && json[vstart] <= '9')) {
                *val = json + vstart;
                *vlen = i - vstart;
                *is_string = false;
                return true;
            }
            if (json[vstart] == '{' || json[vstart] == '[') {
                *val = json + vstart; /* for ad_json_flat_get_path */
                *vlen = i - vstart;
                *is_string = false;
                return true;
            }
            return false;
        }
        i = skip_ws(json, len, i);
        if (i < len && json[i] == ',') {
            i++;
            continue;
        }
        return false;
    }
}

bool ad_json_flat_get_path(const char *json, size_t len, const char *path, const char **val,
                           size_t *vlen)
{
    const char *dot = strchr(path, '.');
    bool str;
    if (dot == NULL)
        return ad_json_flat_get(json, len, path, val, vlen, &str) && str;
    char first[64];
    size_t fl = (size_t)(dot - path);
    if (fl >= sizeof(first))
        return false;
    memcpy(first, path, fl);
    first[fl] = '\0';
    const char *inner;
    size_t ilen;
    if (!ad_json_flat_get(json, len, first, &inner, &ilen, &str) || str || ilen == 0 ||
        inner[0] != '{')
        return false;
    return ad_json_flat_get(inner, ilen, dot + 1, val, vlen, &str) && str;
}

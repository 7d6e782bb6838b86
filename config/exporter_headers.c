/*
 * asimdns config: HTTP header lists and the headers_file format. Header values are secrets:
 * no message here ever contains one.
 */
#include <stdio.h>
#include <string.h>

#include "config/cfg_error.h"
#include "config/cfg_text.h"
#include "config/exporter_internal.h"

int ad__exporter_header_find(const ad_config_otlp_http *h, const char *name)
{
    for (uint32_t i = 0; i < h->header_count; i++) {
        if (ad__cfg_text_ieq(h->headers[i].name, name))
            return (int)i;
    }
    return -1;
}

ad_err ad__exporter_header_add(ad_config_otlp_http *h, const char *name, size_t name_len,
                               const char *value, size_t value_len, char *why, size_t whylen)
{
    char nbuf[AD_CONFIG_HEADER_NAME_MAX];
    if (memchr(name, '\0', name_len) != NULL) {
        snprintf(why, whylen, "header name contains a NUL character");
        return AD_EINVAL;
    }
    if (name_len >= sizeof(nbuf)) {
        snprintf(why, whylen, "header name is longer than %zu bytes", sizeof(nbuf) - 1);
        return AD_ERANGE;
    }
    memcpy(nbuf, name, name_len);
    nbuf[name_len] = '\0';
    char reason[128];
    if (!ad__cfg_check_header_name(nbuf, reason, sizeof(reason))) {
        snprintf(why, whylen, "header name %s", reason);
        return AD_EINVAL;
    }
    if (ad__exporter_header_find(h, nbuf) >= 0) {
        snprintf(why, whylen, "header '%s' is set twice (names ignore case)", nbuf);
        return AD_EEXIST;
    }
    if (h->header_count >= AD_CONFIG_MAX_HEADERS) {
        snprintf(why, whylen, "more than %d headers", AD_CONFIG_MAX_HEADERS);
        return AD_EFULL;
    }
    if (value_len >= AD_CONFIG_HEADER_VALUE_MAX) {
        snprintf(why, whylen, "value of header '%s' is longer than %d bytes", nbuf,
                 AD_CONFIG_HEADER_VALUE_MAX - 1);
        return AD_ERANGE;
    }
    for (size_t i = 0; i < value_len; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c < 0x20 || c == 0x7F) {
            snprintf(why, whylen, "value of header '%s' contains a control character", nbuf);
            return AD_EINVAL;
        }
    }
    ad_config_header *slot = &h->headers[h->header_count++];
    memcpy(slot->name, nbuf, name_len + 1);
    memcpy(slot->value, value, value_len);
    slot->value[value_len] = '\0';
    return AD_OK;
}

static bool headers_space(char c)
{
    return c == ' ' || c == '\t';
}

ad_err ad__exporter_headers_text(const char *file, const char *data, size_t len,
                                 ad_config_otlp_http *h, char *err, size_t errlen)
{
    uint32_t line = 0;
    size_t pos = 0;
    if (memchr(data, '\0', len) != NULL) {
        snprintf(err, errlen, "%s: contains a NUL byte", file);
        return AD_EFORMAT;
    }
    while (pos < len) {
        const char *start = data + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - start) : len - pos;
        pos += n + (nl ? 1 : 0);
        line++;
        if (n > 0 && start[n - 1] == '\r')
            n--;
        size_t b = 0;
        while (b < n && headers_space(start[b]))
            b++;
        if (b == n || start[b] == '#')
            continue;
        const char *colon = memchr(start + b, ':', n - b);
        if (colon == NULL) {
            ad__cfg_errorf(err, errlen, file, line, (uint32_t)b + 1,
                           "expected 'Name: value' (the line has no ':')");
            return AD_EFORMAT;
        }
        size_t name_end = (size_t)(colon - start);
        while (name_end > b && headers_space(start[name_end - 1]))
            name_end--;
        size_t v = (size_t)(colon - start) + 1, v_end = n;
        while (v < v_end && headers_space(start[v]))
            v++;
        while (v_end > v && headers_space(start[v_end - 1]))
            v_end--;
        char why[192];
        ad_err rc = ad__exporter_header_add(h, start + b, name_end - b, start + v, v_end - v, why,
                                            sizeof(why));
        if (rc != AD_OK) {
            ad__cfg_errorf(err, errlen, file, line, (uint32_t)b + 1, "%s", why);
            return rc;
        }
    }
    return AD_OK;
}

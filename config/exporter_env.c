/*
 * asimdns config: OTEL_EXPORTER_OTLP_* environment variables and the logs URL, following
 * the OpenTelemetry exporter specification (facts/otlp-logs.md §2.5):
 *  - an empty variable counts as unset;
 *  - the logs-specific variable (…_LOGS_X) overrides the generic one (…_X) as a whole;
 *  - …_LOGS_ENDPOINT is used as is ("/" added when it has no path); …_ENDPOINT is a base URL
 *    that "v1/logs" is resolved against; no port is ever added.
 * Our precedence on top: what exporter.yaml sets wins; variables fill in the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ascii.h"
#include "common/log.h"
#include "config/cfg_text.h"
#include "config/cfg_value.h"
#include "config/exporter_internal.h"

#define OTLP_PREFIX "OTEL_EXPORTER_OTLP_"
#define DEFAULT_LOGS_URL "http://localhost:4318/v1/logs"
/* Same upper bound as otlp_http.timeout in the file. */

const char *ad_config_process_env(const char *name)
{
    return getenv(name);
}

/*
 * Looks up OTEL_EXPORTER_OTLP_LOGS_<what>, then OTEL_EXPORTER_OTLP_<what>. Returns the value
 * (never empty) or NULL; *var names the variable used, for messages.
 */
static const char *env_lookup(ad_config_getenv_fn fn, const char *what, char *var, size_t n)
{
    snprintf(var, n, OTLP_PREFIX "LOGS_%s", what);
    const char *v = fn(var);
    if (v != NULL && v[0] != '\0')
        return v;
    snprintf(var, n, OTLP_PREFIX "%s", what);
    v = fn(var);
    if (v != NULL && v[0] != '\0')
        return v;
    return NULL;
}

/* Percent-decodes s[len] into out[cap]; false on a bad escape or when it does not fit. */
static bool env_pct_decode(const char *s, size_t len, char *out, size_t cap, size_t *out_len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len)
                return false;
            int hi = ad_hex_digit(s[i + 1]), lo = ad_hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= cap)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    *out_len = o;
    return true;
}

static bool env_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims optional whitespace around s[*b, *e). */
static void env_trim(const char *s, size_t *b, size_t *e)
{
    while (*b < *e && env_ows(s[*b]))
        (*b)++;
    while (*e > *b && env_ows(s[*e - 1]))
        (*e)--;
}

/*
 * Parses "k1=v1,k2=v2" (W3C-baggage-like, percent-encoded) into a scratch header list. Errors
 * name the entry by number, never its text.
 */
static ad_err env_parse_headers(const char *var, const char *text, ad_config_otlp_http *out,
                                char *err, size_t errlen)
{
    size_t len = strlen(text), pos = 0;
    unsigned entry = 0;
    out->header_count = 0;
    while (pos <= len) {
        size_t end = pos;
        while (end < len && text[end] != ',')
            end++;
        entry++;
        size_t b = pos, e = end;
        env_trim(text, &b, &e);
        pos = end + 1;
        if (b == e)
            continue; /* empty list member, e.g. a trailing comma */
        const char *eq = memchr(text + b, '=', e - b);
        if (eq == NULL) {
            snprintf(err, errlen, "%s: entry %u is not key=value", var, entry);
            return AD_EFORMAT;
        }
        size_t kb = b, ke = (size_t)(eq - text), vb = ke + 1, ve = e;
        env_trim(text, &kb, &ke);
        env_trim(text, &vb, &ve);
        char key[AD_CONFIG_HEADER_NAME_MAX], value[AD_CONFIG_HEADER_VALUE_MAX];
        size_t klen, vlen;
        if (!env_pct_decode(text + kb, ke - kb, key, sizeof(key), &klen) ||
            !env_pct_decode(text + vb, ve - vb, value, sizeof(value), &vlen)) {
            snprintf(err, errlen, "%s: entry %u has a bad %%-escape or is too long", var, entry);
            return AD_EFORMAT;
        }
        char why[192];
        ad_err rc = ad__exporter_header_add(out, key, klen, value, vlen, why, sizeof(why));
        memset(value, 0, sizeof(value)); /* do not leave a secret on the stack */
        if (rc != AD_OK) {
            snprintf(err, errlen, "%s: entry %u: %s", var, entry, why);
            return rc;
        }
    }
    return AD_OK;
}

static ad_err env_headers(ad_exporter_config *cfg, ad_config_getenv_fn fn, char *err, size_t errlen)
{
    char var[64];
    const char *text = env_lookup(fn, "HEADERS", var, sizeof(var));
    if (text == NULL)
        return AD_OK;
    /* Parsed apart first, so a bad variable cannot leave half its headers behind. */
    ad_config_otlp_http *scratch = calloc(1, sizeof(*scratch));
    if (scratch == NULL)
        return AD_ENOMEM;
    ad_err rc = env_parse_headers(var, text, scratch, err, errlen);
    if (rc == AD_OK) {
        ad_config_otlp_http *h = &cfg->otlp_http;
        for (uint32_t i = 0; i < scratch->header_count && rc == AD_OK; i++) {
            const ad_config_header *x = &scratch->headers[i];
            if (ad__exporter_header_find(h, x->name) >= 0)
                continue; /* the file's header wins */
            char why[192];
            rc = ad__exporter_header_add(h, x->name, strlen(x->name), x->value, strlen(x->value),
                                         why, sizeof(why));
            if (rc != AD_OK)
                snprintf(err, errlen, "%s: %s", var, why);
        }
    }
    memset(scratch, 0, sizeof(*scratch)); /* do not leave secrets in freed memory */
    free(scratch);
    return rc;
}

static ad_err env_endpoint(ad_config_otlp_http *h, ad_config_getenv_fn fn, char *err, size_t errlen)
{
    static const struct {
        const char *var;
        size_t offset;
    } vars[] = {
        {OTLP_PREFIX "LOGS_ENDPOINT", offsetof(ad_config_otlp_http, logs_endpoint)},
        {OTLP_PREFIX "ENDPOINT", offsetof(ad_config_otlp_http, endpoint)},
    };
    for (size_t i = 0; i < 2; i++) {
        const char *v = fn(vars[i].var);
        if (v == NULL || v[0] == '\0')
            continue;
        char *field = (char *)h + vars[i].offset;
        char why[128];
        if (strlen(v) >= AD_CONFIG_URL_MAX) {
            snprintf(err, errlen, "%s: longer than %d bytes", vars[i].var, AD_CONFIG_URL_MAX - 1);
            return AD_ERANGE;
        }
        snprintf(field, AD_CONFIG_URL_MAX, "%s", v);
        if (!ad__cfg_text_printable(field) || !ad__cfg_check_http_url(field, why, sizeof(why))) {
            if (!ad__cfg_text_printable(field))
                snprintf(why, sizeof(why), "contains a control character");
            snprintf(err, errlen, "%s: %s", vars[i].var, why);
            field[0] = '\0';
            return AD_EINVAL;
        }
        snprintf(h->url_origin, sizeof(h->url_origin), "%s", vars[i].var);
        return AD_OK; /* the logs-specific variable overrides the generic one */
    }
    return AD_OK;
}

static ad_err env_timeout(ad_config_otlp_http *h, ad_config_getenv_fn fn, char *err, size_t errlen)
{
    char var[64];
    const char *v = env_lookup(fn, "TIMEOUT", var, sizeof(var));
    uint64_t ms;
    if (v == NULL)
        return AD_OK;
    if (v[0] == '-' && ad__cfg_parse_u64(v + 1, &ms)) {
        /* The specification asks for a warning and the default here, not a failure. */
        ad_log_warn("%s is negative; ignoring it", var);
        return AD_OK;
    }
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        snprintf(err, errlen, "%s: must be a whole number of milliseconds", var);
        return AD_EFORMAT;
    }
    if (!ad__cfg_parse_u64(v, &ms)) {
        snprintf(err, errlen, "%s: must be a whole number of milliseconds", var);
        return AD_EFORMAT;
    }
    if (ms > AD_CONFIG_TIMEOUT_MAX_MS) {
        snprintf(err, errlen, "%s: must be at most %llu (1 hour)", var,
                 (unsigned long long)AD_CONFIG_TIMEOUT_MAX_MS);
        return AD_ERANGE;
    }
    if (ms < AD_CONFIG_TIMEOUT_MIN_MS) {
        /* No "0 = no limit": a receiver that never finishes its answer must not hold the
           exporter (and its memory) for ever. */
        snprintf(err, errlen, "%s: must be at least %llu; an unbounded wait is not allowed", var,
                 (unsigned long long)AD_CONFIG_TIMEOUT_MIN_MS);
        return AD_ERANGE;
    }
    h->timeout_ms = ms;
    return AD_OK;
}

static ad_err env_compression(ad_config_otlp_http *h, ad_config_getenv_fn fn, char *err,
                              size_t errlen)
{
    char var[64];
    const char *v = env_lookup(fn, "COMPRESSION", var, sizeof(var));
    if (v == NULL)
        return AD_OK;
    if (ad__cfg_text_ieq(v, "gzip")) {
        h->compression = AD_COMPRESSION_GZIP;
    } else if (ad__cfg_text_ieq(v, "none")) {
        h->compression = AD_COMPRESSION_NONE;
    } else {
        snprintf(err, errlen, "%s: must be gzip or none", var);
        return AD_EINVAL;
    }
    return AD_OK;
}

static ad_err env_protocol(ad_config_getenv_fn fn, char *err, size_t errlen)
{
    char var[64];
    const char *v = env_lookup(fn, "PROTOCOL", var, sizeof(var));
    if (v != NULL && strcmp(v, "http/protobuf") != 0) {
        snprintf(err, errlen, "%s: only http/protobuf is supported", var);
        return AD_EUNSUPP;
    }
    return AD_OK;
}

/* CERTIFICATE, CLIENT_CERTIFICATE and CLIENT_KEY: PEM file paths. */
static ad_err env_tls_file(const char *what, char *field, bool file_set, ad_config_getenv_fn fn,
                           char *err, size_t errlen)
{
    char var[64];
    const char *v = env_lookup(fn, what, var, sizeof(var));
    if (v == NULL || file_set)
        return AD_OK;
    if (strlen(v) >= AD_CONFIG_PATH_MAX || !ad__cfg_text_printable(v)) {
        snprintf(err, errlen, "%s: not a usable file path", var);
        return AD_EINVAL;
    }
    snprintf(field, AD_CONFIG_PATH_MAX, "%s", v);
    return AD_OK;
}

ad_err ad__exporter_apply_env(ad_exporter_config *cfg, const ad__exporter_file_set *set,
                              ad_config_getenv_fn getenv_fn, char *err, size_t errlen)
{
    ad_config_otlp_http *h = &cfg->otlp_http;
    ad_config_getenv_fn fn = getenv_fn != NULL ? getenv_fn : ad_config_process_env;
    ad_err rc = env_protocol(fn, err, errlen);
    if (rc == AD_OK && !set->endpoint)
        rc = env_endpoint(h, fn, err, errlen);
    if (rc == AD_OK)
        rc = env_headers(cfg, fn, err, errlen);
    if (rc == AD_OK && !set->timeout)
        rc = env_timeout(h, fn, err, errlen);
    if (rc == AD_OK && !set->compression)
        rc = env_compression(h, fn, err, errlen);
    if (rc == AD_OK)
        rc = env_tls_file("CERTIFICATE", h->tls.ca_file, set->ca_file, fn, err, errlen);
    if (rc == AD_OK)
        rc = env_tls_file("CLIENT_CERTIFICATE", h->tls.cert_file, set->cert_file, fn, err, errlen);
    if (rc == AD_OK)
        rc = env_tls_file("CLIENT_KEY", h->tls.key_file, set->key_file, fn, err, errlen);
    return rc;
}

/* True when the URL has nothing after its authority (scheme://host[:port]). */
static bool url_has_no_path(const char *url)
{
    const char *auth = strstr(url, "://");
    return auth == NULL || strchr(auth + 3, '/') == NULL;
}

/*
 * The collector's convention appends v1/logs to the base endpoint, so an endpoint that already
 * ends in it posts to .../v1/logs/v1/logs and every batch is rejected (404). Kept as the
 * convention says, but said at start-up and in --check, with both URLs.
 */
static void warn_logs_path_twice(const ad_config_otlp_http *h, size_t len)
{
    static const char tail[] = "/v1/logs";
    size_t tl = sizeof(tail) - 1;
    if (len < tl || strncmp(h->endpoint + len - tl, tail, tl) != 0)
        return;
    ad_log_warn(
        "%s '%s' already ends in /v1/logs; as the OTLP convention says, v1/logs is appended "
        "to it, so batches go to %s. To post to the URL as written, set "
        "otlp_http.logs_endpoint (or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT) instead",
        h->url_origin[0] ? h->url_origin : "otlp_http.endpoint", h->endpoint, h->url);
}

ad_err ad__exporter_build_url(ad_config_otlp_http *h, char *err, size_t errlen)
{
    int n;
    if (h->logs_endpoint[0] != '\0') {
        n = snprintf(h->url, sizeof(h->url), "%s%s", h->logs_endpoint,
                     url_has_no_path(h->logs_endpoint) ? "/" : "");
    } else if (h->endpoint[0] != '\0') {
        size_t len = strlen(h->endpoint);
        bool slash = len > 0 && h->endpoint[len - 1] == '/';
        n = snprintf(h->url, sizeof(h->url), "%s%sv1/logs", h->endpoint, slash ? "" : "/");
        warn_logs_path_twice(h, len - (slash ? 1 : 0));
    } else {
        n = snprintf(h->url, sizeof(h->url), "%s", DEFAULT_LOGS_URL);
        snprintf(h->url_origin, sizeof(h->url_origin), "default");
    }
    if (n < 0 || (size_t)n >= sizeof(h->url)) {
        snprintf(err, errlen, "%s: the logs URL would be longer than %zu bytes", h->url_origin,
                 sizeof(h->url) - 1);
        h->url[0] = '\0';
        return AD_ERANGE;
    }
    return AD_OK;
}

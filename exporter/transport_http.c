/*
 * asimdns-exporter: OTLP/HTTP transport (facts/otlp-logs.md §2) over nng's HTTP client
 * (nng 1.5.2 API, facts/linux-dnstap-and-windows-cross-build.md §3).
 *
 * Request (§2.1): POST <otlp_http.url>, Content-Type application/x-protobuf, the batch
 * gzipped with Content-Encoding: gzip unless compression is none, the configured headers
 * (secrets: never logged), a User-Agent naming the exporter. The connection handling (keep-alive,
 * one immediate retry of a kept connection the server closed while idle, each attempt bounded by
 * otlp_http.timeout) and the bounded body reader are exporter/http_call.h's. The answer's body
 * is read into at most AD_OTLP_MAX_RESPONSE_BYTES; a Content-Length above that, or a chunked
 * body that grows past it, drops the connection and the attempt is retried
 * (res->response_too_large: the pipeline counts responses_too_large).
 *
 * Response (§2.3): any 2xx is acknowledged and its body parsed as an ExportLogsServiceResponse
 * for partial success (never retried); 429 and 503 with Retry-After (seconds or HTTP-date),
 * 502, 504 and every connection failure or timeout are retried; every other status is a
 * rejection, logged with the google.rpc.Status message (field 2) when the body carries one.
 */
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "common/timeutil.h"
#include "exporter/gzip.h"
#include "exporter/http_call.h"
#include "exporter/otlp_decode.h"
#include "exporter/retry.h"
#include "exporter/transport.h"
#include "exporter/transport_internal.h"

/* Content-Type, Content-Encoding and the configured headers. */
#define FIXED_HEADERS 2

typedef struct http_transport {
    ad_xport base;
    const char *url_text; /* as configured, for messages (the config outlives the transport) */
    ad_http_call *http;
    ad_http_header *headers; /* values are secrets: never logged */
    size_t header_count;
    ad_gzip *gz;   /* NULL = compression none */
    uint8_t *zbuf; /* gzip output */
    size_t zcap;
    uint8_t *unzip; /* a gzip-encoded response, decompressed */
} http_transport;

/* ---- google.rpc.Status (G status.proto: code = 1, message = 2, details = 3) ------------- */

static bool read_varint(const uint8_t *b, size_t n, size_t *pos, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 64 && *pos < n; shift += 7) {
        uint8_t c = b[(*pos)++];
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/*
 * Finds Status.message in a protobuf body with a flat scan (no nesting is followed, so no
 * depth to bound). False when the bytes are not a well-formed message or carry none.
 */
static bool status_message(const uint8_t *b, size_t n, const char **msg, size_t *len)
{
    size_t pos = 0;
    bool found = false;
    while (pos < n) {
        uint64_t key, v;
        if (!read_varint(b, n, &pos, &key) || (key >> 3) == 0)
            return false;
        switch (key & 7) {
        case 0:
            if (!read_varint(b, n, &pos, &v))
                return false;
            break;
        case 1:
            if (n - pos < 8)
                return false;
            pos += 8;
            break;
        case 5:
            if (n - pos < 4)
                return false;
            pos += 4;
            break;
        case 2:
            if (!read_varint(b, n, &pos, &v) || v > n - pos)
                return false;
            if ((key >> 3) == 2) {
                *msg = (const char *)b + pos;
                *len = (size_t)v;
                found = true;
            }
            pos += (size_t)v;
            break;
        default:
            return false;
        }
    }
    return found;
}

static void fail_retry(ad_send_result *res, const char *text)
{
    res->status = AD_SEND_RETRY;
    ad_send_result_message(res, text, strlen(text));
}

/* ---- response ----------------------------------------------------------------------------- */

/* The body, gunzipped when the server encoded it; NULL/0 when it cannot be read. */
static void response_body(http_transport *h, const uint8_t **body, size_t *len)
{
    size_t n;
    const uint8_t *data = (const uint8_t *)ad_http_call_body(h->http, &n);
    *body = data;
    *len = n;
    const char *ce = ad_http_call_header(h->http, "Content-Encoding");
    if (n == 0 || ce == NULL || strstr(ce, "gzip") == NULL)
        return;
    if (h->unzip == NULL)
        h->unzip = malloc(AD_OTLP_MAX_RESPONSE_BYTES);
    size_t out = 0;
    if (h->unzip == NULL ||
        ad_gunzip(data, n, h->unzip, AD_OTLP_MAX_RESPONSE_BYTES, &out) != AD_OK) {
        *body = NULL;
        *len = 0;
        return;
    }
    *body = h->unzip;
    *len = out;
}

static void classify(http_transport *h, int code, ad_send_result *res)
{
    const uint8_t *body;
    size_t blen;
    response_body(h, &body, &blen);
    res->code = code;
    char text[AD_SEND_MESSAGE_MAX];

    if (code >= 200 && code < 300) {
        /* Full or partial success: never retried (facts §2.3). */
        res->status = AD_SEND_OK;
        ad_otlp_response r;
        ad_err err = ad_otlp_response_parse(body, blen, &r);
        if (err == AD_OK && r.partial) {
            res->rejected = r.rejected_log_records > 0 ? (uint64_t)r.rejected_log_records : 0;
            ad_send_result_message(res, r.error_message, strlen(r.error_message));
        } else if (err == AD_ERANGE) {
            snprintf(text, sizeof(text), "response body over %u bytes not parsed",
                     (unsigned)AD_OTLP_MAX_RESPONSE_BYTES);
            ad_send_result_message(res, text, strlen(text));
        } else if (err != AD_OK) {
            snprintf(text, sizeof(text), "response body is not an ExportLogsServiceResponse");
            ad_send_result_message(res, text, strlen(text));
        }
        return;
    }
    if (code == 429 || code == 502 || code == 503 || code == 504) {
        res->status = AD_SEND_RETRY;
        /* Retry-After only on 429 and 503, as the Collector reads it (facts §2.3). */
        const char *ra =
            (code == 429 || code == 503) ? ad_http_call_header(h->http, "Retry-After") : NULL;
        uint64_t delay;
        if (ra != NULL && ad_retry_after_parse(ra, ad_time_now_ns() / 1000000u, &delay) == AD_OK)
            res->retry_after_ms = delay;
    } else {
        res->status = AD_SEND_REJECT;
    }
    /* The full URL in every refusal: a 404 from a doubled /v1/logs path shows at once. */
    const char *msg = NULL;
    size_t mlen = 0;
    if (body != NULL && status_message(body, blen, &msg, &mlen) && mlen > 0) {
        snprintf(text, sizeof(text), "HTTP %d from POST %s: %.*s", code, h->url_text,
                 (int)(mlen > 300 ? 300 : mlen), msg);
    } else {
        const char *reason = ad_http_call_reason(h->http);
        snprintf(text, sizeof(text), "HTTP %d %s from POST %s", code, reason ? reason : "",
                 h->url_text);
    }
    ad_send_result_message(res, text, strlen(text));
}

/* ---- send --------------------------------------------------------------------------------- */

static ad_err http_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    http_transport *h = (http_transport *)t;
    const uint8_t *body = data;
    size_t blen = len;
    if (h->gz != NULL) {
        size_t need = ad_gzip_bound(len);
        if (need > h->zcap) {
            uint8_t *z = realloc(h->zbuf, need);
            if (z == NULL)
                return AD_ENOMEM;
            h->zbuf = z;
            h->zcap = need;
        }
        ad_err err = ad_xport_gzip(t, h->gz, data, len, h->zbuf, h->zcap, &blen);
        if (err != AD_OK)
            return err;
        body = h->zbuf;
    }
    int code = 0;
    char err[AD_SEND_MESSAGE_MAX];
    int rv = ad_http_call_do(h->http, "POST", NULL, h->headers, h->header_count, body, blen, &code,
                             err, sizeof(err));
    res->wire_bytes += (uint64_t)blen * ad_http_call_sends(h->http);
    if (rv == NNG_ENOMEM)
        return AD_ENOMEM;
    if (rv != 0) {
        fail_retry(res, err);
        return AD_OK;
    }
    uint64_t announced;
    if (ad_http_call_body_too_large(h->http, &announced)) {
        char text[200];
        res->response_too_large = true;
        res->code = code;
        if (announced > 0)
            snprintf(text, sizeof(text),
                     "HTTP %d response body of %llu bytes is over the %u-byte limit; "
                     "connection dropped",
                     code, (unsigned long long)announced, (unsigned)AD_OTLP_MAX_RESPONSE_BYTES);
        else
            snprintf(text, sizeof(text),
                     "HTTP %d chunked response body grew over the %u-byte limit; "
                     "connection dropped",
                     code, (unsigned)AD_OTLP_MAX_RESPONSE_BYTES);
        fail_retry(res, text);
        return AD_OK;
    }
    classify(h, code, res);
    return AD_OK;
}

static void http_destroy(ad_xport *t)
{
    http_transport *h = (http_transport *)t;
    ad_http_call_destroy(h->http);
    ad_gzip_destroy(h->gz);
    free(h->headers);
    free(h->zbuf);
    free(h->unzip);
    free(h);
}

static const ad_xport_ops http_ops = {
    .name = "otlp_http",
    .send = http_send,
    .destroy = http_destroy,
};

ad_err ad_xport_http_create(const ad_exporter_config *cfg, ad_xport **out, char *err, size_t errlen)
{
    const ad_config_otlp_http *o = &cfg->otlp_http;
    const char *url = o->url[0] ? o->url : "http://localhost:4318/v1/logs";
    http_transport *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return AD_ENOMEM;
    h->base.ops = &http_ops;
    h->base.payload = AD_PAYLOAD_OTLP;
    h->url_text = url;
    ad_http_call_opts co = {
        .url = url,
        .tls = &o->tls,
        .section = "otlp_http.url",
        .tls_section = "otlp_http.tls",
        .timeout_ms = o->timeout_ms,
        .owner = &h->base,
        .max_body = AD_OTLP_MAX_RESPONSE_BYTES,
    };
    ad_err rc = ad_http_call_open(&co, &h->http, err, errlen);
    if (rc != AD_OK) {
        http_destroy(&h->base);
        return rc;
    }
    h->headers = calloc(FIXED_HEADERS + o->header_count, sizeof(*h->headers));
    if (h->headers == NULL ||
        (o->compression == AD_COMPRESSION_GZIP && ad_gzip_create(-1, &h->gz) != AD_OK)) {
        http_destroy(&h->base);
        return AD_ENOMEM;
    }
    h->headers[h->header_count++] = (ad_http_header){"Content-Type", "application/x-protobuf"};
    if (h->gz != NULL)
        h->headers[h->header_count++] = (ad_http_header){"Content-Encoding", "gzip"};
    for (uint32_t i = 0; i < o->header_count; i++)
        h->headers[h->header_count++] = (ad_http_header){o->headers[i].name, o->headers[i].value};
    /* Build one request now so a header nng refuses is reported at start-up. */
    int rv = ad_http_call_check_headers(h->http, h->headers, h->header_count);
    if (rv != 0) {
        snprintf(err, errlen, "otlp_http HTTP request (%s): %s", url, nng_strerror(rv));
        http_destroy(&h->base);
        return rv == NNG_ENOMEM ? AD_ENOMEM : AD_EINVAL;
    }
    *out = &h->base;
    return AD_OK;
}

/*
 * asimdns-exporter: OTLP/HTTP transport (facts/otlp-logs.md §2) over nng's HTTP client
 * (nng 1.5.2 API, facts/linux-dnstap-and-windows-cross-build.md §3).
 *
 * Request (§2.1): POST <otlp_http.url>, Content-Type application/x-protobuf, the batch
 * gzipped with Content-Encoding: gzip unless compression is none, the configured headers
 * (secrets: never logged), a User-Agent naming the exporter. One connection is kept open and
 * reused (§2.1 "keep the connection alive"); it is dropped after any failure or a
 * "Connection: close" answer. A kept connection the server has closed while it was idle gets
 * one immediate retry on a new connection, so a server's idle timeout does not cost a backoff
 * delay. Each attempt (connect + request + response) is bounded by otlp_http.timeout.
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
#include "exporter/otlp_decode.h"
#include "exporter/retry.h"
#include "exporter/transport.h"
#include "exporter/transport_internal.h"

#define USER_AGENT "asimdns-exporter/" ASIMDNS_VERSION
/*
 * A kept connection idle at least this long that fails without an answer is taken to have
 * been closed by the server's idle timeout and gets one immediate retry on a new connection;
 * a connection dropped sooner is a failure of this request (retried with backoff).
 */
#define STALE_IDLE_MS 1000

typedef struct http_transport {
    ad_xport base;
    nng_url *url;
    nng_http_client *client;
    nng_tls_config *tls;
    nng_http_conn *conn; /* kept alive between batches; NULL = connect on the next send */
    nng_http_req *req;
    nng_http_res *res;
    ad__aio_waiter w;
    ad_gzip *gz;   /* NULL = compression none */
    uint8_t *zbuf; /* gzip output */
    size_t zcap;
    uint8_t *unzip; /* a gzip-encoded response, decompressed */
    uint64_t timeout_ms;
    nng_time last_used;              /* when the kept connection last completed an exchange */
    const ad_config_header *headers; /* values are secrets: never logged */
    uint32_t header_count;
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

/* ---- connection --------------------------------------------------------------------------- */

static void drop_conn(http_transport *h)
{
    if (h->conn != NULL) {
        nng_http_conn_close(h->conn);
        h->conn = NULL;
    }
}

/* Time left of this attempt for the next step (NNG_DURATION_INFINITE without a timeout);
   false when it is used up. */
static bool remaining(const http_transport *h, nng_time deadline, nng_duration *left)
{
    if (h->timeout_ms == 0) {
        *left = NNG_DURATION_INFINITE;
        return true;
    }
    nng_time now = nng_clock();
    if (now >= deadline)
        return false;
    *left = (nng_duration)(deadline - now);
    return true;
}

static void fail_retry(ad_send_result *res, const char *what, int rv)
{
    char text[160];
    snprintf(text, sizeof(text), "%s: %s", what,
             rv == NNG_ETIMEDOUT ? "timed out (otlp_http.timeout)" : nng_strerror(rv));
    res->status = AD_SEND_RETRY;
    ad_send_result_message(res, text, strlen(text));
}

static int do_connect(http_transport *h, nng_time deadline)
{
    nng_duration left;
    if (!remaining(h, deadline, &left))
        return NNG_ETIMEDOUT;
    ad__aio_waiter_arm(&h->w);
    nng_aio_set_timeout(h->w.aio, left);
    nng_http_client_connect(h->client, h->w.aio);
    int rv = ad__aio_waiter_wait(&h->w, &h->base);
    if (rv == 0)
        h->conn = nng_aio_get_output(h->w.aio, 0);
    return rv;
}

static int do_transact(http_transport *h, nng_time deadline)
{
    nng_duration left;
    if (!remaining(h, deadline, &left))
        return NNG_ETIMEDOUT;
    ad__aio_waiter_arm(&h->w);
    nng_aio_set_timeout(h->w.aio, left);
    nng_http_conn_transact(h->conn, h->req, h->res, h->w.aio);
    return ad__aio_waiter_wait(&h->w, &h->base);
}

/* Errors that mean the peer closed a kept connection before it answered. */
static bool stale_conn_error(int rv)
{
    return rv == NNG_ECLOSED || rv == NNG_ECONNRESET || rv == NNG_ECONNSHUT ||
           rv == NNG_ECONNABORTED;
}

/* ---- response ----------------------------------------------------------------------------- */

static bool header_has(nng_http_res *res, const char *name, const char *token)
{
    const char *v = nng_http_res_get_header(res, name);
    if (v == NULL)
        return false;
    size_t tl = strlen(token);
    for (const char *p = v; *p; p++) {
        size_t i = 0;
        while (i < tl && p[i] && ((p[i] | 0x20) == (token[i] | 0x20)))
            i++;
        if (i == tl)
            return true;
    }
    return false;
}

/* The body, gunzipped when the server encoded it; NULL/0 when it cannot be read. */
static void response_body(http_transport *h, const uint8_t **body, size_t *len)
{
    void *data = NULL;
    size_t n = 0;
    nng_http_res_get_data(h->res, &data, &n);
    *body = data;
    *len = n;
    if (n == 0 || !header_has(h->res, "Content-Encoding", "gzip"))
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

static void classify(http_transport *h, ad_send_result *res)
{
    int code = nng_http_res_get_status(h->res);
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
            (code == 429 || code == 503) ? nng_http_res_get_header(h->res, "Retry-After") : NULL;
        uint64_t delay;
        if (ra != NULL && ad_retry_after_parse(ra, ad_time_now_ns() / 1000000u, &delay) == AD_OK)
            res->retry_after_ms = delay;
    } else {
        res->status = AD_SEND_REJECT;
    }
    const char *msg = NULL;
    size_t mlen = 0;
    if (body != NULL && status_message(body, blen, &msg, &mlen) && mlen > 0) {
        snprintf(text, sizeof(text), "HTTP %d: %.*s", code, (int)(mlen > 400 ? 400 : mlen), msg);
    } else {
        const char *reason = nng_http_res_get_reason(h->res);
        snprintf(text, sizeof(text), "HTTP %d %s", code, reason ? reason : "");
    }
    ad_send_result_message(res, text, strlen(text));
}

/*
 * A new request for every body: nng 1.5.2 keeps the first Content-Length of a request object
 * whose data is replaced (seen here: the second, shorter body went out announced with the
 * first one's length and the server waited for the missing bytes), so objects are not reused.
 */
static int build_request(http_transport *h, const uint8_t *body, size_t len)
{
    int rv;
    if (h->req != NULL) {
        nng_http_req_free(h->req);
        h->req = NULL;
    }
    if ((rv = nng_http_req_alloc(&h->req, h->url)) != 0 ||
        (rv = nng_http_req_set_method(h->req, "POST")) != 0 ||
        (rv = nng_http_req_set_header(h->req, "Content-Type", "application/x-protobuf")) != 0 ||
        (rv = nng_http_req_set_header(h->req, "User-Agent", USER_AGENT)) != 0)
        return rv;
    if (h->gz != NULL && (rv = nng_http_req_set_header(h->req, "Content-Encoding", "gzip")) != 0)
        return rv;
    for (uint32_t i = 0; i < h->header_count; i++) {
        if ((rv = nng_http_req_set_header(h->req, h->headers[i].name, h->headers[i].value)) != 0)
            return rv;
    }
    return nng_http_req_set_data(h->req, body, len); /* not copied; sets Content-Length */
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
        ad_err err = ad_gzip_compress(h->gz, data, len, h->zbuf, h->zcap, &blen);
        if (err != AD_OK)
            return err;
        body = h->zbuf;
    }
    int rv = build_request(h, body, blen);
    if (rv != 0)
        return AD_ENOMEM;

    nng_time deadline = nng_clock() + (h->timeout_ms ? h->timeout_ms : 0);
    bool fresh = false;
    for (;;) {
        if (h->conn == NULL) {
            rv = do_connect(h, deadline);
            if (rv != 0) {
                fail_retry(res, "connect", rv);
                return AD_OK;
            }
            fresh = true;
        }
        bool idle_kept = !fresh && nng_clock() - h->last_used >= STALE_IDLE_MS;
        res->wire_bytes += blen;
        rv = do_transact(h, deadline);
        if (rv == 0)
            break;
        drop_conn(h); /* its state is unknown after any failure */
        if (idle_kept && stale_conn_error(rv))
            continue; /* the server closed the idle kept connection: one new one at once */
        fail_retry(res, "no response", rv);
        return AD_OK;
    }
    h->last_used = nng_clock();
    classify(h, res);
    const char *ver = nng_http_res_get_version(h->res);
    if (header_has(h->res, "Connection", "close") || (ver != NULL && strcmp(ver, "HTTP/1.0") == 0))
        drop_conn(h);
    return AD_OK;
}

static void http_destroy(ad_xport *t)
{
    http_transport *h = (http_transport *)t;
    drop_conn(h);
    ad__aio_waiter_fini(&h->w);
    if (h->req != NULL)
        nng_http_req_free(h->req);
    if (h->res != NULL)
        nng_http_res_free(h->res);
    if (h->client != NULL)
        nng_http_client_free(h->client);
    if (h->tls != NULL)
        nng_tls_config_free(h->tls);
    if (h->url != NULL)
        nng_url_free(h->url);
    ad_gzip_destroy(h->gz);
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
    h->timeout_ms = o->timeout_ms;
    int rv;
    const char *what = "URL";
    if ((rv = nng_url_parse(&h->url, url)) != 0)
        goto fail;
    bool https = strcmp(h->url->u_scheme, "https") == 0;
    if (!https && strcmp(h->url->u_scheme, "http") != 0) {
        snprintf(err, errlen, "otlp_http.url '%s': only http:// and https:// are supported", url);
        http_destroy(&h->base);
        return AD_EINVAL;
    }
    what = "HTTP client";
    if ((rv = nng_http_client_alloc(&h->client, h->url)) != 0)
        goto fail;
    if (https) {
        if (ad__tls_client_config(cfg, h->url->u_hostname, &h->tls, err, errlen) != 0) {
            http_destroy(&h->base);
            return AD_EINVAL;
        }
        what = "TLS";
        if ((rv = nng_http_client_set_tls(h->client, h->tls)) != 0)
            goto fail;
    }
    what = "HTTP response";
    if ((rv = nng_http_res_alloc(&h->res)) != 0)
        goto fail;
    if (o->compression == AD_COMPRESSION_GZIP && ad_gzip_create(-1, &h->gz) != AD_OK) {
        rv = NNG_ENOMEM;
        goto fail;
    }
    /* Build one request now so a header nng refuses is reported at start-up. */
    h->headers = o->headers;
    h->header_count = o->header_count;
    what = "HTTP request";
    if ((rv = build_request(h, (const uint8_t *)"", 0)) != 0)
        goto fail;
    what = "aio";
    if ((rv = ad__aio_waiter_init(&h->w)) != 0)
        goto fail;
    *out = &h->base;
    return AD_OK;
fail:
    snprintf(err, errlen, "otlp_http %s (%s): %s", what, url, nng_strerror(rv));
    http_destroy(&h->base);
    return rv == NNG_ENOMEM ? AD_ENOMEM : AD_EINVAL;
}

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
 * The answer is read with a hard byte limit while it streams: nng 1.5.2's transact buffers a
 * whole Content-Length or chunked body in memory whatever its size, so only the status line and
 * headers are read by nng (nng_http_conn_read_res) and the body is read here, in bounded pieces,
 * into at most AD_OTLP_MAX_RESPONSE_BYTES. A Content-Length above that, or a chunked body that
 * grows past it, drops the connection and the attempt is retried (res->response_too_large: the
 * pipeline counts responses_too_large).
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

#define USER_AGENT "asimdns-exporter/" ASIMDNS_VERSION
/*
 * A kept connection idle at least this long that fails without an answer is taken to have
 * been closed by the server's idle timeout and gets one immediate retry on a new connection;
 * a connection dropped sooner is a failure of this request (retried with backoff).
 */
#define STALE_IDLE_MS 1000
/* Chunk-size lines and trailer lines longer than this, or more trailer bytes, end the read. */
#define CHUNK_LINE_MAX 1024
#define TRAILER_BYTES_MAX (16u * 1024u)
#define READ_PIECE (16u * 1024u)

/* Reads the body through a small buffer (bytes nng already took off the socket come first). */
typedef struct body_reader {
    uint8_t buf[READ_PIECE];
    size_t pos, end;
} body_reader;

typedef struct http_transport {
    ad_xport base;
    nng_url *url;
    const char *url_text; /* as configured, for messages (the config outlives the transport) */
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
    uint8_t *body;  /* the response body as read, at most AD_OTLP_MAX_RESPONSE_BYTES */
    size_t body_len;
    size_t body_cap;
    body_reader *rd;
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

/* Starts nothing: arms the waiter with what is left of the attempt; false when none is. */
static int arm(http_transport *h, nng_time deadline)
{
    nng_duration left;
    if (!remaining(h, deadline, &left))
        return NNG_ETIMEDOUT;
    ad__aio_waiter_arm(&h->w);
    nng_aio_set_timeout(h->w.aio, left);
    return 0;
}

/* Sends the request and reads the status line and headers (not the body). */
static int do_request(http_transport *h, nng_time deadline)
{
    int rv;
    if ((rv = arm(h, deadline)) != 0)
        return rv;
    nng_http_conn_write_req(h->conn, h->req, h->w.aio);
    if ((rv = ad__aio_waiter_wait(&h->w, &h->base)) != 0)
        return rv;
    nng_http_res_reset(h->res);
    if ((rv = arm(h, deadline)) != 0)
        return rv;
    nng_http_conn_read_res(h->conn, h->res, h->w.aio);
    return ad__aio_waiter_wait(&h->w, &h->base);
}

/* ---- bounded body ------------------------------------------------------------------------- */

/* Refills the reader with at most max bytes (0 = a full piece); 0 or an nng error. */
static int rd_fill(http_transport *h, nng_time deadline, size_t max)
{
    body_reader *r = h->rd;
    nng_iov iov = {.iov_buf = r->buf, .iov_len = max && max < READ_PIECE ? max : READ_PIECE};
    int rv;
    if ((rv = arm(h, deadline)) != 0)
        return rv;
    if ((rv = nng_aio_set_iov(h->w.aio, 1, &iov)) != 0)
        return rv;
    nng_http_conn_read(h->conn, h->w.aio);
    if ((rv = ad__aio_waiter_wait(&h->w, &h->base)) != 0)
        return rv;
    r->pos = 0;
    r->end = nng_aio_count(h->w.aio);
    return r->end == 0 ? NNG_ECLOSED : 0;
}

/* Appends n body bytes; NNG_EMSGSIZE past the cap. */
static int body_put(http_transport *h, const uint8_t *p, size_t n)
{
    if (n > AD_OTLP_MAX_RESPONSE_BYTES - h->body_len)
        return NNG_EMSGSIZE;
    if (h->body_len + n > h->body_cap) {
        size_t cap = h->body_cap ? h->body_cap : READ_PIECE;
        while (cap < h->body_len + n)
            cap *= 2;
        if (cap > AD_OTLP_MAX_RESPONSE_BYTES)
            cap = AD_OTLP_MAX_RESPONSE_BYTES;
        uint8_t *b = realloc(h->body, cap);
        if (b == NULL)
            return NNG_ENOMEM;
        h->body = b;
        h->body_cap = cap;
    }
    memcpy(h->body + h->body_len, p, n);
    h->body_len += n;
    return 0;
}

/* Copies up to n bytes of body from the reader (refilling it); 0 or an error. */
static int rd_body(http_transport *h, nng_time deadline, uint64_t n)
{
    body_reader *r = h->rd;
    while (n > 0) {
        int rv;
        if (r->pos == r->end && (rv = rd_fill(h, deadline, n < READ_PIECE ? (size_t)n : 0)) != 0)
            return rv;
        size_t take = r->end - r->pos;
        if (take > n)
            take = (size_t)n;
        if ((rv = body_put(h, r->buf + r->pos, take)) != 0)
            return rv;
        r->pos += take;
        n -= take;
    }
    return 0;
}

/* One CRLF-terminated line without its CRLF; *used grows by its length with the CRLF. */
static int rd_line(http_transport *h, nng_time deadline, char *line, size_t *used)
{
    body_reader *r = h->rd;
    size_t n = 0;
    for (;;) {
        int rv;
        if (r->pos == r->end && (rv = rd_fill(h, deadline, 0)) != 0)
            return rv;
        char c = (char)r->buf[r->pos++];
        ++*used;
        if (c == '\n') {
            if (n > 0 && line[n - 1] == '\r')
                n--;
            line[n] = '\0';
            return 0;
        }
        if (n + 1 >= CHUNK_LINE_MAX)
            return NNG_EMSGSIZE;
        line[n++] = c;
    }
}

/* A chunked body (RFC 9112 §7.1): sizes, data and trailers, all within the caps. */
static int read_chunked(http_transport *h, nng_time deadline)
{
    char line[CHUNK_LINE_MAX];
    size_t trailer = 0;
    for (;;) {
        size_t used = 0;
        int rv = rd_line(h, deadline, line, &used);
        if (rv != 0)
            return rv;
        char *end;
        unsigned long long size = strtoull(line, &end, 16);
        if (end == line || (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t'))
            return NNG_EPROTO;
        if (size > AD_OTLP_MAX_RESPONSE_BYTES - h->body_len)
            return NNG_EMSGSIZE;
        if (size == 0)
            break;
        if ((rv = rd_body(h, deadline, size)) != 0)
            return rv;
        used = 0;
        if ((rv = rd_line(h, deadline, line, &used)) != 0)
            return rv;
        if (line[0] != '\0')
            return NNG_EPROTO;
    }
    for (;;) { /* trailer fields up to the empty line */
        int rv = rd_line(h, deadline, line, &trailer);
        if (rv != 0)
            return rv;
        if (line[0] == '\0')
            return 0;
        if (trailer > TRAILER_BYTES_MAX)
            return NNG_EMSGSIZE;
    }
}

/*
 * Reads the body the headers announce into h->body: Content-Length, chunked, or none (as nng's
 * own client, a response with neither has an empty body). NNG_EMSGSIZE when it is larger than
 * AD_OTLP_MAX_RESPONSE_BYTES; *announced is the Content-Length (0 = none or chunked).
 */
static int read_body(http_transport *h, nng_time deadline, uint64_t *announced)
{
    h->body_len = 0;
    *announced = 0;
    if (h->rd == NULL && (h->rd = calloc(1, sizeof(*h->rd))) == NULL)
        return NNG_ENOMEM;
    h->rd->pos = h->rd->end = 0;
    int code = nng_http_res_get_status(h->res);
    if (code < 200 || code == 204 || code == 304)
        return 0;
    const char *te = nng_http_res_get_header(h->res, "Transfer-Encoding");
    if (te != NULL && strstr(te, "chunked") != NULL) {
        int rv = read_chunked(h, deadline);
        /* Bytes read past the body would be a pipelined answer we never asked for. */
        if (rv == 0 && h->rd->pos != h->rd->end)
            return NNG_EPROTO;
        return rv;
    }
    const char *cl = nng_http_res_get_header(h->res, "Content-Length");
    if (cl == NULL)
        return 0;
    char *end;
    unsigned long long len = strtoull(cl, &end, 10);
    if (end == cl || *end != '\0' || cl[0] == '-')
        return NNG_EPROTO;
    *announced = len;
    if (len > AD_OTLP_MAX_RESPONSE_BYTES)
        return NNG_EMSGSIZE; /* not even started: the connection is dropped */
    return rd_body(h, deadline, len);
}

/* ---- response ----------------------------------------------------------------------------- */

/* The body, gunzipped when the server encoded it; NULL/0 when it cannot be read. */
static void response_body(http_transport *h, const uint8_t **body, size_t *len)
{
    const uint8_t *data = h->body;
    size_t n = h->body_len;
    *body = data;
    *len = n;
    if (n == 0 || !ad_http_res_header_has(h->res, "Content-Encoding", "gzip"))
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
    /* The full URL in every refusal: a 404 from a doubled /v1/logs path shows at once. */
    const char *msg = NULL;
    size_t mlen = 0;
    if (body != NULL && status_message(body, blen, &msg, &mlen) && mlen > 0) {
        snprintf(text, sizeof(text), "HTTP %d from POST %s: %.*s", code, h->url_text,
                 (int)(mlen > 300 ? 300 : mlen), msg);
    } else {
        const char *reason = nng_http_res_get_reason(h->res);
        snprintf(text, sizeof(text), "HTTP %d %s from POST %s", code, reason ? reason : "",
                 h->url_text);
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
        rv = do_request(h, deadline);
        if (rv == 0)
            break;
        drop_conn(h); /* its state is unknown after any failure */
        if (idle_kept && ad_http_stale_conn_error(rv))
            continue; /* the server closed the idle kept connection: one new one at once */
        fail_retry(res, "no response", rv);
        return AD_OK;
    }
    uint64_t announced;
    rv = read_body(h, deadline, &announced);
    if (rv != 0) {
        drop_conn(h); /* the rest of the body is still on it */
        if (rv == NNG_EMSGSIZE) {
            char text[200];
            res->response_too_large = true;
            res->code = nng_http_res_get_status(h->res);
            if (announced > 0)
                snprintf(text, sizeof(text),
                         "HTTP %d response body of %llu bytes is over the %u-byte limit; "
                         "connection dropped",
                         res->code, (unsigned long long)announced,
                         (unsigned)AD_OTLP_MAX_RESPONSE_BYTES);
            else
                snprintf(text, sizeof(text),
                         "HTTP %d chunked response body grew over the %u-byte limit; "
                         "connection dropped",
                         res->code, (unsigned)AD_OTLP_MAX_RESPONSE_BYTES);
            res->status = AD_SEND_RETRY;
            ad_send_result_message(res, text, strlen(text));
        } else {
            fail_retry(res, "response body", rv == NNG_EPROTO ? NNG_EPROTO : rv);
        }
        return AD_OK;
    }
    h->last_used = nng_clock();
    classify(h, res);
    const char *ver = nng_http_res_get_version(h->res);
    if (ad_http_res_header_has(h->res, "Connection", "close") ||
        (ver != NULL && strcmp(ver, "HTTP/1.0") == 0))
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
    free(h->body);
    free(h->rd);
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
    h->url_text = url;
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

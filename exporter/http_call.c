/* asimdns-exporter: keep-alive HTTP(S) exchanges over nng (http_call.h). */
#include "exporter/http_call.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>

#include "exporter/secret_mem.h"
#include "exporter/transport_internal.h"

#define USER_AGENT "asimdns-exporter/" ASIMDNS_VERSION
#define STALE_IDLE_MS 1000 /* as in transport_http.c */

struct ad_http_call {
    ad_xport *owner;
    nng_url *url;
    nng_http_client *client;
    nng_tls_config *tls;
    nng_http_conn *conn;
    nng_http_req *req;
    nng_http_res *res;
    ad__aio_waiter w;
    uint64_t timeout_ms;
    nng_time last_used;
    char *body; /* copy of the last answer's body, NUL-terminated */
    size_t body_len;
};

static void drop_conn(ad_http_call *c)
{
    if (c->conn != NULL) {
        nng_http_conn_close(c->conn);
        c->conn = NULL;
    }
}

void ad_http_call_destroy(ad_http_call *c)
{
    if (c == NULL)
        return;
    drop_conn(c);
    ad__aio_waiter_fini(&c->w);
    if (c->req != NULL)
        nng_http_req_free(c->req);
    if (c->res != NULL)
        nng_http_res_free(c->res);
    if (c->client != NULL)
        nng_http_client_free(c->client);
    if (c->tls != NULL)
        nng_tls_config_free(c->tls);
    if (c->url != NULL)
        nng_url_free(c->url);
    ad_secret_free(c->body, AD_HTTP_CALL_MAX_BODY + 1);
    free(c);
}

ad_err ad_http_call_create(const char *url, const ad_config_tls *tls, const char *section,
                           uint64_t timeout_ms, ad_xport *owner, ad_http_call **out, char *err,
                           size_t errlen)
{
    ad_http_call *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return AD_ENOMEM;
    c->owner = owner;
    c->timeout_ms = timeout_ms;
    int rv = nng_url_parse(&c->url, url);
    if (rv != 0) {
        snprintf(err, errlen, "%s: URL '%s': %s", section, url, nng_strerror(rv));
        ad_http_call_destroy(c);
        return AD_EINVAL;
    }
    bool https = strcmp(c->url->u_scheme, "https") == 0;
    if (!https && strcmp(c->url->u_scheme, "http") != 0) {
        snprintf(err, errlen, "%s: URL '%s': only http:// and https://", section, url);
        ad_http_call_destroy(c);
        return AD_EINVAL;
    }
    if ((rv = nng_http_client_alloc(&c->client, c->url)) != 0 ||
        (rv = nng_http_res_alloc(&c->res)) != 0 || (rv = ad__aio_waiter_init(&c->w)) != 0) {
        snprintf(err, errlen, "%s: HTTP client: %s", section, nng_strerror(rv));
        ad_http_call_destroy(c);
        return AD_ENOMEM;
    }
    if (https) {
        ad_config_tls none;
        memset(&none, 0, sizeof(none));
        if (ad__tls_client_config_from(tls ? tls : &none, section, c->url->u_hostname, &c->tls, err,
                                       errlen) != 0 ||
            nng_http_client_set_tls(c->client, c->tls) != 0) {
            ad_http_call_destroy(c);
            return AD_EINVAL;
        }
    }
    *out = c;
    return AD_OK;
}

static bool remaining(const ad_http_call *c, nng_time deadline, nng_duration *left)
{
    if (c->timeout_ms == 0) {
        *left = NNG_DURATION_INFINITE;
        return true;
    }
    nng_time now = nng_clock();
    if (now >= deadline)
        return false;
    *left = (nng_duration)(deadline - now);
    return true;
}

static int wait_op(ad_http_call *c)
{
    return ad__aio_waiter_wait(&c->w, c->owner);
}

static int do_connect(ad_http_call *c, nng_time deadline)
{
    nng_duration left;
    if (!remaining(c, deadline, &left))
        return NNG_ETIMEDOUT;
    ad__aio_waiter_arm(&c->w);
    nng_aio_set_timeout(c->w.aio, left);
    nng_http_client_connect(c->client, c->w.aio);
    int rv = wait_op(c);
    if (rv == 0)
        c->conn = nng_aio_get_output(c->w.aio, 0);
    return rv;
}

typedef enum http_op { OP_WRITE_REQ, OP_READ_RES, OP_READ_BODY } http_op;

/* One step of an exchange, bounded by what is left of the attempt's time. */
static int run_op(ad_http_call *c, nng_time deadline, http_op op, size_t body_len)
{
    nng_duration left;
    if (!remaining(c, deadline, &left))
        return NNG_ETIMEDOUT;
    ad__aio_waiter_arm(&c->w);
    nng_aio_set_timeout(c->w.aio, left);
    switch (op) {
    case OP_WRITE_REQ:
        nng_http_conn_write_req(c->conn, c->req, c->w.aio);
        break;
    case OP_READ_RES: /* status line and headers only */
        nng_http_conn_read_res(c->conn, c->res, c->w.aio);
        break;
    case OP_READ_BODY: {
        nng_iov iov = {.iov_buf = c->body, .iov_len = body_len};
        nng_aio_set_iov(c->w.aio, 1, &iov);
        nng_http_conn_read_all(c->conn, c->w.aio);
        break;
    }
    }
    return wait_op(c);
}

/* The answer's announced body length; false when it cannot be read within our bound (too long,
   chunked or not a number): the body is then left unread and the connection dropped. */
static bool body_length(ad_http_call *c, size_t *n)
{
    *n = 0;
    const char *te = nng_http_res_get_header(c->res, "Transfer-Encoding");
    if (te != NULL)
        return false;
    const char *cl = nng_http_res_get_header(c->res, "Content-Length");
    if (cl == NULL)
        return true; /* 204 and friends; a close-delimited body is not read */
    size_t v = 0;
    for (const char *p = cl; *p; p++) {
        if (*p < '0' || *p > '9' || v > AD_HTTP_CALL_MAX_BODY)
            return false;
        v = v * 10 + (size_t)(*p - '0');
    }
    if (v > AD_HTTP_CALL_MAX_BODY)
        return false;
    *n = v;
    return true;
}

/*
 * Request and answer, the body read into c->body when it is at most AD_HTTP_CALL_MAX_BODY
 * bytes: a server cannot make the exporter hold more than that (nng's transact would read any
 * announced length into memory).
 */
static int do_exchange(ad_http_call *c, nng_time deadline, bool *must_drop)
{
    *must_drop = false;
    int rv = run_op(c, deadline, OP_WRITE_REQ, 0);
    if (rv == 0)
        rv = run_op(c, deadline, OP_READ_RES, 0);
    if (rv != 0)
        return rv;
    size_t n;
    if (!body_length(c, &n)) {
        *must_drop = true; /* the unread body would be taken for the next answer */
        return 0;
    }
    if (n > 0 && (rv = run_op(c, deadline, OP_READ_BODY, n)) != 0)
        return rv;
    c->body[n] = '\0';
    c->body_len = n;
    return 0;
}

bool ad_http_stale_conn_error(int rv)
{
    return rv == NNG_ECLOSED || rv == NNG_ECONNRESET || rv == NNG_ECONNSHUT ||
           rv == NNG_ECONNABORTED;
}

bool ad_http_res_header_has(nng_http_res *res, const char *name, const char *token)
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

/* A new request object per call: nng 1.5.2 keeps a reused request's first Content-Length
   (see transport_http.c build_request). */
static int build(ad_http_call *c, const char *method, const char *target, const ad_http_header *h,
                 size_t nh, const void *body, size_t blen)
{
    int rv;
    if (c->req != NULL) {
        nng_http_req_free(c->req);
        c->req = NULL;
    }
    if ((rv = nng_http_req_alloc(&c->req, c->url)) != 0 ||
        (rv = nng_http_req_set_method(c->req, method)) != 0 ||
        (rv = nng_http_req_set_uri(c->req, target)) != 0 ||
        (rv = nng_http_req_set_header(c->req, "User-Agent", USER_AGENT)) != 0)
        return rv;
    for (size_t i = 0; i < nh; i++) {
        if ((rv = nng_http_req_set_header(c->req, h[i].name, h[i].value)) != 0)
            return rv;
    }
    if (body != NULL)
        return nng_http_req_set_data(c->req, body, blen);
    return 0;
}

static const char *nng_text(int rv)
{
    return rv == NNG_ETIMEDOUT ? "timed out" : nng_strerror(rv);
}

int ad_http_call_do(ad_http_call *c, const char *method, const char *target,
                    const ad_http_header *headers, size_t nheaders, const void *body, size_t blen,
                    int *status, char *err, size_t errlen)
{
    *status = 0;
    if (c->body == NULL && (c->body = ad_secret_alloc(AD_HTTP_CALL_MAX_BODY + 1)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return NNG_ENOMEM;
    }
    ad_secret_wipe(c->body, c->body_len + 1); /* the last answer may have held a token */
    c->body_len = 0;
    int rv = build(c, method, target, headers, nheaders, body, blen);
    if (rv != 0) {
        snprintf(err, errlen, "building the request: %s", nng_strerror(rv));
        return rv;
    }
    nng_time deadline = nng_clock() + c->timeout_ms;
    bool fresh = false, must_drop = false;
    for (;;) {
        nng_http_res_reset(c->res);
        if (c->conn == NULL) {
            rv = do_connect(c, deadline);
            if (rv != 0) {
                snprintf(err, errlen, "connect to %s: %s", c->url->u_host, nng_text(rv));
                return rv;
            }
            fresh = true;
        }
        bool idle_kept = !fresh && nng_clock() - c->last_used >= STALE_IDLE_MS;
        rv = do_exchange(c, deadline, &must_drop);
        if (rv == 0)
            break;
        drop_conn(c);
        if (idle_kept && ad_http_stale_conn_error(rv))
            continue;
        snprintf(err, errlen, "no response from %s: %s", c->url->u_host, nng_text(rv));
        return rv;
    }
    c->last_used = nng_clock();
    *status = nng_http_res_get_status(c->res);
    const char *ver = nng_http_res_get_version(c->res);
    if (must_drop || ad_http_res_header_has(c->res, "Connection", "close") ||
        (ver != NULL && strcmp(ver, "HTTP/1.0") == 0))
        drop_conn(c);
    return 0;
}

const char *ad_http_call_body(const ad_http_call *c, size_t *len)
{
    *len = c->body_len;
    return c->body != NULL ? c->body : "";
}

const char *ad_http_call_header(const ad_http_call *c, const char *name)
{
    return nng_http_res_get_header(c->res, name);
}

void ad_http_call_forget_body(ad_http_call *c)
{
    if (c->body != NULL)
        ad_secret_wipe(c->body, c->body_len);
    c->body_len = 0;
}

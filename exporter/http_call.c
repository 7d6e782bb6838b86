/* asimdns-exporter: keep-alive HTTP(S) exchanges over nng, bodies read with a limit (http_call.h).
 */
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
/* Chunk-size lines and trailer lines longer than this, or more trailer bytes, end the read. */
#define CHUNK_LINE_MAX 1024
#define TRAILER_BYTES_MAX (16u * 1024u)
#define READ_PIECE (16u * 1024u)

/* Reads the body through a small buffer (bytes nng already took off the socket come first). */
typedef struct body_reader {
    uint8_t buf[READ_PIECE];
    size_t pos, end;
} body_reader;

struct ad_http_call {
    ad_xport *owner;
    nng_url *url;
    nng_http_client *client;
    nng_tls_config *tls;
    nng_http_conn *conn; /* kept alive between calls; NULL = connect on the next one */
    nng_http_req *req;
    nng_http_res *res;
    ad__aio_waiter w;
    uint64_t timeout_ms;
    nng_time last_used; /* when the kept connection last completed an exchange */
    size_t max_body;
    bool secret_body;
    char *body; /* the last answer's body, NUL-terminated */
    size_t body_len;
    size_t body_cap; /* bytes allocated (a secret body: max_body + 1 at once) */
    body_reader *rd;
    bool too_large;
    uint64_t announced;
    unsigned sends;
};

static void drop_conn(ad_http_call *c)
{
    if (c->conn != NULL) {
        nng_http_conn_close(c->conn);
        c->conn = NULL;
    }
}

static void free_body(ad_http_call *c)
{
    if (c->secret_body)
        ad_secret_free(c->body, c->body_cap);
    else
        free(c->body);
    c->body = NULL;
    c->body_cap = c->body_len = 0;
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
    free_body(c);
    free(c->rd);
    free(c);
}

void ad_http_call_set_owner(ad_http_call *c, ad_xport *owner)
{
    c->owner = owner;
}

ad_err ad_http_call_open(const ad_http_call_opts *o, ad_http_call **out, char *err, size_t errlen)
{
    ad_http_call *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return AD_ENOMEM;
    c->owner = o->owner;
    c->timeout_ms = o->timeout_ms;
    c->max_body = o->max_body ? o->max_body : AD_HTTP_CALL_MAX_BODY;
    c->secret_body = o->secret_body;
    int rv = nng_url_parse(&c->url, o->url);
    if (rv != 0) {
        snprintf(err, errlen, "%s: URL '%s': %s", o->section, o->url, nng_strerror(rv));
        ad_http_call_destroy(c);
        return AD_EINVAL;
    }
    bool https = strcmp(c->url->u_scheme, "https") == 0;
    if (!https && strcmp(c->url->u_scheme, "http") != 0) {
        snprintf(err, errlen, "%s: URL '%s': only http:// and https:// are supported", o->section,
                 o->url);
        ad_http_call_destroy(c);
        return AD_EINVAL;
    }
    if ((rv = nng_http_client_alloc(&c->client, c->url)) != 0 ||
        (rv = nng_http_res_alloc(&c->res)) != 0 || (rv = ad__aio_waiter_init(&c->w)) != 0 ||
        (c->rd = calloc(1, sizeof(*c->rd))) == NULL) {
        snprintf(err, errlen, "%s: HTTP client: %s", o->section,
                 nng_strerror(rv != 0 ? rv : NNG_ENOMEM));
        ad_http_call_destroy(c);
        return AD_ENOMEM;
    }
    if (https) {
        ad_config_tls none;
        memset(&none, 0, sizeof(none));
        const char *ts = o->tls_section ? o->tls_section : o->section;
        if (ad__tls_client_config_from(o->tls ? o->tls : &none, ts, c->url->u_hostname, &c->tls,
                                       err, errlen) != 0 ||
            nng_http_client_set_tls(c->client, c->tls) != 0) {
            ad_http_call_destroy(c);
            return AD_EINVAL;
        }
    }
    *out = c;
    return AD_OK;
}

ad_err ad_http_call_create(const char *url, const ad_config_tls *tls, const char *section,
                           uint64_t timeout_ms, ad_xport *owner, ad_http_call **out, char *err,
                           size_t errlen)
{
    ad_http_call_opts o = {.url = url,
                           .tls = tls,
                           .section = section,
                           .timeout_ms = timeout_ms,
                           .owner = owner,
                           .secret_body = true};
    return ad_http_call_open(&o, out, err, errlen);
}

/* ---- one step at a time, each bounded by what is left of the exchange's time ------------- */

/* Arms the waiter with what is left of the exchange; NNG_ETIMEDOUT when nothing is. */
static int arm(ad_http_call *c, nng_time deadline)
{
    nng_duration left = NNG_DURATION_INFINITE;
    if (c->timeout_ms != 0) {
        nng_time now = nng_clock();
        if (now >= deadline)
            return NNG_ETIMEDOUT;
        left = (nng_duration)(deadline - now);
    }
    ad__aio_waiter_arm(&c->w);
    nng_aio_set_timeout(c->w.aio, left);
    return 0;
}

static int wait_op(ad_http_call *c)
{
    return ad__aio_waiter_wait(&c->w, c->owner);
}

static int do_connect(ad_http_call *c, nng_time deadline)
{
    int rv = arm(c, deadline);
    if (rv != 0)
        return rv;
    nng_http_client_connect(c->client, c->w.aio);
    rv = wait_op(c);
    if (rv == 0)
        c->conn = nng_aio_get_output(c->w.aio, 0);
    return rv;
}

/* Sends the request and reads the status line and headers (not the body). */
static int do_request(ad_http_call *c, nng_time deadline)
{
    int rv;
    if ((rv = arm(c, deadline)) != 0)
        return rv;
    c->sends++;
    nng_http_conn_write_req(c->conn, c->req, c->w.aio);
    if ((rv = wait_op(c)) != 0)
        return rv;
    nng_http_res_reset(c->res);
    if ((rv = arm(c, deadline)) != 0)
        return rv;
    nng_http_conn_read_res(c->conn, c->res, c->w.aio);
    return wait_op(c);
}

/* ---- the bounded body --------------------------------------------------------------------- */

/* Refills the reader with at most max bytes (0 = a full piece); 0 or an nng error. */
static int rd_fill(ad_http_call *c, nng_time deadline, size_t max)
{
    body_reader *r = c->rd;
    nng_iov iov = {.iov_buf = r->buf, .iov_len = max && max < READ_PIECE ? max : READ_PIECE};
    int rv;
    if ((rv = arm(c, deadline)) != 0)
        return rv;
    if ((rv = nng_aio_set_iov(c->w.aio, 1, &iov)) != 0)
        return rv;
    nng_http_conn_read(c->conn, c->w.aio);
    if ((rv = wait_op(c)) != 0)
        return rv;
    r->pos = 0;
    r->end = nng_aio_count(c->w.aio);
    return r->end == 0 ? NNG_ECLOSED : 0;
}

/* Room for n more body bytes plus the NUL; NNG_EMSGSIZE past the cap. */
static int body_room(ad_http_call *c, size_t n)
{
    if (n > c->max_body - c->body_len)
        return NNG_EMSGSIZE;
    size_t need = c->body_len + n + 1;
    if (need <= c->body_cap)
        return 0;
    if (c->secret_body) { /* secrets are never moved: all of it at once */
        if ((c->body = ad_secret_alloc(c->max_body + 1)) == NULL)
            return NNG_ENOMEM;
        c->body_cap = c->max_body + 1;
        return 0;
    }
    size_t cap = c->body_cap ? c->body_cap : READ_PIECE;
    while (cap < need)
        cap *= 2;
    if (cap > c->max_body + 1)
        cap = c->max_body + 1;
    char *b = realloc(c->body, cap);
    if (b == NULL)
        return NNG_ENOMEM;
    c->body = b;
    c->body_cap = cap;
    return 0;
}

/* Copies n body bytes from the reader (refilling it); 0 or an error. */
static int rd_body(ad_http_call *c, nng_time deadline, uint64_t n)
{
    body_reader *r = c->rd;
    if (n > c->max_body - c->body_len)
        return NNG_EMSGSIZE;
    int rv = body_room(c, (size_t)n);
    if (rv != 0)
        return rv;
    while (n > 0) {
        if (r->pos == r->end && (rv = rd_fill(c, deadline, n < READ_PIECE ? (size_t)n : 0)) != 0)
            return rv;
        size_t take = r->end - r->pos;
        if (take > n)
            take = (size_t)n;
        memcpy(c->body + c->body_len, r->buf + r->pos, take);
        c->body_len += take;
        r->pos += take;
        n -= take;
    }
    return 0;
}

/* One CRLF-terminated line without its CRLF; *used grows by its length with the CRLF. */
static int rd_line(ad_http_call *c, nng_time deadline, char *line, size_t *used)
{
    body_reader *r = c->rd;
    size_t n = 0;
    for (;;) {
        int rv;
        if (r->pos == r->end && (rv = rd_fill(c, deadline, 0)) != 0)
            return rv;
        char ch = (char)r->buf[r->pos++];
        ++*used;
        if (ch == '\n') {
            if (n > 0 && line[n - 1] == '\r')
                n--;
            line[n] = '\0';
            return 0;
        }
        if (n + 1 >= CHUNK_LINE_MAX)
            return NNG_EMSGSIZE;
        line[n++] = ch;
    }
}

/* A chunked body (RFC 9112 §7.1): sizes, data and trailers, all within the caps. */
static int read_chunked(ad_http_call *c, nng_time deadline)
{
    char line[CHUNK_LINE_MAX];
    size_t trailer = 0;
    for (;;) {
        size_t used = 0;
        int rv = rd_line(c, deadline, line, &used);
        if (rv != 0)
            return rv;
        char *end;
        unsigned long long size = strtoull(line, &end, 16);
        if (end == line || (*end != '\0' && *end != ';' && *end != ' ' && *end != '\t'))
            return NNG_EPROTO;
        if (size > c->max_body - c->body_len)
            return NNG_EMSGSIZE;
        if (size == 0)
            break;
        if ((rv = rd_body(c, deadline, size)) != 0)
            return rv;
        used = 0;
        if ((rv = rd_line(c, deadline, line, &used)) != 0)
            return rv;
        if (line[0] != '\0')
            return NNG_EPROTO;
    }
    for (;;) { /* trailer fields up to the empty line */
        int rv = rd_line(c, deadline, line, &trailer);
        if (rv != 0)
            return rv;
        if (line[0] == '\0')
            return 0;
        if (trailer > TRAILER_BYTES_MAX)
            return NNG_EMSGSIZE;
    }
}

/*
 * Reads the body the headers announce: Content-Length, chunked, or none (as nng's own client,
 * an answer with neither has an empty body). NNG_EMSGSIZE when it is larger than max_body.
 */
static int read_body(ad_http_call *c, nng_time deadline)
{
    c->rd->pos = c->rd->end = 0;
    int code = nng_http_res_get_status(c->res);
    if (code < 200 || code == 204 || code == 304)
        return 0;
    const char *te = nng_http_res_get_header(c->res, "Transfer-Encoding");
    if (te != NULL && strstr(te, "chunked") != NULL) {
        int rv = read_chunked(c, deadline);
        /* Bytes read past the body would be a pipelined answer we never asked for. */
        if (rv == 0 && c->rd->pos != c->rd->end)
            return NNG_EPROTO;
        return rv;
    }
    const char *cl = nng_http_res_get_header(c->res, "Content-Length");
    if (cl == NULL)
        return 0;
    char *end;
    unsigned long long len = strtoull(cl, &end, 10);
    if (end == cl || *end != '\0' || cl[0] == '-')
        return NNG_EPROTO;
    c->announced = len;
    if (len > c->max_body)
        return NNG_EMSGSIZE; /* not even started: the connection is dropped */
    return rd_body(c, deadline, len);
}

/* ---- the exchange ------------------------------------------------------------------------- */

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

/*
 * A new request object per call: nng 1.5.2 keeps the first Content-Length of a request object
 * whose data is replaced (seen: the second, shorter body went out announced with the first
 * one's length and the server waited for the missing bytes), so objects are not reused.
 */
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
        (target != NULL && (rv = nng_http_req_set_uri(c->req, target)) != 0) ||
        (rv = nng_http_req_set_header(c->req, "User-Agent", USER_AGENT)) != 0)
        return rv;
    for (size_t i = 0; i < nh; i++) {
        if ((rv = nng_http_req_set_header(c->req, h[i].name, h[i].value)) != 0)
            return rv;
    }
    if (body != NULL)
        return nng_http_req_set_data(c->req, body, blen); /* not copied; sets Content-Length */
    return 0;
}

int ad_http_call_check_headers(ad_http_call *c, const ad_http_header *headers, size_t nheaders)
{
    return build(c, "POST", NULL, headers, nheaders, "", 0);
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
    c->too_large = false;
    c->announced = 0;
    c->sends = 0;
    if (c->body != NULL && c->secret_body)
        ad_secret_wipe(c->body, c->body_len + 1); /* the last answer may have held a token */
    c->body_len = 0;
    int rv = build(c, method, target, headers, nheaders, body, blen);
    if (rv != 0) {
        snprintf(err, errlen, "building the request: %s", nng_strerror(rv));
        return rv;
    }
    nng_time deadline = nng_clock() + c->timeout_ms;
    bool fresh = false;
    for (;;) {
        if (c->conn == NULL) {
            rv = do_connect(c, deadline);
            if (rv != 0) {
                snprintf(err, errlen, "connect to %s: %s", c->url->u_host, nng_text(rv));
                return rv;
            }
            fresh = true;
        }
        bool idle_kept = !fresh && nng_clock() - c->last_used >= AD_HTTP_STALE_IDLE_MS;
        rv = do_request(c, deadline);
        if (rv == 0)
            break;
        drop_conn(c); /* its state is unknown after any failure */
        if (idle_kept && ad_http_stale_conn_error(rv))
            continue; /* the server closed the idle kept connection: one new one at once */
        snprintf(err, errlen, "no response from %s: %s", c->url->u_host, nng_text(rv));
        return rv;
    }
    rv = read_body(c, deadline);
    if (rv == NNG_EMSGSIZE) {
        drop_conn(c); /* the rest of the body is still on it */
        c->too_large = true;
        c->body_len = 0;
    } else if (rv != 0) {
        drop_conn(c);
        c->body_len = 0;
        snprintf(err, errlen, "response body: %s (from %s)", nng_text(rv), c->url->u_host);
        return rv;
    }
    if (c->body != NULL)
        c->body[c->body_len] = '\0';
    c->last_used = nng_clock();
    *status = nng_http_res_get_status(c->res);
    const char *ver = nng_http_res_get_version(c->res);
    if (ad_http_res_header_has(c->res, "Connection", "close") ||
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

const char *ad_http_call_reason(const ad_http_call *c)
{
    return nng_http_res_get_reason(c->res);
}

bool ad_http_call_body_too_large(const ad_http_call *c, uint64_t *announced)
{
    *announced = c->announced;
    return c->too_large;
}

unsigned ad_http_call_sends(const ad_http_call *c)
{
    return c->sends;
}

void ad_http_call_forget_body(ad_http_call *c)
{
    if (c->body != NULL)
        ad_secret_wipe(c->body, c->body_len);
    c->body_len = 0;
}

/*
 * asimdns-exporter: the one HTTP(S) client of the exporter, over nng's HTTP client: one
 * blocking exchange at a time with one server, for otlp_http (transport_http.c), the Logs
 * Ingestion transport and its token client (exporter/azure_auth.h).
 *
 * The connection is kept and reused (facts/otlp-logs.md §2.1 "keep the connection alive"); it
 * is dropped after any failure, a "Connection: close" or HTTP/1.0 answer, or a body left
 * unread. A kept connection idle for at least AD_HTTP_STALE_IDLE_MS that fails before the
 * answer is taken to have been closed by the server's idle timeout and gets one immediate retry
 * on a new connection; one dropped sooner is a failure of this request. Each exchange
 * (connect + request + response) is bounded by the timeout, and the owner transport's tick
 * hook runs while it waits (heartbeat, shutdown).
 *
 * The answer's body is read here with a hard byte limit while it streams (nng 1.5.2's transact
 * buffers any announced Content-Length or chunked body whole): only the status line and
 * headers are read by nng, the body (Content-Length or chunked, RFC 9112 §7.1) is read in
 * bounded pieces into at most max_body bytes. A longer one is left unread, the connection
 * dropped, and ad_http_call_body_too_large() says so; the status still counts.
 */
#ifndef AD_EXPORTER_HTTP_CALL_H
#define AD_EXPORTER_HTTP_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "config/exporter_config.h"
#include "exporter/transport.h"

typedef struct ad_http_call ad_http_call;

typedef struct ad_http_header {
    const char *name;
    const char *value; /* may be a secret: never logged here */
} ad_http_header;

/* Default largest response body read (the Logs Ingestion and token answers). */
#define AD_HTTP_CALL_MAX_BODY (256u * 1024u)
/* A kept connection idle this long that fails without an answer gets one immediate retry. */
#define AD_HTTP_STALE_IDLE_MS 1000

typedef struct ad_http_call_opts {
    const char *url; /* http:// or https://; the path is ignored: each call names its own */
    const ad_config_tls *tls; /* NULL = defaults (the system CA bundle) */
    const char *section;      /* names the settings in errors ("otlp_http") */
    const char *tls_section;  /* names the TLS settings in errors; NULL = section */
    uint64_t timeout_ms;      /* per exchange; 0 = none */
    ad_xport *owner;          /* its tick hook runs while calls wait */
    size_t max_body;          /* 0 = AD_HTTP_CALL_MAX_BODY */
    bool secret_body;         /* answers may hold secrets: secret memory, wiped between calls */
} ad_http_call_opts;

ad_err ad_http_call_open(const ad_http_call_opts *opts, ad_http_call **out, char *err,
                         size_t errlen);

/* The same with the defaults for the Logs Ingestion and token clients (secret bodies). */
ad_err ad_http_call_create(const char *url, const ad_config_tls *tls, const char *section,
                           uint64_t timeout_ms, ad_xport *owner, ad_http_call **out, char *err,
                           size_t errlen);
void ad_http_call_destroy(ad_http_call *c);

/* The transport whose tick hook runs while the next calls wait (a client shared by threads). */
void ad_http_call_set_owner(ad_http_call *c, ad_xport *owner);

/*
 * Sends METHOD target (path and query) with the headers and body (NULL/0 = none; not copied)
 * and waits for the answer. Returns 0 with *status set when an answer came (any status), else
 * an nng error (no answer: connection, TLS, timeout, cancelled, a malformed body) with err
 * describing it.
 */
int ad_http_call_do(ad_http_call *c, const char *method, const char *target,
                    const ad_http_header *headers, size_t nheaders, const void *body, size_t blen,
                    int *status, char *err, size_t errlen);

/* Builds a request with these headers without sending it: 0, or nng's refusal. */
int ad_http_call_check_headers(ad_http_call *c, const ad_http_header *headers, size_t nheaders);

/* The last answer's body (NUL-terminated copy, at most max_body) and a header. */
const char *ad_http_call_body(const ad_http_call *c, size_t *len);
const char *ad_http_call_header(const ad_http_call *c, const char *name);
const char *ad_http_call_reason(const ad_http_call *c);

/*
 * Whether the last answer's body was over max_body (left unread, connection dropped);
 * *announced is its Content-Length (0 = chunked).
 */
bool ad_http_call_body_too_large(const ad_http_call *c, uint64_t *announced);

/* How often the last call wrote its request (2 after a stale kept connection). */
unsigned ad_http_call_sends(const ad_http_call *c);

/* Wipes the last answer's body (a token answer). */
void ad_http_call_forget_body(ad_http_call *c);

/* Errors that mean the peer closed a kept connection before it answered (resend once). */
bool ad_http_stale_conn_error(int rv);

/* Whether header NAME of RES contains TOKEN, compared case-insensitively. */
bool ad_http_res_header_has(nng_http_res *res, const char *name, const char *token);

#endif

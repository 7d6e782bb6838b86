/*
 * asimdns-exporter: one blocking HTTP(S) exchange at a time with one server over nng's HTTP
 * client, for the Logs Ingestion transport and its token client (exporter/azure_auth.h).
 *
 * The connection is kept and reused; it is dropped after any failure, a "Connection: close"
 * answer or a body left unread (over AD_HTTP_CALL_MAX_BODY, chunked), and a kept connection that
 * the server closed while idle gets one immediate retry on a new one. Each exchange (connect +
 * request + response) is bounded by the timeout, and the owner transport's tick hook runs while it
 * waits (heartbeat, shutdown).
 *
 * The same connection handling as transport_http.c (otlp_http); kept apart because that file
 * is shaped around one fixed request. The two should later share this file.
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

/* Largest response body read (into memory of our own); a longer one is left unread and
   the answer's status alone counts. */
#define AD_HTTP_CALL_MAX_BODY (256u * 1024u)

/*
 * A client for the server of url (http:// or https://; the path is ignored: each call names
 * its own). tls (NULL = defaults: the system CA bundle) verifies an https server; section names
 * the TLS settings in errors. owner's tick hook runs while calls wait.
 */
ad_err ad_http_call_create(const char *url, const ad_config_tls *tls, const char *section,
                           uint64_t timeout_ms, ad_xport *owner, ad_http_call **out, char *err,
                           size_t errlen);
void ad_http_call_destroy(ad_http_call *c);

/*
 * Sends METHOD target (path and query) with the headers and body (NULL/0 = none) and waits
 * for the answer. Returns 0 with *status set when an answer came (any status), else an nng
 * error (no answer: connection, TLS, timeout, cancelled) with err describing it.
 */
int ad_http_call_do(ad_http_call *c, const char *method, const char *target,
                    const ad_http_header *headers, size_t nheaders, const void *body, size_t blen,
                    int *status, char *err, size_t errlen);

/* The last answer's body (NUL-terminated copy, at most AD_HTTP_CALL_MAX_BODY) and a header. */
const char *ad_http_call_body(const ad_http_call *c, size_t *len);
const char *ad_http_call_header(const ad_http_call *c, const char *name);

/* Wipes the last answer's body (a token answer). */
void ad_http_call_forget_body(ad_http_call *c);

/* Errors that mean the peer closed a kept connection before it answered (resend once). */
bool ad_http_stale_conn_error(int rv);

/* Whether header NAME of RES contains TOKEN, compared case-insensitively. */
bool ad_http_res_header_has(nng_http_res *res, const char *name, const char *token);

#endif

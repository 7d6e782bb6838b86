/*
 * asimdns-exporter: nng transport, the project-defined OTLP mapping of facts/otlp-logs.md §6.
 *
 *   req   (default) the message is a serialized ExportLogsServiceRequest; the reply, an
 *         ExportLogsServiceResponse (empty = full success, partial_success as in OTLP), is the
 *         acknowledgement. No reply within nng.timeout = retry. nng's own REQ resend timer
 *         (60 s by default, §6) is switched off: our backoff decides when to send again, so a
 *         slow receiver does not get the same batch from two retry mechanisms.
 *   push  fire and forget: a completed send (a connected peer took the message) counts as
 *         acknowledged; no peer within nng.timeout = retry. PUSH/PULL has no acknowledgement,
 *         so records can be lost if the puller dies (§6); req is the at-least-once mode.
 *
 * Dialing is non-blocking and nng reconnects in the background (100 ms .. 2 s), so a receiver
 * that comes back is picked up within about two seconds. NNG_OPT_RECVMAXSZ is set from
 * nng.recv_max_size explicitly (nng's default is unlimited, §6). tls+tcp:// uses the nng.tls
 * settings (CA, client certificate, server name, insecure_skip_verify: the keys of
 * otlp_http.tls). mbedTLS verifies the server name, so an IP address URL needs
 * nng.tls.server_name set to a name in the server's certificate.
 */
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/push.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "exporter/otlp_decode.h"
#include "exporter/transport.h"
#include "exporter/transport_internal.h"

#define RECONNECT_MIN_MS 100
#define RECONNECT_MAX_MS 2000

typedef struct nng_transport {
    ad_xport base;
    nng_socket sock;
    bool sock_open;
    nng_ctx ctx; /* req mode */
    bool ctx_open;
    nng_dialer dialer;
    nng_tls_config *tls;
    ad__aio_waiter w;
    ad_nng_mode mode;
    uint64_t timeout_ms;
} nng_transport;

static void fail_retry(ad_send_result *res, const char *what, int rv)
{
    char text[160];
    snprintf(text, sizeof(text), "%s: %s", what,
             rv == NNG_ETIMEDOUT ? "timed out (nng.timeout)" : nng_strerror(rv));
    res->status = AD_SEND_RETRY;
    ad_send_result_message(res, text, strlen(text));
}

static ad_err nng_tr_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    nng_transport *n = (nng_transport *)t;
    nng_msg *msg;
    if (nng_msg_alloc(&msg, len) != 0)
        return AD_ENOMEM;
    if (len > 0)
        memcpy(nng_msg_body(msg), data, len);
    nng_time start = nng_clock();
    ad__aio_waiter_arm(&n->w);
    nng_aio_set_msg(n->w.aio, msg);
    nng_aio_set_timeout(n->w.aio, ad__nng_timeout(n->timeout_ms));
    if (n->mode == AD_NNG_REQ)
        nng_ctx_send(n->ctx, n->w.aio);
    else
        nng_send_aio(n->sock, n->w.aio);
    int rv = ad__aio_waiter_wait(&n->w, t);
    if (rv != 0) {
        nng_msg_free(nng_aio_get_msg(n->w.aio)); /* not taken: still ours */
        fail_retry(res, "send", rv);
        return AD_OK;
    }
    res->wire_bytes = len;
    if (n->mode == AD_NNG_PUSH) {
        res->status = AD_SEND_OK;
        return AD_OK;
    }

    /* The acknowledgement, within what is left of the attempt's timeout. */
    nng_duration left = NNG_DURATION_INFINITE;
    if (n->timeout_ms != 0) {
        nng_time used = nng_clock() - start;
        left = used >= n->timeout_ms ? 1 : (nng_duration)(n->timeout_ms - used);
    }
    ad__aio_waiter_arm(&n->w);
    nng_aio_set_timeout(n->w.aio, left);
    nng_ctx_recv(n->ctx, n->w.aio);
    rv = ad__aio_waiter_wait(&n->w, t);
    if (rv != 0) {
        fail_retry(res, "no acknowledgement", rv);
        return AD_OK;
    }
    nng_msg *reply = nng_aio_get_msg(n->w.aio);
    ad_otlp_response r;
    ad_err err = ad_otlp_response_parse(nng_msg_body(reply), nng_msg_len(reply), &r);
    nng_msg_free(reply);
    res->status = AD_SEND_OK; /* any reply is the receiver's acknowledgement */
    if (err == AD_OK && r.partial) {
        res->rejected = r.rejected_log_records > 0 ? (uint64_t)r.rejected_log_records : 0;
        ad_send_result_message(res, r.error_message, strlen(r.error_message));
    } else if (err != AD_OK) {
        const char *text = "reply is not an ExportLogsServiceResponse";
        ad_send_result_message(res, text, strlen(text));
    }
    return AD_OK;
}

static void nng_tr_destroy(ad_xport *t)
{
    nng_transport *n = (nng_transport *)t;
    ad__aio_waiter_fini(&n->w);
    if (n->ctx_open)
        nng_ctx_close(n->ctx);
    if (n->sock_open)
        nng_close(n->sock); /* closes the dialer too */
    if (n->tls != NULL)
        nng_tls_config_free(n->tls);
    free(n);
}

static const ad_xport_ops nng_ops = {
    .name = "nng",
    .send = nng_tr_send,
    .destroy = nng_tr_destroy,
};

ad_err ad_xport_nng_create(const ad_exporter_config *cfg, ad_xport **out, char *err, size_t errlen)
{
    nng_transport *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return AD_ENOMEM;
    n->base.ops = &nng_ops;
    n->base.payload = AD_PAYLOAD_OTLP;
    n->mode = cfg->nng.mode;
    n->timeout_ms = cfg->nng.timeout_ms;
    const char *url = cfg->nng.url;
    const char *what = "socket";
    int rv = n->mode == AD_NNG_REQ ? nng_req0_open(&n->sock) : nng_push0_open(&n->sock);
    if (rv != 0)
        goto fail;
    n->sock_open = true;
    what = "socket options";
    if ((rv = nng_socket_set_size(n->sock, NNG_OPT_RECVMAXSZ, (size_t)cfg->nng.recv_max_size)) !=
            0 ||
        (rv = nng_socket_set_ms(n->sock, NNG_OPT_RECONNMINT, RECONNECT_MIN_MS)) != 0 ||
        (rv = nng_socket_set_ms(n->sock, NNG_OPT_RECONNMAXT, RECONNECT_MAX_MS)) != 0)
        goto fail;
    if (n->mode == AD_NNG_REQ) {
        if ((rv = nng_socket_set_ms(n->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE)) != 0)
            goto fail;
        what = "context";
        if ((rv = nng_ctx_open(&n->ctx, n->sock)) != 0)
            goto fail;
        n->ctx_open = true;
    }
    what = "dialer";
    if ((rv = nng_dialer_create(&n->dialer, n->sock, url)) != 0)
        goto fail;
    if (strncmp(url, "tls+tcp://", 10) == 0) {
        nng_url *u;
        if ((rv = nng_url_parse(&u, url)) != 0)
            goto fail;
        rv = ad__tls_client_config_from(&cfg->nng.tls, "nng.tls", u->u_hostname, &n->tls, err,
                                        errlen);
        nng_url_free(u);
        if (rv != 0) {
            nng_tr_destroy(&n->base);
            return AD_EINVAL;
        }
        what = "TLS";
        if ((rv = nng_dialer_set_ptr(n->dialer, NNG_OPT_TLS_CONFIG, n->tls)) != 0)
            goto fail;
    }
    what = "aio";
    if ((rv = ad__aio_waiter_init(&n->w)) != 0)
        goto fail;
    /* Non-blocking: the receiver may come up later; nng keeps dialing in the background. */
    what = "dial";
    if ((rv = nng_dialer_start(n->dialer, NNG_FLAG_NONBLOCK)) != 0)
        goto fail;
    *out = &n->base;
    return AD_OK;
fail:
    snprintf(err, errlen, "nng %s (%s): %s", what, url, nng_strerror(rv));
    nng_tr_destroy(&n->base);
    return rv == NNG_ENOMEM ? AD_ENOMEM : AD_EINVAL;
}

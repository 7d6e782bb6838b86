/* asimdns-exporter: /metrics, /healthz and /readyz over nng's HTTP server (metrics_http.h). */
#include "exporter/metrics_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "common/timeutil.h"
#include "exporter/procstat.h"
#include "ipc/ring_status.h"

/* Room for the whole exposition: about 60 families today, a few KiB each at most. */
#define BODY_MAX (256 * 1024)

struct ad_metrics_server {
    ad_metrics_server_opts o;
    char ring_name[AD_RING_NAME_MAX + 1];
    nng_url *url;
    nng_http_server *srv;
    unsigned port;
};

/* Completes the request with status and a body (text/plain unless content_type says). */
static void reply(nng_aio *aio, uint16_t status, const char *content_type, const char *body,
                  size_t len)
{
    nng_http_res *res;
    int rv = nng_http_res_alloc(&res);
    if (rv != 0) {
        nng_aio_finish(aio, rv);
        return;
    }
    if ((rv = nng_http_res_set_status(res, status)) != 0 ||
        (rv = nng_http_res_set_header(res, "Content-Type", content_type)) != 0 ||
        (rv = nng_http_res_set_header(res, "Cache-Control", "no-store")) != 0 ||
        (rv = nng_http_res_copy_data(res, body, len)) != 0) {
        nng_http_res_free(res);
        nng_aio_finish(aio, rv);
        return;
    }
    nng_aio_set_output(aio, 0, res);
    nng_aio_finish(aio, 0);
}

static ad_metrics_server *server_of(nng_aio *aio)
{
    nng_http_handler *h = nng_aio_get_input(aio, 1);
    return nng_http_handler_get_data(h);
}

/* A snapshot of the ring, or NULL (freed by the caller) when it cannot be read. */
static ad_ring_status *snapshot(const ad_metrics_server *s)
{
    ad_ring_status *st = malloc(sizeof(*st));
    if (st == NULL)
        return NULL;
    if (ad_ring_status_read(s->ring_name, s->o.global_namespace, st, NULL, 0) != AD_OK) {
        free(st);
        return NULL;
    }
    return st;
}

static void handle_metrics(nng_aio *aio)
{
    ad_metrics_server *s = server_of(aio);
    char *body = malloc(BODY_MAX);
    if (body == NULL) {
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    ad_ring_status *st = snapshot(s);
    ad_procstat self, peer;
    bool self_ok = ad_procstat_read(0, &self) == AD_OK;
    /* Capture's process too, when the OS lets us look (Linux: /proc is readable). */
    bool peer_ok = st != NULL && st->capture_pid != 0 && st->capture_alive &&
                   ad_procstat_read(st->capture_pid, &peer) == AD_OK;
    ad_metrics_view v = {
        .ring = st,
        .ring_name = s->ring_name,
        .m = s->o.m,
        .self = self_ok ? &self : NULL,
        .peer = peer_ok ? &peer : NULL,
        .version = ASIMDNS_VERSION,
    };
    ad_strbuf sb;
    ad_strbuf_init(&sb, body, BODY_MAX);
    ad_metrics_render(&v, &sb);
    if (ad_strbuf_overflowed(&sb))
        reply(aio, 500, "text/plain", "metrics too large\n", 18);
    else
        reply(aio, 200, AD_METRICS_CONTENT_TYPE, body, sb.len);
    free(st);
    free(body);
}

static void handle_healthz(nng_aio *aio)
{
    ad_metrics_server *s = server_of(aio);
    if (ad_metrics_alive(s->o.m, ad_time_mono_ns(), s->o.alive_limit_ns))
        reply(aio, 200, "text/plain", "ok\n", 3);
    else
        reply(aio, 503, "text/plain", "main loop stalled\n", 18);
}

static void handle_readyz(nng_aio *aio)
{
    ad_metrics_server *s = server_of(aio);
    ad_ring_status *st = snapshot(s);
    char why[256], body[300];
    bool ok =
        ad_metrics_ready(s->o.m, st, ad_time_now_ns(), s->o.retry_window_ns, why, sizeof(why));
    int n = snprintf(body, sizeof(body), "%s\n", why);
    reply(aio, ok ? 200 : 503, "text/plain", body, n > 0 ? (size_t)n : 0);
    free(st);
}

static int add_handler(ad_metrics_server *s, const char *path, void (*cb)(nng_aio *))
{
    nng_http_handler *h;
    int rv = nng_http_handler_alloc(&h, path, cb);
    if (rv != 0)
        return rv;
    if ((rv = nng_http_handler_set_data(h, s, NULL)) != 0 ||
        (rv = nng_http_server_add_handler(s->srv, h)) != 0) {
        nng_http_handler_free(h);
        return rv;
    }
    return 0;
}

ad_err ad_metrics_server_start(const ad_metrics_server_opts *o, ad_metrics_server **out, char *msg,
                               size_t msgcap)
{
    *out = NULL;
    ad_metrics_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return AD_ENOMEM;
    s->o = *o;
    snprintf(s->ring_name, sizeof(s->ring_name), "%s", o->ring_name);
    char url[300];
    snprintf(url, sizeof(url), "http://%s", o->listen);
    int rv = nng_url_parse(&s->url, url);
    if (rv == 0)
        rv = nng_http_server_hold(&s->srv, s->url);
    if (rv == 0 && ((rv = add_handler(s, "/metrics", handle_metrics)) != 0 ||
                    (rv = add_handler(s, "/healthz", handle_healthz)) != 0 ||
                    (rv = add_handler(s, "/readyz", handle_readyz)) != 0 ||
                    (rv = nng_http_server_start(s->srv)) != 0)) {
        nng_http_server_release(s->srv);
        s->srv = NULL;
    }
    if (rv != 0) {
        if (msg != NULL && msgcap != 0)
            snprintf(msg, msgcap, "metrics endpoint %s: %s", o->listen, nng_strerror(rv));
        if (s->url != NULL)
            nng_url_free(s->url);
        free(s);
        return rv == NNG_EADDRINUSE || rv == NNG_EPERM ? AD_EEXIST : AD_EIO;
    }
    nng_sockaddr sa;
    if (nng_http_server_get_addr(s->srv, &sa) == 0) {
        /* Port in network byte order in both families. */
        const uint8_t *pb = sa.s_family == NNG_AF_INET6 ? (const uint8_t *)&sa.s_in6.sa_port
                                                        : (const uint8_t *)&sa.s_in.sa_port;
        s->port = (unsigned)(pb[0] << 8 | pb[1]);
    }
    *out = s;
    return AD_OK;
}

void ad_metrics_server_stop(ad_metrics_server *s)
{
    if (s == NULL)
        return;
    nng_http_server_stop(s->srv);
    nng_http_server_release(s->srv);
    nng_url_free(s->url);
    free(s);
}

unsigned ad_metrics_server_port(const ad_metrics_server *s)
{
    return s->port;
}

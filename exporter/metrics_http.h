/*
 * asimdns-exporter: the HTTP endpoint (nng's HTTP server, its own threads) serving
 *   GET /metrics  Prometheus text format (exporter/metrics.h), both services
 *   GET /healthz  liveness: 200 while the exporter's main loop goes round
 *   GET /readyz   readiness: 200 when attached, capture fresh and deliveries not failing
 *                 for longer than the retry window (ad_metrics_ready), else 503 with the reason
 * Started only when metrics.listen is configured. Handlers read the ring with a fresh
 * read-only snapshot (ad_ring_status_read) and the atomics of ad_metrics; they never touch the
 * delivery path.
 */
#ifndef AD_EXPORTER_METRICS_HTTP_H
#define AD_EXPORTER_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "exporter/metrics.h"

typedef struct ad_metrics_server ad_metrics_server;

typedef struct ad_metrics_server_opts {
    const char *listen;       /* "host:port" or "[v6]:port" */
    const char *ring_name;    /* ring to snapshot per scrape */
    bool global_namespace;    /* as the exporter attaches */
    const ad_metrics *m;      /* must outlive the server */
    uint64_t retry_window_ns; /* /readyz: failures younger than this are still ready */
    uint64_t alive_limit_ns;  /* /healthz: main loop silent longer than this = not alive */
} ad_metrics_server_opts;

/* Binds and starts serving; on failure msg says why (address in use, bad address). */
ad_err ad_metrics_server_start(const ad_metrics_server_opts *o, ad_metrics_server **out, char *msg,
                               size_t msgcap);

/* Stops serving and frees the server (NULL is fine). */
void ad_metrics_server_stop(ad_metrics_server *s);

/* The port actually bound (useful for tests that listen on a fixed port too). */
unsigned ad_metrics_server_port(const ad_metrics_server *s);

#endif

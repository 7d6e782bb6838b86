/*
 * asimdns-exporter: helpers shared by the nng-based transports (not for other modules).
 */
#ifndef AD_EXPORTER_TRANSPORT_INTERNAL_H
#define AD_EXPORTER_TRANSPORT_INTERNAL_H

#include <stdbool.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include "exporter/transport.h"

/*
 * One nng aio whose completion a thread waits for in AD_XPORT_TICK_MS slices, calling the
 * transport's tick hook between slices: the exporter's heartbeat stays fresh through a long
 * per-attempt timeout, and a shutdown can cancel the operation (facts/otlp-logs.md §2.3: the
 * client may stop waiting for acknowledgements at shutdown).
 */
typedef struct ad__aio_waiter {
    nng_aio *aio;
    nng_mtx *mtx;
    nng_cv *cv;
    bool done;
} ad__aio_waiter;

int ad__aio_waiter_init(ad__aio_waiter *w);
void ad__aio_waiter_fini(ad__aio_waiter *w);

/* Call before starting an operation on w->aio. */
void ad__aio_waiter_arm(ad__aio_waiter *w);

/*
 * Waits for the operation started on w->aio; returns nng_aio_result(). When t's tick hook
 * returns false the operation is cancelled (result NNG_ECANCELED).
 */
int ad__aio_waiter_wait(ad__aio_waiter *w, ad_xport *t);

/* An nng timeout from a config value in ms (0 = no limit). */
nng_duration ad__nng_timeout(uint64_t ms);

/* Reads a PEM file (at most 1 MiB) into a NUL-terminated heap buffer, freed and wiped by the
   caller; NULL with err filled when it cannot be opened, is empty or too large. */
char *ad__read_pem(const char *path, size_t *len_out, char *err, size_t errlen);

/*
 * A TLS client configuration from one TLS section (otlp_http.tls, nng.tls, logs_ingestion.tls;
 * section names it in errors): CA bundle (or the system bundle when one of the usual files
 * exists), client certificate and key, server name (default host), insecure_skip_verify ->
 * NNG_TLS_AUTH_MODE_NONE.
 */
int ad__tls_client_config_from(const ad_config_tls *c, const char *section, const char *host,
                               nng_tls_config **out, char *err, size_t errlen);

#endif

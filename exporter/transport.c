/* asimdns-exporter: transport dispatch and the helpers the nng transports share. */
#include "exporter/transport.h"

#include <stdlib.h>
#include <string.h>

#include "exporter/gzip.h"
#include "exporter/transport_internal.h"

ad_err ad_xport_create(const ad_exporter_config *cfg, ad_xport **out, char *err, size_t errlen)
{
    switch (cfg->type) {
    case AD_EXPORTER_OTLP_HTTP:
        return ad_xport_http_create(cfg, out, err, errlen);
    case AD_EXPORTER_NNG:
        return ad_xport_nng_create(cfg, out, err, errlen);
    case AD_EXPORTER_CONSOLE:
        return ad_xport_console_create(stdout, out);
    case AD_EXPORTER_KAFKA:
#ifdef AD_HAVE_KAFKA
        return ad_xport_kafka_create(cfg, out, err, errlen);
#else
        snprintf(err, errlen, "exporter type kafka is not in this build (no librdkafka)");
        return AD_EINVAL;
#endif
    case AD_EXPORTER_LOGS_INGESTION:
        return ad_xport_logs_ingestion_create(cfg, out, err, errlen);
    }
    snprintf(err, errlen, "unknown exporter type %d", (int)cfg->type);
    return AD_EINVAL;
}

ad_err ad_xport_create_lanes(const ad_exporter_config *cfg, ad_xport **out, unsigned n, char *err,
                             size_t errlen)
{
    for (unsigned i = 0; i < n; i++) {
        ad_err rc = ad_xport_create(cfg, &out[i], err, errlen);
        if (rc != AD_OK) {
            while (i-- > 0)
                ad_xport_destroy(out[i]);
            return rc;
        }
        if (i > 0 && out[i]->ops->share != NULL)
            out[i]->ops->share(out[i], out[0]);
    }
    return AD_OK;
}

unsigned ad_xport_lanes(const ad_exporter_config *cfg)
{
    unsigned n = cfg->batch.max_in_flight ? cfg->batch.max_in_flight : 1;
    switch (cfg->type) {
    case AD_EXPORTER_OTLP_HTTP:
    case AD_EXPORTER_LOGS_INGESTION:
        return n;
    case AD_EXPORTER_NNG:
        return cfg->nng.mode == AD_NNG_REQ ? n : 1;
    case AD_EXPORTER_CONSOLE: /* one stdout, lines in order */
    case AD_EXPORTER_KAFKA:   /* librdkafka keeps its own queue of messages in flight */
        return 1;
    }
    return 1;
}

void ad_xport_set_tick(ad_xport *t, ad_xport_tick_fn fn, void *ctx)
{
    t->tick = fn;
    t->tick_ctx = ctx;
}

void ad_xport_set_count(ad_xport *t, ad_xport_count_fn fn, void *ctx)
{
    t->count = fn;
    t->count_ctx = ctx;
}

void ad_xport_count(ad_xport *t, ad_exporter_counter c, uint64_t n)
{
    if (t != NULL && t->count != NULL && n != 0)
        t->count(t->count_ctx, c, n);
}

void ad_xport_set_gate(ad_xport *t, ad_xport_gate_fn fn, void *ctx)
{
    t->gate = fn;
    t->gate_ctx = ctx;
}

ad_err ad_xport_gzip(ad_xport *t, struct ad_gzip *gz, const void *in, size_t len, void *out,
                     size_t cap, size_t *out_len)
{
    if (t->gate != NULL)
        t->gate(t->gate_ctx, true);
    ad_err err = ad_gzip_compress(gz, in, len, out, cap, out_len);
    if (t->gate != NULL)
        t->gate(t->gate_ctx, false);
    return err;
}

ad_err ad_xport_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    memset(res, 0, sizeof(*res));
    return t->ops->send(t, data, len, res);
}

void ad_xport_destroy(ad_xport *t)
{
    if (t != NULL)
        t->ops->destroy(t);
}

void ad_send_result_message(ad_send_result *res, const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < sizeof(res->message); i++) {
        unsigned char c = (unsigned char)text[i];
        res->message[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    res->message[n] = '\0';
}

/* ---- aio waiting ---------------------------------------------------------------------- */

static void waiter_cb(void *arg)
{
    ad__aio_waiter *w = arg;
    nng_mtx_lock(w->mtx);
    w->done = true;
    nng_cv_wake(w->cv);
    nng_mtx_unlock(w->mtx);
}

int ad__aio_waiter_init(ad__aio_waiter *w)
{
    int rv;
    memset(w, 0, sizeof(*w));
    if ((rv = nng_mtx_alloc(&w->mtx)) != 0)
        return rv;
    if ((rv = nng_cv_alloc(&w->cv, w->mtx)) != 0 ||
        (rv = nng_aio_alloc(&w->aio, waiter_cb, w)) != 0) {
        ad__aio_waiter_fini(w);
        return rv;
    }
    return 0;
}

void ad__aio_waiter_fini(ad__aio_waiter *w)
{
    if (w->aio != NULL)
        nng_aio_free(w->aio); /* stops any operation first */
    if (w->cv != NULL)
        nng_cv_free(w->cv);
    if (w->mtx != NULL)
        nng_mtx_free(w->mtx);
    memset(w, 0, sizeof(*w));
}

void ad__aio_waiter_arm(ad__aio_waiter *w)
{
    nng_mtx_lock(w->mtx);
    w->done = false;
    nng_mtx_unlock(w->mtx);
}

int ad__aio_waiter_wait(ad__aio_waiter *w, ad_xport *t)
{
    bool cancelled = false;
    nng_mtx_lock(w->mtx);
    while (!w->done) {
        (void)nng_cv_until(w->cv, nng_clock() + AD_XPORT_TICK_MS);
        if (w->done || cancelled || t->tick == NULL)
            continue;
        nng_mtx_unlock(w->mtx);
        bool go_on = t->tick(t->tick_ctx);
        if (!go_on) {
            /* The callback runs (and wakes us) once the operation has stopped. */
            nng_aio_cancel(w->aio);
            cancelled = true;
        }
        nng_mtx_lock(w->mtx);
    }
    nng_mtx_unlock(w->mtx);
    nng_aio_wait(w->aio); /* the callback has returned too: the aio may be reused now */
    return nng_aio_result(w->aio);
}

nng_duration ad__nng_timeout(uint64_t ms)
{
    if (ms == 0)
        return NNG_DURATION_INFINITE;
    return ms > (uint64_t)INT32_MAX ? INT32_MAX : (nng_duration)ms;
}

/* ---- TLS ------------------------------------------------------------------------------ */

/* Where Linux distributions keep the system CA bundle (Debian/Ubuntu first, then RHEL). */
static const char *const system_ca_files[] = {
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
};

#define PEM_FILE_MAX (1u << 20)

char *ad__read_pem(const char *path, size_t *len_out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open '%s'", path);
        return NULL;
    }
    char *buf = malloc(PEM_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_FILE_MAX + 1, f) : 0;
    fclose(f);
    if (buf == NULL || n == 0 || n > PEM_FILE_MAX) {
        snprintf(err, errlen, "'%s' is empty, unreadable or larger than 1 MiB", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len_out = n;
    return buf;
}

static void free_secret(char *buf, size_t len)
{
    if (buf != NULL) {
        memset(buf, 0, len);
        free(buf);
    }
}

int ad__tls_client_config_from(const ad_config_tls *c, const char *section, const char *host,
                               nng_tls_config **out, char *err, size_t errlen)
{
    nng_tls_config *tls;
    int rv = nng_tls_config_alloc(&tls, NNG_TLS_MODE_CLIENT);
    if (rv != 0) {
        snprintf(err, errlen, "TLS: %s", nng_strerror(rv));
        return rv;
    }
    const char *server_name = c->server_name[0] ? c->server_name : host;
    if ((rv = nng_tls_config_server_name(tls, server_name)) != 0) {
        snprintf(err, errlen, "TLS server name: %s", nng_strerror(rv));
        goto fail;
    }
    if (c->insecure_skip_verify) {
        rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_NONE);
    } else {
        const char *ca = c->ca_file[0] ? c->ca_file : NULL;
        for (size_t i = 0; ca == NULL && i < sizeof(system_ca_files) / sizeof(system_ca_files[0]);
             i++) {
            FILE *f = fopen(system_ca_files[i], "rb");
            if (f != NULL) {
                fclose(f);
                ca = system_ca_files[i];
            }
        }
        if (ca == NULL) {
            snprintf(err, errlen, "TLS: no CA bundle: set %s.ca_file", section);
            rv = NNG_EINVAL;
            goto fail;
        }
        if ((rv = nng_tls_config_ca_file(tls, ca)) != 0) {
            snprintf(err, errlen, "TLS CA file '%s': %s", ca, nng_strerror(rv));
            goto fail;
        }
        rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_REQUIRED);
    }
    if (rv != 0) {
        snprintf(err, errlen, "TLS auth mode: %s", nng_strerror(rv));
        goto fail;
    }
    if (c->cert_file[0] || c->key_file[0]) {
        if (!c->cert_file[0] || !c->key_file[0]) {
            snprintf(err, errlen, "TLS: cert_file and key_file go together");
            rv = NNG_EINVAL;
            goto fail;
        }
        size_t cert_len = 0, key_len = 0;
        char *cert = ad__read_pem(c->cert_file, &cert_len, err, errlen);
        char *key = cert ? ad__read_pem(c->key_file, &key_len, err, errlen) : NULL;
        if (cert == NULL || key == NULL) {
            free_secret(cert, cert_len);
            rv = NNG_EINVAL;
            goto fail;
        }
        rv = nng_tls_config_own_cert(tls, cert, key, NULL);
        free_secret(cert, cert_len);
        free_secret(key, key_len); /* the private key is a secret */
        if (rv != 0) {
            snprintf(err, errlen, "TLS client certificate/key: %s", nng_strerror(rv));
            goto fail;
        }
    }
    *out = tls;
    return 0;
fail:
    nng_tls_config_free(tls);
    return rv;
}

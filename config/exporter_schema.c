/*
 * asimdns config: the exporter.yaml schema (table + cross-key rules) and its public API.
 * Order of a load: defaults, file, headers_file, environment, derived logs URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_load.h"
#include "config/cfg_text.h"
#include "config/log_schema.h"
#include "config/exporter_internal.h"
#include "config/exporter_kafka_schema.h"

typedef ad_exporter_config E;

static const ad__cfg_enum exporter_types[] = {{"otlp_http", AD_EXPORTER_OTLP_HTTP},
                                              {"nng", AD_EXPORTER_NNG},
                                              {"console", AD_EXPORTER_CONSOLE},
                                              {"kafka", AD_EXPORTER_KAFKA},
                                              {"logs_ingestion", AD_EXPORTER_LOGS_INGESTION},
                                              {NULL, 0}};

static const ad__cfg_enum compressions[] = {
    {"gzip", AD_COMPRESSION_GZIP}, {"none", AD_COMPRESSION_NONE}, {NULL, 0}};

static const ad__cfg_enum nng_modes[] = {{"req", AD_NNG_REQ}, {"push", AD_NNG_PUSH}, {NULL, 0}};

static const ad__cfg_kv header_map = {
    .elem_size = sizeof(ad_config_header),
    .capacity = AD_CONFIG_MAX_HEADERS,
    .count_offset = offsetof(E, otlp_http.header_count),
    .key_offset = offsetof(ad_config_header, name),
    .key_size = AD_CONFIG_HEADER_NAME_MAX,
    .value_offset = offsetof(ad_config_header, value),
    .value_size = AD_CONFIG_HEADER_VALUE_MAX,
    .key_check = ad__cfg_check_header_name,
    .icase_keys = true,
};

static const ad__cfg_kv attr_map = {
    .elem_size = sizeof(ad_config_attr),
    .capacity = AD_CONFIG_MAX_ATTRS,
    .count_offset = offsetof(E, resource.attr_count),
    .key_offset = offsetof(ad_config_attr, key),
    .key_size = AD_CONFIG_ATTR_KEY_MAX,
    .value_offset = offsetof(ad_config_attr, value),
    .value_size = AD_CONFIG_ATTR_VALUE_MAX,
    .key_check = ad__cfg_check_nonempty,
    .icase_keys = false,
};

/* otlp_http.tls and nng.tls (tls+tcp:// URLs): the same keys, offsets within ad_config_tls. */
static const ad__cfg_entry tls_table[] = {
    {.name = "ca_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(ad_config_tls, ca_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM CA bundle to verify the server"},
    {.name = "cert_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(ad_config_tls, cert_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM client certificate (mTLS)"},
    {.name = "key_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(ad_config_tls, key_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM client key (mTLS)"},
    {.name = "server_name",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(ad_config_tls, server_name),
     .check = ad__cfg_check_host_name,
     .help = "SNI and verified name; default the URL host"},
    {.name = "insecure_skip_verify",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(ad_config_tls, insecure_skip_verify),
     .def = "false",
     .help = "do not verify the server certificate (testing only)"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry otlp_http_table[] = {
    {.name = "endpoint",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, otlp_http.endpoint),
     .check = ad__cfg_check_http_url,
     .help = "base URL; v1/logs is appended"},
    {.name = "logs_endpoint",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, otlp_http.logs_endpoint),
     .check = ad__cfg_check_http_url,
     .help = "full URL used as is"},
    {.name = "headers",
     .type = AD__CFG_T_MAP,
     .flags = AD__CFG_F_SECRET,
     .offset = offsetof(E, otlp_http.headers),
     .size = sizeof(((E *)0)->otlp_http.headers),
     .aux = &header_map,
     .help = "extra HTTP headers (values are secrets)"},
    {.name = "headers_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, otlp_http.headers_file),
     .check = ad__cfg_check_nonempty,
     .help = "file of 'Name: value' lines (secrets)"},
    {.name = "compression",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, otlp_http.compression),
     .def = "gzip",
     .aux = compressions,
     .help = "request body compression"},
    {.name = "timeout",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, otlp_http.timeout_ms),
     .def = "10s",
     .min = AD_CONFIG_TIMEOUT_MIN_MS,
     .max = AD_CONFIG_TIMEOUT_MAX_MS,
     .help = "per request (connect, send, whole answer); 1ms..1h"},
    {.name = "tls",
     .type = AD__CFG_T_SECTION,
     .offset = offsetof(E, otlp_http.tls),
     .aux = tls_table},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry nng_table[] = {
    {.name = "url",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, nng.url),
     .check = ad__cfg_check_nng_url,
     .help = "tcp://, tls+tcp:// or ipc:// address to dial"},
    {.name = "mode",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, nng.mode),
     .def = "req",
     .aux = nng_modes,
     .help = "req (acknowledged) or push (fire and forget)"},
    {.name = "timeout",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, nng.timeout_ms),
     .def = "10s",
     .min = AD_CONFIG_TIMEOUT_MIN_MS,
     .max = AD_CONFIG_TIMEOUT_MAX_MS,
     .help = "send/acknowledge timeout; 1ms..1h"},
    {.name = "recv_max_size",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(E, nng.recv_max_size),
     .def = "1MiB",
     .min = 1u << 10,
     .max = 64u << 20,
     .help = "largest reply accepted"},
    {.name = "tls", .type = AD__CFG_T_SECTION, .offset = offsetof(E, nng.tls), .aux = tls_table},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry batch_table[] = {
    {.name = "max_records",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(E, batch.max_records),
     .def = "8192",
     .min = 1,
     .max = 1000000,
     .help = "log records per request"},
    {.name = "max_bytes",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(E, batch.max_bytes),
     .def = "2MiB",
     .min = 1u << 10,
     .max = 16u << 20,
     .help = "encoded request size (below the Collector's 20 MiB limit)"},
    {.name = "max_age",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, batch.max_age_ms),
     .def = "1s",
     .min = 0,
     .max = 60000,
     .help = "oldest record waits at most this long"},
    {.name = "max_in_flight",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(E, batch.max_in_flight),
     .def = "2",
     .min = 1,
     .max = 16,
     .help = "batches sent and not yet acknowledged (otlp_http, nng req, logs_ingestion)"},
    {.name = "compression_workers",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(E, batch.compression_workers),
     .def = "0",
     .min = 0,
     .max = 16,
     .help = "batches compressed at once by the sending threads; 0 = one per processor"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry retry_table[] = {
    {.name = "initial_interval",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, retry.initial_interval_ms),
     .def = "5s",
     .min = 1,
     .max = 3600000,
     .help = "first backoff delay"},
    {.name = "max_interval",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, retry.max_interval_ms),
     .def = "30s",
     .min = 1,
     .max = 86400000,
     .help = "largest backoff delay"},
    {.name = "max_elapsed",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, retry.max_elapsed_ms),
     .def = "0",
     .min = 0,
     .max = 30ULL * 86400000,
     .help = "give up after; 0 = never"},
    {.name = "multiplier",
     .type = AD__CFG_T_DOUBLE,
     AD__CFG_FIELD(E, retry.multiplier),
     .def = "1.5",
     .dmin = 1.0,
     .dmax = 10.0,
     .help = "backoff growth factor"},
    {.name = "jitter",
     .type = AD__CFG_T_DOUBLE,
     AD__CFG_FIELD(E, retry.jitter),
     .def = "0.5",
     .dmin = 0.0,
     .dmax = 1.0,
     .help = "randomization factor, delay * (1 +- jitter)"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry resource_table[] = {
    {.name = "attributes",
     .type = AD__CFG_T_MAP,
     .offset = offsetof(E, resource.attrs),
     .size = sizeof(((E *)0)->resource.attrs),
     .aux = &attr_map,
     .help = "string attributes added to every Resource"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry ring_table[] = {
    {.name = "name",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, ring.name),
     .def = "asimdns",
     .check = ad__cfg_check_ring_name,
     .help = "ring to read (capture's ring.name)"},
    {.name = "directory",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, ring.directory),
     .def = "/run/asimdns",
     .check = ad__cfg_check_abs_dir,
     .help = "POSIX: capture's ring.directory"},
    {.name = "expected_owner",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, ring.expected_owner),
     .help = "user (POSIX) or account/SID (Windows) that must own the ring objects; empty = "
             "root on POSIX, not checked on Windows"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry exporter_type_table[] = {
    {.name = "type",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, type),
     .def = "otlp_http",
     .aux = exporter_types,
     .help = "where batches go"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry metrics_table[] = {
    {.name = "listen",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, metrics.listen),
     .check = ad__cfg_check_listen,
     .help = "host:port of the metrics endpoint; empty = off"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_enum spool_fsyncs[] = {{"batch", AD_CONFIG_SPOOL_FSYNC_BATCH},
                                            {"always", AD_CONFIG_SPOOL_FSYNC_ALWAYS},
                                            {"interval", AD_CONFIG_SPOOL_FSYNC_INTERVAL},
                                            {NULL, 0}};

static const ad__cfg_enum spool_full_policies[] = {
    {"block", AD_CONFIG_SPOOL_FULL_BLOCK},
    {"drop_oldest", AD_CONFIG_SPOOL_FULL_DROP_OLDEST},
    {NULL, 0}};

static const ad__cfg_enum spool_compressions[] = {{"none", AD_CONFIG_SPOOL_COMPRESSION_NONE},
                                                  {"zlib", AD_CONFIG_SPOOL_COMPRESSION_ZLIB},
                                                  {NULL, 0}};

static const ad__cfg_entry spool_table[] = {
    {.name = "enabled",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(E, spool.enabled),
     .def = "false",
     .help = "keep records in a disk spool between the ring and the receiver"},
    {.name = "directory",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, spool.directory),
     .def = "/var/lib/asimdns/spool",
     .check = ad__cfg_check_abs_dir,
     .help = "spool directory (created mode 0700; refused if writable by others)"},
    {.name = "max_size",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(E, spool.max_size),
     .def = "1GiB",
     .min = 1u << 20,
     .max = 1ULL << 40,
     .help = "disk budget of the spool's files"},
    {.name = "max_age",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, spool.max_age_ms),
     .def = "0",
     .min = 0,
     .max = 365ULL * 86400000,
     .help = "segments older than this are dropped (counted); 0 = no limit"},
    {.name = "fsync",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, spool.fsync),
     .def = "batch",
     .aux = spool_fsyncs,
     .help = "when spooled data is made durable before the ring lets go of it"},
    {.name = "fsync_interval",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, spool.fsync_interval_ms),
     .def = "1s",
     .min = 1,
     .max = 60000,
     .help = "fsync: interval: longest time between two fsyncs"},
    {.name = "compression",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, spool.compression),
     .def = "none",
     .aux = spool_compressions,
     .help = "zlib: each block compressed (about 3x less disk, more CPU)"},
    {.name = "full_policy",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, spool.full_policy),
     .def = "block",
     .aux = spool_full_policies,
     .help = "when max_size is reached: block (the ring fills) or drop_oldest (counted)"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry exporter_table[] = {
    {.name = "ring", .type = AD__CFG_T_SECTION, .aux = ring_table},
    {.name = "exporter", .type = AD__CFG_T_SECTION, .aux = exporter_type_table},
    {.name = "otlp_http", .type = AD__CFG_T_SECTION, .aux = otlp_http_table},
    {.name = "nng", .type = AD__CFG_T_SECTION, .aux = nng_table},
    {.name = "kafka",
     .type = AD__CFG_T_SECTION,
     .offset = offsetof(E, kafka),
     .aux = ad__exporter_kafka_table},
    {.name = "logs_ingestion", .type = AD__CFG_T_SECTION, .aux = ad__logs_ingestion_table},
    {.name = "batch", .type = AD__CFG_T_SECTION, .aux = batch_table},
    {.name = "retry", .type = AD__CFG_T_SECTION, .aux = retry_table},
    {.name = "resource", .type = AD__CFG_T_SECTION, .aux = resource_table},
    {.name = "filters",
     .type = AD__CFG_T_CUSTOM,
     AD__CFG_FIELD(E, filters),
     .aux = &ad__exporter_filters_custom,
     .help = "rules: the first that matches drops or keeps the record"},
    {.name = "metrics", .type = AD__CFG_T_SECTION, .aux = metrics_table},
    {.name = "log",
     .type = AD__CFG_T_SECTION,
     .offset = offsetof(E, log),
     .aux = ad__cfg_log_table},
    {.name = "spool", .type = AD__CFG_T_SECTION, .aux = spool_table},
    {.name = "aggregate", .type = AD__CFG_T_SECTION, .aux = ad__exporter_aggregate_table},
    {.name = "host_name",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, host_name),
     .check = ad__cfg_check_host_name,
     .help = "host.name override; empty = OS host name"},
    {.type = AD__CFG_T_END},
};

typedef struct exporter_load_args {
    ad_config_getenv_fn getenv_fn;
    bool read_files;
} exporter_load_args;

static bool exporter_has(const ad__cfg_tree *t, uint32_t root, const char *path)
{
    return ad__cfg_find(t, root, path, NULL) != 0;
}

/* Reads headers_file and merges it into the headers the file listed. */
static ad_err exporter_headers_file(ad__cfg_ctx *ctx, uint32_t root, E *cfg)
{
    char *data;
    size_t len;
    const char *path = cfg->otlp_http.headers_file;
    uint32_t at = ad__cfg_find(ctx->tree, root, "otlp_http.headers_file", NULL);
    char ioerr[AD_CONFIG_ERR_MAX];
    ad_err rc = ad__cfg_read_file(path, AD_CONFIG_MAX_HEADERS_FILE_BYTES, &data, &len, ioerr,
                                  sizeof(ioerr));
    if (rc != AD_OK) {
        ad__cfg_fail(ctx, at, "'otlp_http.headers_file': %s", ioerr);
        return rc;
    }
    rc = ad__exporter_headers_text(path, data, len, &cfg->otlp_http, ctx->err, ctx->errlen);
    memset(data, 0, len); /* secrets */
    free(data);
    return rc;
}

/* SECTION.tls.cert_file and .key_file go together; the error points at the one given. */
static ad_err exporter_tls_pair(ad__cfg_ctx *ctx, uint32_t root, const ad_config_tls *tls,
                                const char *section)
{
    bool has_cert = tls->cert_file[0] != '\0';
    if (has_cert == (tls->key_file[0] != '\0'))
        return AD_OK;
    char path[64];
    snprintf(path, sizeof(path), "%s.tls.%s", section, has_cert ? "cert_file" : "key_file");
    uint32_t k;
    if (ad__cfg_find(ctx->tree, root, path, &k) == 0)
        k = root;
    return ad__cfg_fail(ctx, k, "'%s.tls.cert_file' and '%s.tls.key_file' go together", section,
                        section);
}

static ad_err exporter_post(ad__cfg_ctx *ctx, uint32_t root, void *arg)
{
    const exporter_load_args *args = arg;
    const ad__cfg_tree *t = ctx->tree;
    E *cfg = ctx->base;

    if (cfg->type == AD_EXPORTER_NNG && cfg->nng.url[0] == '\0') {
        uint32_t at = ad__cfg_find(t, root, "exporter.type", NULL);
        return ad__cfg_fail(ctx, at, "'nng.url' is required when 'exporter.type' is nng");
    }
    ad_err li_rc = ad__exporter_check_logs_ingestion(ctx, root);
    if (li_rc != AD_OK)
        return li_rc;
    if (cfg->retry.initial_interval_ms > cfg->retry.max_interval_ms) {
        uint32_t at = ad__cfg_find(t, root, "retry.initial_interval", NULL);
        if (at == 0)
            at = ad__cfg_find(t, root, "retry.max_interval", NULL);
        return ad__cfg_fail(ctx, at,
                            "'retry.initial_interval' must not exceed 'retry.max_interval'");
    }

    ad__exporter_file_set set = {
        .endpoint = exporter_has(t, root, "otlp_http.endpoint") ||
                    exporter_has(t, root, "otlp_http.logs_endpoint"),
        .compression = exporter_has(t, root, "otlp_http.compression"),
        .timeout = exporter_has(t, root, "otlp_http.timeout"),
        .ca_file = exporter_has(t, root, "otlp_http.tls.ca_file"),
        .cert_file = exporter_has(t, root, "otlp_http.tls.cert_file"),
        .key_file = exporter_has(t, root, "otlp_http.tls.key_file"),
    };
    ad_config_otlp_http *h = &cfg->otlp_http;
    if (h->logs_endpoint[0] != '\0')
        snprintf(h->url_origin, sizeof(h->url_origin), "otlp_http.logs_endpoint");
    else if (h->endpoint[0] != '\0')
        snprintf(h->url_origin, sizeof(h->url_origin), "otlp_http.endpoint");

    /* Secrets are read only for the transport that sends them. */
    ad_err rc = AD_OK;
    bool otlp = cfg->type == AD_EXPORTER_OTLP_HTTP;
    if (otlp && h->headers_file[0] != '\0' && args->read_files)
        rc = exporter_headers_file(ctx, root, cfg);
    if (rc == AD_OK && otlp)
        rc = ad__exporter_apply_env(cfg, &set, args->getenv_fn, ctx->err, ctx->errlen);
    if (rc != AD_OK)
        return rc;

    /* After the environment, which can supply either half of the otlp_http pair. */
    rc = exporter_tls_pair(ctx, root, &h->tls, "otlp_http");
    if (rc == AD_OK)
        rc = exporter_tls_pair(ctx, root, &cfg->nng.tls, "nng");
    if (rc == AD_OK)
        rc = ad__exporter_kafka_post(ctx, root, cfg, args->getenv_fn, args->read_files);
    if (rc == AD_OK)
        rc = ad__exporter_aggregate_post(ctx, root, cfg);
    if (rc != AD_OK)
        return rc;
    return ad__exporter_build_url(h, ctx->err, ctx->errlen);
}

ad_err ad__config_load_exporter_opts(const char *name, const char *data, size_t len,
                                     ad_config_getenv_fn getenv_fn, bool read_files,
                                     ad_exporter_config *cfg, char *err, size_t errlen)
{
    exporter_load_args args = {getenv_fn, read_files};
    return ad__cfg_load(name, data, len, exporter_table, cfg, sizeof(*cfg), exporter_post, &args,
                        err, errlen);
}

ad_err ad_config_load_exporter_mem(const char *name, const char *data, size_t len,
                                   ad_config_getenv_fn getenv_fn, ad_exporter_config *cfg,
                                   char *err, size_t errlen)
{
    return ad__config_load_exporter_opts(name, data, len, getenv_fn, true, cfg, err, errlen);
}

ad_err ad_config_load_exporter(const char *path, ad_config_getenv_fn getenv_fn,
                               ad_exporter_config *cfg, char *err, size_t errlen)
{
    char *data;
    size_t len;
    ad_err rc = ad__cfg_read_file(path, AD_CONFIG_MAX_FILE_BYTES, &data, &len, err, errlen);
    if (rc != AD_OK)
        return rc;
    rc = ad_config_load_exporter_mem(path, data, len, getenv_fn, cfg, err, errlen);
    free(data);
    return rc;
}

void ad_config_dump_exporter(const ad_exporter_config *cfg, ad_config_line_fn line, void *ctx)
{
    char text[AD_CONFIG_URL_MAX + 128];
    ad__cfg_dump(exporter_table, cfg, "", line, ctx);
    snprintf(text, sizeof(text), "otlp_http.url: %s (from %s)", cfg->otlp_http.url,
             cfg->otlp_http.url_origin[0] ? cfg->otlp_http.url_origin : "default");
    line(ctx, text);
}

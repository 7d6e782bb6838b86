/*
 * asimdns config (internal): pieces of the exporter loader split by concern: header lists and
 * headers_file (exporter_headers.c), OTEL_EXPORTER_OTLP_* and the logs URL (exporter_env.c).
 */
#ifndef AD_CONFIG_EXPORTER_INTERNAL_H
#define AD_CONFIG_EXPORTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg_map.h"
#include "config/exporter_config.h"

/* aggregate: its table and its cross-key check (exporter_aggregate.c). */
extern const ad__cfg_entry ad__exporter_aggregate_table[];
ad_err ad__exporter_aggregate_post(ad__cfg_ctx *ctx, uint32_t root, const ad_exporter_config *cfg);

/* filters: a list of rules (exporter_filters.c). */
extern const ad__cfg_custom ad__exporter_filters_custom;

/* Which environment-backed settings the file wrote itself (those the environment may not
 * change). */
typedef struct ad__exporter_file_set {
    bool endpoint; /* otlp_http.endpoint or otlp_http.logs_endpoint */
    bool compression;
    bool timeout;
    bool ca_file;
    bool cert_file;
    bool key_file;
} ad__exporter_file_set;

/* Index of the header called name (ASCII case-insensitive), or -1. */
int ad__exporter_header_find(const ad_config_otlp_http *h, const char *name);

/*
 * Appends a header after checking name and value; on failure why says what is wrong without
 * quoting the value. A name already present is an error (AD_EEXIST).
 */
ad_err ad__exporter_header_add(ad_config_otlp_http *h, const char *name, size_t name_len,
                               const char *value, size_t value_len, char *why, size_t whylen);

/*
 * Parses headers_file text ("Name: value" lines, '#' comments, blank lines) named file into
 * h. Errors read "FILE:LINE:COLUMN: message" and never quote a value.
 */
ad_err ad__exporter_headers_text(const char *file, const char *data, size_t len,
                                 ad_config_otlp_http *h, char *err, size_t errlen);

/*
 * Applies OTEL_EXPORTER_OTLP_* (logs-specific first, then generic) to what the file left
 * unset; errors read "VARIABLE: message".
 */
ad_err ad__exporter_apply_env(ad_exporter_config *cfg, const ad__exporter_file_set *set,
                              ad_config_getenv_fn getenv_fn, char *err, size_t errlen);

/*
 * Sets h->url from logs_endpoint (as is, "/" added when it has no path) or endpoint (with
 * "v1/logs" resolved against it), or the default http://localhost:4318/v1/logs.
 */
ad_err ad__exporter_build_url(ad_config_otlp_http *h, char *err, size_t errlen);

/*
 * The exporter loader behind the public ones. read_files = false skips reading headers_file
 * (the fuzzer must not open arbitrary paths).
 */
ad_err ad__config_load_exporter_opts(const char *name, const char *data, size_t len,
                                     ad_config_getenv_fn getenv_fn, bool read_files,
                                     ad_exporter_config *cfg, char *err, size_t errlen);

/* The logs_ingestion section's schema and its cross-key rules (exporter_logs_ingestion.c). */
extern const ad__cfg_entry ad__logs_ingestion_table[];
ad_err ad__exporter_check_logs_ingestion(ad__cfg_ctx *ctx, uint32_t root);

#endif

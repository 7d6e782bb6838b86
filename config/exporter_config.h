/*
 * asimdns: asimdns-exporter's configuration (exporter.yaml plus OTEL_EXPORTER_OTLP_*).
 *
 * Precedence: a setting written in the file wins over the environment; the environment fills
 * in what the file leaves out; built-in defaults come last. Headers merge by name (case-
 * insensitive) with the file's value winning. Variables are read only when the exporter type
 * is otlp_http. See docs/CONFIG.md "Environment".
 */
#ifndef AD_CONFIG_EXPORTER_CONFIG_H
#define AD_CONFIG_EXPORTER_CONFIG_H

#include <stdio.h>

#include "config/config.h"

#define AD_CONFIG_MAX_HEADERS 16
#define AD_CONFIG_HEADER_NAME_MAX 128
#define AD_CONFIG_HEADER_VALUE_MAX 4096 /* room for long bearer tokens */
#define AD_CONFIG_MAX_ATTRS 32
#define AD_CONFIG_ATTR_KEY_MAX 128
#define AD_CONFIG_ATTR_VALUE_MAX 256
#define AD_CONFIG_MAX_FILTER_ITEMS 64
#define AD_CONFIG_DOMAIN_MAX 254 /* 253 characters + NUL */
/* Largest headers_file accepted. */
#define AD_CONFIG_MAX_HEADERS_FILE_BYTES (64u * 1024u)

typedef enum ad_exporter_type {
    AD_EXPORTER_OTLP_HTTP = 0,
    AD_EXPORTER_NNG,
    AD_EXPORTER_CONSOLE
} ad_exporter_type;

typedef enum ad_compression { AD_COMPRESSION_GZIP = 0, AD_COMPRESSION_NONE } ad_compression;

typedef enum ad_nng_mode { AD_NNG_REQ = 0, AD_NNG_PUSH } ad_nng_mode;

/* One HTTP header. The value is a secret: never log it (ad_config_dump_* redacts it). */
typedef struct ad_config_header {
    char name[AD_CONFIG_HEADER_NAME_MAX];
    char value[AD_CONFIG_HEADER_VALUE_MAX];
} ad_config_header;

typedef struct ad_config_attr {
    char key[AD_CONFIG_ATTR_KEY_MAX];
    char value[AD_CONFIG_ATTR_VALUE_MAX];
} ad_config_attr;

/* An include/exclude pair of numbers (event ids, query types). Empty include = all. */
typedef struct ad_config_id_filter {
    uint16_t include[AD_CONFIG_MAX_FILTER_ITEMS];
    uint32_t include_count;
    uint16_t exclude[AD_CONFIG_MAX_FILTER_ITEMS];
    uint32_t exclude_count;
} ad_config_id_filter;

/* Domain suffixes, lower case, without leading or trailing dot. */
typedef struct ad_config_domain_filter {
    char include[AD_CONFIG_MAX_FILTER_ITEMS][AD_CONFIG_DOMAIN_MAX];
    uint32_t include_count;
    char exclude[AD_CONFIG_MAX_FILTER_ITEMS][AD_CONFIG_DOMAIN_MAX];
    uint32_t exclude_count;
} ad_config_domain_filter;

/* TLS client settings (otlp_http.tls, nng.tls): the same keys for both transports. */
typedef struct ad_config_tls {
    char ca_file[AD_CONFIG_PATH_MAX];
    char cert_file[AD_CONFIG_PATH_MAX];
    char key_file[AD_CONFIG_PATH_MAX];
    char server_name[AD_CONFIG_HOST_MAX];
    bool insecure_skip_verify;
} ad_config_tls;

typedef struct ad_config_otlp_http {
    char endpoint[AD_CONFIG_URL_MAX];      /* base URL; "v1/logs" is appended */
    char logs_endpoint[AD_CONFIG_URL_MAX]; /* full URL, used as is; wins over endpoint */
    char url[AD_CONFIG_URL_MAX];           /* effective POST URL (derived) */
    char url_origin[64];                   /* which key or variable gave url (for dumps) */
    ad_config_header headers[AD_CONFIG_MAX_HEADERS]; /* file, headers_file, then env */
    uint32_t header_count;
    char headers_file[AD_CONFIG_PATH_MAX];
    ad_compression compression;
    uint64_t timeout_ms; /* per request; 0 = no limit */
    ad_config_tls tls;
} ad_config_otlp_http;

/* spool: (docs/SPOOL.md) */
typedef enum ad_config_spool_fsync {
    AD_CONFIG_SPOOL_FSYNC_BATCH,
    AD_CONFIG_SPOOL_FSYNC_ALWAYS,
    AD_CONFIG_SPOOL_FSYNC_INTERVAL
} ad_config_spool_fsync;
typedef enum ad_config_spool_full {
    AD_CONFIG_SPOOL_FULL_BLOCK,
    AD_CONFIG_SPOOL_FULL_DROP_OLDEST
} ad_config_spool_full;
typedef enum ad_config_spool_compression {
    AD_CONFIG_SPOOL_COMPRESSION_NONE,
    AD_CONFIG_SPOOL_COMPRESSION_ZLIB
} ad_config_spool_compression;
typedef struct ad_config_spool {
    bool enabled;
    char directory[AD_CONFIG_PATH_MAX];
    uint64_t max_size;
    uint64_t max_age_ms; /* 0 = no limit */
    ad_config_spool_fsync fsync;
    uint64_t fsync_interval_ms;
    ad_config_spool_compression compression; /* per block */
    ad_config_spool_full full_policy;
} ad_config_spool;

typedef struct ad_exporter_config {
    struct {
        char name[AD_CONFIG_NAME_MAX];
        char directory[AD_CONFIG_PATH_MAX];      /* POSIX: capture's ring.directory */
        char expected_owner[AD_CONFIG_NAME_MAX]; /* user (or uid / SID) that must own the ring */
    } ring;
    ad_exporter_type type; /* `exporter: {type: ...}` */
    ad_config_otlp_http otlp_http;
    struct {
        char url[AD_CONFIG_URL_MAX];
        ad_nng_mode mode;
        uint64_t timeout_ms;
        uint64_t recv_max_size;
        ad_config_tls tls; /* for tls+tcp:// URLs */
    } nng;
    struct {
        uint32_t max_records;
        uint64_t max_bytes;
        uint64_t max_age_ms;
    } batch;
    struct {
        uint64_t initial_interval_ms;
        uint64_t max_interval_ms;
        uint64_t max_elapsed_ms; /* 0 = retry forever */
        double multiplier;
        double jitter; /* randomization factor: interval * (1 +- jitter) */
    } retry;
    struct {
        ad_config_attr attrs[AD_CONFIG_MAX_ATTRS];
        uint32_t attr_count;
    } resource;
    struct {
        ad_config_id_filter event_ids;
        ad_config_id_filter qtypes;
        ad_config_domain_filter domains;
    } filters;
    struct {
        char listen[AD_CONFIG_HOST_MAX]; /* "host:port"; empty = no metrics endpoint */
    } metrics;
    ad_config_spool spool;
    ad_config_log log;
    uint32_t log_summary_seconds; /* log.summary_seconds: one counter line per period, 0 = off */
    char host_name[AD_CONFIG_HOST_MAX]; /* empty = the OS host name */
} ad_exporter_config;

/*
 * Loads exporter.yaml from path into *cfg; for type otlp_http it then reads headers_file (if
 * given) and applies the OTEL_EXPORTER_OTLP_* variables looked up through getenv_fn (NULL =
 * process environment).
 * On failure err holds "FILE:LINE:COLUMN: message", "FILE: message" (I/O) or
 * "VARIABLE: message" (environment); *cfg is unspecified.
 */
ad_err ad_config_load_exporter(const char *path, ad_config_getenv_fn getenv_fn,
                               ad_exporter_config *cfg, char *err, size_t errlen);

/* Same from memory; name stands for the file name in messages. */
ad_err ad_config_load_exporter_mem(const char *name, const char *data, size_t len,
                                   ad_config_getenv_fn getenv_fn, ad_exporter_config *cfg,
                                   char *err, size_t errlen);

/* Emits the effective configuration, one "key: value" line at a time, secrets redacted. */
void ad_config_dump_exporter(const ad_exporter_config *cfg, ad_config_line_fn line, void *ctx);

/*
 * For `asimdns-exporter --check FILE`: loads the file (and environment), then prints the
 * effective configuration with secrets redacted to out and returns 0, or prints the error to
 * errout and returns 1.
 */
int ad_config_check_exporter(const char *path, ad_config_getenv_fn getenv_fn, FILE *out,
                             FILE *errout);

#endif

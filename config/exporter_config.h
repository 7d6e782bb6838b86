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
#include "config/exporter_kafka.h"

#define AD_CONFIG_MAX_HEADERS 16
#define AD_CONFIG_HEADER_NAME_MAX 128
#define AD_CONFIG_HEADER_VALUE_MAX 4096 /* room for long bearer tokens */
#define AD_CONFIG_MAX_ATTRS 32
#define AD_CONFIG_ATTR_KEY_MAX 128
#define AD_CONFIG_ATTR_VALUE_MAX 256
#define AD_CONFIG_DOMAIN_MAX 254 /* 253 characters + NUL */
/* filters: rules (one bit each in the exporter's match masks), values over all rules, bytes
   of names over all rules. */
#define AD_CONFIG_MAX_FILTER_RULES 64
#define AD_CONFIG_MAX_FILTER_VALUES 2048
#define AD_CONFIG_FILTER_TEXT_MAX 32768
#define AD_CONFIG_FILTER_NAME_MAX 64
/* Largest headers_file accepted. */
#define AD_CONFIG_MAX_HEADERS_FILE_BYTES (64u * 1024u)
/* otlp_http.timeout and nng.timeout: every attempt is bounded (no "0 = no limit"). */
#define AD_CONFIG_TIMEOUT_MIN_MS 1u
#define AD_CONFIG_TIMEOUT_MAX_MS 3600000u

typedef enum ad_exporter_type {
    AD_EXPORTER_OTLP_HTTP = 0,
    AD_EXPORTER_NNG,
    AD_EXPORTER_CONSOLE,
    AD_EXPORTER_KAFKA,
    AD_EXPORTER_LOGS_INGESTION
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

/* The record fields a filter rule can test (docs/CONFIG.md "filters"). */
typedef enum ad_filter_field {
    AD_FF_EVENT_ID = 0,   /* event_ids: EventOriginalType, numbers */
    AD_FF_PROVIDER,       /* provider: ad_provider */
    AD_FF_EVENT_RESULT,   /* event_result: ad_asim_result */
    AD_FF_RESULT_DETAILS, /* event_result_details: names (text) */
    AD_FF_DNS_QUERY,      /* dns_query: name patterns (text + ad_filter_name_kind) */
    AD_FF_QTYPE,          /* dns_query_type: numbers */
    AD_FF_SRC_IP,         /* src_ip: CIDR */
    AD_FF_DST_IP,         /* dst_ip: CIDR */
    AD_FF_DVC_IP,         /* dvc_ip: CIDR */
    AD_FF_PROTOCOL,       /* network_protocol: ad_transport (UDP or TCP) */
    AD_FF__COUNT
} ad_filter_field;

/* What a dns_query pattern matches (text is the name, lower case, no dots at either end). */
typedef enum ad_filter_name_kind {
    AD_NAME_EXACT = 0,    /* "x.com": x.com only */
    AD_NAME_SUBDOMAINS,   /* "*.x.com": a.x.com, b.a.x.com; not x.com (as the AMA connector) */
    AD_NAME_SELF_AND_SUB, /* "**.x.com": x.com and its subdomains */
    AD_NAME_ANY           /* "*": every record that has a query name */
} ad_filter_name_kind;

/*
 * One value of one field of one rule, already parsed. CIDRs are kept in one 128-bit space:
 * IPv4 a.b.c.d/n is ::ffff:a.b.c.d/(96+n), so an IPv4-mapped IPv6 address matches IPv4 rules.
 */
typedef struct ad_config_filter_value {
    uint8_t field;  /* ad_filter_field */
    uint8_t kind;   /* dns_query: ad_filter_name_kind */
    uint8_t prefix; /* CIDR: prefix length in the 128-bit space, 0-128 */
    uint8_t reserved;
    uint32_t num;     /* event id, query type, provider, result, protocol */
    uint8_t addr[16]; /* CIDR network address, host bits zero */
    uint32_t text;    /* dns_query, event_result_details: offset into ad_config_filters.text */
    uint32_t text_len;
} ad_config_filter_value;

/* A rule: its fields AND, the values of one field OR; values[first .. first+count). */
typedef struct ad_config_filter_rule {
    char name[AD_CONFIG_FILTER_NAME_MAX];
    bool keep; /* action keep (else drop) */
    uint32_t first;
    uint32_t count;
} ad_config_filter_rule;

/* filters: rules in file order; the first matching rule decides, no match keeps the record. */
typedef struct ad_config_filters {
    ad_config_filter_rule rules[AD_CONFIG_MAX_FILTER_RULES];
    uint32_t rule_count;
    ad_config_filter_value values[AD_CONFIG_MAX_FILTER_VALUES];
    uint32_t value_count;
    char text[AD_CONFIG_FILTER_TEXT_MAX]; /* names, each NUL-terminated */
    uint32_t text_len;
} ad_config_filters;

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
    uint64_t timeout_ms; /* per request, AD_CONFIG_TIMEOUT_MIN_MS..AD_CONFIG_TIMEOUT_MAX_MS */
    ad_config_tls tls;
} ad_config_otlp_http;

/* Microsoft Sentinel / Azure Monitor Logs Ingestion API (docs/SENTINEL.md). */
typedef enum ad_azure_auth_method {
    AD_AZ_AUTH_CLIENT_SECRET = 0,
    AD_AZ_AUTH_CLIENT_CERTIFICATE,
    AD_AZ_AUTH_MANAGED_IDENTITY
} ad_azure_auth_method;

typedef enum ad_azure_cloud {
    AD_AZ_CLOUD_PUBLIC = 0,
    AD_AZ_CLOUD_USGOV,
    AD_AZ_CLOUD_CHINA
} ad_azure_cloud;

/* Which managed identity endpoint: auto = Arc when its agent is installed, else IMDS. */
typedef enum ad_azure_mi_source {
    AD_AZ_MI_AUTO = 0,
    AD_AZ_MI_IMDS,
    AD_AZ_MI_ARC
} ad_azure_mi_source;

#define AD_CONFIG_AZURE_ID_MAX 128
#define AD_CONFIG_ENV_NAME_MAX 128

typedef struct ad_config_azure_auth {
    ad_azure_auth_method method;
    ad_azure_cloud cloud;
    char tenant_id[AD_CONFIG_AZURE_ID_MAX];
    char client_id[AD_CONFIG_AZURE_ID_MAX]; /* app id; for managed_identity: user-assigned */
    /* The secret itself never sits in the YAML: a file or an environment variable names it. */
    char client_secret_file[AD_CONFIG_PATH_MAX];
    char client_secret_env[AD_CONFIG_ENV_NAME_MAX];
    char certificate_file[AD_CONFIG_PATH_MAX]; /* PEM certificate (its thumbprint goes in x5t) */
    char key_file[AD_CONFIG_PATH_MAX];         /* PEM private key signing the assertion */
    ad_azure_mi_source managed_identity;
    char authority_host[AD_CONFIG_URL_MAX];    /* override; default from cloud */
    char scope[AD_CONFIG_URL_MAX];             /* override; default from cloud */
    char identity_endpoint[AD_CONFIG_URL_MAX]; /* override of the IMDS / Arc token URL */
    char arc_token_dir[AD_CONFIG_PATH_MAX];    /* where Arc's challenge files must lie */
    uint64_t refresh_before_ms;                /* renew a token this long before it expires */
} ad_config_azure_auth;

typedef struct ad_config_logs_ingestion {
    char endpoint[AD_CONFIG_URL_MAX]; /* DCE or DCR logs ingestion endpoint */
    char dcr_immutable_id[AD_CONFIG_AZURE_ID_MAX];
    char stream[AD_CONFIG_AZURE_ID_MAX];
    ad_compression compression;
    uint64_t timeout_ms;
    uint64_t max_request_bytes; /* uncompressed body per request (the service: 1 MB) */
    ad_config_tls tls;          /* for the ingestion and the token endpoints */
    ad_config_azure_auth auth;
} ad_config_logs_ingestion;

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

/* aggregate: identical events as one row (exporter/aggregate.h, docs/CONFIG.md "aggregate") */
#define AD_CONFIG_MAX_AGG_KEYS 16
#define AD_CONFIG_AGG_KEY_MAX 40
typedef struct ad_config_aggregate {
    bool enabled;
    uint64_t window_ms;
    uint32_t max_keys;                                       /* open rows held at most */
    char key[AD_CONFIG_MAX_AGG_KEYS][AD_CONFIG_AGG_KEY_MAX]; /* ASIM attribute names */
    uint32_t key_count;                                      /* 0 = the default key */
} ad_config_aggregate;

/* The attribute names aggregate.key accepts (those the ASIM mapping writes and that may
   group records), NULL-terminated. */
extern const char *const ad_config_aggregate_attrs[];

typedef struct ad_exporter_config {
    struct {
        char name[AD_CONFIG_NAME_MAX];
        char directory[AD_CONFIG_PATH_MAX];      /* POSIX: capture's ring.directory */
        char expected_owner[AD_CONFIG_NAME_MAX]; /* user (or uid / SID) that must own the ring */
    } ring;
    ad_exporter_type type; /* `exporter: {type: ...}` */
    ad_config_otlp_http otlp_http;
    ad_config_logs_ingestion logs_ingestion;
    struct {
        char url[AD_CONFIG_URL_MAX];
        ad_nng_mode mode;
        uint64_t timeout_ms;
        uint64_t recv_max_size;
        ad_config_tls tls; /* for tls+tcp:// URLs */
    } nng;
    ad_config_kafka kafka;
    struct {
        uint32_t max_records;
        uint64_t max_bytes;
        uint64_t max_age_ms;
        uint32_t max_in_flight;       /* batches awaiting acknowledgement (pipeline.h) */
        uint32_t compression_workers; /* gzip at once in the sending threads; 0 = per CPU */
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
    ad_config_filters filters;
    struct {
        char listen[AD_CONFIG_HOST_MAX]; /* "host:port"; empty = no metrics endpoint */
    } metrics;
    ad_config_spool spool;
    ad_config_aggregate aggregate;
    ad_config_log log;
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

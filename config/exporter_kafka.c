/* asimdns config: the `kafka` section of exporter.yaml (config/exporter_kafka.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfg_load.h"
#include "config/exporter_kafka_schema.h"

typedef ad_config_kafka K;

/* Whether this build has the transport (librdkafka): not the Windows build. */
#ifdef AD_HAVE_KAFKA
#define HAVE_KAFKA true
#else
#define HAVE_KAFKA false
#endif

static const ad__cfg_enum encodings[] = {{"otlp_proto", AD_KAFKA_OTLP_PROTO},
                                         {"otlp_json", AD_KAFKA_OTLP_JSON},
                                         {"asim_json", AD_KAFKA_ASIM_JSON},
                                         {NULL, 0}};

/* Every codec Debian's librdkafka 2.0.2 is built with (builtin.features). */
static const ad__cfg_enum compressions[] = {
    {"none", AD_KAFKA_COMPRESS_NONE},     {"gzip", AD_KAFKA_COMPRESS_GZIP},
    {"lz4", AD_KAFKA_COMPRESS_LZ4},       {"zstd", AD_KAFKA_COMPRESS_ZSTD},
    {"snappy", AD_KAFKA_COMPRESS_SNAPPY}, {NULL, 0}};

static const ad__cfg_enum partition_keys[] = {{"host", AD_KAFKA_KEY_HOST},
                                              {"dns_query", AD_KAFKA_KEY_DNS_QUERY},
                                              {"src_ip", AD_KAFKA_KEY_SRC_IP},
                                              {NULL, 0}};

static const ad__cfg_enum acks[] = {
    {"all", AD_KAFKA_ACKS_ALL}, {"leader", AD_KAFKA_ACKS_LEADER}, {NULL, 0}};

static const ad__cfg_enum sasl_mechanisms[] = {{"none", AD_KAFKA_SASL_NONE},
                                               {"plain", AD_KAFKA_SASL_PLAIN},
                                               {"scram-sha-256", AD_KAFKA_SASL_SCRAM_SHA_256},
                                               {"scram-sha-512", AD_KAFKA_SASL_SCRAM_SHA_512},
                                               {NULL, 0}};

/* Kafka topic names: 1-249 of [A-Za-z0-9._-]. */
static bool check_topic(char *text, char *why, size_t whylen)
{
    size_t n = strlen(text);
    if (n == 0 || n > 249 ||
        strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789._-") != n) {
        snprintf(why, whylen, "a topic name is 1-249 characters of A-Z a-z 0-9 . _ -");
        return false;
    }
    return true;
}

/* host:port[,host:port...]: no spaces, each entry with a port. */
static bool check_brokers(char *text, char *why, size_t whylen)
{
    const char *p = text;
    if (*p == '\0')
        goto bad;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        const char *colon = NULL;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)p[i];
            if (c <= ' ' || c >= 0x7f)
                goto bad;
            if (c == ':')
                colon = p + i;
        }
        if (colon == NULL || colon == p || colon + 1 == p + n)
            goto bad;
        for (const char *d = colon + 1; d < p + n; d++)
            if (*d < '0' || *d > '9')
                goto bad;
        p += n;
        if (*p == ',' && *++p == '\0')
            goto bad;
    }
    return true;
bad:
    snprintf(why, whylen, "expected host:port[,host:port...] without spaces");
    return false;
}

static const ad__cfg_entry tls_table[] = {
    {.name = "enabled",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(K, tls.enabled),
     .def = "false",
     .help = "TLS to the brokers (Event Hubs: true)"},
    {.name = "ca_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, tls.ca_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM CA bundle to verify the brokers; default the system store"},
    {.name = "cert_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, tls.cert_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM client certificate (mTLS)"},
    {.name = "key_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, tls.key_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM client key (mTLS)"},
    {.name = "insecure_skip_verify",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(K, tls.insecure_skip_verify),
     .def = "false",
     .help = "do not verify the brokers' certificates (testing only)"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry sasl_table[] = {
    {.name = "mechanism",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(K, sasl.mechanism),
     .def = "none",
     .aux = sasl_mechanisms,
     .help = "SASL mechanism (Event Hubs: plain)"},
    {.name = "username",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, sasl.username),
     .check = ad__cfg_check_nonempty,
     .help = "SASL user (Event Hubs: $ConnectionString)"},
    {.name = "password_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, sasl.password_file),
     .check = ad__cfg_check_nonempty,
     .help = "file holding the password or connection string (secret)"},
    {.name = "password_env",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, sasl.password_env),
     .check = ad__cfg_check_nonempty,
     .help = "environment variable holding the password (secret)"},
    {.type = AD__CFG_T_END},
};

const ad__cfg_entry ad__exporter_kafka_table[] = {
    {.name = "brokers",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, brokers),
     .check = check_brokers,
     .help = "bootstrap brokers host:port[,host:port...]"},
    {.name = "topic",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, topic),
     .check = check_topic,
     .help = "topic to produce to"},
    {.name = "encoding",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(K, encoding),
     .def = "otlp_proto",
     .aux = encodings,
     .help = "message payload"},
    {.name = "compression",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(K, compression),
     .def = "lz4",
     .aux = compressions,
     .help = "producer compression codec"},
    {.name = "partition_key",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(K, partition_key),
     .def = "host",
     .aux = partition_keys,
     .help = "message key: host name, DnsQuery or SrcIpAddr"},
    {.name = "acks",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(K, acks),
     .def = "all",
     .aux = acks,
     .help = "acknowledgement by all in-sync replicas or the leader"},
    {.name = "idempotence",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(K, idempotence),
     .def = "true",
     .help = "idempotent producer (no duplicates from librdkafka's own retries)"},
    {.name = "client_id",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(K, client_id),
     .def = "asimdns-exporter",
     .check = ad__cfg_check_nonempty,
     .help = "client.id the brokers log and quota by"},
    {.name = "message_max_bytes",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(K, message_max_bytes),
     .def = "1000000",
     .min = 64u << 10,
     .max = 16u << 20,
     .help = "largest message (producer message.max.bytes)"},
    {.name = "timeout",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(K, timeout_ms),
     .def = "30s",
     .min = 1000,
     .max = 3600000,
     .help = "a message not acknowledged within this is retried by the exporter"},
    {.name = "linger",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(K, linger_ms),
     .def = "5ms",
     .min = 0,
     .max = 10000,
     .help = "producer linger.ms"},
    {.name = "queue_max_bytes",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(K, queue_max_bytes),
     .def = "64MiB",
     .min = 1u << 20,
     .max = 1u << 30,
     .help = "bound of librdkafka's own queue"},
    {.name = "queue_max_messages",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(K, queue_max_messages),
     .def = "100000",
     .min = 1000,
     .max = 10000000,
     .help = "bound of librdkafka's own queue, in messages"},
    {.name = "tls", .type = AD__CFG_T_SECTION, .aux = tls_table},
    {.name = "sasl", .type = AD__CFG_T_SECTION, .aux = sasl_table},
    {.type = AD__CFG_T_END},
};

static ad_err fail_at(ad__cfg_ctx *ctx, uint32_t root, const char *key, const char *msg)
{
    uint32_t at = ad__cfg_find(ctx->tree, root, key, NULL);
    if (at == 0)
        at = ad__cfg_find(ctx->tree, root, "exporter.type", NULL);
    return ad__cfg_fail(ctx, at != 0 ? at : root, "%s", msg);
}

/* Reads the SASL password; errors never quote it. */
static ad_err read_password(ad__cfg_ctx *ctx, uint32_t root, ad_config_kafka *k,
                            ad_config_getenv_fn getenv_fn)
{
    if (k->sasl.password_env[0] != '\0') {
        const char *v =
            (getenv_fn != NULL ? getenv_fn : ad_config_process_env)(k->sasl.password_env);
        size_t n = v != NULL ? strlen(v) : 0;
        if (n == 0 || n >= sizeof(k->sasl.password)) {
            char msg[256];
            snprintf(msg, sizeof(msg), "'kafka.sasl.password_env': variable %s is %s",
                     k->sasl.password_env, n == 0 ? "not set or empty" : "longer than 4095 bytes");
            return fail_at(ctx, root, "kafka.sasl.password_env", msg);
        }
        memcpy(k->sasl.password, v, n + 1);
        return AD_OK;
    }
    char *data;
    size_t len;
    char ioerr[AD_CONFIG_ERR_MAX];
    ad_err rc = ad__cfg_read_file(k->sasl.password_file, sizeof(k->sasl.password) - 1, &data, &len,
                                  ioerr, sizeof(ioerr));
    if (rc != AD_OK) {
        char msg[AD_CONFIG_ERR_MAX + 64];
        snprintf(msg, sizeof(msg), "'kafka.sasl.password_file': %s", ioerr);
        return fail_at(ctx, root, "kafka.sasl.password_file", msg);
    }
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--; /* the line end an editor adds is not part of the secret */
    bool ok = len > 0 && memchr(data, '\0', len) == NULL;
    memcpy(k->sasl.password, data, len);
    k->sasl.password[len] = '\0';
    memset(data, 0, len);
    free(data);
    if (!ok)
        return fail_at(ctx, root, "kafka.sasl.password_file",
                       "'kafka.sasl.password_file' is empty or holds a NUL byte");
    return AD_OK;
}

ad_err ad__exporter_kafka_post(ad__cfg_ctx *ctx, uint32_t root, ad_exporter_config *cfg,
                               ad_config_getenv_fn getenv_fn, bool read_files)
{
    if (cfg->type != AD_EXPORTER_KAFKA)
        return AD_OK;
    if (!HAVE_KAFKA)
        return fail_at(ctx, root, "exporter.type",
                       "'exporter.type' kafka is not available in this build: it needs "
                       "librdkafka, which the Windows build does not include (docs/CONFIG.md "
                       "\"kafka\")");
    ad_config_kafka *k = &cfg->kafka;
    if (k->brokers[0] == '\0' || k->topic[0] == '\0')
        return fail_at(ctx, root, "exporter.type",
                       "'kafka.brokers' and 'kafka.topic' are required when 'exporter.type' is "
                       "kafka");
    if (k->idempotence && k->acks != AD_KAFKA_ACKS_ALL)
        return fail_at(ctx, root, "kafka.acks",
                       "'kafka.idempotence' needs 'kafka.acks: all' (set idempotence: false to "
                       "use acks: leader)");
    if ((k->tls.cert_file[0] != '\0') != (k->tls.key_file[0] != '\0'))
        return fail_at(ctx, root,
                       k->tls.cert_file[0] != '\0' ? "kafka.tls.cert_file" : "kafka.tls.key_file",
                       "'kafka.tls.cert_file' and 'kafka.tls.key_file' go together");
    bool sasl = k->sasl.mechanism != AD_KAFKA_SASL_NONE;
    bool has_file = k->sasl.password_file[0] != '\0', has_env = k->sasl.password_env[0] != '\0';
    if (sasl && (k->sasl.username[0] == '\0' || has_file == has_env))
        return fail_at(ctx, root, "kafka.sasl.mechanism",
                       "SASL needs 'kafka.sasl.username' and exactly one of "
                       "'kafka.sasl.password_file' and 'kafka.sasl.password_env' (a password is "
                       "never written in exporter.yaml)");
    if (!sasl && (k->sasl.username[0] != '\0' || has_file || has_env))
        return fail_at(ctx, root, "kafka.sasl.username",
                       "'kafka.sasl' credentials are given but 'kafka.sasl.mechanism' is none");

    /* A batch becomes one message (otlp encodings): it must fit message_max_bytes, with room
       for the message's own framing (and the JSON form's growth over protobuf). */
    uint64_t fit =
        k->encoding == AD_KAFKA_OTLP_JSON ? k->message_max_bytes / 4 : k->message_max_bytes - 16384;
    bool batch_set = ad__cfg_find(ctx->tree, root, "batch.max_bytes", NULL) != 0;
    if (k->encoding != AD_KAFKA_ASIM_JSON) {
        if (!batch_set && cfg->batch.max_bytes > fit)
            cfg->batch.max_bytes = fit;
        else if (batch_set && cfg->batch.max_bytes > fit) {
            char msg[256];
            snprintf(msg, sizeof(msg),
                     "'batch.max_bytes' must be at most %llu for kafka encoding %s "
                     "(kafka.message_max_bytes %llu)",
                     (unsigned long long)fit,
                     k->encoding == AD_KAFKA_OTLP_JSON ? "otlp_json (4x growth)" : "otlp_proto",
                     (unsigned long long)k->message_max_bytes);
            return fail_at(ctx, root, "batch.max_bytes", msg);
        }
        /* A per-record key needs one record per request. */
        if (k->partition_key != AD_KAFKA_KEY_HOST)
            cfg->batch.max_records = 1;
    }
    if (sasl && read_files)
        return read_password(ctx, root, k, getenv_fn);
    return AD_OK;
}

/*
 * asimdns: the `kafka` section of exporter.yaml (exporter.type: kafka, docs/CONFIG.md "kafka").
 *
 * The SASL password is a secret: it comes only from a file (sasl.password_file) or an
 * environment variable (sasl.password_env), never from exporter.yaml itself; it is read at load
 * into `password`, which is not a schema key, so dumps and `--check` never show it.
 */
#ifndef AD_CONFIG_EXPORTER_KAFKA_H
#define AD_CONFIG_EXPORTER_KAFKA_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"

#define AD_CONFIG_KAFKA_BROKERS_MAX 1024
#define AD_CONFIG_KAFKA_TOPIC_MAX 250     /* Kafka: at most 249 characters */
#define AD_CONFIG_KAFKA_PASSWORD_MAX 4096 /* room for an Event Hubs connection string */

/* What one Kafka message carries. */
typedef enum ad_kafka_encoding {
    AD_KAFKA_OTLP_PROTO = 0, /* one ExportLogsServiceRequest (protobuf) per message */
    AD_KAFKA_OTLP_JSON,      /* the same request in OTLP/JSON */
    AD_KAFKA_ASIM_JSON       /* one ASIM row (JSON object) per message */
} ad_kafka_encoding;

typedef enum ad_kafka_compression {
    AD_KAFKA_COMPRESS_NONE = 0,
    AD_KAFKA_COMPRESS_GZIP,
    AD_KAFKA_COMPRESS_LZ4,
    AD_KAFKA_COMPRESS_ZSTD,
    AD_KAFKA_COMPRESS_SNAPPY
} ad_kafka_compression;

/* The message key, which picks the partition (one key's messages stay in order). */
typedef enum ad_kafka_partition_key {
    AD_KAFKA_KEY_HOST = 0,  /* the DNS server's host name: one server's events stay ordered */
    AD_KAFKA_KEY_DNS_QUERY, /* DnsQuery of the record */
    AD_KAFKA_KEY_SRC_IP     /* SrcIpAddr of the record */
} ad_kafka_partition_key;

typedef enum ad_kafka_acks { AD_KAFKA_ACKS_ALL = 0, AD_KAFKA_ACKS_LEADER } ad_kafka_acks;

typedef enum ad_kafka_sasl {
    AD_KAFKA_SASL_NONE = 0,
    AD_KAFKA_SASL_PLAIN,
    AD_KAFKA_SASL_SCRAM_SHA_256,
    AD_KAFKA_SASL_SCRAM_SHA_512
} ad_kafka_sasl;

typedef struct ad_config_kafka {
    char brokers[AD_CONFIG_KAFKA_BROKERS_MAX]; /* host:port[,host:port...] */
    char topic[AD_CONFIG_KAFKA_TOPIC_MAX];
    ad_kafka_encoding encoding;
    ad_kafka_compression compression;
    ad_kafka_partition_key partition_key;
    ad_kafka_acks acks;
    bool idempotence;
    char client_id[AD_CONFIG_NAME_MAX];
    uint64_t message_max_bytes;
    uint64_t timeout_ms; /* message.timeout.ms: a message not acknowledged by then failed */
    uint64_t linger_ms;
    uint64_t queue_max_bytes; /* librdkafka's own queue (queue.buffering.max.kbytes) */
    uint32_t queue_max_messages;
    struct {
        bool enabled;
        char ca_file[AD_CONFIG_PATH_MAX];
        char cert_file[AD_CONFIG_PATH_MAX];
        char key_file[AD_CONFIG_PATH_MAX];
        bool insecure_skip_verify;
    } tls;
    struct {
        ad_kafka_sasl mechanism;
        char username[AD_CONFIG_NAME_MAX];
        char password_file[AD_CONFIG_PATH_MAX];
        char password_env[AD_CONFIG_NAME_MAX];
        char password[AD_CONFIG_KAFKA_PASSWORD_MAX]; /* read at load; secret; not a key */
    } sasl;
} ad_config_kafka;

#endif

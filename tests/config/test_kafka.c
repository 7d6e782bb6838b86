/*
 * asimdns tests: the kafka section of exporter.yaml (config/exporter_kafka.c): defaults, the
 * required keys, SASL secrets from a file or the environment only (never inline, never in a
 * dump or a message), the batch limits fitted to the message size, one record per request for
 * per-record partition keys. In a build without librdkafka (Windows) exporter.type kafka is a
 * clear configuration error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tests/config/config_test_util.h"

static ad_exporter_config cfg;

#define BASE "exporter: {type: kafka}\nkafka:\n  brokers: \"k1:9092,k2:9093\"\n  topic: dns.asim\n"

#ifdef AD_HAVE_KAFKA
static void load_ok(const char *yaml)
{
    test_exporter_ok(yaml, &cfg);
}
#endif

static void load_bad(const char *yaml, const char *expect)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    assert_int_not_equal(test_load_exporter(yaml, &cfg, err, sizeof(err)), AD_OK);
    if (strstr(err, expect) == NULL)
        fail_msg("error '%s' lacks '%s'", err, expect);
    assert_null(strstr(err, "s3cret")); /* the secret never reaches a message */
}

#ifdef AD_HAVE_KAFKA

static void test_defaults(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok(BASE);
    const ad_config_kafka *k = &cfg.kafka;
    assert_int_equal(cfg.type, AD_EXPORTER_KAFKA);
    assert_string_equal(k->brokers, "k1:9092,k2:9093");
    assert_string_equal(k->topic, "dns.asim");
    assert_int_equal(k->encoding, AD_KAFKA_OTLP_PROTO);
    assert_int_equal(k->compression, AD_KAFKA_COMPRESS_LZ4);
    assert_int_equal(k->partition_key, AD_KAFKA_KEY_HOST);
    assert_int_equal(k->acks, AD_KAFKA_ACKS_ALL);
    assert_true(k->idempotence);
    assert_string_equal(k->client_id, "asimdns-exporter");
    assert_int_equal(k->message_max_bytes, 1000000);
    assert_int_equal(k->timeout_ms, 30000);
    assert_int_equal(cfg.retry.max_elapsed_ms, 0); /* outages are retried without bound */
    /* One batch is one message: the 4 MiB default batch shrinks to fit. */
    assert_int_equal(cfg.batch.max_bytes, 1000000 - 16384);
    assert_int_equal(cfg.batch.max_records, 8192);
}

static void test_required_and_checked(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_bad("exporter: {type: kafka}\n", "'kafka.brokers' and 'kafka.topic' are required");
    load_bad("exporter: {type: kafka}\nkafka: {brokers: \"k:1\"}\n", "are required");
    load_bad("exporter: {type: kafka}\nkafka: {brokers: k1, topic: t}\n", "host:port");
    load_bad("exporter: {type: kafka}\nkafka: {brokers: \"k:1, k:2\", topic: t}\n", "host:port");
    load_bad("exporter: {type: kafka}\nkafka: {brokers: \"k:1,\", topic: t}\n", "host:port");
    load_bad("exporter: {type: kafka}\nkafka: {brokers: \"k:1\", topic: \"a b\"}\n", "topic name");
    load_bad(BASE "  compression: brotli\n", "compression");
    load_bad(BASE "  acks: leader\n", "'kafka.idempotence' needs 'kafka.acks: all'");
    load_ok(BASE "  acks: leader\n  idempotence: false\n");
    load_bad(BASE "  tls: {cert_file: /c.pem}\n", "go together");
    load_bad(BASE "  message_max_bytes: 1KiB\n", "message_max_bytes");
}

static void test_batch_fits_the_message(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_bad(BASE "batch: {max_bytes: 4MiB}\n", "'batch.max_bytes' must be at most");
    load_ok(BASE "  encoding: otlp_json\n");
    assert_int_equal(cfg.batch.max_bytes, 1000000 / 4);                /* room for the JSON form */
    load_ok(BASE "  encoding: asim_json\nbatch: {max_bytes: 4MiB}\n"); /* one row per message */
    assert_int_equal(cfg.batch.max_bytes, 4u << 20);
    load_ok(BASE "  partition_key: dns_query\n");
    assert_int_equal(cfg.batch.max_records, 1); /* a request per key */
    load_ok(BASE "  partition_key: src_ip\n  encoding: asim_json\n");
    assert_int_equal(cfg.batch.max_records, 8192);
}

static void test_sasl_secret_from_file(void **state)
{
    (void)state;
    test_env_set(NULL);
    const char conn[] = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;"
                        "SharedAccessKey=s3cret\r\n";
    const char *path = test_write_file("kafka-conn.txt", conn, sizeof(conn) - 1);
    char yaml[2048];
    snprintf(yaml, sizeof(yaml),
             BASE "  tls: {enabled: true}\n  sasl:\n    mechanism: plain\n"
                  "    username: \"$ConnectionString\"\n    password_file: %s\n",
             path);
    load_ok(yaml);
    assert_int_equal(cfg.kafka.sasl.mechanism, AD_KAFKA_SASL_PLAIN);
    assert_string_equal(cfg.kafka.sasl.username, "$ConnectionString");
    assert_int_equal(strlen(cfg.kafka.sasl.password), sizeof(conn) - 3); /* no line end */
    assert_non_null(strstr(cfg.kafka.sasl.password, "SharedAccessKey=s3cret"));
    static test_dump dump;
    memset(&dump, 0, sizeof(dump));
    ad_config_dump_exporter(&cfg, test_dump_line, &dump);
    assert_null(strstr(dump.text, "s3cret"));
    assert_non_null(strstr(dump.text, "kafka.sasl.password_file"));

    const char *empty = test_write_file("kafka-empty.txt", "\n", 1);
    snprintf(yaml, sizeof(yaml),
             BASE "  sasl: {mechanism: plain, username: u, password_file: %s}\n", empty);
    load_bad(yaml, "is empty");
    load_bad(BASE "  sasl: {mechanism: plain, username: u, password_file: /nonexistent/p}\n",
             "password_file");
}

static void test_sasl_secret_from_env_never_inline(void **state)
{
    (void)state;
    static const char *const env[] = {"KAFKA_PASSWORD=s3cret", NULL};
    test_env_set(env);
    load_ok(BASE "  sasl: {mechanism: scram-sha-512, username: u, password_env: KAFKA_PASSWORD}\n");
    assert_int_equal(cfg.kafka.sasl.mechanism, AD_KAFKA_SASL_SCRAM_SHA_512);
    assert_string_equal(cfg.kafka.sasl.password, "s3cret");
    load_bad(BASE "  sasl: {mechanism: scram-sha-256, username: u, password_env: NOPE}\n",
             "variable NOPE is not set");
    /* A password written in the file is no key at all. */
    load_bad(BASE "  sasl: {mechanism: plain, username: u, password: s3cret}\n", "password");
    load_bad(BASE "  sasl: {mechanism: plain, username: u}\n", "exactly one of");
    load_bad(BASE "  sasl: {mechanism: plain, username: u, password_env: KAFKA_PASSWORD, "
                  "password_file: /p}\n",
             "exactly one of");
    load_bad(BASE "  sasl: {username: u}\n", "'kafka.sasl.mechanism' is none");
    test_env_set(NULL);
}

static void test_other_types_ignore_kafka(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_ok("exporter: {type: console}\nkafka: {topic: t}\n"); /* not required, not checked */
    assert_int_equal(cfg.batch.max_bytes, 2u << 20);
}

#else

/* The Windows build has no librdkafka: the type is refused before anything starts. */
static void test_refused_without_librdkafka(void **state)
{
    (void)state;
    test_env_set(NULL);
    load_bad(BASE, "'exporter.type' kafka is not available in this build");
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#ifdef AD_HAVE_KAFKA
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_required_and_checked),
        cmocka_unit_test(test_batch_fits_the_message),
        cmocka_unit_test(test_sasl_secret_from_file),
        cmocka_unit_test(test_sasl_secret_from_env_never_inline),
        cmocka_unit_test(test_other_types_ignore_kafka),
#else
        cmocka_unit_test(test_refused_without_librdkafka),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

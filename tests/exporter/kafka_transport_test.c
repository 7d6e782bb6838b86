/*
 * asimdns tests: exporter/transport_kafka.c against librdkafka's mock cluster in this process
 * (rdkafka_mock.h, 3 brokers on 127.0.0.1): the answers the pipeline acts on.
 *   - every message acknowledged -> OK, and a consumer reads them back with their headers and
 *     keys (otlp_proto: one request per message; asim_json: one row per message, keyed by
 *     DnsQuery);
 *   - every broker down -> RETRY once kafka.timeout passed, never OK (the pipeline then keeps
 *     the records in the ring); the same batch sent after the brokers are back -> OK;
 *   - produce requests refused with an authorization error -> RETRY with the broker's error in
 *     the message and fatal_errors 1 (transport_fatal_errors);
 *   - librdkafka's fatal producer state -> RETRY, fatal_errors 1, the broker's error text, and
 *     a new producer instance on the next send;
 *   - a stop request (the tick hook says no) while no broker answers -> RETRY within the
 *     purge bound, not after kafka.timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "exporter/otlp_batch.h"
#include "exporter/otlp_scan.h"
#include "exporter/transport.h"

#define TOPIC "asimdns-unit"

static rd_kafka_t *owner;
static rd_kafka_mock_cluster_t *mc;
static ad_exporter_config cfg;

static int setup(void **state)
{
    (void)state;
    char err[256];
    owner = rd_kafka_new(RD_KAFKA_PRODUCER, rd_kafka_conf_new(), err, sizeof(err));
    if (owner == NULL)
        return -1;
    mc = rd_kafka_mock_cluster_new(owner, 3);
    if (mc == NULL || rd_kafka_mock_topic_create(mc, TOPIC, 3, 3) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(owner);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ad_xport *make(ad_kafka_encoding enc, ad_kafka_partition_key key, uint64_t timeout_ms)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.type = AD_EXPORTER_KAFKA;
    snprintf(cfg.host_name, sizeof(cfg.host_name), "dns1.example.org");
    ad_config_kafka *k = &cfg.kafka;
    snprintf(k->brokers, sizeof(k->brokers), "%s", rd_kafka_mock_cluster_bootstraps(mc));
    snprintf(k->topic, sizeof(k->topic), TOPIC);
    snprintf(k->client_id, sizeof(k->client_id), "unit");
    k->encoding = enc;
    k->partition_key = key;
    k->compression = AD_KAFKA_COMPRESS_LZ4;
    k->idempotence = true;
    k->acks = AD_KAFKA_ACKS_ALL;
    k->message_max_bytes = 1000000;
    k->timeout_ms = timeout_ms;
    k->linger_ms = 1;
    k->queue_max_bytes = 8u << 20;
    k->queue_max_messages = 10000;
    ad_xport *t;
    char err[256];
    if (ad_xport_create(&cfg, &t, err, sizeof(err)) != AD_OK)
        fail_msg("create: %s", err);
    assert_int_equal(t->payload,
                     enc == AD_KAFKA_ASIM_JSON ? AD_PAYLOAD_JSON_LINES : AD_PAYLOAD_OTLP);
    return t;
}

/* An OTLP request of n records with ids "ab-FIRST" .. */
static ad_otlp_batch *otlp_batch(uint64_t first, unsigned n, const uint8_t **data, size_t *len)
{
    ad_otlp_batch *b;
    assert_int_equal(ad_otlp_batch_create(NULL, &b), AD_OK);
    for (unsigned i = 0; i < n; i++) {
        static ad_asim a;
        memset(&a, 0, sizeof(a));
        a.service_name = "windows_dns_server";
        a.time_ns = 1;
        char *id = a.scratch;
        int idlen = snprintf(id, 32, "ab-%llu", (unsigned long long)(first + i));
        a.attrs[0] = (ad_attr){
            .key = "asimdns.record_id", .kind = AD_ATTR_STR, .str = id, .len = (size_t)idlen};
        a.attrs[1] =
            (ad_attr){.key = "DnsQuery", .kind = AD_ATTR_STR, .str = "q.example", .len = 9};
        a.nattrs = 2;
        assert_int_equal(ad_otlp_batch_add(b, &a, 2), AD_OK);
    }
    assert_int_equal(ad_otlp_batch_finish(b, data, len), AD_OK);
    return b;
}

/* Messages of TOPIC from offset 0, all partitions: count, and the headers of the last one. */
typedef struct readback {
    unsigned messages;
    unsigned with_ids_header;
    char last_ids[128];
    char last_key[64];
    char last_encoding[32];
} readback;

static readback read_topic(unsigned want)
{
    readback rb = {0};
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers",
                                       rd_kafka_mock_cluster_bootstraps(mc), err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    assert_int_equal(rd_kafka_conf_set(conf, "group.id", "unit", err, sizeof(err)),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(3);
    for (int p = 0; p < 3; p++)
        rd_kafka_topic_partition_list_add(l, TOPIC, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    double end = now_s() + 20;
    while (rb.messages < want && now_s() < end) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rb.messages++;
            rd_kafka_headers_t *h;
            const void *v;
            size_t n;
            if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (rd_kafka_header_get_last(h, "asimdns.record_ids", &v, &n) == 0) {
                    rb.with_ids_header++;
                    snprintf(rb.last_ids, sizeof(rb.last_ids), "%.*s", (int)n, (const char *)v);
                }
                if (rd_kafka_header_get_last(h, "asimdns.encoding", &v, &n) == 0)
                    snprintf(rb.last_encoding, sizeof(rb.last_encoding), "%.*s", (int)n,
                             (const char *)v);
            }
            snprintf(rb.last_key, sizeof(rb.last_key), "%.*s", (int)m->key_len,
                     (const char *)m->key);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rb;
}

static unsigned topic_messages;

static void test_otlp_proto_acknowledged(void **state)
{
    (void)state;
    const uint8_t *data;
    size_t len;
    ad_otlp_batch *b = otlp_batch(10, 50, &data, &len);
    ad_xport *t = make(AD_KAFKA_OTLP_PROTO, AD_KAFKA_KEY_HOST, 10000);
    ad_send_result r;
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    assert_int_equal(r.status, AD_SEND_OK);
    assert_int_equal(r.wire_bytes, len);
    assert_int_equal(r.fatal_errors, 0);
    ad_xport_destroy(t);
    ad_otlp_batch_destroy(b);
    topic_messages += 1;
    readback rb = read_topic(topic_messages);
    assert_int_equal(rb.messages, topic_messages);
    assert_string_equal(rb.last_ids, "ab-10..ab-59");
    assert_string_equal(rb.last_encoding, "otlp_proto");
    assert_string_equal(rb.last_key, "dns1.example.org");
}

static void test_asim_json_rows_keyed_by_query(void **state)
{
    (void)state;
    const char rows[] = "{\"asimdns.record_id\":\"ab-1\",\"DnsQuery\":\"a.example\"}\n"
                        "{\"asimdns.record_id\":\"ab-2\",\"DnsQuery\":\"b\\\"x.example\"}\n"
                        "{\"asimdns.record_id\":\"ab-3\",\"DnsQuery\":\"c.example\"}\n";
    ad_xport *t = make(AD_KAFKA_ASIM_JSON, AD_KAFKA_KEY_DNS_QUERY, 10000);
    ad_send_result r;
    assert_int_equal(ad_xport_send(t, (const uint8_t *)rows, strlen(rows), &r), AD_OK);
    assert_int_equal(r.status, AD_SEND_OK);
    ad_xport_destroy(t);
    topic_messages += 3;
    readback rb = read_topic(topic_messages);
    assert_int_equal(rb.messages, topic_messages);
    assert_int_equal(rb.with_ids_header, topic_messages);
    assert_string_equal(rb.last_encoding, "asim_json");
}

static void test_brokers_down_retry_then_ok(void **state)
{
    (void)state;
    const uint8_t *data;
    size_t len;
    ad_otlp_batch *b = otlp_batch(100, 20, &data, &len);
    ad_xport *t = make(AD_KAFKA_OTLP_PROTO, AD_KAFKA_KEY_HOST, 1500);
    assert_int_equal(rd_kafka_mock_broker_set_down(mc, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ad_send_result r;
    double t0 = now_s();
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    double took = now_s() - t0;
    assert_int_equal(r.status, AD_SEND_RETRY); /* never acknowledged: the ring keeps it */
    assert_true(took >= 1.0 && took < 10.0);
    assert_non_null(strstr(r.message, "not acknowledged"));
    assert_int_equal(rd_kafka_mock_broker_set_up(mc, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    r.status = AD_SEND_RETRY;
    for (int i = 0; i < 10 && r.status != AD_SEND_OK; i++)
        assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    assert_int_equal(r.status, AD_SEND_OK);
    ad_xport_destroy(t);
    ad_otlp_batch_destroy(b);
}

static void test_authorization_error_is_fatal(void **state)
{
    (void)state;
    const uint8_t *data;
    size_t len;
    ad_otlp_batch *b = otlp_batch(200, 5, &data, &len);
    ad_xport *t = make(AD_KAFKA_OTLP_PROTO, AD_KAFKA_KEY_HOST, 5000);
    rd_kafka_mock_push_request_errors(mc, 0 /* Produce */, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    ad_send_result r;
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.fatal_errors, 1);
    assert_non_null(strstr(r.message, "authorization"));
    /* The ACL fixed (the error stack is empty again): the same batch goes through. */
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    if (r.status != AD_SEND_OK)
        fail_msg("after the error: %d %s", r.status, r.message);
    assert_int_equal(r.fatal_errors, 0);
    ad_xport_destroy(t);
    ad_otlp_batch_destroy(b);
}

/* librdkafka's fatal idempotence state (the broker refused the producer id: no
   IdempotentWrite permission): reported with the broker's error, and a new producer instance
   takes over on the next send. */
static void test_fatal_producer_state_recovers(void **state)
{
    (void)state;
    const uint8_t *data;
    size_t len;
    ad_otlp_batch *b = otlp_batch(250, 5, &data, &len);
    rd_kafka_mock_push_request_errors(mc, 22 /* InitProducerId */, 1,
                                      RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);
    ad_xport *t = make(AD_KAFKA_OTLP_PROTO, AD_KAFKA_KEY_HOST, 5000);
    ad_send_result r;
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.fatal_errors, 1);
    assert_non_null(strstr(r.message, "Cluster authorization failed")); /* the broker's words */
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    if (r.status != AD_SEND_OK)
        fail_msg("after the fatal error: %d %s", r.status, r.message);
    ad_xport_destroy(t);
    ad_otlp_batch_destroy(b);
}

static int ticks;
static bool stop_after_three(void *ctx)
{
    (void)ctx;
    return ++ticks < 3;
}

static void test_stop_request_cuts_the_wait(void **state)
{
    (void)state;
    const uint8_t *data;
    size_t len;
    ad_otlp_batch *b = otlp_batch(300, 5, &data, &len);
    ad_xport *t = make(AD_KAFKA_OTLP_PROTO, AD_KAFKA_KEY_HOST, 60000);
    ad_xport_set_tick(t, stop_after_three, NULL);
    assert_int_equal(rd_kafka_mock_broker_set_down(mc, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ad_send_result r;
    double t0 = now_s();
    assert_int_equal(ad_xport_send(t, data, len, &r), AD_OK);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_true(now_s() - t0 < 10.0); /* not kafka.timeout (60 s) */
    assert_int_equal(rd_kafka_mock_broker_set_up(mc, -1), RD_KAFKA_RESP_ERR_NO_ERROR);
    ad_xport_destroy(t);
    ad_otlp_batch_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_otlp_proto_acknowledged),
        cmocka_unit_test(test_asim_json_rows_keyed_by_query),
        cmocka_unit_test(test_brokers_down_retry_then_ok),
        cmocka_unit_test(test_authorization_error_is_fatal),
        cmocka_unit_test(test_fatal_producer_state_recovers),
        cmocka_unit_test(test_stop_request_cuts_the_wait),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

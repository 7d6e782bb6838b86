/*
 * asimdns-exporter: Kafka transport (exporter.type: kafka) through librdkafka, for fleets: every
 * DNS server's exporter produces to one topic of a Kafka cluster or Azure Event Hubs' Kafka
 * endpoint, which buffers, partitions and fans out (docs/FLEET.md).
 *
 * One send() turns the pipeline's batch into messages, produces them all and waits for every
 * delivery report:
 *   otlp_proto  the batch (one ExportLogsServiceRequest) is one message: what the OpenTelemetry
 *               Collector's kafkareceiver reads with encoding otlp_proto;
 *   otlp_json   the same request in OTLP/JSON (exporter/otlp_json.h), one message;
 *   asim_json   the pipeline's ASIM JSON lines, one row per message.
 * Each message carries the headers asimdns.encoding and asimdns.record_ids ("FIRST..LAST"
 * asimdns.record_id values) and a key that picks the partition: the host name (default), or the
 * record's DnsQuery / SrcIpAddr (the config then makes otlp batches one record each).
 *
 * At-least-once: send() answers OK only when every message of the batch was acknowledged
 * (acks=all by default), so the pipeline commits the ring cursor only over records whose
 * messages all arrived, in order; any failed report makes the whole batch RETRY (the messages
 * that did arrive are then sent again: the idempotent producer removes the duplicates of its
 * own retries, not those of a batch the exporter sends again after kafka.timeout). Broker
 * outages are therefore retried without bound (retry.max_elapsed 0), with librdkafka's queue
 * bounded by kafka.queue_max_bytes / queue_max_messages. The wait is bounded by kafka.timeout
 * (message.timeout.ms) and ticks the pipeline every AD_XPORT_TICK_MS; a stop request purges
 * what is still queued or in flight.
 *
 * Errors that need an operator (authentication, authorization, librdkafka's fatal producer
 * state) are logged as errors with the broker's message and reported in fatal_errors, which the
 * pipeline counts in transport_fatal_errors (`asimdns status`, /metrics); the batch stays in
 * the ring and is retried, after a fatal state with a new producer instance. A message the
 * broker refuses for good (too large, invalid record) is rejected: counted and not retried.
 */
#ifdef AD_HAVE_KAFKA

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "common/host.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "exporter/otlp_json.h"
#include "exporter/otlp_scan.h"
#include "exporter/transport.h"

#define KEY_MAX 512
#define ID_MAX 64
#define ERRTEXT_MAX 256
/* After a stop request: how long purged messages may take to report back. */
#define PURGE_WAIT_MS 5000
/* Beyond kafka.timeout, how long a send waits for the last delivery reports: librdkafka reports
   a message in flight only when its request ends (request.timeout.ms, 30 s by default). */
#define REPORT_GRACE_MS 60000

typedef struct kafka_transport {
    ad_xport base;
    const ad_config_kafka *k;
    rd_kafka_t *rk;
    char host[256];

    /* The send in progress: delivery reports of older sends (after a purge) are ignored. */
    uintptr_t send_id;
    uint64_t outstanding;
    uint64_t failed;
    rd_kafka_resp_err_t first_err;
    char first_errtext[ERRTEXT_MAX];
    /* The latest error librdkafka reported outside delivery reports (broker down, TLS, SASL). */
    char last_error[ERRTEXT_MAX];
    bool fatal; /* the instance is in librdkafka's fatal state */
    /* Make a new instance before the next send: after a fatal state, and after an error that
       needs an operator, so a fixed ACL or credential is picked up at once instead of at
       librdkafka's next metadata refresh (the topic's error is cached until then). */
    bool recreate;

    char *json; /* otlp_json: the request as JSON, at most message_max_bytes */
} kafka_transport;

static const char *const encoding_names[] = {"otlp_proto", "otlp_json", "asim_json"};
static const char *const compression_names[] = {"none", "gzip", "lz4", "zstd", "snappy"};
static const char *const sasl_names[] = {"", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

/* ---- librdkafka callbacks (served by rd_kafka_poll on the delivery thread) ---------------- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    kafka_transport *t = opaque;
    if ((uintptr_t)m->_private != t->send_id)
        return; /* a message of an abandoned send */
    if (t->outstanding > 0)
        t->outstanding--;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR && t->failed++ == 0) {
        t->first_err = m->err;
        snprintf(t->first_errtext, sizeof(t->first_errtext), "%s", rd_kafka_err2str(m->err));
    }
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    kafka_transport *t = opaque;
    snprintf(t->last_error, sizeof(t->last_error), "%s", reason);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[ERRTEXT_MAX];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof(why));
        snprintf(t->last_error, sizeof(t->last_error), "%.60s: %.190s", rd_kafka_err2name(orig),
                 why);
        t->fatal = true;
        ad_log_error("kafka: fatal producer error: %s", t->last_error);
    } else if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION ||
               err == RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED) {
        ad_log_error("kafka: authentication failed: %s", reason);
    } else {
        ad_log_debug("kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
    }
}

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    (void)level;
    ad_log_debug("librdkafka %s: %s", fac, buf);
}

/* ---- the producer ------------------------------------------------------------------------- */

static bool set(rd_kafka_conf_t *conf, const char *name, const char *value, char *err,
                size_t errlen)
{
    char why[256];
    if (rd_kafka_conf_set(conf, name, value, why, sizeof(why)) == RD_KAFKA_CONF_OK)
        return true;
    /* Never echo the value: it may be the SASL password. */
    snprintf(err, errlen, "kafka: librdkafka refused %s: %s", name, why);
    return false;
}

static bool set_u64(rd_kafka_conf_t *conf, const char *name, uint64_t v, char *err, size_t errlen)
{
    char text[32];
    snprintf(text, sizeof(text), "%llu", (unsigned long long)v);
    return set(conf, name, text, err, errlen);
}

static ad_err producer_create(kafka_transport *t, char *err, size_t errlen)
{
    const ad_config_kafka *k = t->k;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    bool tls = k->tls.enabled || k->tls.ca_file[0] || k->tls.cert_file[0];
    bool sasl = k->sasl.mechanism != AD_KAFKA_SASL_NONE;
    const char *protocol =
        sasl ? (tls ? "SASL_SSL" : "SASL_PLAINTEXT") : (tls ? "SSL" : "PLAINTEXT");
    bool ok = set(conf, "bootstrap.servers", k->brokers, err, errlen) &&
              set(conf, "client.id", k->client_id, err, errlen) &&
              set(conf, "acks", k->acks == AD_KAFKA_ACKS_ALL ? "all" : "1", err, errlen) &&
              set(conf, "enable.idempotence", k->idempotence ? "true" : "false", err, errlen) &&
              set(conf, "compression.codec", compression_names[k->compression], err, errlen) &&
              set_u64(conf, "message.max.bytes", k->message_max_bytes, err, errlen) &&
              set_u64(conf, "message.timeout.ms", k->timeout_ms, err, errlen) &&
              set_u64(conf, "linger.ms", k->linger_ms, err, errlen) &&
              set_u64(conf, "queue.buffering.max.kbytes", k->queue_max_bytes / 1024, err, errlen) &&
              set_u64(conf, "queue.buffering.max.messages", k->queue_max_messages, err, errlen) &&
              set(conf, "security.protocol", protocol, err, errlen) &&
              /* librdkafka's log lines are served by rd_kafka_poll on the delivery thread, like
                 every other callback, not from its internal threads. */
              set(conf, "log.queue", "true", err, errlen);
    if (ok && tls) {
        ok = set(conf, "ssl.ca.location", k->tls.ca_file[0] ? k->tls.ca_file : "probe", err,
                 errlen) &&
             (!k->tls.cert_file[0] ||
              (set(conf, "ssl.certificate.location", k->tls.cert_file, err, errlen) &&
               set(conf, "ssl.key.location", k->tls.key_file, err, errlen))) &&
             (!k->tls.insecure_skip_verify ||
              (set(conf, "enable.ssl.certificate.verification", "false", err, errlen) &&
               set(conf, "ssl.endpoint.identification.algorithm", "none", err, errlen)));
    }
    if (ok && sasl)
        ok = set(conf, "sasl.mechanisms", sasl_names[k->sasl.mechanism], err, errlen) &&
             set(conf, "sasl.username", k->sasl.username, err, errlen) &&
             set(conf, "sasl.password", k->sasl.password, err, errlen);
    if (!ok) {
        rd_kafka_conf_destroy(conf);
        return AD_EINVAL;
    }
    rd_kafka_conf_set_opaque(conf, t);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_log_cb(conf, on_log);
    char why[512];
    t->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (t->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "kafka: cannot create the producer: %s", why);
        return AD_EINVAL;
    }
    (void)rd_kafka_set_log_queue(t->rk, NULL); /* NULL: the main queue rd_kafka_poll serves */
    t->fatal = false;
    t->recreate = false;
    return AD_OK;
}

/* Drops the instance without waiting for what it still holds (the ring keeps those records). */
static void producer_destroy(kafka_transport *t)
{
    if (t->rk == NULL)
        return;
    rd_kafka_purge(t->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    t->send_id++; /* their reports are not this send's */
    rd_kafka_poll(t->rk, 0);
    rd_kafka_destroy_flags(t->rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    t->rk = NULL;
}

/* ---- messages ----------------------------------------------------------------------------- */

/* What one message carries besides its value. */
typedef struct msg_meta {
    const char *key;
    size_t key_len;
    char first_id[ID_MAX];
    char last_id[ID_MAX];
} msg_meta;

typedef struct scan_ids {
    msg_meta *m;
    bool any;
} scan_ids;

static void copy_id(char *dst, const char *id, size_t len)
{
    if (len >= ID_MAX)
        len = ID_MAX - 1;
    memcpy(dst, id, len);
    dst[len] = '\0';
}

static int collect_id(const char *id, size_t len, void *arg)
{
    scan_ids *s = arg;
    if (id == NULL)
        return 0;
    if (!s->any)
        copy_id(s->m->first_id, id, len);
    copy_id(s->m->last_id, id, len);
    s->any = true;
    return 0;
}

/* The key of a per-record partition key in a one-record request. */
typedef struct scan_key {
    char buf[KEY_MAX];
    size_t len;
} scan_key;

static int collect_key(const char *v, size_t len, void *arg)
{
    scan_key *s = arg;
    if (v != NULL && s->len == 0) {
        s->len = len < KEY_MAX ? len : KEY_MAX;
        memcpy(s->buf, v, s->len);
    }
    return 0;
}

static const char *key_attribute(const ad_config_kafka *k)
{
    return k->partition_key == AD_KAFKA_KEY_DNS_QUERY ? "DnsQuery" : "SrcIpAddr";
}

/*
 * The raw (still JSON-escaped) string value of "name":"..." in one ASIM JSON row; NULL when
 * absent. The escaped form is as good a key as the text: the same query gives the same bytes.
 */
static const char *json_field(const char *row, size_t len, const char *name, size_t *out_len)
{
    char pat[64];
    int n = snprintf(pat, sizeof(pat), "\"%s\":\"", name);
    for (const char *p = row; p + n <= row + len; p++) {
        if (memcmp(p, pat, (size_t)n) != 0)
            continue;
        const char *v = p + n, *e = v;
        while (e < row + len && *e != '"')
            e += (*e == '\\' && e + 1 < row + len) ? 2 : 1;
        if (e >= row + len)
            return NULL;
        *out_len = (size_t)(e - v);
        return v;
    }
    return NULL;
}

/* Errors that no retry fixes without an operator. */
static bool needs_operator(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__FATAL:
        return true;
    default:
        return false;
    }
}

/* Reports an error that needs an operator: logged with the broker's words, counted, and the
   next send uses a new producer instance. */
static void operator_error(kafka_transport *t, rd_kafka_resp_err_t e, ad_send_result *res,
                           const char *what)
{
    if (!needs_operator(e))
        return;
    res->fatal_errors = 1;
    t->recreate = true;
    if (!t->fatal) /* a fatal state was logged by on_error */
        ad_log_error("kafka: %s (broker: %s)", what,
                     t->last_error[0] ? t->last_error : "no further detail");
}

/* Hands one message to librdkafka, waiting (ticking) while its queue is full. */
static ad_err produce(kafka_transport *t, const void *value, size_t len, const msg_meta *m,
                      ad_send_result *res, bool *queued)
{
    const ad_config_kafka *k = t->k;
    *queued = false;
    char ids[2 * ID_MAX + 2];
    snprintf(ids, sizeof(ids), "%s..%s", m->first_id, m->last_id);
    for (;;) {
        rd_kafka_headers_t *h = rd_kafka_headers_new(2);
        rd_kafka_header_add(h, "asimdns.encoding", -1, encoding_names[k->encoding], -1);
        if (m->first_id[0] != '\0')
            rd_kafka_header_add(h, "asimdns.record_ids", -1, ids, -1);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            t->rk, RD_KAFKA_V_TOPIC(k->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_VALUE((void *)(uintptr_t)value, len),
            RD_KAFKA_V_KEY((void *)(uintptr_t)m->key, m->key_len), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_OPAQUE((void *)t->send_id), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            t->outstanding++;
            res->wire_bytes += len;
            *queued = true;
            return AD_OK;
        }
        rd_kafka_headers_destroy(h); /* still ours when producev failed */
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            char text[ERRTEXT_MAX];
            snprintf(text, sizeof(text), "kafka: cannot produce: %s", rd_kafka_err2str(e));
            ad_send_result_message(res, text, strlen(text));
            operator_error(t, e, res, rd_kafka_err2str(e));
            res->status =
                e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ? AD_SEND_REJECT : AD_SEND_RETRY;
            return AD_EIO;
        }
        /* kafka.queue_max_*: librdkafka's queue is full; let deliveries drain it. */
        rd_kafka_poll(t->rk, AD_XPORT_TICK_MS);
        if (t->base.tick != NULL && !t->base.tick(t->base.tick_ctx)) {
            const char *text = "kafka: stopped while the producer queue was full";
            ad_send_result_message(res, text, strlen(text));
            res->status = AD_SEND_RETRY;
            return AD_EIO;
        }
    }
}

/* The messages of an OTLP batch (otlp_proto, otlp_json): the request is one message. */
static ad_err produce_otlp(kafka_transport *t, const uint8_t *data, size_t len, ad_send_result *res,
                           bool *any)
{
    const ad_config_kafka *k = t->k;
    msg_meta m = {.key = t->host, .key_len = strlen(t->host)};
    scan_ids s = {.m = &m};
    if (ad_otlp_scan_request(data, len, "asimdns.record_id", collect_id, &s, NULL) != AD_OK) {
        const char *text = "kafka: the batch is not a valid ExportLogsServiceRequest";
        ad_send_result_message(res, text, strlen(text));
        res->status = AD_SEND_REJECT;
        return AD_EIO;
    }
    scan_key key = {.len = 0};
    if (k->partition_key != AD_KAFKA_KEY_HOST) {
        (void)ad_otlp_scan_request(data, len, key_attribute(k), collect_key, &key, NULL);
        m.key = key.buf;
        m.key_len = key.len;
    }
    const void *value = data;
    size_t vlen = len;
    if (k->encoding == AD_KAFKA_OTLP_JSON) {
        ad_strbuf sb;
        ad_strbuf_init(&sb, t->json, (size_t)k->message_max_bytes);
        ad_err e = ad_otlp_json_from_proto(data, len, &sb);
        if (e != AD_OK) {
            const char *text = e == AD_EFULL ? "kafka: the batch as OTLP/JSON exceeds "
                                               "kafka.message_max_bytes (lower batch.max_bytes)"
                                             : "kafka: the batch cannot be written as OTLP/JSON";
            ad_send_result_message(res, text, strlen(text));
            res->status = AD_SEND_REJECT;
            return AD_EIO;
        }
        value = sb.data;
        vlen = sb.len;
    }
    return produce(t, value, vlen, &m, res, any);
}

/* asim_json: one message per JSON line. */
static ad_err produce_rows(kafka_transport *t, const uint8_t *data, size_t len, ad_send_result *res,
                           bool *any)
{
    const ad_config_kafka *k = t->k;
    const char *p = (const char *)data, *end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t row_len = (size_t)((nl != NULL ? nl : end) - p);
        if (row_len > 0) {
            msg_meta m = {.key = t->host, .key_len = strlen(t->host)};
            size_t id_len;
            const char *id = json_field(p, row_len, "asimdns.record_id", &id_len);
            if (id != NULL) {
                copy_id(m.first_id, id, id_len);
                copy_id(m.last_id, id, id_len);
            }
            if (k->partition_key != AD_KAFKA_KEY_HOST) {
                m.key = json_field(p, row_len, key_attribute(k), &m.key_len);
                if (m.key == NULL)
                    m.key_len = 0;
            }
            bool queued;
            ad_err e = produce(t, p, row_len, &m, res, &queued);
            *any = *any || queued;
            if (e != AD_OK)
                return e;
        }
        p += row_len + 1;
    }
    return AD_OK;
}

/* Serves delivery reports until this send's have all come in or the pipeline stops us. */
static bool await_reports(kafka_transport *t, bool *overdue)
{
    uint64_t deadline = ad_time_mono_ns() + (t->k->timeout_ms + REPORT_GRACE_MS) * 1000000ULL;
    *overdue = false;
    while (t->outstanding > 0) {
        rd_kafka_poll(t->rk, AD_XPORT_TICK_MS);
        if (t->outstanding == 0)
            break;
        if (t->base.tick != NULL && !t->base.tick(t->base.tick_ctx))
            break;
        if (ad_time_mono_ns() >= deadline) {
            *overdue = true;
            break;
        }
    }
    if (t->outstanding == 0)
        return true;
    /* Stop request or overdue: purged messages report at once (ERR__PURGE_*); the wait is
       bounded, and an instance that still holds reports is replaced before the next send. */
    rd_kafka_purge(t->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    for (int waited = 0; t->outstanding > 0 && waited < PURGE_WAIT_MS; waited += AD_XPORT_TICK_MS)
        rd_kafka_poll(t->rk, AD_XPORT_TICK_MS);
    if (t->outstanding > 0)
        t->recreate = true;
    return false;
}

/* Refused for good: sending the same bytes again cannot succeed. */
static bool permanent(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || e == RD_KAFKA_RESP_ERR_INVALID_RECORD ||
           e == RD_KAFKA_RESP_ERR_INVALID_MSG;
}

static ad_err kafka_send(ad_xport *base, const uint8_t *data, size_t len, ad_send_result *res)
{
    kafka_transport *t = (kafka_transport *)base;
    char text[AD_SEND_MESSAGE_MAX];
    if (t->fatal || t->recreate)
        producer_destroy(t);
    if (t->rk == NULL) {
        char err[ERRTEXT_MAX];
        if (producer_create(t, err, sizeof(err)) != AD_OK) {
            res->status = AD_SEND_RETRY;
            ad_send_result_message(res, err, strlen(err));
            return AD_OK;
        }
    }
    t->send_id++;
    t->outstanding = 0;
    t->failed = 0;
    t->first_err = RD_KAFKA_RESP_ERR_NO_ERROR;
    t->first_errtext[0] = '\0';
    bool any = false;
    ad_err perr = t->k->encoding == AD_KAFKA_ASIM_JSON ? produce_rows(t, data, len, res, &any)
                                                       : produce_otlp(t, data, len, res, &any);
    /* Whatever was queued is waited for, so its reports cannot count for the next send. */
    bool overdue;
    bool complete = await_reports(t, &overdue);
    if (perr != AD_OK)
        return AD_OK; /* res says what (retry or reject) */
    if (!complete) {
        res->status = AD_SEND_RETRY;
        snprintf(text, sizeof(text), "kafka: %s",
                 overdue ? "delivery reports overdue (kafka.timeout + 60 s); purged"
                         : "stopped before every message was acknowledged");
        ad_send_result_message(res, text, strlen(text));
        return AD_OK;
    }
    if (t->failed == 0) {
        res->status = AD_SEND_OK;
        return AD_OK;
    }
    rd_kafka_resp_err_t e = t->fatal ? RD_KAFKA_RESP_ERR__FATAL : t->first_err;
    res->status = permanent(e) ? AD_SEND_REJECT : AD_SEND_RETRY;
    operator_error(t, e, res, t->first_errtext);
    snprintf(text, sizeof(text),
             "kafka: %llu of the batch's messages not acknowledged: %.200s%s%.200s",
             (unsigned long long)t->failed, t->fatal ? t->last_error : t->first_errtext,
             t->last_error[0] && !t->fatal ? "; last broker error: " : "",
             t->last_error[0] && !t->fatal ? t->last_error : "");
    ad_send_result_message(res, text, strlen(text));
    t->last_error[0] = '\0';
    return AD_OK;
}

static void kafka_destroy(ad_xport *base)
{
    kafka_transport *t = (kafka_transport *)base;
    producer_destroy(t);
    free(t->json);
    free(t);
}

static const ad_xport_ops kafka_ops = {
    .name = "kafka",
    .send = kafka_send,
    .destroy = kafka_destroy,
};

ad_err ad_xport_kafka_create(const ad_exporter_config *cfg, ad_xport **out, char *err,
                             size_t errlen)
{
    kafka_transport *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return AD_ENOMEM;
    t->base.ops = &kafka_ops;
    t->k = &cfg->kafka;
    t->base.payload =
        cfg->kafka.encoding == AD_KAFKA_ASIM_JSON ? AD_PAYLOAD_JSON_LINES : AD_PAYLOAD_OTLP;
    if (cfg->host_name[0] != '\0')
        snprintf(t->host, sizeof(t->host), "%s", cfg->host_name);
    else
        ad_host_name(t->host, sizeof(t->host));
    if (cfg->kafka.encoding == AD_KAFKA_OTLP_JSON &&
        (t->json = malloc((size_t)cfg->kafka.message_max_bytes)) == NULL) {
        free(t);
        return AD_ENOMEM;
    }
    /* The producer is made now so a configuration librdkafka refuses stops start-up; it
       connects in the background. */
    ad_err e = producer_create(t, err, errlen);
    if (e != AD_OK) {
        kafka_destroy(&t->base);
        return e;
    }
    *out = &t->base;
    return AD_OK;
}

#endif

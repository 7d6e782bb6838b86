/*
 * asimdns tests: the Kafka side of the kafka delivery tests (tests/integration/delivery_kafka.sh,
 * bench/export_kafka.sh), built on librdkafka.
 *
 *   exporter_test_kafka mock --bootstrap-file F --topic T [--partitions P] [--brokers B]
 *                            [--commands FIFO] [--log FILE]
 *       Starts librdkafka's mock cluster (B brokers, default 3, listening on 127.0.0.1), creates
 *       the topics T (comma-separated) with P partitions each (default 3, replicated on every
 *       broker), writes its bootstrap
 *       servers to F and runs until SIGTERM/SIGINT or "quit". Faults are injected by writing
 *       lines to FIFO (each applied line is appended to FILE, so a test can wait for it):
 *         down ID | up ID            a broker stops / resumes accepting connections (-1 = all)
 *         errors N ERR               the next N produce requests fail with ERR (a number)
 *         leader TOPIC PARTITION ID  move a partition's leadership
 *         rtt ID MS                  delay every answer of a broker by MS
 *         slow ID N MS               delay the next N produce answers of a broker by MS
 *         quit
 *
 *   exporter_test_kafka consume --bootstrap B --topic T --encoding E --expect N
 *                               [--timeout-ms X] [--quiet-ms Q]
 *       Reads the topic from the beginning with a real consumer, decodes every message per
 *       encoding (otlp_proto through exporter/otlp_scan.h, otlp_json and asim_json by their
 *       record-id fields), checks each message's asimdns.encoding and asimdns.record_ids headers
 *       against its content, and prints one line:
 *         messages=M records=R distinct=D duplicates=U missing=S gaps=G bad=B
 *       (missing: N minus the distinct ids; gaps: ids absent between the lowest and highest). Stops
 *       once N distinct ids arrived and nothing came for Q ms (default 1000), or after X ms
 *       (default 60000). Exit 0 when every message decoded and matched its headers, else 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "exporter/otlp_scan.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static const char *arg(int argc, char **argv, const char *name, const char *def)
{
    for (int i = 2; i + 1 < argc; i += 2)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return def;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- mock ----------------------------------------------------------------------------------- */

static void apply(rd_kafka_mock_cluster_t *mc, char *line, FILE *log)
{
    int a = 0, b = 0, c = 0;
    char topic[256];
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (sscanf(line, "down %d", &a) == 1)
        e = rd_kafka_mock_broker_set_down(mc, a);
    else if (sscanf(line, "up %d", &a) == 1)
        e = rd_kafka_mock_broker_set_up(mc, a);
    else if (sscanf(line, "errors %d %d", &a, &b) == 2) {
        for (int i = 0; i < a; i++)
            rd_kafka_mock_push_request_errors(mc, 0 /* Produce */, 1, (rd_kafka_resp_err_t)b);
    } else if (sscanf(line, "leader %255s %d %d", topic, &a, &b) == 3)
        e = rd_kafka_mock_partition_set_leader(mc, topic, a, b);
    else if (sscanf(line, "rtt %d %d", &a, &b) == 2)
        e = rd_kafka_mock_broker_set_rtt(mc, a, b);
    else if (sscanf(line, "slow %d %d %d", &a, &b, &c) == 3) {
        for (int i = 0; i < b && e == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
            e = rd_kafka_mock_broker_push_request_error_rtts(mc, a, 0 /* Produce */, 1,
                                                             RD_KAFKA_RESP_ERR_NO_ERROR, c);
    } else if (strncmp(line, "quit", 4) == 0)
        stop = 1;
    else {
        fprintf(stderr, "kafka mock: unknown command: %s\n", line);
        e = RD_KAFKA_RESP_ERR__INVALID_ARG;
    }
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        fprintf(log, "ok %s\n", line);
    else
        fprintf(log, "failed %s: %s\n", line, rd_kafka_err2str(e));
    fflush(log);
}

static int run_mock(int argc, char **argv)
{
    const char *bootstrap_file = arg(argc, argv, "--bootstrap-file", NULL);
    const char *topic = arg(argc, argv, "--topic", NULL);
    const char *commands = arg(argc, argv, "--commands", NULL);
    const char *log_path = arg(argc, argv, "--log", "/dev/null");
    int partitions = atoi(arg(argc, argv, "--partitions", "3"));
    int brokers = atoi(arg(argc, argv, "--brokers", "3"));
    if (bootstrap_file == NULL || topic == NULL || partitions < 1 || brokers < 1) {
        fprintf(stderr, "usage: exporter_test_kafka mock --bootstrap-file F --topic T ...\n");
        return 2;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* The handle only owns the mock cluster; it never talks to a broker itself. */
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "kafka mock: %s\n", errstr);
        return 1;
    }
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (mc == NULL) {
        fprintf(stderr, "kafka mock: cannot start the mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    char topics[1024];
    snprintf(topics, sizeof(topics), "%s", topic);
    for (char *save = NULL, *t = strtok_r(topics, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, t, partitions, brokers);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fprintf(stderr, "kafka mock: topic %s: %s\n", t, rd_kafka_err2str(e));
            return 1;
        }
    }
    FILE *log = fopen(log_path, "a");
    int fd = commands ? open(commands, O_RDWR | O_NONBLOCK) : -1; /* RDWR: never EOF */
    if (log == NULL || (commands != NULL && fd < 0)) {
        fprintf(stderr, "kafka mock: cannot open %s\n", log == NULL ? log_path : commands);
        return 1;
    }
    /* The bootstrap file appears complete or not at all. */
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s.tmp", bootstrap_file);
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "%s\n", rd_kafka_mock_cluster_bootstraps(mc)) < 0 ||
        fclose(f) != 0 || rename(tmp, bootstrap_file) != 0) {
        fprintf(stderr, "kafka mock: cannot write %s\n", bootstrap_file);
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    char buf[4096];
    size_t have = 0;
    while (!stop) {
        ssize_t n = fd >= 0 ? read(fd, buf + have, sizeof(buf) - 1 - have) : -1;
        if (n <= 0) {
            usleep(20000);
            continue;
        }
        have += (size_t)n;
        buf[have] = '\0';
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = '\0';
            if (buf[0] != '\0')
                apply(mc, buf, log);
            have -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, have + 1);
        }
        if (have == sizeof(buf) - 1)
            have = 0; /* a line longer than any command: drop it */
    }
    if (fd >= 0)
        close(fd);
    fclose(log);
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}

/* ---- consume -------------------------------------------------------------------------------- */

typedef enum { ENC_OTLP_PROTO, ENC_OTLP_JSON, ENC_ASIM_JSON } encoding;

typedef struct check {
    encoding enc;
    const char *enc_name;
    ad_seq_ranges seen;
    ad_seq_pending pending;
    char first[64], last[64];
    bool any;
    uint64_t messages, records, bad;
} check;

static void note_id(check *c, const char *id, size_t len)
{
    if (len >= sizeof(c->first))
        len = sizeof(c->first) - 1;
    if (!c->any) {
        memcpy(c->first, id, len);
        c->first[len] = '\0';
    }
    memcpy(c->last, id, len);
    c->last[len] = '\0';
    c->any = true;
}

static int scan_id(const char *id, size_t len, void *arg)
{
    check *c = arg;
    if (id != NULL)
        note_id(c, id, len);
    return ad_seq_pending_collect(id, len, &c->pending);
}

/* Every string value after pattern in text[len] is a record id (JSON encodings). */
static void json_ids(check *c, const char *text, size_t len, const char *pattern)
{
    size_t pl = strlen(pattern);
    for (const char *p = text; p + pl <= text + len;) {
        const char *hit = p;
        while (hit + pl <= text + len && memcmp(hit, pattern, pl) != 0)
            hit++;
        if (hit + pl > text + len)
            break;
        const char *v = hit + pl;
        const char *q = memchr(v, '"', (size_t)(text + len - v));
        if (q == NULL)
            break;
        note_id(c, v, (size_t)(q - v));
        (void)ad_seq_pending_collect(v, (size_t)(q - v), &c->pending);
        p = q;
    }
}

static bool header_is(rd_kafka_headers_t *h, const char *name, const char *want)
{
    const void *v;
    size_t n;
    if (h == NULL || rd_kafka_header_get_last(h, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return false;
    return n == strlen(want) && memcmp(v, want, n) == 0;
}

static void check_message(check *c, const rd_kafka_message_t *m)
{
    c->messages++;
    c->any = false;
    ad_seq_pending_reset(&c->pending);
    const char *text = m->payload;
    bool ok = true;
    switch (c->enc) {
    case ENC_OTLP_PROTO:
        ok = ad_otlp_scan_request(m->payload, m->len, "asimdns.record_id", scan_id, c, NULL) ==
             AD_OK;
        break;
    case ENC_OTLP_JSON:
        ok = m->len > 16 && memcmp(text, "{\"resourceLogs\":", 16) == 0 && text[m->len - 1] == '}';
        json_ids(c, text, m->len, "\"key\":\"asimdns.record_id\",\"value\":{\"stringValue\":\"");
        break;
    case ENC_ASIM_JSON:
        ok = m->len > 2 && text[0] == '{' && text[m->len - 1] == '}' &&
             memchr(text, '\n', m->len) == NULL;
        json_ids(c, text, m->len, "\"asimdns.record_id\":\"");
        ok = ok && c->pending.n == 1; /* one row per message */
        break;
    }
    rd_kafka_headers_t *h = NULL;
    (void)rd_kafka_message_headers(m, &h);
    char range[140];
    snprintf(range, sizeof(range), "%s..%s", c->first, c->last);
    ok = ok && c->any && c->pending.no_id == 0 && header_is(h, "asimdns.encoding", c->enc_name) &&
         header_is(h, "asimdns.record_ids", range);
    if (!ok) {
        if (c->bad++ < 5)
            fprintf(stderr, "kafka consume: bad message at partition %d offset %lld (%zu bytes)\n",
                    (int)m->partition, (long long)m->offset, m->len);
        return;
    }
    c->records += c->pending.n;
    if (ad_seq_pending_commit(&c->pending, &c->seen) != AD_OK)
        c->bad++;
}

static int run_consume(int argc, char **argv)
{
    const char *bootstrap = arg(argc, argv, "--bootstrap", NULL);
    const char *topic = arg(argc, argv, "--topic", NULL);
    const char *enc = arg(argc, argv, "--encoding", "otlp_proto");
    uint64_t expect = strtoull(arg(argc, argv, "--expect", "0"), NULL, 10);
    long long timeout = atoll(arg(argc, argv, "--timeout-ms", "60000"));
    long long quiet = atoll(arg(argc, argv, "--quiet-ms", "1000"));
    check c = {.enc_name = enc};
    if (strcmp(enc, "otlp_proto") == 0)
        c.enc = ENC_OTLP_PROTO;
    else if (strcmp(enc, "otlp_json") == 0)
        c.enc = ENC_OTLP_JSON;
    else if (strcmp(enc, "asim_json") == 0)
        c.enc = ENC_ASIM_JSON;
    else
        bootstrap = NULL;
    if (bootstrap == NULL || topic == NULL) {
        fprintf(stderr, "usage: exporter_test_kafka consume --bootstrap B --topic T "
                        "--encoding otlp_proto|otlp_json|asim_json --expect N\n");
        return 2;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "group.id", "asimdns-test", errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr)) ||
        /* Messages up to the largest kafka.message_max_bytes (16 MiB) in one fetch. */
        rd_kafka_conf_set(conf, "max.partition.fetch.bytes", "33554432", errstr, sizeof(errstr)) ||
        rd_kafka_conf_set(conf, "fetch.max.bytes", "67108864", errstr, sizeof(errstr))) {
        fprintf(stderr, "kafka consume: %s\n", errstr);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        fprintf(stderr, "kafka consume: %s\n", errstr);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    const rd_kafka_metadata_t *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 || md->topics[0].partition_cnt < 1) {
        fprintf(stderr, "kafka consume: no metadata for %s: %s\n", topic, rd_kafka_err2str(e));
        return 1;
    }
    int parts = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(parts);
    for (int p = 0; p < parts; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);

    ad_seq_ranges_init(&c.seen);
    long long start = now_ms(), last_msg = start;
    while (now_ms() - start < timeout) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL) {
            if (c.seen.distinct >= expect && now_ms() - last_msg >= quiet)
                break;
            continue;
        }
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            check_message(&c, m);
            last_msg = now_ms();
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            fprintf(stderr, "kafka consume: %s\n", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
    }
    uint64_t missing = expect > c.seen.distinct ? expect - c.seen.distinct : 0;
    printf("messages=%llu records=%llu distinct=%llu duplicates=%llu missing=%llu gaps=%llu "
           "bad=%llu\n",
           (unsigned long long)c.messages, (unsigned long long)c.records,
           (unsigned long long)c.seen.distinct, (unsigned long long)c.seen.duplicates,
           (unsigned long long)missing, (unsigned long long)ad_seq_ranges_missing(&c.seen),
           (unsigned long long)c.bad);
    ad_seq_ranges_free(&c.seen);
    ad_seq_pending_free(&c.pending);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return c.bad == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "mock") == 0)
        return run_mock(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "consume") == 0)
        return run_consume(argc, argv);
    fprintf(stderr, "usage: exporter_test_kafka mock|consume ...\n");
    return 2;
}

/*
 * asimdns tests: exporter/transport_http.c against an in-process nng HTTP server that answers
 * as the test says. Checks the request (method, path, headers, gzip body) and the sorting of
 * every answer into acknowledged / retry (with Retry-After) / rejected (facts/otlp-logs.md
 * §2.3), connection reuse, the per-attempt timeout and cancellation through the tick hook.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/pair0/pair.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/util/platform.h>

#include "exporter/gzip.h"
#include "exporter/otlp_decode.h"
#include "exporter/transport.h"
#include "tests/support/test_os.h"

#define BODY_MAX (1u << 20)

typedef enum answer_kind { ANS_STATUS, ANS_STALL, ANS_DROP } answer_kind;

/* What the server does next, and what it saw. */
static struct {
    nng_mtx *mtx;
    answer_kind kind;
    int status;
    const char *retry_after;
    uint8_t body[512];
    size_t body_len;
    bool gzip_body;
    /* seen */
    int requests;
    char method[16];
    char uri[128];
    char ctype[64];
    char cenc[32];
    char tenant[64];
    char agent[64];
    uint8_t got[BODY_MAX];
    size_t got_len;
    void *conns[16];
    int nconns;
    nng_aio *stalled;
    int drops_left; /* drop this many connections first, then answer as kind says */
} S;

static nng_http_server *srv;
static char url[128];
static unsigned port;

static size_t status_body(uint8_t *buf, int code, const char *msg)
{
    size_t n = 0, mlen = strlen(msg);
    buf[n++] = 0x08;
    buf[n++] = (uint8_t)code;
    buf[n++] = 0x12;
    buf[n++] = (uint8_t)mlen;
    memcpy(buf + n, msg, mlen);
    return n + mlen;
}

static void copy_header(nng_http_req *req, const char *name, char *dst, size_t cap)
{
    const char *v = nng_http_req_get_header(req, name);
    snprintf(dst, cap, "%s", v ? v : "");
}

static void handler(nng_aio *aio)
{
    nng_http_req *req = nng_aio_get_input(aio, 0);
    void *conn = nng_aio_get_input(aio, 2);
    nng_mtx_lock(S.mtx);
    S.requests++;
    snprintf(S.method, sizeof(S.method), "%s", nng_http_req_get_method(req));
    snprintf(S.uri, sizeof(S.uri), "%s", nng_http_req_get_uri(req));
    copy_header(req, "Content-Type", S.ctype, sizeof(S.ctype));
    copy_header(req, "Content-Encoding", S.cenc, sizeof(S.cenc));
    copy_header(req, "X-Tenant", S.tenant, sizeof(S.tenant));
    copy_header(req, "User-Agent", S.agent, sizeof(S.agent));
    void *data;
    size_t len;
    nng_http_req_get_data(req, &data, &len);
    S.got_len = len < BODY_MAX ? len : BODY_MAX;
    memcpy(S.got, data, S.got_len);
    bool known = false;
    for (int i = 0; i < S.nconns; i++)
        known |= S.conns[i] == conn;
    if (!known && S.nconns < 16)
        S.conns[S.nconns++] = conn;
    answer_kind kind = S.kind;
    if (S.drops_left > 0) {
        S.drops_left--;
        kind = ANS_DROP;
    }
    if (kind == ANS_STALL) {
        S.stalled = aio; /* answered (dropped) by the test later */
        nng_mtx_unlock(S.mtx);
        return;
    }
    nng_mtx_unlock(S.mtx);
    if (kind == ANS_DROP) {
        nng_aio_finish(aio, NNG_ECONNRESET);
        return;
    }
    nng_http_res *res;
    assert_int_equal(nng_http_res_alloc(&res), 0);
    nng_http_res_set_status(res, (uint16_t)S.status);
    nng_http_res_set_header(res, "Content-Type", "application/x-protobuf");
    if (S.retry_after != NULL)
        nng_http_res_set_header(res, "Retry-After", S.retry_after);
    if (S.gzip_body) {
        uint8_t z[1024];
        size_t zl;
        assert_int_equal(ad_gzip_compress_once(-1, S.body, S.body_len, z, sizeof(z), &zl), AD_OK);
        nng_http_res_set_header(res, "Content-Encoding", "gzip");
        nng_http_res_copy_data(res, z, zl);
    } else {
        nng_http_res_copy_data(res, S.body, S.body_len);
    }
    nng_aio_set_output(aio, 0, res);
    nng_aio_finish(aio, 0);
}

static void release_stalled(void)
{
    nng_mtx_lock(S.mtx);
    nng_aio *aio = S.stalled;
    S.stalled = NULL;
    nng_mtx_unlock(S.mtx);
    if (aio != NULL)
        nng_aio_finish(aio, NNG_ECONNRESET);
}

static void answer(int status, const char *retry_after)
{
    nng_mtx_lock(S.mtx);
    S.kind = ANS_STATUS;
    S.status = status;
    S.retry_after = retry_after;
    S.body_len = 0;
    S.gzip_body = false;
    nng_mtx_unlock(S.mtx);
}

static int group_setup(void **state)
{
    (void)state;
    assert_int_equal(nng_mtx_alloc(&S.mtx), 0);
    nng_url *u;
    nng_http_handler *h;
    assert_int_equal(nng_url_parse(&u, "http://127.0.0.1:0"), 0);
    assert_int_equal(nng_http_server_hold(&srv, u), 0);
    assert_int_equal(nng_http_handler_alloc(&h, "/", handler), 0);
    assert_int_equal(nng_http_handler_set_method(h, "POST"), 0);
    assert_int_equal(nng_http_handler_set_tree(h), 0);
    assert_int_equal(nng_http_handler_collect_body(h, true, BODY_MAX), 0);
    assert_int_equal(nng_http_server_add_handler(srv, h), 0);
    assert_int_equal(nng_http_server_start(srv), 0);
    nng_sockaddr sa;
    assert_int_equal(nng_http_server_get_addr(srv, &sa), 0);
    const uint8_t *pb = (const uint8_t *)&sa.s_in.sa_port;
    port = (unsigned)(pb[0] << 8 | pb[1]);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u/v1/logs", port);
    nng_url_free(u);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    release_stalled();
    nng_http_server_stop(srv);
    nng_http_server_release(srv);
    nng_mtx_free(S.mtx);
    return 0;
}

static ad_exporter_config cfg;

static ad_xport *make(ad_compression comp, uint64_t timeout_ms)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.type = AD_EXPORTER_OTLP_HTTP;
    snprintf(cfg.otlp_http.url, sizeof(cfg.otlp_http.url), "%s", url);
    cfg.otlp_http.compression = comp;
    cfg.otlp_http.timeout_ms = timeout_ms;
    snprintf(cfg.otlp_http.headers[0].name, AD_CONFIG_HEADER_NAME_MAX, "X-Tenant");
    snprintf(cfg.otlp_http.headers[0].value, AD_CONFIG_HEADER_VALUE_MAX, "dns-secret");
    cfg.otlp_http.header_count = 1;
    ad_xport *t;
    char err[256];
    if (ad_xport_create(&cfg, &t, err, sizeof(err)) != AD_OK)
        fail_msg("create: %s", err);
    return t;
}

static const uint8_t payload[] = {0x0a, 0x00, 0x0a, 0x00}; /* two empty ResourceLogs */

static ad_send_result send_one(ad_xport *t)
{
    ad_send_result r;
    assert_int_equal(ad_xport_send(t, payload, sizeof(payload), &r), AD_OK);
    return r;
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_request_shape_and_ok(void **state)
{
    (void)state;
    answer(200, NULL);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    assert_int_equal(t->payload, AD_PAYLOAD_OTLP);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_OK);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.rejected, 0);
    assert_string_equal(r.message, "");
    assert_string_equal(S.method, "POST");
    assert_string_equal(S.uri, "/v1/logs");
    assert_string_equal(S.ctype, "application/x-protobuf");
    assert_string_equal(S.cenc, "gzip");
    assert_string_equal(S.tenant, "dns-secret");
    assert_non_null(strstr(S.agent, "asimdns-exporter/"));
    uint8_t plain[64];
    size_t plen;
    assert_int_equal(ad_gunzip(S.got, S.got_len, plain, sizeof(plain), &plen), AD_OK);
    assert_int_equal(plen, sizeof(payload));
    assert_memory_equal(plain, payload, plen);
    assert_int_equal(r.wire_bytes, S.got_len);
    ad_xport_destroy(t);
}

static void test_no_compression(void **state)
{
    (void)state;
    answer(200, NULL);
    ad_xport *t = make(AD_COMPRESSION_NONE, 5000);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_OK);
    assert_string_equal(S.cenc, "");
    assert_int_equal(S.got_len, sizeof(payload));
    assert_memory_equal(S.got, payload, sizeof(payload));
    ad_xport_destroy(t);
}

/* One connection carries several requests (facts §2.1: keep the connection alive). */
static void test_connection_reuse(void **state)
{
    (void)state;
    answer(200, NULL);
    nng_mtx_lock(S.mtx);
    S.nconns = 0;
    nng_mtx_unlock(S.mtx);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    for (int i = 0; i < 4; i++)
        assert_int_equal(send_one(t).status, AD_SEND_OK);
    assert_int_equal(S.nconns, 1);
    ad_xport_destroy(t);
}

static void test_partial_success(void **state)
{
    (void)state;
    answer(200, NULL);
    assert_int_equal(
        ad_otlp_response_encode(5, "five too old", S.body, sizeof(S.body), &S.body_len), AD_OK);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_OK); /* MUST NOT retry */
    assert_int_equal(r.rejected, 5);
    assert_string_equal(r.message, "five too old");
    /* The same answer gzip-encoded by the server. */
    S.gzip_body = true;
    r = send_one(t);
    assert_int_equal(r.status, AD_SEND_OK);
    assert_int_equal(r.rejected, 5);
    ad_xport_destroy(t);
}

static void test_ok_with_garbage_body(void **state)
{
    (void)state;
    answer(200, NULL);
    memcpy(S.body, "\xff\xff\xff", 3);
    S.body_len = 3;
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_OK); /* acknowledged all the same */
    assert_int_equal(r.rejected, 0);
    assert_non_null(strstr(r.message, "not an ExportLogsServiceResponse"));
    ad_xport_destroy(t);
}

static void test_bad_request_rejected_with_status_message(void **state)
{
    (void)state;
    answer(400, NULL);
    S.body_len = status_body(S.body, 3, "field 6 is bad\x01");
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_REJECT);
    assert_int_equal(r.code, 400);
    char want[256]; /* the full URL is named; the control byte is neutralised */
    snprintf(want, sizeof(want), "HTTP 400 from POST %s: field 6 is bad?", url);
    assert_string_equal(r.message, want);
    ad_xport_destroy(t);
}

/* Any status outside 2xx/429/502/503/504 is not retried (facts §2.3). */
static void test_other_statuses_rejected(void **state)
{
    (void)state;
    static const int codes[] = {301, 401, 403, 404, 405, 413, 415, 500, 501};
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        answer(codes[i], "5"); /* a Retry-After on these is ignored */
        ad_send_result r = send_one(t);
        assert_int_equal(r.status, AD_SEND_REJECT);
        assert_int_equal(r.code, codes[i]);
        assert_int_equal(r.retry_after_ms, 0);
        assert_non_null(strstr(r.message, "HTTP "));
        assert_non_null(strstr(r.message, url)); /* every refusal names the full URL */
    }
    ad_xport_destroy(t);
}

static void test_retryable_statuses(void **state)
{
    (void)state;
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    answer(429, "3");
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.retry_after_ms, 3000);
    answer(503, NULL);
    r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.retry_after_ms, 0);
    answer(502, "9"); /* Retry-After is read on 429 and 503 only */
    r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.retry_after_ms, 0);
    answer(504, NULL);
    r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    answer(429, "soon"); /* unparseable: plain backoff */
    r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.retry_after_ms, 0);
    ad_xport_destroy(t);
}

static void test_retry_after_http_date(void **state)
{
    (void)state;
    answer(503, "Fri, 01 Jan 2100 00:00:00 GMT"); /* far ahead: the pipeline caps it */
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_true(r.retry_after_ms > 1000000000ULL);
    answer(503, "Sun, 06 Nov 1994 08:49:37 GMT"); /* in the past: retry at once */
    r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(r.retry_after_ms, 0);
    ad_xport_destroy(t);
}

/* No answer within otlp_http.timeout: retry (facts §2.3 "no response"). */
static void test_stall_times_out(void **state)
{
    (void)state;
    nng_mtx_lock(S.mtx);
    S.kind = ANS_STALL;
    nng_mtx_unlock(S.mtx);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 300);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_non_null(strstr(r.message, "timed out"));
    release_stalled();
    /* The next attempt works on a new connection. */
    answer(200, NULL);
    assert_int_equal(send_one(t).status, AD_SEND_OK);
    ad_xport_destroy(t);
}

static void test_drop_is_retried(void **state)
{
    (void)state;
    nng_mtx_lock(S.mtx);
    S.kind = ANS_DROP;
    int before = S.requests;
    nng_mtx_unlock(S.mtx);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(S.requests - before, 1); /* a fresh connection: no immediate resend */
    answer(200, NULL);
    assert_int_equal(send_one(t).status, AD_SEND_OK);
    ad_xport_destroy(t);
}

/* A kept connection the server closed while idle: one immediate resend on a new connection. */
static void test_idle_kept_connection_closed(void **state)
{
    (void)state;
    answer(200, NULL);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 5000);
    assert_int_equal(send_one(t).status, AD_SEND_OK);
    nng_msleep(1100); /* idle longer than the transport's stale threshold (1 s) */
    nng_mtx_lock(S.mtx);
    S.drops_left = 1;
    int before = S.requests;
    nng_mtx_unlock(S.mtx);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_OK);
    assert_int_equal(S.requests - before, 2);
    ad_xport_destroy(t);
}

static void test_connection_refused(void **state)
{
    (void)state;
    /* A port nothing listens on: take one from a listener we close again. */
    nng_socket s;
    nng_listener l;
    assert_int_equal(nng_pair0_open(&s), 0);
    assert_int_equal(nng_listen(s, "tcp://127.0.0.1:0", &l, 0), 0);
    nng_sockaddr sa;
    assert_int_equal(nng_listener_get_addr(l, NNG_OPT_LOCADDR, &sa), 0);
    const uint8_t *pb = (const uint8_t *)&sa.s_in.sa_port;
    unsigned p = (unsigned)(pb[0] << 8 | pb[1]);
    nng_close(s);
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.otlp_http.url, sizeof(cfg.otlp_http.url), "http://127.0.0.1:%u/v1/logs", p);
    cfg.otlp_http.timeout_ms = 2000;
    ad_xport *t;
    char err[256];
    assert_int_equal(ad_xport_http_create(&cfg, &t, err, sizeof(err)), AD_OK);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_non_null(strstr(r.message, "connect"));
    assert_int_equal(r.wire_bytes, 0);
    ad_xport_destroy(t);
}

static int ticks;
static bool tick_stop(void *ctx)
{
    (void)ctx;
    return ++ticks < 3;
}

/* The tick hook is called while waiting and can abandon the attempt (shutdown). */
static void test_tick_cancels(void **state)
{
    (void)state;
    nng_mtx_lock(S.mtx);
    S.kind = ANS_STALL;
    nng_mtx_unlock(S.mtx);
    ad_xport *t = make(AD_COMPRESSION_GZIP, 0); /* no timeout: only the hook ends it */
    ticks = 0;
    ad_xport_set_tick(t, tick_stop, NULL);
    ad_send_result r = send_one(t);
    assert_int_equal(r.status, AD_SEND_RETRY);
    assert_int_equal(ticks, 3);
    release_stalled();
    ad_xport_destroy(t);
}

static void test_bad_urls(void **state)
{
    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    ad_xport *t;
    char err[256];
    snprintf(cfg.otlp_http.url, sizeof(cfg.otlp_http.url), "ftp://127.0.0.1/v1/logs");
    assert_int_not_equal(ad_xport_http_create(&cfg, &t, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "http"));
    snprintf(cfg.otlp_http.url, sizeof(cfg.otlp_http.url), "https://127.0.0.1:1/v1/logs");
    snprintf(cfg.otlp_http.tls.ca_file, sizeof(cfg.otlp_http.tls.ca_file), "/nonexistent/ca.pem");
    assert_int_not_equal(ad_xport_http_create(&cfg, &t, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "ca.pem"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_shape_and_ok),
        cmocka_unit_test(test_no_compression),
        cmocka_unit_test(test_connection_reuse),
        cmocka_unit_test(test_partial_success),
        cmocka_unit_test(test_ok_with_garbage_body),
        cmocka_unit_test(test_bad_request_rejected_with_status_message),
        cmocka_unit_test(test_other_statuses_rejected),
        cmocka_unit_test(test_retryable_statuses),
        cmocka_unit_test(test_retry_after_http_date),
        cmocka_unit_test(test_stall_times_out),
        cmocka_unit_test(test_drop_is_retried),
        cmocka_unit_test(test_idle_kept_connection_closed),
        cmocka_unit_test(test_connection_refused),
        cmocka_unit_test(test_tick_cancels),
        cmocka_unit_test(test_bad_urls),
    };
    int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    /* nng frees closed sockets' pipes on its reaper thread: wait for it so LeakSanitizer sees
       only real leaks. Under Wine 8 nng_fini never returns (even with no socket left), and
       there is no LeakSanitizer there. */
    if (!test_os_under_wine())
        nng_fini();
    return failed;
}

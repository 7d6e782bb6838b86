/*
 * asimdns tests: exporter/transport_nng.c against in-process REP and PULL peers on ipc://
 * addresses in the temp directory: acknowledged / partial / no acknowledgement (timeout ->
 * retry), no peer, a peer that comes up later, push mode, and the reply size limit
 * (NNG_OPT_RECVMAXSZ from nng.recv_max_size).
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
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/supplemental/util/platform.h>

#include "common/host.h"
#include "exporter/otlp_decode.h"
#include "exporter/transport.h"
#include "tests/support/test_os.h"

typedef enum peer_mode { PEER_ACK, PEER_PARTIAL, PEER_GARBAGE, PEER_SILENT, PEER_BIG } peer_mode;

typedef struct peer {
    nng_socket sock;
    nng_thread *thr;
    nng_mtx *mtx; /* guards what follows */
    bool stop;
    peer_mode mode;
    int received;
    uint8_t last[256];
    size_t last_len;
} peer;

static char addr[256];
static unsigned addr_no;
static ad_exporter_config cfg;

static void next_addr(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(addr, sizeof(addr), "ipc://%s/asimdns-nngtest-%lu-%u.ipc", tmp ? tmp : "/tmp",
             ad_process_id(), addr_no++);
}

/*
 * The peer answers (REP) or takes (PULL) every message until peer_stop, not just one: under
 * Wine, an ipc:// (named pipe) connection is now and then reset under load while a request is
 * outstanding, and the transport then reports a retry, as it must; the tests send again
 * (expect_delivered), so the peer must still be there to answer the second attempt.
 */
static void peer_answer(peer *p, nng_msg *msg)
{
    p->received++;
    p->last_len = nng_msg_len(msg) < sizeof(p->last) ? nng_msg_len(msg) : sizeof(p->last);
    memcpy(p->last, nng_msg_body(msg), p->last_len);
    nng_msg_free(msg);
    uint8_t buf[4096];
    size_t len = 0;
    switch (p->mode) {
    case PEER_ACK:
        break;
    case PEER_PARTIAL:
        /* no cmocka asserts here: this is not the test's thread */
        if (ad_otlp_response_encode(3, "three rejected", buf, sizeof(buf), &len) != AD_OK)
            len = 0;
        break;
    case PEER_GARBAGE:
        memset(buf, 0xff, 8);
        len = 8;
        break;
    case PEER_SILENT:
        return;
    case PEER_BIG:
        memset(buf, 0, sizeof(buf));
        buf[0] = 0x0a; /* a 4 KiB partial_success: larger than the 1 KiB recv limit */
        buf[1] = 0xfd;
        buf[2] = 0x1f;
        len = sizeof(buf);
        break;
    }
    (void)nng_send(p->sock, buf, len, 0);
}

static void peer_thread(void *arg)
{
    peer *p = arg;
    for (;;) {
        nng_mtx_lock(p->mtx);
        bool stop = p->stop;
        nng_mtx_unlock(p->mtx);
        if (stop)
            return;
        nng_msg *msg;
        int rv = nng_recvmsg(p->sock, &msg, 0); /* NNG_OPT_RECVTIMEO: a slice */
        if (rv == NNG_ETIMEDOUT)
            continue;
        if (rv != 0)
            return;
        nng_mtx_lock(p->mtx);
        peer_answer(p, msg);
        nng_mtx_unlock(p->mtx);
    }
}

static void peer_start(peer *p, bool pull, peer_mode mode)
{
    memset(p, 0, sizeof(*p));
    p->mode = mode;
    assert_int_equal(nng_mtx_alloc(&p->mtx), 0);
    assert_int_equal(pull ? nng_pull0_open(&p->sock) : nng_rep0_open(&p->sock), 0);
    assert_int_equal(nng_socket_set_ms(p->sock, NNG_OPT_RECVTIMEO, 100), 0);
    assert_int_equal(nng_listen(p->sock, addr, NULL, 0), 0);
    assert_int_equal(nng_thread_create(&p->thr, peer_thread, p), 0);
}

/* Waits (at most 10 s) until the peer took at least n messages: a push, or a request that
   timed out, may still be on its way when the transport's send returns. */
static void peer_wait_received(peer *p, int n)
{
    nng_time until = nng_clock() + 10000;
    for (;;) {
        nng_mtx_lock(p->mtx);
        int got = p->received;
        nng_mtx_unlock(p->mtx);
        if (got >= n || nng_clock() >= until)
            return;
        nng_msleep(10);
    }
}

/*
 * nng_close of the peer's socket, bounded. Under Wine, closing the REP socket while the
 * transport's dialer is reconnecting to it (after test_req_reply_too_large made the REQ side
 * drop the pipe) deadlocked about once in 70 runs under load: nng 1.5.2's close deadlock
 * (nng issues 1543/1813; the programs bound it with exporter/shutdown_watchdog.h). The subject
 * here is the transport, so a close that does not return in 10 s is reported and left behind
 * (the process ends without nng_fini under Wine anyway) instead of hanging the test.
 */
static bool close_left_behind; /* then nng_fini would wait for it: skipped */

typedef struct closer {
    nng_socket sock;
    nng_mtx *mtx;
    nng_cv *cv;
    bool done;
} closer;

static void closer_thread(void *arg)
{
    closer *c = arg;
    nng_close(c->sock);
    nng_mtx_lock(c->mtx);
    c->done = true;
    nng_cv_wake(c->cv);
    nng_mtx_unlock(c->mtx);
}

static void close_bounded(nng_socket sock)
{
    closer *c = calloc(1, sizeof(*c));
    nng_thread *thr;
    assert_non_null(c);
    c->sock = sock;
    assert_int_equal(nng_mtx_alloc(&c->mtx), 0);
    assert_int_equal(nng_cv_alloc(&c->cv, c->mtx), 0);
    assert_int_equal(nng_thread_create(&thr, closer_thread, c), 0);
    nng_time until = nng_clock() + 10000;
    nng_mtx_lock(c->mtx);
    while (!c->done && nng_cv_until(c->cv, until) != NNG_ETIMEDOUT)
        ;
    bool done = c->done;
    nng_mtx_unlock(c->mtx);
    if (!done) {
        printf("note: nng_close of the peer socket did not return within 10 s (nng 1.5.2 close "
               "deadlock); left behind\n");
        close_left_behind = true;
        return; /* the thread still uses c */
    }
    nng_thread_destroy(thr);
    nng_cv_free(c->cv);
    nng_mtx_free(c->mtx);
    free(c);
}

static void peer_stop(peer *p)
{
    nng_mtx_lock(p->mtx);
    p->stop = true;
    nng_mtx_unlock(p->mtx);
    nng_thread_destroy(p->thr); /* joins: within one receive slice */
    close_bounded(p->sock);
    nng_mtx_free(p->mtx);
}

static ad_xport *make(ad_nng_mode mode, uint64_t timeout_ms)
{
    memset(&cfg, 0, sizeof(cfg));
    cfg.type = AD_EXPORTER_NNG;
    snprintf(cfg.nng.url, sizeof(cfg.nng.url), "%s", addr);
    cfg.nng.mode = mode;
    cfg.nng.timeout_ms = timeout_ms;
    cfg.nng.recv_max_size = 1024;
    ad_xport *t;
    char err[256];
    if (ad_xport_create(&cfg, &t, err, sizeof(err)) != AD_OK)
        fail_msg("create: %s", err);
    assert_int_equal(t->payload, AD_PAYLOAD_OTLP);
    return t;
}

static const uint8_t payload[] = {0x0a, 0x02, 0x0a, 0x00};

/* A wrong outcome names the transport's message (timeout, connection error). */
static void expect_status(const ad_send_result *r, ad_send_status want)
{
    if (r->status != want)
        fail_msg("status %d, expected %d: %s", (int)r->status, (int)want, r->message);
}

static ad_send_result send_one(ad_xport *t)
{
    ad_send_result r;
    assert_int_equal(ad_xport_send(t, payload, sizeof(payload), &r), AD_OK);
    return r;
}

/* A retry for a connection the peer's side reset (see peer_answer): the only retry a test
   with a live, answering peer accepts before the acknowledgement. */
static bool transient_reset(const ad_send_result *r)
{
    return r->status == AD_SEND_RETRY &&
           (strstr(r->message, "Connection reset") || strstr(r->message, "Connection shutdown"));
}

/* Sends until acknowledged, at most 5 attempts, each retried only after a transient reset;
 *attempts tells how many went out. */
static ad_send_result send_acknowledged(ad_xport *t, int *attempts)
{
    ad_send_result r;
    *attempts = 0;
    do {
        r = send_one(t);
        ++*attempts;
    } while (transient_reset(&r) && *attempts < 5);
    expect_status(&r, AD_SEND_OK);
    return r;
}

static void test_req_acknowledged(void **state)
{
    (void)state;
    next_addr();
    peer p;
    peer_start(&p, false, PEER_ACK);
    ad_xport *t = make(AD_NNG_REQ, 5000);
    int attempts;
    ad_send_result r = send_acknowledged(t, &attempts);
    assert_int_equal(r.rejected, 0);
    assert_int_equal(r.wire_bytes, sizeof(payload));
    peer_stop(&p);
    assert_in_range(p.received, 1, attempts);
    assert_int_equal(p.last_len, sizeof(payload));
    assert_memory_equal(p.last, payload, sizeof(payload));
    ad_xport_destroy(t);
}

static void test_req_partial(void **state)
{
    (void)state;
    next_addr();
    peer p;
    peer_start(&p, false, PEER_PARTIAL);
    ad_xport *t = make(AD_NNG_REQ, 5000);
    int attempts;
    ad_send_result r = send_acknowledged(t, &attempts);
    assert_int_equal(r.rejected, 3);
    assert_string_equal(r.message, "three rejected");
    peer_stop(&p);
    ad_xport_destroy(t);
}

static void test_req_garbage_reply(void **state)
{
    (void)state;
    next_addr();
    peer p;
    peer_start(&p, false, PEER_GARBAGE);
    ad_xport *t = make(AD_NNG_REQ, 5000);
    int attempts;
    ad_send_result r = send_acknowledged(t, &attempts); /* an answer is an acknowledgement */
    assert_non_null(strstr(r.message, "not an ExportLogsServiceResponse"));
    peer_stop(&p);
    ad_xport_destroy(t);
}

/* The peer takes the request but never answers: retry after nng.timeout. */
static void test_req_no_ack_times_out(void **state)
{
    (void)state;
    next_addr();
    peer p;
    peer_start(&p, false, PEER_SILENT);
    ad_xport *t = make(AD_NNG_REQ, 300);
    ad_send_result r = send_one(t);
    expect_status(&r, AD_SEND_RETRY);
    assert_non_null(strstr(r.message, "no acknowledgement"));
    peer_wait_received(&p, 1);
    peer_stop(&p);
    assert_int_equal(p.received, 1);
    ad_xport_destroy(t);
}

/* A reply above nng.recv_max_size is refused by nng: no acknowledgement. */
static void test_req_reply_too_large(void **state)
{
    (void)state;
    next_addr();
    peer p;
    peer_start(&p, false, PEER_BIG);
    ad_xport *t = make(AD_NNG_REQ, 500);
    ad_send_result r = send_one(t);
    expect_status(&r, AD_SEND_RETRY);
    peer_stop(&p);
    ad_xport_destroy(t);
}

/* Nobody listens yet; later a receiver appears and a later attempt of the same transport gets
   through (nng kept dialing in the background), without the abandoned request. */
static void test_req_peer_comes_later(void **state)
{
    (void)state;
    next_addr();
    ad_xport *t = make(AD_NNG_REQ, 300);
    ad_send_result r = send_one(t);
    expect_status(&r, AD_SEND_RETRY);
    peer p;
    peer_start(&p, false, PEER_ACK);
    /* nng redials within RECONNECT_MAX_MS (2 s); 30 s of attempts leaves room for a loaded
       machine without letting a broken redial pass. */
    nng_time until = nng_clock() + 30000;
    int attempts = 0;
    do {
        r = send_one(t);
        attempts++;
    } while (r.status != AD_SEND_OK && nng_clock() < until);
    expect_status(&r, AD_SEND_OK);
    peer_stop(&p);
    /* The abandoned first request never reaches the peer: at most one per later attempt. */
    assert_in_range(p.received, 1, attempts);
    ad_xport_destroy(t);
}

static void test_push_sent_is_ok(void **state)
{
    (void)state;
    next_addr();
    peer p;
    peer_start(&p, true, PEER_ACK);
    ad_xport *t = make(AD_NNG_PUSH, 5000);
    int attempts;
    (void)send_acknowledged(t, &attempts);
    peer_wait_received(&p, 1);
    peer_stop(&p);
    assert_in_range(p.received, 1, attempts);
    assert_memory_equal(p.last, payload, sizeof(payload));
    ad_xport_destroy(t);
}

static void test_push_no_peer_retries(void **state)
{
    (void)state;
    next_addr();
    ad_xport *t = make(AD_NNG_PUSH, 300);
    ad_send_result r = send_one(t);
    expect_status(&r, AD_SEND_RETRY);
    assert_non_null(strstr(r.message, "send"));
    ad_xport_destroy(t);
}

static void test_bad_url(void **state)
{
    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.nng.url, sizeof(cfg.nng.url), "bogus://x");
    cfg.nng.recv_max_size = 1024;
    ad_xport *t;
    char err[256];
    assert_int_not_equal(ad_xport_nng_create(&cfg, &t, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "bogus://x"));
}

int main(void)
{
    /* Unbuffered: a test that hangs and is killed by ctest's TIMEOUT still shows which one. */
    setvbuf(stdout, NULL, _IONBF, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_acknowledged),
        cmocka_unit_test(test_req_partial),
        cmocka_unit_test(test_req_garbage_reply),
        cmocka_unit_test(test_req_no_ack_times_out),
        cmocka_unit_test(test_req_reply_too_large),
        cmocka_unit_test(test_req_peer_comes_later),
        cmocka_unit_test(test_push_sent_is_ok),
        cmocka_unit_test(test_push_no_peer_retries),
        cmocka_unit_test(test_bad_url),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    /* nng frees closed sockets' pipes on its reaper thread: wait for it so LeakSanitizer sees
       only real leaks. Under Wine 8 nng_fini never returns (even with no socket left), and
       there is no LeakSanitizer there. */
    if (!test_os_under_wine() && !close_left_behind)
        nng_fini();
    return failed;
}

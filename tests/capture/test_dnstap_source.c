/*
 * Integration test for the dnstap source (capture/source_dnstap_posix.c) with fake writers:
 * ad_source_dnstap_run serves a socket in a forked child writing into a real ring; the parent
 * plays DNS servers over the Unix socket. Covered: the socket's mode, a bidirectional writer
 * (READY/ACCEPT/START/frames/STOP/FINISH), a unidirectional writer at the same time, a
 * connection beyond max_writers (refused), a writer exceeding max_frame_size (dropped), an
 * undecodable payload (counted), a writer reconnecting, and SIGTERM (socket removed). Then
 * every record is read back from the ring and the counters are checked. The responses carry
 * no query time (like Unbound's): their duration comes from pairing with the queries.
 * test_writer_bounds: the per-user limit, the handshake and idle timeouts and max_bad_frames,
 * each counted by reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/dnstap_decode.h"
#include "capture/dnstap_source.h"
#include "capture/fstrm.h"
#include "common/stop.h"
#include "common/timeutil.h"
#include "dnstap.pb-c.h"
#include "ipc/ring.h"

#define MAX_FRAME (16u << 10)
/* Responses are stamped this long after their queries. */
#define RESPONSE_AFTER_NS 5000000u

static char ring_name[64];
static char dir[128];
static char sock_path[160];
static ad_ring_producer *ring;
static ad_capture_config cfg;
static ad_capture_ctx ctx;

static const uint8_t query_a[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,   0,
                                  0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
                                  'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1};
static const uint8_t response_a[] = {
    0x12, 0x34, 0x81, 0x80, 0,   1,   0,   1,    0,    0,   0,   0,   3, 'w', 'w', 'w', 7,
    'e',  'x',  'a',  'm',  'p', 'l', 'e', 3,    'c',  'o', 'm', 0,   0, 1,   0,   1,   0xc0,
    0x0c, 0,    1,    0,    1,   0,   0,   0x0e, 0x10, 0,   4,   192, 0, 2,   7};

/* A packed Dnstap of the given message type into buf; returns its length. */
static size_t payload(Dnstap__Message__Type type, uint8_t *buf)
{
    static const uint8_t a4[4] = {127, 0, 0, 1};
    Dnstap__Dnstap d;
    Dnstap__Message m;
    dnstap__dnstap__init(&d);
    dnstap__message__init(&m);
    d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
    d.message = &m;
    d.has_identity = 1;
    d.identity.data = (uint8_t *)"fake";
    d.identity.len = 4;
    m.type = type;
    m.has_socket_family = 1;
    m.socket_family = DNSTAP__SOCKET_FAMILY__INET;
    m.has_socket_protocol = 1;
    m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__UDP;
    m.has_query_address = 1;
    m.query_address.data = (uint8_t *)a4;
    m.query_address.len = 4;
    m.has_query_port = 1;
    m.query_port = 40000;
    bool response = type % 2 == 0;
    if (response) {
        m.has_response_message = 1;
        m.response_message.data = (uint8_t *)response_a;
        m.response_message.len = sizeof(response_a);
        m.has_response_time_sec = 1;
        m.response_time_sec = 1700000000;
        m.has_response_time_nsec = 1;
        m.response_time_nsec = RESPONSE_AFTER_NS;
    } else {
        m.has_query_message = 1;
        m.query_message.data = (uint8_t *)query_a;
        m.query_message.len = sizeof(query_a);
        m.has_query_time_sec = 1;
        m.query_time_sec = 1700000000;
    }
    return dnstap__dnstap__pack(&d, buf);
}

static void set_sun(struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    size_t n = strlen(sock_path);
    assert_true(n < sizeof(sa->sun_path));
    memcpy(sa->sun_path, sock_path, n);
}

/* Connects, retrying while the server is between bind and listen (5 s at most). */
static int connect_writer(void)
{
    struct sockaddr_un sa;
    set_sun(&sa);
    for (int i = 0; i < 500; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        assert_int_equal(errno, ECONNREFUSED);
        close(fd);
        usleep(10000);
    }
    fail();
    return -1;
}

static void send_bytes(int fd, const void *p, size_t n)
{
    assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

static void send_ctrl(int fd, uint32_t type, const char *ct)
{
    uint8_t b[64];
    size_t n = ad_fstrm_control(type, ct, b, sizeof(b));
    send_bytes(fd, b, n);
}

static void send_frame(int fd, const uint8_t *p, size_t n)
{
    uint8_t hdr[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    send_bytes(fd, hdr, 4);
    send_bytes(fd, p, n);
}

static void send_message(int fd, Dnstap__Message__Type type)
{
    uint8_t buf[512];
    size_t n = payload(type, buf);
    send_frame(fd, buf, n);
}

/* Reads exactly n bytes (5 s timeout); returns how many arrived before EOF. */
static size_t recv_exact(int fd, uint8_t *p, size_t n)
{
    size_t have = 0;
    while (have < n) {
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        assert_int_equal(poll(&pf, 1, 5000), 1);
        ssize_t k = recv(fd, p + have, n - have, 0);
        if (k <= 0)
            break;
        have += (size_t)k;
    }
    return have;
}

static void expect_control(int fd, uint32_t type, const char *ct)
{
    uint8_t want[64], got[64];
    size_t n = ad_fstrm_control(type, ct, want, sizeof(want));
    assert_int_equal(recv_exact(fd, got, n), n);
    assert_memory_equal(got, want, n);
}

/* Waits until the server closed fd (EOF or reset). */
static void expect_closed(int fd)
{
    uint8_t b[16];
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 5000), 1);
    ssize_t k = recv(fd, b, sizeof(b), 0);
    assert_true(k <= 0);
}

static uint64_t counter(ad_capture_counter c)
{
    return ad_ring_producer_counter_get(ring, c);
}

/* Waits (5 s at most) until a counter reaches want. */
static void wait_counter(ad_capture_counter c, uint64_t want)
{
    for (int i = 0; i < 500 && counter(c) < want; i++)
        usleep(10000);
    assert_true(counter(c) == want);
}

/* A ring, a socket path in a fresh directory and a configuration (the loader's defaults for
 * the limits, max_writers as given) for a test named tag. */
static void prepare_server(const char *tag, uint32_t max_writers)
{
    snprintf(ring_name, sizeof(ring_name), "t-dnstap-%s%ld", tag, (long)getpid());
    (void)ad_ring_unlink(ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, ring_name);
    rc.capacity = 4u << 20;
    char msg[256] = "";
    assert_int_equal(ad_ring_producer_open(&rc, &ring, msg, sizeof(msg)), AD_OK);
    snprintf(dir, sizeof(dir), "/tmp/asimdns-dnstap-%s%ld", tag, (long)getpid());
    (void)mkdir(dir, 0700);
    snprintf(sock_path, sizeof(sock_path), "%s/dnstap.sock", dir);
    memset(&cfg, 0, sizeof(cfg));
    cfg.heartbeat_seconds = 1;
    cfg.source.type = AD_SOURCE_DNSTAP;
    snprintf(cfg.source.dnstap.socket_path, sizeof(cfg.source.dnstap.socket_path), "%s", sock_path);
    cfg.source.dnstap.socket_mode = 0660;
    cfg.source.dnstap.max_frame_size = MAX_FRAME;
    cfg.source.dnstap.max_writers = max_writers;
    cfg.source.dnstap.max_writers_per_user = max_writers;
    cfg.source.dnstap.handshake_timeout_ms = 5000;
    cfg.source.dnstap.idle_timeout_ms = 300000;
    cfg.source.dnstap.max_bad_frames = 8;
}

/* Serves cfg in a forked child; returns once the socket has the configured mode. */
static pid_t spawn_server(void)
{
    ad_capture_ctx_init(&ctx, ring, &cfg);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ad_stop_install();
        ad_err err = ad_source_dnstap_run(&ctx);
        _exit(err == AD_OK ? 0 : 10 + (int)err);
    }
    struct stat sb;
    int tries = 0;
    while (tries++ < 500 && !(stat(sock_path, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
                              (sb.st_mode & 07777) == cfg.source.dnstap.socket_mode))
        usleep(10000);
    assert_true(tries < 500);
    return pid;
}

static void stop_server(pid_t pid)
{
    assert_int_equal(kill(pid, SIGTERM), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_not_equal(access(sock_path, F_OK), 0); /* removed */
}

static void test_dnstap_source(void **state)
{
    (void)state;
    prepare_server("", 2);
    /* A stale socket file from an earlier run is replaced (it has other mode bits). */
    {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un sa;
        set_sun(&sa);
        assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        close(fd);
    }
    pid_t pid = spawn_server();
    char msg[256] = "";

    /* B: unidirectional, one frame, stays connected. */
    int b = connect_writer();
    send_ctrl(b, AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE);
    send_message(b, DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    wait_counter(AD_CAP_DNSTAP_FRAMES, 1);
    /* A: bidirectional handshake. */
    int a = connect_writer();
    send_ctrl(a, AD_FSTRM_CONTROL_READY, AD_FSTRM_CONTENT_TYPE);
    expect_control(a, AD_FSTRM_CONTROL_ACCEPT, AD_FSTRM_CONTENT_TYPE);
    /* C: a third writer while two are connected is refused. */
    int c = connect_writer();
    expect_closed(c);
    close(c);
    wait_counter(AD_CAP_DNSTAP_WRITERS_DROPPED, 1);
    /* A: frames, one of them not a Dnstap payload, then STOP -> FINISH. */
    send_ctrl(a, AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE);
    send_message(a, DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE);
    send_frame(a, (const uint8_t *)"\xff\xff\xff", 3);
    send_message(a, DNSTAP__MESSAGE__TYPE__RESOLVER_QUERY);
    send_message(a, DNSTAP__MESSAGE__TYPE__TOOL_QUERY); /* valid, no mapping: skipped */
    send_ctrl(a, AD_FSTRM_CONTROL_STOP, NULL);
    expect_control(a, AD_FSTRM_CONTROL_FINISH, NULL);
    expect_closed(a);
    close(a);
    /* B: a frame over max_frame_size gets it dropped. */
    uint8_t hdr[4] = {0, 1, 0, 0}; /* 64 KiB > 16 KiB */
    send_bytes(b, hdr, 4);
    expect_closed(b);
    close(b);
    wait_counter(AD_CAP_DNSTAP_WRITERS_DROPPED, 2);
    /* A writer reconnecting (A again) after the others left. */
    a = connect_writer();
    send_ctrl(a, AD_FSTRM_CONTROL_READY, AD_FSTRM_CONTENT_TYPE);
    expect_control(a, AD_FSTRM_CONTROL_ACCEPT, AD_FSTRM_CONTENT_TYPE);
    send_ctrl(a, AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE);
    send_message(a, DNSTAP__MESSAGE__TYPE__RESOLVER_RESPONSE);
    send_ctrl(a, AD_FSTRM_CONTROL_STOP, NULL);
    expect_control(a, AD_FSTRM_CONTROL_FINISH, NULL);
    close(a);
    wait_counter(AD_CAP_DNSTAP_FRAMES, 6);

    stop_server(pid);

    assert_true(counter(AD_CAP_DNSTAP_FRAMES) == 6);
    assert_true(counter(AD_CAP_DNSTAP_BAD_FRAMES) == 1);
    assert_true(counter(AD_CAP_DNSTAP_WRITERS_DROPPED) == 2);
    assert_true(counter(AD_CAP_DNSTAP_WRITER_LIMIT_REFUSALS) == 1);
    assert_true(counter(AD_CAP_DNSTAP_PROTOCOL_ERRORS) == 1);
    assert_true(counter(AD_CAP_RECORDS_WRITTEN) == 4);
    assert_true(counter(AD_CAP_DNSTAP_PAIR_EVICTIONS) == 0);

    /* The records: CQ (256), CR (257), RQ (260), RR (261), in arrival order. */
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    ad_ring_consumer *cons = NULL;
    assert_int_equal(ad_ring_consumer_open(&cc, &cons, msg, sizeof(msg)), AD_OK);
    static const uint16_t want_ids[] = {256, 257, 260, 261};
    static const uint16_t want_types[] = {5, 6, 3, 4};
    size_t got = 0;
    for (;;) {
        ad_ring_view views[16];
        size_t n = 0;
        ad_err err = ad_ring_consumer_peek(cons, views, 16, &n);
        if (err == AD_EEMPTY)
            break;
        assert_int_equal(err, AD_OK);
        for (size_t k = 0; k < n; k++, got++) {
            ad_event ev;
            assert_int_equal(ad_record_decode(views[k].data, views[k].len, &ev), AD_OK);
            assert_true(got < 4);
            assert_int_equal(ev.hdr.source, AD_SOURCE_DNSTAP);
            assert_int_equal(ev.hdr.event_id, want_ids[got]);
            assert_int_equal(ev.hdr.dnstap_type, want_types[got]);
            bool response = got % 2 == 1;
            assert_true(ev.hdr.time_ns ==
                        1700000000ull * 1000000000ull + (response ? RESPONSE_AFTER_NS : 0));
            /* CR after CQ, RR after RQ: same client, port, id and question -> 5 ms. */
            const uint32_t paired = AD_HAS_ELAPSED | AD_HAS_RESPONSE_TIME;
            if (response) {
                assert_true((ev.hdr.present & paired) == paired);
                assert_int_equal(ev.hdr.elapsed_ms, RESPONSE_AFTER_NS / 1000000u);
            } else {
                assert_false(ev.hdr.present & AD_HAS_ELAPSED);
            }
            assert_int_equal(ev.str[AD_STR_QNAME].len, 16);
            assert_memory_equal(ev.str[AD_STR_QNAME].ptr, "www.example.com.", 16);
            assert_int_equal(ev.str[AD_STR_IDENTITY].len, 4);
        }
        ad_ring_consumer_commit_all(cons);
    }
    assert_int_equal(got, 4);
    ad_ring_consumer_close(cons);
    ad_ring_producer_close(ring);
    (void)ad_ring_unlink(ring_name, false);
    (void)rmdir(dir);
}

/* In a forked child, as uid/gid: connect, READY -> ACCEPT, START, one query, STOP -> FINISH.
 * Returns the child's exit status (0 when the whole session went through). */
static int session_as(uid_t uid, gid_t gid)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setgid(gid) != 0 || setuid(uid) != 0)
            _exit(3);
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof(sa));
        sa.sun_family = AF_UNIX;
        memcpy(sa.sun_path, sock_path, strlen(sock_path));
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
            _exit(4);
        uint8_t b[1024], want[64], got[64];
        size_t n = ad_fstrm_control(AD_FSTRM_CONTROL_READY, AD_FSTRM_CONTENT_TYPE, b, sizeof(b));
        size_t w = ad_fstrm_control(AD_FSTRM_CONTROL_ACCEPT, AD_FSTRM_CONTENT_TYPE, want, 64);
        if (send(fd, b, n, MSG_NOSIGNAL) != (ssize_t)n ||
            recv(fd, got, w, MSG_WAITALL) != (ssize_t)w || memcmp(got, want, w) != 0)
            _exit(5);
        n = ad_fstrm_control(AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE, b, sizeof(b));
        size_t p = payload(DNSTAP__MESSAGE__TYPE__CLIENT_QUERY, b + n + 4);
        b[n] = (uint8_t)(p >> 24), b[n + 1] = (uint8_t)(p >> 16), b[n + 2] = (uint8_t)(p >> 8);
        b[n + 3] = (uint8_t)p;
        n += 4 + p;
        n += ad_fstrm_control(AD_FSTRM_CONTROL_STOP, NULL, b + n, sizeof(b) - n);
        w = ad_fstrm_control(AD_FSTRM_CONTROL_FINISH, NULL, want, 64);
        if (send(fd, b, n, MSG_NOSIGNAL) != (ssize_t)n ||
            recv(fd, got, w, MSG_WAITALL) != (ssize_t)w || memcmp(got, want, w) != 0)
            _exit(6);
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/*
 * Connections that send nothing, or nothing useful, cannot keep the DNS server out: one user's
 * connections beyond max_writers_per_user are refused while another user's writer gets in;
 * connections without a START within handshake_timeout and writers silent for idle_timeout
 * are closed; a writer of non-dnstap frames is closed at max_bad_frames while the others stay.
 * Each refusal and disconnection is counted by its reason and in dnstap_writers_dropped.
 */
static void test_writer_bounds(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip(); /* a writer of another user needs setuid */
    prepare_server("b", 8);
    assert_int_equal(chmod(dir, 0755), 0); /* nobody reaches the socket */
    cfg.source.dnstap.socket_mode = 0666;  /* (the loader would refuse it; a test may) */
    cfg.source.dnstap.max_writers_per_user = 4;
    cfg.source.dnstap.handshake_timeout_ms = 2000;
    cfg.source.dnstap.idle_timeout_ms = 1500;
    cfg.source.dnstap.max_bad_frames = 3;
    pid_t pid = spawn_server();

    /* Eight silent connections of this user: four held, four refused at once. */
    int silent[8];
    for (int i = 0; i < 8; i++)
        silent[i] = connect_writer();
    wait_counter(AD_CAP_DNSTAP_USER_LIMIT_REFUSALS, 4);
    /* Another user's writer gets through while they are held. */
    uint64_t t0 = ad_time_mono_ns();
    assert_int_equal(session_as(65534, 65534), 0);
    assert_true(ad_time_mono_ns() - t0 < 2000000000ull);
    wait_counter(AD_CAP_DNSTAP_FRAMES, 1);
    /* Without a START within handshake_timeout the held ones are closed. */
    for (int i = 0; i < 8; i++) {
        expect_closed(silent[i]);
        close(silent[i]);
    }
    wait_counter(AD_CAP_DNSTAP_HANDSHAKE_TIMEOUTS, 4);

    /* A writer that goes silent after one frame is closed idle_timeout after that frame. */
    int idle = connect_writer();
    send_ctrl(idle, AD_FSTRM_CONTROL_READY, AD_FSTRM_CONTENT_TYPE);
    expect_control(idle, AD_FSTRM_CONTROL_ACCEPT, AD_FSTRM_CONTENT_TYPE);
    send_ctrl(idle, AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE);
    uint64_t last_frame = ad_time_mono_ns();
    send_message(idle, DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    wait_counter(AD_CAP_DNSTAP_FRAMES, 2);
    /* Meanwhile a writer of frames that are not dnstap: kept for two, closed at the third. */
    int bad = connect_writer();
    send_ctrl(bad, AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE);
    send_frame(bad, (const uint8_t *)"\xff\xff\xff", 3);
    send_frame(bad, (const uint8_t *)"not dnstap", 10);
    wait_counter(AD_CAP_DNSTAP_BAD_FRAMES, 2);
    struct pollfd pf = {.fd = bad, .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 100), 0); /* still connected */
    send_frame(bad, (const uint8_t *)"\x0a\x01", 2);
    expect_closed(bad);
    close(bad);
    wait_counter(AD_CAP_DNSTAP_BAD_FRAME_DISCONNECTS, 1);
    expect_closed(idle);
    uint64_t idle_for = ad_time_mono_ns() - last_frame;
    close(idle);
    wait_counter(AD_CAP_DNSTAP_IDLE_TIMEOUTS, 1);
    assert_true(idle_for >= 1400000000ull);
    stop_server(pid);

    assert_true(counter(AD_CAP_DNSTAP_FRAMES) == 5);
    assert_true(counter(AD_CAP_DNSTAP_BAD_FRAMES) == 3);
    assert_true(counter(AD_CAP_RECORDS_WRITTEN) == 2);
    assert_true(counter(AD_CAP_DNSTAP_WRITER_LIMIT_REFUSALS) == 0);
    assert_true(counter(AD_CAP_DNSTAP_PROTOCOL_ERRORS) == 0);
    assert_true(counter(AD_CAP_DNSTAP_WRITERS_DROPPED) == 4 + 4 + 1 + 1);
    ad_ring_producer_close(ring);
    (void)ad_ring_unlink(ring_name, false);
    (void)rmdir(dir);
}

/* max_bad_frames 0: a writer of bad frames is counted, never disconnected for them. */
static void test_bad_frames_never_drop(void **state)
{
    (void)state;
    prepare_server("n", 2);
    cfg.source.dnstap.max_bad_frames = 0;
    pid_t pid = spawn_server();
    int w = connect_writer();
    send_ctrl(w, AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE);
    for (int i = 0; i < 20; i++)
        send_frame(w, (const uint8_t *)"not dnstap", 10);
    send_message(w, DNSTAP__MESSAGE__TYPE__CLIENT_QUERY);
    wait_counter(AD_CAP_DNSTAP_FRAMES, 21);
    send_ctrl(w, AD_FSTRM_CONTROL_STOP, NULL);
    expect_closed(w); /* unidirectional: closed after STOP, not before */
    close(w);
    stop_server(pid);
    assert_true(counter(AD_CAP_DNSTAP_BAD_FRAMES) == 20);
    assert_true(counter(AD_CAP_RECORDS_WRITTEN) == 1);
    assert_true(counter(AD_CAP_DNSTAP_WRITERS_DROPPED) == 0);
    ad_ring_producer_close(ring);
    (void)ad_ring_unlink(ring_name, false);
    (void)rmdir(dir);
}

/* Setup failures: another kind of file at the path, a path too long, an unknown owner. */
static void test_setup_errors(void **state)
{
    (void)state;
    snprintf(ring_name, sizeof(ring_name), "t-dnstap-e-%ld", (long)getpid());
    (void)ad_ring_unlink(ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, ring_name);
    rc.capacity = 1u << 20;
    char msg[256] = "";
    assert_int_equal(ad_ring_producer_open(&rc, &ring, msg, sizeof(msg)), AD_OK);
    snprintf(dir, sizeof(dir), "/tmp/asimdns-dnstap-e-%ld", (long)getpid());
    (void)mkdir(dir, 0700);
    snprintf(sock_path, sizeof(sock_path), "%s/plain", dir);
    FILE *f = fopen(sock_path, "w");
    assert_non_null(f);
    fclose(f);
    memset(&cfg, 0, sizeof(cfg));
    cfg.heartbeat_seconds = 1;
    cfg.source.type = AD_SOURCE_DNSTAP;
    cfg.source.dnstap.socket_mode = 0660;
    cfg.source.dnstap.max_frame_size = MAX_FRAME;
    cfg.source.dnstap.max_writers = 1;
    snprintf(cfg.source.dnstap.socket_path, sizeof(cfg.source.dnstap.socket_path), "%s", sock_path);
    ad_capture_ctx_init(&ctx, ring, &cfg);
    ad_dnstap_source *src = (ad_dnstap_source *)&ctx; /* must be cleared on failure */
    assert_int_equal(ad_source_dnstap_open(&ctx, &src), AD_EEXIST);
    assert_null(src);
    assert_int_equal(ad_source_dnstap_run(&ctx), AD_EEXIST);
    assert_int_equal(access(sock_path, F_OK), 0); /* left alone */
    unlink(sock_path);
    memset(cfg.source.dnstap.socket_path, 'x', 150);
    cfg.source.dnstap.socket_path[150] = '\0';
    assert_int_equal(ad_source_dnstap_run(&ctx), AD_ERANGE);
    snprintf(cfg.source.dnstap.socket_path, sizeof(cfg.source.dnstap.socket_path), "%s/s", dir);
    snprintf(cfg.source.dnstap.socket_owner, sizeof(cfg.source.dnstap.socket_owner),
             "no-such-user-asimdns");
    assert_int_equal(ad_source_dnstap_run(&ctx), AD_ENOENT);
    ad_ring_producer_close(ring);
    (void)ad_ring_unlink(ring_name, false);
    (void)rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dnstap_source),
        cmocka_unit_test(test_writer_bounds),
        cmocka_unit_test(test_bad_frames_never_drop),
        cmocka_unit_test(test_setup_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

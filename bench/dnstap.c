/*
 * bench_dnstap: dnstap ingest speed.
 *
 * Frames: FRAMES_POOL realistic Dnstap messages packed with protobuf-c (dnstap.proto), as
 * Unbound sends them: CLIENT_QUERY (query time, query message) then CLIENT_RESPONSE (response
 * time and message only, no query time), UDP over IPv4 and every 8th over IPv6, from 256
 * clients, names h<N>.load.test with A / AAAA / MX / TXT, answers with one record, every 8th
 * NXDOMAIN, identity and version set. They form one Frame Streams byte stream (4-byte
 * big-endian length + payload per data frame).
 *
 * 1. In process, one core: the stream is fed through the Frame Streams reader (capture/fstrm.h)
 *    in 64 KiB reads and every data frame decoded (capture/dnstap_decode.h: protobuf unpack +
 *    DNS message parse + the event view), then also encoded as a ring record (common/record.h)
 *    as capture does; timed in thread CPU time. ns/frame beside the published anchor: the Go
 * DNS-collector decodes dnstap at about 87.5 ns/frame (5 M frames in 2.24 s); target <= 80 ns.
 * 2. Through the socket: the dnstap source (ad_source_dnstap_run, in a forked child) writing
 *    into a RING_MIB ring in tmpfs that this process drains as the exporter would (without
 *    decoding). First one writer sends more frames than the ring holds (a warm-up: the timed
 *    run then meets a ring in service, whose pages the source has already touched; in this VM
 *    the first touch of each 4 KiB costs more than the dnstap path itself). Then WRITERS forked
 *    Frame Streams writers (handshake READY/ACCEPT/START, frames, STOP/FINISH) each send
 *    PER_WRITER frames as fast as the socket takes them, in sends of many frames each (up to
 *    the whole pre-built stream; the socket takes what its buffer holds). frames/s = the
 *    frames / time from the writers' start until the source counted the last one
 *    (dnstap_frames); the source's CPU = its utime + stime over that run (/proc) per frame;
 *    drops = the sum of dropped_ring_full, dropped_too_large, decode_errors, dnstap_bad_frames,
 *    dnstap_writers_dropped and dnstap_protocol_errors (warm-up included) + frames never
 *    counted. Target >= 1 M frames/s with 0 drops.
 *
 * usage: bench_dnstap [DECODE_FRAMES=5000000] [WRITERS=4] [PER_WRITER=200000] [RING_MIB=64]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/dnstap_decode.h"
#include "capture/dnstap_source.h"
#include "capture/fstrm.h"
#include "common/record.h"
#include "common/stop.h"
#include "bench/cpu_time.h"
#include "common/timeutil.h"
#include "dnstap.pb-c.h"
#include "ipc/ring.h"

enum { FRAMES_POOL = 8192, MAX_FRAME = 16384, READ_CHUNK = 65536 };

static void die(const char *what)
{
    fprintf(stderr, "bench_dnstap: %s\n", what);
    exit(1);
}

/* Appends a DNS name h<n>.load.test in wire form; returns the new length. */
static size_t put_name(uint8_t *p, size_t at, unsigned n)
{
    char label[16];
    int k = snprintf(label, sizeof(label), "h%u", n);
    p[at++] = (uint8_t)k;
    memcpy(p + at, label, (size_t)k);
    at += (size_t)k;
    static const uint8_t rest[] = {4, 'l', 'o', 'a', 'd', 4, 't', 'e', 's', 't', 0};
    memcpy(p + at, rest, sizeof(rest));
    return at + sizeof(rest);
}

/* A DNS query (response = 0) or its answer for name h<n> and type qtype; returns its size. */
static size_t dns_message(uint8_t *p, unsigned n, uint16_t id, uint16_t qtype, int response)
{
    bool nx = response && n % 8 == 7;
    uint8_t hdr[12] = {(uint8_t)(id >> 8),
                       (uint8_t)id,
                       response ? 0x81 : 0x01,
                       response ? (nx ? 0x83 : 0x80) : 0x00,
                       0,
                       1,
                       0,
                       (uint8_t)(response && !nx)};
    memcpy(p, hdr, sizeof(hdr));
    size_t at = put_name(p, sizeof(hdr), n);
    p[at++] = (uint8_t)(qtype >> 8);
    p[at++] = (uint8_t)qtype;
    p[at++] = 0;
    p[at++] = 1; /* IN */
    if (response && !nx) {
        static const uint8_t ptr[] = {0xc0, 0x0c};
        memcpy(p + at, ptr, 2);
        at += 2;
        p[at++] = (uint8_t)(qtype >> 8);
        p[at++] = (uint8_t)qtype;
        static const uint8_t cls_ttl[] = {0, 1, 0, 0, 0x0e, 0x10};
        memcpy(p + at, cls_ttl, sizeof(cls_ttl));
        at += sizeof(cls_ttl);
        static const uint8_t a[] = {0, 4, 192, 0, 2, 7};
        static const uint8_t aaaa[] = {0, 16, 0x20, 1, 0x0d, 0xb8, 0, 0, 0,
                                       0, 0,  0,    0, 0,    0,    0, 0, 7};
        static const uint8_t mx[] = {0, 4, 0, 10, 0xc0, 0x0c};
        static const uint8_t txt[] = {0, 6, 5, 'h', 'e', 'l', 'l', 'o'};
        const uint8_t *rd = qtype == 1 ? a : qtype == 28 ? aaaa : qtype == 15 ? mx : txt;
        size_t rl = qtype == 1    ? sizeof(a)
                    : qtype == 28 ? sizeof(aaaa)
                    : qtype == 15 ? sizeof(mx)
                                  : sizeof(txt);
        memcpy(p + at, rd, rl);
        at += rl;
    }
    return at;
}

/* Frame i of the pool (even: query, odd: its response), packed into buf; returns its size. */
static size_t make_frame(size_t i, uint8_t *buf)
{
    static const uint16_t qtypes[] = {1, 28, 15, 16};
    unsigned q = (unsigned)(i / 2);
    int response = (int)(i % 2);
    uint8_t msg[512], client[16] = {0}, server[16] = {0};
    bool v6 = q % 8 == 3;
    if (v6) {
        static const uint8_t pre[] = {0x20, 1, 0x0d, 0xb8};
        memcpy(client, pre, 4);
        memcpy(server, pre, 4);
        client[15] = (uint8_t)(q % 256);
        server[15] = 1;
    } else {
        client[0] = 10;
        client[2] = (uint8_t)(q % 256 / 16);
        client[3] = (uint8_t)(q % 16 + 2);
        server[0] = 10;
        server[3] = 1;
    }
    uint16_t id = (uint16_t)(q * 7919u);
    size_t mlen = dns_message(msg, q % 1000, id, qtypes[q % 4], response);
    Dnstap__Dnstap d;
    Dnstap__Message m;
    dnstap__dnstap__init(&d);
    dnstap__message__init(&m);
    d.type = DNSTAP__DNSTAP__TYPE__MESSAGE;
    d.message = &m;
    d.has_identity = 1;
    d.identity.data = (uint8_t *)"dns01.load.test";
    d.identity.len = 15;
    d.has_version = 1;
    d.version.data = (uint8_t *)"unbound 1.17.1";
    d.version.len = 14;
    m.type =
        response ? DNSTAP__MESSAGE__TYPE__CLIENT_RESPONSE : DNSTAP__MESSAGE__TYPE__CLIENT_QUERY;
    m.has_socket_family = 1;
    m.socket_family = v6 ? DNSTAP__SOCKET_FAMILY__INET6 : DNSTAP__SOCKET_FAMILY__INET;
    m.has_socket_protocol = 1;
    m.socket_protocol = DNSTAP__SOCKET_PROTOCOL__UDP;
    m.has_query_address = 1;
    m.query_address.data = client;
    m.query_address.len = v6 ? 16 : 4;
    m.has_response_address = 1;
    m.response_address.data = server;
    m.response_address.len = v6 ? 16 : 4;
    m.has_query_port = 1;
    m.query_port = 20000 + q % 40000;
    m.has_response_port = 1;
    m.response_port = 53;
    uint64_t t = 1732528800ull * 1000000000ull + (uint64_t)q * 50000u + (response ? 200000u : 0);
    if (response) {
        m.has_response_message = 1;
        m.response_message.data = msg;
        m.response_message.len = mlen;
        m.has_response_time_sec = m.has_response_time_nsec = 1;
        m.response_time_sec = t / 1000000000u;
        m.response_time_nsec = (uint32_t)(t % 1000000000u);
    } else {
        m.has_query_message = 1;
        m.query_message.data = msg;
        m.query_message.len = mlen;
        m.has_query_time_sec = m.has_query_time_nsec = 1;
        m.query_time_sec = t / 1000000000u;
        m.query_time_nsec = (uint32_t)(t % 1000000000u);
    }
    if (dnstap__dnstap__get_packed_size(&d) > MAX_FRAME)
        die("frame too large");
    return dnstap__dnstap__pack(&d, buf);
}

/* The pool as one Frame Streams stream of data frames (no control frames); *len its size. */
static uint8_t *build_stream(size_t *len)
{
    uint8_t *s = malloc((size_t)FRAMES_POOL * (MAX_FRAME + 4)), frame[MAX_FRAME];
    if (!s)
        die("out of memory");
    size_t at = 0;
    for (size_t i = 0; i < FRAMES_POOL; i++) {
        size_t n = make_frame(i, frame);
        s[at] = (uint8_t)(n >> 24);
        s[at + 1] = (uint8_t)(n >> 16);
        s[at + 2] = (uint8_t)(n >> 8);
        s[at + 3] = (uint8_t)n;
        memcpy(s + at + 4, frame, n);
        at += 4 + n;
    }
    *len = at;
    return s;
}

/* Feeds the stream through a reader (after START) until want frames were decoded; with
 * encode, each event is also encoded as a ring record. Returns seconds. */
static double decode_run(const uint8_t *stream, size_t len, uint64_t want, bool encode)
{
    static uint8_t fbuf[MAX_FRAME], rec[AD_RECORD_MAX_SIZE];
    ad_fstrm_reader r;
    ad_fstrm_reader_init(&r, fbuf, sizeof(fbuf));
    uint8_t start[64];
    size_t sl =
        ad_fstrm_control(AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE, start, sizeof(start));
    size_t used;
    ad_fstrm_out out;
    if (ad_fstrm_feed(&r, start, sl, &used, &out) != AD_OK || used != sl)
        die("START refused");
    ad_dnstap_event ev;
    memset(&ev, 0, sizeof(ev));
    uint64_t done = 0, sink = 0;
    size_t pos = 0;
    uint64_t t0 = bench_cpu_ns();
    while (done < want) {
        size_t chunk = len - pos < READ_CHUNK ? len - pos : READ_CHUNK;
        const uint8_t *p = stream + pos;
        pos = pos + chunk == len ? 0 : pos + chunk;
        while (chunk > 0) {
            if (ad_fstrm_feed(&r, p, chunk, &used, &out) != AD_OK)
                die(r.why ? r.why : "fstrm error");
            p += used;
            chunk -= used;
            if (out.kind != AD_FSTRM_DATA)
                continue;
            if (ad_dnstap_decode(out.data, out.len, &ev) != AD_OK)
                die("a frame did not decode");
            if (encode) {
                size_t rl;
                if (ad_record_encode(&ev.ev, rec, sizeof(rec), &rl) != AD_OK)
                    die("record encode failed");
                sink += rl;
            }
            sink += ev.ev.hdr.event_id;
            done++;
        }
    }
    double secs = (double)(bench_cpu_ns() - t0) / 1e9;
    ad_dnstap_event_release(&ev);
    if (sink == 0)
        die("nothing decoded");
    return secs;
}

static int connect_to(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    if (n >= sizeof(sa.sun_path))
        die("socket path too long");
    memcpy(sa.sun_path, path, n);
    for (int i = 0; i < 500; i++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0)
            die("socket");
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        close(fd);
        usleep(10000);
    }
    die("cannot connect to the dnstap socket");
    return -1;
}

static void send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            _exit(3);
        p += k;
        n -= (size_t)k;
    }
}

static void recv_control(int fd, uint32_t type)
{
    uint8_t want[64], got[64];
    size_t n = ad_fstrm_control(
        type, type == AD_FSTRM_CONTROL_ACCEPT ? AD_FSTRM_CONTENT_TYPE : NULL, want, sizeof(want));
    size_t have = 0;
    while (have < n) {
        ssize_t k = recv(fd, got + have, n - have, 0);
        if (k <= 0)
            _exit(4);
        have += (size_t)k;
    }
    if (memcmp(got, want, n) != 0)
        _exit(5);
}

/* A writer process: handshake, per_writer frames from the stream (cycled), STOP, FINISH. */
static void writer(const char *path, const uint8_t *stream, size_t len, uint64_t per_writer)
{
    int fd = connect_to(path);
    uint8_t c[64];
    send_all(fd, c, ad_fstrm_control(AD_FSTRM_CONTROL_READY, AD_FSTRM_CONTENT_TYPE, c, sizeof(c)));
    recv_control(fd, AD_FSTRM_CONTROL_ACCEPT);
    send_all(fd, c, ad_fstrm_control(AD_FSTRM_CONTROL_START, AD_FSTRM_CONTENT_TYPE, c, sizeof(c)));
    uint64_t whole = per_writer / FRAMES_POOL, rest = per_writer % FRAMES_POOL;
    for (uint64_t i = 0; i < whole; i++)
        send_all(fd, stream, len);
    size_t at = 0;
    for (uint64_t i = 0; i < rest; i++) {
        uint32_t n = (uint32_t)stream[at] << 24 | (uint32_t)stream[at + 1] << 16 |
                     (uint32_t)stream[at + 2] << 8 | stream[at + 3];
        at += 4 + n;
    }
    send_all(fd, stream, at);
    send_all(fd, c, ad_fstrm_control(AD_FSTRM_CONTROL_STOP, NULL, c, sizeof(c)));
    recv_control(fd, AD_FSTRM_CONTROL_FINISH);
    close(fd);
    _exit(0);
}

/* Releases every record in the ring (an exporter that does nothing with them); how many. */
static uint64_t drain(ad_ring_consumer *cons)
{
    ad_ring_view v[256];
    size_t got = 0;
    uint64_t n = 0;
    while (ad_ring_consumer_peek(cons, v, 256, &got) == AD_OK && got > 0) {
        n += got;
        ad_ring_consumer_commit_all(cons);
    }
    return n;
}

/* utime + stime of process pid in clock ticks (/proc/PID/stat fields 14 and 15). */
static uint64_t cpu_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL || fgets(buf, sizeof(buf), f) == NULL)
        die("cannot read the source's /proc/PID/stat");
    fclose(f);
    const char *p = strrchr(buf, ')'); /* after the command name, which may hold spaces */
    unsigned long long ut = 0, stt = 0;
    if (p == NULL ||
        sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", &ut, &stt) != 2)
        die("cannot parse /proc/PID/stat");
    return ut + stt;
}

/* One batch of writers: frames counted in it, when it started and ended, writers that failed. */
typedef struct phase {
    uint64_t frames, t0, t1;
    int bad_writers;
} phase;

/*
 * Runs writers processes of per_writer frames each against the source, draining the ring into
 * *consumed meanwhile; done when the source counted them all (dnstap_frames beyond
 * frames_before) or, after the writers ended, nothing moved for 2 s.
 */
static phase run_writers(const char *path, const uint8_t *stream, size_t len, int writers,
                         uint64_t per_writer, ad_ring_producer *ring, ad_ring_consumer *cons,
                         uint64_t frames_before, uint64_t *consumed)
{
    uint64_t total = (uint64_t)writers * per_writer;
    pid_t pids[64];
    phase ph = {.t0 = ad_time_mono_ns()};
    ph.t1 = ph.t0;
    for (int w = 0; w < writers; w++) {
        if ((pids[w] = fork()) < 0)
            die("fork");
        if (pids[w] == 0)
            writer(path, stream, len, per_writer);
    }
    uint64_t last = 0, last_change = ad_time_mono_ns();
    for (;;) {
        *consumed += drain(cons);
        ph.frames = ad_ring_producer_counter_get(ring, AD_CAP_DNSTAP_FRAMES) - frames_before;
        uint64_t now = ad_time_mono_ns();
        if (ph.frames != last) {
            last = ph.frames;
            last_change = now;
            ph.t1 = now;
        }
        if (ph.frames >= total || now - last_change > 2000000000u)
            break;
        usleep(1000); /* the ring holds far more than 1 ms of records */
    }
    for (int w = 0; w < writers; w++) {
        int st = 0;
        if (waitpid(pids[w], &st, 0) != pids[w] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            ph.bad_writers++;
    }
    return ph;
}

static void socket_run(const uint8_t *stream, size_t len, int writers, uint64_t per_writer,
                       uint64_t ring_mib)
{
    char ring_name[64], dir[96], path[128], msg[256] = "";
    snprintf(ring_name, sizeof(ring_name), "bench-dnstap-%ld", (long)getpid());
    snprintf(dir, sizeof(dir), "/tmp/asimdns-bench-dnstap-%ld", (long)getpid());
    snprintf(path, sizeof(path), "%s/dnstap.sock", dir);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        die("mkdir");
    /* The ring in tmpfs, as in production (/run is tmpfs on systemd hosts; in a container it
     * may be on the disk). */
    char ring_dir[96];
    snprintf(ring_dir, sizeof(ring_dir), "/dev/shm/asimdns-bench-dnstap-%ld", (long)getpid());
    if (mkdir(ring_dir, 0755) != 0 || ad_ring_set_directory(ring_dir) != AD_OK)
        die("ring directory in /dev/shm");
    (void)ad_ring_unlink(ring_name, false);
    ad_ring_config rc;
    ad_ring_config_init(&rc, ring_name);
    rc.capacity = ring_mib << 20;
    ad_ring_producer *ring;
    if (ad_ring_producer_open(&rc, &ring, msg, sizeof(msg)) != AD_OK) {
        fprintf(stderr, "bench_dnstap: ring: %s\n", msg);
        exit(1);
    }
    /* This process drains the ring as the exporter would (without decoding), so the ring is
     * reused as in service instead of each record landing on memory touched the first time. */
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    ad_ring_consumer *cons;
    if (ad_ring_consumer_open(&cc, &cons, msg, sizeof(msg)) != AD_OK) {
        fprintf(stderr, "bench_dnstap: ring consumer: %s\n", msg);
        exit(1);
    }
    ad_capture_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.heartbeat_seconds = 1;
    cfg.source.type = AD_SOURCE_DNSTAP;
    snprintf(cfg.source.dnstap.socket_path, sizeof(cfg.source.dnstap.socket_path), "%s", path);
    cfg.source.dnstap.socket_mode = 0600;
    cfg.source.dnstap.max_frame_size = MAX_FRAME;
    cfg.source.dnstap.max_writers = (uint32_t)writers;
    cfg.source.dnstap.max_writers_per_user = (uint32_t)writers;
    cfg.source.dnstap.handshake_timeout_ms = 5000;
    cfg.source.dnstap.idle_timeout_ms = 300000;
    cfg.source.dnstap.max_bad_frames = 8;
    ad_capture_ctx ctx;
    ad_capture_ctx_init(&ctx, ring, &cfg);
    pid_t server = fork();
    if (server < 0)
        die("fork");
    if (server == 0) {
        ad_stop_install();
        _exit(ad_source_dnstap_run(&ctx) == AD_OK ? 0 : 1);
    }
    struct stat sb;
    for (int i = 0; i < 500 && stat(path, &sb) != 0; i++)
        usleep(10000);

    /* Warm-up: one writer sends more records than the ring holds, so the timed run meets a
     * ring whose pages the source has mapped and used, as in service. */
    uint64_t consumed = 0;
    uint64_t warm_total = (ring_mib << 20) / 256;
    phase warm = run_writers(path, stream, len, 1, warm_total, ring, cons, 0, &consumed);
    uint64_t cpu0 = cpu_ticks(server);
    uint64_t written0 = ad_ring_producer_counter_get(ring, AD_CAP_RECORDS_WRITTEN);
    phase run =
        run_writers(path, stream, len, writers, per_writer, ring, cons, warm.frames, &consumed);
    double src_cpu = (double)(cpu_ticks(server) - cpu0) / (double)sysconf(_SC_CLK_TCK);
    uint64_t frames = run.frames, total = (uint64_t)writers * per_writer;
    kill(server, SIGTERM);
    int st = 0;
    waitpid(server, &st, 0);
    ad_capture_counter losses[] = {AD_CAP_DROPPED_RING_FULL,      AD_CAP_DROPPED_TOO_LARGE,
                                   AD_CAP_DECODE_ERRORS,          AD_CAP_DNSTAP_BAD_FRAMES,
                                   AD_CAP_DNSTAP_WRITERS_DROPPED, AD_CAP_DNSTAP_PROTOCOL_ERRORS};
    uint64_t drops = 0;
    for (size_t i = 0; i < sizeof(losses) / sizeof(losses[0]); i++)
        drops += ad_ring_producer_counter_get(ring, losses[i]);
    uint64_t written = ad_ring_producer_counter_get(ring, AD_CAP_RECORDS_WRITTEN);
    consumed += drain(cons);
    ad_ring_consumer_close(cons);
    if (consumed != written)
        fprintf(stderr, "bench_dnstap: %llu records written, %llu read from the ring\n",
                (unsigned long long)written, (unsigned long long)consumed);
    double secs = (double)(run.t1 - run.t0) / 1e9;
    printf("| socket, %d writers | %10llu | %12.0f | %10.1f | %8llu | %10llu | %.2fx the target "
           "of 1 M frames/s; the source's CPU: %.0f ns/frame (%.0f frames/s of one core)%s\n",
           writers, (unsigned long long)frames, (double)frames / secs, 1e9 * secs / (double)frames,
           (unsigned long long)(drops + (total - frames) + (warm_total - warm.frames)),
           (unsigned long long)(written - written0), (double)frames / secs / 1e6,
           1e9 * src_cpu / (double)frames, (double)frames / src_cpu,
           warm.bad_writers + run.bad_writers ? " (a writer failed)" : "");
    ad_ring_producer_close(ring);
    (void)ad_ring_unlink(ring_name, false);
    rmdir(ring_dir);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    uint64_t decode_frames = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
    int writers = argc > 2 ? atoi(argv[2]) : 4;
    uint64_t per_writer = argc > 3 ? strtoull(argv[3], NULL, 10) : 200000;
    uint64_t ring_mib = argc > 4 ? strtoull(argv[4], NULL, 10) : 64;
    if (decode_frames == 0 || writers < 1 || writers > 64 || ring_mib == 0) {
        fprintf(stderr,
                "usage: bench_dnstap [DECODE_FRAMES] [WRITERS 1..64] [PER_WRITER] [RING_MIB]\n");
        return 2;
    }
    size_t len;
    uint8_t *stream = build_stream(&len);
    printf("bench_dnstap: %d distinct frames, %.0f B/frame on the wire (with the 4-byte length)\n",
           FRAMES_POOL, (double)len / FRAMES_POOL);
    printf("| path | frames | frames/s | ns/frame | drops | records |\n");
    printf("|---|---|---|---|---|---|\n");
    decode_run(stream, len, FRAMES_POOL, true); /* warm-up */
    double d = decode_run(stream, len, decode_frames, false);
    printf(
        "| in process: fstrm + decode | %10llu | %12.0f | %10.1f | - | - | anchor Go DNS-collector "
        "87.5 ns/frame: %.2fx; target 80 ns: %.2f\n",
        (unsigned long long)decode_frames, (double)decode_frames / d,
        1e9 * d / (double)decode_frames, 87.5 / (1e9 * d / (double)decode_frames),
        (1e9 * d / (double)decode_frames) / 80.0);
    double e = decode_run(stream, len, decode_frames, true);
    printf("| in process: fstrm + decode + record encode | %10llu | %12.0f | %10.1f | - | - |\n",
           (unsigned long long)decode_frames, (double)decode_frames / e,
           1e9 * e / (double)decode_frames);
    fflush(stdout);
    if (per_writer > 0)
        socket_run(stream, len, writers, per_writer, ring_mib);
    free(stream);
    return 0;
}

/*
 * asimdns bench: cross-process throughput of the shared-memory ring, against the same records
 * sent through an nng ipc:// PUSH/PULL pair, in the same run (facts: peer-baselines.md §A).
 *
 *   bench_ring [--ring-records N] [--nng-records N] [--capacity BYTES] [--no-pin]
 *              [--sizes 64,256,1024]
 *
 * For each record size: the parent process produces, a forked child consumes. Every record
 * carries its sequence number in its first 8 bytes and is copied out and checked by the
 * consumer (both transports do the same work per record). Time = from the first record
 * produced (parent) to the last one consumed (child), CLOCK_MONOTONIC (system-wide). The ring
 * producer waits for room (try_reserve) so nothing is dropped; nng PUSH/PULL is lossless by
 * design. Both processes are pinned to CPUs 0 and 1 unless --no-pin. The ring has the
 * production default capacity (64 MiB) unless --capacity; a smaller ring is faster on an idle
 * machine (it stays in cache) but loses more when the scheduler parks one side for a time
 * slice, because the other side can only run ahead by one ring.
 * Prints: size, ring records/s and GB/s, nng records/s and GB/s, ratio (ring / nng).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>

#include "common/timeutil.h"
#include "ipc/atomics.h"
#include "ipc/ring.h"

#define MAX_SIZE 65536
#define BATCH 256

typedef struct bench_result {
    double seconds;
    uint64_t records;
    uint64_t errors;
} bench_result;

/* What the consumer child reports back through the pipe. */
typedef struct child_report {
    uint64_t end_ns;
    uint64_t records;
    uint64_t errors;
    int fail;
} child_report;

static bool pin_cpus = true;

static void pin_to(int cpu)
{
    cpu_set_t set;
    if (!pin_cpus) {
        return;
    }
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0) {
        fprintf(stderr, "bench_ring: cannot pin to CPU %d (%s); continuing unpinned\n", cpu,
                strerror(errno));
    }
}

static bool read_full(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static void write_full(int fd, const void *buf, size_t len)
{
    if (write(fd, buf, len) != (ssize_t)len) {
        _exit(3);
    }
}

/* ---- ring ----------------------------------------------------------------------------------- */

static void ring_consumer_child(const char *name, size_t size, uint64_t count, int ready_fd,
                                int done_fd)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    ad_ring_view v[BATCH];
    static uint8_t buf[MAX_SIZE];
    child_report rep = {0};
    uint64_t expect = 0;
    char msg[256];

    pin_to(1);
    ad_ring_consumer_config_init(&cc, name);
    if (ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)) != AD_OK) {
        fprintf(stderr, "bench_ring: consumer: %s\n", msg);
        rep.fail = 1;
        write_full(ready_fd, "x", 1);
        write_full(done_fd, &rep, sizeof(rep));
        _exit(1);
    }
    write_full(ready_fd, "r", 1);
    while (rep.records < count) {
        size_t n = 0;
        if (ad_ring_consumer_peek(c, v, BATCH, &n) != AD_OK) {
            ad_ring_consumer_wait(c, 100000000);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t s;
            memcpy(buf, v[i].data, v[i].len); /* touch every byte, as the nng side does */
            memcpy(&s, buf, sizeof(s));
            rep.errors += (s != expect) | (v[i].len != size);
            expect++;
        }
        rep.records += n;
        ad_ring_consumer_commit(c, &v[n - 1]);
    }
    rep.end_ns = ad_time_mono_ns();
    write_full(done_fd, &rep, sizeof(rep));
    ad_ring_consumer_close(c);
    _exit(0);
}

static bool run_ring(size_t size, uint64_t count, uint64_t capacity, bench_result *res)
{
    char name[64], msg[256], b;
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    static uint8_t tmpl[MAX_SIZE];
    int ready[2], done[2];
    child_report rep;
    uint64_t t0;
    pid_t pid;

    snprintf(name, sizeof(name), "bench-%ld-%zu", (long)getpid(), size);
    ad_ring_unlink(name, false);
    ad_ring_config_init(&cfg, name);
    cfg.capacity = capacity;
    cfg.max_payload = MAX_SIZE / 4 < capacity / 8 ? MAX_SIZE / 4 : (uint32_t)(capacity / 8);
    if (ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)) != AD_OK) {
        fprintf(stderr, "bench_ring: producer: %s\n", msg);
        return false;
    }
    memset(tmpl, 'x', sizeof(tmpl));
    if (pipe(ready) != 0 || pipe(done) != 0) {
        return false;
    }
    pid = fork();
    if (pid == 0) {
        ring_consumer_child(name, size, count, ready[1], done[1]);
    }
    pin_to(0);
    if (!read_full(ready[0], &b, 1) || b != 'r') {
        waitpid(pid, NULL, 0);
        return false;
    }
    t0 = ad_time_mono_ns();
    for (uint64_t i = 0; i < count; i++) {
        void *dst;
        uint64_t seq;
        while (ad_ring_producer_try_reserve(p, size, &dst, &seq) != AD_OK) {
            ad_cpu_relax();
        }
        memcpy(dst, tmpl, size);
        memcpy(dst, &i, sizeof(i));
        ad_ring_producer_commit(p, size);
    }
    if (!read_full(done[0], &rep, sizeof(rep))) {
        waitpid(pid, NULL, 0);
        return false;
    }
    waitpid(pid, NULL, 0);
    ad_ring_producer_close(p);
    ad_ring_unlink(name, false);
    close(ready[0]);
    close(ready[1]);
    close(done[0]);
    close(done[1]);
    res->seconds = (double)(rep.end_ns - t0) / 1e9;
    res->records = rep.records;
    res->errors = rep.errors;
    return rep.fail == 0;
}

/* ---- nng ------------------------------------------------------------------------------------ */

static void nng_consumer_child(const char *url, size_t size, uint64_t count, int ready_fd,
                               int done_fd)
{
    nng_socket s;
    static uint8_t buf[MAX_SIZE];
    child_report rep = {0};
    int rv;

    pin_to(1);
    if ((rv = nng_pull0_open(&s)) != 0 || (rv = nng_listen(s, url, NULL, 0)) != 0) {
        fprintf(stderr, "bench_ring: nng pull: %s\n", nng_strerror(rv));
        rep.fail = 1;
        write_full(ready_fd, "x", 1);
        write_full(done_fd, &rep, sizeof(rep));
        _exit(1);
    }
    write_full(ready_fd, "r", 1);
    for (uint64_t i = 0; i < count; i++) {
        void *msg = NULL;
        size_t len = 0;
        uint64_t s64;
        if ((rv = nng_recv(s, &msg, &len, NNG_FLAG_ALLOC)) != 0) {
            fprintf(stderr, "bench_ring: nng recv: %s\n", nng_strerror(rv));
            rep.fail = 1;
            break;
        }
        memcpy(buf, msg, len < sizeof(buf) ? len : sizeof(buf));
        memcpy(&s64, buf, sizeof(s64));
        rep.errors += (s64 != i) | (len != size);
        nng_free(msg, len);
        rep.records++;
    }
    rep.end_ns = ad_time_mono_ns();
    write_full(done_fd, &rep, sizeof(rep));
    nng_close(s);
    _exit(0);
}

/*
 * The nng producer runs in its own child too: nng cannot be used in a process forked from one
 * that has already initialised it, so the parent never touches nng.
 */
static void nng_producer_child(const char *url, size_t size, uint64_t count, int ready_fd,
                               int t0_fd)
{
    static uint8_t tmpl[MAX_SIZE];
    nng_socket s;
    uint64_t t0;
    char b;
    int rv;

    pin_to(0);
    memset(tmpl, 'x', sizeof(tmpl));
    if (!read_full(ready_fd, &b, 1) || b != 'r') {
        _exit(1);
    }
    if ((rv = nng_push0_open(&s)) != 0 || (rv = nng_dial(s, url, NULL, 0)) != 0) {
        fprintf(stderr, "bench_ring: nng push: %s\n", nng_strerror(rv));
        _exit(1);
    }
    t0 = ad_time_mono_ns();
    write_full(t0_fd, &t0, sizeof(t0));
    for (uint64_t i = 0; i < count; i++) {
        memcpy(tmpl, &i, sizeof(i));
        if ((rv = nng_send(s, tmpl, size, 0)) != 0) {
            fprintf(stderr, "bench_ring: nng send: %s\n", nng_strerror(rv));
            _exit(1);
        }
    }
    /* Stay connected until the consumer has everything: closing could drop queued ones. */
    if (!read_full(ready_fd, &b, 1)) {
        _exit(0);
    }
    nng_close(s);
    _exit(0);
}

static bool run_nng(size_t size, uint64_t count, bench_result *res)
{
    char url[128];
    int ready[2], done[2], t0p[2];
    child_report rep;
    uint64_t t0 = 0;
    pid_t cons, prod;
    bool ok;

    snprintf(url, sizeof(url), "ipc:///tmp/asimdns-bench-ring-%ld.ipc", (long)getpid());
    if (pipe(ready) != 0 || pipe(done) != 0 || pipe(t0p) != 0) {
        return false;
    }
    cons = fork();
    if (cons == 0) {
        nng_consumer_child(url, size, count, ready[1], done[1]);
    }
    prod = fork();
    if (prod == 0) {
        nng_producer_child(url, size, count, ready[0], t0p[1]);
    }
    close(ready[0]);
    close(t0p[1]);
    ok = read_full(t0p[0], &t0, sizeof(t0)) && read_full(done[0], &rep, sizeof(rep));
    write_full(ready[1], "q", 1); /* tell the producer it may close */
    waitpid(prod, NULL, 0);
    waitpid(cons, NULL, 0);
    close(ready[1]);
    close(done[0]);
    close(done[1]);
    close(t0p[0]);
    if (!ok) {
        return false;
    }
    res->seconds = (double)(rep.end_ns - t0) / 1e9;
    res->records = rep.records;
    res->errors = rep.errors;
    return rep.fail == 0;
}

/* ---- main ----------------------------------------------------------------------------------- */

static int bench_usage(void)
{
    fprintf(stderr, "usage: bench_ring [--ring-records N] [--nng-records N] [--capacity BYTES] "
                    "[--no-pin] [--sizes 64,256,1024]\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t ring_records = 20000000, nng_records = 200000, capacity = AD_RING_DEFAULT_CAPACITY;
    size_t sizes[8] = {64, 256, 1024};
    size_t nsizes = 3;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--no-pin") == 0) {
            pin_cpus = false;
            continue;
        }
        if (i + 1 >= argc) {
            return bench_usage();
        }
        const char *v = argv[++i];
        if (strcmp(a, "--ring-records") == 0) {
            ring_records = strtoull(v, NULL, 0);
        } else if (strcmp(a, "--nng-records") == 0) {
            nng_records = strtoull(v, NULL, 0);
        } else if (strcmp(a, "--capacity") == 0) {
            capacity = strtoull(v, NULL, 0);
        } else if (strcmp(a, "--sizes") == 0) {
            char *end = (char *)v;
            nsizes = 0;
            while (*end != '\0' && nsizes < 8) {
                sizes[nsizes++] = (size_t)strtoul(end, &end, 10);
                if (*end == ',') {
                    end++;
                }
            }
        } else {
            return bench_usage();
        }
    }
    for (size_t i = 0; i < nsizes; i++) {
        if (sizes[i] < 8 || sizes[i] > MAX_SIZE / 4) {
            fprintf(stderr, "bench_ring: sizes must be 8..%d\n", MAX_SIZE / 4);
            return 2;
        }
    }

    printf("bench_ring: ring capacity %llu bytes, %llu ring records and %llu nng records per "
           "size, %s\n",
           (unsigned long long)capacity, (unsigned long long)ring_records,
           (unsigned long long)nng_records, pin_cpus ? "pinned to CPUs 0/1" : "not pinned");
    printf("%6s %16s %10s %16s %10s %9s\n", "size", "ring records/s", "ring GB/s", "nng records/s",
           "nng GB/s", "ratio");
    fflush(stdout);
    int rc = 0;
    for (size_t i = 0; i < nsizes; i++) {
        bench_result r = {0}, n = {0};
        if (!run_ring(sizes[i], ring_records, capacity, &r) ||
            !run_nng(sizes[i], nng_records, &n)) {
            fprintf(stderr, "bench_ring: run for %zu bytes failed\n", sizes[i]);
            return 1;
        }
        if (r.errors != 0 || n.errors != 0) {
            fprintf(stderr, "bench_ring: %llu ring / %llu nng records arrived wrong\n",
                    (unsigned long long)r.errors, (unsigned long long)n.errors);
            rc = 1;
        }
        double rr = (double)r.records / r.seconds, nr = (double)n.records / n.seconds;
        printf("%6zu %16.0f %10.2f %16.0f %10.3f %8.1fx\n", sizes[i], rr,
               rr * (double)sizes[i] / 1e9, nr, nr * (double)sizes[i] / 1e9, rr / nr);
        fflush(stdout);
    }
    return rc;
}

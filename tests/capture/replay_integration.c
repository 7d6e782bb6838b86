/*
 * asimdns tests (integration): the real asimdns-capture binary with a replay source.
 *
 * Writes a replay file (DESIGN.md §4) with thousands of events of every supported (event,
 * version, pointer size) built by etw_vector_builder (the fake_etw corpus), comment and blank
 * lines, and malformed lines at known line numbers; runs `asimdns-capture -c capture.yaml`
 * (replay, rate 0, a ring of its own); then reads the ring as the exporter would and compares
 * every record with the builder's input field by field (etw_test_check, the decoder round-trip
 * checks), checks sequence numbers 1..N, the counters (replay_bad_lines = malformed lines,
 * events_in = records_written = events) and that the log names every malformed line number.
 *
 * Usage: capture_replay_integration PATH/TO/asimdns-capture
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/replay_format.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "etw_test_util.h"
#include "fake_etw.h"
#include "ipc/ring.h"
#include "ipc/ring_status.h"

extern char **environ;

#define ROUNDS 12     /* x ~320 corpus vectors: about 3,800 events */
#define BAD_EVERY 331 /* a malformed line after this many events */
#define MAX_EVENTS 8192

static const char *capture_bin;

static fake_vec corpus[FAKE_CORPUS_MAX];
static size_t ncorpus;
static ad_vb vb;

/* The events written, in file order: which corpus vector, and its delivery number. */
static struct {
    uint16_t vec;
    uint32_t n;
} expected[MAX_EVENTS];
static size_t nexpected;
static unsigned long bad_line_no[64];
static size_t nbad;

/* Stand-ins in bad_lines for lines made at run time. */
#define NUL_LINE "<an event line with a NUL byte inside>"
#define OVERLONG_LINE "<a line longer than the format allows>"

/* Malformed lines, one per reason the parser gives (each checked to be rejected below). The
 * first ones land between events: the line after each must still be read. */
static const char *const bad_lines[] = {
    NUL_LINE,
    OVERLONG_LINE,
    "garbage",
    "1732528800123456700 {EB79061A-A566-4698-9119-3ED2807060E7} 256 0 2244 3100 0x0240 0",
    "1732528800123456700 {EB79061A-A566-4698-9119-3ED2807060E7} 256 0 2244 3100 0x0240 zz",
    "1732528800123456700 {00000000-0000-0000-0000-000000000000} 256 0 2244 3100 0x0240 00",
    "1732528800123456700 Microsoft-Windows-DNSServer 70000 0 2244 3100 0x0240 00",
    "-5 Microsoft-Windows-DNSServer 256 0 2244 3100 0x0240 00",
    "1732528800123456700 {EB79061A-A566-4698-9119-3ED2807060E7} 256 0 2244 3100 0x0240",
    "1732528800123456700 {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D} 3008 300 2244 3100 0x0240 00",
    "1732528800123456700 {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D} 3008 0 2244 3100 0xZZ 00",
    "1732528800123456700 {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D} 3008 0 x 3100 0x0240 00",
    "1732528800123456700 {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D",
};
#define NBAD_KINDS (sizeof(bad_lines) / sizeof(bad_lines[0]))

static char work[64], replay_path[128], config_path[128], log_path[128], ring_name[64];
/* The reason the log must give for a malformed line (NULL: any). */
static const char *bad_reason[64];

static void write_bad_line(FILE *f, size_t kind, unsigned long *line_no)
{
    bad_reason[nbad] = NULL;
    if (strcmp(bad_lines[kind], NUL_LINE) == 0) {
        static const char nul_line[] = "1732528800123456700 {EB79061A-A566-4698-9119-3ED2807060E7} "
                                       "256 0 22\0"
                                       "44 3100 0x0240 00\n";
        fwrite(nul_line, 1, sizeof(nul_line) - 1, f);
        bad_reason[nbad] = "NUL byte in the line";
    } else if (strcmp(bad_lines[kind], OVERLONG_LINE) != 0) {
        static unsigned char ud[AD_ETW_MAX_USERDATA];
        ad_etw_event_in in;
        ad_replay_line_kind k;
        const char *why = NULL;
        assert_int_not_equal(ad_replay_parse_line(bad_lines[kind], strlen(bad_lines[kind]), &in, ud,
                                                  sizeof(ud), &k, &why),
                             AD_OK);
        fprintf(f, "%s\n", bad_lines[kind]);
    } else {
        for (size_t i = 0; i < AD_REPLAY_MAX_LINE + 100; i++)
            fputc('a', f);
        fputc('\n', f);
        bad_reason[nbad] = "line longer than the replay format allows";
    }
    bad_line_no[nbad++] = ++*line_no;
}

static void write_replay_file(void)
{
    FILE *f = fopen(replay_path, "w");
    assert_non_null(f);
    static char line[AD_REPLAY_MAX_LINE + 2];
    unsigned long line_no = 0;
    fprintf(f, "# asimdns capture_replay_integration: %zu vectors x %d rounds\n", ncorpus, ROUNDS);
    fprintf(f, "\n");
    line_no = 2;
    size_t kind = 0;
    for (unsigned r = 0; r < ROUNDS; r++) {
        for (size_t c = 0; c < ncorpus; c++) {
            const fake_vec *vec = &corpus[c];
            ad_vb_values v;
            assert_true(fake_build(vec, &vb, &v));
            size_t n = nexpected;
            assert_true(n < MAX_EVENTS);
            ad_etw_event_in in;
            memset(&in, 0, sizeof(in));
            in.provider = vec->provider;
            in.event_id = vec->id;
            in.version = vec->version;
            in.header_flags = fake_header_flags(vec);
            in.pid = fake_pid(n);
            in.tid = fake_tid(n);
            in.time_ns = fake_time(n);
            in.userdata = vb.buf;
            in.userdata_len = vb.len;
            ad_strbuf sb;
            ad_strbuf_init(&sb, line, sizeof(line));
            ad_replay_format_line(&in, &sb);
            assert_false(ad_strbuf_overflowed(&sb));
            fwrite(line, 1, sb.len, f);
            line_no++;
            expected[n].vec = (uint16_t)c;
            expected[n].n = (uint32_t)n;
            nexpected++;
            if (nexpected % BAD_EVERY == 0 && kind < NBAD_KINDS)
                write_bad_line(f, kind++, &line_no);
            if (nexpected % 1000 == 0) {
                fprintf(f, "# comment after %zu events\n", nexpected);
                line_no++;
            }
        }
    }
    while (kind < NBAD_KINDS) /* the rest at the end */
        write_bad_line(f, kind++, &line_no);
    assert_int_equal(fclose(f), 0);
}

/* capture.yaml for the replay of file (loop as given) into ring_name. */
static void write_config_for(const char *file, bool loop)
{
    FILE *f = fopen(config_path, "w");
    assert_non_null(f);
    fprintf(f,
            "source:\n"
            "  type: replay\n"
            "  replay: {file: %s, rate: 0, loop: %s}\n"
            "ring: {name: %s, size: 64MiB}\n"
            "heartbeat_seconds: 1\n",
            file, loop ? "true" : "false", ring_name);
    assert_int_equal(fclose(f), 0);
}

static pid_t spawn_capture(void)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char *argv[] = {(char *)capture_bin, "-c", config_path, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, capture_bin, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(err, 0);
    return pid;
}

/* Its exit code (128 + signal), or -1 when still running after seconds (it is killed then). */
static int wait_capture(pid_t pid, unsigned seconds)
{
    uint64_t end = ad_time_mono_ns() + seconds * 1000000000ull;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        assert_true(r == 0 || errno == EINTR);
        if (ad_time_mono_ns() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        ad_sleep_ns(5000000);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run_capture(void)
{
    int rc = wait_capture(spawn_capture(), 60);
    if (rc < 0)
        fail_msg("asimdns-capture did not finish within 60 s");
    return rc;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    buf[size] = 0;
    fclose(f);
    return buf;
}

static void check_records(void)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, ring_name);
    ad_ring_consumer *c = NULL;
    char msg[256] = "";
    if (ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)) != AD_OK)
        fail_msg("consumer: %s", msg);
    size_t k = 0;
    for (;;) {
        ad_ring_view views[128];
        size_t n = 0;
        ad_err err = ad_ring_consumer_peek(c, views, 128, &n);
        if (err == AD_EEMPTY)
            break;
        assert_int_equal(err, AD_OK);
        for (size_t j = 0; j < n; j++, k++) {
            assert_true(k < nexpected);
            const fake_vec *vec = &corpus[expected[k].vec];
            uint32_t num = expected[k].n;
            ad_event ev;
            assert_int_equal(ad_record_decode(views[j].data, views[j].len, &ev), AD_OK);
            assert_true(views[j].seq == k + 1); /* a fresh ring numbers from 1, no gaps */
            assert_int_equal(ev.hdr.source, AD_SOURCE_REPLAY);
            assert_true(ev.hdr.time_ns == fake_time(num));
            assert_int_equal(ev.hdr.pid, fake_pid(num));
            assert_int_equal(ev.hdr.tid, fake_tid(num));
            ev.hdr.time_ns = ETW_TEST_TIME; /* the identity etw_test_check expects */
            ev.hdr.pid = ETW_TEST_PID;
            ev.hdr.tid = ETW_TEST_TID;
            ad_vb_values v;
            assert_true(fake_build(vec, &vb, &v));
            etw_test_check(&vb, vb.len, &v, vec->provider, vec->id, vec->version,
                           vec->kind == FAKE_VEC_LEGACY, &ev);
        }
        ad_ring_consumer_commit_all(c);
    }
    assert_int_equal(k, nexpected);
    ad_ring_consumer_close(c);
}

static void test_replay_binary(void **state)
{
    (void)state;
    ncorpus = fake_corpus(corpus, FAKE_CORPUS_MAX);
    assert_true(ncorpus > 300);
    snprintf(work, sizeof(work), "/tmp/ad-replay-it-XXXXXX");
    assert_non_null(mkdtemp(work));
    snprintf(replay_path, sizeof(replay_path), "%s/events.replay", work);
    snprintf(config_path, sizeof(config_path), "%s/capture.yaml", work);
    snprintf(log_path, sizeof(log_path), "%s/capture.log", work);
    snprintf(ring_name, sizeof(ring_name), "it-replay-%ld", (long)getpid());
    (void)ad_ring_unlink(ring_name, false);

    write_replay_file();
    write_config_for(replay_path, false);
    int rc = run_capture();
    char *log = read_file(log_path);
    if (rc != 0) {
        fprintf(stderr, "%s", log);
        fail_msg("asimdns-capture exited with %d", rc);
    }

    check_records();

    ad_ring_status st;
    char msg[256] = "";
    assert_int_equal(ad_ring_status_read(ring_name, false, &st, msg, sizeof(msg)), AD_OK);
    assert_int_equal(st.capture_counters[AD_CAP_REPLAY_BAD_LINES], nbad);
    assert_int_equal(st.capture_counters[AD_CAP_EVENTS_IN], nexpected);
    assert_int_equal(st.capture_counters[AD_CAP_RECORDS_WRITTEN], nexpected);
    assert_int_equal(st.capture_counters[AD_CAP_DECODE_ERRORS], 0);
    assert_int_equal(st.capture_counters[AD_CAP_UNSUPPORTED_EVENTS], 0);
    assert_int_equal(st.capture_counters[AD_CAP_DROPPED_RING_FULL], 0);
    assert_true(st.capture_pid == 0); /* detached cleanly */

    /* "FILE:LINE: why" for every malformed line, and the summary. */
    assert_int_equal(nbad, NBAD_KINDS);
    for (size_t i = 0; i < nbad; i++) {
        char want[256];
        snprintf(want, sizeof(want), "%s:%lu: %s", replay_path, bad_line_no[i],
                 bad_reason[i] != NULL ? bad_reason[i] : "");
        if (strstr(log, want) == NULL) {
            fprintf(stderr, "%s", log);
            fail_msg("the log does not name malformed line %lu", bad_line_no[i]);
        }
    }
    char summary[256];
    snprintf(summary, sizeof(summary), "%zu events, %zu malformed lines", nexpected, nbad);
    assert_non_null(strstr(log, summary));

    print_message("%zu events (%zu vectors x %d rounds) and %zu malformed lines replayed and "
                  "checked\n",
                  nexpected, ncorpus, ROUNDS, nbad);
    free(log);
    (void)ad_ring_unlink(ring_name, false);
    unlink(replay_path);
    unlink(config_path);
    unlink(log_path);
    rmdir(work);
}

static void make_work(const char *tag)
{
    snprintf(work, sizeof(work), "/tmp/ad-replay-it-XXXXXX");
    assert_non_null(mkdtemp(work));
    snprintf(replay_path, sizeof(replay_path), "%s/events.replay", work);
    snprintf(config_path, sizeof(config_path), "%s/capture.yaml", work);
    snprintf(log_path, sizeof(log_path), "%s/capture.log", work);
    snprintf(ring_name, sizeof(ring_name), "it-replay-%s-%ld", tag, (long)getpid());
    (void)ad_ring_unlink(ring_name, false);
}

static void remove_work(void)
{
    (void)ad_ring_unlink(ring_name, false);
    unlink(replay_path);
    unlink(config_path);
    unlink(log_path);
    rmdir(work);
}

/*
 * Input that never ends a line (/dev/zero): one malformed line, counted as soon as it passes
 * the limit; the heartbeat keeps going; SIGTERM stops the capture within a bound.
 */
static void test_endless_line(void **state)
{
    (void)state;
    make_work("zero");
    write_config_for("/dev/zero", false);
    pid_t pid = spawn_capture();
    ad_ring_status st;
    char msg[256] = "";
    uint64_t first_hb = 0;
    bool beating = false;
    /* Two heartbeats after the first one seen (period 1 s): 10 s at most. */
    for (int i = 0; i < 1000 && !beating; i++) {
        ad_sleep_ns(10000000);
        if (ad_ring_status_read(ring_name, false, &st, msg, sizeof(msg)) != AD_OK)
            continue;
        if (first_hb == 0)
            first_hb = st.capture_heartbeat_ns;
        beating = first_hb != 0 && st.capture_heartbeat_ns >= first_hb + 1500000000ull;
    }
    int rc = kill(pid, SIGTERM);
    uint64_t t0 = ad_time_mono_ns();
    int code = wait_capture(pid, 10);
    double stop_s = (double)(ad_time_mono_ns() - t0) / 1e9;
    char *log = read_file(log_path);
    if (!beating || rc != 0 || code != 0 || stop_s > 3.0) {
        fprintf(stderr, "%s", log);
        fail_msg("/dev/zero: heartbeats %s, exit %d after SIGTERM in %.1f s",
                 beating ? "kept" : "stopped", code, stop_s);
    }
    assert_int_equal(ad_ring_status_read(ring_name, false, &st, msg, sizeof(msg)), AD_OK);
    assert_int_equal(st.capture_counters[AD_CAP_REPLAY_BAD_LINES], 1);
    assert_int_equal(st.capture_counters[AD_CAP_EVENTS_IN], 0);
    assert_non_null(strstr(log, "/dev/zero:1: line longer than the replay format allows"));
    print_message("/dev/zero: heartbeats kept, 1 malformed line, stopped %.2f s after SIGTERM\n",
                  stop_s);
    free(log);
    remove_work();
}

/* loop: true over a file that gives no event (empty, or only malformed lines) is refused at
 * once instead of spinning. */
static void test_loop_without_events(void **state)
{
    (void)state;
    static const char *const contents[] = {"", "# only a comment\n", "garbage\nmore garbage\n"};
    for (size_t i = 0; i < sizeof(contents) / sizeof(contents[0]); i++) {
        make_work("loop");
        FILE *f = fopen(replay_path, "w");
        assert_non_null(f);
        fputs(contents[i], f);
        assert_int_equal(fclose(f), 0);
        write_config_for(replay_path, true);
        int code = wait_capture(spawn_capture(), 10);
        char *log = read_file(log_path);
        if (code <= 0 || strstr(log, "no events in it to loop over") == NULL) {
            fprintf(stderr, "%s", log);
            fail_msg("loop over '%s': exit %d (-1: still running after 10 s)", contents[i], code);
        }
        free(log);
        remove_work();
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH/TO/asimdns-capture\n", argv[0]);
        return 2;
    }
    capture_bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_binary),
        cmocka_unit_test(test_endless_line),
        cmocka_unit_test(test_loop_without_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

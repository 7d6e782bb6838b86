/*
 * asimdns tests: the ring recovers by itself from damaged shared state (one process; the
 * "attacker" writes the objects through its own mappings or the file system):
 *  - a FIFO or a symbolic link planted on an object's name is refused at once by every
 *    opener (exporter, status, capture), never waited on;
 *  - last_rec_pos + 2^40 and producer_pos + 1 (two damaged header words) do not send the
 *    consumer far ahead: nothing is committed beyond capture, and records flow again;
 *  - a cursor object truncated and restored under a running capture is re-initialised by
 *    capture (counted), and an exporter attaches again without a capture restart;
 *  - garbage in the cursor page's exporter counters is not inherited by a new exporter (reset,
 *    counted) and never shown by `asimdns status`;
 *  - damaged identity words of the data header are written again by capture.
 * The ring directory is this test's own (/run/adipc-recovery-<pid>).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "ipc/ring_layout.h"
#include "ipc/ring_status.h"
#include "tests/ipc/ring_test_util.h"

#define CAPACITY 65536u
#define MAX_PAYLOAD 1024u

typedef struct fixture {
    char name[64];
    char msg[512];
    ad_ring_config cfg;
    ad_ring_producer *p;
    ad_ring_consumer *c;
} fixture;

static void fx_producer(fixture *fx, const char *tag)
{
    memset(fx, 0, sizeof(*fx));
    rt_ring_name(fx->name, sizeof(fx->name), tag);
    ad_ring_config_init(&fx->cfg, fx->name);
    fx->cfg.capacity = CAPACITY;
    fx->cfg.max_payload = MAX_PAYLOAD;
    if (ad_ring_producer_open(&fx->cfg, &fx->p, fx->msg, sizeof(fx->msg)) != AD_OK) {
        fail_msg("producer open: %s", fx->msg);
    }
}

static ad_err fx_try_consumer(fixture *fx)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer_config_init(&cc, fx->name);
    cc.expected_owner = "root";
    return ad_ring_consumer_open(&cc, &fx->c, fx->msg, sizeof(fx->msg));
}

static void fx_consumer(fixture *fx)
{
    ad_err err = fx_try_consumer(fx);
    if (err != AD_OK) {
        fail_msg("consumer open: %s: %s", ad_err_name(err), fx->msg);
    }
}

static void fx_done(fixture *fx)
{
    ad_ring_consumer_close(fx->c);
    ad_ring_producer_close(fx->p);
    assert_int_equal(ad_ring_unlink(fx->name, false), AD_OK);
}

/* Writes n self-checking records (never dropping: the test reads in between). */
static void produce(fixture *fx, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t seq = ad_ring_producer_next_seq(fx->p);
        uint32_t len = rt_len_for_seq(seq, 16, 200);
        void *dst;
        assert_int_equal(ad_ring_producer_try_reserve(fx->p, len, &dst, &seq), AD_OK);
        rt_payload_fill(dst, len, seq);
        ad_ring_producer_commit(fx->p, len);
    }
}

/* Reads and commits everything there is; returns how many intact records came, checking that
   sequences only grow (from *last) and every payload matches its header's sequence. */
static unsigned drain(fixture *fx, uint64_t *last)
{
    ad_ring_view v[64];
    size_t n;
    unsigned got = 0;
    while (ad_ring_consumer_peek(fx->c, v, 64, &n) == AD_OK) {
        for (size_t i = 0; i < n; i++) {
            assert_true(v[i].seq > *last);
            assert_true(rt_payload_check(v[i].data, v[i].len, v[i].seq));
            *last = v[i].seq;
        }
        assert_int_equal(ad_ring_consumer_commit(fx->c, &v[n - 1]), AD_OK);
        got += (unsigned)n;
    }
    return got;
}

/* ---- FIFO and link squatted on the names --------------------------------------------------- */

static void squat_child(const char *name)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    ad_ring_status st;
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    char msg[512];

    ad_ring_consumer_config_init(&cc, name);
    cc.expected_owner = "root";
    if (ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)) != AD_EPERM) {
        _exit(10);
    }
    if (strstr(msg, "not a regular file") == NULL && strstr(msg, "link") == NULL) {
        _exit(11);
    }
    if (ad_ring_status_read(name, false, &st, msg, sizeof(msg)) != AD_EPERM) {
        _exit(12);
    }
    ad_ring_config_init(&cfg, name);
    cfg.capacity = CAPACITY;
    cfg.max_payload = MAX_PAYLOAD;
    if (ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)) != AD_EPERM) {
        _exit(13);
    }
    /* Told to recreate, capture removes what sits on the names (never opening it). */
    cfg.recreate_on_mismatch = true;
    if (ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)) != AD_OK) {
        _exit(14);
    }
    ad_ring_producer_close(p);
    _exit(0);
}

static void test_fifo_and_link_squat_refused_at_once(void **state)
{
    char name[64], data[PATH_MAX + 64], cursor[PATH_MAX + 64];
    (void)state;
    for (int kind = 0; kind < 2; kind++) {
        rt_ring_name(name, sizeof(name), kind == 0 ? "fifo" : "link");
        rt_object_path(data, sizeof(data), name, "data");
        rt_object_path(cursor, sizeof(cursor), name, "cursor");
        if (kind == 0) {
            assert_int_equal(mkfifo(data, 0644), 0);
            assert_int_equal(mkfifo(cursor, 0666), 0);
        } else {
            assert_int_equal(symlink("/dev/zero", data), 0);
            assert_int_equal(symlink("/dev/zero", cursor), 0);
        }
        uint64_t t0 = ad_time_mono_ns();
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            squat_child(name);
        }
        /* A blocking open would hang here: the bound is what the test is about. */
        int rc = rt_wait(pid, 10);
        double secs = (double)(ad_time_mono_ns() - t0) / 1e9;
        print_message("%s squat: child exit %d after %.3f s\n", kind == 0 ? "FIFO" : "link", rc,
                      secs);
        assert_int_equal(rc, 0);
        assert_true(secs < 5.0);
        assert_int_equal(ad_ring_unlink(name, false), AD_OK);
    }
}

/* ---- last_rec_pos + 2^40, producer_pos + 1 ----------------------------------------------- */

static void test_far_last_rec_pos_never_followed(void **state)
{
    fixture fx;
    size_t size = 0;
    uint64_t last = 0;
    (void)state;
    fx_producer(&fx, "far");
    fx_consumer(&fx);
    produce(&fx, 100);
    assert_int_equal(drain(&fx, &last), 100);

    /* As root with the capture stopped: two header words damaged. */
    ad_ring_data_hdr *h = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(h);
    uint64_t real = ad_atomic_load_relaxed(&h->producer_pos);
    ad_atomic_store_relaxed(&h->last_rec_pos,
                            ad_atomic_load_relaxed(&h->last_rec_pos) + (1ULL << 40));
    ad_atomic_store_relaxed(&h->producer_pos, real + 1);

    /* The consumer must not follow: nothing read, nothing committed beyond capture. */
    assert_int_equal(drain(&fx, &last), 0);
    assert_true(ad_ring_consumer_committed_pos(fx.c) <= real);
    assert_true(ad_ring_consumer_read_pos(fx.c) <= real);

    /* Capture continues: more than a ring's worth, read as it comes, none dropped. */
    uint64_t invalid0 = ad_ring_producer_counter_get(fx.p, AD_CAP_CURSOR_INVALID);
    unsigned got = 0;
    for (int round = 0; round < 40; round++) {
        produce(&fx, 50);
        got += drain(&fx, &last);
    }
    assert_int_equal(got, 40 * 50);
    assert_int_equal(ad_ring_producer_counter_get(fx.p, AD_CAP_CURSOR_INVALID), invalid0);
    assert_int_equal(ad_ring_producer_counter_get(fx.p, AD_CAP_DROPPED_RING_FULL), 0);
    assert_int_equal(ad_ring_consumer_committed_pos(fx.c), ad_ring_producer_position(fx.p));
    munmap(h, size);
    fx_done(&fx);
}

/* The same damage, but both words agree on a forged position (a consistent forgery): the
   consumer may follow it, but comes back on capture's next record, by itself. */
static void test_consistent_forgery_heals(void **state)
{
    fixture fx;
    size_t size = 0;
    uint64_t last = 0;
    (void)state;
    fx_producer(&fx, "forge");
    fx_consumer(&fx);
    produce(&fx, 10);
    assert_int_equal(drain(&fx, &last), 10);
    ad_ring_data_hdr *h = rt_raw_map(fx.name, "data", true, &size, NULL);
    assert_non_null(h);
    ad_atomic_store_relaxed(&h->last_rec_pos,
                            ad_atomic_load_relaxed(&h->last_rec_pos) + (1ULL << 40));
    ad_atomic_store_relaxed(&h->producer_pos,
                            ad_atomic_load_relaxed(&h->producer_pos) + (1ULL << 40));
    (void)drain(&fx, &last);
    unsigned got = 0;
    for (int round = 0; round < 40; round++) {
        produce(&fx, 50);
        got += drain(&fx, &last);
    }
    /* At most the records written before the consumer noticed are lost (counted). */
    assert_true(got >= 39 * 50);
    assert_int_equal(ad_ring_consumer_committed_pos(fx.c), ad_ring_producer_position(fx.p));
    assert_int_equal(ad_ring_producer_counter_get(fx.p, AD_CAP_DROPPED_RING_FULL), 0);
    munmap(h, size);
    fx_done(&fx);
}

/* ---- cursor truncated and restored ------------------------------------------------------- */

static void test_cursor_truncated_and_restored(void **state)
{
    fixture fx;
    char path[PATH_MAX + 64];
    uint64_t last = 0;
    (void)state;
    fx_producer(&fx, "trunc");
    fx_consumer(&fx);
    produce(&fx, 20);
    assert_int_equal(drain(&fx, &last), 20);
    ad_ring_consumer_close(fx.c);
    fx.c = NULL;
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns()); /* capture has seen the cursor */

    /* `truncate -s0` then `truncate -s4096` on the cursor while capture runs. */
    rt_object_path(path, sizeof(path), fx.name, "cursor");
    assert_int_equal(truncate(path, 0), 0);
    assert_int_equal(truncate(path, AD_RING_CURSOR_SIZE), 0);
    /* An exporter now has to wait (not fail for good) ... */
    assert_int_equal(fx_try_consumer(&fx), AD_ENOENT);
    print_message("while damaged: %s\n", fx.msg);
    /* ... until capture's next heartbeat, which re-initialises the page. */
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    assert_int_equal(ad_ring_producer_counter_get(fx.p, AD_CAP_CURSOR_REINITS), 1);
    fx_consumer(&fx);
    produce(&fx, 30);
    assert_int_equal(drain(&fx, &last), 30);

    /* Truncated for good (not restored) while an exporter is attached: capture gives the
       object its size back; the exporter is told to re-attach, and does. */
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    assert_int_equal(truncate(path, 0), 0);
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    ad_ring_producer_heartbeat(fx.p, ad_time_now_ns());
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, AD_RING_CURSOR_SIZE);
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_ECLOSED);
    ad_ring_consumer_close(fx.c);
    fx_consumer(&fx);
    produce(&fx, 30);
    assert_int_equal(drain(&fx, &last), 30);
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_OK);
    fx_done(&fx);
}

/* ---- inherited garbage counters ---------------------------------------------------------- */

static void test_garbage_counters_not_inherited(void **state)
{
    fixture fx;
    size_t size = 0;
    uint64_t last = 0;
    ad_ring_status st;
    (void)state;
    fx_producer(&fx, "ctr");
    fx_consumer(&fx);
    produce(&fx, 7);
    assert_int_equal(drain(&fx, &last), 7);
    ad_ring_consumer_counter_add(fx.c, AD_EXP_RECORDS_EXPORTED, 7);
    ad_ring_consumer_close(fx.c); /* seals its counters */
    fx.c = NULL;

    ad_ring_cursor *cur = rt_raw_map(fx.name, "cursor", true, &size, NULL);
    assert_non_null(cur);
    ad_atomic_store_relaxed(&cur->counters[AD_EXP_RECORDS_EXPORTED], 9754826355999505271ULL);
    ad_atomic_store_relaxed(&cur->counters[AD_EXP_BATCHES_OK], 3); /* a small rise: trusted */

    /* `asimdns status` shows the sealed values, and says so. */
    assert_int_equal(ad_ring_status_read(fx.name, false, &st, fx.msg, sizeof(fx.msg)), AD_OK);
    assert_int_equal(st.exporter_counters[AD_EXP_RECORDS_EXPORTED], 7);
    assert_int_equal(st.exporter_counters_untrusted, 1);

    /* A new exporter takes the sealed values and counts the reset; the open reports it in its
       message for the exporter to log (the ring never logs). */
    fx_consumer(&fx);
    assert_non_null(strstr(fx.msg, "1 exporter counter(s) in the cursor object were not"));
    assert_int_equal(ad_ring_consumer_counter_get(fx.c, AD_EXP_RECORDS_EXPORTED), 7);
    assert_int_equal(ad_ring_consumer_counter_get(fx.c, AD_EXP_RECORDS_READ), 7);
    assert_int_equal(ad_ring_consumer_counter_get(fx.c, AD_EXP_COUNTERS_RESET), 1);

    /* Without any valid seal (the whole page scribbled), only zeros are inherited. */
    ad_ring_consumer_close(fx.c);
    fx.c = NULL;
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        ad_atomic_store_relaxed(&cur->counters[i], 0x8000000000000000ULL + i);
        ad_atomic_store_relaxed(&cur->counters_snapshot[i], i * 3);
    }
    fx_consumer(&fx);
    assert_int_equal(ad_ring_consumer_counter_get(fx.c, AD_EXP_RECORDS_EXPORTED), 0);
    assert_int_equal(ad_ring_consumer_counter_get(fx.c, AD_EXP_COUNTERS_RESET), 1);
    assert_int_equal(ad_ring_status_read(fx.name, false, &st, fx.msg, sizeof(fx.msg)), AD_OK);
    for (unsigned i = 0; i < AD_EXP__COUNT; i++) {
        assert_true(st.exporter_counters[i] <= 1);
    }
    munmap(cur, size);
    fx_done(&fx);
}

/* ---- damaged data header identity, damaged consumer_pos ---------------------------------- */

static void test_header_and_cursor_words_repaired(void **state)
{
    fixture fx;
    size_t dsize = 0, csize = 0;
    uint64_t last = 0;
    (void)state;
    fx_producer(&fx, "ident");
    assert_non_null(strstr(fx.msg, ": created (capacity")); /* open says what it did */
    fx_consumer(&fx);
    produce(&fx, 5);
    assert_int_equal(drain(&fx, &last), 5);
    ad_ring_data_hdr *h = rt_raw_map(fx.name, "data", true, &dsize, NULL);
    ad_ring_cursor *cur = rt_raw_map(fx.name, "cursor", true, &csize, NULL);
    assert_non_null(h);
    assert_non_null(cur);

    h->generation ^= 0x5a5a;
    ad_atomic_store_relaxed(&h->magic, 0x1234);
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_ECLOSED);
    /* The repair is counted and reported to the caller as an error code with its message. */
    assert_int_equal(ad_ring_producer_heartbeat_msg(fx.p, ad_time_now_ns(), fx.msg, sizeof(fx.msg)),
                     AD_ECORRUPT);
    assert_non_null(strstr(fx.msg, "identity words were damaged; wrote them again"));
    assert_non_null(strstr(fx.msg, fx.name));
    assert_int_equal(ad_ring_producer_counter_get(fx.p, AD_CAP_HEADER_REPAIRS), 1);
    assert_int_equal(ad_ring_consumer_check(fx.c), AD_OK);
    /* Nothing to repair: AD_OK and an empty message. */
    assert_int_equal(ad_ring_producer_heartbeat_msg(fx.p, ad_time_now_ns(), fx.msg, sizeof(fx.msg)),
                     AD_OK);
    assert_string_equal(fx.msg, "");

    /* A consumer_pos scribbled to the producer's position would let capture overwrite unread
       records; the exporter's heartbeat puts its own value back. */
    produce(&fx, 5);
    uint64_t committed = ad_ring_consumer_committed_pos(fx.c);
    ad_atomic_store_relaxed(&cur->consumer_pos, ad_ring_producer_position(fx.p) + 8);
    ad_ring_consumer_heartbeat(fx.c, ad_time_now_ns());
    assert_int_equal(ad_atomic_load_relaxed(&cur->consumer_pos), committed);
    assert_int_equal(ad_ring_consumer_counter_get(fx.c, AD_EXP_CURSOR_REPAIRS), 1);
    assert_int_equal(drain(&fx, &last), 5);
    munmap(h, dsize);
    munmap(cur, csize);
    fx_done(&fx);
}

/* ---- the ring directory itself ----------------------------------------------------------- */

static void test_directory_checked(void **state)
{
    char dir[96], msg[512], name[64];
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    ad_ring_consumer *c = NULL;
    ad_ring_consumer_config cc;
    struct stat st;
    (void)state;
    snprintf(dir, sizeof(dir), "%s-made", ad_ring_directory());
    char saved[96];
    snprintf(saved, sizeof(saved), "%s", ad_ring_directory());
    assert_int_equal(ad_ring_set_directory(dir), AD_OK);
    rt_ring_name(name, sizeof(name), "dir");
    ad_ring_config_init(&cfg, name);
    cfg.capacity = CAPACITY;
    cfg.max_payload = MAX_PAYLOAD;
    ad_ring_consumer_config_init(&cc, name);

    /* Made by capture: 0755 even under a service's UMask=0077. */
    mode_t old = umask(077);
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    umask(old);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    ad_ring_producer_close(p);

    /* Writable by the group (or others, or through an ACL): refused by everyone. */
    const mode_t bad[] = {0775, 01777};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(chmod(dir, bad[i]), 0);
        assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_EPERM);
        assert_non_null(strstr(msg, "not trusted"));
        assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_EPERM);
    }
    /* A link in place of the directory is not followed. */
    assert_int_equal(chmod(dir, 0755), 0);
    char link[128];
    snprintf(link, sizeof(link), "%s-link", saved);
    assert_int_equal(symlink(dir, link), 0);
    assert_int_equal(ad_ring_set_directory(link), AD_OK);
    assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_EPERM);
    print_message("linked directory: %s\n", msg);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(ad_ring_set_directory(dir), AD_OK);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(ad_ring_set_directory(saved), AD_OK);
}

static char ring_dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(ring_dir, sizeof(ring_dir), "/run/adipc-recovery-%ld", (long)getpid());
    if (mkdir(ring_dir, 0755) != 0 && errno != EEXIST) {
        return -1;
    }
    return ad_ring_set_directory(ring_dir) == AD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    rt_cleanup_rings(state);
    rmdir(ring_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_link_squat_refused_at_once),
        cmocka_unit_test(test_far_last_rec_pos_never_followed),
        cmocka_unit_test(test_consistent_forgery_heals),
        cmocka_unit_test(test_cursor_truncated_and_restored),
        cmocka_unit_test(test_garbage_counters_not_inherited),
        cmocka_unit_test(test_header_and_cursor_words_repaired),
        cmocka_unit_test(test_directory_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

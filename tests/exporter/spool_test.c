/*
 * asimdns tests: exporter/spool.c through the fault-injecting file layer (spool_fault_fs.h).
 *
 * A simulated ring (records 1..N of one generation) feeds the spool the way the spool stage
 * does: append, sync, and only then move the ring cursor; a simulated receiver reads block by
 * block and acknowledges each block after "delivering" it. When the spool degrades, records
 * go straight from the ring (ring mode) and the disk recovers after one batch. Record-id
 * accounting then proves: nothing lost, duplicates at most one block per crash. Files live on
 * a tmpfs (spool_test_base): fsync is then cheap, and the faults, not the disk, are what is
 * tested. The same test runs under Wine against spool_fs_win32.c (ctest -L windows).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/log.h"
#include "exporter/spool.h"
#include "exporter/spool_format.h"
#include "spool_fault_fs.h"
#include "spool_test_os.h"
#include "tests/support/test_os.h"

#define GEN 7u
#define BLOCK_BYTES 256u
#define PER_BLOCK (BLOCK_BYTES / (AD_SPOOL_REC_HDR + 12u) + 1u) /* records of 12 bytes */

typedef struct sim {
    fault_fs f;
    char dir[256];
    ad_spool_opts o;
    uint64_t ctr[AD_EXP__COUNT];
    uint32_t n;
    uint64_t committed; /* ring cursor: every seq <= this left the ring */
    uint32_t delivered[4096];
    uint64_t last_seq_delivered;
    uint64_t order_errors;
    uint64_t crashes;
    uint64_t crash_point;
} sim;

static void sim_count(void *ctx, ad_exporter_counter c, uint64_t n)
{
    ((sim *)ctx)->ctr[c] += n;
}

/* The names in a directory, sorted (through the OS file layer, as the spool sees them). */
typedef struct names {
    char v[256][64];
    size_t n;
} names;

static int names_cb(void *arg, const char *name)
{
    names *ns = arg;
    if (ns->n < 256 && strlen(name) < 64)
        snprintf(ns->v[ns->n++], 64, "%s", name);
    return 0;
}

static int names_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

static size_t list_dir(const char *dir, const char *prefix, names *ns)
{
    ns->n = 0;
    if (ad_spool_fs_os()->list(NULL, dir, names_cb, ns) != 0)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < ns->n; i++)
        if (strncmp(ns->v[i], prefix, strlen(prefix)) == 0)
            memmove(ns->v[k++], ns->v[i], 64);
    ns->n = k;
    qsort(ns->v, ns->n, 64, names_cmp);
    return ns->n;
}

/* Removes a spool directory and its files (it holds no subdirectories). */
static void rm_tree(const char *dir)
{
    static names ns;
    list_dir(dir, "", &ns);
    for (size_t i = 0; i < ns.n; i++) {
        char p[600];
        snprintf(p, sizeof(p), "%s/%s", dir, ns.v[i]);
        assert_int_equal(ad_spool_fs_os()->unlink(NULL, p), 0);
    }
    (void)spool_test_rmdir(dir);
}

static void sim_init(sim *s, uint32_t n)
{
    memset(s, 0, sizeof(*s));
    fault_fs_init(&s->f);
    spool_test_fs_adjust(&s->f.base);
    char base[200];
    spool_test_base(base, sizeof(base));
    snprintf(s->dir, sizeof(s->dir), "%s/spool-test-%ld", base, test_os_pid());
    rm_tree(s->dir);
    s->n = n;
    s->o = (ad_spool_opts){.dir = s->dir,
                           .max_bytes = 1u << 20,
                           .segment_bytes = 1024,
                           .block_bytes = BLOCK_BYTES,
                           .fsync = AD_SPOOL_FSYNC_BATCH,
                           .fs = &s->f.table,
                           .count = sim_count,
                           .count_ctx = s};
}

/* 12 bytes: "rec" and 8 digits of seq and a NUL. */
static void payload(uint64_t seq, char out[12])
{
    char buf[32];
    snprintf(buf, sizeof(buf), "rec%08u", (unsigned)(seq % 100000000u));
    memcpy(out, buf, 12);
}

static void deliver(sim *s, uint64_t seq, const void *data, uint32_t len)
{
    assert_true(seq >= 1 && seq <= s->n);
    char want[12];
    payload(seq, want);
    assert_int_equal(len, 12);
    assert_memory_equal(data, want, 12);
    s->delivered[seq]++;
    if (seq <= s->last_seq_delivered && s->delivered[seq] == 1)
        s->order_errors++;
    s->last_seq_delivered = seq;
}

/* Ring -> spool: up to max records, then sync; the ring cursor moves only after it. */
static bool pump(sim *s, ad_spool *sp, uint32_t max)
{
    uint64_t last = s->committed;
    for (uint64_t seq = s->committed + 1; seq <= s->n && seq <= s->committed + max; seq++) {
        if (ad_spool_has_ring_record(sp, GEN, seq)) {
            last = seq;
            continue;
        }
        char p[12];
        payload(seq, p);
        ad_err err = ad_spool_append(sp, GEN, seq, p, 12, 1000);
        if (err == AD_EFULL)
            break;
        if (err != AD_OK)
            return false;
        last = seq;
    }
    if (ad_spool_sync(sp, 0) != AD_OK)
        return false;
    s->committed = last;
    return true;
}

/* One block to the receiver, then its acknowledgement. 1 = delivered, 0 = empty, -1 = error. */
static int drain_one(sim *s, ad_spool *sp)
{
    const ad_spool_rec *r;
    size_t n;
    ad_err err = ad_spool_read(sp, &r, &n);
    if (err == AD_EEMPTY)
        return 0;
    if (err != AD_OK)
        return -1;
    if (s->f.crashed)
        return -1; /* the process is gone before it could send */
    if (getenv("SPOOL_TEST_TRACE"))
        fprintf(stderr, "read ids %llu..%llu seqs %llu..%llu\n", (unsigned long long)r[0].id,
                (unsigned long long)r[n - 1].id, (unsigned long long)r[0].ring_seq,
                (unsigned long long)r[n - 1].ring_seq);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r[i].ring_generation, GEN);
        deliver(s, r[i].ring_seq, r[i].data, r[i].len);
    }
    (void)ad_spool_ack(sp, r[n - 1].id);
    return 1;
}

/* Ring mode: a batch straight from the ring, committed after delivery. */
static void ring_direct(sim *s, uint32_t max)
{
    for (uint32_t i = 0; i < max && s->committed < s->n; i++) {
        char p[12];
        payload(s->committed + 1, p);
        deliver(s, s->committed + 1, p, 12);
        s->committed++;
    }
}

static ad_spool *sim_open(sim *s)
{
    ad_spool *sp = NULL;
    char msg[256];
    ad_err err = ad_spool_open(&s->o, &sp, msg, sizeof(msg));
    if (err != AD_OK) {
        if (!s->f.crashed && s->f.fail_at == 0)
            fail_msg("spool open: %s (%s)", msg, ad_strerror(err));
        return NULL;
    }
    return sp;
}

/*
 * Runs the whole transfer. A crash (fault_fs.crash_at) restarts the spool with a healthy
 * disk; any other fault degrades it: ring mode for one batch, then the disk recovers.
 */
static void sim_run(sim *s)
{
    ad_spool *sp = NULL;
    for (int guard = 0; guard < 100000; guard++) {
        if (sp == NULL) {
            sp = sim_open(s);
            if (sp == NULL) {
                s->crashes++;
                fault_fs_clear(&s->f);
                continue;
            }
        }
        bool busy = false, read_failed = false;
        if (!ad_spool_degraded(sp))
            busy |= pump(s, sp, 16);
        if (!s->f.crashed) {
            int r = drain_one(s, sp);
            busy |= r == 1;
            read_failed = r < 0;
        }
        if (s->f.crashed) {
            ad_spool_close(sp); /* nothing reaches the disk any more */
            sp = NULL;
            s->crashes++;
            fault_fs_clear(&s->f);
            continue;
        }
        if (ad_spool_degraded(sp)) {
            /* Drain the spool first (ring order); a spool that cannot be read waits. */
            if (!ad_spool_has_unread(sp) || read_failed) {
                ring_direct(s, 16);
                fault_fs_clear(&s->f);
                (void)ad_spool_recover(sp);
            }
            continue;
        }
        if (!busy && s->committed == s->n && ad_spool_pending(sp) == 0)
            break;
    }
    ad_spool_close(sp);
}

/* Every record arrived; duplicates at most max. */
static uint64_t check_all(sim *s, uint64_t max_dups)
{
    uint64_t dups = 0;
    for (uint32_t i = 1; i <= s->n; i++) {
        if (s->delivered[i] == 0)
            fail_msg("record %u lost (crash at call %llu, crashes %llu, faults %llu)", i,
                     (unsigned long long)s->crash_point, (unsigned long long)s->crashes,
                     (unsigned long long)s->f.faults);
        dups += s->delivered[i] - 1;
    }
    if (dups > max_dups)
        fail_msg("%llu duplicates > %llu", (unsigned long long)dups, (unsigned long long)max_dups);
    return dups;
}

static void test_roundtrip_in_order(void **state)
{
    (void)state;
    for (int z = 0; z < 2; z++) {
        sim s;
        sim_init(&s, 1000);
        s.o.compress = z == 1;
        sim_run(&s);
        check_all(&s, 0);
        assert_int_equal(s.order_errors, 0);
        assert_int_equal(s.ctr[AD_EXP_SPOOL_RECORDS_WRITTEN], 1000);
        assert_int_equal(s.ctr[AD_EXP_SPOOL_RECORDS_READ], 1000);
        assert_int_equal(s.ctr[AD_EXP_SPOOL_DISK_ERRORS], 0);
        rm_tree(s.dir);
    }
}

/* A clean run's number of calls of one kind. */
static uint64_t clean_calls(fault_op kind, uint32_t n)
{
    sim s;
    sim_init(&s, n);
    sim_run(&s);
    rm_tree(s.dir);
    return s.f.calls[kind];
}

/* Records per run of the every-call tests: the runs grow with the square of it, and a file
   call under Wine costs about ten times one on Linux; a third still spans several segments. */
static uint32_t fault_records(uint32_t linux_n)
{
    return test_os_under_wine() ? linux_n / 3 : linux_n;
}

/* The fault at every call of a kind in turn: nothing lost, counted, recovered. */
static void fault_every(fault_op kind, int err, bool short_write, bool sticky, bool ordered)
{
    uint32_t n = fault_records(300);
    uint64_t total = clean_calls(kind, n);
    assert_true(total > 5);
    for (uint64_t k = 1; k <= total; k++) {
        sim s;
        sim_init(&s, n);
        s.f.fail_kind = kind;
        s.f.fail_at = k;
        s.f.fail_errno = err;
        s.f.short_write = short_write;
        s.f.sticky = sticky;
        sim_run(&s);
        check_all(&s, 0);
        if (ordered && s.order_errors != 0)
            fail_msg("fault at call %llu: %llu records out of order", (unsigned long long)k,
                     (unsigned long long)s.order_errors);
        if (s.f.faults > 0) {
            assert_true(s.ctr[AD_EXP_SPOOL_DISK_ERRORS] >= 1);
        }
        assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 0);
        rm_tree(s.dir);
    }
}

static void test_enospc_at_every_write(void **state)
{
    (void)state;
    fault_every(FAULT_WRITE, ENOSPC, false, true, true);
}

static void test_short_write_at_every_write(void **state)
{
    (void)state;
    fault_every(FAULT_WRITE, 0, true, false, true);
}

static void test_fsync_failure_at_every_fsync(void **state)
{
    (void)state;
    fault_every(FAULT_FSYNC, EIO, false, false, true);
}

static void test_eio_at_every_read(void **state)
{
    (void)state;
    fault_every(FAULT_READ, EIO, false, false, false);
}

static void test_erofs_on_open(void **state)
{
    (void)state;
    fault_every(FAULT_OPEN, EROFS, false, false, false);
}

/* A crash between every two calls of the whole run: nothing lost, duplicates at most one
   block (the unacknowledged one) per crash. */
static void test_crash_between_every_two_calls(void **state)
{
    (void)state;
    uint32_t n = fault_records(200);
    uint64_t total = clean_calls(FAULT_ANY, n);
    assert_true(total > 50);
    uint64_t worst = 0;
    for (uint64_t k = getenv("SPOOL_TEST_K") ? strtoull(getenv("SPOOL_TEST_K"), NULL, 10) : 1;
         k <= total + 1; k++) {
        sim s;
        sim_init(&s, n);
        s.f.crash_at = k;
        s.crash_point = k;
        sim_run(&s);
        uint64_t d = check_all(&s, PER_BLOCK * (s.crashes ? s.crashes : 1));
        if (d > worst)
            worst = d;
        assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 0);
        rm_tree(s.dir);
    }
    print_message("crash points %llu, worst duplicates %llu (one block <= %u)\n",
                  (unsigned long long)total, (unsigned long long)worst, PER_BLOCK);
}

/* ---- damage while stopped --------------------------------------------------------------- */

/* Spools n records and stops cleanly without delivering. */
static void fill_and_stop(sim *s)
{
    ad_spool *sp = sim_open(s);
    assert_non_null(sp);
    while (s->committed < s->n)
        assert_true(pump(s, sp, 16));
    ad_spool_close(sp);
}

static void drain_all(sim *s)
{
    ad_spool *sp = sim_open(s);
    assert_non_null(sp);
    while (drain_one(s, sp) == 1) {
    }
    ad_spool_close(sp);
}

static uint64_t delivered_count(const sim *s)
{
    uint64_t n = 0;
    for (uint32_t i = 1; i <= s->n; i++)
        n += s->delivered[i] != 0;
    return n;
}

static int seg_count(const sim *s)
{
    static names ns;
    return (int)list_dir(s->dir, "seg-", &ns);
}

static void seg_file(const sim *s, int index, char *out, size_t cap)
{
    static names ns;
    assert_true((size_t)index < list_dir(s->dir, "seg-", &ns));
    snprintf(out, cap, "%s/%s", s->dir, ns.v[index]);
}

static void patch(const char *path, long off, int whence, uint8_t x)
{
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, off, whence), 0);
    int c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, -1, SEEK_CUR), 0);
    fputc(c ^ x, f);
    fclose(f);
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void truncate_file(const char *path, long len)
{
    const ad_spool_fs *os = ad_spool_fs_os();
    int fd = os->open(NULL, path, AD_SPOOL_FS_WRITE);
    assert_true(fd >= 0);
    assert_int_equal(os->ftruncate(NULL, fd, (uint64_t)len), 0);
    assert_int_equal(os->close(NULL, fd), 0);
}

static void test_flipped_payload_byte_skips_one_block(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    char seg[400];
    seg_file(&s, 1, seg, sizeof(seg)); /* a middle segment */
    /* The first block's payload: its header says how many records it held. */
    FILE *f = fopen(seg, "rb");
    uint8_t hb[AD_SPOOL_BLK_HDR];
    assert_int_equal(fseek(f, AD_SPOOL_SEG_HDR, SEEK_SET), 0);
    assert_int_equal(fread(hb, 1, sizeof(hb), f), sizeof(hb));
    fclose(f);
    ad_spool_blk_hdr h;
    assert_true(ad_spool_blk_hdr_decode(hb, &h));
    patch(seg, AD_SPOOL_SEG_HDR + AD_SPOOL_BLK_HDR + 5, SEEK_SET, 0x40);
    drain_all(&s);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], h.count);
    assert_int_equal(s.ctr[AD_EXP_SPOOL_BLOCKS_CORRUPT], 1);
    assert_int_equal(delivered_count(&s), 300 - h.count);
    rm_tree(s.dir);
}

static void test_flipped_header_byte_resyncs(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    char seg[400];
    seg_file(&s, 2, seg, sizeof(seg));
    FILE *f = fopen(seg, "rb");
    uint8_t hb[AD_SPOOL_BLK_HDR];
    assert_int_equal(fseek(f, AD_SPOOL_SEG_HDR, SEEK_SET), 0);
    assert_int_equal(fread(hb, 1, sizeof(hb), f), sizeof(hb));
    fclose(f);
    ad_spool_blk_hdr h;
    assert_true(ad_spool_blk_hdr_decode(hb, &h));
    patch(seg, AD_SPOOL_SEG_HDR + 9, SEEK_SET, 0x01); /* the block's record count */
    drain_all(&s);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], h.count);
    assert_int_equal(delivered_count(&s), 300 - h.count);
    rm_tree(s.dir);
}

static void test_truncated_tail_counted_exactly(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    int nseg = seg_count(&s);
    assert_true(nseg >= 1);
    char seg[400];
    seg_file(&s, nseg - 1, seg, sizeof(seg));
    truncate_file(seg, file_size(seg) - 30); /* tears the last block */
    drain_all(&s);
    uint64_t got = delivered_count(&s);
    assert_true(got < 300);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 300 - got);
    assert_int_equal(s.ctr[AD_EXP_SPOOL_TAIL_TRUNCATIONS], 1);
    for (uint32_t i = 1; i <= got; i++)
        assert_int_equal(s.delivered[i], 1); /* the loss is the tail, nothing else */
    rm_tree(s.dir);
}

/* Garbage after the last block of segment index (-1: the last segment). */
static void append_garbage(const sim *s, int index)
{
    char seg[400];
    seg_file(s, index >= 0 ? index : seg_count(s) - 1, seg, sizeof(seg));
    FILE *f = fopen(seg, "ab");
    assert_non_null(f);
    for (int i = 0; i < 1000; i++)
        fputc((i * 37) & 0xff, f);
    fclose(f);
}

/* At the end of the last segment (where a torn write leaves it): cut at start-up. */
static void test_appended_garbage_truncated_nothing_lost(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    append_garbage(&s, -1);
    drain_all(&s);
    assert_int_equal(delivered_count(&s), 300);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 0);
    assert_int_equal(s.ctr[AD_EXP_SPOOL_TAIL_TRUNCATIONS], 1);
    rm_tree(s.dir);
}

/* At the end of a sealed segment: found when read, a damaged region, no record lost. */
static void test_garbage_in_a_sealed_segment_nothing_lost(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    append_garbage(&s, 0);
    drain_all(&s);
    assert_int_equal(delivered_count(&s), 300);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 0);
    assert_int_equal(s.ctr[AD_EXP_SPOOL_BLOCKS_CORRUPT], 1);
    rm_tree(s.dir);
}

/*
 * A restart must not read the whole spool before the exporter attaches the ring (which holds
 * a second or so of records): a header per sealed segment and the last segment whole. With
 * about 35 blocks in 10 segments, reading every block takes more than 70 reads.
 */
static void test_restart_reads_headers_not_the_whole_spool(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    int nseg = seg_count(&s);
    assert_true(nseg >= 5);
    uint64_t before = s.f.calls[FAULT_READ];
    ad_spool *sp = sim_open(&s);
    assert_non_null(sp);
    uint64_t reads = s.f.calls[FAULT_READ] - before;
    ad_spool_close(sp);
    /* ledger 2, each sealed segment 2, the last segment (<= 1 KiB: a few blocks) 2 each */
    if (reads > 2 + 2 * (uint64_t)nseg + 16)
        fail_msg("%llu reads to open a spool of %d segments", (unsigned long long)reads, nseg);
    drain_all(&s);
    assert_int_equal(delivered_count(&s), 300);
    rm_tree(s.dir);
}

static void test_damaged_segment_header_loses_that_segment(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    fill_and_stop(&s);
    char seg[400];
    seg_file(&s, 1, seg, sizeof(seg));
    patch(seg, 2, SEEK_SET, 0xff);
    drain_all(&s);
    uint64_t got = delivered_count(&s);
    assert_true(got < 300 && got > 0);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 300 - got);
    rm_tree(s.dir);
}

static void test_random_damage_never_crashes(void **state)
{
    (void)state;
    srand(1234);
    for (int round = 0; round < 40; round++) {
        sim s;
        sim_init(&s, 300);
        fill_and_stop(&s);
        char seg[400];
        seg_file(&s, rand() % 3, seg, sizeof(seg));
        long size = file_size(seg);
        for (int k = 0; k < 1 + rand() % 8; k++)
            patch(seg, rand() % size, SEEK_SET, (uint8_t)(1 + rand() % 255));
        drain_all(&s);
        uint64_t got = delivered_count(&s);
        /* Every record is delivered or counted lost, never both and never silently gone. */
        assert_int_equal(got + s.ctr[AD_EXP_RECORDS_LOST_SPOOL_CORRUPT], 300);
        rm_tree(s.dir);
    }
}

/* ---- full, age, directory ------------------------------------------------------------------ */

static void test_full_block_policy_refuses(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 4000);
    s.o.max_bytes = 8192;
    ad_spool *sp = sim_open(&s);
    assert_non_null(sp);
    uint64_t before = s.committed;
    for (int i = 0; i < 100; i++)
        assert_true(pump(&s, sp, 16));
    assert_true(s.committed > before && s.committed < 4000); /* stopped taking */
    assert_true(ad_spool_full_now(sp));
    assert_true(ad_spool_bytes(sp) <= 8192);
    ad_spool_close(sp);
    sim_run(&s); /* draining makes room: everything arrives */
    check_all(&s, 0);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_FULL], 0);
    rm_tree(s.dir);
}

static void test_full_drop_oldest_counts(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 2000);
    s.o.max_bytes = 8192;
    s.o.full = AD_SPOOL_FULL_DROP_OLDEST;
    ad_spool *sp = sim_open(&s);
    assert_non_null(sp);
    while (s.committed < s.n)
        assert_true(pump(&s, sp, 16));
    assert_true(ad_spool_bytes(sp) <= 8192);
    while (drain_one(&s, sp) == 1) {
    }
    ad_spool_close(sp);
    uint64_t got = delivered_count(&s);
    assert_true(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_FULL] > 0);
    assert_int_equal(got + s.ctr[AD_EXP_RECORDS_LOST_SPOOL_FULL], 2000);
    assert_int_equal(s.order_errors, 0);
    for (uint32_t i = 1; i <= s.n; i++)
        assert_true(s.delivered[i] <= 1);
    /* What was dropped is never delivered after a restart either. */
    drain_all(&s);
    assert_int_equal(delivered_count(&s), got);
    rm_tree(s.dir);
}

static void test_max_age_drops_old_segments(void **state)
{
    (void)state;
    sim s;
    sim_init(&s, 300);
    s.o.max_age_ns = 500;
    ad_spool *sp = sim_open(&s);
    assert_non_null(sp);
    while (s.committed < s.n)
        assert_true(pump(&s, sp, 16)); /* blocks stamped at 1000 ns */
    ad_spool_expire(sp, 1000 + 400);
    assert_int_equal(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_AGE], 0);
    ad_spool_expire(sp, 1000 + 600);
    assert_true(s.ctr[AD_EXP_RECORDS_LOST_SPOOL_AGE] > 0);
    while (drain_one(&s, sp) == 1) {
    }
    ad_spool_close(sp);
    assert_int_equal(delivered_count(&s) + s.ctr[AD_EXP_RECORDS_LOST_SPOOL_AGE], 300);
    rm_tree(s.dir);
}

int main(void)
{
    ad_log_init("spool-test", AD_LOG_OFF, AD_LOG_TEXT); /* quiet: faults log by design */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_in_order),
        cmocka_unit_test(test_enospc_at_every_write),
        cmocka_unit_test(test_short_write_at_every_write),
        cmocka_unit_test(test_fsync_failure_at_every_fsync),
        cmocka_unit_test(test_eio_at_every_read),
        cmocka_unit_test(test_erofs_on_open),
        cmocka_unit_test(test_crash_between_every_two_calls),
        cmocka_unit_test(test_flipped_payload_byte_skips_one_block),
        cmocka_unit_test(test_flipped_header_byte_resyncs),
        cmocka_unit_test(test_truncated_tail_counted_exactly),
        cmocka_unit_test(test_appended_garbage_truncated_nothing_lost),
        cmocka_unit_test(test_garbage_in_a_sealed_segment_nothing_lost),
        cmocka_unit_test(test_restart_reads_headers_not_the_whole_spool),
        cmocka_unit_test(test_damaged_segment_header_loses_that_segment),
        cmocka_unit_test(test_random_damage_never_crashes),
        cmocka_unit_test(test_full_block_policy_refuses),
        cmocka_unit_test(test_full_drop_oldest_counts),
        cmocka_unit_test(test_max_age_drops_old_segments),
        cmocka_unit_test(test_directory_created_private_and_checked),
    };
    if (getenv("SPOOL_TEST_FILTER") != NULL) /* e.g. "*crash*" while working on one */
        cmocka_set_test_filter(getenv("SPOOL_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* asimdns-exporter: the disk spool (spool.h, docs/SPOOL.md). */
#include "exporter/spool.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "common/log.h"
#include "exporter/spool_format.h"

#define PATH_CAP 4096
#define SEG_PREFIX "seg-"
#define SEG_SUFFIX ".spool"
#define LEDGER_NAME "ledger"
#define PROBE_NAME "probe.tmp"
#define PROBE_BYTES (64u * 1024u)
#define DEFAULT_MAX_BYTES (1024ULL * 1024 * 1024)
#define MIN_SEGMENT (1024ULL) /* tests use small segments; the config keeps max_size >= 1 MiB */
#define MAX_SEGMENT (16ULL * 1024 * 1024)

typedef struct seg {
    uint64_t first_id;        /* from its name and header */
    uint64_t last_id;         /* last valid id in it; first_id - 1 while empty */
    uint64_t size;            /* bytes in use (valid end) */
    uint64_t newest_ns;       /* wall time of its newest block */
    uint64_t oldest_ns;       /* wall time of its first block (the spool_oldest gauge) */
    uint64_t counted_through; /* losses of ids <= this were counted at start-up */
    uint64_t gap_through;     /* ids after it up to this: a later segment removed at start-up
                                 (counted then) */
} seg;

struct ad_spool {
    ad_spool_opts o;
    const ad_spool_fs *fs;
    char dir[PATH_CAP - 64]; /* room for a file name in PATH_CAP */
    seg *segs;
    size_t nseg, segcap;
    uint64_t total_bytes;
    uint64_t next_id;
    uint64_t acked_id;
    uint64_t released_id; /* highest id read() may hand out */
    uint64_t generation;
    uint64_t ledger_counter;
    int ledger_fd;
    bool degraded;
    bool full_now;
    bool ready; /* opened completely: only then may close() write anything */

    /* writer */
    int wfd;          /* the write segment (the last one) while open */
    bool dir_dirty;   /* a segment was created or removed since the last directory sync */
    bool data_dirty;  /* written but not fsynced */
    uint64_t wsynced; /* write segment size at the last release */
    uint64_t last_fsync_ns;
    uint64_t wall_ns; /* of the latest append: the block's time (max_age) */
    uint8_t *wbuf;    /* block being built: header room + records */
    size_t wlen, wcap;
    uint32_t wcount;
    uint64_t wfirst;
    uint8_t *zbuf;
    size_t zcap;
    uint64_t last_gen, last_seq; /* the newest stored ring record */
    bool have_last;
    uint64_t rel_gen, rel_seq; /* the same at the last release (undo restores it) */
    bool rel_have;
    /* An undo whose truncation failed: segment cut_seg must be cut back to cut_size before
       its unreleased ids may be given out again (recover() does it). */
    bool cut_pending;
    uint64_t cut_seg, cut_size;

    /* reader */
    int rfd;
    uint64_t rseg_first; /* first id of the segment rfd reads */
    uint64_t roff;
    uint64_t rnext; /* next id to hand out */
    uint8_t *rstored, *rraw;
    size_t rstored_cap, rraw_cap;
    ad_spool_rec *recs;
    size_t rec_cap;
};

static void count(ad_spool *sp, ad_exporter_counter c, uint64_t n)
{
    if (n != 0 && sp->o.count != NULL)
        sp->o.count(sp->o.count_ctx, c, n);
}

static void seg_path(const ad_spool *sp, uint64_t first, char *out, size_t cap)
{
    snprintf(out, cap, "%s/" SEG_PREFIX "%016" PRIx64 SEG_SUFFIX, sp->dir, first);
}

static void file_path(const ad_spool *sp, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", sp->dir, name);
}

/* A disk error: counted, logged, and the spool degrades to ring-only delivery. */
static ad_err disk_error(ad_spool *sp, const char *what, int neg)
{
    count(sp, AD_EXP_SPOOL_DISK_ERRORS, 1);
    if (!sp->degraded) {
        sp->degraded = true;
        count(sp, AD_EXP_SPOOL_DEGRADED, 1);
        ad_log_error("spool %s: %s failed: %s; delivering from the ring only until the disk "
                     "recovers",
                     sp->dir, what, neg < 0 ? strerror(-neg) : "short write");
    }
    return AD_EIO;
}

static ad_err grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return AD_OK;
    size_t c = *cap ? *cap : 4096 / elem + 1;
    while (c < need)
        c *= 2;
    void *n = realloc(*(void **)pp, c * elem);
    if (n == NULL)
        return AD_ENOMEM;
    *(void **)pp = n;
    *cap = c;
    return AD_OK;
}

/* ---- ledger ------------------------------------------------------------------------------ */

static ad_err ledger_write(ad_spool *sp, bool sync)
{
    if (sp->ledger_fd < 0)
        return AD_EIO;
    ad_spool_ledger l = {.counter = ++sp->ledger_counter,
                         .acked_id = sp->acked_id,
                         .written_id = sp->released_id,
                         .generation = sp->generation};
    uint8_t buf[AD_SPOOL_LEDGER_SLOT];
    ad_spool_ledger_encode(&l, buf);
    /* Two slots, written in turn: a torn slot leaves the other one valid. */
    long w = sp->fs->pwrite(sp->fs->ctx, sp->ledger_fd, buf, sizeof(buf),
                            (l.counter & 1u) * AD_SPOOL_LEDGER_SLOT);
    if (w != (long)sizeof(buf))
        return disk_error(sp, "ledger write", (int)(w < 0 ? w : 0));
    if (sync) {
        int rc = sp->fs->fsync(sp->fs->ctx, sp->ledger_fd);
        count(sp, AD_EXP_SPOOL_FSYNCS, 1);
        if (rc != 0)
            return disk_error(sp, "ledger fsync", rc);
    }
    return AD_OK;
}

static ad_err ledger_open(ad_spool *sp, ad_spool_ledger *best, char *msg, size_t cap)
{
    char path[PATH_CAP];
    file_path(sp, LEDGER_NAME, path, sizeof(path));
    memset(best, 0, sizeof(*best));
    int fd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_WRITE);
    if (fd == -ENOENT) {
        fd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_CREATE);
        sp->dir_dirty = true;
    }
    if (fd < 0) {
        snprintf(msg, cap, "cannot open spool ledger %s: %s", path, strerror(-fd));
        count(sp, AD_EXP_SPOOL_DISK_ERRORS, 1);
        return AD_EIO;
    }
    sp->ledger_fd = fd;
    bool found = false, damaged = false;
    for (uint64_t slot = 0; slot < 2; slot++) {
        uint8_t buf[AD_SPOOL_LEDGER_SLOT];
        long r = sp->fs->pread(sp->fs->ctx, fd, buf, sizeof(buf), slot * AD_SPOOL_LEDGER_SLOT);
        ad_spool_ledger l;
        if (r < 0) {
            /* Not knowing what was acknowledged is not the same as nothing acknowledged. */
            snprintf(msg, cap, "cannot read spool ledger %s: %s", path, strerror((int)-r));
            count(sp, AD_EXP_SPOOL_DISK_ERRORS, 1);
            return AD_EIO;
        }
        if (r == (long)sizeof(buf) && ad_spool_ledger_decode(buf, &l)) {
            if (!found || l.counter > best->counter)
                *best = l;
            found = true;
        } else if (r > 0) {
            damaged = true;
        }
    }
    if (damaged && !found)
        ad_log_warn("spool %s: ledger unreadable: every stored record will be delivered again "
                    "(duplicates, not losses)",
                    sp->dir);
    return AD_OK;
}

/* ---- segments ---------------------------------------------------------------------------- */

static ad_err seg_add(ad_spool *sp, uint64_t first)
{
    if (grow(&sp->segs, &sp->segcap, sp->nseg + 1, sizeof(seg)) != AD_OK)
        return AD_ENOMEM;
    size_t i = sp->nseg;
    while (i > 0 && sp->segs[i - 1].first_id > first) {
        sp->segs[i] = sp->segs[i - 1];
        i--;
    }
    sp->segs[i] = (seg){.first_id = first, .last_id = first - 1};
    sp->nseg++;
    return AD_OK;
}

static void seg_remove_at(ad_spool *sp, size_t i)
{
    char path[PATH_CAP];
    seg_path(sp, sp->segs[i].first_id, path, sizeof(path));
    if (sp->rfd >= 0 && sp->rseg_first == sp->segs[i].first_id) {
        sp->fs->close(sp->fs->ctx, sp->rfd);
        sp->rfd = -1;
    }
    int rc = sp->fs->unlink(sp->fs->ctx, path);
    if (rc != 0)
        ad_log_warn("spool: cannot remove %s: %s", path, strerror(-rc));
    sp->total_bytes -= sp->segs[i].size < sp->total_bytes ? sp->segs[i].size : sp->total_bytes;
    memmove(&sp->segs[i], &sp->segs[i + 1], (sp->nseg - i - 1) * sizeof(seg));
    sp->nseg--;
    sp->dir_dirty = true;
}

static int list_cb(void *arg, const char *name)
{
    ad_spool *sp = arg;
    size_t n = strlen(name);
    size_t pl = strlen(SEG_PREFIX), sl = strlen(SEG_SUFFIX);
    if (n != pl + 16 + sl || strncmp(name, SEG_PREFIX, pl) != 0 ||
        strcmp(name + pl + 16, SEG_SUFFIX) != 0)
        return 0;
    uint64_t id = 0;
    for (size_t i = pl; i < pl + 16; i++) {
        char c = name[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return 0;
        id = id << 4 | (uint64_t)d;
    }
    if (id != 0 && seg_add(sp, id) != AD_OK)
        return 1;
    return 0;
}

/* ---- blocks ------------------------------------------------------------------------------ */

/* Checks a block's payload and unpacks its records into sp->recs (pointing into sp->rraw). */
static bool block_unpack(ad_spool *sp, const ad_spool_blk_hdr *h, const uint8_t *stored)
{
    if (ad_crc32c(0, stored, h->stored_len) != h->payload_crc)
        return false;
    const uint8_t *raw = stored;
    if (h->flags & AD_SPOOL_BLK_ZLIB) {
        if (grow(&sp->rraw, &sp->rraw_cap, h->raw_len + 1u, 1) != AD_OK)
            return false;
        uLongf out = h->raw_len;
        if (uncompress(sp->rraw, &out, stored, h->stored_len) != Z_OK || out != h->raw_len)
            return false;
        raw = sp->rraw;
    }
    if (grow(&sp->recs, &sp->rec_cap, h->count, sizeof(ad_spool_rec)) != AD_OK)
        return false;
    size_t off = 0;
    for (uint32_t i = 0; i < h->count; i++) {
        if (h->raw_len - off < AD_SPOOL_REC_HDR)
            return false;
        uint32_t len = ad_spool_get_u32(raw + off);
        if (len > h->raw_len - off - AD_SPOOL_REC_HDR)
            return false;
        sp->recs[i] = (ad_spool_rec){.id = h->first_id + i,
                                     .ring_generation = ad_spool_get_u64(raw + off + 4),
                                     .ring_seq = ad_spool_get_u64(raw + off + 12),
                                     .data = raw + off + AD_SPOOL_REC_HDR,
                                     .len = len};
        off += AD_SPOOL_REC_HDR + len;
    }
    return off == h->raw_len;
}

/*
 * Reads and checks the block at off of fd (file size fsize). 1 = valid (records in sp->recs),
 * 0 = not a valid block there, negative = read error.
 */
static int block_at(ad_spool *sp, int fd, uint64_t off, uint64_t fsize, ad_spool_blk_hdr *h)
{
    uint8_t hb[AD_SPOOL_BLK_HDR];
    if (fsize < AD_SPOOL_BLK_HDR || off > fsize - AD_SPOOL_BLK_HDR)
        return 0;
    long r = sp->fs->pread(sp->fs->ctx, fd, hb, sizeof(hb), off);
    if (r < 0)
        return (int)r;
    if (r != (long)sizeof(hb) || !ad_spool_blk_hdr_decode(hb, h))
        return 0;
    if (h->stored_len > fsize - off - AD_SPOOL_BLK_HDR)
        return 0;
    if (grow(&sp->rstored, &sp->rstored_cap, h->stored_len + 1u, 1) != AD_OK)
        return -ENOMEM;
    r = sp->fs->pread(sp->fs->ctx, fd, sp->rstored, h->stored_len, off + AD_SPOOL_BLK_HDR);
    if (r < 0)
        return (int)r;
    if (r != (long)h->stored_len)
        return 0;
    return block_unpack(sp, h, sp->rstored) ? 1 : 0;
}

/*
 * The next valid block at or after off: its offset in *found (fsize when none). Headers carry
 * their own checksum, so a search byte by byte finds the next block after any damage. Reads
 * the rest of the file once to search it in memory.
 */
static int block_search(ad_spool *sp, int fd, uint64_t off, uint64_t fsize, uint64_t *found,
                        ad_spool_blk_hdr *h)
{
    *found = fsize;
    if (off >= fsize)
        return 0;
    size_t n = (size_t)(fsize - off);
    uint8_t *buf = malloc(n);
    if (buf == NULL)
        return -ENOMEM;
    long r = sp->fs->pread(sp->fs->ctx, fd, buf, n, off);
    if (r < 0) {
        free(buf);
        return (int)r;
    }
    n = (size_t)r;
    int rc = 0;
    for (size_t i = 0; i + AD_SPOOL_BLK_HDR <= n; i++) {
        if (ad_spool_get_u32(buf + i) != AD_SPOOL_BLK_MAGIC)
            continue;
        ad_spool_blk_hdr tmp;
        if (!ad_spool_blk_hdr_decode(buf + i, &tmp))
            continue;
        if (tmp.stored_len > n - i - AD_SPOOL_BLK_HDR)
            continue;
        if (!block_unpack(sp, &tmp, buf + i + AD_SPOOL_BLK_HDR))
            continue;
        /* Unpacked records point into buf for zlib-free blocks: copy the payload to rstored
           and unpack again from there so they stay valid after buf is freed. */
        if (grow(&sp->rstored, &sp->rstored_cap, tmp.stored_len + 1u, 1) != AD_OK) {
            rc = -ENOMEM;
            break;
        }
        memcpy(sp->rstored, buf + i + AD_SPOOL_BLK_HDR, tmp.stored_len);
        (void)block_unpack(sp, &tmp, sp->rstored);
        *h = tmp;
        *found = off + i;
        rc = 1;
        break;
    }
    free(buf);
    return rc;
}

/* ---- start-up ---------------------------------------------------------------------------- */

static uint64_t lost_range(ad_spool *sp, uint64_t from, uint64_t to, const char *where)
{
    if (from <= sp->acked_id)
        from = sp->acked_id + 1;
    if (to < from)
        return 0;
    uint64_t n = to - from + 1;
    count(sp, AD_EXP_RECORDS_LOST_SPOOL_CORRUPT, n);
    ad_log_error("spool %s: %" PRIu64 " records lost (ids %" PRIu64 "..%" PRIu64 "): %s", sp->dir,
                 n, from, to, where);
    return n;
}

/*
 * A segment sealed by a later one: its header was checked, its blocks are checked when read
 * (ad_spool_read counts what is damaged, exactly: its ids end where the next segment's begin).
 * So a restart reads a header per segment and the last segment whole, not the whole spool:
 * the ring (a second or so of records) must not overflow while the exporter starts.
 */
static void seg_sealed(ad_spool *sp, seg *s, int fd, uint64_t fsize, uint64_t upper)
{
    uint8_t bb[AD_SPOOL_BLK_HDR];
    ad_spool_blk_hdr bh;
    if (fsize >= AD_SPOOL_SEG_HDR + AD_SPOOL_BLK_HDR &&
        sp->fs->pread(sp->fs->ctx, fd, bb, sizeof(bb), AD_SPOOL_SEG_HDR) == (long)sizeof(bb) &&
        ad_spool_blk_hdr_decode(bb, &bh))
        s->oldest_ns = bh.wall_ns; /* the age gauge; max_age uses the next segment's */
    s->last_id = upper;
    s->size = fsize;
    s->counted_through = 0;
    sp->total_bytes += fsize;
}

/* Checks one segment: header, and for the last one every block, truncating a damaged tail;
   counts losses of ids up to upper (the last segment: bounded by what the ledger knew). */
static ad_err seg_check(ad_spool *sp, size_t i, uint64_t upper, bool last)
{
    seg *s = &sp->segs[i];
    char path[PATH_CAP];
    seg_path(sp, s->first_id, path, sizeof(path));
    int fd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_WRITE);
    if (fd < 0)
        return disk_error(sp, "segment open at start-up", fd); /* not damage: keep it */
    uint64_t fsize = 0;
    uint8_t hb[AD_SPOOL_SEG_HDR];
    ad_spool_seg_hdr sh;
    int src = sp->fs->size(sp->fs->ctx, fd, &fsize);
    long hr =
        src == 0 && fsize >= sizeof(hb) ? sp->fs->pread(sp->fs->ctx, fd, hb, sizeof(hb), 0) : 0;
    if (src != 0 || hr < 0) {
        sp->fs->close(sp->fs->ctx, fd);
        return disk_error(sp, "segment read at start-up", src != 0 ? src : (int)hr);
    }
    bool ok =
        hr == (long)sizeof(hb) && ad_spool_seg_hdr_decode(hb, &sh) && sh.first_id == s->first_id;
    if (ok && sh.last_id > upper)
        upper = sh.last_id; /* a sealed header knows its end */
    if (!ok) {
        sp->fs->close(sp->fs->ctx, fd);
        count(sp, AD_EXP_SPOOL_BLOCKS_CORRUPT, 1);
        lost_range(sp, s->first_id, upper, "segment header damaged; segment removed");
        if (i > 0 && sp->segs[i - 1].gap_through < upper)
            sp->segs[i - 1].gap_through = upper; /* the reader must not count them again */
        s->size = 0;
        seg_remove_at(sp, i);
        return AD_ENOENT;
    }
    if (!last) {
        seg_sealed(sp, s, fd, fsize, upper);
        sp->fs->close(sp->fs->ctx, fd);
        return AD_OK;
    }
    uint64_t off = AD_SPOOL_SEG_HDR, expect = s->first_id, valid_end = off;
    while (off < fsize) {
        ad_spool_blk_hdr h;
        int r = block_at(sp, fd, off, fsize, &h);
        uint64_t at = off;
        if (r == 0) {
            /* One damaged region: from here to the next valid block (or the end). */
            r = block_search(sp, fd, off + 1, fsize, &at, &h);
            count(sp, AD_EXP_SPOOL_BLOCKS_CORRUPT, 1);
            if (r == 0)
                break;
        }
        if (r < 0) {
            sp->fs->close(sp->fs->ctx, fd);
            return disk_error(sp, "read at start-up", r);
        }
        if (h.first_id > expect)
            lost_range(sp, expect, h.first_id - 1, "damaged block skipped");
        if (h.first_id + h.count > expect) {
            expect = h.first_id + h.count;
            sp->last_gen = sp->recs[h.count - 1].ring_generation;
            sp->last_seq = sp->recs[h.count - 1].ring_seq;
            sp->have_last = true;
        }
        s->newest_ns = h.wall_ns;
        if (s->oldest_ns == 0)
            s->oldest_ns = h.wall_ns;
        off = valid_end = at + AD_SPOOL_BLK_HDR + h.stored_len;
    }
    if (valid_end < fsize) {
        count(sp, AD_EXP_SPOOL_TAIL_TRUNCATIONS, 1);
        ad_log_warn("spool %s: %s: %" PRIu64 " bytes of torn or damaged tail truncated", sp->dir,
                    path, fsize - valid_end);
        int rc = sp->fs->ftruncate(sp->fs->ctx, fd, valid_end);
        if (rc == 0)
            rc = sp->fs->fsync(sp->fs->ctx, fd);
        if (rc != 0)
            ad_log_warn("spool %s: cannot truncate %s: %s", sp->dir, path, strerror(-rc));
    }
    if (upper >= expect)
        lost_range(sp, expect, upper, "missing at the end of a segment (torn or truncated)");
    sp->fs->close(sp->fs->ctx, fd);
    s->last_id = expect - 1;
    s->size = valid_end;
    s->counted_through = upper > s->last_id ? upper : s->last_id;
    sp->total_bytes += valid_end;
    return AD_OK;
}

static ad_err scan(ad_spool *sp, const ad_spool_ledger *l)
{
    /* Segments wholly acknowledged are removed unread. */
    while (sp->nseg > 1 && sp->segs[1].first_id - 1 <= sp->acked_id)
        seg_remove_at(sp, 0);
    size_t i = 0;
    while (i < sp->nseg) {
        bool last = i + 1 == sp->nseg;
        uint64_t upper = !last ? sp->segs[i + 1].first_id - 1 : l->written_id;
        ad_err err = seg_check(sp, i, upper, last);
        if (err == AD_ENOENT)
            continue; /* removed; the next one moved to i */
        if (err != AD_OK)
            return err;
        if (sp->segs[i].last_id < sp->segs[i].first_id) {
            /* Nothing valid in it (losses counted): removed, so a new segment may take its
               name. */
            seg_remove_at(sp, i);
            continue;
        }
        i++;
    }
    /* A sealed segment's newest block is at most as old as the next segment's first. */
    for (size_t k = 0; k + 1 < sp->nseg; k++)
        if (sp->segs[k].newest_ns == 0)
            sp->segs[k].newest_ns = sp->segs[k + 1].oldest_ns;
    uint64_t top = sp->acked_id > l->written_id ? sp->acked_id : l->written_id;
    for (size_t k = 0; k < sp->nseg; k++) {
        if (sp->segs[k].last_id > top)
            top = sp->segs[k].last_id;
        if (sp->segs[k].counted_through > top)
            top = sp->segs[k].counted_through;
    }
    sp->next_id = top + 1;
    sp->released_id = top;
    sp->rnext = sp->acked_id + 1;
    return AD_OK;
}

ad_err ad_spool_open(const ad_spool_opts *opts, ad_spool **out, char *msg, size_t msgcap)
{
    msg[0] = '\0';
    const ad_spool_fs *fs = opts->fs ? opts->fs : ad_spool_fs_os();
    if (fs == NULL) {
        snprintf(msg, msgcap, "spool: not available on this platform");
        return AD_EUNSUPP;
    }
    if (strlen(opts->dir) >= PATH_CAP - 64) {
        snprintf(msg, msgcap, "spool: directory path too long");
        return AD_ERANGE;
    }
    int rc = fs->prepare_dir(fs->ctx, opts->dir, msg, msgcap);
    if (rc != 0)
        return rc == -EPERM || rc == -EACCES ? AD_EPERM : AD_EIO;
    ad_spool *sp = calloc(1, sizeof(*sp));
    if (sp == NULL)
        return AD_ENOMEM;
    sp->o = *opts;
    sp->fs = fs;
    snprintf(sp->dir, sizeof(sp->dir), "%s", opts->dir);
    if (sp->o.max_bytes == 0)
        sp->o.max_bytes = DEFAULT_MAX_BYTES;
    if (sp->o.segment_bytes == 0)
        sp->o.segment_bytes = sp->o.max_bytes / 8;
    if (sp->o.segment_bytes < MIN_SEGMENT)
        sp->o.segment_bytes = MIN_SEGMENT;
    if (sp->o.segment_bytes > MAX_SEGMENT)
        sp->o.segment_bytes = MAX_SEGMENT;
    if (sp->o.block_bytes == 0)
        sp->o.block_bytes = 64u * 1024u;
    if (sp->o.fsync_interval_ns == 0)
        sp->o.fsync_interval_ns = 1000000000ULL;
    sp->wfd = sp->rfd = sp->ledger_fd = -1;
    ad_spool_ledger l;
    ad_err err = ledger_open(sp, &l, msg, msgcap);
    if (err == AD_OK) {
        sp->acked_id = l.acked_id;
        sp->ledger_counter = l.counter;
        sp->generation = l.generation + 1;
        rc = fs->list(fs->ctx, sp->dir, list_cb, sp);
        if (rc != 0) {
            snprintf(msg, msgcap, "spool: cannot list %s: %s", sp->dir, strerror(-rc));
            err = AD_EIO;
        }
    }
    if (err == AD_OK)
        err = scan(sp, &l);
    if (err == AD_OK && (err = ledger_write(sp, true)) != AD_OK)
        snprintf(msg, msgcap, "spool: cannot write the ledger in %s", sp->dir);
    if (err != AD_OK) {
        if (msg[0] == '\0')
            snprintf(msg, msgcap, "spool: %s unusable", sp->dir);
        ad_spool_close(sp);
        return err;
    }
    if (ad_spool_pending(sp) > 0)
        ad_log_info("spool %s: %" PRIu64 " records (%" PRIu64 " bytes in %zu segments) to deliver",
                    sp->dir, ad_spool_pending(sp), sp->total_bytes, sp->nseg);
    sp->ready = true;
    *out = sp;
    return AD_OK;
}

/* ---- writer ------------------------------------------------------------------------------ */

bool ad_spool_has_ring_record(const ad_spool *sp, uint64_t generation, uint64_t seq)
{
    return sp->have_last && generation == sp->last_gen && seq <= sp->last_seq;
}

/* Drops the oldest segment (not the one being written) for room or age: counted. */
static bool drop_oldest(ad_spool *sp, ad_exporter_counter why, const char *reason)
{
    if (sp->nseg == 0 || (sp->nseg == 1 && sp->wfd >= 0))
        return false;
    seg *s = &sp->segs[0];
    uint64_t from = sp->rnext > sp->acked_id + 1 ? sp->rnext : sp->acked_id + 1;
    uint64_t last = s->last_id;
    uint64_t lost = last >= from ? last - from + 1 : 0;
    count(sp, why, lost);
    if (lost > 0)
        ad_log_warn("spool %s: %" PRIu64 " records dropped (ids %" PRIu64 "..%" PRIu64 "): %s",
                    sp->dir, lost, from, last, reason);
    if (last > sp->acked_id)
        sp->acked_id = last; /* given up: never counted again */
    if (sp->rnext <= last)
        sp->rnext = last + 1;
    seg_remove_at(sp, 0);
    (void)ledger_write(sp, sp->o.fsync == AD_SPOOL_FSYNC_ALWAYS);
    return true;
}

static ad_err seg_create(ad_spool *sp)
{
    char path[PATH_CAP];
    seg_path(sp, sp->wfirst, path, sizeof(path));
    (void)sp->fs->unlink(sp->fs->ctx, path); /* a leftover of a failed attempt */
    int fd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_CREATE);
    if (fd < 0)
        return disk_error(sp, "segment create", fd);
    ad_spool_seg_hdr h = {.generation = sp->generation, .first_id = sp->wfirst};
    uint8_t hb[AD_SPOOL_SEG_HDR];
    ad_spool_seg_hdr_encode(&h, hb);
    long w = sp->fs->pwrite(sp->fs->ctx, fd, hb, sizeof(hb), 0);
    if (w != (long)sizeof(hb)) {
        sp->fs->close(sp->fs->ctx, fd);
        (void)sp->fs->unlink(sp->fs->ctx, path);
        return disk_error(sp, "segment header write", (int)(w < 0 ? w : 0));
    }
    if (seg_add(sp, sp->wfirst) != AD_OK) {
        sp->fs->close(sp->fs->ctx, fd);
        return AD_ENOMEM;
    }
    sp->segs[sp->nseg - 1].size = AD_SPOOL_SEG_HDR;
    sp->total_bytes += AD_SPOOL_SEG_HDR;
    sp->wfd = fd;
    sp->wsynced = 0;
    sp->dir_dirty = true;
    return AD_OK;
}

/* Closes the write segment (the next block starts a new one). */
static void seg_close_write(ad_spool *sp)
{
    if (sp->wfd >= 0) {
        sp->fs->close(sp->fs->ctx, sp->wfd);
        sp->wfd = -1;
    }
}

/*
 * A write or fsync failed: undo what was not released (truncate the write segment to its
 * released size, or remove it when nothing in it was released), so neither a restart nor a
 * later read delivers records the ring still holds.
 */
static void undo_unreleased(ad_spool *sp)
{
    sp->wlen = sp->wcount = 0;
    sp->last_gen = sp->rel_gen;
    sp->last_seq = sp->rel_seq;
    sp->have_last = sp->rel_have;
    if (sp->wfd < 0 || sp->nseg == 0) {
        /* Nothing unreleased reached a file unless a segment was completed since. */
        if (sp->nseg == 0 || sp->segs[sp->nseg - 1].last_id <= sp->released_id)
            sp->next_id = sp->released_id + 1;
        return;
    }
    seg *s = &sp->segs[sp->nseg - 1];
    uint64_t keep = sp->wsynced;
    int rc = keep > AD_SPOOL_SEG_HDR ? sp->fs->ftruncate(sp->fs->ctx, sp->wfd, keep) : 0;
    seg_close_write(sp);
    if (keep <= AD_SPOOL_SEG_HDR) {
        s->size = 0;
        seg_remove_at(sp, sp->nseg - 1);
    } else {
        sp->total_bytes -= s->size - keep;
        s->size = keep;
        s->last_id = sp->released_id;
    }
    if (rc == 0) {
        sp->next_id = sp->released_id + 1; /* nothing after released_id remains */
    } else {
        /* The failed block may still be in the file: its ids stay taken (new records get
           others) until recover() has cut it off. Those ids are not lost records: theirs
           stayed in the ring. */
        sp->cut_pending = true;
        sp->cut_seg = s->first_id;
        sp->cut_size = keep;
    }
}

/* recover(): finishes an undo whose truncation failed; then unreleased ids are free again. */
static ad_err finish_cut(ad_spool *sp)
{
    if (!sp->cut_pending)
        return AD_OK;
    char path[PATH_CAP];
    seg_path(sp, sp->cut_seg, path, sizeof(path));
    int fd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_WRITE);
    int rc = fd;
    if (fd >= 0) {
        rc = sp->fs->ftruncate(sp->fs->ctx, fd, sp->cut_size);
        if (rc == 0)
            rc = sp->fs->fsync(sp->fs->ctx, fd);
        sp->fs->close(sp->fs->ctx, fd);
    }
    if (rc != 0 && rc != -ENOENT) /* gone: acknowledged and removed meanwhile */
        return AD_EIO;
    sp->cut_pending = false;
    sp->next_id = sp->released_id + 1;
    return AD_OK;
}

static ad_err fsync_write(ad_spool *sp)
{
    if (sp->wfd >= 0 && sp->data_dirty) {
        int rc = sp->fs->fsync(sp->fs->ctx, sp->wfd);
        count(sp, AD_EXP_SPOOL_FSYNCS, 1);
        if (rc != 0)
            return disk_error(sp, "fsync", rc);
        sp->data_dirty = false;
    }
    if (sp->dir_dirty) {
        int rc = sp->fs->sync_dir(sp->fs->ctx, sp->dir);
        if (rc != 0)
            return disk_error(sp, "directory sync", rc);
        sp->dir_dirty = false;
    }
    return AD_OK;
}

static ad_err write_block(ad_spool *sp)
{
    uint64_t wall_ns = sp->wall_ns;
    if (sp->wcount == 0)
        return AD_OK;
    if (sp->wfd >= 0 && sp->segs[sp->nseg - 1].size >= sp->o.segment_bytes) {
        ad_err err = fsync_write(sp); /* the old segment is complete before the next starts */
        if (err != AD_OK)
            return err;
        seg_close_write(sp);
    }
    if (sp->wfd < 0) {
        ad_err err = seg_create(sp);
        if (err != AD_OK)
            return err;
    }
    uint8_t *payload = sp->wbuf + AD_SPOOL_BLK_HDR;
    size_t raw_len = sp->wlen - AD_SPOOL_BLK_HDR;
    ad_spool_blk_hdr h = {.count = sp->wcount,
                          .raw_len = (uint32_t)raw_len,
                          .stored_len = (uint32_t)raw_len,
                          .first_id = sp->wfirst,
                          .wall_ns = wall_ns};
    const uint8_t *body = payload;
    if (sp->o.compress) {
        uLongf zl = compressBound((uLong)raw_len);
        if (grow(&sp->zbuf, &sp->zcap, AD_SPOOL_BLK_HDR + zl, 1) == AD_OK &&
            compress2(sp->zbuf + AD_SPOOL_BLK_HDR, &zl, payload, (uLong)raw_len, 1) == Z_OK &&
            zl < raw_len) {
            h.flags = AD_SPOOL_BLK_ZLIB;
            h.stored_len = (uint32_t)zl;
            body = sp->zbuf + AD_SPOOL_BLK_HDR;
        }
    }
    h.payload_crc = ad_crc32c(0, body, h.stored_len);
    uint8_t *out = (uint8_t *)body - AD_SPOOL_BLK_HDR; /* both buffers keep header room */
    ad_spool_blk_hdr_encode(&h, out);
    seg *s = &sp->segs[sp->nseg - 1];
    size_t n = AD_SPOOL_BLK_HDR + h.stored_len;
    long w = sp->fs->pwrite(sp->fs->ctx, sp->wfd, out, n, s->size);
    if (w != (long)n)
        return disk_error(sp, "block write", (int)(w < 0 ? w : 0));
    s->size += n;
    s->last_id = sp->wfirst + sp->wcount - 1;
    s->newest_ns = wall_ns;
    if (s->oldest_ns == 0)
        s->oldest_ns = wall_ns;
    sp->total_bytes += n;
    sp->data_dirty = true;
    count(sp, AD_EXP_SPOOL_RECORDS_WRITTEN, sp->wcount);
    count(sp, AD_EXP_SPOOL_BYTES_WRITTEN, n);
    sp->wlen = 0;
    sp->wcount = 0;
    if (sp->o.fsync == AD_SPOOL_FSYNC_ALWAYS)
        return fsync_write(sp);
    return AD_OK;
}

ad_err ad_spool_append(ad_spool *sp, uint64_t generation, uint64_t seq, const void *data,
                       uint32_t len, uint64_t wall_ns)
{
    if (sp->degraded)
        return AD_EIO;
    size_t rec = AD_SPOOL_REC_HDR + (size_t)len;
    if (sp->wcount > 0 && sp->wlen + rec > AD_SPOOL_BLK_HDR + (size_t)sp->o.block_bytes) {
        ad_err err = write_block(sp);
        if (err != AD_OK) {
            undo_unreleased(sp);
            return err;
        }
    }
    /* Room for this record, a block header and perhaps a new segment's header. */
    uint64_t need = sp->total_bytes + sp->wlen + rec + AD_SPOOL_BLK_HDR + AD_SPOOL_SEG_HDR;
    sp->full_now = false;
    while (need > sp->o.max_bytes) {
        if (sp->o.full == AD_SPOOL_FULL_BLOCK ||
            !drop_oldest(sp, AD_EXP_RECORDS_LOST_SPOOL_FULL, "spool full (drop_oldest)")) {
            if (sp->o.full == AD_SPOOL_FULL_DROP_OLDEST && sp->wfd >= 0) {
                seg_close_write(sp); /* the next block opens a new segment; retry dropping */
                continue;
            }
            sp->full_now = true;
            return AD_EFULL;
        }
        need = sp->total_bytes + sp->wlen + rec + AD_SPOOL_BLK_HDR + AD_SPOOL_SEG_HDR;
    }
    if (grow(&sp->wbuf, &sp->wcap, sp->wlen + rec + AD_SPOOL_BLK_HDR, 1) != AD_OK)
        return AD_ENOMEM;
    if (sp->wlen == 0) {
        sp->wlen = AD_SPOOL_BLK_HDR;
        sp->wfirst = sp->next_id;
    }
    uint8_t *p = sp->wbuf + sp->wlen;
    ad_spool_put_u32(p, len);
    ad_spool_put_u64(p + 4, generation);
    ad_spool_put_u64(p + 12, seq);
    memcpy(p + AD_SPOOL_REC_HDR, data, len);
    sp->wlen += rec;
    sp->wcount++;
    sp->next_id++;
    sp->last_gen = generation;
    sp->last_seq = seq;
    sp->have_last = true;
    sp->wall_ns = wall_ns;
    return AD_OK;
}

ad_err ad_spool_sync(ad_spool *sp, uint64_t mono_ns)
{
    if (sp->degraded)
        return AD_EIO;
    ad_err err = write_block(sp);
    bool due = sp->o.fsync != AD_SPOOL_FSYNC_INTERVAL ||
               mono_ns - sp->last_fsync_ns >= sp->o.fsync_interval_ns;
    if (err == AD_OK && due) {
        err = fsync_write(sp);
        sp->last_fsync_ns = mono_ns;
    }
    if (err != AD_OK) {
        undo_unreleased(sp);
        return err;
    }
    sp->released_id = sp->next_id - 1;
    sp->rel_gen = sp->last_gen;
    sp->rel_seq = sp->last_seq;
    sp->rel_have = sp->have_last;
    if (sp->wfd >= 0)
        sp->wsynced = sp->segs[sp->nseg - 1].size;
    return AD_OK;
}

/* ---- reader ------------------------------------------------------------------------------ */

static seg *seg_for(ad_spool *sp, uint64_t id, size_t *idx)
{
    for (size_t i = sp->nseg; i-- > 0;) {
        if (sp->segs[i].first_id <= id) {
            *idx = i;
            return &sp->segs[i];
        }
    }
    if (sp->nseg > 0) {
        *idx = 0;
        return &sp->segs[0];
    }
    return NULL;
}

/* Ids skipped by the reader: lost unless start-up already counted them. */
static void reader_gap(ad_spool *sp, const seg *s, uint64_t from, uint64_t to)
{
    uint64_t counted = s != NULL ? s->counted_through : 0;
    if (from <= counted)
        from = counted + 1;
    if (to >= from)
        lost_range(sp, from, to, "damaged block found while reading");
}

ad_err ad_spool_read(ad_spool *sp, const ad_spool_rec **recs, size_t *n)
{
    *n = 0;
    for (;;) {
        if (sp->rnext > sp->released_id)
            return AD_EEMPTY;
        size_t idx;
        seg *s = seg_for(sp, sp->rnext, &idx);
        if (s == NULL)
            return AD_EEMPTY;
        if (s->first_id > sp->rnext)
            sp->rnext = s->first_id; /* dropped or counted at start-up */
        if (sp->rfd < 0 || sp->rseg_first != s->first_id) {
            if (sp->rfd >= 0)
                sp->fs->close(sp->fs->ctx, sp->rfd);
            char path[PATH_CAP];
            seg_path(sp, s->first_id, path, sizeof(path));
            sp->rfd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_READ);
            if (sp->rfd < 0) {
                int e = sp->rfd;
                sp->rfd = -1;
                return disk_error(sp, "segment open for reading", e);
            }
            sp->rseg_first = s->first_id;
            sp->roff = AD_SPOOL_SEG_HDR;
        }
        if (sp->roff >= s->size) {
            if (idx + 1 < sp->nseg) {
                uint64_t next = sp->segs[idx + 1].first_id;
                uint64_t from = sp->rnext > s->gap_through ? sp->rnext : s->gap_through + 1;
                if (from < next)
                    reader_gap(sp, s, from, next - 1);
                sp->rnext = next > sp->rnext ? next : sp->rnext;
                sp->fs->close(sp->fs->ctx, sp->rfd);
                sp->rfd = -1;
                continue;
            }
            return AD_EEMPTY;
        }
        ad_spool_blk_hdr h;
        uint64_t at = sp->roff;
        int r = block_at(sp, sp->rfd, at, s->size, &h);
        if (r == 0) {
            r = block_search(sp, sp->rfd, at + 1, s->size, &at, &h);
            if (sp->rnext > s->counted_through)
                count(sp, AD_EXP_SPOOL_BLOCKS_CORRUPT, 1);
            if (r == 0) {
                sp->roff = s->size;
                continue;
            }
        }
        if (r < 0)
            return disk_error(sp, "read", r);
        uint64_t last = h.first_id + h.count - 1;
        if (last > sp->released_id)
            return AD_EEMPTY;
        sp->roff = at + AD_SPOOL_BLK_HDR + h.stored_len;
        if (last >= s->last_id && sp->roff < s->size && idx + 1 < sp->nseg && last >= sp->rnext) {
            /* A sealed segment's records are complete: what follows them is damage (never
               checked at start-up), counted, though no record is lost. */
            count(sp, AD_EXP_SPOOL_BLOCKS_CORRUPT, 1);
            ad_log_warn("spool %s: %" PRIu64 " damaged bytes after the last record of segment "
                        "%016" PRIx64 " ignored",
                        sp->dir, s->size - sp->roff, s->first_id);
            sp->roff = s->size;
        }
        if (last < sp->rnext)
            continue;
        if (h.first_id > sp->rnext)
            reader_gap(sp, s, sp->rnext, h.first_id - 1);
        size_t skip = h.first_id < sp->rnext ? (size_t)(sp->rnext - h.first_id) : 0;
        *recs = sp->recs + skip;
        *n = h.count - skip;
        sp->rnext = last + 1;
        count(sp, AD_EXP_SPOOL_RECORDS_READ, *n);
        return AD_OK;
    }
}

ad_err ad_spool_ack(ad_spool *sp, uint64_t id)
{
    if (id <= sp->acked_id)
        return AD_OK;
    sp->acked_id = id;
    /* Segments wholly acknowledged go (never the one being written). */
    while (sp->nseg > 0 && sp->segs[0].last_id <= sp->acked_id && !(sp->nseg == 1 && sp->wfd >= 0))
        seg_remove_at(sp, 0);
    if (sp->degraded)
        return AD_OK; /* kept in memory; written once the disk is back */
    return ledger_write(sp, sp->o.fsync == AD_SPOOL_FSYNC_ALWAYS);
}

void ad_spool_expire(ad_spool *sp, uint64_t wall_ns)
{
    if (sp->o.max_age_ns == 0)
        return;
    while (sp->nseg > 0 && sp->segs[0].newest_ns != 0 &&
           sp->segs[0].newest_ns + sp->o.max_age_ns < wall_ns)
        if (!drop_oldest(sp, AD_EXP_RECORDS_LOST_SPOOL_AGE, "older than spool.max_age"))
            break;
}

/* ---- state ------------------------------------------------------------------------------- */

bool ad_spool_degraded(const ad_spool *sp)
{
    return sp->degraded;
}

ad_err ad_spool_recover(ad_spool *sp)
{
    if (!sp->degraded)
        return AD_OK;
    char path[PATH_CAP];
    file_path(sp, PROBE_NAME, path, sizeof(path));
    (void)sp->fs->unlink(sp->fs->ctx, path);
    int fd = sp->fs->open(sp->fs->ctx, path, AD_SPOOL_FS_CREATE);
    if (fd < 0)
        return AD_EIO;
    uint8_t *buf = calloc(1, PROBE_BYTES);
    long w = buf ? sp->fs->pwrite(sp->fs->ctx, fd, buf, PROBE_BYTES, 0) : -ENOMEM;
    int rc = w == (long)PROBE_BYTES ? sp->fs->fsync(sp->fs->ctx, fd) : -EIO;
    free(buf);
    sp->fs->close(sp->fs->ctx, fd);
    (void)sp->fs->unlink(sp->fs->ctx, path);
    if (rc != 0 || finish_cut(sp) != AD_OK)
        return AD_EIO;
    sp->degraded = false;
    if (ledger_write(sp, true) != AD_OK)
        return AD_EIO;
    count(sp, AD_EXP_SPOOL_RECOVERIES, 1);
    ad_log_info("spool %s: disk usable again; spooling resumes", sp->dir);
    return AD_OK;
}

bool ad_spool_has_unread(const ad_spool *sp)
{
    return sp->rnext <= sp->released_id && sp->nseg > 0;
}

uint64_t ad_spool_pending(const ad_spool *sp)
{
    return sp->released_id > sp->acked_id ? sp->released_id - sp->acked_id : 0;
}

uint64_t ad_spool_bytes(const ad_spool *sp)
{
    return sp->total_bytes;
}

uint64_t ad_spool_segments(const ad_spool *sp)
{
    return sp->nseg;
}

uint64_t ad_spool_oldest_ns(const ad_spool *sp)
{
    return ad_spool_pending(sp) > 0 && sp->nseg > 0 ? sp->segs[0].oldest_ns : 0;
}

bool ad_spool_full_now(const ad_spool *sp)
{
    return sp->full_now;
}

void ad_spool_close(ad_spool *sp)
{
    if (sp == NULL)
        return;
    /* A clean stop makes everything durable whatever the policy, and leaves the ledger
       knowing the last id (so damage found at the next start is counted exactly). */
    if (sp->ready && !sp->degraded && sp->ledger_fd >= 0 &&
        ad_spool_sync(sp, UINT64_MAX / 2) == AD_OK && fsync_write(sp) == AD_OK)
        (void)ledger_write(sp, true);
    seg_close_write(sp);
    if (sp->rfd >= 0)
        sp->fs->close(sp->fs->ctx, sp->rfd);
    if (sp->ledger_fd >= 0)
        sp->fs->close(sp->fs->ctx, sp->ledger_fd);
    free(sp->segs);
    free(sp->wbuf);
    free(sp->zbuf);
    free(sp->rstored);
    free(sp->rraw);
    free(sp->recs);
    free(sp);
}

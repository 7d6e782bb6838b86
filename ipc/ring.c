/*
 * asimdns: the portable core of the shared-memory ring (single producer, single consumer,
 * variable-length records). OS specifics live behind ipc/shm.h; the layout in ring_layout.h.
 *
 * ---- Memory-ordering contract ------------------------------------------------------------
 *
 * Positions are byte counts that only grow (u64, never wrap in practice); a record's offset in
 * the area is pos & (capacity - 1). Each side keeps a private copy of its own position and
 * only ever addresses memory from that copy, never from a value read from the other side.
 *
 * (A) Producer publishes records.
 *     capture:  plain stores of record header + payload (+ pad header)
 *               release store  data.last_rec_pos [D-rel], relaxed counters
 *               RELEASE store  data.producer_pos = P'                         [A-rel]
 *               relaxed store  data.next_seq (after: see crash consistency in commit)
 *     exporter: ACQUIRE load   data.producer_pos                             [A-acq]
 *               plain loads of headers/payloads in [read_pos, P)
 *     A-acq pairs with A-rel: every byte of a record below P is visible before the exporter
 *     looks at it.
 *
 * (B) Consumer releases space.
 *     exporter: loads of the records it delivers (or copies)
 *               relaxed store  cursor.committed_seq
 *               RELEASE store  cursor.consumer_pos = C                        [B-rel]
 *     capture:  ACQUIRE load   cursor.consumer_pos (once per refresh)        [B-acq]
 *               plain stores into the area only below C + capacity
 *     B-acq pairs with B-rel: the exporter's reads of a record finish before capture reuses
 *     its bytes. Capture validates the loaded value before using it (see below).
 *
 * (C) Creation. capture initialises every identity field of the cursor, then RELEASE-stores
 *     cursor.magic; then initialises the data header and RELEASE-stores data.magic last. The
 *     exporter and `asimdns status` ACQUIRE-load data.magic (and cursor.magic) before reading
 *     the identity fields; a zero magic means "being created".
 *
 * (D) Where capture confirmably is (resync, damaged producer_pos).
 *     capture:  record bytes, then RELEASE store data.last_rec_pos = start    [D-rel]
 *               (then [A-rel] as above)
 *     exporter: ACQUIRE load data.last_rec_pos [D-acq], then reads that record's header;
 *               its end is a position capture has reached (or reaches before it next reads
 *               the cursor), so the exporter may read up to it and commit it.
 *
 * (E) Everything else (counters, heartbeats, pids, generation_seen, read_pos) is single-writer
 *     and relaxed: readers in other processes may see a slightly stale value, never a torn one.
 *
 * ---- Trust --------------------------------------------------------------------------------
 *
 * Capture treats the cursor object as hostile (the exporter, or anything running as it, can
 * write it): consumer_pos is loaded once into a local, accepted only if it is 8-aligned, not
 * beyond the producer and not behind it by more than the capacity; otherwise cursor_invalid is
 * counted and the ring is treated as full (the record is dropped), never followed. A truncated
 * cursor object reads as zeros (shm fault guard) and is re-mapped at the next heartbeat.
 *
 * The exporter treats the data object as untrusted: each record header is copied to a local
 * once (no double fetch) and validated (type, header check, length <= max payload, record
 * inside the area and before the producer position, sequence increasing). On failure it
 * resynchronises to the producer position and counts the corruption, the skipped bytes and,
 * from the next sequence gap, the records lost. It only ever moves to (and commits) a producer
 * position that capture confirmably reached (the last record ends there): following a damaged
 * producer_pos would publish a cursor beyond capture, which capture must refuse, and the ring
 * would stall.
 */
#include "ipc/ring.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"
#include "common/log.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "ipc/atomics.h"
#include "ipc/ring_internal.h"
#include "ipc/ring_layout.h"
#include "ipc/shm.h"

#define KIND_DATA "data"
#define KIND_CURSOR "cursor"

struct ad_ring_producer {
    /* Hot, private: touched for every record. */
    uint8_t *area;         /* record area (data mapping + header size) */
    ad_ring_data_hdr *hdr; /* data header (ours to write) */
    ad_ring_cursor *cur;   /* cursor page (hostile: only consumer_pos is read) */
    uint64_t capacity;     /* record area bytes */
    uint64_t mask;         /* capacity - 1 */
    uint64_t pos;          /* producer position (published value after each commit) */
    uint64_t seq;          /* sequence for the next record */
    uint64_t cons_cache;   /* last valid consumer position seen, <= pos */
    uint64_t last_rec;     /* start of the last record committed (mirrors the header) */
    uint32_t max_payload;  /* largest payload accepted */
    /* The single outstanding reservation. */
    bool reserved;
    uint64_t res_pad; /* pad bytes before the record (0 or tail to area end) */
    size_t res_len;   /* payload bytes reserved */
    /* Cold. */
    bool cursor_faulted;
    ad__shm data;
    ad__shm cursor;
    char name[AD_RING_NAME_MAX + 1];
    bool global;
    uint64_t hb_interval;  /* promised heartbeat period, stored in the header at attach */
    uint64_t cursor_epoch; /* the cursor's epoch as we last initialised or found it */
    uint64_t generation;   /* the ring's generation (private copy of the header's) */
};

struct ad_ring_consumer {
    const uint8_t *area;
    const ad_ring_data_hdr *hdr; /* read-only mapping */
    ad_ring_cursor *cur;         /* ours to write */
    uint64_t capacity;
    uint64_t mask;
    uint32_t max_payload;
    uint64_t generation;
    uint64_t read_pos;      /* next byte to validate */
    uint64_t committed;     /* last position stored in cursor.consumer_pos */
    uint64_t last_seq;      /* sequence of the last record returned (0: none yet) */
    uint64_t committed_seq; /* sequence of the last record committed */
    uint64_t replay_until;  /* records ending at or before this were read by a predecessor */
    uint64_t bad_prod;      /* last damaged producer_pos read around (counted once) */
    bool bad_prod_set;
    uint64_t stuck_rp;   /* (read position, producer position) at which the last peek */
    uint64_t stuck_prod; /* could not go on: counted once, and wait() does not spin on it */
    uint64_t watch_prod; /* a producer_pos no record vouches for, and the capture heartbeat */
    uint64_t watch_hb;   /* seen with it: trusted once it survives a heartbeat (cons_truth) */
    bool watch_set;
    uint64_t epoch;    /* cursor_epoch at attach: capture re-initialised the page if it moves */
    bool after_resync; /* the next sequence gap is a corruption loss, not a drop */
    bool skip_pending; /* a resync skipped [skip_from, skip_to) behind pending views */
    uint64_t skip_from;
    uint64_t skip_to;
    ad__shm data;
    ad__shm cursor;
    char name[AD_RING_NAME_MAX + 1];
    bool global;
};

/* ---- small helpers ---------------------------------------------------------------------- */

static void ring_msg(char *msg, size_t cap, const char *fmt, ...) AD_PRINTF(3, 4);

static void ring_msg(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (msg == NULL || cap == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

static inline uint64_t align8(uint64_t n)
{
    return (n + (AD_RING_ALIGN - 1)) & ~(uint64_t)(AD_RING_ALIGN - 1);
}

static bool is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Largest payload a ring of this capacity accepts: a record must fit four times. */
static bool payload_fits(uint64_t capacity, uint64_t max_payload)
{
    return max_payload >= 1 && max_payload <= AD_RING_MAX_PAYLOAD_LIMIT &&
           align8(AD_RING_REC_HDR_SIZE + max_payload) <= capacity / 4;
}

/*
 * A heartbeat counts as fresh within stale_ns either side of now: wall clocks can step back,
 * and a live peer must not look dead (or the other way round) because of that.
 */
static bool heartbeat_fresh(uint64_t hb, uint64_t now, uint64_t stale_ns)
{
    uint64_t age = now >= hb ? now - hb : hb - now;
    return hb != 0 && age < stale_ns;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/*
 * A new generation: it only has to differ from the previous ring's, so clocks, pid and an
 * address (ASLR) mixed together are enough; never 0.
 */
static uint64_t new_generation(void)
{
    uint64_t local = 0;
    uint64_t g = splitmix64(ad_time_now_ns() ^ splitmix64(ad_time_mono_ns()) ^
                            (ad__proc_self() << 40) ^ (uint64_t)(uintptr_t)&local);
    return g != 0 ? g : 1;
}

ad_err ad_ring_name_check(const char *name)
{
    size_t n;
    if (name == NULL) {
        return AD_EINVAL;
    }
    n = strlen(name);
    if (n == 0 || n > AD_RING_NAME_MAX || name[0] == '.' || name[0] == '-') {
        return AD_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        if (!ok) {
            return AD_EINVAL;
        }
    }
    return AD_OK;
}

#define AD__RING_NAME_CAPTURE(id, name) [AD_CAP_##id] = name,
#define AD__RING_NAME_EXPORTER(id, name) [AD_EXP_##id] = name,
static const char *const capture_counter_names[AD_CAP__COUNT] = {
    AD_CAPTURE_COUNTERS(AD__RING_NAME_CAPTURE)};
static const char *const exporter_counter_names[AD_EXP__COUNT] = {
    AD_EXPORTER_COUNTERS(AD__RING_NAME_EXPORTER)};

_Static_assert(AD_CAP__COUNT <= AD_RING_COUNTER_SLOTS, "too many capture counters");
_Static_assert(AD_EXP__COUNT <= AD_RING_COUNTER_SLOTS, "too many exporter counters");

const char *ad_capture_counter_name(unsigned idx)
{
    return idx < AD_CAP__COUNT ? capture_counter_names[idx] : NULL;
}

const char *ad_exporter_counter_name(unsigned idx)
{
    return idx < AD_EXP__COUNT ? exporter_counter_names[idx] : NULL;
}

void ad_ring_config_init(ad_ring_config *cfg, const char *name)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->name = name;
    cfg->capacity = AD_RING_DEFAULT_CAPACITY;
    cfg->max_payload = AD_RECORD_MAX_SIZE;
    cfg->data_mode = AD_RING_DEFAULT_DATA_MODE;
    cfg->cursor_mode = AD_RING_DEFAULT_CURSOR_MODE;
    cfg->global_namespace = true;
    cfg->stale_ns = AD_RING_DEFAULT_STALE_NS;
    cfg->heartbeat_interval_ns = AD_RING_DEFAULT_HEARTBEAT_NS;
}

void ad_ring_consumer_config_init(ad_ring_consumer_config *cfg, const char *name)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->name = name;
    cfg->global_namespace = true;
    cfg->stale_ns = AD_RING_DEFAULT_STALE_NS;
    cfg->heartbeat_interval_ns = AD_RING_DEFAULT_HEARTBEAT_NS;
}

ad_err ad_ring_unlink(const char *name, bool global_namespace)
{
    ad_err e1, e2;
    if (ad_ring_name_check(name) != AD_OK) {
        return AD_EINVAL;
    }
    e1 = ad__shm_unlink(name, KIND_DATA, global_namespace);
    e2 = ad__shm_unlink(name, KIND_CURSOR, global_namespace);
    return e1 != AD_OK ? e1 : e2;
}

/* ---- header validation (shared with ring_status.c) --------------------------------------- */

ad_err ad__ring_check_data(const ad_ring_data_hdr *h, size_t mapped, bool whole, const char *name,
                           char *msg, size_t msgcap)
{
    uint64_t magic = ad_atomic_load_acquire(&h->magic); /* [C] pairs with the creation release */
    if (mapped < AD_RING_HEADER_SIZE) {
        ring_msg(msg, msgcap, "ring %s: data object is only %llu bytes", name,
                 (unsigned long long)mapped);
        return AD_ECORRUPT;
    }
    if (magic == 0) {
        ring_msg(msg, msgcap, "ring %s is still being created; try again", name);
        return AD_ENOENT;
    }
    if (magic != AD_RING_MAGIC) {
        ring_msg(msg, msgcap, "ring %s: data object is not an asimdns ring (magic %016llx)", name,
                 (unsigned long long)magic);
        return AD_EVERSION;
    }
    if (h->layout_version != AD_RING_LAYOUT_VERSION || h->header_size != AD_RING_HEADER_SIZE ||
        h->rec_hdr_size != AD_RING_REC_HDR_SIZE) {
        ring_msg(msg, msgcap,
                 "ring %s has layout version %u (header %u, record header %u); this build "
                 "understands layout version %u: restart capture with a recreated ring or run "
                 "matching versions",
                 name, h->layout_version, h->header_size, h->rec_hdr_size, AD_RING_LAYOUT_VERSION);
        return AD_EVERSION;
    }
    if (!is_pow2(h->capacity) || h->capacity < AD_RING_MIN_CAPACITY ||
        h->capacity > AD_RING_MAX_CAPACITY || !payload_fits(h->capacity, h->max_payload)) {
        ring_msg(msg, msgcap, "ring %s: impossible capacity %llu / max payload %u in header", name,
                 (unsigned long long)h->capacity, h->max_payload);
        return AD_ECORRUPT;
    }
    if (whole && mapped != AD_RING_HEADER_SIZE + h->capacity) {
        ring_msg(msg, msgcap,
                 "ring %s: data object is %llu bytes but its header says %u + %llu: refusing it",
                 name, (unsigned long long)mapped, AD_RING_HEADER_SIZE,
                 (unsigned long long)h->capacity);
        return AD_ECORRUPT;
    }
    return AD_OK;
}

/* ---- producer ----------------------------------------------------------------------------- */

static void prod_count(ad_ring_producer *p, ad_capture_counter c, uint64_t n)
{
    ad_atomic_add_relaxed(&p->hdr->counters[c], n);
}

/* A consumer position capture may use: aligned, not ahead of us, not more than a ring behind. */
static inline bool cursor_plausible(uint64_t c, uint64_t pos, uint64_t capacity)
{
    return (c & (AD_RING_ALIGN - 1)) == 0 && c <= pos && pos - c <= capacity;
}

/*
 * True when need bytes fit after pos. Uses the cached consumer position first and reloads it
 * (once, acquire [B-acq]) only when the ring looks full, so a streaming producer does not pull
 * the consumer's cache line for every record.
 */
static inline bool prod_room(ad_ring_producer *p, uint64_t need)
{
    uint64_t c;
    if (AD_LIKELY(p->pos + need - p->cons_cache <= p->capacity)) {
        return true;
    }
    c = ad_atomic_load_acquire(&p->cur->consumer_pos);
    if (AD_UNLIKELY(!cursor_plausible(c, p->pos, p->capacity))) {
        prod_count(p, AD_CAP_CURSOR_INVALID, 1);
        return false;
    }
    /* Taken as is, also when smaller than the cache: a consumer going back only makes the
       ring look fuller, which is the conservative direction. */
    p->cons_cache = c;
    return p->pos + need - c <= p->capacity;
}

/* Space a record of len payload bytes needs at the current position (pad included). */
static inline uint64_t prod_need(const ad_ring_producer *p, uint64_t total, uint64_t *pad)
{
    uint64_t tail = p->capacity - (p->pos & p->mask);
    if (total <= tail) {
        *pad = 0;
        return total;
    }
    *pad = tail;
    return tail + total;
}

static void prod_consume_seq(ad_ring_producer *p, uint64_t *seq)
{
    *seq = p->seq++;
    ad_atomic_store_relaxed(&p->hdr->next_seq, p->seq);
}

static ad_err prod_reserve(ad_ring_producer *p, size_t len, void **payload, uint64_t *seq,
                           bool drop)
{
    uint64_t total, need, pad;
    if (AD_UNLIKELY(p->reserved)) {
        ad_ring_producer_cancel(p); /* a caller bug; never leave a half-built record */
    }
    if (AD_UNLIKELY(len > p->max_payload)) {
        prod_consume_seq(p, seq);
        prod_count(p, AD_CAP_DROPPED_TOO_LARGE, 1);
        return AD_ERANGE;
    }
    total = align8(AD_RING_REC_HDR_SIZE + (uint64_t)len);
    need = prod_need(p, total, &pad);
    if (AD_UNLIKELY(!prod_room(p, need))) {
        if (!drop) {
            *seq = p->seq;
            return AD_EFULL;
        }
        prod_consume_seq(p, seq);
        prod_count(p, AD_CAP_DROPPED_RING_FULL, 1);
        return AD_EFULL;
    }
    p->reserved = true;
    p->res_pad = pad;
    p->res_len = len;
    *seq = p->seq;
    *payload = p->area + (pad != 0 ? 0 : (p->pos & p->mask)) + AD_RING_REC_HDR_SIZE;
    return AD_OK;
}

ad_err ad_ring_producer_reserve(ad_ring_producer *p, size_t len, void **payload, uint64_t *seq)
{
    return prod_reserve(p, len, payload, seq, true);
}

ad_err ad_ring_producer_try_reserve(ad_ring_producer *p, size_t len, void **payload, uint64_t *seq)
{
    return prod_reserve(p, len, payload, seq, false);
}

void ad_ring_producer_commit(ad_ring_producer *p, size_t len)
{
    ad_ring_rec_hdr h;
    uint64_t off;
    if (AD_UNLIKELY(!p->reserved)) {
        return;
    }
    if (AD_UNLIKELY(len > p->res_len)) {
        len = p->res_len; /* a caller bug; never publish bytes we did not reserve */
    }
    off = p->pos & p->mask;
    if (p->res_pad != 0) {
        /* Only the first 8 bytes of a pad are defined: the tail may be exactly 8 bytes. */
        h.len = (uint32_t)(p->res_pad - AD_RING_PAD_HDR_SIZE);
        h.type = AD_RING_REC_PAD;
        h.check = ad_ring_rec_check(h.len, AD_RING_REC_PAD, 0);
        memcpy(p->area + off, &h, AD_RING_PAD_HDR_SIZE);
        off = 0;
    }
    h.len = (uint32_t)len;
    h.type = AD_RING_REC_DATA;
    h.seq = p->seq;
    h.check = ad_ring_rec_check(h.len, AD_RING_REC_DATA, h.seq);
    memcpy(p->area + off, &h, AD_RING_REC_HDR_SIZE);

    /*
     * Crash consistency (capture can die between any two stores): last_rec_pos goes out with
     * the record, next_seq only after the publication. If we die before the release, the
     * record and last_rec_pos (>= producer_pos) are ignored and next_seq is still right; if we
     * die after it, re-attach reads the sequence back from the record at last_rec_pos. The
     * sequence therefore neither repeats nor skips across a crash.
     */
    p->last_rec = p->pos + p->res_pad;
    ad_atomic_store_release(&p->hdr->last_rec_pos, p->last_rec); /* [D-rel] */
    p->pos += p->res_pad + align8(AD_RING_REC_HDR_SIZE + (uint64_t)len);
    p->seq++;
    p->reserved = false;
    prod_count(p, AD_CAP_RECORDS_WRITTEN, 1);
    prod_count(p, AD_CAP_BYTES_WRITTEN, len);
    ad_atomic_store_release(&p->hdr->producer_pos, p->pos); /* [A-rel] */
    ad_atomic_store_relaxed(&p->hdr->next_seq, p->seq);
}

void ad_ring_producer_cancel(ad_ring_producer *p)
{
    p->reserved = false;
}

ad_err ad_ring_producer_write(ad_ring_producer *p, const void *data, size_t len, uint64_t *seq)
{
    void *dst;
    ad_err err = prod_reserve(p, len, &dst, seq, true);
    if (err != AD_OK) {
        return err;
    }
    if (len != 0) {
        memcpy(dst, data, len);
    }
    ad_ring_producer_commit(p, len);
    return AD_OK;
}

bool ad_ring_producer_has_room(ad_ring_producer *p, size_t len)
{
    uint64_t pad;
    if (len > p->max_payload) {
        return false;
    }
    return prod_room(p, prod_need(p, align8(AD_RING_REC_HDR_SIZE + (uint64_t)len), &pad));
}

static void prod_check_cursor(ad_ring_producer *p);

/*
 * The data header's identity words are written once, at creation; if something damaged them
 * the exporter (and `asimdns status`) would refuse the ring as "not an asimdns ring" or "other
 * layout" until capture restarted. We own them: write them again from our private copies.
 */
static void prod_check_header(ad_ring_producer *p)
{
    ad_ring_data_hdr *h = p->hdr;
    if (ad_atomic_load_relaxed(&h->magic) == AD_RING_MAGIC &&
        h->layout_version == AD_RING_LAYOUT_VERSION && h->header_size == AD_RING_HEADER_SIZE &&
        h->capacity == p->capacity && h->max_payload == p->max_payload &&
        h->rec_hdr_size == AD_RING_REC_HDR_SIZE && h->generation == p->generation) {
        return;
    }
    ad_atomic_store_relaxed(&h->magic, 0); /* [C]: "being created" while we rewrite */
    h->layout_version = AD_RING_LAYOUT_VERSION;
    h->header_size = AD_RING_HEADER_SIZE;
    h->capacity = p->capacity;
    h->max_payload = p->max_payload;
    h->rec_hdr_size = AD_RING_REC_HDR_SIZE;
    h->generation = p->generation;
    ad_atomic_store_release(&h->magic, AD_RING_MAGIC);
    prod_count(p, AD_CAP_HEADER_REPAIRS, 1);
    ad_log_warn("ring %s: the data header's identity words were damaged; wrote them again",
                p->name);
}

void ad_ring_producer_heartbeat(ad_ring_producer *p, uint64_t now_ns)
{
    /* The last interval for `asimdns status --check` (ring_layout.h gives the store order). */
    ad_atomic_store_relaxed(&p->hdr->prev_heartbeat_ns,
                            ad_atomic_load_relaxed(&p->hdr->interval_end_ns));
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        ad_atomic_store_relaxed(&p->hdr->interval_base[i],
                                ad_atomic_load_relaxed(&p->hdr->interval_end[i]));
    }
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        ad_atomic_store_relaxed(&p->hdr->interval_end[i],
                                ad_atomic_load_relaxed(&p->hdr->counters[i]));
    }
    ad_atomic_store_relaxed(&p->hdr->interval_end_ns, now_ns);
    /*
     * Publish our words again from the private copies: if something damaged them while the
     * ring was full (so no commit rewrote them), the exporter could otherwise not confirm
     * where we are and both sides would wait for each other. Before the heartbeat, which is
     * stored with release: an exporter that acquires a new heartbeat value sees these
     * republished words (or later ones), which is how it tells our truth from a scribble.
     */
    if (!p->reserved) {
        ad_atomic_store_release(&p->hdr->last_rec_pos, p->last_rec);
        ad_atomic_store_release(&p->hdr->producer_pos, p->pos);
        ad_atomic_store_relaxed(&p->hdr->next_seq, p->seq);
    }
    prod_check_header(p);
    ad_atomic_store_release(&p->hdr->heartbeat_ns, now_ns);
    prod_check_cursor(p);
}

static void cursor_init(ad_ring_cursor *cur, uint64_t generation, uint64_t consumer_pos,
                        uint64_t committed_seq, uint64_t epoch);

/*
 * Once per heartbeat: is the cursor object still one we can hand to an exporter? A truncated
 * object is given its size back (we own it and hold it open read-write) and mapped again; a
 * page whose identity words are no longer ours (truncated and restored, scribbled) is
 * initialised again at the last consumer position we validated, with a new epoch, so that an
 * honest exporter can attach (and an attached one re-attaches) without a capture restart.
 */
static void prod_check_cursor(ad_ring_producer *p)
{
    ad_ring_cursor *cur = p->cur;
    if (ad__shm_faulted(&p->cursor)) {
        if (!p->cursor_faulted) {
            p->cursor_faulted = true;
            prod_count(p, AD_CAP_CURSOR_FAULTS, 1);
            ad_log_warn("ring %s: the cursor object was truncated under capture; restoring it",
                        p->name);
        }
        if (ad__shm_repair(&p->cursor) != AD_OK &&
            (ad__shm_restore_size(&p->cursor) != AD_OK || ad__shm_repair(&p->cursor) != AD_OK)) {
            return; /* still reading zeros; try again at the next heartbeat */
        }
        p->cursor_faulted = false;
        ad_log_info("ring %s: cursor object restored and mapped again", p->name);
    }
    if (ad_atomic_load_acquire(&cur->magic) == AD_RING_CURSOR_MAGIC &&
        cur->layout_version == AD_RING_LAYOUT_VERSION && cur->size == AD_RING_CURSOR_SIZE &&
        cur->generation == p->hdr->generation &&
        ad_atomic_load_relaxed(&cur->cursor_epoch) == p->cursor_epoch) {
        /* Keep the consumer position we would re-initialise at no older than a heartbeat:
           a re-initialised page then costs at most that much re-delivery. */
        uint64_t c = ad_atomic_load_acquire(&cur->consumer_pos); /* [B-acq] */
        if (cursor_plausible(c, p->pos, p->capacity)) {
            p->cons_cache = c;
        }
        return;
    }
    p->cursor_epoch++;
    cursor_init(cur, p->hdr->generation, p->cons_cache, 0, p->cursor_epoch);
    prod_count(p, AD_CAP_CURSOR_REINITS, 1);
    ad_log_warn("ring %s: the cursor object no longer belonged to this ring (truncated, or "
                "overwritten); initialised it again (epoch %llu) at consumer position %llu",
                p->name, (unsigned long long)p->cursor_epoch, (unsigned long long)p->cons_cache);
}

void ad_ring_producer_counter_add(ad_ring_producer *p, ad_capture_counter c, uint64_t n)
{
    if ((unsigned)c < AD_CAP__COUNT) {
        prod_count(p, c, n);
    }
}

void ad_ring_producer_counter_set(ad_ring_producer *p, ad_capture_counter c, uint64_t v)
{
    if ((unsigned)c < AD_CAP__COUNT) {
        ad_atomic_store_relaxed(&p->hdr->counters[c], v);
    }
}

uint64_t ad_ring_producer_counter_get(const ad_ring_producer *p, ad_capture_counter c)
{
    return (unsigned)c < AD_CAP__COUNT ? ad_atomic_load_relaxed(&p->hdr->counters[c]) : 0;
}

void ad_ring_producer_decode_error(ad_ring_producer *p, uint16_t event_id, uint8_t version)
{
    uint64_t key = AD_RING_DECODE_KEY(event_id, version);
    ad_ring_decode_slot *tab = p->hdr->decode_errors;
    ad_ring_decode_slot *slot = &tab[AD_RING_DECODE_SLOTS - 1];
    for (unsigned i = 0; i + 1 < AD_RING_DECODE_SLOTS; i++) {
        uint64_t k = ad_atomic_load_relaxed(&tab[i].key);
        if (k == key) {
            slot = &tab[i];
            break;
        }
        if (k == 0) {
            ad_atomic_store_relaxed(&tab[i].key, key);
            slot = &tab[i];
            break;
        }
    }
    if (slot == &tab[AD_RING_DECODE_SLOTS - 1]) {
        ad_atomic_store_relaxed(&slot->key, AD_RING_DECODE_KEY_OTHER);
    }
    ad_atomic_add_relaxed(&slot->count, 1);
    prod_count(p, AD_CAP_DECODE_ERRORS, 1);
}

uint64_t ad_ring_producer_generation(const ad_ring_producer *p)
{
    return p->generation;
}

uint64_t ad_ring_producer_next_seq(const ad_ring_producer *p)
{
    return p->seq;
}

uint64_t ad_ring_producer_position(const ad_ring_producer *p)
{
    return p->pos;
}

uint64_t ad_ring_producer_capacity(const ad_ring_producer *p)
{
    return p->capacity;
}

uint32_t ad_ring_producer_max_payload(const ad_ring_producer *p)
{
    return p->max_payload;
}

/* ---- producer open ------------------------------------------------------------------------ */

static ad_err prod_config_check(const ad_ring_config *cfg, char *msg, size_t msgcap)
{
    if (ad_ring_name_check(cfg->name) != AD_OK) {
        ring_msg(msg, msgcap,
                 "ring name \"%s\" is invalid: use 1-%d characters from A-Z a-z 0-9 . _ -",
                 cfg->name != NULL ? cfg->name : "(null)", AD_RING_NAME_MAX);
        return AD_EINVAL;
    }
    if (!is_pow2(cfg->capacity) || cfg->capacity < AD_RING_MIN_CAPACITY ||
        cfg->capacity > AD_RING_MAX_CAPACITY) {
        ring_msg(msg, msgcap, "ring capacity %llu is not a power of two between %llu and %llu",
                 (unsigned long long)cfg->capacity, AD_RING_MIN_CAPACITY, AD_RING_MAX_CAPACITY);
        return AD_EINVAL;
    }
    if (!payload_fits(cfg->capacity, cfg->max_payload)) {
        ring_msg(msg, msgcap,
                 "ring max record payload %u is out of range (1..%u, and a record must fit four "
                 "times in the capacity %llu)",
                 cfg->max_payload, AD_RING_MAX_PAYLOAD_LIMIT, (unsigned long long)cfg->capacity);
        return AD_EINVAL;
    }
    if ((cfg->data_mode & ~0777u) != 0 || (cfg->data_mode & 0022u) != 0 ||
        (cfg->data_mode & 0600u) != 0600u) {
        ring_msg(msg, msgcap,
                 "ring data mode %04o is not allowed: the owner needs rw and nobody else may "
                 "write the data object (e.g. 0640)",
                 cfg->data_mode);
        return AD_EINVAL;
    }
    if ((cfg->cursor_mode & ~0777u) != 0 || (cfg->cursor_mode & 0600u) != 0600u ||
        (cfg->cursor_mode & 0002u) != 0) {
        ring_msg(msg, msgcap,
                 "ring cursor mode %04o is not allowed: the owner needs rw and others no write "
                 "(e.g. 0660)",
                 cfg->cursor_mode);
        return AD_EINVAL;
    }
    return AD_OK;
}

static void prod_perm(const ad_ring_config *cfg, bool cursor, ad__shm_perm *perm)
{
    memset(perm, 0, sizeof(*perm));
    perm->owner = cfg->owner;
    perm->group = cfg->group;
    perm->mode = cursor ? cfg->cursor_mode : cfg->data_mode;
    perm->peer_account = cfg->exporter_account;
    perm->peer_write = cursor;
}

static void cursor_init(ad_ring_cursor *cur, uint64_t generation, uint64_t consumer_pos,
                        uint64_t committed_seq, uint64_t epoch)
{
    ad_atomic_store_relaxed(&cur->magic, 0); /* [C]: "being created" while the rest is reset */
    memset((uint8_t *)cur + sizeof(cur->magic), 0, sizeof(*cur) - sizeof(cur->magic));
    cur->layout_version = AD_RING_LAYOUT_VERSION;
    cur->size = AD_RING_CURSOR_SIZE;
    cur->generation = generation;
    ad_atomic_store_relaxed(&cur->cursor_epoch, epoch);
    ad_atomic_store_relaxed(&cur->consumer_pos, consumer_pos);
    ad_atomic_store_relaxed(&cur->read_pos, consumer_pos);
    ad_atomic_store_relaxed(&cur->committed_seq, committed_seq);
    ad_atomic_store_release(&cur->magic, AD_RING_CURSOR_MAGIC); /* [C] */
}

/* Creates the cursor object; a stale one of ours (or, if allowed, anyone's) is replaced. */
static ad_err prod_create_cursor(ad_ring_producer *p, const ad_ring_config *cfg, char *msg,
                                 size_t msgcap)
{
    ad__shm_perm perm;
    ad_err err;
    prod_perm(cfg, true, &perm);
    err = ad__shm_create(cfg->name, KIND_CURSOR, cfg->global_namespace, AD_RING_CURSOR_SIZE, &perm,
                         &p->cursor, msg, msgcap);
    if (err != AD_EEXIST) {
        return err;
    }
    /* A cursor without its data object: left over, or planted. Only ours may go quietly. */
    ad__shm old;
    ad__shm_expect exp = {.owner = cfg->owner != NULL ? cfg->owner : ""};
    err =
        ad__shm_open(cfg->name, KIND_CURSOR, cfg->global_namespace, false, &exp, &old, msg, msgcap);
    if (err == AD_OK) {
        ad__shm_close(&old);
    } else if (err != AD_EPERM || !cfg->recreate_on_mismatch) {
        return err;
    }
    if (ad__shm_unlink(cfg->name, KIND_CURSOR, cfg->global_namespace) != AD_OK) {
        ring_msg(msg, msgcap, "ring %s: cannot remove the stale cursor object", cfg->name);
        return AD_EPERM;
    }
    ad_log_warn("ring %s: replaced a stale cursor object", cfg->name);
    return ad__shm_create(cfg->name, KIND_CURSOR, cfg->global_namespace, AD_RING_CURSOR_SIZE, &perm,
                          &p->cursor, msg, msgcap);
}

static void prod_bind(ad_ring_producer *p)
{
    p->hdr = (ad_ring_data_hdr *)p->data.addr;
    p->generation = p->hdr->generation;
    p->area = (uint8_t *)p->data.addr + AD_RING_HEADER_SIZE;
    p->cur = (ad_ring_cursor *)p->cursor.addr;
}

static void prod_stamp_attach(ad_ring_producer *p)
{
    uint64_t now = ad_time_now_ns();
    ad_atomic_store_relaxed(&p->hdr->capture_pid, ad__proc_self());
    ad_atomic_store_relaxed(&p->hdr->start_ns, now);
    ad_atomic_store_relaxed(&p->hdr->heartbeat_ns, now);
    ad_atomic_store_relaxed(&p->hdr->heartbeat_interval_ns, p->hb_interval);
    ad_atomic_add_relaxed(&p->hdr->attaches, 1);
}

static ad_err prod_create(ad_ring_producer *p, const ad_ring_config *cfg, char *msg, size_t msgcap)
{
    ad_ring_data_hdr *h;
    uint64_t gen = new_generation();
    ad_err err = prod_create_cursor(p, cfg, msg, msgcap);
    if (err != AD_OK) {
        ad__shm_close(&p->data);
        ad__shm_unlink(cfg->name, KIND_DATA, cfg->global_namespace);
        return err;
    }
    prod_bind(p);
    p->cursor_epoch = 1;
    cursor_init(p->cur, gen, 0, 0, p->cursor_epoch);

    h = p->hdr; /* fresh object: all zero */
    h->layout_version = AD_RING_LAYOUT_VERSION;
    h->header_size = AD_RING_HEADER_SIZE;
    h->capacity = cfg->capacity;
    h->max_payload = cfg->max_payload;
    h->rec_hdr_size = AD_RING_REC_HDR_SIZE;
    h->generation = gen;
    p->generation = gen;
    h->created_ns = ad_time_now_ns();
    ad_atomic_store_relaxed(&h->producer_pos, 0);
    ad_atomic_store_relaxed(&h->next_seq, 1);
    prod_stamp_attach(p);
    ad_atomic_store_release(&h->magic, AD_RING_MAGIC); /* [C] */

    p->pos = 0;
    p->seq = 1;
    p->cons_cache = 0;
    ad_log_info("ring %s: created (capacity %llu, max payload %u, generation %016llx)", cfg->name,
                (unsigned long long)cfg->capacity, cfg->max_payload, (unsigned long long)gen);
    return AD_OK;
}

/*
 * The sequence to continue with after a crash: a record published just before capture died
 * may not have advanced next_seq yet (see commit); its header at last_rec_pos tells.
 */
static uint64_t prod_recover_seq(const ad_ring_data_hdr *h, const uint8_t *area, uint64_t pos,
                                 uint64_t seq)
{
    uint64_t last = ad_atomic_load_relaxed(&h->last_rec_pos);
    uint64_t off = last & (h->capacity - 1);
    ad_ring_rec_hdr r;
    if (last >= pos || pos - last > h->capacity || (last & (AD_RING_ALIGN - 1)) != 0 ||
        h->capacity - off < AD_RING_REC_HDR_SIZE) {
        return seq; /* the last commit did not publish (or nothing was ever written) */
    }
    memcpy(&r, area + off, sizeof(r));
    if (r.type != AD_RING_REC_DATA || r.check != ad_ring_rec_check(r.len, r.type, r.seq) ||
        last + align8(AD_RING_REC_HDR_SIZE + (uint64_t)r.len) != pos) {
        return seq;
    }
    return r.seq + 1 > seq ? r.seq + 1 : seq;
}

/* Re-attach to our existing ring: AD_EVERSION/AD_ECORRUPT mean "mismatch" to the caller. */
static ad_err prod_attach(ad_ring_producer *p, const ad_ring_config *cfg, char *msg, size_t msgcap)
{
    ad_ring_data_hdr *h = (ad_ring_data_hdr *)p->data.addr;
    ad__shm_perm perm;
    uint64_t pos, seq, pid, cons;
    ad_err err;

    err = ad__ring_check_data(h, p->data.size, true, cfg->name, msg, msgcap);
    if (err != AD_OK) {
        return err == AD_ENOENT ? AD_ECORRUPT : err; /* a zero magic on an old object: junk */
    }
    if (h->capacity != cfg->capacity || h->max_payload != cfg->max_payload) {
        ring_msg(msg, msgcap,
                 "ring %s exists with capacity %llu and max payload %u, but the configuration "
                 "asks for %llu and %u: set recreate to replace it (its records are lost)",
                 cfg->name, (unsigned long long)h->capacity, h->max_payload,
                 (unsigned long long)cfg->capacity, cfg->max_payload);
        return AD_EVERSION;
    }
    pos = ad_atomic_load_relaxed(&h->producer_pos);
    seq = ad_atomic_load_relaxed(&h->next_seq);
    if ((pos & (AD_RING_ALIGN - 1)) != 0 || seq == 0) {
        ring_msg(msg, msgcap, "ring %s: producer position %llu / next sequence %llu are corrupt",
                 cfg->name, (unsigned long long)pos, (unsigned long long)seq);
        return AD_ECORRUPT;
    }
    seq = prod_recover_seq(h, (const uint8_t *)p->data.addr + AD_RING_HEADER_SIZE, pos, seq);
    pid = ad_atomic_load_relaxed(&h->capture_pid);
    if (pid != 0 && pid != ad__proc_self() && ad__proc_alive(pid)) {
        uint64_t hb = ad_atomic_load_relaxed(&h->heartbeat_ns);
        uint64_t now = ad_time_now_ns();
        if (heartbeat_fresh(hb, now, cfg->stale_ns)) {
            ring_msg(msg, msgcap,
                     "ring %s is in use by capture pid %llu (heartbeat %.1f s ago): refusing a "
                     "second producer",
                     cfg->name, (unsigned long long)pid, (double)(int64_t)(now - hb) / 1e9);
            return AD_EEXIST;
        }
    }

    prod_perm(cfg, false, &perm);
    if ((err = ad__shm_apply_perm(&p->data, &perm, msg, msgcap)) != AD_OK) {
        return err;
    }
    ad__shm_expect exp = {.owner = cfg->owner != NULL ? cfg->owner : "",
                          .max_map = AD_RING_CURSOR_SIZE};
    err = ad__shm_open(cfg->name, KIND_CURSOR, cfg->global_namespace, true, &exp, &p->cursor, msg,
                       msgcap);
    if (err == AD_OK && p->cursor.size < AD_RING_CURSOR_SIZE) {
        ad__shm_close(&p->cursor);
        err = AD_ECORRUPT;
    }
    if (err == AD_ENOENT || err == AD_ECORRUPT || (err == AD_EPERM && cfg->recreate_on_mismatch)) {
        /* The exporter's position is unknown: it starts at the producer (counted as loss). */
        ad__shm_unlink(cfg->name, KIND_CURSOR, cfg->global_namespace);
        prod_perm(cfg, true, &perm);
        err = ad__shm_create(cfg->name, KIND_CURSOR, cfg->global_namespace, AD_RING_CURSOR_SIZE,
                             &perm, &p->cursor, msg, msgcap);
        if (err != AD_OK) {
            return err;
        }
        cursor_init((ad_ring_cursor *)p->cursor.addr, h->generation, pos, seq - 1, 1);
        ad_log_warn("ring %s: cursor object was missing or unusable; recreated at the producer "
                    "position (unread records, if any, are skipped)",
                    cfg->name);
    } else if (err != AD_OK) {
        return err;
    } else {
        prod_perm(cfg, true, &perm);
        if ((err = ad__shm_apply_perm(&p->cursor, &perm, msg, msgcap)) != AD_OK) {
            return err;
        }
    }
    prod_bind(p);

    /* The cursor's identity words are ours; the exporter may have scribbled on them. */
    if (ad_atomic_load_acquire(&p->cur->magic) != AD_RING_CURSOR_MAGIC ||
        p->cur->layout_version != AD_RING_LAYOUT_VERSION || p->cur->size != AD_RING_CURSOR_SIZE ||
        p->cur->generation != h->generation) {
        p->cur->layout_version = AD_RING_LAYOUT_VERSION;
        p->cur->size = AD_RING_CURSOR_SIZE;
        p->cur->generation = h->generation;
        ad_atomic_store_release(&p->cur->magic, AD_RING_CURSOR_MAGIC);
    }
    /* Adopt the epoch the page carries (0 from an older build): the heartbeat's check then
       only fires when someone changes the page under us. */
    p->cursor_epoch = ad_atomic_load_relaxed(&p->cur->cursor_epoch);

    p->pos = pos;
    p->seq = seq;
    p->last_rec = ad_atomic_load_relaxed(&h->last_rec_pos);
    cons = ad_atomic_load_acquire(&p->cur->consumer_pos);
    if (cursor_plausible(cons, pos, cfg->capacity)) {
        p->cons_cache = cons;
    } else {
        prod_count(p, AD_CAP_CURSOR_INVALID, 1);
        p->cons_cache = pos >= cfg->capacity ? pos - cfg->capacity : 0; /* "full" */
    }
    prod_stamp_attach(p);
    ad_log_info("ring %s: re-attached (position %llu, next sequence %llu, generation %016llx)",
                cfg->name, (unsigned long long)pos, (unsigned long long)seq,
                (unsigned long long)h->generation);
    return AD_OK;
}

ad_err ad_ring_producer_open(const ad_ring_config *cfg, ad_ring_producer **out, char *msg,
                             size_t msgcap)
{
    ad_ring_producer *p;
    ad__shm_perm perm;
    size_t size;
    ad_err err;

    ring_msg(msg, msgcap, "ok");
    *out = NULL;
    if ((err = prod_config_check(cfg, msg, msgcap)) != AD_OK) {
        return err;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        ring_msg(msg, msgcap, "out of memory");
        return AD_ENOMEM;
    }
    p->capacity = cfg->capacity;
    p->mask = cfg->capacity - 1;
    p->max_payload = cfg->max_payload;
    p->global = cfg->global_namespace;
    p->hb_interval =
        cfg->heartbeat_interval_ns != 0 ? cfg->heartbeat_interval_ns : AD_RING_DEFAULT_HEARTBEAT_NS;
    snprintf(p->name, sizeof(p->name), "%s", cfg->name);
    p->data.guard = p->cursor.guard = -1;
    size = (size_t)(AD_RING_HEADER_SIZE + cfg->capacity);
    prod_perm(cfg, false, &perm);

    for (int attempt = 0; attempt < 2; attempt++) {
        err = ad__shm_create(cfg->name, KIND_DATA, cfg->global_namespace, size, &perm, &p->data,
                             msg, msgcap);
        if (err == AD_OK) {
            err = prod_create(p, cfg, msg, msgcap);
            break;
        }
        if (err != AD_EEXIST) {
            break;
        }
        ad__shm_expect exp = {.owner = cfg->owner != NULL ? cfg->owner : ""};
        err = ad__shm_open(cfg->name, KIND_DATA, cfg->global_namespace, true, &exp, &p->data, msg,
                           msgcap);
        if (err == AD_OK) {
            err = prod_attach(p, cfg, msg, msgcap);
            if (err == AD_OK) {
                break;
            }
            ad__shm_close(&p->cursor);
            ad__shm_close(&p->data);
        }
        bool mismatch = err == AD_EVERSION || err == AD_ECORRUPT || err == AD_EPERM;
        if (!mismatch || !cfg->recreate_on_mismatch || attempt > 0) {
            break;
        }
        ad_log_warn("ring %s: replacing the existing objects (%s)", cfg->name,
                    msg != NULL ? msg : ad_strerror(err));
        if (ad_ring_unlink(cfg->name, cfg->global_namespace) != AD_OK) {
            ring_msg(msg, msgcap,
                     "ring %s: cannot remove the existing objects to recreate them (only their "
                     "owner or root can)",
                     cfg->name);
            err = AD_EPERM;
            break;
        }
    }
    if (err != AD_OK) {
        ad__shm_close(&p->cursor);
        ad__shm_close(&p->data);
        free(p);
        return err;
    }
    ring_msg(msg, msgcap, "ok");
    *out = p;
    return AD_OK;
}

void ad_ring_producer_close(ad_ring_producer *p)
{
    if (p == NULL) {
        return;
    }
    if (p->hdr != NULL) {
        ad_atomic_store_relaxed(&p->hdr->heartbeat_ns, ad_time_now_ns());
        ad_atomic_store_relaxed(&p->hdr->capture_pid, 0);
    }
    ad__shm_close(&p->cursor);
    ad__shm_close(&p->data);
    free(p);
}

/* ---- consumer ----------------------------------------------------------------------------- */

static inline void cons_count(ad_ring_consumer *c, ad_exporter_counter e, uint64_t n)
{
    ad_atomic_add_relaxed(&c->cur->counters[e], n);
}

static void cons_publish(ad_ring_consumer *c, uint64_t pos, uint64_t seq);

/*
 * Drops everything between the read position and target (a valid producer position).
 *
 * The skipped bytes must be released too, or a full ring would stay full forever: capture
 * cannot write the records that would give the exporter a view to commit past them. When no
 * returned view is pending (committed == read position) they are released at once; else the
 * release rides on the commit of the last view before them (skip_from -> skip_to).
 */
static void cons_resync(ad_ring_consumer *c, uint64_t target)
{
    if (target >= c->read_pos) {
        cons_count(c, AD_EXP_BYTES_SKIPPED_CORRUPT, target - c->read_pos);
        if (c->committed == c->read_pos) {
            cons_publish(c, target, c->committed_seq);
        } else if (c->skip_pending && c->skip_to == c->read_pos) {
            c->skip_to = target;
        } else {
            c->skip_pending = true;
            c->skip_from = c->read_pos;
            c->skip_to = target;
        }
    } else {
        c->skip_pending = false;
        /* The producer is behind what we read (we had followed a corrupt position): go back
           with it, and never leave a committed cursor ahead of the producer (capture would
           refuse it as impossible). last_seq stays: records from the producer's real position
           on are newer than anything delivered, and stale bytes must still fail the check. */
        if (c->committed > target) {
            c->committed = target;
            ad_atomic_store_release(&c->cur->consumer_pos, target);
        }
    }
    cons_count(c, AD_EXP_RESYNCS, 1);
    c->read_pos = target;
    c->after_resync = true;
}

/*
 * Where capture confirmably is: the end of the record at last_rec_pos. Capture stores that
 * word with release after writing the whole record [D-rel], so once we acquire it [D-acq]
 * the record is complete, and capture's own position is at least its end by the time it next
 * looks at ours. Deriving the position from the record rather than trusting producer_pos means
 * a damaged producer_pos is never followed (following it and committing there would publish
 * a cursor beyond capture, which capture must refuse, and both would wait forever), and does
 * not stop the reader either. false when the record there does not validate.
 */
static bool cons_confirm_seq(const ad_ring_consumer *c, uint64_t *prod, uint64_t *seq);

static bool cons_confirm(const ad_ring_consumer *c, uint64_t *prod)
{
    uint64_t seq;
    return cons_confirm_seq(c, prod, &seq);
}

/* cons_confirm, also giving the sequence of capture's last record. */
static bool cons_confirm_seq(const ad_ring_consumer *c, uint64_t *prod, uint64_t *seq)
{
    uint64_t last = ad_atomic_load_acquire(&c->hdr->last_rec_pos); /* [D-acq] */
    uint64_t off = last & c->mask;
    ad_ring_rec_hdr h;
    if ((last & (AD_RING_ALIGN - 1)) != 0 || c->capacity - off < AD_RING_REC_HDR_SIZE) {
        return false;
    }
    memcpy(&h, c->area + off, sizeof(h));
    if (h.type != AD_RING_REC_DATA ||
        h.check != ad_ring_rec_check(h.len, AD_RING_REC_DATA, h.seq) || h.len > c->max_payload ||
        align8(AD_RING_REC_HDR_SIZE + (uint64_t)h.len) > c->capacity - off) {
        return false;
    }
    *prod = last + align8(AD_RING_REC_HDR_SIZE + (uint64_t)h.len);
    *seq = h.seq;
    return true;
}

/*
 * Where capture is, when two independent words say so: producer_pos agrees with the end of
 * the record at last_rec_pos (capture stores both for every record), or producer_pos kept its
 * value across a capture heartbeat (which re-publishes both words from capture's private
 * copies before it stores the heartbeat with release; acquiring the heartbeat first means the
 * producer_pos read after it is at least that re-published value). One damaged word can
 * therefore never move the reader, and once damage stops, capture's next record or heartbeat
 * (one period at most) tells the truth again. The position may lie behind the read position:
 * then the reader had followed something capture never wrote, and goes back.
 */
static bool cons_truth(ad_ring_consumer *c, uint64_t *pos)
{
    uint64_t hb = ad_atomic_load_acquire(&c->hdr->heartbeat_ns);
    uint64_t prod = ad_atomic_load_acquire(&c->hdr->producer_pos); /* [A-acq] */
    uint64_t end, seq;
    if ((prod & (AD_RING_ALIGN - 1)) != 0) {
        c->watch_set = false;
        return false;
    }
    if (cons_confirm_seq(c, &end, &seq) && end == prod) {
        if (seq < c->last_seq) {
            /* Capture's newest record is older than one we returned: that one was a damaged
               header that passed its check by chance, and its sequence would make every real
               record look like a replay. Forget it (the next gap counts as corruption). */
            c->last_seq = seq;
            c->after_resync = true;
        }
        *pos = prod;
        return true;
    }
    if (!c->watch_set || c->watch_prod != prod) {
        c->watch_set = true;
        c->watch_prod = prod;
        c->watch_hb = hb;
        return false;
    }
    if (hb == c->watch_hb) {
        return false;
    }
    *pos = prod;
    return true;
}

/* No way forward at (read position, prod) for now: count it once, and let wait() sleep. */
static void cons_stuck(ad_ring_consumer *c, uint64_t prod)
{
    if (c->stuck_rp != c->read_pos || c->stuck_prod != prod) {
        c->stuck_rp = c->read_pos;
        c->stuck_prod = prod;
        if (!c->bad_prod_set || prod != c->bad_prod) { /* one damaged word, one count */
            cons_count(c, AD_EXP_RECORDS_CORRUPT, 1);
        }
    }
}

ad_err ad_ring_consumer_peek(ad_ring_consumer *c, ad_ring_view *views, size_t max, size_t *count)
{
    uint64_t prod, rp, bytes = 0;
    size_t n = 0;

    *count = 0;
    prod = ad_atomic_load_acquire(&c->hdr->producer_pos); /* [A-acq] */
    if (AD_UNLIKELY(prod != c->read_pos &&
                    ((prod & (AD_RING_ALIGN - 1)) != 0 || prod < c->read_pos ||
                     prod - c->read_pos > c->capacity))) {
        /* Impossible from where we stand: go by where capture confirmably is instead. */
        uint64_t seen = prod, truth;
        if (cons_truth(c, &truth)) {
            if (truth < c->read_pos || truth - c->read_pos > c->capacity) {
                /* Lapped, or we had followed something capture never wrote: both words agree
                   on where capture is, so go there (back or forward) and count it. */
                cons_count(c, AD_EXP_RECORDS_CORRUPT, 1);
                cons_resync(c, truth);
                goto done;
            }
            if (truth == c->read_pos) {
                cons_stuck(c, seen); /* we are where capture is: let wait() sleep */
                goto done;
            }
            prod = truth;
        } else if (!cons_confirm(c, &prod) || prod <= c->read_pos ||
                   prod - c->read_pos > c->capacity) {
            /* Nothing vouches for a position we could read up to (a record end more than a
               ring ahead is never followed on one word): wait for capture's next record or
               heartbeat. */
            cons_stuck(c, seen);
            goto done;
        }
        if (!c->bad_prod_set || seen != c->bad_prod) {
            c->bad_prod = seen; /* a damaged producer_pos: counted once, read around it */
            c->bad_prod_set = true;
            cons_count(c, AD_EXP_RECORDS_CORRUPT, 1);
        }
    }
    rp = c->read_pos;
    while (n < max && rp < prod) {
        ad_ring_rec_hdr h;
        uint64_t off = rp & c->mask;
        uint64_t tail = c->capacity - off;
        uint64_t total;

        /* One copy of the header: later checks must see the bytes the earlier ones saw. */
        if (tail >= AD_RING_REC_HDR_SIZE) {
            memcpy(&h, c->area + off, AD_RING_REC_HDR_SIZE);
        } else {
            memcpy(&h, c->area + off, AD_RING_PAD_HDR_SIZE);
            h.seq = 0;
        }
        if (h.type == AD_RING_REC_PAD) {
            if (h.check != ad_ring_rec_check(h.len, AD_RING_REC_PAD, 0) ||
                (uint64_t)h.len + AD_RING_PAD_HDR_SIZE != tail || rp + tail > prod) {
                goto corrupt;
            }
            rp += tail;
            continue;
        }
        if (h.type != AD_RING_REC_DATA || tail < AD_RING_REC_HDR_SIZE ||
            h.check != ad_ring_rec_check(h.len, AD_RING_REC_DATA, h.seq) ||
            h.len > c->max_payload || h.seq == 0) {
            goto corrupt;
        }
        total = align8(AD_RING_REC_HDR_SIZE + (uint64_t)h.len);
        if (total > tail || rp + total > prod || (c->last_seq != 0 && h.seq <= c->last_seq)) {
            goto corrupt;
        }
        if (c->last_seq != 0 && h.seq != c->last_seq + 1) {
            cons_count(c, c->after_resync ? AD_EXP_RECORDS_LOST_CORRUPT : AD_EXP_SEQUENCE_GAPS,
                       h.seq - c->last_seq - 1);
        }
        c->after_resync = false;
        c->last_seq = h.seq;
        rp += total;
        views[n].seq = h.seq;
        views[n].end_pos = rp;
        views[n].data = c->area + off + AD_RING_REC_HDR_SIZE;
        views[n].len = h.len;
        if (AD_UNLIKELY(rp <= c->replay_until)) {
            cons_count(c, AD_EXP_DUPLICATES_POSSIBLE, 1);
        }
        bytes += h.len;
        n++;
    }
    c->read_pos = rp;
    goto done;

corrupt:
    /* Resynchronise to where capture really is; if that cannot be confirmed now (capture
       idle with a damaged last record, or producer_pos itself damaged), stay here and
       look again on the next peek. */
    c->read_pos = rp;
    {
        uint64_t seen = prod, truth;
        if (cons_truth(c, &truth) && truth != rp) {
            /* Two words agree: skip to capture, or go back to it when we had read past it. */
            cons_count(c, AD_EXP_RECORDS_CORRUPT, 1);
            cons_resync(c, truth);
        } else if (cons_confirm(c, &truth) && truth > rp && truth - rp <= c->capacity) {
            /* Only the last record vouches for its end: follow it, but never more than a ring
               ahead (a damaged last_rec_pos would otherwise send us anywhere). */
            cons_count(c, AD_EXP_RECORDS_CORRUPT, 1);
            cons_resync(c, truth);
        } else {
            cons_stuck(c, seen);
        }
    }
done:
    ad_atomic_store_relaxed(&c->cur->read_pos, c->read_pos);
    if (n != 0) {
        cons_count(c, AD_EXP_RECORDS_READ, n);
        cons_count(c, AD_EXP_BYTES_READ, bytes);
    }
    *count = n;
    return n != 0 ? AD_OK : AD_EEMPTY;
}

/*
 * Bytes the producer has published beyond our read position: 0 when none, or when the
 * position is the one the last peek could not get past (nothing new to try); any other
 * impossible value counts as "something to look at" so peek can judge it.
 */
static inline uint64_t cons_available(const ad_ring_consumer *c)
{
    uint64_t prod = ad_atomic_load_acquire(&c->hdr->producer_pos);
    if (prod == c->read_pos || (prod == c->stuck_prod && c->read_pos == c->stuck_rp)) {
        return 0;
    }
    return prod > c->read_pos && prod - c->read_pos <= c->capacity ? prod - c->read_pos : 1;
}

/* Gather at least this much (or for WAIT_GATHER_NS) before waking the reader in a stream. */
#define WAIT_BATCH_BYTES (16u * 1024u)
#define WAIT_GATHER_NS 20000u
#define WAIT_SPIN_NS 200000u

ad_err ad_ring_consumer_wait(ad_ring_consumer *c, uint64_t timeout_ns)
{
    uint64_t batch = c->capacity / 8 < WAIT_BATCH_BYTES ? c->capacity / 8 : WAIT_BATCH_BYTES;
    uint64_t start = ad_time_mono_ns(), first_seen = 0, now, sleep_ns = 20000, avail;

    /*
     * Spin, looking at the producer's line only every 16 pauses (about a microsecond), and
     * once records appear, give the producer a few microseconds to add more. Each look pulls
     * the producer's line (and the record it is writing) into our cache and costs it a miss:
     * a reader that chases every single record keeps both caches busy and slows capture
     * several times over. Batches of some KiB keep the lines where they are written.
     */
    for (;;) {
        avail = cons_available(c);
        if (avail >= batch) {
            return AD_OK;
        }
        now = ad_time_mono_ns();
        if (avail != 0) {
            if (first_seen == 0) {
                first_seen = now;
            } else if (now - first_seen >= WAIT_GATHER_NS) {
                return AD_OK;
            }
        }
        if (now - start >= timeout_ns) {
            return avail != 0 ? AD_OK : AD_ETIMEDOUT;
        }
        if (avail == 0 && now - start >= WAIT_SPIN_NS) {
            break;
        }
        for (int k = 0; k < 16; k++) {
            ad_cpu_relax();
        }
    }
    /* Then yield the CPU a few times, then sleep with growing intervals (at most 1 ms). */
    for (int i = 0; i < 64; i++) {
        ad__cpu_yield();
        if (cons_available(c) != 0) {
            return AD_OK;
        }
    }
    for (;;) {
        now = ad_time_mono_ns();
        if (now - start >= timeout_ns) {
            return AD_ETIMEDOUT;
        }
        if (sleep_ns > timeout_ns - (now - start)) {
            sleep_ns = timeout_ns - (now - start);
        }
        ad_sleep_ns(sleep_ns);
        if (cons_available(c) != 0) {
            return AD_OK;
        }
        sleep_ns = sleep_ns * 2 > 1000000 ? 1000000 : sleep_ns * 2;
    }
}

static void cons_publish(ad_ring_consumer *c, uint64_t pos, uint64_t seq)
{
    if (c->skip_pending && pos >= c->skip_from) {
        if (pos == c->skip_from) {
            pos = c->skip_to; /* nothing was returned inside a skipped range */
        }
        c->skip_pending = false;
    }
    c->committed = pos;
    c->committed_seq = seq;
    ad_atomic_store_relaxed(&c->cur->committed_seq, seq);
    ad_atomic_store_release(&c->cur->consumer_pos, pos); /* [B-rel] */
}

ad_err ad_ring_consumer_commit(ad_ring_consumer *c, const ad_ring_view *last)
{
    if (last == NULL || last->end_pos < c->committed || last->end_pos > c->read_pos ||
        (last->end_pos & (AD_RING_ALIGN - 1)) != 0) {
        return AD_EINVAL;
    }
    cons_publish(c, last->end_pos, last->seq);
    return AD_OK;
}

void ad_ring_consumer_commit_all(ad_ring_consumer *c)
{
    if (c->read_pos != c->committed) {
        cons_publish(c, c->read_pos, c->last_seq != 0 ? c->last_seq : c->committed_seq);
    }
}

void ad_ring_consumer_rewind(ad_ring_consumer *c)
{
    c->read_pos = c->committed;
    c->last_seq = c->committed_seq;
    c->after_resync = false;
    c->skip_pending = false; /* a skipped range is found again on the way */
}

uint64_t ad__ring_counters_seal(const ad_ring_cursor *cur)
{
    uint64_t x = 0x6173696d646e7331ULL; /* never 0 for an all-zero page */
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        x = splitmix64(x ^ ad_atomic_load_relaxed(&cur->counters_snapshot[i]));
    }
    return x != 0 ? x : 1;
}

unsigned ad__ring_counters_verify(const ad_ring_cursor *cur, uint64_t out[AD_RING_COUNTER_SLOTS])
{
    bool sealed = ad_atomic_load_relaxed(&cur->counters_seal) == ad__ring_counters_seal(cur);
    unsigned bad = 0;
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        uint64_t live = ad_atomic_load_relaxed(&cur->counters[i]);
        uint64_t snap = sealed ? ad_atomic_load_relaxed(&cur->counters_snapshot[i]) : 0;
        if (live < snap || live - snap > AD__RING_COUNTER_STEP) {
            live = snap;
            bad++;
        }
        out[i] = live;
    }
    return bad;
}

static void cons_adopt_counters(ad_ring_consumer *c, const char *name);

/* Seals the current counters (see ad__ring_counters_verify). */
static void cons_seal_counters(ad_ring_consumer *c)
{
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        ad_atomic_store_relaxed(&c->cur->counters_snapshot[i],
                                ad_atomic_load_relaxed(&c->cur->counters[i]));
    }
    ad_atomic_store_relaxed(&c->cur->counters_seal, ad__ring_counters_seal(c->cur));
}

void ad_ring_consumer_heartbeat(ad_ring_consumer *c, uint64_t now_ns)
{
    /* Our words again from the private copies: a damaged consumer_pos would make capture
       treat the ring as full (or overwrite unread records) until our next commit, and with
       capture dropping everything there might never be one. */
    if (ad_atomic_load_relaxed(&c->cur->consumer_pos) != c->committed) {
        cons_count(c, AD_EXP_CURSOR_REPAIRS, 1);
        ad_atomic_store_relaxed(&c->cur->committed_seq, c->committed_seq);
        ad_atomic_store_release(&c->cur->consumer_pos, c->committed); /* [B-rel] */
    }
    /* Counters only grow, and not by much in one period: one that went back or leapt since
       the last seal was written by someone else; put it back before sealing again. */
    cons_adopt_counters(c, c->name);
    cons_seal_counters(c);
    ad_atomic_store_relaxed(&c->cur->heartbeat_ns, now_ns);
}

void ad_ring_consumer_delivery(ad_ring_consumer *c, bool ok, uint64_t now_ns)
{
    if (ok) {
        ad_atomic_store_relaxed(&c->cur->last_ok_ns, now_ns);
        ad_atomic_store_relaxed(&c->cur->delivery_failures, 0);
        ad_atomic_store_relaxed(&c->cur->failing_since_ns, 0);
        return;
    }
    if (ad_atomic_load_relaxed(&c->cur->failing_since_ns) == 0) {
        ad_atomic_store_relaxed(&c->cur->failing_since_ns, now_ns != 0 ? now_ns : 1);
    }
    ad_atomic_store_relaxed(&c->cur->last_failure_ns, now_ns);
    ad_atomic_add_relaxed(&c->cur->delivery_failures, 1);
}

void ad_ring_consumer_spool_gauges(ad_ring_consumer *c, const ad_ring_spool_gauges *g)
{
    ad_atomic_store_relaxed(&c->cur->spool_bytes, g->bytes);
    ad_atomic_store_relaxed(&c->cur->spool_records, g->records);
    ad_atomic_store_relaxed(&c->cur->spool_segments, g->segments);
    ad_atomic_store_relaxed(&c->cur->spool_oldest_ns, g->oldest_ns);
    ad_atomic_store_relaxed(&c->cur->spool_state, g->state);
}

void ad_ring_consumer_counter_add(ad_ring_consumer *c, ad_exporter_counter e, uint64_t n)
{
    if ((unsigned)e < AD_EXP__COUNT) {
        cons_count(c, e, n);
    }
}

uint64_t ad_ring_consumer_counter_get(const ad_ring_consumer *c, ad_exporter_counter e)
{
    return (unsigned)e < AD_EXP__COUNT ? ad_atomic_load_relaxed(&c->cur->counters[e]) : 0;
}

uint64_t ad_ring_consumer_generation(const ad_ring_consumer *c)
{
    return c->generation;
}

uint64_t ad_ring_consumer_read_pos(const ad_ring_consumer *c)
{
    return c->read_pos;
}

uint64_t ad_ring_consumer_committed_pos(const ad_ring_consumer *c)
{
    return c->committed;
}

uint64_t ad_ring_consumer_producer_pos(const ad_ring_consumer *c)
{
    return ad_atomic_load_acquire(&c->hdr->producer_pos);
}

uint64_t ad_ring_consumer_capacity(const ad_ring_consumer *c)
{
    return c->capacity;
}

uint32_t ad_ring_consumer_max_payload(const ad_ring_consumer *c)
{
    return c->max_payload;
}

ad_err ad_ring_consumer_check(ad_ring_consumer *c)
{
    ad__shm probe;
    ad__shm_expect exp = {.max_map = AD_RING_HEADER_SIZE};
    ad_err err;
    if (ad__shm_faulted(&c->data) || ad__shm_faulted(&c->cursor)) {
        return AD_ECLOSED; /* truncated under us: our mapping now reads zeros */
    }
    err = ad__shm_open(c->name, KIND_DATA, c->global, false, &exp, &probe, NULL, 0);
    if (err == AD_ENOENT) {
        return AD_ECLOSED;
    }
    if (err != AD_OK) {
        return AD_OK; /* cannot tell (e.g. out of descriptors): keep going */
    }
    const ad_ring_data_hdr *h = (const ad_ring_data_hdr *)probe.addr;
    bool same = probe.size >= AD_RING_HEADER_SIZE &&
                ad_atomic_load_acquire(&h->magic) == AD_RING_MAGIC &&
                h->generation == c->generation;
    ad__shm_close(&probe);
    /* Capture re-initialised a cursor page it could no longer trust: attach to it afresh. */
    if (ad_atomic_load_acquire(&c->cur->magic) != AD_RING_CURSOR_MAGIC ||
        ad_atomic_load_relaxed(&c->cur->cursor_epoch) != c->epoch) {
        same = false;
    }
    return same ? AD_OK : AD_ECLOSED;
}

/*
 * The counters in the cursor page are taken only as far as the seal vouches for them
 * (ad__ring_counters_verify): at attach (what a new exporter inherits) and at every heartbeat
 * (what someone scribbled since); the rest are reset to their sealed values, which is
 * counted.
 */
static void cons_adopt_counters(ad_ring_consumer *c, const char *name)
{
    uint64_t v[AD_RING_COUNTER_SLOTS];
    unsigned bad = ad__ring_counters_verify(c->cur, v);
    if (bad == 0) {
        return;
    }
    for (unsigned i = 0; i < AD_RING_COUNTER_SLOTS; i++) {
        ad_atomic_store_relaxed(&c->cur->counters[i], v[i]);
    }
    cons_count(c, AD_EXP_COUNTERS_RESET, 1);
    cons_seal_counters(c);
    ad_log_warn("ring %s: %u exporter counter(s) in the cursor object were not plausible (not "
                "what the exporter last sealed); reset them to their last sealed values",
                name, bad);
}

ad_err ad_ring_consumer_open(const ad_ring_consumer_config *cfg, ad_ring_consumer **out, char *msg,
                             size_t msgcap)
{
    ad_ring_consumer *c;
    const ad_ring_data_hdr *h;
    ad_ring_cursor *cur;
    uint64_t prod, cons, pid, rp, cseq, now;
    ad_err err;

    ring_msg(msg, msgcap, "ok");
    *out = NULL;
    if (ad_ring_name_check(cfg->name) != AD_OK) {
        ring_msg(msg, msgcap, "ring name \"%s\" is invalid",
                 cfg->name != NULL ? cfg->name : "(null)");
        return AD_EINVAL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        ring_msg(msg, msgcap, "out of memory");
        return AD_ENOMEM;
    }
    c->data.guard = c->cursor.guard = -1;
    snprintf(c->name, sizeof(c->name), "%s", cfg->name);
    c->global = cfg->global_namespace;

    /* Data: read-only; refuse one that others than its owner could write. */
    ad__shm_expect dexp = {.owner = cfg->expected_owner, .deny_mode = 0022};
    err = ad__shm_open(cfg->name, KIND_DATA, cfg->global_namespace, false, &dexp, &c->data, msg,
                       msgcap);
    if (err != AD_OK) {
        goto fail;
    }
    h = (const ad_ring_data_hdr *)c->data.addr;
    if ((err = ad__ring_check_data(h, c->data.size, true, cfg->name, msg, msgcap)) != AD_OK) {
        goto fail;
    }
    ad__shm_expect cexp = {
        .owner = cfg->expected_owner, .deny_mode = 0002, .max_map = AD_RING_CURSOR_SIZE};
    err = ad__shm_open(cfg->name, KIND_CURSOR, cfg->global_namespace, true, &cexp, &c->cursor, msg,
                       msgcap);
    if (err != AD_OK) {
        goto fail;
    }
    if (c->cursor.size < AD_RING_CURSOR_SIZE) {
        ring_msg(msg, msgcap, "ring %s: cursor object is too small (%llu bytes)", cfg->name,
                 (unsigned long long)c->cursor.size);
        err = AD_ECORRUPT;
        goto fail;
    }
    if (strcmp(c->data.owner, c->cursor.owner) != 0) {
        ring_msg(msg, msgcap,
                 "ring %s: data object owned by %s but cursor object by %s: refusing (possible "
                 "squatting)",
                 cfg->name, c->data.owner, c->cursor.owner);
        err = AD_EPERM;
        goto fail;
    }
    cur = (ad_ring_cursor *)c->cursor.addr;
    if (ad_atomic_load_acquire(&cur->magic) != AD_RING_CURSOR_MAGIC ||
        cur->layout_version != AD_RING_LAYOUT_VERSION || cur->generation != h->generation) {
        /* Capture checks its cursor page at every heartbeat and initialises it again when
           it is not this ring's: like a ring being created, this is worth waiting for. */
        ring_msg(msg, msgcap,
                 "ring %s: cursor object does not belong to this ring (magic, layout version %u "
                 "or generation differ); asimdns-capture re-initialises it at its next heartbeat",
                 cfg->name, cur->layout_version);
        err = AD_ENOENT;
        goto fail;
    }
    now = ad_time_now_ns();
    pid = ad_atomic_load_relaxed(&cur->exporter_pid);
    if (pid != 0 && pid != ad__proc_self() && ad__proc_alive(pid)) {
        uint64_t hb = ad_atomic_load_relaxed(&cur->heartbeat_ns);
        if (heartbeat_fresh(hb, now, cfg->stale_ns)) {
            ring_msg(msg, msgcap,
                     "ring %s is in use by exporter pid %llu (heartbeat %.1f s ago): refusing a "
                     "second consumer",
                     cfg->name, (unsigned long long)pid, (double)(int64_t)(now - hb) / 1e9);
            err = AD_EEXIST;
            goto fail;
        }
    }

    c->hdr = h;
    c->cur = cur;
    c->area = (const uint8_t *)c->data.addr + AD_RING_HEADER_SIZE;
    c->capacity = h->capacity;
    c->mask = h->capacity - 1;
    c->max_payload = h->max_payload;
    c->generation = h->generation;

    /* Resume at the committed cursor if it is possible; else at the producer (counted). */
    prod = ad_atomic_load_acquire(&h->producer_pos);
    if (!cons_confirm(c, &prod)) {
        prod = ad_atomic_load_acquire(&h->producer_pos); /* nothing written yet, or damaged */
    }
    cons = ad_atomic_load_relaxed(&cur->consumer_pos);
    cseq = ad_atomic_load_relaxed(&cur->committed_seq);
    if (!cursor_plausible(cons, prod, c->capacity)) {
        prod &= ~(uint64_t)(AD_RING_ALIGN - 1);
        cons_count(c, AD_EXP_RESYNCS, 1);
        ad_log_warn("ring %s: committed cursor %llu is impossible (producer %llu); resuming at "
                    "the producer",
                    cfg->name, (unsigned long long)cons, (unsigned long long)prod);
        cons = prod;
        cseq = 0;
        ad_atomic_store_release(&cur->consumer_pos, cons);
    }
    if (cseq >= ad_atomic_load_relaxed(&h->next_seq)) {
        cseq = 0; /* not a sequence this ring has handed out: unknown */
    }
    c->epoch = ad_atomic_load_relaxed(&cur->cursor_epoch);
    cons_adopt_counters(c, cfg->name);
    c->stuck_rp = c->stuck_prod = UINT64_MAX;
    c->read_pos = c->committed = cons;
    c->committed_seq = c->last_seq = cseq;
    c->after_resync = false;
    rp = ad_atomic_load_relaxed(&cur->read_pos);
    if (rp > cons && rp <= prod && rp - cons <= c->capacity) {
        c->replay_until = rp; /* a predecessor read these; it may have delivered them */
    }
    ad_atomic_store_relaxed(&cur->exporter_pid, ad__proc_self());
    ad_atomic_store_relaxed(&cur->start_ns, now);
    ad_atomic_store_relaxed(&cur->heartbeat_ns, now);
    ad_atomic_store_relaxed(&cur->generation_seen, c->generation);
    ad_atomic_add_relaxed(&cur->attaches, 1);
    /* A new attach has delivered nothing yet: it is not failing (until it fails itself). */
    ad_atomic_store_relaxed(&cur->heartbeat_interval_ns, cfg->heartbeat_interval_ns != 0
                                                             ? cfg->heartbeat_interval_ns
                                                             : AD_RING_DEFAULT_HEARTBEAT_NS);
    ad_atomic_store_relaxed(&cur->failing_since_ns, 0);
    ad_atomic_store_relaxed(&cur->delivery_failures, 0);
    /* Nor does it have a spool until its spool stage says so. */
    ad_ring_consumer_spool_gauges(c, &(ad_ring_spool_gauges){0});
    *out = c;
    return AD_OK;

fail:
    ad__shm_close(&c->cursor);
    ad__shm_close(&c->data);
    free(c);
    return err;
}

void ad_ring_consumer_close(ad_ring_consumer *c)
{
    if (c == NULL) {
        return;
    }
    if (c->cur != NULL) {
        cons_seal_counters(c);
        ad_atomic_store_relaxed(&c->cur->heartbeat_ns, ad_time_now_ns());
        ad_atomic_store_relaxed(&c->cur->exporter_pid, 0);
    }
    ad__shm_close(&c->cursor);
    ad__shm_close(&c->data);
    free(c);
}

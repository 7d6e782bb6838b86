/*
 * asimdns: the producer half of the ring (asimdns-capture): create or re-attach, reserve,
 * commit, heartbeat and the repairs it does. The memory-ordering contract and the trust rules
 * are at the top of ring_internal.h.
 */
#include "ipc/ring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"
#include "common/record.h"
#include "common/timeutil.h"
#include "ipc/atomics.h"
#include "ipc/ring_internal.h"
#include "ipc/ring_layout.h"
#include "ipc/shm.h"

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
    /* What open or the last heartbeat repaired or replaced, for the caller to report. */
    char note[512];
};

#define NOTE(p, ...) ad_err_msg_append((p)->note, sizeof((p)->note), __VA_ARGS__)

/*
 * A new generation: it only has to differ from the previous ring's, so clocks, pid and an
 * address (ASLR) mixed together are enough; never 0.
 */
static uint64_t new_generation(void)
{
    uint64_t local = 0;
    uint64_t g = ad__ring_mix64(ad_time_now_ns() ^ ad__ring_mix64(ad_time_mono_ns()) ^
                                (ad__proc_self() << 40) ^ (uint64_t)(uintptr_t)&local);
    return g != 0 ? g : 1;
}

static void prod_count(ad_ring_producer *p, ad_capture_counter c, uint64_t n)
{
    ad_atomic_add_relaxed(&p->hdr->counters[c], n);
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
    if (AD_UNLIKELY(!ad__ring_cursor_plausible(c, p->pos, p->capacity))) {
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
    total = ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)len);
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
    p->pos += p->res_pad + ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)len);
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
    return prod_room(p, prod_need(p, ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)len), &pad));
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
    NOTE(p, "the data header's identity words were damaged; wrote them again");
}

void ad_ring_producer_heartbeat(ad_ring_producer *p, uint64_t now_ns)
{
    (void)ad_ring_producer_heartbeat_msg(p, now_ns, NULL, 0);
}

ad_err ad_ring_producer_heartbeat_msg(ad_ring_producer *p, uint64_t now_ns, char *msg,
                                      size_t msgcap)
{
    p->note[0] = '\0';
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
    if (p->note[0] == '\0') {
        ad_err_msg(msg, msgcap, "%s", "");
        return AD_OK;
    }
    ad_err_msg(msg, msgcap, "ring %s: %s", p->name, p->note);
    return AD_ECORRUPT;
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
            NOTE(p, "the cursor object was truncated under capture; restoring it");
        }
        if (ad__shm_repair(&p->cursor) != AD_OK &&
            (ad__shm_restore_size(&p->cursor) != AD_OK || ad__shm_repair(&p->cursor) != AD_OK)) {
            return; /* still reading zeros; try again at the next heartbeat */
        }
        p->cursor_faulted = false;
        NOTE(p, "cursor object restored and mapped again");
    }
    if (ad_atomic_load_acquire(&cur->magic) == AD_RING_CURSOR_MAGIC &&
        cur->layout_version == AD_RING_LAYOUT_VERSION && cur->size == AD_RING_CURSOR_SIZE &&
        cur->generation == p->hdr->generation &&
        ad_atomic_load_relaxed(&cur->cursor_epoch) == p->cursor_epoch) {
        /* Keep the consumer position we would re-initialise at no older than a heartbeat:
           a re-initialised page then costs at most that much re-delivery. */
        uint64_t c = ad_atomic_load_acquire(&cur->consumer_pos); /* [B-acq] */
        if (ad__ring_cursor_plausible(c, p->pos, p->capacity)) {
            p->cons_cache = c;
        }
        return;
    }
    p->cursor_epoch++;
    cursor_init(cur, p->hdr->generation, p->cons_cache, 0, p->cursor_epoch);
    prod_count(p, AD_CAP_CURSOR_REINITS, 1);
    NOTE(p,
         "the cursor object no longer belonged to this ring (truncated, or overwritten); "
         "initialised it again (epoch %llu) at consumer position %llu",
         (unsigned long long)p->cursor_epoch, (unsigned long long)p->cons_cache);
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
        ad_err_msg(msg, msgcap,
                   "ring name \"%s\" is invalid: use 1-%d characters from A-Z a-z 0-9 . _ -",
                   cfg->name != NULL ? cfg->name : "(null)", AD_RING_NAME_MAX);
        return AD_EINVAL;
    }
    if (!ad__ring_is_pow2(cfg->capacity) || cfg->capacity < AD_RING_MIN_CAPACITY ||
        cfg->capacity > AD_RING_MAX_CAPACITY) {
        ad_err_msg(msg, msgcap, "ring capacity %llu is not a power of two between %llu and %llu",
                   (unsigned long long)cfg->capacity, AD_RING_MIN_CAPACITY, AD_RING_MAX_CAPACITY);
        return AD_EINVAL;
    }
    if (!ad__ring_payload_fits(cfg->capacity, cfg->max_payload)) {
        ad_err_msg(msg, msgcap,
                   "ring max record payload %u is out of range (1..%u, and a record must fit four "
                   "times in the capacity %llu)",
                   cfg->max_payload, AD_RING_MAX_PAYLOAD_LIMIT, (unsigned long long)cfg->capacity);
        return AD_EINVAL;
    }
    if ((cfg->data_mode & ~0777u) != 0 || (cfg->data_mode & 0022u) != 0 ||
        (cfg->data_mode & 0600u) != 0600u) {
        ad_err_msg(msg, msgcap,
                   "ring data mode %04o is not allowed: the owner needs rw and nobody else may "
                   "write the data object (e.g. 0640)",
                   cfg->data_mode);
        return AD_EINVAL;
    }
    if ((cfg->cursor_mode & ~0777u) != 0 || (cfg->cursor_mode & 0600u) != 0600u ||
        (cfg->cursor_mode & 0002u) != 0) {
        ad_err_msg(msg, msgcap,
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
    err = ad__shm_create(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace,
                         AD_RING_CURSOR_SIZE, &perm, &p->cursor, msg, msgcap);
    if (err != AD_EEXIST) {
        return err;
    }
    /* A cursor without its data object: left over, or planted. Only ours may go quietly. */
    ad__shm old;
    ad__shm_expect exp = {.owner = cfg->owner != NULL ? cfg->owner : ""};
    err = ad__shm_open(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace, false, &exp, &old,
                       msg, msgcap);
    if (err == AD_OK) {
        ad__shm_close(&old);
    } else if (err != AD_EPERM || !cfg->recreate_on_mismatch) {
        return err;
    }
    if (ad__shm_unlink(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace) != AD_OK) {
        ad_err_msg(msg, msgcap, "ring %s: cannot remove the stale cursor object", cfg->name);
        return AD_EPERM;
    }
    NOTE(p, "replaced a stale cursor object");
    return ad__shm_create(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace,
                          AD_RING_CURSOR_SIZE, &perm, &p->cursor, msg, msgcap);
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
        ad__shm_unlink(cfg->name, AD__RING_KIND_DATA, cfg->global_namespace);
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
    NOTE(p, "created (capacity %llu, max payload %u, generation %016llx)",
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
        last + ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)r.len) != pos) {
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
        ad_err_msg(msg, msgcap,
                   "ring %s exists with capacity %llu and max payload %u, but the configuration "
                   "asks for %llu and %u: set recreate to replace it (its records are lost)",
                   cfg->name, (unsigned long long)h->capacity, h->max_payload,
                   (unsigned long long)cfg->capacity, cfg->max_payload);
        return AD_EVERSION;
    }
    pos = ad_atomic_load_relaxed(&h->producer_pos);
    seq = ad_atomic_load_relaxed(&h->next_seq);
    if ((pos & (AD_RING_ALIGN - 1)) != 0 || seq == 0) {
        ad_err_msg(msg, msgcap, "ring %s: producer position %llu / next sequence %llu are corrupt",
                   cfg->name, (unsigned long long)pos, (unsigned long long)seq);
        return AD_ECORRUPT;
    }
    seq = prod_recover_seq(h, (const uint8_t *)p->data.addr + AD_RING_HEADER_SIZE, pos, seq);
    pid = ad_atomic_load_relaxed(&h->capture_pid);
    if (pid != 0 && pid != ad__proc_self() && ad__proc_alive(pid)) {
        uint64_t hb = ad_atomic_load_relaxed(&h->heartbeat_ns);
        uint64_t now = ad_time_now_ns();
        if (ad__ring_heartbeat_fresh(hb, now, cfg->stale_ns)) {
            ad_err_msg(msg, msgcap,
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
    err = ad__shm_open(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace, true, &exp,
                       &p->cursor, msg, msgcap);
    if (err == AD_OK && p->cursor.size < AD_RING_CURSOR_SIZE) {
        ad__shm_close(&p->cursor);
        err = AD_ECORRUPT;
    }
    if (err == AD_ENOENT || err == AD_ECORRUPT || (err == AD_EPERM && cfg->recreate_on_mismatch)) {
        /* The exporter's position is unknown: it starts at the producer (counted as loss). */
        ad__shm_unlink(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace);
        prod_perm(cfg, true, &perm);
        err = ad__shm_create(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace,
                             AD_RING_CURSOR_SIZE, &perm, &p->cursor, msg, msgcap);
        if (err != AD_OK) {
            return err;
        }
        cursor_init((ad_ring_cursor *)p->cursor.addr, h->generation, pos, seq - 1, 1);
        NOTE(p, "cursor object was missing or unusable; recreated at the producer position "
                "(unread records, if any, are skipped)");
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
    if (ad__ring_cursor_plausible(cons, pos, cfg->capacity)) {
        p->cons_cache = cons;
    } else {
        prod_count(p, AD_CAP_CURSOR_INVALID, 1);
        p->cons_cache = pos >= cfg->capacity ? pos - cfg->capacity : 0; /* "full" */
    }
    prod_stamp_attach(p);
    NOTE(p, "re-attached (position %llu, next sequence %llu, generation %016llx)",
         (unsigned long long)pos, (unsigned long long)seq, (unsigned long long)h->generation);
    return AD_OK;
}

/* Page size assumed by prod_map_area: a larger page is only touched more than once. */
#define PREFAULT_STEP 4096u

/*
 * Maps every page of the record area into this process now, writing one byte of each back
 * unchanged (only the producer writes the area; readers see the same bytes).
 * Otherwise a fresh ring's pages are allocated and mapped one page fault at a time while the
 * first pass of records streams in (measured: about 1.3 % of a core at 20k records/s on a
 * 2-core VM, until the ring wraps); and a ring the system cannot back (a full /dev/shm) is
 * refused here, with a message, instead of losing the records that reach the missing pages
 * later.
 */
static ad_err prod_map_area(ad_ring_producer *p, char *msg, size_t msgcap)
{
    volatile uint8_t *a = p->area;
    for (uint64_t off = 0; off < p->capacity; off += PREFAULT_STEP) {
        a[off] = a[off]; /* a write: a read alone maps a page that faults again when written */
    }
    if (ad__shm_faulted(&p->data)) {
        ad_err_msg(msg, msgcap,
                   "ring %s: the system cannot back its %llu bytes of shared memory (is the "
                   "shared-memory file system full?)",
                   p->name, (unsigned long long)p->capacity);
        return AD_ENOMEM;
    }
    return AD_OK;
}

ad_err ad_ring_producer_open(const ad_ring_config *cfg, ad_ring_producer **out, char *msg,
                             size_t msgcap)
{
    ad_ring_producer *p;
    ad__shm_perm perm;
    size_t size;
    ad_err err;

    ad_err_msg(msg, msgcap, "ok");
    *out = NULL;
    if ((err = prod_config_check(cfg, msg, msgcap)) != AD_OK) {
        return err;
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        ad_err_msg(msg, msgcap, "out of memory");
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
        err = ad__shm_create(cfg->name, AD__RING_KIND_DATA, cfg->global_namespace, size, &perm,
                             &p->data, msg, msgcap);
        if (err == AD_OK) {
            err = prod_create(p, cfg, msg, msgcap);
            break;
        }
        if (err != AD_EEXIST) {
            break;
        }
        ad__shm_expect exp = {.owner = cfg->owner != NULL ? cfg->owner : ""};
        err = ad__shm_open(cfg->name, AD__RING_KIND_DATA, cfg->global_namespace, true, &exp,
                           &p->data, msg, msgcap);
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
        NOTE(p, "replaced the existing objects (%s)", msg != NULL ? msg : ad_strerror(err));
        if (ad_ring_unlink(cfg->name, cfg->global_namespace) != AD_OK) {
            ad_err_msg(msg, msgcap,
                       "ring %s: cannot remove the existing objects to recreate them (only their "
                       "owner or root can)",
                       cfg->name);
            err = AD_EPERM;
            break;
        }
    }
    if (err == AD_OK) {
        err = prod_map_area(p, msg, msgcap);
    }
    if (err != AD_OK) {
        ad__shm_close(&p->cursor);
        ad__shm_close(&p->data);
        free(p);
        return err;
    }
    ad_err_msg(msg, msgcap, "ring %s: %s", p->name, p->note);
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

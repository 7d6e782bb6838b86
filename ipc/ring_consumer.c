/*
 * asimdns: the consumer half of the ring (asimdns-exporter): attach, peek with validation and
 * resynchronisation, wait, commit, heartbeat and the counters' seal. The memory-ordering
 * contract and the trust rules are at the top of ring_internal.h.
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

/* How far ahead of the record being checked peek asks for ring bytes (a prefetch never faults). */
#define PEEK_PREFETCH_AHEAD 16384u
#if defined(__GNUC__) || defined(__clang__)
#define AD_PREFETCH(p) __builtin_prefetch((p), 0, 0)
#else
#define AD_PREFETCH(p) ((void)(p))
#endif
#include "ipc/shm.h"

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
    /* What open or the last heartbeat repaired, for the caller to report. */
    char note[512];
};

#define NOTE(c, ...) ad_err_msg_append((c)->note, sizeof((c)->note), __VA_ARGS__)

static inline void cons_count(ad_ring_consumer *c, ad_exporter_counter e, uint64_t n)
{
    ad_atomic_add_relaxed(&c->cur->counters[e], n);
}

/* Damage in the ring itself: records_corrupt_ring, and the records_corrupt total. */
static inline void cons_corrupt(ad_ring_consumer *c)
{
    cons_count(c, AD_EXP_RECORDS_CORRUPT_RING, 1);
    cons_count(c, AD_EXP_RECORDS_CORRUPT, 1);
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
        ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)h.len) > c->capacity - off) {
        return false;
    }
    *prod = last + ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)h.len);
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
            cons_corrupt(c);
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
                cons_corrupt(c);
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
            cons_corrupt(c);
        }
    }
    rp = c->read_pos;
    while (n < max && rp < prod) {
        ad_ring_rec_hdr h;
        uint64_t off = rp & c->mask;
        uint64_t tail = c->capacity - off;
        uint64_t total;

        /* The records were written by capture on another core and have mostly left the
           caches: ask for the bytes a few records ahead (and the next page's translation)
           while this header is checked, not when the walk gets there. */
        AD_PREFETCH(c->area + ((rp + PEEK_PREFETCH_AHEAD) & c->mask));
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
        total = ad__ring_align8(AD_RING_REC_HDR_SIZE + (uint64_t)h.len);
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
            cons_corrupt(c);
            cons_resync(c, truth);
        } else if (cons_confirm(c, &truth) && truth > rp && truth - rp <= c->capacity) {
            /* Only the last record vouches for its end: follow it, but never more than a ring
               ahead (a damaged last_rec_pos would otherwise send us anywhere). */
            cons_corrupt(c);
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

static void cons_adopt_counters(ad_ring_consumer *c);

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
    (void)ad_ring_consumer_heartbeat_msg(c, now_ns, NULL, 0);
}

ad_err ad_ring_consumer_heartbeat_msg(ad_ring_consumer *c, uint64_t now_ns, char *msg,
                                      size_t msgcap)
{
    c->note[0] = '\0';
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
    cons_adopt_counters(c);
    cons_seal_counters(c);
    ad_atomic_store_relaxed(&c->cur->heartbeat_ns, now_ns);
    if (c->note[0] == '\0') {
        ad_err_msg(msg, msgcap, "%s", "");
        return AD_OK;
    }
    ad_err_msg(msg, msgcap, "ring %s: %s", c->name, c->note);
    return AD_ECORRUPT;
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
    err = ad__shm_open(c->name, AD__RING_KIND_DATA, c->global, false, &exp, &probe, NULL, 0);
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
static void cons_adopt_counters(ad_ring_consumer *c)
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
    NOTE(c,
         "%u exporter counter(s) in the cursor object were not plausible (not what the "
         "exporter last sealed); reset them to their last sealed values",
         bad);
}

ad_err ad_ring_consumer_open(const ad_ring_consumer_config *cfg, ad_ring_consumer **out, char *msg,
                             size_t msgcap)
{
    ad_ring_consumer *c;
    const ad_ring_data_hdr *h;
    ad_ring_cursor *cur;
    uint64_t prod, cons, pid, rp, cseq, now;
    ad_err err;

    ad_err_msg(msg, msgcap, "ok");
    *out = NULL;
    if (ad_ring_name_check(cfg->name) != AD_OK) {
        ad_err_msg(msg, msgcap, "ring name \"%s\" is invalid",
                   cfg->name != NULL ? cfg->name : "(null)");
        return AD_EINVAL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        ad_err_msg(msg, msgcap, "out of memory");
        return AD_ENOMEM;
    }
    c->data.guard = c->cursor.guard = -1;
    snprintf(c->name, sizeof(c->name), "%s", cfg->name);
    c->global = cfg->global_namespace;

    /* Data: read-only; refuse one that others than its owner could write. */
    ad__shm_expect dexp = {.owner = cfg->expected_owner, .deny_mode = 0022};
    err = ad__shm_open(cfg->name, AD__RING_KIND_DATA, cfg->global_namespace, false, &dexp, &c->data,
                       msg, msgcap);
    if (err != AD_OK) {
        goto fail;
    }
    h = (const ad_ring_data_hdr *)c->data.addr;
    if ((err = ad__ring_check_data(h, c->data.size, true, cfg->name, msg, msgcap)) != AD_OK) {
        goto fail;
    }
    ad__shm_expect cexp = {
        .owner = cfg->expected_owner, .deny_mode = 0002, .max_map = AD_RING_CURSOR_SIZE};
    err = ad__shm_open(cfg->name, AD__RING_KIND_CURSOR, cfg->global_namespace, true, &cexp,
                       &c->cursor, msg, msgcap);
    if (err != AD_OK) {
        goto fail;
    }
    if (c->cursor.size < AD_RING_CURSOR_SIZE) {
        ad_err_msg(msg, msgcap, "ring %s: cursor object is too small (%llu bytes)", cfg->name,
                   (unsigned long long)c->cursor.size);
        err = AD_ECORRUPT;
        goto fail;
    }
    if (strcmp(c->data.owner, c->cursor.owner) != 0) {
        ad_err_msg(msg, msgcap,
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
        ad_err_msg(msg, msgcap,
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
        if (ad__ring_heartbeat_fresh(hb, now, cfg->stale_ns)) {
            ad_err_msg(msg, msgcap,
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
    if (!ad__ring_cursor_plausible(cons, prod, c->capacity)) {
        prod &= ~(uint64_t)(AD_RING_ALIGN - 1);
        cons_count(c, AD_EXP_RESYNCS, 1);
        NOTE(c, "committed cursor %llu is impossible (producer %llu); resuming at the producer",
             (unsigned long long)cons, (unsigned long long)prod);
        cons = prod;
        cseq = 0;
        ad_atomic_store_release(&cur->consumer_pos, cons);
    }
    if (cseq >= ad_atomic_load_relaxed(&h->next_seq)) {
        cseq = 0; /* not a sequence this ring has handed out: unknown */
    }
    c->epoch = ad_atomic_load_relaxed(&cur->cursor_epoch);
    cons_adopt_counters(c);
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
    if (c->note[0] != '\0') {
        ad_err_msg(msg, msgcap, "ring %s: %s", c->name, c->note);
    } else {
        ad_err_msg(msg, msgcap, "%s", "");
    }
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

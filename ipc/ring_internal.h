/*
 * asimdns: what the ring's units share (internal to ipc/): the producer (ring_producer.c, the
 * only half asimdns-capture links), the consumer (ring_consumer.c), the checks both sides and
 * the status reader run (ring_check.c), the exporter counters' seal (ring_seal.c) and the
 * counter names (ring_counter_names.c). OS specifics live behind ipc/shm.h; the layout in
 * ring_layout.h.
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
#ifndef AD_IPC_RING_INTERNAL_H
#define AD_IPC_RING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/compiler.h"
#include "common/error.h"
#include "ipc/ring_layout.h"
#include "ipc/ring.h"

/* The two shared-memory objects of a ring: asimdns-<name>-data and asimdns-<name>-cursor. */
#define AD__RING_KIND_DATA "data"
#define AD__RING_KIND_CURSOR "cursor"

static inline uint64_t ad__ring_align8(uint64_t n)
{
    return (n + (AD_RING_ALIGN - 1)) & ~(uint64_t)(AD_RING_ALIGN - 1);
}

static inline bool ad__ring_is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Largest payload a ring of this capacity accepts: a record must fit four times. */
static inline bool ad__ring_payload_fits(uint64_t capacity, uint64_t max_payload)
{
    return max_payload >= 1 && max_payload <= AD_RING_MAX_PAYLOAD_LIMIT &&
           ad__ring_align8(AD_RING_REC_HDR_SIZE + max_payload) <= capacity / 4;
}

/*
 * A heartbeat counts as fresh within stale_ns either side of now: wall clocks can step back,
 * and a live peer must not look dead (or the other way round) because of that.
 */
static inline bool ad__ring_heartbeat_fresh(uint64_t hb, uint64_t now, uint64_t stale_ns)
{
    uint64_t age = now >= hb ? now - hb : hb - now;
    return hb != 0 && age < stale_ns;
}

/* splitmix64: the generation and the counters' seal. */
static inline uint64_t ad__ring_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A consumer position capture may use: aligned, not ahead of us, not more than a ring behind. */
static inline bool ad__ring_cursor_plausible(uint64_t c, uint64_t pos, uint64_t capacity)
{
    return (c & (AD_RING_ALIGN - 1)) == 0 && c <= pos && pos - c <= capacity;
}

/*
 * Validates a mapped data header (magic with acquire, layout version, sizes, capacity, max
 * payload). mapped is the number of bytes mapped; whole says the mapping covers the whole
 * object, whose size must then equal header + capacity. AD_ENOENT: still being created
 * (magic 0); AD_EVERSION: another layout; AD_ECORRUPT: impossible values. Message in msg.
 */
ad_err ad__ring_check_data(const ad_ring_data_hdr *h, size_t mapped, bool whole, const char *name,
                           char *msg, size_t msgcap);

/*
 * The exporter counters of a cursor page as far as they can be trusted. The exporter seals a
 * copy of its counters at every heartbeat (counters_snapshot + counters_seal). A live counter
 * is trusted when the seal holds and it lies between its sealed value and that value plus
 * AD__RING_COUNTER_STEP (counters only grow, and not by that much in one heartbeat); else the
 * sealed value stands in for it; without a valid seal every non-zero counter is untrusted and
 * reads 0. out[i] receives the trusted values; returns how many counters were not trusted.
 */
#define AD__RING_COUNTER_STEP (1ULL << 40)
unsigned ad__ring_counters_verify(const ad_ring_cursor *cur, uint64_t out[AD_RING_COUNTER_SLOTS]);

/* The seal over a snapshot of counters (never 0, so an all-zero page does not verify). */
uint64_t ad__ring_counters_seal(const ad_ring_cursor *cur);

#endif

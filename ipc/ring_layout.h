/*
 * asimdns: the shared-memory layout of the ring. Both processes (and `asimdns status`) map
 * these structures, so every offset here is part of the on-memory contract: change any of
 * them and bump AD_RING_LAYOUT_VERSION. Adding a counter never changes the layout (counters
 * live in fixed arrays of slots).
 *
 * Two objects per ring (docs/RING.md has the picture):
 *   data   = ad_ring_data_hdr (one 4 KiB page) + record area (capacity bytes, a power of two).
 *            Written only by capture; the exporter maps it read-only.
 *   cursor = ad_ring_cursor (one 4 KiB page). Written by the exporter; capture reads only
 *            consumer_pos from it, and treats it as hostile.
 *
 * Hot words sit 128 bytes apart (two cache lines, because Intel's adjacent-line prefetcher
 * pulls lines in pairs) so the producer's stores never invalidate the line the consumer polls.
 */
#ifndef AD_IPC_RING_LAYOUT_H
#define AD_IPC_RING_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "ipc/atomics.h"

#define AD_RING_MAGIC 0x474e4952534e4441ULL        /* "ADNSRING" as little-endian bytes */
#define AD_RING_CURSOR_MAGIC 0x5352554353534e41ULL /* "ANSSCURS" as little-endian bytes */
#define AD_RING_LAYOUT_VERSION 1u

#define AD_RING_HEADER_SIZE 4096u /* data header page; the record area follows it */
#define AD_RING_CURSOR_SIZE 4096u /* the whole cursor object */
#define AD_RING_COUNTER_SLOTS 64u /* u64 counters per side */
#define AD_RING_DECODE_SLOTS 32u  /* decode-error table entries; the last one is "other" */
#define AD_RING_ALIGN 8u          /* every record starts and ends 8-byte aligned */
#define AD_RING_HOT_STRIDE 128u   /* distance between words written by different parties */

/* Record types in the ring header. Unusual values so zeroed or random memory rarely matches. */
#define AD_RING_REC_DATA 0xda7au
#define AD_RING_REC_PAD 0x9ad0u

/*
 * The header in front of every record in the area. A DATA record is this header (16 bytes)
 * plus len payload bytes, rounded up to 8. A PAD record fills the area from its offset to the
 * end (so the next record starts at offset 0); only its first 8 bytes (len, type, check) are
 * meaningful, and len counts the bytes after those 8. A pad can therefore be as short as 8.
 */
typedef struct ad_ring_rec_hdr {
    uint32_t len;   /* DATA: payload bytes; PAD: bytes after the first 8 up to the area end */
    uint16_t type;  /* AD_RING_REC_DATA or AD_RING_REC_PAD */
    uint16_t check; /* ad_ring_rec_check(len, type, seq): catches flipped or torn headers */
    uint64_t seq;   /* DATA: the record's sequence number; PAD: not present / ignored */
} ad_ring_rec_hdr;

#define AD_RING_REC_HDR_SIZE 16u
#define AD_RING_PAD_HDR_SIZE 8u

/*
 * A 16-bit check over the record header fields. It is not a checksum of the payload (the
 * payload is opaque to the ring and carries its own validation); it makes a random corruption
 * of the header fail validation with probability 1 - 2^-16 on top of the range checks.
 */
static inline uint16_t ad_ring_rec_check(uint32_t len, uint16_t type, uint64_t seq)
{
    uint64_t x = ((uint64_t)len | ((uint64_t)type << 32)) ^ (seq * 0x9e3779b97f4a7c15ULL);
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    return (uint16_t)((x ^ (x >> 16) ^ (x >> 32) ^ (x >> 48)) ^ 0x5a5au);
}

/* One decode-error slot: key = 1 << 32 | version << 16 | event_id (0 = unused). */
typedef struct ad_ring_decode_slot {
    ad_atomic_u64 key;
    ad_atomic_u64 count;
} ad_ring_decode_slot;

#define AD_RING_DECODE_KEY(id, ver) ((1ULL << 32) | ((uint64_t)(ver) << 16) | (uint64_t)(id))
#define AD_RING_DECODE_KEY_OTHER (2ULL << 32)

/* The data object's header page. Written only by capture. */
typedef struct ad_ring_data_hdr {
    /* Identity: written once at creation; magic last, with release (pairs with acquire). */
    ad_atomic_u64 magic;     /* AD_RING_MAGIC */
    uint32_t layout_version; /* AD_RING_LAYOUT_VERSION */
    uint32_t header_size;    /* AD_RING_HEADER_SIZE: offset of the record area */
    uint64_t capacity;       /* record area bytes, a power of two */
    uint32_t max_payload;    /* largest payload a DATA record may carry */
    uint32_t rec_hdr_size;   /* AD_RING_REC_HDR_SIZE, a second layout check */
    uint64_t generation;     /* random at creation; (generation, seq) is a unique record id */
    uint64_t created_ns;     /* wall clock, Unix ns, when the objects were created */
    uint8_t pad0[AD_RING_HOT_STRIDE - 48];

    /* The line the consumer polls: only producer_pos, stored once per record. Anything else
       the producer stores per record lives elsewhere, or each record would move this line
       between the two caches twice. */
    ad_atomic_u64 producer_pos; /* bytes ever written; published with release */
    uint8_t pad1[AD_RING_HOT_STRIDE - 8];

    /* Producer bookkeeping, also stored per record, read by others only when recovering. */
    ad_atomic_u64 next_seq;     /* sequence the next record will get (first record: 1) */
    ad_atomic_u64 last_rec_pos; /* start of the last record committed (crash recovery) */
    uint8_t pad2[AD_RING_HOT_STRIDE - 16];

    /* Capture liveness: relaxed, single writer. */
    ad_atomic_u64 capture_pid;  /* 0 after a clean close */
    ad_atomic_u64 start_ns;     /* wall clock, Unix ns, of the current attach */
    ad_atomic_u64 heartbeat_ns; /* wall clock, Unix ns, of the last producer heartbeat */
    ad_atomic_u64 attaches;     /* how many times a capture opened this ring */
    uint8_t pad3[AD_RING_HOT_STRIDE - 32];

    ad_atomic_u64 counters[AD_RING_COUNTER_SLOTS];           /* indexed by ad_capture_counter */
    ad_ring_decode_slot decode_errors[AD_RING_DECODE_SLOTS]; /* by (event id, version) */

    /*
     * Monitoring (layout 1, added in space that was reserved and zero, so a ring made by an
     * older build reads as "not recorded": every reader treats 0 that way). `asimdns status
     * --check` is a one-shot process without history; these words give it the last interval.
     * Relaxed, single writer (the heartbeat), stored in this order: interval_base, then
     * interval_end, then interval_end_ns, then heartbeat_ns.
     */
    ad_atomic_u64 heartbeat_interval_ns; /* the heartbeat period capture promises; 0 = unknown */
    ad_atomic_u64 prev_heartbeat_ns;     /* the heartbeat before heartbeat_ns */
    ad_atomic_u64 interval_end_ns;       /* the heartbeat at which interval_end was taken */
    uint8_t pad4[AD_RING_HOT_STRIDE - 24];
    ad_atomic_u64 interval_base[AD_RING_COUNTER_SLOTS]; /* counters at prev_heartbeat_ns */
    ad_atomic_u64 interval_end[AD_RING_COUNTER_SLOTS];  /* counters at interval_end_ns */
    uint8_t reserved[AD_RING_HEADER_SIZE - 2688];       /* zero; future fields */
} ad_ring_data_hdr;

/* The cursor object. Written by the exporter (its identity words by capture at creation). */
typedef struct ad_ring_cursor {
    ad_atomic_u64 magic;     /* AD_RING_CURSOR_MAGIC, release at creation */
    uint32_t layout_version; /* AD_RING_LAYOUT_VERSION */
    uint32_t size;           /* AD_RING_CURSOR_SIZE */
    uint64_t generation;     /* the data object's generation when both were created */
    uint8_t pad0[AD_RING_HOT_STRIDE - 24];

    /* Consumer hot line. */
    ad_atomic_u64 consumer_pos; /* everything before it may be overwritten; release */
    uint8_t pad1[AD_RING_HOT_STRIDE - 8];

    /* Exporter state: relaxed, single writer. */
    ad_atomic_u64 exporter_pid;    /* 0 after a clean close */
    ad_atomic_u64 start_ns;        /* wall clock, Unix ns, of the current attach */
    ad_atomic_u64 heartbeat_ns;    /* wall clock, Unix ns, of the last consumer heartbeat */
    ad_atomic_u64 generation_seen; /* data generation the exporter attached to */
    ad_atomic_u64 read_pos;        /* advisory: how far the exporter has peeked */
    ad_atomic_u64 committed_seq;   /* sequence of the last record committed (0 = none) */
    ad_atomic_u64 attaches;        /* how many times an exporter opened this ring */
    uint8_t pad2[256 - 56];

    ad_atomic_u64 counters[AD_RING_COUNTER_SLOTS]; /* indexed by ad_exporter_counter */

    /* Monitoring (layout 1, in formerly reserved space: 0 = not recorded, as above). Relaxed,
       written by the exporter's delivery thread. */
    ad_atomic_u64 heartbeat_interval_ns; /* the heartbeat period the exporter promises */
    ad_atomic_u64 last_ok_ns;            /* wall clock of the last acknowledged batch */
    ad_atomic_u64 failing_since_ns;      /* first failed attempt since then; 0 = not failing */
    ad_atomic_u64 last_failure_ns;       /* wall clock of the last failed attempt */
    ad_atomic_u64 delivery_failures;     /* failed attempts since the last success */

    /* Recovery (layout 1, formerly reserved and zero). cursor_epoch: written by capture, which
       bumps it whenever it re-initialises a cursor it can no longer trust (an attached
       exporter then re-attaches). counters_seal and counters_snapshot: written by the exporter
       at each heartbeat: a copy of counters[] and a check over it, so the next exporter can
       tell inherited counters from scribbles (ad__ring_counters_verify). */
    ad_atomic_u64 cursor_epoch;
    ad_atomic_u64 counters_seal;
    /* The disk spool's gauges (layout 1, formerly reserved and zero: 0 = no spool). Relaxed,
       written by the exporter's spool stage; ad_ring_spool_gauges in ring.h. */
    ad_atomic_u64 spool_state;
    ad_atomic_u64 spool_bytes;
    ad_atomic_u64 spool_records;
    ad_atomic_u64 spool_segments;
    ad_atomic_u64 spool_oldest_ns;
    uint8_t pad3[1152 - 1120];
    ad_atomic_u64 counters_snapshot[AD_RING_COUNTER_SLOTS];
    uint8_t reserved[AD_RING_CURSOR_SIZE - 1664];
} ad_ring_cursor;

_Static_assert(sizeof(ad_ring_rec_hdr) == AD_RING_REC_HDR_SIZE, "record header is 16 bytes");
_Static_assert(offsetof(ad_ring_rec_hdr, seq) == AD_RING_PAD_HDR_SIZE, "pad header is 8 bytes");
_Static_assert(sizeof(ad_ring_decode_slot) == 16, "decode slot is 16 bytes");

_Static_assert(offsetof(ad_ring_data_hdr, layout_version) == 8, "data layout");
_Static_assert(offsetof(ad_ring_data_hdr, capacity) == 16, "data layout");
_Static_assert(offsetof(ad_ring_data_hdr, generation) == 32, "data layout");
_Static_assert(offsetof(ad_ring_data_hdr, producer_pos) == 128, "producer line");
_Static_assert(offsetof(ad_ring_data_hdr, next_seq) == 256, "producer bookkeeping");
_Static_assert(offsetof(ad_ring_data_hdr, last_rec_pos) == 264, "producer bookkeeping");
_Static_assert(offsetof(ad_ring_data_hdr, capture_pid) == 384, "capture liveness");
_Static_assert(offsetof(ad_ring_data_hdr, counters) == 512, "capture counters");
_Static_assert(offsetof(ad_ring_data_hdr, decode_errors) == 1024, "decode errors");
_Static_assert(offsetof(ad_ring_data_hdr, heartbeat_interval_ns) == 1536, "monitoring");
_Static_assert(offsetof(ad_ring_data_hdr, interval_base) == 1664, "monitoring");
_Static_assert(offsetof(ad_ring_data_hdr, interval_end) == 2176, "monitoring");
_Static_assert(sizeof(ad_ring_data_hdr) == AD_RING_HEADER_SIZE, "data header is one page");

_Static_assert(offsetof(ad_ring_cursor, consumer_pos) == 128, "consumer line");
_Static_assert(offsetof(ad_ring_cursor, exporter_pid) == 256, "exporter state");
_Static_assert(offsetof(ad_ring_cursor, counters) == 512, "exporter counters");
_Static_assert(offsetof(ad_ring_cursor, heartbeat_interval_ns) == 1024, "exporter monitoring");
_Static_assert(offsetof(ad_ring_cursor, delivery_failures) == 1056, "exporter monitoring");
_Static_assert(offsetof(ad_ring_cursor, cursor_epoch) == 1064, "cursor recovery");
_Static_assert(offsetof(ad_ring_cursor, spool_state) == 1080, "spool gauges");
_Static_assert(offsetof(ad_ring_cursor, counters_snapshot) == 1152, "cursor recovery");
_Static_assert(sizeof(ad_ring_cursor) == AD_RING_CURSOR_SIZE, "cursor is one page");

#endif

/*
 * asimdns: the shared-memory ring between asimdns-capture (single producer) and
 * asimdns-exporter (single consumer). Contract: DESIGN.md §3; layout and memory ordering:
 * docs/RING.md and the top of ipc/ring_internal.h.
 *
 * Records are variable-length opaque byte strings (the capture puts a common/record.h record
 * in each). The ring numbers every accepted record with a sequence that continues across
 * capture restarts; a record dropped because the ring is full still consumes its number, so
 * gaps downstream equal counted drops. (generation, sequence) identifies a record uniquely.
 *
 * Threading: each handle is used by one thread at a time. Counter slots are single-writer:
 * a given slot may be updated by a different thread than the records, but always the same one.
 */
#ifndef AD_IPC_RING_H
#define AD_IPC_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct ad_ring_producer ad_ring_producer;
typedef struct ad_ring_consumer ad_ring_consumer;

#define AD_RING_NAME_MAX 48          /* ring names: [A-Za-z0-9._-]{1,48} */
#define AD_RING_MIN_CAPACITY 4096ULL /* record area bounds (powers of two) */
#define AD_RING_MAX_CAPACITY (1ULL << 30)
#define AD_RING_DEFAULT_CAPACITY (64ULL << 20) /* facts: 64 MiB absorbs ~1 s at 200k ev/s */
#define AD_RING_MAX_PAYLOAD_LIMIT 65536u       /* hard upper bound for max_payload */
#define AD_RING_DEFAULT_DATA_MODE 0640u
#define AD_RING_DEFAULT_CURSOR_MODE 0660u
#define AD_RING_DEFAULT_STALE_NS (5ULL * 1000000000ULL) /* a heartbeat older than this: dead */
#define AD_RING_DEFAULT_HEARTBEAT_NS 1000000000ULL      /* heartbeat period when not configured */
#define AD_RING_DEFAULT_DIRECTORY "/run/asimdns"        /* POSIX: where the ring objects live */
/* Who must own a ring the exporter attaches to when its configuration names nobody: root on
   POSIX (capture creates the ring before it drops privileges); on Windows the sections'
   descriptor already names the accounts, and the capture's account varies (NULL: not
   checked beyond "data and cursor have the same owner"). */
#ifdef AD_PLATFORM_WINDOWS
#define AD_RING_DEFAULT_OWNER NULL
#else
#define AD_RING_DEFAULT_OWNER "root"
#endif

/*
 * Capture-side counters, one u64 slot each in the data header. Append only: the index of an
 * existing counter never changes (it is part of the shared layout); at most 64 slots.
 */
#define AD_CAPTURE_COUNTERS(X)                                                                     \
    X(EVENTS_IN, "events_in")                                                                      \
    X(RECORDS_WRITTEN, "records_written")                                                          \
    X(DROPPED_RING_FULL, "dropped_ring_full")                                                      \
    X(DROPPED_TOO_LARGE, "dropped_too_large")                                                      \
    X(DECODE_ERRORS, "decode_errors")                                                              \
    X(UNSUPPORTED_EVENTS, "unsupported_events")                                                    \
    X(ETW_EVENTS_LOST, "etw_events_lost")                                                          \
    X(ETW_REALTIME_BUFFERS_LOST, "etw_realtime_buffers_lost")                                      \
    X(ETW_LOG_BUFFERS_LOST, "etw_log_buffers_lost")                                                \
    X(ETW_RT_LOST_EVENTS, "etw_rt_lost_events")                                                    \
    X(REPLAY_BAD_LINES, "replay_bad_lines")                                                        \
    X(DNSTAP_FRAMES, "dnstap_frames")                                                              \
    X(DNSTAP_BAD_FRAMES, "dnstap_bad_frames")                                                      \
    X(DNSTAP_WRITERS_DROPPED, "dnstap_writers_dropped")                                            \
    X(CURSOR_INVALID, "cursor_invalid")                                                            \
    X(BYTES_WRITTEN, "bytes_written")                                                              \
    X(CURSOR_FAULTS, "cursor_faults")                                                              \
    X(DNSTAP_PAIR_EVICTIONS, "dnstap_pair_evictions")                                              \
    X(DNSTAP_HANDSHAKE_TIMEOUTS, "dnstap_handshake_timeouts")                                      \
    X(DNSTAP_IDLE_TIMEOUTS, "dnstap_idle_timeouts")                                                \
    X(DNSTAP_USER_LIMIT_REFUSALS, "dnstap_user_limit_refusals")                                    \
    X(DNSTAP_WRITER_LIMIT_REFUSALS, "dnstap_writer_limit_refusals")                                \
    X(DNSTAP_BAD_FRAME_DISCONNECTS, "dnstap_bad_frame_disconnects")                                \
    X(DNSTAP_PROTOCOL_ERRORS, "dnstap_protocol_errors")                                            \
    X(CLIENT_PAIR_EVICTIONS, "client_pair_evictions")                                              \
    X(CURSOR_REINITS, "cursor_reinits")                                                            \
    X(HEADER_REPAIRS, "header_repairs")                                                            \
    X(PROCESS_LOOKUPS, "process_lookups")                                                          \
    X(PROCESS_CACHE_HITS, "process_cache_hits")                                                    \
    X(PROCESS_LOOKUP_MISSES, "process_lookup_misses")                                              \
    X(PROCESS_LOOKUP_FAILURES, "process_lookup_failures")                                          \
    X(PROCESS_CACHE_EVICTIONS, "process_cache_evictions")

/*
 * Exporter-side counters, one u64 slot each in the cursor object. Append only, as above.
 * records_corrupt is the sum of its three causes, each counted on its own too:
 * records_corrupt_ring (a record header or producer position in the ring failed validation:
 * the reader resynchronised or waits), records_corrupt_payload (a payload that does not decode,
 * or whose own sequence disagrees with its ring header) and records_unmappable (a valid record
 * of a provider this build cannot map to ASIM).
 */
#define AD_EXPORTER_COUNTERS(X)                                                                    \
    X(RECORDS_READ, "records_read")                                                                \
    X(RECORDS_EXPORTED, "records_exported")                                                        \
    X(RECORDS_FILTERED, "records_filtered")                                                        \
    X(BATCHES_OK, "batches_ok")                                                                    \
    X(BATCHES_FAILED, "batches_failed")                                                            \
    X(BATCHES_RETRIED, "batches_retried")                                                          \
    X(RECORDS_REJECTED, "records_rejected")                                                        \
    X(RECORDS_CORRUPT, "records_corrupt")                                                          \
    X(RESYNCS, "resyncs")                                                                          \
    X(SEQUENCE_GAPS, "sequence_gaps")                                                              \
    X(DUPLICATES_POSSIBLE, "duplicates_possible")                                                  \
    X(BYTES_SENT, "bytes_sent")                                                                    \
    X(RECORDS_LOST_CORRUPT, "records_lost_corrupt")                                                \
    X(BYTES_SKIPPED_CORRUPT, "bytes_skipped_corrupt")                                              \
    X(BYTES_READ, "bytes_read")                                                                    \
    X(RESPONSE_PACKETS_MALFORMED, "response_packets_malformed")                                    \
    X(COUNTERS_RESET, "counters_reset")                                                            \
    X(CURSOR_REPAIRS, "cursor_repairs")                                                            \
    X(RESPONSES_TOO_LARGE, "responses_too_large")                                                  \
    X(TRANSPORT_FATAL_ERRORS, "transport_fatal_errors")                                            \
    X(LI_REQUESTS, "li_requests")                                                                  \
    X(LI_BYTES_UNCOMPRESSED, "li_bytes_uncompressed")                                              \
    X(LI_BYTES_COMPRESSED, "li_bytes_compressed")                                                  \
    X(LI_SPLITS_413, "li_splits_413")                                                              \
    X(LI_THROTTLED, "li_throttled")                                                                \
    X(LI_TOKEN_REFRESHES, "li_token_refreshes")                                                    \
    X(LI_AUTH_FAILURES, "li_auth_failures")                                                        \
    X(LI_REQUESTS_REJECTED, "li_requests_rejected")                                                \
    X(LI_FIELDS_TRUNCATED, "li_fields_truncated")                                                  \
    X(SPOOL_RECORDS_WRITTEN, "spool_records_written")                                              \
    X(SPOOL_BYTES_WRITTEN, "spool_bytes_written")                                                  \
    X(SPOOL_RECORDS_READ, "spool_records_read")                                                    \
    X(SPOOL_FSYNCS, "spool_fsyncs")                                                                \
    X(SPOOL_FULL_EVENTS, "spool_full_events")                                                      \
    X(RECORDS_LOST_SPOOL_FULL, "records_lost_spool_full")                                          \
    X(RECORDS_LOST_SPOOL_AGE, "records_lost_spool_age")                                            \
    X(RECORDS_LOST_SPOOL_CORRUPT, "records_lost_spool_corrupt")                                    \
    X(SPOOL_BLOCKS_CORRUPT, "spool_blocks_corrupt")                                                \
    X(SPOOL_TAIL_TRUNCATIONS, "spool_tail_truncations")                                            \
    X(SPOOL_DISK_ERRORS, "spool_disk_errors")                                                      \
    X(SPOOL_DEGRADED, "spool_degraded")                                                            \
    X(SPOOL_RECOVERIES, "spool_recoveries")                                                        \
    X(SPOOL_RING_DUPLICATES_SKIPPED, "spool_ring_duplicates_skipped")                              \
    X(RECORDS_CORRUPT_RING, "records_corrupt_ring")                                                \
    X(RECORDS_CORRUPT_PAYLOAD, "records_corrupt_payload")                                          \
    X(RECORDS_UNMAPPABLE, "records_unmappable")                                                    \
    X(AGGREGATE_RECORDS_IN, "aggregate_records_in")                                                \
    X(AGGREGATE_ROWS_OUT, "aggregate_rows_out")                                                    \
    X(AGGREGATE_EVICTIONS, "aggregate_evictions")

#define AD__RING_ENUM_CAPTURE(id, name) AD_CAP_##id,
#define AD__RING_ENUM_EXPORTER(id, name) AD_EXP_##id,
typedef enum ad_capture_counter {
    AD_CAPTURE_COUNTERS(AD__RING_ENUM_CAPTURE) AD_CAP__COUNT
} ad_capture_counter;
typedef enum ad_exporter_counter {
    AD_EXPORTER_COUNTERS(AD__RING_ENUM_EXPORTER) AD_EXP__COUNT
} ad_exporter_counter;
#undef AD__RING_ENUM_CAPTURE
#undef AD__RING_ENUM_EXPORTER

/* Snake-case names ("dropped_ring_full"); NULL for an index without a counter. */
const char *ad_capture_counter_name(unsigned idx);
const char *ad_exporter_counter_name(unsigned idx);

/* ---- configuration ---------------------------------------------------------------------- */

/* How capture creates or re-attaches its ring. ad_ring_config_init fills the defaults. */
typedef struct ad_ring_config {
    const char *name;     /* ring name; objects are asimdns-<name>-data / -cursor */
    uint64_t capacity;    /* record area bytes, power of two, 4 KiB .. 1 GiB */
    uint32_t max_payload; /* largest record payload; default AD_RECORD_MAX_SIZE */
    /* POSIX: who owns the objects and who may attach. */
    const char *owner;    /* user name or uid owning both objects; NULL = effective uid */
    const char *group;    /* exporter's group (name or gid); NULL = effective gid */
    uint32_t data_mode;   /* default 0640; group/other write bits are refused */
    uint32_t cursor_mode; /* default 0660 */
    /* Windows: the section security descriptor and name space. */
    const char *exporter_account; /* exporter's account: SID string or account name */
    bool global_namespace;        /* Global\ (services) instead of Local\ */
    /* Both: what to do when an object with our name exists but cannot be reused. */
    bool recreate_on_mismatch; /* unlink and recreate (new generation) instead of refusing */
    uint64_t stale_ns;         /* a producer heartbeat older than this means "not running" */
    /* The heartbeat period capture keeps (stored in the header: `asimdns status --check` calls
       a heartbeat older than 3 periods stale). Default AD_RING_DEFAULT_HEARTBEAT_NS. */
    uint64_t heartbeat_interval_ns;
} ad_ring_config;

/* How the exporter (or a test) attaches. */
typedef struct ad_ring_consumer_config {
    const char *name;
    const char *expected_owner; /* POSIX user / Windows SID of capture; NULL = not checked
                                   beyond "data and cursor have the same owner" */
    bool global_namespace;
    uint64_t stale_ns;              /* a consumer heartbeat older than this means "not running" */
    uint64_t heartbeat_interval_ns; /* the exporter's promised period, stored in the cursor */
} ad_ring_consumer_config;

void ad_ring_config_init(ad_ring_config *cfg, const char *name);
void ad_ring_consumer_config_init(ad_ring_consumer_config *cfg, const char *name);

/*
 * POSIX: the directory holding every ring object of this process (default
 * AD_RING_DEFAULT_DIRECTORY; NULL or "" restores it). It must be an absolute path; the
 * capture creates it (0755) when missing; every open refuses a directory that someone other
 * than root or the ring's owner could add names to. Call once at start-up, before any ring is
 * opened (not thread-safe). AD_EINVAL for a relative or too long path. Windows: ignored.
 */
ad_err ad_ring_set_directory(const char *dir);
const char *ad_ring_directory(void);

/* AD_OK when name is a valid ring name. */
ad_err ad_ring_name_check(const char *name);

/*
 * Removes both named objects (POSIX shm_unlink; Windows: nothing to do, sections vanish with
 * their last handle). Missing objects are not an error.
 */
ad_err ad_ring_unlink(const char *name, bool global_namespace);

/* ---- producer (capture) ------------------------------------------------------------------- */

/*
 * Creates the ring exclusively, or re-attaches to the existing one when it is ours and has the
 * configured layout, capacity and max payload; a re-attached ring keeps its records, positions,
 * sequence, generation and counters. Refused (message in msg): a foreign owner (squatting), a
 * different layout/version/capacity (AD_EVERSION) unless cfg->recreate_on_mismatch, or a live
 * producer already attached (AD_EEXIST). msg may be NULL. On success msg says what happened
 * ("ring NAME: created (...)" or "re-attached (...)", after anything replaced or recreated on
 * the way) for the caller to log: the ring itself never logs.
 */
ad_err ad_ring_producer_open(const ad_ring_config *cfg, ad_ring_producer **out, char *msg,
                             size_t msgcap);

/* Marks the producer detached (pid 0) and unmaps; the objects stay for the next attach. */
void ad_ring_producer_close(ad_ring_producer *p);

/*
 * Reserves room for a record of len payload bytes and returns where to write it. Never blocks.
 * *seq receives the record's sequence number in every case.
 *   AD_OK     *payload points at len writable bytes; finish with commit or cancel.
 *   AD_EFULL  ring full: the record is dropped, counted (dropped_ring_full), seq consumed.
 *   AD_ERANGE len > max payload: dropped, counted (dropped_too_large), seq consumed.
 */
ad_err ad_ring_producer_reserve(ad_ring_producer *p, size_t len, void **payload, uint64_t *seq);

/*
 * Like reserve, but a full ring returns AD_EFULL without consuming a sequence number or
 * counting a drop: for producers that can wait (tests, benchmarks), never for capture.
 */
ad_err ad_ring_producer_try_reserve(ad_ring_producer *p, size_t len, void **payload, uint64_t *seq);

/* Publishes the reserved record with its final length (<= the reserved length). */
void ad_ring_producer_commit(ad_ring_producer *p, size_t len);

/* Abandons the reservation; its sequence number is given to the next record. */
void ad_ring_producer_cancel(ad_ring_producer *p);

/* reserve + copy + commit. Same results as reserve. */
ad_err ad_ring_producer_write(ad_ring_producer *p, const void *data, size_t len, uint64_t *seq);

/* True when a record of len payload bytes would fit right now (refreshes the consumer view). */
bool ad_ring_producer_has_room(ad_ring_producer *p, size_t len);

/*
 * Stores now_ns (wall clock, Unix ns) as the capture heartbeat. Call about once a second from
 * the producing thread; it also repairs the cursor mapping if the exporter truncated it, and
 * records every counter's value at this and at the previous heartbeat (the "last interval"
 * that `asimdns status --check` looks at for rising drops).
 */
void ad_ring_producer_heartbeat(ad_ring_producer *p, uint64_t now_ns);
/* The same, reporting a repair: AD_ECORRUPT when it rewrote the header's identity words or
   restored or re-initialised the cursor object (each also counted), with what it did in msg
   ("" and AD_OK when nothing needed repair), for the caller to log. */
ad_err ad_ring_producer_heartbeat_msg(ad_ring_producer *p, uint64_t now_ns, char *msg,
                                      size_t msgcap);

void ad_ring_producer_counter_add(ad_ring_producer *p, ad_capture_counter c, uint64_t n);
/* For counters polled as absolute values (ETW session loss counters). */
void ad_ring_producer_counter_set(ad_ring_producer *p, ad_capture_counter c, uint64_t v);
uint64_t ad_ring_producer_counter_get(const ad_ring_producer *p, ad_capture_counter c);

/* Counts one decode error for (event_id, version) and the decode_errors total. */
void ad_ring_producer_decode_error(ad_ring_producer *p, uint16_t event_id, uint8_t version);

uint64_t ad_ring_producer_generation(const ad_ring_producer *p);
uint64_t ad_ring_producer_next_seq(const ad_ring_producer *p);
uint64_t ad_ring_producer_position(const ad_ring_producer *p);
uint64_t ad_ring_producer_capacity(const ad_ring_producer *p);
uint32_t ad_ring_producer_max_payload(const ad_ring_producer *p);

/* ---- consumer (exporter) ------------------------------------------------------------------ */

/* One record, in place in the shared mapping (read-only; valid until committed past). */
typedef struct ad_ring_view {
    uint64_t seq;     /* ring sequence number */
    uint64_t end_pos; /* ring position just after this record */
    const void *data; /* payload: untrusted bytes, validate while decoding */
    uint32_t len;     /* payload length, <= max payload */
} ad_ring_view;

/*
 * Maps the data object read-only and the cursor read-write, validates the header, and resumes
 * at the committed cursor. Refused with a message: missing ring (AD_ENOENT), no permission
 * (AD_EPERM), wrong owner (AD_EPERM), layout mismatch (AD_EVERSION), another live consumer
 * (AD_EEXIST). On success msg is "" or says what had to be corrected at attach (an
 * impossible committed cursor, exporter counters the seal does not vouch for; each counted).
 */
ad_err ad_ring_consumer_open(const ad_ring_consumer_config *cfg, ad_ring_consumer **out, char *msg,
                             size_t msgcap);

/* Marks the consumer detached (pid 0) and unmaps. Uncommitted records will be read again. */
void ad_ring_consumer_close(ad_ring_consumer *c);

/*
 * Returns up to max records after the read position without copying and advances the read
 * position (not the committed cursor). Every record header is validated; on corruption the
 * read position jumps to the producer position and the loss is counted. AD_EEMPTY when
 * nothing is available.
 */
ad_err ad_ring_consumer_peek(ad_ring_consumer *c, ad_ring_view *views, size_t max, size_t *count);

/*
 * Waits until records may be available (AD_OK) or timeout_ns passed (AD_ETIMEDOUT): spins for
 * up to 200 us (looking at the producer about once a microsecond, and once records appear,
 * letting up to 16 KiB or 20 us of them gather so a stream is read in batches), then yields,
 * then sleeps with growing intervals (at most 1 ms).
 */
ad_err ad_ring_consumer_wait(ad_ring_consumer *c, uint64_t timeout_ns);

/*
 * Releases everything up to and including last (a view returned by peek, delivered). AD_EINVAL
 * when last is not between the committed cursor and the read position.
 */
ad_err ad_ring_consumer_commit(ad_ring_consumer *c, const ad_ring_view *last);

/* Releases everything peeked so far (including skipped pads and corrupt bytes). */
void ad_ring_consumer_commit_all(ad_ring_consumer *c);

/* Moves the read position back to the committed cursor (to read a failed batch again). */
void ad_ring_consumer_rewind(ad_ring_consumer *c);

/* Stores now_ns (wall clock, Unix ns) as the exporter heartbeat. */
void ad_ring_consumer_heartbeat(ad_ring_consumer *c, uint64_t now_ns);
/* The same, reporting a repair: AD_ECORRUPT with msg when exporter counters were reset to
   their sealed values (counted as counters_reset); "" and AD_OK otherwise. */
ad_err ad_ring_consumer_heartbeat_msg(ad_ring_consumer *c, uint64_t now_ns, char *msg,
                                      size_t msgcap);

/*
 * Records the outcome of one delivery attempt at now_ns (wall clock) in the cursor: ok sets
 * the last success and clears the failing state; a failure starts it (or extends it). Read by
 * `asimdns status --check exporter` ("failing to deliver").
 */
void ad_ring_consumer_delivery(ad_ring_consumer *c, bool ok, uint64_t now_ns);

/* The exporter's disk spool (docs/SPOOL.md), as `asimdns status` and /metrics show it. */
typedef enum ad_ring_spool_state {
    AD_RING_SPOOL_OFF = 0,      /* no spool: records go from the ring to the receiver */
    AD_RING_SPOOL_ON = 1,       /* records go ring -> spool -> receiver */
    AD_RING_SPOOL_DEGRADED = 2, /* disk errors: delivering from the ring until the disk is back */
} ad_ring_spool_state;
typedef struct ad_ring_spool_gauges {
    uint64_t state;     /* ad_ring_spool_state */
    uint64_t bytes;     /* bytes of the spool's files */
    uint64_t records;   /* records stored and not yet acknowledged */
    uint64_t segments;  /* segment files */
    uint64_t oldest_ns; /* wall clock of the oldest segment still held; 0 = empty */
} ad_ring_spool_gauges;
/* Stores the spool's gauges in the cursor (each attach starts at AD_RING_SPOOL_OFF). */
void ad_ring_consumer_spool_gauges(ad_ring_consumer *c, const ad_ring_spool_gauges *g);

/*
 * AD_OK while the ring name still refers to the ring this consumer mapped; AD_ECLOSED when it
 * was removed or recreated (re-open then). Makes system calls; call it about once a second.
 */
ad_err ad_ring_consumer_check(ad_ring_consumer *c);

void ad_ring_consumer_counter_add(ad_ring_consumer *c, ad_exporter_counter e, uint64_t n);
uint64_t ad_ring_consumer_counter_get(const ad_ring_consumer *c, ad_exporter_counter e);

uint64_t ad_ring_consumer_generation(const ad_ring_consumer *c);
uint64_t ad_ring_consumer_read_pos(const ad_ring_consumer *c);
uint64_t ad_ring_consumer_committed_pos(const ad_ring_consumer *c);
/* Where capture is (acquire load of producer_pos; untrusted: only for monitoring, e.g. the
   ring use the exporter logs). */
uint64_t ad_ring_consumer_producer_pos(const ad_ring_consumer *c);
uint64_t ad_ring_consumer_capacity(const ad_ring_consumer *c);
uint32_t ad_ring_consumer_max_payload(const ad_ring_consumer *c);

#endif

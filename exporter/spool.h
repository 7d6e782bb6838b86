/*
 * asimdns-exporter: the disk spool (docs/SPOOL.md). Ring records are appended to segment
 * files in checksummed blocks, read back in order for delivery and removed once the receiver
 * acknowledged them. What is stored is the ring record itself (with its ring generation and
 * sequence), so a change of transport or encoding never strands data.
 *
 * Ids: every stored record gets a spool id (1, 2, ... never reused while the spool exists).
 * The ledger keeps the highest acknowledged (or deliberately given up) id.
 *
 * Writer:  append()* then sync(): after sync() returns AD_OK everything appended is durable
 *          as the fsync policy promises, and the caller may commit the ring cursor.
 * Reader:  read() hands out the next block's records (only released ones: synced); ack(id)
 *          after the receiver acknowledged everything up to id.
 * Errors:  a failed write, fsync, read or ledger update puts the spool in the degraded state
 *          (spool_degraded, spool_disk_errors, logged); append() then refuses (AD_EIO) and the
 *          caller delivers from the ring; recover() tries the disk again.
 * Every loss is counted through opts.count: records_lost_spool_full (drop_oldest),
 * records_lost_spool_age (max_age), records_lost_spool_corrupt (damaged blocks or segments).
 */
#ifndef AD_EXPORTER_SPOOL_H
#define AD_EXPORTER_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "exporter/spool_fs.h"
#include "ipc/ring.h"

typedef enum ad_spool_fsync {
    AD_SPOOL_FSYNC_ALWAYS,  /* every block and ledger update is fsynced before it counts */
    AD_SPOOL_FSYNC_BATCH,   /* one fsync per sync() call (group commit) */
    AD_SPOOL_FSYNC_INTERVAL /* written data counts at once; fsync at most every interval */
} ad_spool_fsync;

typedef enum ad_spool_full { AD_SPOOL_FULL_BLOCK, AD_SPOOL_FULL_DROP_OLDEST } ad_spool_full;

typedef struct ad_spool_opts {
    const char *dir;
    uint64_t max_bytes;     /* files of the spool together; 0 = 1 GiB */
    uint64_t max_age_ns;    /* 0 = no limit */
    uint64_t segment_bytes; /* 0 = max_bytes / 8, within [64 KiB, 16 MiB] */
    uint32_t block_bytes;   /* records per block up to this many bytes; 0 = 64 KiB */
    ad_spool_fsync fsync;
    uint64_t fsync_interval_ns; /* AD_SPOOL_FSYNC_INTERVAL; 0 = 1 s */
    bool compress;              /* zlib per block */
    ad_spool_full full;
    const ad_spool_fs *fs; /* NULL = ad_spool_fs_os() */
    void (*count)(void *ctx, ad_exporter_counter c, uint64_t n);
    void *count_ctx;
} ad_spool_opts;

typedef struct ad_spool_rec {
    uint64_t id;
    uint64_t ring_generation;
    uint64_t ring_seq;
    const void *data;
    uint32_t len;
} ad_spool_rec;

typedef struct ad_spool ad_spool;

/*
 * Prepares the directory (spool_fs.h prepare_dir), reads the ledger, checks every segment:
 * a torn or corrupt tail is truncated, corrupt blocks are skipped, and what was lost is
 * counted and logged with its ids. Only a directory that cannot be used is an error.
 */
ad_err ad_spool_open(const ad_spool_opts *opts, ad_spool **out, char *msg, size_t msgcap);
/* Writes what is buffered, syncs, updates the ledger and closes. */
void ad_spool_close(ad_spool *sp);

/* Whether (generation, seq) of the ring is already stored (a ring record read again). */
bool ad_spool_has_ring_record(const ad_spool *sp, uint64_t generation, uint64_t seq);
/* AD_OK; AD_EFULL (policy block, spool full: nothing taken); AD_EIO (degraded). */
ad_err ad_spool_append(ad_spool *sp, uint64_t generation, uint64_t seq, const void *data,
                       uint32_t len, uint64_t wall_ns);
/* Writes the buffered block and fsyncs per policy. AD_OK: all appended records are released
   (the ring may let go of them). AD_EIO: degraded; nothing since the last AD_OK is kept. */
ad_err ad_spool_sync(ad_spool *sp, uint64_t mono_ns);

/* The next released records, in id order, valid until the next read(): AD_OK (n > 0),
   AD_EEMPTY, AD_EIO (read error: degraded, try again after recover()). */
ad_err ad_spool_read(ad_spool *sp, const ad_spool_rec **recs, size_t *n);
/* Everything up to id was delivered (or given up): updates the ledger, removes segments. */
ad_err ad_spool_ack(ad_spool *sp, uint64_t id);
/* Drops whole segments older than max_age (counted). */
void ad_spool_expire(ad_spool *sp, uint64_t wall_ns);

bool ad_spool_degraded(const ad_spool *sp);
/* Tries the disk (a probe file written and synced); AD_OK = usable again. */
ad_err ad_spool_recover(ad_spool *sp);
/* Whether records are stored and not yet handed out by read(). */
bool ad_spool_has_unread(const ad_spool *sp);
/* Records stored and not acknowledged; bytes of the spool's files. */
uint64_t ad_spool_pending(const ad_spool *sp);
uint64_t ad_spool_bytes(const ad_spool *sp);
uint64_t ad_spool_segments(const ad_spool *sp);
/* Wall clock (ns) of the first block of the oldest segment holding unacknowledged records:
   the oldest record's age, overstated by at most one segment's span; 0 = nothing pending. */
uint64_t ad_spool_oldest_ns(const ad_spool *sp);
/* Whether the last append() found the spool full (policy block). */
bool ad_spool_full_now(const ad_spool *sp);

#endif

/*
 * asimdns-capture: `--record FILE` writes every raw event of a live session or .etl file in
 * the replay format (DESIGN.md §4, capture/replay_format.h), so real events can be replayed
 * anywhere.
 *
 * The ProcessTrace callback appends lines to one fixed buffer (never allocating, never
 * touching the file unless the buffer is full); the controller's poll loop writes the buffer
 * out about once a second. A mutex guards the buffer: the callback holds it for one line, the
 * poll loop for one write of at most the buffer size.
 */
#ifndef AD_CAPTURE_ETW_RECORD_H
#define AD_CAPTURE_ETW_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/etw_decode.h"
#include "capture/replay_format.h"
#include "common/error.h"
#include "common/thread.h"

/* Holds many lines and always one of the longest (AD_REPLAY_MAX_LINE). */
#define AD_ETW_RECORD_BUFFER (1024u * 1024u)

typedef struct ad_etw_recorder {
    FILE *file;
    char path[1024];
    ad_mutex *lock;
    char *buf; /* AD_ETW_RECORD_BUFFER bytes, allocated by open */
    size_t len;
    uint64_t lines;   /* events written to the buffer */
    uint64_t skipped; /* events of providers the format cannot name */
    uint64_t lost;    /* lines lost to write errors */
    bool failed;      /* a write failed: the file is incomplete (logged once) */
} ad_etw_recorder;

/* Creates (truncates) path and writes a comment header. AD_EIO / AD_ENOMEM with a log line. */
ad_err ad_etw_recorder_open(ad_etw_recorder *r, const char *path);

/* Appends ev as one replay line (callback thread). Events of unknown providers are skipped:
   the format names a provider by a GUID the replay parser knows (capture/replay_format.h). */
void ad_etw_recorder_add(ad_etw_recorder *r, const ad_etw_event_in *ev);

/* Writes buffered lines to the file and flushes it (poll loop). */
void ad_etw_recorder_flush(ad_etw_recorder *r);

/* Flushes, closes, frees. AD_EIO when any write failed (the file is incomplete). */
ad_err ad_etw_recorder_close(ad_etw_recorder *r);

#endif

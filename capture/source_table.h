/*
 * asimdns-capture: the event sources as a table, one row per source.type (common/record.h
 * ad_source), like an input-plugin descriptor: a name, capability flags and open / run / close.
 *
 * Each row is a descriptor object defined next to its source's code. Every source the
 * configuration accepts has a row in every build; the file CMake compiles decides what the row
 * says. Where the OS or the build lacks a source, a stand-in file (picked by its *_posix.c /
 * *_win32.c suffix or by a CMake condition) supplies a row without AD_SOURCE_AVAILABLE that
 * says why: source_etw_posix.c (no ETW outside Windows), source_dnstap_absent.c (no
 * protobuf-c in this build, or Windows). A new source is its file plus one row in
 * source_table.c.
 */
#ifndef AD_CAPTURE_SOURCE_TABLE_H
#define AD_CAPTURE_SOURCE_TABLE_H

#include <stddef.h>

#include "capture/source.h"

typedef enum ad_source_caps {
    /* This build, on this OS, can run the source; otherwise `unavailable` says why. */
    AD_SOURCE_AVAILABLE = 1u << 0,
    /* open() needs the privileges the capture starts with (e.g. handing a socket to the DNS
       server's user), so it runs before the privilege drop; otherwise after it. */
    AD_SOURCE_OPENS_PRIVILEGED = 1u << 1,
    /* --record FILE applies: the source sees raw ETW events it can write in the replay format. */
    AD_SOURCE_RECORDS = 1u << 2,
} ad_source_caps;

typedef struct ad_source_desc {
    ad_source type;   /* the source.type this row serves */
    const char *name; /* its spelling in the configuration (ad_source_name) */
    unsigned caps;    /* ad_source_caps */
    /* Without AD_SOURCE_AVAILABLE: the rest of "source 'NAME' ...", the error the capture
       gives when configured with it. NULL otherwise. */
    const char *unavailable;
    /* Sets up what run needs (may be NULL: nothing to set up); *state is passed to run and
       close. Errors are logged by the source. */
    ad_err (*open)(ad_capture_ctx *ctx, void **state);
    /* Moves events into ctx->ring until stopped or done. NULL only when not available. */
    ad_err (*run)(ad_capture_ctx *ctx, void *state);
    /* Releases what open set up (may be NULL); called only after a successful open. */
    void (*close)(void *state);
} ad_source_desc;

/* The row for a source type; NULL for a value outside ad_source (AD_SOURCE_UNKNOWN too). */
const ad_source_desc *ad_source_desc_find(ad_source type);

/* The rows in table order, for listings and tests. */
size_t ad_source_desc_count(void);
const ad_source_desc *ad_source_desc_at(size_t index);

/* The rows, each defined by its source's file (or by the stand-in for a source not built). */
extern const ad_source_desc ad_source_etw;
extern const ad_source_desc ad_source_etl;
extern const ad_source_desc ad_source_replay;
extern const ad_source_desc ad_source_synthetic;
extern const ad_source_desc ad_source_dnstap;

#endif

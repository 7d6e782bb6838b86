/*
 * asimdns-capture: the reading side of one Frame Streams connection (the framing dnstap
 * writers use; farsightsec/fstrm, facts/linux-dnstap-and-windows-cross-build.md §1.3-1.6),
 * as a byte-fed state machine independent of sockets: feed it any split of the byte stream.
 *
 * Wire format (all integers 32-bit big-endian):
 *   data frame     = length (> 0) + payload
 *   control frame  = 0x00000000 (escape) + control length + control type + fields
 *   field          = field type + field length + bytes; type 1 = CONTENT_TYPE
 *   control types  ACCEPT 1, START 2, STOP 3, READY 4, FINISH 5
 *
 * Bidirectional (sockets): writer READY (content types offered) -> reader ACCEPT (the one it
 * takes) -> writer START -> data frames -> writer STOP -> reader FINISH. Unidirectional (files,
 * some writers): START -> data frames -> STOP. The content type must be
 * "protobuf:dnstap.Dnstap" (in READY among those offered; in START when present).
 *
 * Any violation (unexpected control frame, malformed fields, another content type, a data
 * frame over the configured limit, a control frame over AD_FSTRM_CONTROL_MAX, bytes after
 * the end) makes the reader fail for good: the connection is to be dropped and counted.
 */
#ifndef AD_CAPTURE_FSTRM_H
#define AD_CAPTURE_FSTRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define AD_FSTRM_CONTENT_TYPE "protobuf:dnstap.Dnstap"
/* Longest control frame accepted (libfstrm's own limit is 512 bytes). */
#define AD_FSTRM_CONTROL_MAX 512

enum {
    AD_FSTRM_CONTROL_ACCEPT = 1,
    AD_FSTRM_CONTROL_START = 2,
    AD_FSTRM_CONTROL_STOP = 3,
    AD_FSTRM_CONTROL_READY = 4,
    AD_FSTRM_CONTROL_FINISH = 5,
    AD_FSTRM_FIELD_CONTENT_TYPE = 1,
};

typedef enum ad_fstrm_state {
    AD_FSTRM_S_OPEN = 0, /* nothing yet: READY (bidirectional) or START (unidirectional) */
    AD_FSTRM_S_ACCEPTED, /* READY answered with ACCEPT: START next */
    AD_FSTRM_S_DATA,     /* after START: data frames or STOP */
    AD_FSTRM_S_DONE,     /* after STOP: nothing more may come */
    AD_FSTRM_S_FAILED,   /* protocol error: drop the writer */
} ad_fstrm_state;

/* What one ad_fstrm_feed call produced. */
typedef enum ad_fstrm_out_kind {
    AD_FSTRM_NEED_MORE = 0, /* every byte given was consumed; nothing to act on */
    AD_FSTRM_DATA,          /* a data frame: out.data[out.len], valid until the next feed
                               and while the bytes given to this feed stay unchanged (a frame
                               whole in them is a view into them, else it is in the buffer) */
    AD_FSTRM_REPLY,         /* send out.data[out.len] (the ACCEPT) to the writer */
    AD_FSTRM_FINISHED,      /* STOP seen; bidirectional: send out.data[out.len] (FINISH) */
} ad_fstrm_out_kind;

typedef struct ad_fstrm_out {
    ad_fstrm_out_kind kind;
    const uint8_t *data;
    size_t len;
} ad_fstrm_out;

typedef struct ad_fstrm_reader {
    ad_fstrm_state state;
    bool bidirectional;
    uint8_t *buf; /* caller's buffer for data frames */
    size_t cap;   /* its size = the data frame length limit */
    /* framing: the 4-byte length (or escape + control length) being read, then the body */
    uint8_t len_bytes[4];
    size_t len_have;
    bool in_body;
    bool escaped; /* read the escape: the next length is a control length */
    bool control; /* the body is a control frame */
    size_t body_len;
    size_t body_have;
    uint8_t ctrl[AD_FSTRM_CONTROL_MAX];
    uint8_t reply[64];
    const char *why; /* on failure: a short English reason */
    uint64_t frames; /* data frames delivered */
} ad_fstrm_reader;

/* Prepares r for a new connection; data frames longer than cap are a protocol error. */
void ad_fstrm_reader_init(ad_fstrm_reader *r, uint8_t *buf, size_t cap);

/*
 * Consumes bytes from data[len] until one output is ready or the input is used up;
 * *consumed gets the bytes used (call again with the rest). Returns AD_OK with *out set, or
 * an error with r->why set and the reader failed: AD_ERANGE (frame over its limit),
 * AD_EFORMAT (malformed or unexpected frame, bytes after STOP), AD_EUNSUPP (content type
 * other than AD_FSTRM_CONTENT_TYPE).
 */
ad_err ad_fstrm_feed(ad_fstrm_reader *r, const uint8_t *data, size_t len, size_t *consumed,
                     ad_fstrm_out *out);

/* Writes a control frame with at most one CONTENT_TYPE field into buf[cap]; 0 if no room. */
size_t ad_fstrm_control(uint32_t type, const char *content_type, uint8_t *buf, size_t cap);

#endif

/*
 * asimdns-capture: the ETW replay text format (DESIGN.md §4), one event per line:
 *
 *   TIMESTAMP_NS PROVIDER EVENT_ID VERSION PID TID HEADER_FLAGS USERDATA_HEX
 *
 * PROVIDER is a GUID in braces (any case) or a provider name; HEADER_FLAGS is hex ("0x0240");
 * USERDATA_HEX is the event's UserData in hex, "-" when empty. Lines starting with '#' and
 * blank lines carry no event. The parser is bounded and allocation-free; the writer is the
 * one place that produces the format (the `--record` option and the test-vector tools).
 */
#ifndef AD_CAPTURE_REPLAY_FORMAT_H
#define AD_CAPTURE_REPLAY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "capture/etw_decode.h"
#include "common/strbuf.h"

/* Longest line accepted: 64 KiB of UserData in hex plus the fields before it. */
#define AD_REPLAY_MAX_LINE (2u * AD_ETW_MAX_USERDATA + 256u)

typedef enum ad_replay_line_kind {
    AD_REPLAY_EVENT = 0, /* *ev is filled */
    AD_REPLAY_SKIP,      /* comment or blank line */
} ad_replay_line_kind;

/*
 * Parses one line (without its newline; a trailing '\r' is ignored). On AD_OK *kind says
 * whether an event was read; its UserData is decoded into userdata[cap] and ev->userdata
 * points there. Errors (AD_EFORMAT, AD_ERANGE) come with a short reason in *why naming the
 * field ("bad EVENT_ID", "odd number of hex digits", "unknown provider"); a line holding a
 * NUL byte anywhere, a comment included, is malformed ("NUL byte in the line").
 */
ad_err ad_replay_parse_line(const char *line, size_t len, ad_etw_event_in *ev,
                            unsigned char *userdata, size_t cap, ad_replay_line_kind *kind,
                            const char **why);

/* Appends ev as one replay line (with '\n') to sb; the provider is written as its GUID. */
void ad_replay_format_line(const ad_etw_event_in *ev, ad_strbuf *sb);

#endif

/*
 * asimdns: a bounded string builder over a caller-provided buffer. It never overflows: once
 * full, further appends are ignored and ad_strbuf_overflowed() reports it. The text is always
 * NUL-terminated.
 */
#ifndef AD_COMMON_STRBUF_H
#define AD_COMMON_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

typedef struct ad_strbuf {
    char *data;    /* caller's buffer */
    size_t cap;    /* its size, including room for the NUL */
    size_t len;    /* bytes written, excluding the NUL */
    bool overflow; /* an append did not fit */
} ad_strbuf;

/* Starts an empty builder over buf[cap]; cap must be at least 1. */
void ad_strbuf_init(ad_strbuf *sb, char *buf, size_t cap);
void ad_strbuf_reset(ad_strbuf *sb);
void ad_strbuf_append(ad_strbuf *sb, const char *bytes, size_t len);
void ad_strbuf_puts(ad_strbuf *sb, const char *text);
void ad_strbuf_putc(ad_strbuf *sb, char c);
void ad_strbuf_printf(ad_strbuf *sb, const char *fmt, ...) AD_PRINTF(2, 3);
void ad_strbuf_u64(ad_strbuf *sb, uint64_t value);
void ad_strbuf_i64(ad_strbuf *sb, int64_t value);

/*
 * Appends bytes as the inside of a JSON string: quotes, backslash and control characters are
 * escaped; invalid UTF-8 sequences become U+FFFD so the output is always valid JSON.
 */
void ad_strbuf_json_escape(ad_strbuf *sb, const char *bytes, size_t len);

/* Appends "bytes" as a quoted JSON string. */
void ad_strbuf_json_string(ad_strbuf *sb, const char *bytes, size_t len);

static inline bool ad_strbuf_overflowed(const ad_strbuf *sb)
{
    return sb->overflow;
}

#endif

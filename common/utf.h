/*
 * asimdns: UTF-8 validation and UTF-16LE -> UTF-8 conversion (ETW UnicodeString fields),
 * allocation-free and bounded.
 */
#ifndef AD_COMMON_UTF_H
#define AD_COMMON_UTF_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/*
 * Length of the valid multi-byte UTF-8 sequence at the start of s (1..4), or 0 when the
 * bytes there are not a valid sequence (overlong, surrogate, > U+10FFFF, truncated).
 * ASCII bytes give 1.
 */
size_t ad_utf8_valid_prefix_len(const char *s, size_t len);

/* True when all len bytes are valid UTF-8. */
bool ad_utf8_valid(const char *s, size_t len);

/*
 * Converts units UTF-16LE code units (little-endian bytes at src, which need not be aligned)
 * to UTF-8 in dst[cap]. Unpaired surrogates give AD_EUTF; not enough room gives AD_EFULL.
 * The output is not NUL-terminated; *out_len receives its length.
 */
ad_err ad_utf16le_to_utf8(const unsigned char *src, size_t units, char *dst, size_t cap,
                          size_t *out_len);

#endif

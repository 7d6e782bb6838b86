/*
 * asimdns: time helpers. All event times are u64 nanoseconds since the Unix epoch (UTC).
 */
#ifndef AD_COMMON_TIMEUTIL_H
#define AD_COMMON_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* FILETIME ticks (100 ns since 1601-01-01) between 1601-01-01 and 1970-01-01. */
#define AD_FILETIME_UNIX_EPOCH 116444736000000000ULL

/* Longest RFC 3339 text ad_time_format_rfc3339 writes, with its NUL. */
#define AD_RFC3339_MAX 40

/* Converts a FILETIME value to Unix ns; ticks before 1970 give AD_ERANGE. */
ad_err ad_filetime_to_unix_ns(uint64_t filetime, uint64_t *unix_ns);

/* Converts Unix ns to FILETIME ticks (sub-100 ns precision is truncated). */
uint64_t ad_unix_ns_to_filetime(uint64_t unix_ns);

/*
 * Writes "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (always 9 fraction digits) into buf.
 * Returns the length written, or 0 when cap < AD_RFC3339_MAX.
 */
size_t ad_time_format_rfc3339(uint64_t unix_ns, char *buf, size_t cap);

/*
 * Parses RFC 3339 ("2024-11-25T10:00:00Z", optional fraction up to 9 digits, "Z" or +hh:mm
 * offset) into Unix ns. Years before 1970 or after 2554 give AD_ERANGE.
 */
ad_err ad_time_parse_rfc3339(const char *text, uint64_t *unix_ns);

/* Wall-clock time, Unix ns (OS-specific file). */
uint64_t ad_time_now_ns(void);

/* Monotonic time in ns for intervals and heartbeats (OS-specific file). */
uint64_t ad_time_mono_ns(void);

/* Sleeps for at least ns nanoseconds (OS-specific file). */
void ad_sleep_ns(uint64_t ns);

#endif

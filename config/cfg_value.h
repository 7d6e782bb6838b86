/*
 * asimdns config (internal): parsers and formatters for scalar values.
 *
 * All of them are locale-independent and reject anything but the exact syntax documented in
 * docs/CONFIG.md: no signs, no surrounding spaces, no trailing garbage.
 */
#ifndef AD_CONFIG_CFG_VALUE_H
#define AD_CONFIG_CFG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "config/config.h"

/* Unsigned integer, decimal ("63") or hex ("0x3F", "0X3f"); the full u64 range. */
bool ad__cfg_parse_u64(const char *s, uint64_t *out);

/* "true" or "false", any case. */
bool ad__cfg_parse_bool(const char *s, bool *out);

/*
 * Byte size: digits, optionally followed by B, KiB, MiB, GiB or TiB (one space allowed
 * before the unit). AD_EFORMAT for bad syntax or unit, AD_ERANGE when it overflows u64.
 */
ad_err ad__cfg_parse_size(const char *s, uint64_t *out);

/*
 * Duration in milliseconds: "0", or one or more <digits><unit> with unit ms, s, m or h
 * ("500ms", "10s", "1m30s"). AD_EFORMAT for bad syntax, AD_ERANGE on overflow.
 */
ad_err ad__cfg_parse_duration_ms(const char *s, uint64_t *out);

/* Permission bits as 1 to 4 octal digits ("0640", "640"); at most 0777. */
bool ad__cfg_parse_mode(const char *s, uint32_t *out);

/* Formats g as "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (upper case). */
void ad__cfg_format_guid(const ad_guid *g, char *buf, size_t n);

/* Non-negative decimal with an optional fraction ("1.5", "2", "0.25"). */
bool ad__cfg_parse_double(const char *s, double *out);

/* "64MiB" when v is an exact multiple of a binary unit, else the byte count. */
void ad__cfg_format_size(uint64_t v, char *buf, size_t n);

/* "1h", "1m30s", "10s", "500ms", "0s" ... exact, largest units first. */
void ad__cfg_format_duration(uint64_t ms, char *buf, size_t n);

/* The shortest decimal that round-trips to the 3 decimals kept ("1.5", "0.25", "2"). */
void ad__cfg_format_double(double v, char *buf, size_t n);

#endif

/*
 * asimdns config (internal): checks for string values (URLs, names, addresses).
 *
 * Each check gets the value in its destination buffer, may normalize it in place (domains
 * become lower case) and on failure writes a short reason that never repeats the value, so
 * the same checks serve secrets.
 */
#ifndef AD_CONFIG_CFG_TEXT_H
#define AD_CONFIG_CFG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

typedef bool (*ad__cfg_check_fn)(char *text, char *why, size_t whylen);

/* http:// or https:// URL with a host, optional port 1-65535 and path; no user info,
 * query or fragment. */
bool ad__cfg_check_http_url(char *text, char *why, size_t whylen);

/* nng URL: tcp://HOST:PORT, tls+tcp://HOST:PORT or ipc://PATH. */
bool ad__cfg_check_nng_url(char *text, char *why, size_t whylen);

/* "HOST:PORT" or "[IPv6]:PORT", port 1-65535. */
bool ad__cfg_check_listen(char *text, char *why, size_t whylen);

/* Ring name: 1-64 of [A-Za-z0-9._-], not starting with '.' or '-'. */
bool ad__cfg_check_ring_name(char *text, char *why, size_t whylen);

/* ETW session or provider name: printable ASCII, no backslash or quotes. */
bool ad__cfg_check_etw_name(char *text, char *why, size_t whylen);

/* HTTP header field name (RFC 9110 token); refuses the headers the exporter sets itself. */
bool ad__cfg_check_header_name(char *text, char *why, size_t whylen);

/* Domain suffix: labels of [A-Za-z0-9_-], 1-63 chars, 253 in all; lower-cased, a leading
 * "*." or "." and a trailing "." removed. */
bool ad__cfg_check_domain(char *text, char *why, size_t whylen);

/* Host name override: letters, digits, '.', '-', '_' only. */
bool ad__cfg_check_host_name(char *text, char *why, size_t whylen);

/* Absolute POSIX directory path ("/..."), without "." or ".." components. */
bool ad__cfg_check_abs_dir(char *text, char *why, size_t whylen);

/* Not empty. */
bool ad__cfg_check_nonempty(char *text, char *why, size_t whylen);

/* True when text has no control characters (C0, DEL); every string value must pass. */
bool ad__cfg_text_printable(const char *text);

/* ASCII case-insensitive equality. */
bool ad__cfg_text_ieq(const char *a, const char *b);

#endif

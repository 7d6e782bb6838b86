/* asimdns config: string value checks. Reasons never quote the value (it may be secret). */
#include "config/cfg_text.h"
#include "common/ascii.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool text_fail(char *why, size_t whylen, const char *reason)
{
    snprintf(why, whylen, "%s", reason);
    return false;
}

static bool text_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool ad__cfg_text_ieq(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (ad_ascii_lower(*a) != ad_ascii_lower(*b))
            return false;
    }
    return *a == '\0' && *b == '\0';
}

static bool text_iprefix(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++) {
        if (ad_ascii_lower(*s) != *prefix)
            return false;
    }
    return true;
}

bool ad__cfg_text_printable(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7F)
            return false;
    }
    return true;
}

/* Port: 1-5 digits, 1..65535, exactly len characters. */
static bool text_port(const char *p, size_t len)
{
    unsigned v = 0;
    if (len == 0 || len > 5)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

static bool text_host_char(char c)
{
    return text_alnum(c) || c == '-' || c == '.' || c == '_';
}

/*
 * Checks "host[:port]" or "[v6][:port]" in s[len]. port_required makes a missing port an
 * error. Writes the reason on failure.
 */
static bool text_hostport(const char *s, size_t len, bool port_required, char *why, size_t whylen)
{
    size_t i = 0;
    if (len == 0)
        return text_fail(why, whylen, "has no host");
    if (s[0] == '[') {
        for (i = 1; i < len && s[i] != ']'; i++) {
            char c = s[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                  c == ':' || c == '.'))
                return text_fail(why, whylen, "has an invalid IPv6 address");
        }
        if (i >= len || i == 1)
            return text_fail(why, whylen, "has an invalid IPv6 address");
        i++; /* past ']' */
    } else {
        while (i < len && s[i] != ':') {
            if (!text_host_char(s[i]))
                return text_fail(why, whylen, "has an invalid character in the host");
            i++;
        }
        if (i == 0)
            return text_fail(why, whylen, "has no host");
    }
    if (i == len) {
        if (port_required)
            return text_fail(why, whylen, "needs a port (host:port)");
        return true;
    }
    if (s[i] != ':' || !text_port(s + i + 1, len - i - 1))
        return text_fail(why, whylen, "has an invalid port (1-65535)");
    return true;
}

/* Characters we let through in a URL path: RFC 3986 pchar, '/' and '%' escapes. */
static bool text_path_char(char c)
{
    return text_alnum(c) || strchr("-._~!$&'()*+,;=:@/%", c) != NULL;
}

bool ad__cfg_check_http_url(char *text, char *why, size_t whylen)
{
    const char *rest;
    if (text_iprefix(text, "http://"))
        rest = text + 7;
    else if (text_iprefix(text, "https://"))
        rest = text + 8;
    else
        return text_fail(why, whylen, "must start with http:// or https://");
    if (strchr(rest, '?') != NULL || strchr(rest, '#') != NULL)
        return text_fail(why, whylen, "must not have a query or fragment");
    size_t auth_len = strcspn(rest, "/");
    if (memchr(rest, '@', auth_len) != NULL)
        return text_fail(why, whylen, "must not carry user info (put credentials in headers)");
    if (!text_hostport(rest, auth_len, false, why, whylen))
        return false;
    for (const char *p = rest + auth_len; *p != '\0'; p++) {
        if (!text_path_char(*p))
            return text_fail(why, whylen, "has a character not allowed in a URL path");
    }
    return true;
}

bool ad__cfg_check_nng_url(char *text, char *why, size_t whylen)
{
    const char *rest;
    if (strncmp(text, "ipc://", 6) == 0) {
        if (text[6] == '\0')
            return text_fail(why, whylen, "needs a path after ipc://");
        return true;
    }
    if (strncmp(text, "tcp://", 6) == 0)
        rest = text + 6;
    else if (strncmp(text, "tls+tcp://", 10) == 0)
        rest = text + 10;
    else
        return text_fail(why, whylen, "must start with tcp://, tls+tcp:// or ipc://");
    return text_hostport(rest, strlen(rest), true, why, whylen);
}

bool ad__cfg_check_listen(char *text, char *why, size_t whylen)
{
    if (text[0] == '\0')
        return true; /* no metrics endpoint */
    return text_hostport(text, strlen(text), true, why, whylen);
}

bool ad__cfg_check_ring_name(char *text, char *why, size_t whylen)
{
    size_t n = strlen(text);
    if (n == 0 || n > 64)
        return text_fail(why, whylen, "must be 1 to 64 characters");
    if (text[0] == '.' || text[0] == '-')
        return text_fail(why, whylen, "must not start with '.' or '-'");
    for (size_t i = 0; i < n; i++) {
        if (!text_alnum(text[i]) && text[i] != '.' && text[i] != '_' && text[i] != '-')
            return text_fail(why, whylen, "may only hold letters, digits, '.', '_' and '-'");
    }
    return true;
}

bool ad__cfg_check_abs_dir(char *text, char *why, size_t whylen)
{
    size_t n = strlen(text);
    if (text[0] != '/')
        return text_fail(why, whylen, "must be an absolute path (starting with '/')");
    if (n > 512)
        return text_fail(why, whylen, "must be at most 512 characters");
    for (const char *p = text; *p != '\0'; p++) {
        if (p[0] == '/' && p[1] == '.' &&
            (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
            return text_fail(why, whylen, "must not contain '.' or '..' components");
    }
    return true;
}

bool ad__cfg_check_etw_name(char *text, char *why, size_t whylen)
{
    if (text[0] == '\0')
        return text_fail(why, whylen, "must not be empty");
    for (const char *p = text; *p != '\0'; p++) {
        if (!text_alnum(*p) && *p != '.' && *p != '_' && *p != '-' && *p != ' ')
            return text_fail(why, whylen,
                             "may only hold letters, digits, spaces, '.', '_' and '-'");
    }
    return true;
}

bool ad__cfg_check_header_name(char *text, char *why, size_t whylen)
{
    /* Framing headers are the exporter's to set; letting them through would corrupt requests. */
    static const char *const reserved[] = {"content-type",   "content-encoding",
                                           "content-length", "transfer-encoding",
                                           "host",           "connection"};
    if (text[0] == '\0')
        return text_fail(why, whylen, "has an empty header name");
    for (const char *p = text; *p != '\0'; p++) {
        if (!text_alnum(*p) && strchr("!#$%&'*+-.^_`|~", *p) == NULL)
            return text_fail(why, whylen, "is not a valid HTTP header name");
    }
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (ad__cfg_text_ieq(text, reserved[i]))
            return text_fail(why, whylen, "is a header the exporter sets itself");
    }
    return true;
}

bool ad__cfg_check_domain(char *text, char *why, size_t whylen)
{
    char *s = text;
    if (s[0] == '*' && s[1] == '.')
        s += 2;
    else if (s[0] == '.')
        s += 1;
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0)
        return text_fail(why, whylen, "is not a domain name");
    if (n > 253)
        return text_fail(why, whylen, "is longer than 253 characters");
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0)
                return text_fail(why, whylen, "has an empty label");
            label = 0;
            continue;
        }
        if (!text_alnum(c) && c != '-' && c != '_')
            return text_fail(why, whylen, "has a character not allowed in a domain name");
        if (++label > 63)
            return text_fail(why, whylen, "has a label longer than 63 characters");
    }
    if (label == 0)
        return text_fail(why, whylen, "has an empty label");
    /* Normalize in place: lower case, without the wildcard prefix and the root dot. */
    memmove(text, s, n);
    text[n] = '\0';
    for (char *p = text; *p != '\0'; p++)
        *p = ad_ascii_lower(*p);
    return true;
}

bool ad__cfg_check_host_name(char *text, char *why, size_t whylen)
{
    for (const char *p = text; *p != '\0'; p++) {
        if (!text_host_char(*p))
            return text_fail(why, whylen, "may only hold letters, digits, '.', '-' and '_'");
    }
    return true;
}

bool ad__cfg_check_nonempty(char *text, char *why, size_t whylen)
{
    if (text[0] == '\0')
        return text_fail(why, whylen, "must not be empty");
    return true;
}

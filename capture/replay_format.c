/* asimdns-capture: parse and write the ETW replay format (DESIGN.md §4). */
#include "capture/replay_format.h"
#include "common/ascii.h"

#include <string.h>

#include "common/dns_tables.h"

typedef struct cursor {
    const char *p, *end;
} cursor;

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The next whitespace-separated field; false at end of line. */
static int next_field(cursor *c, const char **start, size_t *len)
{
    while (c->p < c->end && is_space(*c->p))
        c->p++;
    if (c->p >= c->end)
        return 0;
    *start = c->p;
    while (c->p < c->end && !is_space(*c->p))
        c->p++;
    *len = (size_t)(c->p - *start);
    return 1;
}

static int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    if (len == 0 || len > 20)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (v > max)
        return 0;
    *out = v;
    return 1;
}

static int parse_hex16(const char *s, size_t len, uint16_t *out)
{
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        len -= 2;
    }
    if (len == 0 || len > 4)
        return 0;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        int h = ad_hex_digit(s[i]);
        if (h < 0)
            return 0;
        v = v * 16 + (unsigned)h;
    }
    *out = (uint16_t)v;
    return 1;
}

static ad_err fail(const char **why, const char *reason, ad_err err)
{
    *why = reason;
    return err;
}

ad_err ad_replay_parse_line(const char *line, size_t len, ad_etw_event_in *ev,
                            unsigned char *userdata, size_t cap, ad_replay_line_kind *kind,
                            const char **why)
{
    *why = NULL;
    /* Text only: a NUL byte means a damaged or binary file, not a line to guess at. */
    if (memchr(line, '\0', len) != NULL)
        return fail(why, "NUL byte in the line", AD_EFORMAT);
    if (len > 0 && line[len - 1] == '\r')
        len--;
    cursor c = {line, line + len};
    const char *f;
    size_t flen;
    if (!next_field(&c, &f, &flen) || f[0] == '#') {
        *kind = AD_REPLAY_SKIP;
        return AD_OK;
    }
    *kind = AD_REPLAY_EVENT;
    memset(ev, 0, sizeof(*ev));
    ev->source = AD_SOURCE_REPLAY;
    uint64_t v;
    if (!parse_u64(f, flen, UINT64_MAX, &ev->time_ns))
        return fail(why, "bad TIMESTAMP_NS", AD_EFORMAT);
    if (!next_field(&c, &f, &flen))
        return fail(why, "missing PROVIDER", AD_EFORMAT);
    ev->provider = ad_provider_lookup(f, flen);
    if (ev->provider == AD_PROVIDER_UNKNOWN)
        return fail(why, "unknown PROVIDER", AD_EFORMAT);
    if (!next_field(&c, &f, &flen) || !parse_u64(f, flen, UINT16_MAX, &v))
        return fail(why, "bad EVENT_ID", AD_EFORMAT);
    ev->event_id = (uint16_t)v;
    if (!next_field(&c, &f, &flen) || !parse_u64(f, flen, UINT8_MAX, &v))
        return fail(why, "bad VERSION", AD_EFORMAT);
    ev->version = (uint8_t)v;
    if (!next_field(&c, &f, &flen) || !parse_u64(f, flen, UINT32_MAX, &v))
        return fail(why, "bad PID", AD_EFORMAT);
    ev->pid = (uint32_t)v;
    if (!next_field(&c, &f, &flen) || !parse_u64(f, flen, UINT32_MAX, &v))
        return fail(why, "bad TID", AD_EFORMAT);
    ev->tid = (uint32_t)v;
    if (!next_field(&c, &f, &flen) || !parse_hex16(f, flen, &ev->header_flags))
        return fail(why, "bad HEADER_FLAGS", AD_EFORMAT);
    if (!next_field(&c, &f, &flen))
        return fail(why, "missing USERDATA_HEX", AD_EFORMAT);
    const char *hex = f;
    size_t hex_len = flen;
    if (next_field(&c, &f, &flen))
        return fail(why, "extra field after USERDATA_HEX", AD_EFORMAT);
    if (hex_len == 1 && hex[0] == '-') {
        ev->userdata = NULL;
        ev->userdata_len = 0;
        return AD_OK;
    }
    if (hex_len % 2 != 0)
        return fail(why, "odd number of hex digits in USERDATA_HEX", AD_EFORMAT);
    if (hex_len / 2 > cap || hex_len / 2 > AD_ETW_MAX_USERDATA)
        return fail(why, "USERDATA_HEX longer than 65535 bytes", AD_ERANGE);
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = ad_hex_digit(hex[2 * i]), lo = ad_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return fail(why, "non-hex character in USERDATA_HEX", AD_EFORMAT);
        userdata[i] = (unsigned char)(hi << 4 | lo);
    }
    ev->userdata = userdata;
    ev->userdata_len = hex_len / 2;
    return AD_OK;
}

void ad_replay_format_line(const ad_etw_event_in *ev, ad_strbuf *sb)
{
    static const char hex[] = "0123456789abcdef";
    const ad_provider_info *info = ad_provider_info_get(ev->provider);
    ad_strbuf_u64(sb, ev->time_ns);
    ad_strbuf_putc(sb, ' ');
    ad_strbuf_puts(sb, info ? info->guid_text : "{00000000-0000-0000-0000-000000000000}");
    ad_strbuf_printf(sb, " %u %u %lu %lu 0x%04x ", (unsigned)ev->event_id, (unsigned)ev->version,
                     (unsigned long)ev->pid, (unsigned long)ev->tid, (unsigned)ev->header_flags);
    if (ev->userdata_len == 0) {
        ad_strbuf_putc(sb, '-');
    } else {
        const unsigned char *u = ev->userdata;
        for (size_t i = 0; i < ev->userdata_len; i++) {
            char pair[2] = {hex[u[i] >> 4], hex[u[i] & 15]};
            ad_strbuf_append(sb, pair, 2);
        }
    }
    ad_strbuf_putc(sb, '\n');
}

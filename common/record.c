/*
 * asimdns: the event record encoder and validating decoder (record.h), plus address helpers.
 *
 * Layout: header (200 bytes) | strings in slot order | raw packet | zero padding to 8.
 * The encoder writes only records the decoder accepts, so both share the field checks below.
 * Nothing here allocates; the decoder copies the header out of the (possibly shared, possibly
 * hostile) buffer exactly once and validates the copy, so a concurrent writer cannot change
 * a value between its check and its use.
 */
#include "common/record.h"
#include "common/ascii.h"

#include <stddef.h>
#include <string.h>

#include "common/clear.h"
#include "common/compiler.h"
#include "common/utf.h"

/* The wire layout is the in-memory layout of a little-endian host; pin both. */
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__)
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the event record is little-endian; a big-endian host needs byte swapping here"
#endif
#elif !defined(_WIN32)
#error "cannot tell the byte order; the event record assumes a little-endian host"
#endif

#define HDR_SIZE sizeof(ad_record_hdr)

_Static_assert(sizeof(ad_addr) == 20, "ad_addr is part of the wire format");
_Static_assert(sizeof(ad_record_hdr) == 200, "ad_record_hdr is the wire format");
_Static_assert(offsetof(ad_record_hdr, present) == 16, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, time_ns) == 24, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, pid) == 48, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, src) == 104, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, str_len) == 164, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, reserved1) == 194, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, reserved2) == 196, "wire layout changed");
_Static_assert(offsetof(ad_record_hdr, str_len) + 2 * AD_STR_PROCESS == 192,
               "the version-2 slot's length sits where version 1 had reserved1");
_Static_assert(AD_RECORD_MAX_SIZE % 8 == 0 && AD_RECORD_MAX_SIZE <= UINT16_MAX,
               "hdr.size is a u16 multiple of 8");
_Static_assert(AD_RECORD_MAX_STR <= UINT16_MAX && AD_RECORD_MAX_PACKET <= UINT16_MAX,
               "lengths are u16");

/* Every defined flag; anything else is reserved and must be zero. */
#define PRESENT_MASK ((uint32_t)AD_HAS_RESPONSE_TIME * 2u - 1u)
#define BITS_MASK                                                                                  \
    ((uint32_t)(AD_BIT_RD | AD_BIT_AA | AD_BIT_AD | AD_BIT_DNSSEC | AD_BIT_SECURE |                \
                AD_BIT_RESPONSE | AD_REC_STR_TRUNCATED | AD_REC_PACKET_TRUNCATED |                 \
                AD_REC_PARTIAL | AD_REC_LEGACY_LAYOUT))

static size_t pad8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/* ---- shared field checks ---- */

/* Unaligned loads through memcpy: the compiler turns them into single moves. */
static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static uint32_t load32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Short runs only (the padding, at most 7 bytes). */
static bool all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

/* One address: a known family, has_port 0/1, and no bytes the family does not use. */
static bool addr_valid(const ad_addr *a)
{
    if (a->has_port > 1 || (!a->has_port && a->port != 0))
        return false;
    switch (a->family) {
    case AD_FAMILY_NONE:
        return !a->has_port && (load64(a->bytes) | load64(a->bytes + 8)) == 0;
    case AD_FAMILY_IPV4:
        return (load32(a->bytes + 4) | load64(a->bytes + 8)) == 0;
    case AD_FAMILY_IPV6:
        return true;
    default:
        return false;
    }
}

/* Enums and addresses; the same rules for encoding and decoding. */
static ad_err check_values(const ad_record_hdr *h)
{
    if (h->source >= AD_SOURCE__COUNT || h->provider >= AD_PROVIDER__COUNT ||
        h->transport >= AD_TRANSPORT__COUNT)
        return AD_EINVAL;
    if (h->dnstap_type != 0 && h->source != AD_SOURCE_DNSTAP)
        return AD_EINVAL;
    if (!addr_valid(&h->src) || !addr_valid(&h->dst) || !addr_valid(&h->iface))
        return AD_EINVAL;
    return AD_OK;
}

static bool flags_valid(const ad_record_hdr *h)
{
    return (h->present & ~PRESENT_MASK) == 0 && (h->bits & ~BITS_MASK) == 0;
}

/*
 * True when s is all ASCII (most DNS text is). Branch-light: whole words ORed together, the
 * tail covered by one overlapping word; only strings under 8 bytes go byte by byte.
 */
static bool ascii_only(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    uint64_t acc = 0;
    if (len >= 8) {
        for (size_t i = 0; i + 8 <= len; i += 8)
            acc |= load64(p + i);
        acc |= load64(p + len - 8);
    } else {
        for (size_t i = 0; i < len; i++)
            acc |= p[i];
    }
    return (acc & 0x8080808080808080ULL) == 0;
}

static bool text_valid(const char *s, size_t len)
{
    return ascii_only(s, len) || ad_utf8_valid(s, len);
}

/*
 * Checks every string is UTF-8. When the whole string area is ASCII (the usual case) one
 * pass settles it; otherwise each string is checked on its own, since a character must not
 * run from one slot into the next.
 */
static bool strings_valid(const char *area, size_t area_len, const uint16_t *lens)
{
    if (ascii_only(area, area_len))
        return true;
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        if (!text_valid(area, lens[i]))
            return false;
        area += lens[i];
    }
    return true;
}

/* ---- encoder ---- */

/* Final lengths after capping, and the truncation bits that capping set. */
typedef struct record_plan {
    uint16_t str_len[AD_STR__COUNT];
    uint16_t packet_len;
    uint32_t bits;
    size_t text_len; /* all strings together */
    size_t size;
} record_plan;

/*
 * Longest prefix of s (whose length exceeds limit) of at most limit bytes that does not
 * split a UTF-8 sequence: back up while the first excluded byte is a continuation byte.
 */
static size_t utf8_cut(const char *s, size_t limit)
{
    if (s == NULL) /* a bad view: ad_record_encode refuses it, encoded_size must not crash */
        return limit;
    size_t n = limit;
    while (n > 0 && limit - n < 3 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static size_t plan_body(const record_plan *p)
{
    size_t n = HDR_SIZE + p->packet_len;
    for (size_t i = 0; i < AD_STR__COUNT; i++)
        n += p->str_len[i];
    return n;
}

static size_t sum_capped(const record_plan *p, size_t level)
{
    size_t sum = 0;
    for (size_t i = 0; i < AD_STR__COUNT; i++)
        sum += p->str_len[i] < level ? p->str_len[i] : level;
    return sum;
}

/*
 * Cuts the longest strings down to a common level so the strings fit budget bytes: the
 * largest level whose capped sum fits (binary search, rare path), then each longer string
 * is cut to it at a character boundary.
 */
static void plan_level_strings(record_plan *p, const ad_event *ev, size_t budget)
{
    size_t lo = 0, hi = AD_RECORD_MAX_STR;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (sum_capped(p, mid) <= budget)
            lo = mid;
        else
            hi = mid - 1;
    }
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        if (p->str_len[i] > lo) {
            p->str_len[i] = (uint16_t)utf8_cut(ev->str[i].ptr, lo);
            p->bits |= AD_REC_STR_TRUNCATED;
        }
    }
}

/* The rare path: the capped parts still exceed AD_RECORD_MAX_SIZE. */
static void plan_shrink(const ad_event *ev, record_plan *p)
{
    if (p->packet_len > 0) {
        p->packet_len = 0;
        p->bits |= AD_REC_PACKET_TRUNCATED;
    }
    if (pad8(plan_body(p)) > AD_RECORD_MAX_SIZE)
        plan_level_strings(p, ev, AD_RECORD_MAX_SIZE - HDR_SIZE);
}

static void plan_record(const ad_event *ev, record_plan *p)
{
    size_t body = HDR_SIZE;
    p->bits = 0;
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        size_t n = ev->str[i].len;
        if (n > AD_RECORD_MAX_STR) {
            n = utf8_cut(ev->str[i].ptr, AD_RECORD_MAX_STR);
            p->bits |= AD_REC_STR_TRUNCATED;
        }
        p->str_len[i] = (uint16_t)n;
        body += n;
    }
    size_t packet = ev->packet.len;
    if (packet > AD_RECORD_MAX_PACKET) {
        packet = AD_RECORD_MAX_PACKET;
        p->bits |= AD_REC_PACKET_TRUNCATED;
    }
    p->packet_len = (uint16_t)packet;
    body += packet;
    if (AD_UNLIKELY(pad8(body) > AD_RECORD_MAX_SIZE)) {
        plan_shrink(ev, p);
        body = plan_body(p);
    }
    p->text_len = body - HDR_SIZE - p->packet_len;
    p->size = pad8(body);
}

size_t ad_record_encoded_size(const ad_event *ev)
{
    record_plan p;
    plan_record(ev, &p);
    return p.size;
}

/* Caller-side mistakes that would yield a record the decoder rejects. */
static ad_err check_event(const ad_event *ev)
{
    if (!flags_valid(&ev->hdr))
        return AD_EINVAL;
    ad_err err = check_values(&ev->hdr);
    if (err != AD_OK)
        return err;
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        if (ev->str[i].ptr == NULL && ev->str[i].len != 0)
            return AD_EINVAL;
    }
    if (ev->packet.ptr == NULL && ev->packet.len != 0)
        return AD_EINVAL;
    return AD_OK;
}

static void put16(unsigned char *out, size_t off, uint16_t v)
{
    memcpy(out + off, &v, sizeof(v));
}

static void put32(unsigned char *out, size_t off, uint32_t v)
{
    memcpy(out + off, &v, sizeof(v));
}

/* The caller's header goes out as is, then the fields the encoder owns are overwritten. */
static void write_header(const ad_event *ev, const record_plan *p, unsigned char *out)
{
    memcpy(out, &ev->hdr, HDR_SIZE);
    put16(out, offsetof(ad_record_hdr, version), AD_RECORD_VERSION);
    put16(out, offsetof(ad_record_hdr, size), (uint16_t)p->size);
    put16(out, offsetof(ad_record_hdr, packet_len), p->packet_len);
    put16(out, offsetof(ad_record_hdr, reserved0), 0);
    put32(out, offsetof(ad_record_hdr, bits), ev->hdr.bits | p->bits);
    memcpy(out + offsetof(ad_record_hdr, str_len), p->str_len, sizeof(p->str_len));
    put16(out, offsetof(ad_record_hdr, reserved1), 0);
    put32(out, offsetof(ad_record_hdr, reserved2), 0);
}

static void write_record(const ad_event *ev, const record_plan *p, unsigned char *out)
{
    write_header(ev, p, out);
    size_t off = HDR_SIZE;
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        if (p->str_len[i] != 0)
            memcpy(out + off, ev->str[i].ptr, p->str_len[i]);
        off += p->str_len[i];
    }
    if (p->packet_len != 0)
        memcpy(out + off, ev->packet.ptr, p->packet_len);
    off += p->packet_len;
    memset(out + off, 0, p->size - off);
}

ad_err ad_record_encode(const ad_event *ev, void *buf, size_t cap, size_t *out_len)
{
    if (ev == NULL || (buf == NULL && cap != 0))
        return AD_EINVAL;
    ad_err err = check_event(ev);
    if (err != AD_OK)
        return err;
    record_plan p;
    plan_record(ev, &p);
    if (cap < p.size)
        return AD_EFULL;
    write_record(ev, &p, buf);
    /* Checked in the output, where the strings sit side by side: one pass when all ASCII. */
    const char *area = (const char *)buf + HDR_SIZE;
    if (!strings_valid(area, p.text_len, p.str_len))
        return AD_EUTF;
    if (out_len != NULL)
        *out_len = p.size;
    return AD_OK;
}

/* ---- decoder ---- */

/* Framing: version, size against caps and the buffer. */
static ad_err check_frame(const ad_record_hdr *h, size_t len)
{
    if (h->version < AD_RECORD_VERSION_MIN || h->version > AD_RECORD_VERSION)
        return AD_EVERSION;
    if (h->size > AD_RECORD_MAX_SIZE)
        return AD_ERANGE;
    if (h->size % 8 != 0 || h->size < HDR_SIZE)
        return AD_EFORMAT;
    if (h->size > len)
        return AD_ETRUNC;
    if (h->reserved0 != 0 || h->reserved1 != 0 || h->reserved2 != 0 || !flags_valid(h))
        return AD_EFORMAT;
    /* Version 1 had reserved bytes where AD_STR_PROCESS's length is now. */
    if (h->version == 1 && h->str_len[AD_STR_PROCESS] != 0)
        return AD_EFORMAT;
    return AD_OK;
}

/* Lengths: each under its cap, together exactly filling size up to the padding. */
static ad_err check_lengths(const ad_record_hdr *h, size_t *body)
{
    size_t n = HDR_SIZE;
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        if (h->str_len[i] > AD_RECORD_MAX_STR)
            return AD_ERANGE;
        n += h->str_len[i];
    }
    if (h->packet_len > AD_RECORD_MAX_PACKET)
        return AD_ERANGE;
    n += h->packet_len;
    if (n > h->size)
        return AD_ERANGE;
    if (pad8(n) != h->size)
        return AD_EFORMAT;
    *body = n;
    return AD_OK;
}

static void decode_views(const unsigned char *b, ad_event *out)
{
    size_t off = HDR_SIZE;
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        out->str[i].ptr = (const char *)b + off;
        out->str[i].len = out->hdr.str_len[i];
        off += out->hdr.str_len[i];
    }
    out->packet.ptr = (const char *)b + off;
    out->packet.len = out->hdr.packet_len;
}

ad_err ad_record_decode(const void *buf, size_t len, ad_event *out)
{
    if (out == NULL)
        return AD_EINVAL;
    if (buf == NULL || len < HDR_SIZE)
        return AD_ETRUNC;
    const unsigned char *b = buf;
    ad_record_hdr h;
    memcpy(&h, b, HDR_SIZE);
    ad_err err = check_frame(&h, len);
    if (err == AD_OK)
        err = check_values(&h);
    size_t body = 0;
    if (err == AD_OK)
        err = check_lengths(&h, &body);
    if (err == AD_OK && !all_zero(b + body, h.size - body))
        err = AD_EFORMAT;
    if (err == AD_OK &&
        !strings_valid((const char *)b + HDR_SIZE, body - HDR_SIZE - h.packet_len, h.str_len))
        err = AD_EUTF;
    if (err != AD_OK)
        return err;
    out->hdr = h;
    out->hdr.version = AD_RECORD_VERSION; /* a version-1 record reads as version 2 */
    decode_views(b, out);
    return AD_OK;
}

ad_err ad_record_peek_size(const void *buf, size_t len, size_t *size)
{
    if (buf == NULL || len < 4)
        return AD_ETRUNC;
    const unsigned char *b = buf;
    *size = (size_t)b[2] | ((size_t)b[3] << 8);
    return AD_OK;
}

/* ---- event helpers and names ---- */

void ad_event_init(ad_event *ev)
{
    ad_clear(ev, sizeof(*ev)); /* called per event by every source */
    ev->hdr.version = AD_RECORD_VERSION;
}

void ad_event_set_str(ad_event *ev, ad_str_slot slot, const char *text, size_t len)
{
    if ((unsigned)slot >= AD_STR__COUNT)
        return;
    ev->str[slot].ptr = text;
    ev->str[slot].len = len;
}

const char *ad_source_name(ad_source source)
{
    static const char *const names[AD_SOURCE__COUNT] = {
        [AD_SOURCE_UNKNOWN] = "unknown",
        [AD_SOURCE_ETW] = "etw",
        [AD_SOURCE_ETL] = "etl",
        [AD_SOURCE_REPLAY] = "replay",
        [AD_SOURCE_SYNTHETIC] = "synthetic",
        [AD_SOURCE_DNSTAP] = "dnstap",
    };
    return (unsigned)source < AD_SOURCE__COUNT ? names[source] : "invalid";
}

const char *ad_provider_name(ad_provider provider)
{
    static const char *const names[AD_PROVIDER__COUNT] = {
        [AD_PROVIDER_UNKNOWN] = "unknown",
        [AD_PROVIDER_DNS_SERVER] = "dns_server",
        [AD_PROVIDER_DNS_CLIENT] = "dns_client",
    };
    return (unsigned)provider < AD_PROVIDER__COUNT ? names[provider] : "invalid";
}

const char *ad_transport_name(ad_transport transport)
{
    static const char *const names[AD_TRANSPORT__COUNT] = {
        [AD_TRANSPORT_UNKNOWN] = "unknown", [AD_TRANSPORT_UDP] = "udp", [AD_TRANSPORT_TCP] = "tcp",
        [AD_TRANSPORT_DOT] = "dot",         [AD_TRANSPORT_DOH] = "doh",
    };
    return (unsigned)transport < AD_TRANSPORT__COUNT ? names[transport] : "invalid";
}

/* ---- addresses ---- */

static void addr_set(ad_addr *addr, ad_family family, const uint8_t *bytes, size_t n, int port)
{
    memset(addr, 0, sizeof(*addr));
    addr->family = (uint8_t)family;
    memcpy(addr->bytes, bytes, n);
    if (port >= 0 && port <= 65535) {
        addr->has_port = 1;
        addr->port = (uint16_t)port;
    }
}

void ad_addr_set_ipv4(ad_addr *addr, const uint8_t bytes[4], int port)
{
    addr_set(addr, AD_FAMILY_IPV4, bytes, 4, port);
}

void ad_addr_set_ipv6(ad_addr *addr, const uint8_t bytes[16], int port)
{
    addr_set(addr, AD_FAMILY_IPV6, bytes, 16, port);
}

/* Longest valid text: six hex groups and a dotted quad. */
#define ADDR_TEXT_LONGEST 45

/* Exactly four decimal parts 0..255; leading zeros are refused (octal in some parsers). */
static bool parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && i - start < 4 && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t digits = i - start;
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[start] == '0'))
            return false;
        out[part] = (uint8_t)v;
    }
    return i == len;
}

/* Groups as written, and where "::" stood (-1: nowhere). */
typedef struct ipv6_groups {
    uint16_t g[8];
    int n;
    int gap;
} ipv6_groups;

/* One group (or, at the tail, a dotted quad) at s[*i]; advances *i. */
static bool parse_ipv6_group(const char *s, size_t len, size_t *i, ipv6_groups *gs)
{
    size_t start = *i;
    unsigned v = 0;
    while (*i < len && *i - start < 5 && ad_hex_digit(s[*i]) >= 0)
        v = v * 16 + (unsigned)ad_hex_digit(s[(*i)++]);
    if (*i < len && s[*i] == '.') {
        uint8_t q[4];
        if (gs->n > 6 || !parse_ipv4(s + start, len - start, q))
            return false;
        gs->g[gs->n++] = (uint16_t)(q[0] << 8 | q[1]);
        gs->g[gs->n++] = (uint16_t)(q[2] << 8 | q[3]);
        *i = len;
        return true;
    }
    size_t digits = *i - start;
    if (digits == 0 || digits > 4)
        return false;
    gs->g[gs->n++] = (uint16_t)v;
    return true;
}

static bool parse_ipv6_groups(const char *s, size_t len, ipv6_groups *gs)
{
    size_t i = 0;
    gs->n = 0;
    gs->gap = -1;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gs->gap = 0;
        i = 2;
    }
    while (i < len) {
        if (gs->n >= 8 || !parse_ipv6_group(s, len, &i, gs))
            return false;
        if (i == len)
            break;
        if (s[i] != ':') /* also refuses a zone ("%eth0") */
            return false;
        if (++i == len)
            return false; /* a single trailing ':' */
        if (s[i] == ':') {
            if (gs->gap >= 0)
                return false;
            gs->gap = gs->n;
            i++;
        }
    }
    /* "::" stands for at least one zero group. */
    return gs->gap < 0 ? gs->n == 8 : gs->n <= 7;
}

static bool parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
    ipv6_groups gs;
    if (!parse_ipv6_groups(s, len, &gs))
        return false;
    uint16_t full[8] = {0};
    int head = gs.gap < 0 ? gs.n : gs.gap;
    for (int k = 0; k < head; k++)
        full[k] = gs.g[k];
    for (int k = head; k < gs.n; k++)
        full[8 - (gs.n - k)] = gs.g[k];
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(full[k] >> 8);
        out[2 * k + 1] = (uint8_t)full[k];
    }
    return true;
}

ad_err ad_addr_parse(ad_addr *addr, const char *text, size_t len)
{
    if (addr == NULL || text == NULL || len == 0 || len > ADDR_TEXT_LONGEST)
        return AD_EFORMAT;
    uint8_t bytes[16] = {0};
    ad_family family = memchr(text, ':', len) != NULL ? AD_FAMILY_IPV6 : AD_FAMILY_IPV4;
    bool ok =
        family == AD_FAMILY_IPV6 ? parse_ipv6(text, len, bytes) : parse_ipv4(text, len, bytes);
    if (!ok)
        return AD_EFORMAT;
    addr->family = (uint8_t)family;
    memcpy(addr->bytes, bytes, sizeof(bytes));
    return AD_OK;
}

static size_t put_quad(char *o, const uint8_t q[4])
{
    size_t n = 0;
    for (int k = 0; k < 4; k++) {
        unsigned v = q[k];
        if (k > 0)
            o[n++] = '.';
        if (v >= 100)
            o[n++] = (char)('0' + v / 100);
        if (v >= 10)
            o[n++] = (char)('0' + v / 10 % 10);
        o[n++] = (char)('0' + v % 10);
    }
    return n;
}

static size_t put_hex16(char *o, unsigned v)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 15u;
        if (d != 0 || n != 0 || shift == 0)
            o[n++] = hex[d];
    }
    return n;
}

/* RFC 5952 4.2: the first longest run of at least two zero groups; *start = -1 if none. */
static void longest_zero_run(const uint16_t g[8], int *start, int *len)
{
    *start = -1;
    *len = 0;
    for (int k = 0; k < 8;) {
        int run = 0;
        while (k + run < 8 && g[k + run] == 0)
            run++;
        if (run >= 2 && run > *len) {
            *start = k;
            *len = run;
        }
        k += run > 0 ? run : 1;
    }
}

static size_t format_ipv6(const uint8_t b[16], char *o)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, sizeof(mapped)) == 0) {
        memcpy(o, "::ffff:", 7);
        return 7 + put_quad(o + 7, b + 12);
    }
    uint16_t g[8];
    for (int k = 0; k < 8; k++)
        g[k] = (uint16_t)(b[2 * k] << 8 | b[2 * k + 1]);
    int zs, zl;
    longest_zero_run(g, &zs, &zl);
    size_t n = 0;
    for (int k = 0; k < 8; k++) {
        if (k == zs) {
            o[n++] = ':';
            o[n++] = ':';
            k += zl - 1;
            continue;
        }
        if (k > 0 && k != zs + zl)
            o[n++] = ':';
        n += put_hex16(o + n, g[k]);
    }
    return n;
}

size_t ad_addr_format(const ad_addr *addr, char *buf, size_t cap)
{
    char tmp[AD_ADDR_TEXT_MAX];
    size_t n = 0;
    if (cap > 0)
        buf[0] = '\0';
    if (addr == NULL)
        return 0;
    if (addr->family == AD_FAMILY_IPV4)
        n = put_quad(tmp, addr->bytes);
    else if (addr->family == AD_FAMILY_IPV6)
        n = format_ipv6(addr->bytes, tmp);
    if (n == 0 || n + 1 > cap)
        return 0;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return n;
}

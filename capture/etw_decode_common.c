/*
 * asimdns-capture: the template interpreter and field readers shared by the DNS Server and
 * DNS Client decoders, and the provider dispatch (ad_etw_decode).
 *
 * Wire rules (facts/etw-dns-providers.md §1): UserData is packed little-endian; win:UInt8 is
 * 1 byte, win:UInt32 4, win:UInt64 8, win:Boolean 4, win:GUID 16, win:FILETIME 8, win:Pointer
 * 4 or 8 by EVENT_HEADER.Flags; win:AnsiString runs up to and including one 0x00,
 * win:UnicodeString up to and including 0x0000; win:Binary length="X" is exactly the value
 * of the preceding UInt32 X; SocketAddress fields are AddressLength:u32 + raw SOCKADDR
 * (facts §3.4).
 *
 * Text:
 * - UnicodeString (UTF-16LE) becomes UTF-8 in the caller's scratch buffer, cut at
 *   AD_RECORD_MAX_STR on a character boundary (AD_REC_STR_TRUNCATED). An unpaired surrogate in
 *   a kept string is AD_EUTF; strings that are skipped are only scanned for their terminator.
 * - AnsiString is the DNS Server's ANSI code page, not UTF-8. Decision: bytes that are valid
 *   UTF-8 (always the case for ASCII, i.e. every real QNAME and IP text seen in facts §2.5) are
 *   kept as a zero-copy view; otherwise the bytes are read as Latin-1 (ISO-8859-1) and
 *   converted to UTF-8 in scratch. No AnsiString is ever rejected for its encoding, so a name
 *   with raw high bytes in a label still yields a record; the exporter sees valid UTF-8.
 * - IP text (InterfaceIP, Source, Destination) is parsed with ad_addr_parse after removing
 *   optional [brackets] and a %scope suffix (a plain dotted quad takes a fast path that
 *   accepts exactly what ad_addr_parse accepts); empty text means "no address", other text
 *   that is not an address is AD_EFORMAT.
 */
#include "capture/etw_decode_common.h"

#include <string.h>

#include "common/utf.h"

/* Longest IP text accepted before parsing (IPv6 with scope and brackets fits easily). */
#define IP_TEXT_MAX 64

static const unsigned char empty_userdata[1] = {0};

static inline uint32_t rd32(const unsigned char *q)
{
    return (uint32_t)q[0] | ((uint32_t)q[1] << 8) | ((uint32_t)q[2] << 16) | ((uint32_t)q[3] << 24);
}

static inline uint64_t rd64(const unsigned char *q)
{
    return (uint64_t)rd32(q) | ((uint64_t)rd32(q + 4) << 32);
}

static void set_identity(const ad_etw_event_in *in, ad_event *ev)
{
    ad_event_init(ev);
    ev->hdr.source = (uint8_t)in->source;
    ev->hdr.provider = (uint8_t)in->provider;
    ev->hdr.event_id = in->event_id;
    ev->hdr.event_version = in->version;
    ev->hdr.time_ns = in->time_ns;
    ev->hdr.pid = in->pid;
    ev->hdr.tid = in->tid;
}

ad_err ad__etw_begin(ad__etw_ctx *c, const ad_etw_event_in *in, ad_event *ev, ad_decode_scratch *s)
{
    if (in == NULL || ev == NULL || s == NULL)
        return AD_EINVAL;
    s->used = 0;
    memset(&s->diag, 0, sizeof s->diag);
    set_identity(in, ev);
    if (in->userdata_len > 0 && in->userdata == NULL)
        return AD_EINVAL;
    if (in->userdata_len > AD_ETW_MAX_USERDATA)
        return AD_ERANGE;
    c->p = in->userdata_len > 0 ? (const unsigned char *)in->userdata : empty_userdata;
    c->len = in->userdata_len;
    c->off = 0;
    c->ev = ev;
    c->s = s;
    /* facts §1: 0x0020 32_BIT_HEADER, 0x0040 64_BIT_HEADER; neither or both: unknown. */
    switch (in->header_flags & (AD_ETW_HEADER_FLAG_32_BIT | AD_ETW_HEADER_FLAG_64_BIT)) {
    case AD_ETW_HEADER_FLAG_32_BIT:
        c->ptr_size = 4;
        break;
    case AD_ETW_HEADER_FLAG_64_BIT:
        c->ptr_size = 8;
        break;
    default:
        c->ptr_size = 0;
        break;
    }
    c->bin_len = 0;
    c->port = 0;
    c->has_port = false;
    memset(&c->peer, 0, sizeof c->peer);
    memset(&c->iface, 0, sizeof c->iface);
    return AD_OK;
}

ad_err ad__etw_fail(const ad_etw_event_in *in, ad_event *ev, ad_decode_scratch *s, ad_err err)
{
    if (in == NULL || ev == NULL || s == NULL)
        return err;
    set_identity(in, ev);
    s->used = 0;
    s->diag.layout = AD_ETW_LAYOUT_NONE;
    return err;
}

ad_err ad__etw_parse_ip(const char *text, size_t len, ad_addr *addr)
{
    memset(addr, 0, sizeof *addr);
    if (len == 0)
        return AD_OK;
    if (len > IP_TEXT_MAX)
        return AD_EFORMAT;
    if (text[0] == '[') {
        const char *close = memchr(text, ']', len);
        if (close == NULL)
            return AD_EFORMAT;
        len = (size_t)(close - text) - 1;
        text++;
    }
    const char *pct = memchr(text, '%', len);
    if (pct != NULL)
        len = (size_t)(pct - text);
    if (len == 0)
        return AD_EFORMAT;
    if (ad_addr_parse(addr, text, len) != AD_OK) {
        memset(addr, 0, sizeof *addr);
        return AD_EFORMAT;
    }
    return AD_OK;
}

/* Room for the next string in scratch: at most one record string. */
static size_t scratch_room(const ad_decode_scratch *s)
{
    size_t room = sizeof s->buf - s->used;
    return room < AD_RECORD_MAX_STR ? room : AD_RECORD_MAX_STR;
}

/* Commits len bytes at the scratch tail as the view of slot. */
static void commit_slot(ad__etw_ctx *c, unsigned slot, size_t len, bool cut)
{
    ad_decode_scratch *s = c->s;
    c->ev->str[slot].ptr = s->buf + s->used;
    c->ev->str[slot].len = len;
    s->used += len;
    if (cut)
        c->ev->hdr.bits |= AD_REC_STR_TRUNCATED;
}

/* Soft parse of the first entry of an address list ("a;b", "a,b", "a b"): absent if bad. */
static void parse_first_addr(const char *text, size_t len, ad_addr *addr)
{
    size_t n = 0;
    while (n < len && text[n] != ';' && text[n] != ',' && text[n] != ' ')
        n++;
    if (ad__etw_parse_ip(text, n, addr) != AD_OK)
        memset(addr, 0, sizeof *addr);
}

static ad_err field_ansi(ad__etw_ctx *c, unsigned target)
{
    const unsigned char *q = c->p + c->off;
    size_t rem = c->len - c->off;
    const unsigned char *z = rem > 0 ? memchr(q, 0, rem) : NULL;
    if (z == NULL)
        return AD_ETRUNC; /* no terminator: cut */
    size_t n = (size_t)(z - q);
    const char *text = (const char *)q;
    ad_err err;

    switch (target) {
    case AD__T_SKIP:
        break;
    case AD__T_IFACE_IP:
        err = ad__etw_parse_ip(text, n, &c->iface);
        if (err != AD_OK)
            return err;
        break;
    case AD__T_PEER_IP:
        err = ad__etw_parse_ip(text, n, &c->peer);
        if (err != AD_OK)
            return err;
        break;
    default: {
        unsigned slot = target - AD__T_STR;
        if (slot >= AD_STR__COUNT)
            break;
        unsigned char any = 0;
        for (size_t i = 0; i < n; i++)
            any |= q[i];
        if (any < 0x80 || ad_utf8_valid(text, n)) {
            c->ev->str[slot].ptr = text;
            c->ev->str[slot].len = n;
            break;
        }
        /* Not UTF-8: Latin-1 to UTF-8 (file comment). */
        char *dst = c->s->buf + c->s->used;
        size_t cap = scratch_room(c->s), o = 0;
        bool cut = false;
        for (size_t i = 0; i < n; i++) {
            unsigned char b = q[i];
            size_t need = b < 0x80 ? 1 : 2;
            if (cap - o < need) {
                cut = true;
                break;
            }
            if (b < 0x80) {
                dst[o++] = (char)b;
            } else {
                dst[o++] = (char)(0xC0 | (b >> 6));
                dst[o++] = (char)(0x80 | (b & 0x3F));
            }
        }
        commit_slot(c, slot, o, cut);
        break;
    }
    }
    c->off += n + 1;
    return AD_OK;
}

/*
 * Fast path for UTF-16 text that is ASCII (all DNS names, IPs, GUIDs): copies whole groups of
 * 4 units in 1..0x7F from q to dst, at most max units; returns how many were copied.
 */
static size_t ascii_run(const unsigned char *q, size_t max, char *dst)
{
    size_t n = 0;
    for (; max - n >= 4; n += 4) {
        uint64_t w = rd64(q + 2 * n);
        /* a unit >= 0x80, or (all below 0x80) a unit 0: subtracting 1 borrows into bit 15 */
        if (((w & 0xFF80FF80FF80FF80ull) | ((w - 0x0001000100010001ull) & 0x8000800080008000ull)) !=
            0)
            break;
        uint64_t t = w & 0x00FF00FF00FF00FFull;
        t = (t | (t >> 8)) & 0x0000FFFF0000FFFFull;
        uint32_t four = (uint32_t)(t | (t >> 16)); /* the 4 chars, first in the low byte */
#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__) &&                                    \
    __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        dst[n] = (char)four;
        dst[n + 1] = (char)(four >> 8);
        dst[n + 2] = (char)(four >> 16);
        dst[n + 3] = (char)(four >> 24);
#else
        memcpy(dst + n, &four, 4); /* little-endian host: one store */
#endif
    }
    return n;
}

static ad_err field_utf16(ad__etw_ctx *c, unsigned target)
{
    const unsigned char *q = c->p + c->off;
    size_t units = (c->len - c->off) / 2;
    size_t i;

    if (target == AD__T_SKIP) {
        for (i = 0; i < units; i++) {
            if ((q[2 * i] | q[2 * i + 1]) == 0) {
                c->off += 2 * (i + 1);
                return AD_OK;
            }
        }
        return AD_ETRUNC;
    }

    /* Convert while scanning; the bytes count only once the terminator is found. */
    char *dst = c->s->buf + c->s->used;
    size_t cap = scratch_room(c->s), o = 0;
    bool cut = false, fast = true;
    for (i = 0;; i++) {
        /* At the start and after each non-ASCII character: whole ASCII groups at once. */
        if (fast && !cut) {
            size_t room = cap - o < units - i ? cap - o : units - i;
            size_t n = ascii_run(q + 2 * i, room, dst + o);
            i += n;
            o += n;
            fast = false;
        }
        if (i >= units)
            return AD_ETRUNC;
        uint32_t u = (uint32_t)q[2 * i] | ((uint32_t)q[2 * i + 1] << 8);
        if (u < 0x80) {
            if (u == 0)
                break;
            if (!cut && o < cap)
                dst[o++] = (char)u;
            else
                cut = true;
            continue;
        }
        if (u >= 0xD800 && u <= 0xDFFF) {
            if (u >= 0xDC00)
                return AD_EUTF; /* lone low surrogate */
            if (i + 1 >= units)
                return AD_ETRUNC;
            uint32_t lo = (uint32_t)q[2 * i + 2] | ((uint32_t)q[2 * i + 3] << 8);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return AD_EUTF; /* high surrogate not followed by a low one */
            u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            i++;
        }
        fast = true;
        size_t need = u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
        if (cut || cap - o < need) {
            cut = true;
            continue;
        }
        if (need == 2) {
            dst[o++] = (char)(0xC0 | (u >> 6));
        } else if (need == 3) {
            dst[o++] = (char)(0xE0 | (u >> 12));
            dst[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
        } else {
            dst[o++] = (char)(0xF0 | (u >> 18));
            dst[o++] = (char)(0x80 | ((u >> 12) & 0x3F));
            dst[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
        }
        dst[o++] = (char)(0x80 | (u & 0x3F));
    }
    c->off += 2 * (i + 1);

    switch (target) {
    case AD__T_SERVERS_PEER:
        commit_slot(c, AD_STR_SERVERS, o, cut);
        parse_first_addr(dst, o, &c->peer);
        break;
    case AD__T_LOCAL_IFACE:
        /* Parsed for iface only; the converted text is not kept (scratch not advanced). */
        parse_first_addr(dst, o, &c->iface);
        break;
    default: {
        unsigned slot = target - AD__T_STR;
        if (target >= AD__T_STR && slot < AD_STR__COUNT)
            commit_slot(c, slot, o, cut);
        break;
    }
    }
    return AD_OK;
}

/*
 * A SOCKADDR from a SocketAddress field (facts §3.4, S11 bytes): family u16 LE, port u16 in
 * network order, then AF_INET (2): 4 address bytes; AF_INET6 (23 on Windows): flowinfo u32,
 * 16 address bytes, scope id u32. Length 0 or AF_UNSPEC: no address. Another family: no
 * address (not ours to judge). AF_INET/AF_INET6 shorter than their address: AD_EFORMAT.
 */
static ad_err parse_sockaddr(const unsigned char *q, size_t n, ad_addr *addr)
{
    memset(addr, 0, sizeof *addr);
    if (n == 0)
        return AD_OK;
    if (n < 2)
        return AD_EFORMAT;
    unsigned family = (unsigned)q[0] | ((unsigned)q[1] << 8);
    if (family != 2 && family != 23)
        return AD_OK;
    if (n < 4)
        return AD_EFORMAT;
    uint16_t port = (uint16_t)(((unsigned)q[2] << 8) | q[3]);
    if (family == 2) {
        if (n < 8)
            return AD_EFORMAT;
        addr->family = AD_FAMILY_IPV4;
        memcpy(addr->bytes, q + 4, 4);
    } else {
        if (n < 24)
            return AD_EFORMAT;
        addr->family = AD_FAMILY_IPV6;
        memcpy(addr->bytes, q + 8, 16);
    }
    if (port != 0) {
        addr->has_port = 1;
        addr->port = port;
    }
    return AD_OK;
}

static ad_err field_sockaddr(ad__etw_ctx *c, unsigned target)
{
    size_t rem = c->len - c->off;
    if (rem < 4)
        return AD_ETRUNC;
    uint32_t n = rd32(c->p + c->off);
    if (n > rem - 4)
        return AD_ERANGE;
    ad_addr addr;
    ad_err err = parse_sockaddr(c->p + c->off + 4, n, &addr);
    if (err != AD_OK)
        return err;
    if (target == AD__T_SOCK_PEER) {
        c->peer = addr;
    } else if (target == AD__T_SOCK_RESULT && addr.family != AD_FAMILY_NONE) {
        ad_decode_scratch *s = c->s;
        if (sizeof s->buf - s->used >= AD_ADDR_TEXT_MAX) {
            size_t len = ad_addr_format(&addr, s->buf + s->used, AD_ADDR_TEXT_MAX);
            if (len > 0)
                commit_slot(c, AD_STR_RESULTS, len, false);
        }
    }
    c->off += 4 + (size_t)n;
    return AD_OK;
}

/* Where a numeric target goes: a u32 header field (offset) or a boolean bit, and its presence
 * bit. AD__T_TCP and AD__T_PORT are handled in set_u32; unlisted targets are ignored. */
typedef struct u32_dest {
    uint16_t offset; /* offsetof(ad_record_hdr, field); 0 = none */
    uint32_t present;
    uint32_t bit; /* boolean targets: the bit set when the value is non-zero */
} u32_dest;

#define U32_DEST(t, field, has) [t] = {(uint16_t)offsetof(ad_record_hdr, field), has, 0}
#define BOOL_DEST(t, has, b) [t] = {0, has, b}
static const u32_dest u32_dests[AD__T_STR] = {
    BOOL_DEST(AD__T_RD, AD_HAS_RD, AD_BIT_RD),
    BOOL_DEST(AD__T_AA, AD_HAS_AA, AD_BIT_AA),
    BOOL_DEST(AD__T_AD, AD_HAS_AD, AD_BIT_AD),
    BOOL_DEST(AD__T_DNSSEC, AD_HAS_DNSSEC, AD_BIT_DNSSEC),
    BOOL_DEST(AD__T_SECURE, AD_HAS_SECURE, AD_BIT_SECURE),
    U32_DEST(AD__T_QTYPE, qtype, AD_HAS_QTYPE),
    U32_DEST(AD__T_XID, xid, AD_HAS_XID),
    U32_DEST(AD__T_QXID, qxid, AD_HAS_QXID),
    U32_DEST(AD__T_FLAGS, dns_flags, AD_HAS_DNS_FLAGS),
    U32_DEST(AD__T_RCODE, rcode, AD_HAS_RCODE),
    U32_DEST(AD__T_ELAPSED, elapsed_ms, AD_HAS_ELAPSED),
    U32_DEST(AD__T_RECURSION_DEPTH, recursion_depth, AD_HAS_RECURSION_DEPTH),
    U32_DEST(AD__T_QUERIES_ATTACHED, queries_attached, AD_HAS_QUERIES_ATTACHED),
    U32_DEST(AD__T_STATUS, status, AD_HAS_STATUS),
    U32_DEST(AD__T_CLIENT_PID, client_pid, AD_HAS_CLIENT_PID),
    U32_DEST(AD__T_INTERFACE_INDEX, interface_index, AD_HAS_INTERFACE_INDEX),
    U32_DEST(AD__T_NETWORK_INDEX, network_index, AD_HAS_NETWORK_INDEX),
};

static inline ad_err set_u32(ad__etw_ctx *c, unsigned target, uint32_t v)
{
    ad_record_hdr *h = &c->ev->hdr;
    if (target == AD__T_TCP) { /* facts §2.5: UInt8 0/1; S4 reads it as (byte)p != 0 */
        h->transport = v != 0 ? AD_TRANSPORT_TCP : AD_TRANSPORT_UDP;
        h->present |= AD_HAS_TRANSPORT;
        return AD_OK;
    }
    if (target == AD__T_PORT) {
        if (v > 65535)
            return AD_ERANGE;
        c->port = v;
        c->has_port = true;
        return AD_OK;
    }
    if (target >= AD__T_STR)
        return AD_OK;
    const u32_dest *d = &u32_dests[target];
    h->present |= d->present;
    if (d->offset != 0)
        memcpy((char *)h + d->offset, &v, sizeof v);
    else if (v != 0)
        h->bits |= d->bit;
    return AD_OK;
}

/* Reads one field at c->off; AD_ETRUNC when UserData ends inside it (nothing committed). */
static ad_err read_field(ad__etw_ctx *c, const ad__etw_field *f)
{
    size_t rem = c->len - c->off;
    const unsigned char *q = c->p + c->off;
    uint32_t v;

    switch (f->wire) {
    case AD__W_U8:
        if (rem < 1)
            return AD_ETRUNC;
        c->off += 1;
        return set_u32(c, f->target, q[0]);
    case AD__W_U32:
    case AD__W_BOOL32:
        if (rem < 4)
            return AD_ETRUNC;
        v = rd32(q);
        c->off += 4;
        return set_u32(c, f->target, v);
    case AD__W_LEN:
        if (rem < 4)
            return AD_ETRUNC;
        c->bin_len = rd32(q);
        c->off += 4;
        return AD_OK;
    case AD__W_U64:
    case AD__W_FILETIME:
        if (rem < 8)
            return AD_ETRUNC;
        if (f->target == AD__T_QUERY_OPTIONS) {
            c->ev->hdr.query_options = rd64(q);
            c->ev->hdr.present |= AD_HAS_QUERY_OPTIONS;
        }
        c->off += 8;
        return AD_OK;
    case AD__W_GUID:
        if (rem < 16)
            return AD_ETRUNC;
        c->off += 16;
        return AD_OK;
    case AD__W_PTR:
        if (c->ptr_size == 0)
            return AD_EINVAL; /* EVENT_HEADER.Flags give no pointer size (facts §1) */
        if (rem < c->ptr_size)
            return AD_ETRUNC;
        c->off += c->ptr_size;
        return AD_OK;
    case AD__W_ANSI:
        return field_ansi(c, f->target);
    case AD__W_UTF16:
        return field_utf16(c, f->target);
    case AD__W_BIN:
        /* A length beyond the data is malformed, never version drift: always an error. */
        if (c->bin_len > rem)
            return AD_ERANGE;
        if (f->target == AD__T_PACKET) {
            c->ev->packet.ptr = (const char *)q;
            c->ev->packet.len = c->bin_len;
        }
        c->off += c->bin_len;
        return AD_OK;
    case AD__W_SOCKADDR:
        return field_sockaddr(c, f->target);
    default:
        return AD_EINVAL; /* a template bug */
    }
}

ad_err ad__etw_run(ad__etw_ctx *c, const ad__etw_tmpl *t, bool *partial)
{
    *partial = false;
    for (unsigned i = 0; i < t->count; i++) {
        const ad__etw_field *f = &t->fields[i];
        size_t start = c->off;
        ad_err err = read_field(c, f);
        if (AD_LIKELY(err == AD_OK))
            continue;
        c->s->diag.field = f->name;
        c->s->diag.offset = (uint32_t)start;
        if (err == AD_ETRUNC && i >= t->required) {
            /* facts §1/§2.6: optional trailing fields from here on are absent. */
            c->off = start;
            *partial = true;
            break;
        }
        return err;
    }
    c->s->diag.trailing = (uint32_t)(c->len - c->off);
    return AD_OK;
}

void ad__etw_apply_addrs(ad__etw_ctx *c, const ad_event_def *def)
{
    ad_record_hdr *h = &c->ev->hdr;
    ad_addr peer = c->peer;
    if (c->has_port && c->port != 0 && peer.family != AD_FAMILY_NONE) {
        peer.has_port = 1;
        peer.port = (uint16_t)c->port;
    }
    h->iface = c->iface;
    if (def->client == AD_CLIENT_NONE || def->message == AD_MSG_NONE)
        return;
    const ad_addr *client = def->client == AD_CLIENT_PEER ? &peer : &c->iface;
    const ad_addr *server = def->client == AD_CLIENT_PEER ? &c->iface : &peer;
    bool response = def->message == AD_MSG_RESPONSE;
    h->src = response ? *server : *client;
    h->dst = response ? *client : *server;
}

ad_err ad_etw_decode(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch)
{
    if (in == NULL || out == NULL || scratch == NULL)
        return AD_EINVAL;
    switch (in->provider) {
    case AD_PROVIDER_DNS_SERVER:
        return ad_etw_decode_server(in, out, scratch);
    case AD_PROVIDER_DNS_CLIENT:
        return ad_etw_decode_client(in, out, scratch);
    default: {
        ad__etw_ctx c;
        ad_err err = ad__etw_begin(&c, in, out, scratch);
        return ad__etw_fail(in, out, scratch, err != AD_OK ? err : AD_EUNSUPP);
    }
    }
}

bool ad_etw_event_supported(ad_provider provider, uint16_t event_id)
{
    switch (provider) {
    case AD_PROVIDER_DNS_SERVER:
        return ad__etw_server_supported(event_id);
    case AD_PROVIDER_DNS_CLIENT:
        return ad__etw_client_supported(event_id);
    default:
        return false;
    }
}

const char *ad_etw_event_name(ad_provider provider, uint16_t event_id)
{
    const char *name = NULL;
    if (provider == AD_PROVIDER_DNS_SERVER)
        name = ad__etw_server_name(event_id);
    else if (provider == AD_PROVIDER_DNS_CLIENT)
        name = ad__etw_client_name(event_id);
    return name != NULL ? name : "UNKNOWN";
}

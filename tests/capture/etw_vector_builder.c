/* asimdns tests: ETW UserData test-vector builder (see etw_vector_builder.h). */
#include "etw_vector_builder.h"

#include <string.h>

/* A DNS query for google.es. A, id 6, flags 0x0100 (facts §2.5: XID=6 <-> 0006, 0100). */
static const uint8_t default_packet[] = {
    0x00, 0x06, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 'g',
    'o',  'o',  'g',  'l',  'e',  0x02, 'e',  's',  0x00, 0x00, 0x01, 0x00, 0x01,
};

void ad_vb_init(ad_vb *b)
{
    b->len = 0;
    b->overflow = false;
    b->nfields = 0;
}

void ad_vb_values_default(ad_vb_values *v)
{
    memset(v, 0, sizeof *v);
    v->tcp = 0;
    v->rd = 1;
    v->aa = 1;
    v->ad = 0;
    v->dnssec = 1;
    v->secure = 1;
    v->iface_ip = "172.31.87.64";
    v->peer_ip = "10.0.0.25";
    v->qname = "google.es.";
    v->qtype = 1;
    v->xid = 6;
    v->qxid = 30291;
    v->port = 59559;
    v->flags = 0x8180;
    v->rcode = 3;
    v->elapsed = 17;
    v->recursion_depth = 2;
    v->queries_attached = 1;
    v->zone_scope = "Default";
    v->zone = "..Cache";
    v->policy = "NULL";
    v->reason = "Policy";
    v->recursion_scope = ".";
    v->cache_scope = "Default";
    v->additional = "VirtualizationInstance:.";
    v->guid = "{BF629903-4288-435F-9182-470BEDF5C0A4}";
    v->stale = "false";
    v->edns_scope = "NULL";
    v->packet = default_packet;
    v->packet_len = sizeof default_packet;
    v->data_tag = 0x1122334455667788ull;
    for (int i = 0; i < 16; i++)
        v->edns_tag[i] = (uint8_t)(0xA0 + i);
    v->ttl = 3600;
    v->query_options = 2392538375938048ull; /* facts §3.5 */
    v->status = 9003;
    v->client_pid = 4242;
    v->interface_index = 12;
    v->network_index = 3;
    v->results = "2600:9000:20c3:3600:e:29d5:db00:93a1;::ffff:18.66.192.123;";
    v->servers = "fe80::1;192.168.2.1";
    v->server_ip = "192.168.2.1";
    v->adapter = "vEthernet (New Virtual Switch)";
    v->local_addrs = "192.168.2.103;fe80::e440:4aab:776b:cdfa";
    static const uint8_t peer6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    ad_addr_set_ipv6(&v->sock_peer, peer6, 53);
    static const uint8_t res4[4] = {169, 254, 10, 20};
    ad_addr_set_ipv4(&v->sock_result, res4, -1);
    v->pointer = 0x00007FF612345678ull;
}

static void begin_field(ad_vb *b, ad_vb_kind kind)
{
    if (b->nfields >= AD_VB_MAX_FIELDS) {
        b->overflow = true;
        return;
    }
    b->fields[b->nfields].kind = kind;
    b->fields[b->nfields].start = b->len;
    b->fields[b->nfields].end = b->len;
}

static void end_field(ad_vb *b)
{
    if (b->nfields >= AD_VB_MAX_FIELDS)
        return;
    b->fields[b->nfields].end = b->len;
    b->nfields++;
}

static void put(ad_vb *b, const void *p, size_t n)
{
    if (n > AD_VB_CAP - b->len) {
        b->overflow = true;
        return;
    }
    if (n > 0)
        memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static void put_le(ad_vb *b, uint64_t v, unsigned n)
{
    uint8_t tmp[8];
    for (unsigned i = 0; i < n; i++)
        tmp[i] = (uint8_t)(v >> (8 * i));
    put(b, tmp, n);
}

void ad_vb_u8(ad_vb *b, ad_vb_kind kind, uint8_t v)
{
    begin_field(b, kind);
    put(b, &v, 1);
    end_field(b);
}

void ad_vb_u32(ad_vb *b, ad_vb_kind kind, uint32_t v)
{
    begin_field(b, kind);
    put_le(b, v, 4);
    end_field(b);
}

void ad_vb_u64(ad_vb *b, ad_vb_kind kind, uint64_t v)
{
    begin_field(b, kind);
    put_le(b, v, 8);
    end_field(b);
}

void ad_vb_ansi_n(ad_vb *b, ad_vb_kind kind, const void *bytes, size_t n)
{
    static const uint8_t nul = 0;
    begin_field(b, kind);
    put(b, bytes, n);
    put(b, &nul, 1);
    end_field(b);
}

void ad_vb_ansi(ad_vb *b, ad_vb_kind kind, const char *text)
{
    ad_vb_ansi_n(b, kind, text, strlen(text));
}

/* Next code point of valid UTF-8 text (test input is trusted). */
static uint32_t next_cp(const unsigned char **s)
{
    const unsigned char *p = *s;
    uint32_t cp;
    if (p[0] < 0x80) {
        cp = p[0];
        *s += 1;
    } else if (p[0] < 0xE0) {
        cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        *s += 2;
    } else if (p[0] < 0xF0) {
        cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        *s += 3;
    } else {
        cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
             ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        *s += 4;
    }
    return cp;
}

void ad_vb_utf16(ad_vb *b, ad_vb_kind kind, const char *utf8)
{
    const unsigned char *s = (const unsigned char *)utf8;
    begin_field(b, kind);
    while (*s != 0) {
        uint32_t cp = next_cp(&s);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            put_le(b, 0xD800 + (cp >> 10), 2);
            put_le(b, 0xDC00 + (cp & 0x3FF), 2);
        } else {
            put_le(b, cp, 2);
        }
    }
    put_le(b, 0, 2);
    end_field(b);
}

void ad_vb_utf16_units(ad_vb *b, ad_vb_kind kind, const uint16_t *units, size_t n, bool terminate)
{
    begin_field(b, kind);
    for (size_t i = 0; i < n; i++)
        put_le(b, units[i], 2);
    if (terminate)
        put_le(b, 0, 2);
    end_field(b);
}

void ad_vb_binary(ad_vb *b, ad_vb_kind kind, const void *bytes, size_t n)
{
    begin_field(b, kind);
    put(b, bytes, n);
    end_field(b);
}

void ad_vb_pointer(ad_vb *b, ad_vb_kind kind, unsigned size, uint64_t v)
{
    begin_field(b, kind);
    put_le(b, v, size);
    end_field(b);
}

void ad_vb_guid(ad_vb *b, ad_vb_kind kind, const uint8_t guid[16])
{
    begin_field(b, kind);
    put(b, guid, 16);
    end_field(b);
}

void ad_vb_sockaddr(ad_vb *b, ad_vb_kind kind, const ad_addr *addr)
{
    uint8_t sa[28];
    size_t n;
    memset(sa, 0, sizeof sa);
    uint16_t port = addr->has_port ? addr->port : 0;
    sa[2] = (uint8_t)(port >> 8); /* network order */
    sa[3] = (uint8_t)port;
    if (addr->family == AD_FAMILY_IPV4) {
        sa[0] = 2; /* AF_INET */
        memcpy(sa + 4, addr->bytes, 4);
        n = 16;
    } else {
        sa[0] = 23; /* AF_INET6 on Windows */
        memcpy(sa + 8, addr->bytes, 16);
        sa[24] = 10; /* scope id, as in the S11 sample */
        n = 28;
    }
    begin_field(b, kind);
    put_le(b, n, 4);
    put(b, sa, n);
    end_field(b);
}

void ad_vb_packet(ad_vb *b, const uint8_t *packet, uint32_t len)
{
    ad_vb_u32(b, VB_BUFSIZE, len);
    ad_vb_binary(b, VB_PACKET, packet, len);
}

/* ---- DNS Server (facts §2.4, §2.6) ---- */

static void w_tcp(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_u8(b, VB_TCP, v->tcp);
}

static void w_iface(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_ansi(b, VB_IFACE, v->iface_ip);
}

static void w_peer(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_ansi(b, VB_PEER, v->peer_ip);
}

static void w_qname(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_ansi(b, VB_QNAME, v->qname);
}

static void w_pkt(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_packet(b, v->packet, v->packet_len);
}

/* T256 fields 1-11 */
static void t256_core(ad_vb *b, const ad_vb_values *v)
{
    w_tcp(b, v);
    w_iface(b, v);
    w_peer(b, v);
    ad_vb_u8(b, VB_RD, v->rd);
    w_qname(b, v);
    ad_vb_u32(b, VB_QTYPE, v->qtype);
    ad_vb_u32(b, VB_XID, v->xid);
    ad_vb_u32(b, VB_PORT, v->port);
    ad_vb_u32(b, VB_FLAGS, v->flags);
    w_pkt(b, v);
}

/* T257 fields 1-18 */
static void t257_core(ad_vb *b, const ad_vb_values *v)
{
    w_tcp(b, v);
    w_iface(b, v);
    w_peer(b, v);
    ad_vb_u8(b, VB_AA, v->aa);
    ad_vb_u8(b, VB_AD, v->ad);
    w_qname(b, v);
    ad_vb_u32(b, VB_QTYPE, v->qtype);
    ad_vb_u32(b, VB_XID, v->xid);
    ad_vb_u8(b, VB_DNSSEC, v->dnssec);
    ad_vb_u32(b, VB_RCODE, v->rcode);
    ad_vb_u32(b, VB_PORT, v->port);
    ad_vb_u32(b, VB_FLAGS, v->flags);
    ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
    ad_vb_utf16(b, VB_ZONE, v->zone);
    ad_vb_utf16(b, VB_POLICY, v->policy);
    w_pkt(b, v);
    ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
}

/* T258 fields 1-17 */
static void t258_all(ad_vb *b, const ad_vb_values *v)
{
    w_tcp(b, v);
    w_iface(b, v);
    ad_vb_utf16(b, VB_REASON, v->reason);
    w_peer(b, v);
    w_qname(b, v);
    ad_vb_u32(b, VB_QTYPE, v->qtype);
    ad_vb_u32(b, VB_XID, v->xid);
    ad_vb_u32(b, VB_RCODE, v->rcode);
    ad_vb_u32(b, VB_PORT, v->port);
    ad_vb_u32(b, VB_FLAGS, v->flags);
    ad_vb_utf16(b, VB_ZONE, v->zone);
    ad_vb_utf16(b, VB_POLICY, v->policy);
    w_pkt(b, v);
    ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
    ad_vb_u32(b, VB_ELAPSED, v->elapsed);
    ad_vb_utf16(b, VB_GUID, v->guid);
}

/* T260 fields 1-17 (legacy: no QXID, no AdditionalInfo/GUID, ServerScope) */
static void t260_all(ad_vb *b, const ad_vb_values *v, bool legacy)
{
    w_tcp(b, v);
    w_peer(b, v);
    w_iface(b, v);
    ad_vb_u8(b, VB_RD, v->rd);
    w_qname(b, v);
    ad_vb_u32(b, VB_QTYPE, v->qtype);
    if (!legacy)
        ad_vb_u32(b, VB_QXID, v->qxid);
    ad_vb_u32(b, VB_XID, v->xid);
    ad_vb_u32(b, VB_PORT, v->port);
    ad_vb_u32(b, VB_FLAGS, v->flags);
    ad_vb_utf16(b, VB_RECURSION_SCOPE, v->recursion_scope);
    ad_vb_utf16(b, VB_CACHE_SCOPE, v->cache_scope);
    ad_vb_utf16(b, VB_POLICY, v->policy);
    w_pkt(b, v);
    if (!legacy) {
        ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
        ad_vb_utf16(b, VB_GUID, v->guid);
    }
}

/* T261 fields 1-18 (legacy: no RecursionDepth, nothing after PacketData) */
static void t261_all(ad_vb *b, const ad_vb_values *v, bool legacy)
{
    w_tcp(b, v);
    w_peer(b, v);
    w_iface(b, v);
    ad_vb_u8(b, VB_AA, v->aa);
    ad_vb_u8(b, VB_AD, v->ad);
    w_qname(b, v);
    ad_vb_u32(b, VB_QTYPE, v->qtype);
    ad_vb_u32(b, VB_XID, v->xid);
    if (!legacy)
        ad_vb_u32(b, VB_RECURSION_DEPTH, v->recursion_depth);
    ad_vb_u32(b, VB_PORT, v->port);
    ad_vb_u32(b, VB_FLAGS, v->flags);
    ad_vb_utf16(b, VB_RECURSION_SCOPE, v->recursion_scope);
    ad_vb_utf16(b, VB_CACHE_SCOPE, v->cache_scope);
    w_pkt(b, v);
    if (!legacy) {
        ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
        ad_vb_utf16(b, VB_GUID, v->guid);
        ad_vb_u32(b, VB_QUERIES_ATTACHED, v->queries_attached);
    }
}

/* T262 fields 1-13 (legacy: no QXID, nothing after the scopes) */
static void t262_all(ad_vb *b, const ad_vb_values *v, bool legacy)
{
    w_tcp(b, v);
    w_iface(b, v);
    w_peer(b, v);
    w_qname(b, v);
    ad_vb_u32(b, VB_QTYPE, v->qtype);
    if (!legacy)
        ad_vb_u32(b, VB_QXID, v->qxid);
    ad_vb_u32(b, VB_XID, v->xid);
    ad_vb_u32(b, VB_PORT, v->port);
    ad_vb_u32(b, VB_FLAGS, v->flags);
    ad_vb_utf16(b, VB_RECURSION_SCOPE, v->recursion_scope);
    ad_vb_utf16(b, VB_CACHE_SCOPE, v->cache_scope);
    if (!legacy) {
        ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
        ad_vb_utf16(b, VB_GUID, v->guid);
    }
}

static void zone_pair(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
    ad_vb_utf16(b, VB_ZONE, v->zone);
}

bool ad_vb_server_event(ad_vb *b, uint16_t id, bool legacy, const ad_vb_values *v)
{
    ad_vb_init(b);
    if (legacy && (id < 259 || id > 262))
        return false;
    switch (id) {
    case 256:
        t256_core(b, v);
        ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
        ad_vb_utf16(b, VB_GUID, v->guid);
        return true;
    case 257:
        t257_core(b, v);
        ad_vb_u32(b, VB_ELAPSED, v->elapsed);
        ad_vb_utf16(b, VB_GUID, v->guid);
        ad_vb_utf16(b, VB_IGNORED, v->stale);
        return true;
    case 258:
        t258_all(b, v);
        return true;
    case 259:
        w_tcp(b, v);
        w_iface(b, v);
        if (!legacy)
            w_peer(b, v);
        ad_vb_utf16(b, VB_REASON, v->reason);
        w_qname(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_XID, v->xid);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        ad_vb_utf16(b, VB_POLICY, v->policy);
        if (!legacy)
            ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
        return true;
    case 260:
        t260_all(b, v, legacy);
        return true;
    case 261:
        t261_all(b, v, legacy);
        return true;
    case 262:
        t262_all(b, v, legacy);
        return true;
    case 263:
        w_tcp(b, v);
        w_iface(b, v);
        w_peer(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_XID, v->xid);
        ad_vb_u32(b, VB_PORT, v->port);
        ad_vb_u32(b, VB_FLAGS, v->flags);
        ad_vb_u8(b, VB_SECURE, v->secure);
        w_pkt(b, v);
        return true;
    case 264:
        w_tcp(b, v);
        w_iface(b, v);
        w_peer(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_XID, v->xid);
        zone_pair(b, v);
        ad_vb_u32(b, VB_RCODE, v->rcode);
        ad_vb_utf16(b, VB_POLICY, v->policy);
        w_pkt(b, v);
        return true;
    case 265:
    case 266:
        w_tcp(b, v);
        w_iface(b, v);
        w_peer(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_XID, v->xid);
        zone_pair(b, v);
        w_pkt(b, v);
        return true;
    case 267:
    case 268:
    case 277:
    case 278:
        w_tcp(b, v);
        w_iface(b, v); /* ForwardInterfaceIP for 277 */
        w_peer(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_XID, v->xid);
        zone_pair(b, v);
        ad_vb_u32(b, VB_RCODE, v->rcode);
        w_pkt(b, v);
        return true;
    case 269:
    case 270:
        w_tcp(b, v);
        w_peer(b, v);
        w_iface(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_XID, v->xid);
        zone_pair(b, v);
        w_pkt(b, v);
        return true;
    case 271:
    case 272:
        w_tcp(b, v);
        w_iface(b, v);
        w_peer(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_XID, v->xid);
        zone_pair(b, v);
        ad_vb_u32(b, VB_RCODE, v->rcode);
        return true;
    case 273:
    case 274:
        w_peer(b, v);
        w_iface(b, v);
        w_qname(b, v);
        zone_pair(b, v);
        w_pkt(b, v);
        return true;
    case 275:
        w_peer(b, v);
        w_iface(b, v);
        w_pkt(b, v);
        return true;
    case 276:
        w_peer(b, v);
        w_iface(b, v);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        w_pkt(b, v);
        return true;
    case 279:
    case 280:
        w_tcp(b, v);
        w_iface(b, v);
        w_peer(b, v);
        ad_vb_u8(b, VB_RD, v->rd);
        w_qname(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_PORT, v->port);
        ad_vb_u32(b, VB_FLAGS, v->flags);
        ad_vb_u32(b, VB_XID, v->xid);
        w_pkt(b, v);
        ad_vb_utf16(b, VB_GUID, v->guid);
        return true;
    case 281:
    case 282:
    case 283:
        w_iface(b, v);
        w_peer(b, v);
        w_qname(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_XID, v->xid);
        ad_vb_u32(b, VB_RCODE, v->rcode);
        ad_vb_u32(b, VB_PORT, v->port);
        w_pkt(b, v);
        return true;
    case 284:
        t257_core(b, v);
        ad_vb_u64(b, VB_IGNORED, v->data_tag);
        ad_vb_u32(b, VB_ELAPSED, v->elapsed);
        ad_vb_utf16(b, VB_GUID, v->guid);
        ad_vb_guid(b, VB_IGNORED, v->edns_tag);
        ad_vb_utf16(b, VB_IGNORED, v->edns_scope);
        ad_vb_utf16(b, VB_IGNORED, v->stale);
        return true;
    case 285:
        t258_all(b, v);
        ad_vb_guid(b, VB_IGNORED, v->edns_tag);
        ad_vb_utf16(b, VB_IGNORED, v->edns_scope);
        return true;
    case 286:
        w_tcp(b, v);
        w_peer(b, v);
        w_iface(b, v);
        ad_vb_u8(b, VB_AA, v->aa);
        ad_vb_u8(b, VB_AD, v->ad);
        w_qname(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_XID, v->xid);
        ad_vb_u32(b, VB_PORT, v->port);
        ad_vb_u32(b, VB_FLAGS, v->flags);
        ad_vb_utf16(b, VB_RECURSION_SCOPE, v->recursion_scope);
        ad_vb_utf16(b, VB_CACHE_SCOPE, v->cache_scope);
        w_pkt(b, v);
        ad_vb_utf16(b, VB_ADDITIONAL, v->additional);
        ad_vb_utf16(b, VB_REASON, v->reason);
        return true;
    case 287:
        t256_core(b, v);
        ad_vb_utf16(b, VB_GUID, v->guid);
        ad_vb_u8(b, VB_IGNORED, 0);
        ad_vb_u32(b, VB_IGNORED, 0x8000);
        ad_vb_u32(b, VB_IGNORED, 1232);
        ad_vb_utf16(b, VB_IGNORED, v->edns_scope);
        ad_vb_utf16(b, VB_IGNORED, ".");
        ad_vb_u64(b, VB_IGNORED, v->data_tag);
        ad_vb_guid(b, VB_IGNORED, v->edns_tag);
        return true;
    case 288:
        w_qname(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_utf16(b, VB_GUID, v->guid);
        ad_vb_u32(b, VB_QXID, v->qxid);
        ad_vb_u32(b, VB_XID, v->xid);
        ad_vb_ansi(b, VB_IGNORED, "google.es.");
        return true;
    case 289:
        t260_all(b, v, false);
        ad_vb_utf16(b, VB_IGNORED, v->edns_scope);
        ad_vb_guid(b, VB_IGNORED, v->edns_tag);
        return true;
    case 290:
        t261_all(b, v, false);
        ad_vb_utf16(b, VB_IGNORED, v->edns_scope);
        ad_vb_guid(b, VB_IGNORED, v->edns_tag);
        return true;
    case 291:
        t262_all(b, v, false);
        ad_vb_utf16(b, VB_IGNORED, v->edns_scope);
        ad_vb_guid(b, VB_IGNORED, v->edns_tag);
        return true;
    default:
        return false;
    }
}

/* ---- DNS Server audit (facts §2.7) ---- */

static void rdata(ad_vb *b)
{
    static const uint8_t a[4] = {192, 0, 2, 7};
    ad_vb_u32(b, VB_BUFSIZE, sizeof a);
    ad_vb_binary(b, VB_IGNORED, a, sizeof a);
}

bool ad_vb_audit_event(ad_vb *b, uint16_t id, const ad_vb_values *v)
{
    ad_vb_init(b);
    switch (id) {
    case 513:
        ad_vb_utf16(b, VB_ZONE, v->zone);
        ad_vb_utf16(b, VB_IGNORED, ".");
        return true;
    case 515:
    case 516:
    case 521:
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        w_qname(b, v);
        ad_vb_u32(b, VB_IGNORED, v->ttl);
        rdata(b);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
        ad_vb_utf16(b, VB_IGNORED, ".");
        return true;
    case 517:
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        w_qname(b, v);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
        ad_vb_utf16(b, VB_IGNORED, ".");
        return true;
    case 518:
        w_qname(b, v);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
        ad_vb_utf16(b, VB_IGNORED, ".");
        return true;
    case 519:
    case 520:
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        w_qname(b, v);
        ad_vb_u32(b, VB_IGNORED, v->ttl);
        rdata(b);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
        w_peer(b, v);
        return true;
    case 536:
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        w_qname(b, v);
        ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
        return true;
    case 540:
        return true;
    case 569:
    case 570:
        ad_vb_utf16(b, VB_IGNORED, "KeyOrZone");
        ad_vb_utf16(b, VB_IGNORED, "KSK");
        if (id == 570)
            ad_vb_utf16(b, VB_GUID, v->guid);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        for (int i = 0; i < 4; i++) /* KeyId, KeyType, CurrentState, KeyStorageProvider */
            ad_vb_utf16(b, VB_IGNORED, "x");
        ad_vb_u32(b, VB_IGNORED, 1); /* StoreKeysInAD: win:Boolean */
        ad_vb_utf16(b, VB_IGNORED, "RsaSha256");
        for (int i = 0; i < 6; i++)
            ad_vb_u32(b, VB_IGNORED, 2048u + (uint32_t)i);
        ad_vb_utf16(b, VB_IGNORED, "RolloverType");
        ad_vb_utf16(b, VB_IGNORED, "NextRolloverAction");
        ad_vb_u64(b, VB_IGNORED, 133000000000000000ull); /* FILETIME */
        ad_vb_u64(b, VB_IGNORED, 133000000000000001ull);
        for (int i = 0; i < 4; i++) /* CurrentRolloverStatus, Active/Standby/NextKey */
            ad_vb_utf16(b, VB_IGNORED, "k");
        return true;
    case 586:
        ad_vb_utf16(b, VB_POLICY, v->policy);
        ad_vb_ansi(b, VB_IGNORED, "dc01");
        ad_vb_utf16(b, VB_ZONE_SCOPE, v->zone_scope);
        ad_vb_utf16(b, VB_ZONE, v->zone);
        return true;
    default:
        return false;
    }
}

/* ---- DNS-Client (facts §3.3, §3.4) ---- */

static void cq(ad_vb *b, const ad_vb_values *v)
{
    ad_vb_utf16(b, VB_QNAME, v->qname);
}

/* v1 appends ClientPID; v2 appends ClientPID and `ptrs` pointers (facts §3.3). */
static void tail(ad_vb *b, const ad_vb_values *v, uint8_t version, unsigned ptr_size, unsigned ptrs)
{
    if (version >= 1)
        ad_vb_u32(b, VB_CLIENT_PID, v->client_pid);
    if (version >= 2)
        for (unsigned i = 0; i < ptrs; i++)
            ad_vb_pointer(b, VB_IGNORED, ptr_size, v->pointer + i);
}

bool ad_vb_client_event(ad_vb *b, uint16_t id, uint8_t version, unsigned ptr_size,
                        const ad_vb_values *v)
{
    ad_vb_init(b);
    switch (id) {
    case 3000:
    case 3002:
    case 3004:
        if (version != 0)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u64(b, VB_QUERY_OPTIONS, v->query_options);
        return true;
    case 3001:
        if (version != 0)
            return false;
        ad_vb_u32(b, VB_STATUS, v->status);
        return true;
    case 3003:
    case 3005:
        if (version != 0)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_STATUS, v->status);
        return true;
    case 3006:
        if (version != 0)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u64(b, VB_QUERY_OPTIONS, v->query_options);
        ad_vb_utf16(b, VB_SERVERS, v->servers);
        ad_vb_u32(b, VB_IGNORED, 1);
        ad_vb_u32(b, VB_NETWORK_INDEX, v->network_index);
        ad_vb_u32(b, VB_INTERFACE_INDEX, v->interface_index);
        ad_vb_u32(b, VB_IGNORED, 0);
        return true;
    case 3007:
    case 3015:
        if (version != 0)
            return false;
        cq(b, v);
        return true;
    case 3008:
        if (version != 0)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u64(b, VB_QUERY_OPTIONS, v->query_options);
        ad_vb_u32(b, VB_STATUS, v->status);
        ad_vb_utf16(b, VB_RESULTS, v->results);
        return true;
    case 3009:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_IGNORED, 1);
        ad_vb_u32(b, VB_NETWORK_INDEX, v->network_index);
        ad_vb_u32(b, VB_IGNORED, 1);
        ad_vb_utf16(b, VB_ADAPTER, v->adapter);
        ad_vb_utf16(b, VB_LOCAL, v->local_addrs);
        ad_vb_utf16(b, VB_SERVERS, v->servers);
        tail(b, v, version, ptr_size, 2);
        return true;
    case 3010:
    case 3011:
        if (version > (id == 3010 ? 1 : 2))
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_utf16(b, VB_SERVER_PEER, v->server_ip);
        if (id == 3011)
            ad_vb_u32(b, VB_STATUS, v->status);
        tail(b, v, version, ptr_size, 2);
        return true;
    case 3012:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_NETWORK_INDEX, v->network_index);
        ad_vb_u32(b, VB_IGNORED, 1);
        ad_vb_utf16(b, VB_ADAPTER, v->adapter);
        ad_vb_utf16(b, VB_LOCAL, v->local_addrs);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 3013:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_STATUS, v->status);
        ad_vb_utf16(b, VB_RESULTS, v->results);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 3014:
        if (version > 2)
            return false;
        cq(b, v);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 3016:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u64(b, VB_QUERY_OPTIONS, v->query_options);
        ad_vb_u32(b, VB_INTERFACE_INDEX, v->interface_index);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 3018:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u64(b, VB_QUERY_OPTIONS, v->query_options);
        ad_vb_u32(b, VB_STATUS, v->status);
        ad_vb_utf16(b, VB_RESULTS, v->results);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 3019:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_INTERFACE_INDEX, v->interface_index);
        ad_vb_u32(b, VB_NETWORK_INDEX, v->network_index);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 3020:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_u32(b, VB_QTYPE, v->qtype);
        ad_vb_u32(b, VB_NETWORK_INDEX, v->network_index); /* template order, facts §3.3 */
        ad_vb_u32(b, VB_INTERFACE_INDEX, v->interface_index);
        ad_vb_u32(b, VB_STATUS, v->status);
        ad_vb_utf16(b, VB_RESULTS, v->results);
        tail(b, v, version, ptr_size, 1);
        return true;
    case 1013:
    case 1014:
    case 1015:
        if (version > 1)
            return false;
        cq(b, v);
        ad_vb_sockaddr(b, VB_SOCK_PEER, &v->sock_peer);
        tail(b, v, version, ptr_size, 0);
        return true;
    case 1016:
    case 1017:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_sockaddr(b, VB_SOCK_PEER, &v->sock_peer);
        tail(b, v, version, ptr_size, 2);
        return true;
    case 1018:
        if (version > 2)
            return false;
        cq(b, v);
        ad_vb_sockaddr(b, VB_SOCK_RESULT, &v->sock_result);
        ad_vb_sockaddr(b, VB_SOCK_PEER, &v->sock_peer);
        tail(b, v, version, ptr_size, 2);
        return true;
    default:
        return false;
    }
}

/*
 * asimdns-capture: dnstap payload -> DNS Server-shaped event (dnstap_decode.h has the table).
 *
 * The payload is read with a small protobuf wire walker over the two messages of dnstap.proto
 * instead of protobuf-c's generic unpack: no allocation, and the bytes fields stay views into
 * the payload. protobuf-c's unpack with its two mallocs and frees per frame was about 60 % of
 * the decode time (bench_dnstap). The walker accepts exactly what protobuf-c's unpack of the
 * generated dnstap.pb-c.c accepts (test_dnstap_decode compares the two on mutated payloads):
 * proto2 wire format, unknown fields skipped, the last value of a repeated scalar wins, a
 * repeated Message merges; the wrong wire type for a known field, groups, wire types 6/7,
 * truncated or over-long varints and lengths beyond the data are errors, and both required
 * `type` fields must be present.
 */
#include "capture/dnstap_decode.h"

#include <stddef.h>
#include <string.h>

#include "common/clear.h"
#include "common/compiler.h"
#include "common/utf.h"

/* DNS Server analytic event ids (facts/peers-etw-and-ring.md §D.3). */
enum {
    EV_QUERY_RECEIVED = 256,
    EV_RESPONSE_SUCCESS = 257,
    EV_RESPONSE_FAILURE = 258,
    EV_RECURSE_QUERY_OUT = 260,
    EV_RECURSE_RESPONSE_IN = 261,
};

#define NS_PER_SEC 1000000000ull

uint16_t ad_dnstap_event_id(uint32_t message_type)
{
    switch (message_type) {
    case AD_DNSTAP_AUTH_QUERY:
    case AD_DNSTAP_CLIENT_QUERY:
        return EV_QUERY_RECEIVED;
    case AD_DNSTAP_AUTH_RESPONSE:
    case AD_DNSTAP_CLIENT_RESPONSE:
        return EV_RESPONSE_SUCCESS;
    case AD_DNSTAP_RESOLVER_QUERY:
    case AD_DNSTAP_FORWARDER_QUERY:
        return EV_RECURSE_QUERY_OUT;
    case AD_DNSTAP_RESOLVER_RESPONSE:
    case AD_DNSTAP_FORWARDER_RESPONSE:
        return EV_RECURSE_RESPONSE_IN;
    default:
        return 0;
    }
}

void ad_dnstap_event_release(ad_dnstap_event *out)
{
    out->pb = NULL; /* nothing is allocated any more: the views point into the payload */
}

/* A bytes field: present or not, and where in the payload. */
typedef struct pb_bytes {
    bool has;
    const uint8_t *data;
    size_t len;
} pb_bytes;

/* The fields of dnstap.Message this decoder reads (numbers from dnstap.proto). */
typedef struct pb_message {
    bool has_type, has_socket_family, has_socket_protocol, has_query_port, has_response_port;
    bool has_query_time_sec, has_query_time_nsec, has_response_time_sec, has_response_time_nsec;
    int32_t type, socket_family, socket_protocol;
    uint32_t query_port, response_port, query_time_nsec, response_time_nsec;
    uint64_t query_time_sec, response_time_sec;
    pb_bytes query_address, response_address, query_message, query_zone, response_message;
} pb_message;

/* dnstap.Dnstap. */
typedef struct pb_dnstap {
    bool has_type, has_message;
    int32_t type;
    pb_bytes identity, version, extra;
    pb_message message;
} pb_dnstap;

enum { WT_VARINT = 0, WT_64BIT = 1, WT_LEN = 2, WT_32BIT = 5 };

/* How a known field is stored: enum/int32, uint32 or uint64 from a varint, fixed32, bytes. */
typedef enum pb_kind { K_NONE = 0, K_I32, K_U32, K_U64, K_FIXED32, K_BYTES, K_MESSAGE } pb_kind;

/* One known field: its kind, where its has-flag is (scalars) and where its value is. */
typedef struct pb_spec {
    pb_kind kind;
    size_t has_off, val_off;
} pb_spec;

#define SCALAR(kind, T, f)                                                                         \
    {                                                                                              \
        kind, offsetof(T, has_##f), offsetof(T, f)                                                 \
    }
#define BYTES(T, f)                                                                                \
    {                                                                                              \
        K_BYTES, 0, offsetof(T, f)                                                                 \
    }

/* Indexed by field number (dnstap.proto). */
static const pb_spec message_fields[15] = {
    [1] = SCALAR(K_I32, pb_message, type),
    [2] = SCALAR(K_I32, pb_message, socket_family),
    [3] = SCALAR(K_I32, pb_message, socket_protocol),
    [4] = BYTES(pb_message, query_address),
    [5] = BYTES(pb_message, response_address),
    [6] = SCALAR(K_U32, pb_message, query_port),
    [7] = SCALAR(K_U32, pb_message, response_port),
    [8] = SCALAR(K_U64, pb_message, query_time_sec),
    [9] = SCALAR(K_FIXED32, pb_message, query_time_nsec),
    [10] = BYTES(pb_message, query_message),
    [11] = BYTES(pb_message, query_zone),
    [12] = SCALAR(K_U64, pb_message, response_time_sec),
    [13] = SCALAR(K_FIXED32, pb_message, response_time_nsec),
    [14] = BYTES(pb_message, response_message),
};
static const pb_spec dnstap_fields[16] = {
    [1] = BYTES(pb_dnstap, identity),
    [2] = BYTES(pb_dnstap, version),
    [3] = BYTES(pb_dnstap, extra),
    [14] = {K_MESSAGE, offsetof(pb_dnstap, has_message), offsetof(pb_dnstap, message)},
    [15] = SCALAR(K_I32, pb_dnstap, type),
};

/* The rest of a varint of at most 10 bytes whose first byte has the continuation bit. */
static bool pb_varint_long(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    const uint8_t *q = *p;
    for (unsigned i = 0; i < 10; i++) {
        if (q == end)
            return false;
        uint8_t b = *q++;
        r |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *v = r;
            *p = q;
            return true;
        }
    }
    return false;
}

/* A base-128 varint of at most 10 bytes at *p (< end); false when truncated or longer. */
static inline bool pb_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    if (*p < end && !(**p & 0x80)) { /* one byte: tags, types, ports below 128, lengths */
        *v = *(*p)++;
        return true;
    }
    return pb_varint_long(p, end, v);
}

/*
 * The length of a length-delimited field at *p: a varint of at most 5 bytes (as protobuf-c
 * reads lengths) not beyond end; *p is left after it, where the data starts.
 */
static inline bool pb_length(const uint8_t **p, const uint8_t *end, size_t *len)
{
    const uint8_t *start = *p;
    uint64_t l;
    if (!pb_varint(p, end, &l) || *p - start > 5 || l > (uint64_t)(end - *p))
        return false;
    *len = (size_t)l;
    return true;
}

static bool pb_parse_message(const uint8_t *p, const uint8_t *end, pb_message *m);

/*
 * Stores one field's value (wire type wt; a varint or fixed value in v, length-delimited data
 * as data[len]) into the struct at base as spec says; false for the wrong wire type.
 */
static bool pb_store(uint8_t *base, const pb_spec *spec, unsigned wt, uint64_t v,
                     const uint8_t *data, size_t len)
{
    bool *has = (bool *)(base + spec->has_off);
    void *val = base + spec->val_off;
    switch (spec->kind) {
    case K_I32:
    case K_U32:
    case K_U64:
        if (wt != WT_VARINT)
            return false;
        if (spec->kind == K_I32)
            *(int32_t *)val = (int32_t)v;
        else if (spec->kind == K_U32)
            *(uint32_t *)val = (uint32_t)v;
        else
            *(uint64_t *)val = v;
        *has = true;
        return true;
    case K_FIXED32:
        if (wt != WT_32BIT)
            return false;
        *(uint32_t *)val = (uint32_t)v;
        *has = true;
        return true;
    case K_BYTES: {
        if (wt != WT_LEN)
            return false;
        pb_bytes *b = val;
        b->has = true;
        b->data = data;
        b->len = len;
        return true;
    }
    case K_MESSAGE:
        *has = true;
        return wt == WT_LEN && pb_parse_message(data, data + len, val); /* merges */
    case K_NONE:
        break;
    }
    return true; /* unknown field: skipped */
}

/*
 * Reads one field at *p (< end) of the message at base (fields[nfields] by field number),
 * whatever its tag's encoding: the general path for what the one-byte switches below do not
 * take (unknown fields, the wrong wire type, tags written in more bytes than needed). Tag 0,
 * unknown wire types, groups, truncated fields and the wrong wire type for a known field are
 * false. Tags and lengths are at most 5 bytes, as protobuf-c reads them.
 */
static bool pb_field(const uint8_t **pp, const uint8_t *end, const pb_spec *fields, size_t nfields,
                     uint8_t *base)
{
    const uint8_t *p = *pp, *start = p;
    uint64_t tag, v = 0;
    size_t l = 0;
    /* A first byte without field-number bits and no continuation is tag 0: invalid. */
    if (*p < 8 || !pb_varint(&p, end, &tag) || p - start > 5)
        return false;
    uint32_t num = (uint32_t)(tag >> 3); /* 32 bits, as protobuf-c keeps them */
    unsigned wt = (unsigned)(tag & 7);
    const uint8_t *data = NULL;
    switch (wt) {
    case WT_VARINT:
        if (!pb_varint(&p, end, &v))
            return false;
        break;
    case WT_64BIT:
        if (end - p < 8)
            return false;
        p += 8;
        break;
    case WT_32BIT:
        if (end - p < 4)
            return false;
        v = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
        p += 4;
        break;
    case WT_LEN:
        if (!pb_length(&p, end, &l))
            return false;
        data = p;
        p += l;
        break;
    default:
        return false; /* 3/4 groups (protobuf-c rejects them), 6/7 undefined */
    }
    *pp = p;
    return num >= nfields || pb_store(base, &fields[num], wt, v, data, l);
}

/* One-byte tags: (field number << 3) | wire type, of the known fields with their own type. */
#define TAG(num, wt) ((num) << 3 | (wt))

/* A varint field's value into T dst and its has-flag; leaves the switch on failure. */
#define VARINT_INTO(T, dst, has)                                                                   \
    do {                                                                                           \
        uint64_t v_;                                                                               \
        p++;                                                                                       \
        if (!pb_varint(&p, end, &v_))                                                              \
            return false;                                                                          \
        (dst) = (T)v_;                                                                             \
        (has) = true;                                                                              \
    } while (0)
#define BYTES_INTO(b)                                                                              \
    do {                                                                                           \
        size_t l_;                                                                                 \
        p++;                                                                                       \
        if (!pb_length(&p, end, &l_))                                                              \
            return false;                                                                          \
        (b).has = true;                                                                            \
        (b).data = p;                                                                              \
        (b).len = l_;                                                                              \
        p += l_;                                                                                   \
    } while (0)
#define FIXED32_INTO(dst, has)                                                                     \
    do {                                                                                           \
        p++;                                                                                       \
        if (end - p < 4)                                                                           \
            return false;                                                                          \
        (dst) =                                                                                    \
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;    \
        (has) = true;                                                                              \
        p += 4;                                                                                    \
    } while (0)

/*
 * The known fields of each message: one-byte tag and how it is read into the struct. Encoders
 * write fields in field-number order (protobuf's canonical form, as protobuf-c, Unbound, BIND
 * and Knot do), so they are first tried in that order, one predictable test each; what is left
 * (another order, repeats, unknown fields, other tag encodings) goes through the switch, and
 * its default through pb_field. Either way each field is applied in the order it comes.
 */
#define MESSAGE_FIELDS(X)                                                                          \
    X(TAG(1, WT_VARINT), VARINT_INTO(int32_t, m->type, m->has_type))                               \
    X(TAG(2, WT_VARINT), VARINT_INTO(int32_t, m->socket_family, m->has_socket_family))             \
    X(TAG(3, WT_VARINT), VARINT_INTO(int32_t, m->socket_protocol, m->has_socket_protocol))         \
    X(TAG(4, WT_LEN), BYTES_INTO(m->query_address))                                                \
    X(TAG(5, WT_LEN), BYTES_INTO(m->response_address))                                             \
    X(TAG(6, WT_VARINT), VARINT_INTO(uint32_t, m->query_port, m->has_query_port))                  \
    X(TAG(7, WT_VARINT), VARINT_INTO(uint32_t, m->response_port, m->has_response_port))            \
    X(TAG(8, WT_VARINT), VARINT_INTO(uint64_t, m->query_time_sec, m->has_query_time_sec))          \
    X(TAG(9, WT_32BIT), FIXED32_INTO(m->query_time_nsec, m->has_query_time_nsec))                  \
    X(TAG(10, WT_LEN), BYTES_INTO(m->query_message))                                               \
    X(TAG(11, WT_LEN), BYTES_INTO(m->query_zone))                                                  \
    X(TAG(12, WT_VARINT), VARINT_INTO(uint64_t, m->response_time_sec, m->has_response_time_sec))   \
    X(TAG(13, WT_32BIT), FIXED32_INTO(m->response_time_nsec, m->has_response_time_nsec))           \
    X(TAG(14, WT_LEN), BYTES_INTO(m->response_message))

/* A repeated Message merges into the first, as protobuf-c does. */
#define MESSAGE_INTO(dst, has)                                                                     \
    do {                                                                                           \
        size_t l_;                                                                                 \
        p++;                                                                                       \
        if (!pb_length(&p, end, &l_) || !pb_parse_message(p, p + l_, &(dst)))                      \
            return false;                                                                          \
        (has) = true;                                                                              \
        p += l_;                                                                                   \
    } while (0)

#define DNSTAP_FIELDS(X)                                                                           \
    X(TAG(1, WT_LEN), BYTES_INTO(d->identity))                                                     \
    X(TAG(2, WT_LEN), BYTES_INTO(d->version))                                                      \
    X(TAG(3, WT_LEN), BYTES_INTO(d->extra))                                                        \
    X(TAG(14, WT_LEN), MESSAGE_INTO(d->message, d->has_message))                                   \
    X(TAG(15, WT_VARINT), VARINT_INTO(int32_t, d->type, d->has_type))

#define IN_ORDER(tag, read)                                                                        \
    if (p < end && *p == (tag))                                                                    \
        read;
#define CASE(tag, read)                                                                            \
    case tag:                                                                                      \
        read;                                                                                      \
        break;

static bool pb_parse_message(const uint8_t *p, const uint8_t *end, pb_message *m)
{
    MESSAGE_FIELDS(IN_ORDER)
    while (p < end) {
        switch (*p) {
            MESSAGE_FIELDS(CASE)
        default:
            if (!pb_field(&p, end, message_fields, AD_ARRAY_LEN(message_fields), (uint8_t *)m))
                return false;
        }
    }
    return true;
}

/* Parses a dnstap.Dnstap payload; false where protobuf-c's unpack would fail. */
static bool pb_parse_dnstap(const uint8_t *p, size_t n, pb_dnstap *d)
{
    ad_clear(d, sizeof(*d));
    const uint8_t *end = p + n;
    DNSTAP_FIELDS(IN_ORDER)
    while (p < end) {
        switch (*p) {
            DNSTAP_FIELDS(CASE)
        default:
            if (!pb_field(&p, end, dnstap_fields, AD_ARRAY_LEN(dnstap_fields), (uint8_t *)d))
                return false;
        }
    }
    return d->has_type && (!d->has_message || d->message.has_type); /* the required fields */
}

/* sec/nsec -> Unix ns; false when absent or out of range (nsec must be < 1e9). */
static bool time_ns(bool has_sec, uint64_t sec, bool has_nsec, uint32_t nsec, uint64_t *ns)
{
    if (!has_sec || sec > (UINT64_MAX - NS_PER_SEC) / NS_PER_SEC)
        return false;
    if (has_nsec && nsec >= NS_PER_SEC)
        return false;
    *ns = sec * NS_PER_SEC + (has_nsec ? nsec : 0);
    return true;
}

/* An address of the family's size (or, family absent, of 4 or 16 bytes) with its port. */
static void set_addr(ad_addr *addr, const pb_message *m, const pb_bytes *bytes, bool has_port,
                     uint32_t port)
{
    if (!bytes->has)
        return;
    int p = has_port && port <= 65535 ? (int)port : -1;
    bool v4 = bytes->len == 4 && (!m->has_socket_family || m->socket_family == 1);  /* INET */
    bool v6 = bytes->len == 16 && (!m->has_socket_family || m->socket_family == 2); /* INET6 */
    if (v4)
        ad_addr_set_ipv4(addr, bytes->data, p);
    else if (v6)
        ad_addr_set_ipv6(addr, bytes->data, p);
}

/* a[n] == b[n], inline: a call to memcmp cost more than the compare of these few bytes. */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint64_t diff = 0, x, y;
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            diff |= (uint64_t)(a[i] ^ b[i]);
        return diff == 0;
    }
    for (size_t i = 0; i + 8 <= n; i += 8) {
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    memcpy(&x, a + n - 8, 8); /* the last 8 bytes, overlapping what the loop saw */
    memcpy(&y, b + n - 8, 8);
    return (diff | (x ^ y)) == 0;
}

/* identity / version into slot when UTF-8; seen remembers the last bytes found valid. */
static void set_utf8(ad_event *ev, ad_str_slot slot, const pb_bytes *bytes,
                     ad_dnstap_utf8_seen *seen)
{
    if (!bytes->has || bytes->len == 0)
        return;
    bool same = bytes->len == seen->len && same_bytes(bytes->data, seen->bytes, bytes->len);
    if (!same) {
        if (!ad_utf8_valid((const char *)bytes->data, bytes->len)) {
            ev->hdr.bits |= AD_REC_PARTIAL;
            return;
        }
        if (bytes->len <= sizeof(seen->bytes)) {
            memcpy(seen->bytes, bytes->data, bytes->len);
            seen->len = (uint8_t)bytes->len;
        }
    }
    ad_event_set_str(ev, slot, (const char *)bytes->data, bytes->len);
}

/* dnstap.proto SocketProtocol. */
enum { SP_UDP = 1, SP_TCP = 2, SP_DOT = 3, SP_DOH = 4, SP_DNSCRYPT_UDP = 5, SP_DNSCRYPT_TCP = 6 };

static void set_transport(ad_event *ev, const pb_message *m)
{
    if (!m->has_socket_protocol)
        return;
    uint8_t t = AD_TRANSPORT_UNKNOWN;
    switch (m->socket_protocol) {
    case SP_UDP:
    case SP_DNSCRYPT_UDP:
        t = AD_TRANSPORT_UDP;
        break;
    case SP_TCP:
    case SP_DNSCRYPT_TCP:
        t = AD_TRANSPORT_TCP;
        break;
    case SP_DOT:
        t = AD_TRANSPORT_DOT;
        break;
    case SP_DOH:
        t = AD_TRANSPORT_DOH;
        break;
    default:
        return;
    }
    ev->hdr.transport = t;
    ev->hdr.present |= AD_HAS_TRANSPORT;
}

/* Fields from the embedded DNS message; returns whether the header was readable. */
static bool set_dns(ad_dnstap_event *out, const uint8_t *msg, size_t len, bool response)
{
    ad_event *ev = &out->ev;
    ev->packet.ptr = (const char *)msg;
    ev->packet.len = len;
    out->dns_err = ad_dns_parse(msg, len, &out->dns, NULL);
    if (!out->dns.has_header) {
        ev->hdr.bits |= AD_REC_PARTIAL;
        return false;
    }
    const ad_dns_msg *d = &out->dns;
    ev->hdr.xid = d->hdr.id;
    ev->hdr.dns_flags = d->hdr.flags;
    ev->hdr.present |= AD_HAS_XID | AD_HAS_DNS_FLAGS | AD_HAS_RD | AD_HAS_AA | AD_HAS_AD;
    if (d->hdr.flags & AD_DNS_FLAG_RD)
        ev->hdr.bits |= AD_BIT_RD;
    if (d->hdr.flags & AD_DNS_FLAG_AA)
        ev->hdr.bits |= AD_BIT_AA;
    if (d->hdr.flags & AD_DNS_FLAG_AD)
        ev->hdr.bits |= AD_BIT_AD;
    if (response) {
        ev->hdr.rcode = AD_DNS_RCODE(d->hdr.flags);
        ev->hdr.present |= AD_HAS_RCODE;
    }
    if (d->has_question) {
        ad_event_set_str(ev, AD_STR_QNAME, d->qname, d->qname_len);
        ev->hdr.qtype = d->qtype;
        ev->hdr.present |= AD_HAS_QTYPE;
    }
    if (out->dns_err != AD_OK)
        ev->hdr.bits |= AD_REC_PARTIAL;
    return true;
}

ad_err ad_dnstap_decode(const uint8_t *payload, size_t len, ad_dnstap_event *out)
{
    ad_dnstap_event_release(out);
    out->dns_err = AD_OK;
    out->query_time_ns = 0;
    out->response_time_ns = 0;
    ad_event_init(&out->ev);
    pb_dnstap dt;
    if (!pb_parse_dnstap(payload, len, &dt))
        return AD_EFORMAT;
    const pb_dnstap *d = &dt;
    if (d->type != 1 /* MESSAGE */ || !d->has_message)
        return AD_EUNSUPP;
    const pb_message *m = &d->message;
    uint16_t id = ad_dnstap_event_id((uint32_t)m->type);
    if (id == 0)
        return AD_EUNSUPP;
    bool response = id == EV_RESPONSE_SUCCESS || id == EV_RECURSE_RESPONSE_IN;

    ad_event *ev = &out->ev;
    ev->hdr.source = AD_SOURCE_DNSTAP;
    ev->hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev->hdr.event_id = id;
    ev->hdr.dnstap_type = (uint16_t)m->type;

    ad_addr *initiator = response ? &ev->hdr.dst : &ev->hdr.src;
    ad_addr *responder = response ? &ev->hdr.src : &ev->hdr.dst;
    set_addr(initiator, m, &m->query_address, m->has_query_port, m->query_port);
    set_addr(responder, m, &m->response_address, m->has_response_port, m->response_port);
    set_transport(ev, m);

    uint64_t qt = 0, rt = 0;
    bool has_qt = time_ns(m->has_query_time_sec, m->query_time_sec, m->has_query_time_nsec,
                          m->query_time_nsec, &qt);
    bool has_rt = time_ns(m->has_response_time_sec, m->response_time_sec, m->has_response_time_nsec,
                          m->response_time_nsec, &rt);
    out->query_time_ns = has_qt ? qt : 0;
    out->response_time_ns = has_rt ? rt : 0;
    if (response)
        ev->hdr.time_ns = has_rt ? rt : qt;
    else
        ev->hdr.time_ns = has_qt ? qt : rt;
    if (response && has_qt && has_rt && rt >= qt && (rt - qt) / 1000000u <= UINT32_MAX) {
        ev->hdr.elapsed_ms = (uint32_t)((rt - qt) / 1000000u);
        ev->hdr.present |= AD_HAS_ELAPSED;
    }

    if (response) {
        ev->hdr.bits |= AD_BIT_RESPONSE;
        bool has = m->response_message.has;
        if (!has || !set_dns(out, m->response_message.data, m->response_message.len, true))
            ev->hdr.bits |= AD_REC_PARTIAL;
        else if (id == EV_RESPONSE_SUCCESS && ev->hdr.rcode != 0)
            ev->hdr.event_id = EV_RESPONSE_FAILURE;
    } else if (!m->query_message.has ||
               !set_dns(out, m->query_message.data, m->query_message.len, false)) {
        ev->hdr.bits |= AD_REC_PARTIAL;
    }

    if (m->query_zone.has && m->query_zone.len > 0) {
        size_t off = 0, zl = 0;
        if (ad_dns_read_name(m->query_zone.data, m->query_zone.len, &off, out->zone,
                             sizeof(out->zone), &zl, NULL) == AD_OK)
            ad_event_set_str(ev, AD_STR_ZONE, out->zone, zl);
        else
            ev->hdr.bits |= AD_REC_PARTIAL;
    }
    set_utf8(ev, AD_STR_IDENTITY, &d->identity, &out->utf8_seen[0]);
    set_utf8(ev, AD_STR_VERSION, &d->version, &out->utf8_seen[1]);
    return AD_OK;
}

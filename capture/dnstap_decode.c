/* asimdns-capture: dnstap payload -> DNS Server-shaped event (dnstap_decode.h has the table). */
#include "capture/dnstap_decode.h"

#include <string.h>

#include "common/utf.h"
#include "dnstap.pb-c.h"

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
    if (out->pb != NULL)
        dnstap__dnstap__free_unpacked(out->pb, NULL);
    out->pb = NULL;
}

/* sec/nsec -> Unix ns; false when absent or out of range (nsec must be < 1e9). */
static bool time_ns(protobuf_c_boolean has_sec, uint64_t sec, protobuf_c_boolean has_nsec,
                    uint32_t nsec, uint64_t *ns)
{
    if (!has_sec || sec > (UINT64_MAX - NS_PER_SEC) / NS_PER_SEC)
        return false;
    if (has_nsec && nsec >= NS_PER_SEC)
        return false;
    *ns = sec * NS_PER_SEC + (has_nsec ? nsec : 0);
    return true;
}

/* An address of the family's size (or, family absent, of 4 or 16 bytes) with its port. */
static void set_addr(ad_addr *addr, const Dnstap__Message *m, protobuf_c_boolean has,
                     const ProtobufCBinaryData *bytes, protobuf_c_boolean has_port, uint32_t port)
{
    if (!has)
        return;
    int p = has_port && port <= 65535 ? (int)port : -1;
    bool v4 = bytes->len == 4 &&
              (!m->has_socket_family || m->socket_family == DNSTAP__SOCKET_FAMILY__INET);
    bool v6 = bytes->len == 16 &&
              (!m->has_socket_family || m->socket_family == DNSTAP__SOCKET_FAMILY__INET6);
    if (v4)
        ad_addr_set_ipv4(addr, bytes->data, p);
    else if (v6)
        ad_addr_set_ipv6(addr, bytes->data, p);
}

static void set_utf8(ad_event *ev, ad_str_slot slot, protobuf_c_boolean has,
                     const ProtobufCBinaryData *bytes)
{
    if (!has || bytes->len == 0)
        return;
    if (!ad_utf8_valid((const char *)bytes->data, bytes->len)) {
        ev->hdr.bits |= AD_REC_PARTIAL;
        return;
    }
    ad_event_set_str(ev, slot, (const char *)bytes->data, bytes->len);
}

static void set_transport(ad_event *ev, const Dnstap__Message *m)
{
    if (!m->has_socket_protocol)
        return;
    uint8_t t = AD_TRANSPORT_UNKNOWN;
    switch (m->socket_protocol) {
    case DNSTAP__SOCKET_PROTOCOL__UDP:
    case DNSTAP__SOCKET_PROTOCOL__DNSCryptUDP:
        t = AD_TRANSPORT_UDP;
        break;
    case DNSTAP__SOCKET_PROTOCOL__TCP:
    case DNSTAP__SOCKET_PROTOCOL__DNSCryptTCP:
        t = AD_TRANSPORT_TCP;
        break;
    case DNSTAP__SOCKET_PROTOCOL__DOT:
        t = AD_TRANSPORT_DOT;
        break;
    case DNSTAP__SOCKET_PROTOCOL__DOH:
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
    Dnstap__Dnstap *d = dnstap__dnstap__unpack(NULL, len, payload);
    if (d == NULL)
        return AD_EFORMAT; /* protobuf-c also fails this way on allocation failure */
    out->pb = d;
    if (d->type != DNSTAP__DNSTAP__TYPE__MESSAGE || d->message == NULL)
        return AD_EUNSUPP;
    const Dnstap__Message *m = d->message;
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
    set_addr(initiator, m, m->has_query_address, &m->query_address, m->has_query_port,
             m->query_port);
    set_addr(responder, m, m->has_response_address, &m->response_address, m->has_response_port,
             m->response_port);
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
        bool has = m->has_response_message;
        if (!has || !set_dns(out, m->response_message.data, m->response_message.len, true))
            ev->hdr.bits |= AD_REC_PARTIAL;
        else if (id == EV_RESPONSE_SUCCESS && ev->hdr.rcode != 0)
            ev->hdr.event_id = EV_RESPONSE_FAILURE;
    } else if (!m->has_query_message ||
               !set_dns(out, m->query_message.data, m->query_message.len, false)) {
        ev->hdr.bits |= AD_REC_PARTIAL;
    }

    if (m->has_query_zone && m->query_zone.len > 0) {
        size_t off = 0, zl = 0;
        if (ad_dns_read_name(m->query_zone.data, m->query_zone.len, &off, out->zone,
                             sizeof(out->zone), &zl, NULL) == AD_OK)
            ad_event_set_str(ev, AD_STR_ZONE, out->zone, zl);
        else
            ev->hdr.bits |= AD_REC_PARTIAL;
    }
    set_utf8(ev, AD_STR_IDENTITY, d->has_identity, &d->identity);
    set_utf8(ev, AD_STR_VERSION, d->has_version, &d->version);
    return AD_OK;
}

/*
 * asimdns-capture: one dnstap protobuf payload (a "protobuf:dnstap.Dnstap" frame) -> one
 * ad_event shaped like the Microsoft-Windows-DNSServer analytic event it corresponds to
 * (DESIGN.md §1; facts/peers-etw-and-ring.md §D.3):
 *
 *   Message.type                         event id   src -> dst (sender -> receiver)
 *   CLIENT_QUERY (5),    AUTH_QUERY (1)      256     query_address -> response_address
 *   CLIENT_RESPONSE (6), AUTH_RESPONSE (2)   257 (RCODE 0) / 258 (RCODE != 0)
 *                                                    response_address -> query_address
 *   RESOLVER_QUERY (3),  FORWARDER_QUERY (7) 260     query_address -> response_address
 *   RESOLVER_RESPONSE (4), FORWARDER_RESPONSE (8)
 *                                            261     response_address -> query_address
 *   STUB_*, TOOL_*, UPDATE_* (9..14)         none: AD_EUNSUPP (no DNS Server analogue here)
 *
 * dnstap's query_address is always the initiator of the query and response_address the
 * responder (dnstap.proto), so a response's sender is the response_address. Responses get
 * AD_BIT_RESPONSE and AD_HAS_RCODE (the 4-bit header RCODE, RFC 1035 §4.1.1; an extended
 * RCODE in OPT is not read). A response without a readable DNS header maps to 257 and is
 * marked AD_REC_PARTIAL.
 *
 * From the embedded DNS message (query_message for queries, response_message for responses;
 * common/dns_wire.h): QNAME (AD_STR_QNAME), QTYPE, XID, the flags word and RD/AA/AD, and the
 * raw packet, from which the exporter makes DnsResponseName (the capture formats no
 * answers). A message whose header or question parses only partly keeps the fields read
 * before the error and sets AD_REC_PARTIAL.
 * Other fields: transport from socket_protocol (UDP, TCP, DOT, DOH; DNSCrypt UDP/TCP as UDP/
 * TCP; DoQ unknown); time from query_time (queries) or response_time (responses), falling
 * back to the other one, 0 when neither is present; elapsed_ms when a response carries both
 * times; query_zone -> AD_STR_ZONE; identity/version -> AD_STR_IDENTITY/AD_STR_VERSION when
 * they are UTF-8 (else left out, AD_REC_PARTIAL).
 */
#ifndef AD_CAPTURE_DNSTAP_DECODE_H
#define AD_CAPTURE_DNSTAP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "common/dns_wire.h"
#include "common/record.h"

/* dnstap Message.Type values (dnstap.proto). */
enum {
    AD_DNSTAP_AUTH_QUERY = 1,
    AD_DNSTAP_AUTH_RESPONSE = 2,
    AD_DNSTAP_RESOLVER_QUERY = 3,
    AD_DNSTAP_RESOLVER_RESPONSE = 4,
    AD_DNSTAP_CLIENT_QUERY = 5,
    AD_DNSTAP_CLIENT_RESPONSE = 6,
    AD_DNSTAP_FORWARDER_QUERY = 7,
    AD_DNSTAP_FORWARDER_RESPONSE = 8,
};

/* Longest identity or version whose validity is remembered between frames. */
#define AD_DNSTAP_UTF8_SEEN_MAX 64

/* Bytes once found UTF-8; len 0 = none. */
typedef struct ad_dnstap_utf8_seen {
    uint8_t len;
    uint8_t bytes[AD_DNSTAP_UTF8_SEEN_MAX];
} ad_dnstap_utf8_seen;

/*
 * A decoded event. Its views (the packet, identity, version, QNAME text in dns) point into the
 * payload given to ad_dnstap_decode and into this struct: the payload must stay unchanged
 * while the event is used. Start from a zeroed struct; ad_dnstap_event_release is kept for
 * callers and frees nothing (pb stays NULL: no protobuf-c message is unpacked any more).
 */
typedef struct ad_dnstap_event {
    ad_event ev;
    ad_err dns_err; /* result of parsing the embedded DNS message (AD_OK if none) */
    void *pb;       /* the unpacked protobuf message (owned) */
    ad_dns_msg dns;
    uint64_t query_time_ns;    /* the message's query_time, Unix ns; 0 when absent */
    uint64_t response_time_ns; /* its response_time; 0 when absent */
    char zone[AD_DNS_NAME_TEXT_MAX];
    /* The identity and version last found UTF-8 (a writer sends the same ones in every
     * frame): equal bytes are not checked again. */
    ad_dnstap_utf8_seen utf8_seen[2];
} ad_dnstap_event;

/*
 * Decodes payload[len] into *out. Returns AD_OK (out->ev ready to emit), AD_EFORMAT (not a
 * valid Dnstap protobuf), AD_EUNSUPP (a Dnstap of another type, without a message, or a
 * message type with no event mapping), AD_ENOMEM.
 */
ad_err ad_dnstap_decode(const uint8_t *payload, size_t len, ad_dnstap_event *out);

/* Frees what a decode allocated; out may then be reused. Safe on a zeroed or released out. */
void ad_dnstap_event_release(ad_dnstap_event *out);

/* The DNS Server event id for a dnstap Message.type, 0 when none; responses give 257. */
uint16_t ad_dnstap_event_id(uint32_t message_type);

#endif

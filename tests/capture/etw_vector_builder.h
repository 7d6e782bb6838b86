/*
 * asimdns tests: builds ETW UserData test vectors from field values.
 *
 * A small writer (u8, u32, u64, ANSI, UTF-16, binary, pointer, GUID, SOCKADDR) appends packed
 * little-endian fields (facts/etw-dns-providers.md §1) and remembers where each field starts
 * and ends and what it means (its kind), so tests can cut a vector at any field boundary and
 * know which fields a decoder must then report. On top of it, one function per provider
 * writes the full UserData of an (event, version) from an ad_vb_values, written straight from
 * the templates of facts §2.4/§2.6/§2.7/§3.3/§3.4, independently of the decoder's tables.
 */
#ifndef AD_TESTS_CAPTURE_ETW_VECTOR_BUILDER_H
#define AD_TESTS_CAPTURE_ETW_VECTOR_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/record.h"

/* Room for the largest vector, including deliberately oversized ones. */
#define AD_VB_CAP 70000
#define AD_VB_MAX_FIELDS 64

/* What a written field means for the decoded record. */
typedef enum ad_vb_kind {
    VB_IGNORED = 0, /* read by the decoder, not kept */
    VB_TCP,
    VB_IFACE, /* InterfaceIP text */
    VB_PEER,  /* Source / Destination text */
    VB_RD,
    VB_AA,
    VB_AD,
    VB_DNSSEC,
    VB_SECURE,
    VB_QNAME,
    VB_QTYPE,
    VB_XID,
    VB_QXID,
    VB_PORT,
    VB_FLAGS,
    VB_RCODE,
    VB_ZONE_SCOPE,
    VB_ZONE,
    VB_POLICY,
    VB_REASON,
    VB_RECURSION_SCOPE,
    VB_CACHE_SCOPE,
    VB_BUFSIZE, /* the length before PacketData / RDATA */
    VB_PACKET,
    VB_ADDITIONAL,
    VB_ELAPSED,
    VB_GUID,
    VB_RECURSION_DEPTH,
    VB_QUERIES_ATTACHED,
    VB_QUERY_OPTIONS,
    VB_STATUS,
    VB_RESULTS,
    VB_SERVERS,     /* server list text only */
    VB_SERVER_PEER, /* one server address as text: AD_STR_SERVERS and the peer */
    VB_ADAPTER,
    VB_LOCAL, /* local address list: first entry is iface */
    VB_CLIENT_PID,
    VB_INTERFACE_INDEX,
    VB_NETWORK_INDEX,
    VB_SOCK_PEER,   /* SOCKADDR of the peer */
    VB_SOCK_RESULT, /* SOCKADDR shown as text in AD_STR_RESULTS */
    VB__COUNT
} ad_vb_kind;

typedef struct ad_vb_field {
    ad_vb_kind kind;
    size_t start; /* offset of the first byte */
    size_t end;   /* offset after the last byte */
} ad_vb_field;

typedef struct ad_vb {
    unsigned char buf[AD_VB_CAP];
    size_t len;
    bool overflow; /* a write did not fit (the vector is unusable) */
    ad_vb_field fields[AD_VB_MAX_FIELDS];
    size_t nfields;
} ad_vb;

/* Field values; ad_vb_values_default fills realistic ones (facts §2.5, §3.5 samples). */
typedef struct ad_vb_values {
    uint8_t tcp, rd, aa, ad, dnssec, secure;
    const char *iface_ip; /* ANSI IP text */
    const char *peer_ip;  /* ANSI IP text */
    const char *qname;    /* UTF-8; written as ANSI (server) or UTF-16 (client) */
    uint32_t qtype, xid, qxid, port, flags, rcode, elapsed, recursion_depth, queries_attached;
    const char *zone_scope, *zone, *policy, *reason, *recursion_scope, *cache_scope;
    const char *additional, *guid, *stale, *edns_scope;
    const uint8_t *packet;
    uint32_t packet_len;
    uint64_t data_tag;
    uint8_t edns_tag[16];
    /* audit */
    uint32_t ttl;
    /* client */
    uint64_t query_options;
    uint32_t status, client_pid, interface_index, network_index;
    const char *results, *servers, *server_ip, *adapter, *local_addrs;
    ad_addr sock_peer, sock_result;
    uint64_t pointer;
} ad_vb_values;

void ad_vb_init(ad_vb *b);
void ad_vb_values_default(ad_vb_values *v);

/* Raw writers; each appends one field of the given kind. */
void ad_vb_u8(ad_vb *b, ad_vb_kind kind, uint8_t v);
void ad_vb_u32(ad_vb *b, ad_vb_kind kind, uint32_t v);
void ad_vb_u64(ad_vb *b, ad_vb_kind kind, uint64_t v);
void ad_vb_ansi(ad_vb *b, ad_vb_kind kind, const char *text);              /* bytes + 0x00 */
void ad_vb_ansi_n(ad_vb *b, ad_vb_kind kind, const void *bytes, size_t n); /* + 0x00 */
void ad_vb_utf16(ad_vb *b, ad_vb_kind kind, const char *utf8);             /* UTF-16LE + 0x0000 */
void ad_vb_utf16_units(ad_vb *b, ad_vb_kind kind, const uint16_t *units, size_t n, bool terminate);
void ad_vb_binary(ad_vb *b, ad_vb_kind kind, const void *bytes, size_t n);
void ad_vb_pointer(ad_vb *b, ad_vb_kind kind, unsigned size, uint64_t v);
void ad_vb_guid(ad_vb *b, ad_vb_kind kind, const uint8_t guid[16]);
/* AddressLength:u32 + SOCKADDR_IN (16 bytes) / SOCKADDR_IN6 (28 bytes, family 23). */
void ad_vb_sockaddr(ad_vb *b, ad_vb_kind kind, const ad_addr *addr);

/* BufferSize:u32 + PacketData:bin (two fields). */
void ad_vb_packet(ad_vb *b, const uint8_t *packet, uint32_t len);

/*
 * Full UserData of a DNS Server analytic event (256-291) in the 2025 layout, or with
 * legacy = true the pre-2016 layout of 259-262 (facts §2.6). False for other ids.
 */
bool ad_vb_server_event(ad_vb *b, uint16_t id, bool legacy, const ad_vb_values *v);

/* Full UserData of a DNS Server audit event; supports 513, 515-521, 536, 540, 569, 570, 586. */
bool ad_vb_audit_event(ad_vb *b, uint16_t id, const ad_vb_values *v);

/*
 * Full UserData of a DNS-Client event at the given version (0/1/2) with pointers of
 * ptr_size bytes. False when the provider has no such (event, version).
 */
bool ad_vb_client_event(ad_vb *b, uint16_t id, uint8_t version, unsigned ptr_size,
                        const ad_vb_values *v);

#endif

/*
 * asimdns: the event record, the contract between asimdns-capture and asimdns-exporter
 * (DESIGN.md §4).
 *
 * A record is a fixed, pointer-free, little-endian header (struct ad_record_hdr) followed by
 * the strings of the slots in ad_str_slot order (UTF-8, not NUL-terminated, lengths in
 * hdr.str_len[]), then the raw DNS packet (hdr.packet_len bytes), then zero padding up to a
 * multiple of 8. hdr.size is the total including that padding.
 *
 * One encoder and one validating decoder serve both processes. The decoder treats its input
 * as hostile: it copies the header out once, checks every length and enum against the
 * buffer and the caps below, and hands back views that point into the caller's buffer.
 */
#ifndef AD_COMMON_RECORD_H
#define AD_COMMON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/*
 * Version 2 added the AD_STR_PROCESS slot: its length took the first two bytes of what was
 * reserved1 (offset 192), so the header stays 200 bytes and every older offset is unchanged.
 * The encoder writes version 2; the decoder also accepts version 1 (records in a spool or a
 * ring written by an older capture), where that length must be zero as the reserved bytes
 * were. A version-1 decoder refuses version-2 records (AD_EVERSION): upgrade the exporter
 * before the capture.
 */
#define AD_RECORD_VERSION 2
#define AD_RECORD_VERSION_MIN 1

/* Largest encoded record, header and padding included. Documented in the README. */
#define AD_RECORD_MAX_SIZE 8192
/* Longest single string slot in bytes; longer input is cut and AD_REC_STR_TRUNCATED set. */
#define AD_RECORD_MAX_STR 1024
/* Longest raw DNS packet kept; longer packets are cut and AD_REC_PACKET_TRUNCATED set. */
#define AD_RECORD_MAX_PACKET 2048

/* Where the event came from. */
typedef enum ad_source {
    AD_SOURCE_UNKNOWN = 0,
    AD_SOURCE_ETW = 1,       /* live ETW real-time session */
    AD_SOURCE_ETL = 2,       /* .etl file through the ETW API */
    AD_SOURCE_REPLAY = 3,    /* replay text file (DESIGN.md §4) */
    AD_SOURCE_SYNTHETIC = 4, /* seeded generator */
    AD_SOURCE_DNSTAP = 5,    /* dnstap Frame Streams socket */
    AD_SOURCE__COUNT
} ad_source;

/* Which provider's event id space event_id belongs to. */
typedef enum ad_provider {
    AD_PROVIDER_UNKNOWN = 0,
    AD_PROVIDER_DNS_SERVER = 1, /* Microsoft-Windows-DNSServer; dnstap maps onto these ids */
    AD_PROVIDER_DNS_CLIENT = 2, /* Microsoft-Windows-DNS-Client */
    AD_PROVIDER__COUNT
} ad_provider;

/* Transport of the DNS message. */
typedef enum ad_transport {
    AD_TRANSPORT_UNKNOWN = 0,
    AD_TRANSPORT_UDP = 1,
    AD_TRANSPORT_TCP = 2,
    AD_TRANSPORT_DOT = 3, /* DNS over TLS */
    AD_TRANSPORT_DOH = 4, /* DNS over HTTPS */
    AD_TRANSPORT__COUNT
} ad_transport;

/* Address family of an ad_addr. */
typedef enum ad_family { AD_FAMILY_NONE = 0, AD_FAMILY_IPV4 = 4, AD_FAMILY_IPV6 = 6 } ad_family;

/* An IP endpoint: family, port (host order, 0 = unknown) and 4 or 16 address bytes. */
typedef struct ad_addr {
    uint8_t family; /* ad_family */
    uint8_t has_port;
    uint16_t port;
    uint8_t bytes[16]; /* IPv4 in bytes[0..3], network order */
} ad_addr;

/* Which optional numeric fields are present (hdr.present). */
enum ad_present {
    AD_HAS_QTYPE = 1u << 0,
    AD_HAS_RCODE = 1u << 1,     /* DNS RCODE in hdr.rcode */
    AD_HAS_STATUS = 1u << 2,    /* Windows/Win32 DNS status in hdr.status */
    AD_HAS_XID = 1u << 3,       /* DNS transaction id */
    AD_HAS_QXID = 1u << 4,      /* QXID: the client's original XID (260/262, facts §2.5) */
    AD_HAS_DNS_FLAGS = 1u << 5, /* 16-bit header flags word in hdr.dns_flags */
    AD_HAS_ELAPSED = 1u << 6,   /* hdr.elapsed_ms */
    AD_HAS_TRANSPORT = 1u << 7, /* hdr.transport is known */
    AD_HAS_RD = 1u << 8,        /* the boolean bits below were present in the event */
    AD_HAS_AA = 1u << 9,
    AD_HAS_AD = 1u << 10,
    AD_HAS_DNSSEC = 1u << 11,
    AD_HAS_QUERY_OPTIONS = 1u << 12,
    AD_HAS_CLIENT_PID = 1u << 13,
    AD_HAS_INTERFACE_INDEX = 1u << 14,
    AD_HAS_NETWORK_INDEX = 1u << 15,
    AD_HAS_RECURSION_DEPTH = 1u << 16,
    AD_HAS_QUERIES_ATTACHED = 1u << 17,
    AD_HAS_SECURE = 1u << 18,
    AD_HAS_RESPONSE_TIME = 1u << 19, /* dnstap: query/response pairing gave elapsed_ms */
};

/* Boolean values and record-level markers (hdr.bits). */
enum ad_bits {
    AD_BIT_RD = 1u << 0,
    AD_BIT_AA = 1u << 1,
    AD_BIT_AD = 1u << 2,
    AD_BIT_DNSSEC = 1u << 3,
    AD_BIT_SECURE = 1u << 4,
    AD_BIT_RESPONSE = 1u << 5,         /* the message the event describes is a response */
    AD_REC_STR_TRUNCATED = 1u << 8,    /* at least one string was cut at AD_RECORD_MAX_STR */
    AD_REC_PACKET_TRUNCATED = 1u << 9, /* packet cut at AD_RECORD_MAX_PACKET */
    AD_REC_PARTIAL = 1u << 10,         /* trailing fields absent (version drift, short data) */
    AD_REC_LEGACY_LAYOUT = 1u << 11,   /* decoded with a pre-2016 template */
};

/* The string slots, stored in this order after the header. */
typedef enum ad_str_slot {
    AD_STR_QNAME = 0,  /* query name as sent, trailing dot kept */
    AD_STR_ZONE,       /* zone */
    AD_STR_ZONE_SCOPE, /* zone scope / Scope */
    AD_STR_POLICY,     /* PolicyName */
    AD_STR_RECURSION_SCOPE,
    AD_STR_CACHE_SCOPE,
    AD_STR_REASON,     /* Reason (258, 259) */
    AD_STR_GUID,       /* correlation GUID text, e.g. "{...}" */
    AD_STR_RESULTS,    /* client QueryResults (answers of a packet are the exporter's) */
    AD_STR_SERVERS,    /* DNS server list or address text */
    AD_STR_ADAPTER,    /* adapter / interface name, local addresses */
    AD_STR_ADDITIONAL, /* AdditionalInfo */
    AD_STR_IDENTITY,   /* dnstap identity */
    AD_STR_VERSION,    /* dnstap version string (names the DNS server product) */
    AD_STR_PROCESS,    /* image path of the requesting process (record version 2) */
    AD_STR__COUNT
} ad_str_slot;

/* Wire header. Every field is naturally aligned; sizeof is a multiple of 8. */
typedef struct ad_record_hdr {
    uint16_t version;       /* AD_RECORD_VERSION */
    uint16_t size;          /* total bytes incl. strings, packet and padding; multiple of 8 */
    uint8_t source;         /* ad_source */
    uint8_t provider;       /* ad_provider */
    uint8_t event_version;  /* ETW EVENT_DESCRIPTOR.Version */
    uint8_t transport;      /* ad_transport */
    uint16_t event_id;      /* ETW event id (dnstap: the DNS Server id it maps to) */
    uint16_t dnstap_type;   /* dnstap Message.Type when source is dnstap, else 0 */
    uint16_t packet_len;    /* raw DNS packet bytes after the strings */
    uint16_t reserved0;     /* zero */
    uint32_t present;       /* enum ad_present */
    uint32_t bits;          /* enum ad_bits */
    uint64_t time_ns;       /* event time, Unix ns */
    uint64_t sequence;      /* ring sequence number */
    uint64_t query_options; /* DNS-Client QueryOptions */
    uint32_t pid;           /* EVENT_HEADER.ProcessId */
    uint32_t tid;           /* EVENT_HEADER.ThreadId */
    uint32_t client_pid;    /* DNS-Client ClientPID (v1+) */
    uint32_t qtype;
    uint32_t rcode;  /* DNS RCODE (AD_HAS_RCODE) */
    uint32_t status; /* Windows DNS status (AD_HAS_STATUS) */
    uint32_t xid;
    uint32_t qxid;
    uint32_t dns_flags; /* header flags word (bytes 2-3 of the message) */
    uint32_t elapsed_ms;
    uint32_t interface_index;
    uint32_t network_index;
    uint32_t recursion_depth;
    uint32_t queries_attached;
    ad_addr src;   /* who sent the message this event describes */
    ad_addr dst;   /* who received it */
    ad_addr iface; /* the reporting server's interface (InterfaceIP) */
    /* 15 lengths at 164..193; then 2 + 4 zero bytes make sizeof 200, a multiple of 8 */
    uint16_t str_len[AD_STR__COUNT];
    uint16_t reserved1;
    uint32_t reserved2;
} ad_record_hdr;

/* A view of bytes inside a decoded record (or, for encoding, the caller's bytes). */
typedef struct ad_bytes {
    const char *ptr;
    size_t len;
} ad_bytes;

/*
 * A record in memory. For encoding, the caller fills hdr (size, version, str_len and
 * packet_len are computed by the encoder) and the views; for decoding, the decoder fills
 * both and the views point into the decoded buffer.
 */
typedef struct ad_event {
    ad_record_hdr hdr;
    ad_bytes str[AD_STR__COUNT];
    ad_bytes packet;
} ad_event;

/* Clears ev to an empty record (all fields absent). */
void ad_event_init(ad_event *ev);

/* Sets a string slot to a view of text[len] (not copied). */
void ad_event_set_str(ad_event *ev, ad_str_slot slot, const char *text, size_t len);

/*
 * Bytes ad_record_encode will write for ev, after capping strings and packet; always a
 * multiple of 8 and at most AD_RECORD_MAX_SIZE.
 */
size_t ad_record_encoded_size(const ad_event *ev);

/*
 * Encodes ev into buf[cap]. Strings longer than AD_RECORD_MAX_STR and packets longer than
 * AD_RECORD_MAX_PACKET are cut (flag bits set in the output); if the whole record still
 * exceeds AD_RECORD_MAX_SIZE the packet is dropped, then the longest strings are cut further.
 * Strings are only cut at UTF-8 character boundaries; reserved fields are written as zero.
 * Returns AD_EFULL when cap is too small, AD_EINVAL for enum values out of range, unknown
 * present/bits flags, an address the decoder would reject, dnstap_type set for another
 * source, or a NULL view with a non-zero length; AD_EUTF for a string that is not UTF-8.
 * *out_len receives the record size on success; on error it is not set and buf may hold
 * partial output.
 */
ad_err ad_record_encode(const ad_event *ev, void *buf, size_t cap, size_t *out_len);

/*
 * Validates and decodes buf[len] (one whole record; bytes after hdr.size are ignored). Views
 * in *out point into buf; a version-1 record comes out as version 2 with AD_STR_PROCESS
 * empty. Errors: AD_ETRUNC (len below the header or below hdr.size), AD_EVERSION (not
 * AD_RECORD_VERSION_MIN..AD_RECORD_VERSION), AD_ERANGE (size, a string or packet length beyond its
 * cap, or the lengths reaching past hdr.size), AD_EFORMAT (size not a multiple of 8 or below the
 * header, lengths leaving more than the padding before size, non-zero reserved fields (in version 1
 * also the AD_STR_PROCESS length), reserved flag bits or padding), AD_EINVAL (enum out of range,
 * dnstap_type without the dnstap source, address family invalid or address/port bytes set that the
 * family does not use), AD_EUTF (string not UTF-8).
 */
ad_err ad_record_decode(const void *buf, size_t len, ad_event *out);

/* Reads only the header's size field; AD_ETRUNC when len < 4. For ring consumers. */
ad_err ad_record_peek_size(const void *buf, size_t len, size_t *size);

/* Names for enums (never NULL). */
const char *ad_source_name(ad_source source);
const char *ad_provider_name(ad_provider provider);
const char *ad_transport_name(ad_transport transport);

/* Address helpers: set family and bytes; port 0..65535 sets has_port, a negative port none. */
void ad_addr_set_ipv4(ad_addr *addr, const uint8_t bytes[4], int port);
void ad_addr_set_ipv6(ad_addr *addr, const uint8_t bytes[16], int port);

/*
 * Parses textual IPv4 ("10.0.0.1") or IPv6 ("fe80::1", "::ffff:1.2.3.4"), without port, into
 * addr (port untouched). AD_EFORMAT when it is not an address.
 */
ad_err ad_addr_parse(ad_addr *addr, const char *text, size_t len);

/*
 * Formats the address (no port) into buf[cap] as NUL-terminated RFC 5952 text and returns its
 * length; 0 (and "" when cap > 0) for family none or unknown, or when cap is too
 * small (AD_ADDR_TEXT_MAX always suffices).
 */
size_t ad_addr_format(const ad_addr *addr, char *buf, size_t cap);

#define AD_ADDR_TEXT_MAX 46

#endif

/*
 * asimdns: a small DNS message parser (RFC 1035 §4.1): the header, the question and names.
 * The capture reads a dnstap message's header and question with it (record fields, query/
 * response pairing); the exporter's answer summary (exporter/dns_answers.h) walks the
 * resource records with it.
 *
 * The input is hostile: every read is bounds-checked, compressed names (RFC 1035 §4.1.4) are
 * followed only backwards and at most AD_DNS_MAX_JUMPS times, label lengths over 63 (the
 * reserved 0x40/0x80 label types, RFC 1035 §3.1 and RFC 6891 §5) and names over 255 wire bytes
 * (RFC 1035 §2.3.4) are rejected. Nothing is allocated; text goes to caller buffers.
 *
 * Text forms follow the master-file conventions of RFC 1035 §5.1: names are dotted with a
 * trailing dot ("." for the root); '.', '\\', ';' and '"' inside a label are escaped with a
 * backslash and bytes outside 0x21..0x7e as \DDD (decimal), so the text is always ASCII.
 */
#ifndef AD_COMMON_DNS_WIRE_H
#define AD_COMMON_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* RFC 1035 §4.1.1 header size. */
#define AD_DNS_HEADER_SIZE 12
/* RFC 1035 §2.3.4: labels 63 octets or less, names 255 octets or less (wire form). */
#define AD_DNS_LABEL_MAX 63
#define AD_DNS_NAME_WIRE_MAX 255
/* Most compression pointers followed for one name (a legitimate name needs far fewer). */
#define AD_DNS_MAX_JUMPS 64
/* Buffer that always holds a name's text (253 content bytes, each at most 4 chars, + dots). */
#define AD_DNS_NAME_TEXT_MAX 1024

/* Header flag bits (RFC 1035 §4.1.1, RFC 4035 §3.2 for AD/CD, RFC 6895 §2 for Z;
   facts/asim-dns.md §5.5 maps each to its DnsFlags* field). */
#define AD_DNS_FLAG_QR 0x8000u
#define AD_DNS_FLAG_AA 0x0400u
#define AD_DNS_FLAG_TC 0x0200u
#define AD_DNS_FLAG_RD 0x0100u
#define AD_DNS_FLAG_RA 0x0080u
#define AD_DNS_FLAG_Z 0x0040u
#define AD_DNS_FLAG_AD 0x0020u
#define AD_DNS_FLAG_CD 0x0010u
#define AD_DNS_OPCODE(flags) (((flags) >> 11) & 0x0fu)
#define AD_DNS_RCODE(flags) ((flags)&0x0fu)

/*
 * Errors (common/error.h): AD_ETRUNC when the message ends before the header, a name, a
 * question, a resource record or its RDATA is complete; AD_EFORMAT when a rule is broken (label
 * type, name length, compression pointer range, direction or count, RDATA that does not match
 * its type); AD_EFULL when the caller's text buffer is too small. An optional `why`
 * out-parameter receives the AD_DNS_WHY_* text of the rule, for logs and tests.
 */
#define AD_DNS_WHY_SHORT_HEADER "message shorter than the 12-byte DNS header"
#define AD_DNS_WHY_TRUNC "message truncated inside a name, question or resource record"
#define AD_DNS_WHY_LABEL "label length over 63 (reserved label type)"
#define AD_DNS_WHY_NAME_LEN "name longer than 255 bytes"
#define AD_DNS_WHY_PTR_RANGE "compression pointer beyond the message"
#define AD_DNS_WHY_PTR_FORWARD "compression pointer does not point backwards"
#define AD_DNS_WHY_PTR_LOOP "too many compression pointers in one name"
#define AD_DNS_WHY_RDATA "RDATA does not match its type"
#define AD_DNS_WHY_SPACE "text buffer too small"

typedef struct ad_dns_header {
    uint16_t id;
    uint16_t flags;
    uint16_t qdcount;
    uint16_t ancount;
    uint16_t nscount;
    uint16_t arcount;
} ad_dns_header;

typedef struct ad_dns_msg {
    bool has_header; /* the 12-byte header was there: hdr is valid */
    ad_dns_header hdr;
    bool has_question;                /* qdcount >= 1 and the first question parsed */
    char qname[AD_DNS_NAME_TEXT_MAX]; /* NUL-terminated text of the first question's name */
    size_t qname_len;
    uint16_t qtype;
    uint16_t qclass;
    size_t answer_offset; /* where the answer section starts (after every question) */
} ad_dns_msg;

/*
 * Parses the header and the question section of msg[len] into *out. With qdcount 0 the
 * message is valid and has_question is false. On an error *out keeps what was parsed before
 * it (hdr is valid when has_header is set) and *why (when why is not NULL) names the rule.
 */
ad_err ad_dns_parse(const uint8_t *msg, size_t len, ad_dns_msg *out, const char **why);

/*
 * Reads the (possibly compressed) name at *off in msg[len] into text[cap] (NUL-terminated)
 * and advances *off past the name's bytes at that position. *text_len gets the text length.
 */
ad_err ad_dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *text, size_t cap,
                        size_t *text_len, const char **why);

/*
 * ad_dns_read_name with the name's uncompressed part bounded by limit (the end of an RDATA);
 * compression pointers may still lead anywhere before len. text == NULL only validates and
 * skips the name (cap and text_len then unused; *text_len is set to 0 when given).
 */
ad_err ad_dns_read_name_in(const uint8_t *msg, size_t len, size_t limit, size_t *off, char *text,
                           size_t cap, size_t *text_len, const char **why);

/*
 * One label byte (in_text false) or TXT character-string byte (in_text true) in RFC 1035 §5.1
 * master-file form into out; returns its length (1, 2 or 4). '.', '\\', ';' and '"' get a
 * backslash, bytes outside 0x21..0x7e become \DDD; inside TXT a space or dot stays plain.
 */
size_t ad_dns_escape_byte(uint8_t c, bool in_text, char out[4]);

#endif

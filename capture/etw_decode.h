/*
 * asimdns-capture: hand-written, portable decoders for the UserData of Microsoft-Windows-DNSServer
 * and Microsoft-Windows-DNS-Client ETW events (DESIGN.md §1: never TDH on the hot path).
 *
 * The decoders read the packed wire layout of the manifest templates
 * (facts/etw-dns-providers.md §1, §2.4, §2.7, §3.3, §3.4) and fill an ad_event
 * (common/record.h).
 * They allocate nothing, read no byte outside UserData and never need Windows headers, so the
 * replay and synthetic sources and the tests use them on any OS.
 *
 * Result of one decode:
 *   AD_OK        *out holds the record. AD_REC_PARTIAL is set when optional trailing fields
 *                were absent (version drift, facts §2.6), AD_REC_LEGACY_LAYOUT when a pre-2016
 *                layout of 259-262 was recognized, AD_REC_STR_TRUNCATED when a converted string
 *                was cut at AD_RECORD_MAX_STR.
 *   AD_EUNSUPP   provider or event id not decoded here (count as unsupported by id/version).
 *   AD_ETRUNC    UserData ends inside a required field (incl. a string without terminator).
 *   AD_ERANGE    a length field (BufferSize, AddressLength) reaches past UserData, a Port above
 *                65535, or UserData longer than AD_ETW_MAX_USERDATA.
 *   AD_EUTF      a kept UTF-16 string holds an unpaired surrogate.
 *   AD_EFORMAT   an IP text field (InterfaceIP/Source/Destination) or a SOCKADDR is not an
 *                address.
 *   AD_EINVAL    bad arguments, or a win:Pointer field while EVENT_HEADER.Flags gives no
 *                (or both) pointer sizes.
 * On every error *out is reset to the event's identity only (provider, id, version, time,
 * pid, tid) and scratch->diag tells where decoding stopped; the caller counts the error by
 * (in->event_id, in->version).
 *
 * Views in *out point into in->userdata or into scratch->buf: encode the record before either
 * is reused.
 */
#ifndef AD_CAPTURE_ETW_DECODE_H
#define AD_CAPTURE_ETW_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/record.h"

/* EVENT_HEADER.Flags bits that give the size of win:Pointer fields (facts §1). */
#define AD_ETW_HEADER_FLAG_32_BIT 0x0020u
#define AD_ETW_HEADER_FLAG_64_BIT 0x0040u

/* An ETW event is at most 64 KiB including its header; longer UserData is rejected. */
#define AD_ETW_MAX_USERDATA 65535u

/*
 * Room for converted strings (UTF-16 -> UTF-8, Latin-1 -> UTF-8). Each string is cut at
 * AD_RECORD_MAX_STR; the largest template keeps 5 converted strings plus a converted QNAME,
 * so 8 KiB suffices. Only the legacy re-decode of 259-262, which places its strings after
 * those of the first attempt, can run short with extreme strings: then strings are cut
 * (AD_REC_STR_TRUNCATED), never an error.
 */
#define AD_ETW_SCRATCH_SIZE 8192u

/* One raw ETW event as the sources see it (EVENT_RECORD, or a replay line, DESIGN.md §4). */
typedef struct ad_etw_event_in {
    ad_provider provider;  /* which id space event_id belongs to */
    ad_source source;      /* copied into the record (ETW, ETL, replay, synthetic) */
    uint16_t event_id;     /* EVENT_DESCRIPTOR.Id */
    uint8_t version;       /* EVENT_DESCRIPTOR.Version */
    uint16_t header_flags; /* EVENT_HEADER.Flags (pointer size) */
    uint32_t pid;          /* EVENT_HEADER.ProcessId */
    uint32_t tid;          /* EVENT_HEADER.ThreadId */
    uint64_t time_ns;      /* event time, ns since the Unix epoch */
    const void *userdata;  /* EVENT_RECORD.UserData; may be NULL when userdata_len is 0 */
    size_t userdata_len;   /* EVENT_RECORD.UserDataLength */
} ad_etw_event_in;

/* Which template decoded the event (scratch->diag.layout). */
typedef enum ad_etw_layout {
    AD_ETW_LAYOUT_NONE = 0,    /* nothing decoded (error or unsupported) */
    AD_ETW_LAYOUT_CURRENT = 1, /* 2025 manifest template (DNS Server) / event version (Client) */
    AD_ETW_LAYOUT_LEGACY = 2,  /* pre-2016 layout of 259-262 (facts §2.6) */
    AD_ETW_LAYOUT_AUDIT = 3,   /* DNS Server audit event decoded into a generic record */
} ad_etw_layout;

/* What the last decode saw, for error logs and drift counters. */
typedef struct ad_etw_diag {
    const char *field; /* template field where decoding stopped (error, or the first absent
                          field of a partial record); NULL when everything was read */
    uint32_t offset;   /* UserData offset of that field */
    uint32_t trailing; /* UserData bytes after the last decoded field, ignored (a newer
                          template appending fields, or a cut optional field) */
    uint8_t layout;    /* ad_etw_layout */
} ad_etw_diag;

/* Caller-owned working memory for one decode; reused (not cleared) by every call. */
typedef struct ad_decode_scratch {
    ad_etw_diag diag;
    size_t used;                   /* bytes of buf holding strings of the last record */
    char buf[AD_ETW_SCRATCH_SIZE]; /* converted UTF-8 strings; not NUL-terminated */
} ad_decode_scratch;

/*
 * Decodes one event of either provider into *out (see the file comment for the results).
 * Never allocates; runs in time linear in in->userdata_len.
 */
ad_err ad_etw_decode(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch);

/* The same, for one provider only (in->provider is ignored). */
ad_err ad_etw_decode_server(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch);
ad_err ad_etw_decode_client(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch);

/* True when ad_etw_decode has a template for (provider, event_id) at some version. */
bool ad_etw_event_supported(ad_provider provider, uint16_t event_id);

/* Manifest name of the event ("QUERY_RECEIVED", "DnsServerTimeout"), "AUDIT" for DNS Server
 * audit events, "UNKNOWN" otherwise; never NULL. */
const char *ad_etw_event_name(ad_provider provider, uint16_t event_id);

#endif

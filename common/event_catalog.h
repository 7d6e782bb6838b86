/*
 * asimdns: the event catalogue (DESIGN.md §4), the one table that says what each event means.
 *
 * For each provider and event id (with a template per event version where the layouts
 * differ): the manifest name, the wire template, the DNS message the event describes (a
 * request or a response), which of its two wire endpoints is the DNS client (the requester)
 * and which the server or upstream, the wire fields that hold them, and the ASIM EventType,
 * EventSubType and result rule. The ETW decoders read it for the template, the record's
 * src/dst and AD_BIT_RESPONSE; the ASIM mapping reads it for the event's ASIM values and its
 * endpoints; the README's event table is checked against it by a test. Nothing else
 * restates it. The rows and their lookup are in event_catalog.c, the ASIM reading of a row
 * (endpoint fields, result and details) in event_asim.c, so the capture links no result texts.
 *
 * Endpoints. Every event with endpoints names a peer (the remote end, e.g. Source or
 * Destination, with the Port field when the template has one) and a host address (the
 * reporting server's InterfaceIP). `client` says which of the two asked the question:
 *   - AD_CLIENT_PEER: the peer is the DNS client and the host the server (256-259, 263, ...);
 *   - AD_CLIENT_HOST: the host asked the peer (recursion 260-262, outgoing zone transfers,
 *     the DNS Client's own queries); the peer is the server or upstream.
 * ASIM SrcIpAddr/SrcPortNumber are the client's, DstIpAddr/DstPortNumber the server's
 * (facts/asim-dns.md §8), whatever the ASIM EventSubType says: 259, 262, 279, 280 and 291
 * are ASIM "response" outcomes of a *request* message. The record (common/record.h) keeps
 * the message's sender in src and its receiver in dst, so for a response message the client
 * is the record's dst (ad_event_def_client_is_dst).
 *
 * Sources: facts/etw-dns-providers.md §2.3-§2.7 (names, templates, fields), §3.3-§3.5 (DNS
 * Client); facts/asim-dns.md §5.2 and §8 (ASIM values). Each choice the facts leave open is
 * commented at its row in event_catalog.c.
 */
#ifndef AD_COMMON_EVENT_CATALOG_H
#define AD_COMMON_EVENT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dns_tables.h"
#include "common/record.h"

/* Wire templates: one per distinct UserData layout (facts §2.4, §2.6, §3.3, §3.4). The ETW
 * decoders hold each one's field list; DNS Server audit events (facts §2.7) have one each,
 * kept by the decoder under AD_TMPL_AUDIT. */
/* clang-format off */
#define AD_TEMPLATES(X)                                                                            \
    X(NONE) X(AUDIT)                                                                               \
    X(T256) X(T257) X(T258) X(T259) X(T260) X(T261) X(T262) X(T263) X(T264) X(T265) X(T267)        \
    X(T269) X(T271) X(T273) X(T275) X(T276) X(T277) X(T279) X(T281) X(T284) X(T285) X(T286)        \
    X(T287) X(T288) X(T289) X(T290) X(T291)                                                        \
    X(L259) X(L260) X(L261) X(L262)                                                                \
    X(C3000) X(C3001) X(C3003) X(C3006) X(C3007) X(C3008)                                          \
    X(C3009V0) X(C3009V1) X(C3009V2) X(C3010V0) X(C3010V1) X(C3011V0) X(C3011V1) X(C3011V2)        \
    X(C3012V0) X(C3012V1) X(C3012V2) X(C3013V0) X(C3013V1) X(C3013V2) X(C3014V1) X(C3014V2)        \
    X(C3016V0) X(C3016V1) X(C3016V2) X(C3018V0) X(C3018V1) X(C3018V2) X(C3019V0) X(C3019V1)        \
    X(C3019V2) X(C3020V0) X(C3020V1) X(C3020V2)                                                    \
    X(C1013V0) X(C1013V1) X(C1016V2) X(C1018V0) X(C1018V1) X(C1018V2)
/* clang-format on */

#define AD__TMPL_ENUM(n) AD_TMPL_##n,
typedef enum ad_tmpl { AD_TEMPLATES(AD__TMPL_ENUM) AD_TMPL__COUNT } ad_tmpl;
#undef AD__TMPL_ENUM

/* The template's name ("T256", "C3009V1"); "" out of range. */
const char *ad_tmpl_name(ad_tmpl tmpl);

/* Highest event version with a template of its own; higher versions use it (appended fields). */
#define AD_EVENT_MAX_VERSION 2

/* The DNS message an event describes. */
typedef enum ad_msg {
    AD_MSG_NONE = 0, /* none (a configuration change, a local status report) */
    AD_MSG_REQUEST,  /* a query, update, NOTIFY or transfer request */
    AD_MSG_RESPONSE, /* its answer */
} ad_msg;

/* Which endpoint is the DNS client (see the file comment). */
typedef enum ad_client_side {
    AD_CLIENT_NONE = 0, /* no endpoints (the host address, if any, is only DvcIpAddr) */
    AD_CLIENT_PEER,     /* the remote peer asked the reporting host */
    AD_CLIENT_HOST,     /* the reporting host asked the remote peer */
} ad_client_side;

/* How EventResult and EventResultDetails follow from an event (facts/asim-dns.md §5.2, §8). */
typedef enum ad_result_rule {
    AD_RULE_REQUEST = 0, /* a request: EventResult NA, EventResultDetails "NA" */
    AD_RULE_FROM_RCODE,  /* Success iff RCODE == 0 (absent -> Failure); details = RCODE name */
    AD_RULE_SUCCESS,     /* always Success; details = RCODE name when known */
    AD_RULE_FAILURE,     /* always Failure; details = RCODE name when known */
    AD_RULE_NA,          /* a response without an outcome: NA; details = RCODE name if known */
    AD_RULE_FROM_STATUS, /* Success iff client status == 0 (absent -> Failure);
                            details = ad_win_status_name(status), "NA" when absent */
    AD_RULE__COUNT
} ad_result_rule;

/* ad_event_def.flags */
enum ad_event_flags {
    AD_EVF_AUDIT = 1u << 0, /* DNS Server audit channel (administrative change, no DNS message) */
    AD_EVF_EDNS = 1u << 1,  /* 284-291: EDNS-era variant of an older analytic event */
    /* Logged in the context of the process that called the resolver (DNS Client 3006, 3008;
       facts/sentinel-filters-peers.md §4): the header's process id is the requester's. Other
       client events come from the Dnscache service's svchost. */
    AD_EVF_REQUESTER_CONTEXT = 1u << 2,
};

/* One event's definition. */
typedef struct ad_event_def {
    ad_provider provider;
    uint16_t id;      /* event id; the first of the range for the shared audit row */
    uint16_t id_last; /* last id the row covers (== id except for the shared audit row) */
    uint16_t flags;   /* enum ad_event_flags */
    const char *name; /* manifest name, e.g. "QUERY_RECEIVED", "DnsNameError" */
    uint8_t tmpl[AD_EVENT_MAX_VERSION + 1]; /* ad_tmpl per version; NONE: use the one below */
    uint8_t tmpl_legacy;     /* pre-2016 layout tried second (facts §2.6), or NONE */
    uint8_t message;         /* ad_msg */
    uint8_t client;          /* ad_client_side */
    const char *peer_field;  /* wire field of the peer ("Source"), or NULL */
    const char *host_field;  /* wire field of the host ("InterfaceIP"), or NULL */
    const char *port_field;  /* the peer's port field ("Port"), or NULL */
    ad_asim_type type;       /* EventType when the header has no opcode */
    ad_asim_subtype subtype; /* EventSubType */
    ad_result_rule rule;     /* EventResult / EventResultDetails rule */
    const char *details;     /* fixed EventResultDetails, or NULL */
} ad_event_def;

/* Audit events of Microsoft-Windows-DNSServer (etw facts §2.7) share one row, except the
 * two that carry a Source (519, 520). */
#define AD_DNS_SERVER_AUDIT_FIRST 512u
#define AD_DNS_SERVER_AUDIT_LAST 999u

/*
 * The definition of event_id of provider, or NULL when the catalogue has none. O(1).
 * DNS Server: 256-291, 512-999; DNS Client: 1013-1018, 3000-3016, 3018-3020.
 */
const ad_event_def *ad_event_def_find(ad_provider provider, uint32_t event_id);

/* The template for an event version (the highest defined one at or below it). */
ad_tmpl ad_event_def_tmpl(const ad_event_def *def, unsigned version);

/* True when the record's dst (not src) holds the DNS client: the message is a response. */
bool ad_event_def_client_is_dst(const ad_event_def *def);

/* The wire field feeding SrcIpAddr / DstIpAddr / SrcPortNumber / DstPortNumber, or NULL. */
const char *ad_event_def_src_field(const ad_event_def *def);
const char *ad_event_def_dst_field(const ad_event_def *def);
const char *ad_event_def_src_port_field(const ad_event_def *def);
const char *ad_event_def_dst_port_field(const ad_event_def *def);

/* Every row in catalogue order (server analytic, audit, client), for docs and tests. */
size_t ad_event_def_count(void);
const ad_event_def *ad_event_def_at(size_t index);

/*
 * Evaluates def's rule for one event. has_rcode/rcode: the DNS RCODE when the event carries
 * one (or it came from the header flags); has_status/status: the DNS-Client status. Returns
 * EventResult and stores EventResultDetails in *details (never NULL):
 *   - def->details when set;
 *   - AD_RULE_REQUEST: "NA";
 *   - AD_RULE_FROM_STATUS: ad_win_status_name(status), or "NA" without a status;
 *   - other rules: ad_rcode_name(rcode), or "Unassigned" without an RCODE (what the
 *     Microsoft parsers yield for a response with no RCODE, facts/asim-dns.md §5.2).
 * def == NULL behaves as AD_RULE_NA. details may be NULL when not wanted.
 */
ad_asim_result ad_event_result_eval(const ad_event_def *def, bool has_rcode, uint32_t rcode,
                                    bool has_status, uint32_t status, const char **details);

#endif

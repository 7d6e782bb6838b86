/*
 * asimdns: DNS and ASIM code tables as data (libc only).
 *
 * What the exporter needs to turn a decoded event into ASIM DNS 0.1.7 values, and what
 * capture and config need to name the two ETW providers:
 *   - QTYPE <-> DnsQueryTypeName              facts/asim-dns.md §4.3, §8
 *   - RCODE  -> EventResultDetails            facts/asim-dns.md §4.1, §8
 *   - Windows DNS-Client status -> name       facts/asim-dns.md §4.2
 *   - DNS opcode -> EventType                 facts/asim-dns.md §4.5, §8
 *   - DNS CLASS -> DnsQueryClassName          facts/asim-dns.md §4.4
 *   - EventResult -> EventSeverity            facts/asim-dns.md §8
 *   - provider names, GUIDs, default level and keywords
 *                                             facts/etw-dns-providers.md §2, §3; DESIGN.md §6
 *
 * What each event id means is in common/event_catalog.h. The provider functions are in
 * provider_table.c, the name tables in dns_tables.c: the capture names providers but renders no
 * names, so it links only the first.
 *
 * Every function that runs per event (names, provider by binary GUID) is a bounds check plus a
 * direct array index or a short switch: no search, no allocation, no locale. The *_from_name /
 * ad_provider_lookup / ad_guid_parse functions are for configuration and replay parsing and may
 * scan their tables.
 *
 * All returned strings are static and never freed. Unless a function says otherwise it
 * never returns NULL.
 */
#ifndef AD_COMMON_DNS_TABLES_H
#define AD_COMMON_DNS_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/ascii.h"
#include "common/record.h"

/* ---------------------------------------------------------------------------------------- */
/* QTYPE (DnsQueryType / DnsQueryTypeName)                                                   */
/* ---------------------------------------------------------------------------------------- */

/* Buffer size that always holds "TYPE<n>" for any uint32_t n, NUL included. */
#define AD_QTYPE_NAME_MAX 16

/*
 * The mnemonic of a QTYPE from the table in facts/asim-dns.md §4.3 (S13 plus 63 ZONEMD,
 * 64 SVCB, 65 HTTPS from S9b/IANA), with 255 -> "ANY" (§8), or NULL when the code has no
 * mnemonic there (54, 66-98, 110-248, 260-32767, 32770-65534, >65535). 0 and 65535 are
 * "Reserved", as §4.3 lists them.
 */
const char *ad_qtype_name_known(uint32_t qtype);

/*
 * DnsQueryTypeName for qtype (§8): the ad_qtype_name_known() mnemonic when there is one,
 * otherwise "TYPE<n>" (decimal) written into buf[cap] and buf returned. With cap >=
 * AD_QTYPE_NAME_MAX the text always fits; a smaller cap gets it cut (still NUL-terminated),
 * and buf == NULL or cap == 0 returns "".
 */
const char *ad_qtype_name(uint32_t qtype, char *buf, size_t cap);

/*
 * Parses a query type name for filters: any mnemonic ad_qtype_name_known() returns except
 * the ambiguous "Reserved" (0 and 65535), the 255 aliases "*" (IANA) and "ALL" (S13), and
 * "TYPE<n>" with decimal n in 0..65535. ASCII case-insensitive; text[len] need not be
 * NUL-terminated. Returns false (and leaves *qtype alone) when the text is none of these.
 */
bool ad_qtype_from_name(const char *text, size_t len, uint32_t *qtype);

/* ---------------------------------------------------------------------------------------- */
/* CLASS (DnsQueryClass / DnsQueryClassName)                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Buffer size that always holds "CLASS<n>" for any uint32_t n, NUL included. */
#define AD_QCLASS_NAME_MAX 16

/*
 * DnsQueryClassName (facts/asim-dns.md §4.4, the tester enum of §2.5): 0 "Reserved", 1 "IN",
 * 2 "Unassigned", 3 "CH", 4 "HS", 254 "NONE", 255 "ANY"; any other class "CLASS<n>" (the
 * Zeek fallback, S15, which the tester accepts) written into buf[cap] and buf returned (cut
 * but NUL-terminated when cap < AD_QCLASS_NAME_MAX; "" when buf is NULL or cap is 0).
 */
const char *ad_qclass_name(uint32_t qclass, char *buf, size_t cap);

/* ---------------------------------------------------------------------------------------- */
/* RCODE (DnsResponseCode / EventResultDetails)                                               */
/* ---------------------------------------------------------------------------------------- */

/*
 * The RCODE name for EventResultDetails (facts/asim-dns.md §4.1, §8), extended RCODEs
 * included: 0-11 and 16-23 by name (16 -> "BADVERS", never "BADSIG", as §4.1 says),
 * 3841-4095 -> "Reserved for Private Use", anything else -> "Unassigned".
 */
const char *ad_rcode_name(uint32_t rcode);

/*
 * Parses an RCODE name for filters: the names ad_rcode_name() returns for single codes plus
 * "BADSIG" (-> 16, the IANA duplicate). ASCII case-insensitive. "Unassigned" and
 * "Reserved for Private Use" name ranges and are rejected. Returns false when unknown.
 */
bool ad_rcode_from_name(const char *text, size_t len, uint32_t *rcode);

/* ---------------------------------------------------------------------------------------- */
/* Windows DNS-Client status (QueryStatus / Status / ResponseStatus)                          */
/* ---------------------------------------------------------------------------------------- */

/* ERROR_TIMEOUT, the only non-DNS Win32 code with a name in §4.2. */
#define AD_WIN_STATUS_TIMEOUT 1460u

/*
 * EventResultDetails for a Win32/DNS status (facts/asim-dns.md §4.2, the Sysmon parser):
 * 0 -> "NOERROR", 9001-9011 and 9016-9023 -> the RCODE name of (status - 9000) (9016 ->
 * "BADVERS" as for RCODE 16), 1460 -> "TIMEOUT", any other status -> "NA".
 */
const char *ad_win_status_name(uint32_t status);

/*
 * DnsResponseCode for a Win32/DNS status, the §4.2 transform: status - 9000 when
 * 9000 < status < 9100, else status unchanged (0 -> 0, 9003 -> 3, 1460 -> 1460).
 */
uint32_t ad_win_status_response_code(uint32_t status);

/* ---------------------------------------------------------------------------------------- */
/* ASIM enumerations                                                                          */
/* ---------------------------------------------------------------------------------------- */

/* EventType values the ASIM tester allows for Dns (facts/asim-dns.md §2.1, §4.5). */
typedef enum ad_asim_type {
    AD_ASIM_TYPE_QUERY = 0, /* "Query" */
    AD_ASIM_TYPE_STATUS,    /* "Status" */
    AD_ASIM_TYPE_NOTIFY,    /* "Notify" */
    AD_ASIM_TYPE_UPDATE,    /* "Update" */
    AD_ASIM_TYPE_DSO,       /* "DNS Stateful Operations" */
    AD_ASIM_TYPE__COUNT
} ad_asim_type;

/* EventSubType (facts/asim-dns.md §2.1: enum request|response; Optional). */
typedef enum ad_asim_subtype {
    AD_ASIM_SUBTYPE_NONE = 0, /* omit EventSubType */
    AD_ASIM_SUBTYPE_REQUEST,  /* "request" */
    AD_ASIM_SUBTYPE_RESPONSE, /* "response" */
    AD_ASIM_SUBTYPE__COUNT
} ad_asim_subtype;

/* EventResult (facts/asim-dns.md §2.1). */
typedef enum ad_asim_result {
    AD_ASIM_RESULT_NA = 0,  /* "NA" */
    AD_ASIM_RESULT_SUCCESS, /* "Success" */
    AD_ASIM_RESULT_PARTIAL, /* "Partial" */
    AD_ASIM_RESULT_FAILURE, /* "Failure" */
    AD_ASIM_RESULT__COUNT
} ad_asim_result;

/* EventSeverity (facts/asim-dns.md §2.1: Informational|Low|Medium|High). */
typedef enum ad_asim_severity {
    AD_ASIM_SEVERITY_INFORMATIONAL = 0, /* "Informational" */
    AD_ASIM_SEVERITY_LOW,               /* "Low" */
    AD_ASIM_SEVERITY_MEDIUM,            /* "Medium" */
    AD_ASIM_SEVERITY_HIGH,              /* "High" */
    AD_ASIM_SEVERITY__COUNT
} ad_asim_severity;

/* The ASIM spelling of each value; "" for values out of range (and for SUBTYPE_NONE). */
const char *ad_asim_type_name(ad_asim_type type);
const char *ad_asim_subtype_name(ad_asim_subtype subtype);
const char *ad_asim_result_name(ad_asim_result result);
const char *ad_asim_severity_name(ad_asim_severity severity);

/*
 * EventSeverity from EventResult (facts/asim-dns.md §8, the Sysmon precedent S12):
 * Success and NA -> Informational, Failure -> Low. Partial (which §8 does not cover) -> Low,
 * like every non-success in S12's iif(code == 0, 'Informational', 'Low').
 */
ad_asim_severity ad_asim_severity_from_result(ad_asim_result result);

/* ---------------------------------------------------------------------------------------- */
/* DNS opcode -> EventType                                                                    */
/* ---------------------------------------------------------------------------------------- */

/*
 * The EventType for a DNS header opcode (facts/asim-dns.md §4.5, §8; IANA OpCodes): 0 Query,
 * 2 Status, 4 Notify, 5 Update, 6 DNS Stateful Operations. Returns false for every other
 * opcode (1 IQuery is obsolete and not in the ASIM enum; 3 and 7-15 are unassigned): keep
 * the EventType of the event id then.
 */
bool ad_opcode_asim_type(uint32_t opcode, ad_asim_type *type);

/* ad_asim_type_name() of the opcode's EventType, or NULL when ad_opcode_asim_type fails. */
const char *ad_opcode_event_type(uint32_t opcode);

/* ---------------------------------------------------------------------------------------- */
/* Providers                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* facts/etw-dns-providers.md §2 / facts/asim-dns.md §1 */
#define AD_DNS_SERVER_PROVIDER_NAME "Microsoft-Windows-DNSServer"
#define AD_DNS_SERVER_PROVIDER_GUID "{EB79061A-A566-4698-9119-3ED2807060E7}"
/* DESIGN.md §6: level 4 (Informational), keywords 0x3F (256-262: QUERY_RECEIVED ..
   RECURSE_QUERY_DROP, etw facts §2.2) */
#define AD_DNS_SERVER_DEFAULT_LEVEL 4u
#define AD_DNS_SERVER_DEFAULT_KEYWORDS UINT64_C(0x3F)

/* facts/etw-dns-providers.md §3 */
#define AD_DNS_CLIENT_PROVIDER_NAME "Microsoft-Windows-DNS-Client"
#define AD_DNS_CLIENT_PROVIDER_GUID "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}"
/* DESIGN.md §6: level 5 (Verbose), keywords 0x8000000000000FFF */
#define AD_DNS_CLIENT_DEFAULT_LEVEL 5u
#define AD_DNS_CLIENT_DEFAULT_KEYWORDS UINT64_C(0x8000000000000FFF)

/* A GUID with the field layout of the Windows GUID struct (16 bytes, host byte order). */
typedef struct ad_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
} ad_guid;

/* Everything fixed about one provider. */
typedef struct ad_provider_info {
    ad_provider id;
    const char *name;          /* "Microsoft-Windows-DNSServer" */
    const char *guid_text;     /* "{EB79061A-...}", upper case, with braces */
    ad_guid guid;              /* the same GUID in binary */
    const char *config_name;   /* "dns_server" / "dns_client" (DESIGN.md §6) */
    uint8_t default_level;     /* TRACE_LEVEL_* for EnableTraceEx2 */
    uint64_t default_keywords; /* MatchAnyKeyword */
} ad_provider_info;

/* The fixed data of provider, or NULL for AD_PROVIDER_UNKNOWN and out-of-range values. */
const ad_provider_info *ad_provider_info_get(ad_provider provider);

/*
 * Finds a provider by text (config, replay files): its name ("Microsoft-Windows-DNSServer"),
 * its config name ("dns_server"), or its GUID as 8-4-4-4-12 hex with or without braces. ASCII
 * case-insensitive; text[len] need not be NUL-terminated; no surrounding space allowed.
 * AD_PROVIDER_UNKNOWN when nothing matches.
 */
ad_provider ad_provider_lookup(const char *text, size_t len);

/* Finds a provider by binary GUID (EVENT_HEADER.ProviderId); AD_PROVIDER_UNKNOWN if none. */
ad_provider ad_provider_from_guid(const ad_guid *guid);

/*
 * Parses GUID text "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", optionally in one pair of braces,
 * hex digits in any case. False (and *guid untouched) on anything else.
 */
bool ad_guid_parse(const char *text, size_t len, ad_guid *guid);

/* True when a and b are the same GUID. */
bool ad_guid_equal(const ad_guid *a, const ad_guid *b);

#endif

/*
 * asimdns: DNS and ASIM code tables (see dns_tables.h). The tables are plain const arrays
 * indexed by the code, so every per-event lookup is a range check and one load.
 *
 * Sources are cited as "asim §x" = facts/asim-dns.md, "etw §x" = facts/etw-dns-providers.md.
 */
#include "common/dns_tables.h"

#include <string.h>

#include "common/compiler.h"

/* ---------------------------------------------------------------------------------------- */
/* Text helpers                                                                               */
/* ---------------------------------------------------------------------------------------- */

static char dt_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* text[len] equals the NUL-terminated word, ASCII case-insensitively. */
static bool dt_equal_ci(const char *text, size_t len, const char *word)
{
    size_t i;
    for (i = 0; i < len; i++) {
        if (word[i] == '\0' || dt_lower(text[i]) != dt_lower(word[i]))
            return false;
    }
    return word[len] == '\0';
}

/* Writes the decimal digits of value into buf[cap] after pos; returns the new position. */
static size_t dt_put_u32(char *buf, size_t cap, size_t pos, uint32_t value)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    while (n > 0 && pos + 1 < cap)
        buf[pos++] = digits[--n];
    return pos;
}

/* ---------------------------------------------------------------------------------------- */
/* QTYPE (asim §4.3, §8)                                                                      */
/* ---------------------------------------------------------------------------------------- */

/*
 * Direct-indexed for 0..259. Names are the S13 table of asim §4.3 with two changes §8 asks
 * for and one addition:
 *   - 255 is "ANY" (S1/S8 tester; S13's "All" fails the tester), asim §8;
 *   - 54, which S13 lists as "Unassigned", has no mnemonic and so becomes TYPE54 like every
 *     other unassigned code (asim §8 "unknown -> TYPE<n>");
 *   - 63 ZONEMD, 64 SVCB, 65 HTTPS are IANA mnemonics named in asim §4.3 ("Beyond S13",
 *     S9b); they pass the tester and Windows clients ask for HTTPS (65) all the time.
 * S13's "Reserved for Private Use" for 65280..65534 is not an IANA TYPE string (asim §4.3),
 * so those codes become TYPE<n> too.
 */
#define DT_QTYPE_DIRECT 260u

static const char *const dt_qtype_names[DT_QTYPE_DIRECT] = {
    [0] = "Reserved",    [1] = "A",           [2] = "NS",      [3] = "MD",        [4] = "MF",
    [5] = "CNAME",       [6] = "SOA",         [7] = "MB",      [8] = "MG",        [9] = "MR",
    [10] = "NULL",       [11] = "WKS",        [12] = "PTR",    [13] = "HINFO",    [14] = "MINFO",
    [15] = "MX",         [16] = "TXT",        [17] = "RP",     [18] = "AFSDB",    [19] = "X25",
    [20] = "ISDN",       [21] = "RT",         [22] = "NSAP",   [23] = "NSAP-PTR", [24] = "SIG",
    [25] = "KEY",        [26] = "PX",         [27] = "GPOS",   [28] = "AAAA",     [29] = "LOC",
    [30] = "NXT",        [31] = "EID",        [32] = "NIMLOC", [33] = "SRV",      [34] = "ATMA",
    [35] = "NAPTR",      [36] = "KX",         [37] = "CERT",   [38] = "A6",       [39] = "DNAME",
    [40] = "SINK",       [41] = "OPT",        [42] = "APL",    [43] = "DS",       [44] = "SSHFP",
    [45] = "IPSECKEY",   [46] = "RRSIG",      [47] = "NSEC",   [48] = "DNSKEY",   [49] = "DHCID",
    [50] = "NSEC3",      [51] = "NSEC3PARAM", [52] = "TLSA",   [53] = "SMIMEA",   [55] = "HIP",
    [56] = "NINFO",      [57] = "RKEY",       [58] = "TALINK", [59] = "CDS",      [60] = "CDNSKEY",
    [61] = "OPENPGPKEY", [62] = "CSYNC",      [63] = "ZONEMD", [64] = "SVCB",     [65] = "HTTPS",
    [99] = "SPF",        [100] = "UINFO",     [101] = "UID",   [102] = "GID",     [103] = "UNSPEC",
    [104] = "NID",       [105] = "L32",       [106] = "L64",   [107] = "LP",      [108] = "EUI48",
    [109] = "EUI64",     [249] = "TKEY",      [250] = "TSIG",  [251] = "IXFR",    [252] = "AXFR",
    [253] = "MAILB",     [254] = "MAILA",     [255] = "ANY",   [256] = "URI",     [257] = "CAA",
    [258] = "AVC",       [259] = "DOA",
};

/* The three codes above the direct range (asim §4.3; 65535 "Reserved" is S13 only). */
static const struct {
    uint32_t code;
    const char *name;
} dt_qtype_high[] = {
    {32768u, "TA"},
    {32769u, "DLV"},
    {65535u, "Reserved"},
};

const char *ad_qtype_name_known(uint32_t qtype)
{
    size_t i;

    if (qtype < DT_QTYPE_DIRECT)
        return dt_qtype_names[qtype];
    for (i = 0; i < AD_ARRAY_LEN(dt_qtype_high); i++) {
        if (dt_qtype_high[i].code == qtype)
            return dt_qtype_high[i].name;
    }
    return NULL;
}

const char *ad_qtype_name(uint32_t qtype, char *buf, size_t cap)
{
    static const char prefix[] = "TYPE";
    const char *known = ad_qtype_name_known(qtype);
    size_t pos = 0;

    if (known != NULL)
        return known;
    if (buf == NULL || cap == 0)
        return "";
    while (prefix[pos] != '\0' && pos + 1 < cap) {
        buf[pos] = prefix[pos];
        pos++;
    }
    if (pos == sizeof(prefix) - 1)
        pos = dt_put_u32(buf, cap, pos, qtype);
    buf[pos] = '\0';
    return buf;
}

bool ad_qtype_from_name(const char *text, size_t len, uint32_t *qtype)
{
    size_t i;

    if (text == NULL || len == 0)
        return false;
    /* RFC 3597 generic form, the §8 fallback spelling. */
    if (len > 4 && dt_equal_ci(text, 4, "TYPE") && text[4] >= '0' && text[4] <= '9') {
        uint32_t value = 0;
        for (i = 4; i < len; i++) {
            if (text[i] < '0' || text[i] > '9')
                break;
            value = value * 10u + (uint32_t)(text[i] - '0');
            if (value > 65535u)
                return false;
        }
        if (i == len) {
            *qtype = value;
            return true;
        }
        /* Not all digits: may still be a mnemonic; none starts with TYPE, so fall through. */
    }
    /* 255 aliases: IANA's "*" and S13's "All" (asim §4.3). */
    if (dt_equal_ci(text, len, "*") || dt_equal_ci(text, len, "ALL")) {
        *qtype = 255u;
        return true;
    }
    for (i = 0; i < DT_QTYPE_DIRECT; i++) {
        const char *name = dt_qtype_names[i];
        if (name != NULL && i != 0 && dt_equal_ci(text, len, name)) {
            *qtype = (uint32_t)i;
            return true;
        }
    }
    for (i = 0; i < AD_ARRAY_LEN(dt_qtype_high); i++) {
        if (dt_qtype_high[i].code != 65535u && dt_equal_ci(text, len, dt_qtype_high[i].name)) {
            *qtype = dt_qtype_high[i].code;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* RCODE (asim §4.1)                                                                          */
/* ---------------------------------------------------------------------------------------- */

/*
 * S14 _ASIM_LookupDnsResponseCode, 0-23. 12-15 are unassigned. 16 is BADVERS only: S14
 * comments out BADSIG and asim §4.1 says "Emit BADVERS for 16".
 */
#define DT_RCODE_DIRECT 24u

static const char *const dt_rcode_names[DT_RCODE_DIRECT] = {
    [0] = "NOERROR",  [1] = "FORMERR",    [2] = "SERVFAIL", [3] = "NXDOMAIN",  [4] = "NOTIMP",
    [5] = "REFUSED",  [6] = "YXDOMAIN",   [7] = "YXRRSET",  [8] = "NXRRSET",   [9] = "NOTAUTH",
    [10] = "NOTZONE", [11] = "DSOTYPENI", [16] = "BADVERS", [17] = "BADKEY",   [18] = "BADTIME",
    [19] = "BADMODE", [20] = "BADNAME",   [21] = "BADALG",  [22] = "BADTRUNC", [23] = "BADCOOKIE",
};

/* asim §4.1 fallback: case(lookup, RCODE between (3841 .. 4095), ..., 'Unassigned') */
#define DT_RCODE_PRIVATE_FIRST 3841u
#define DT_RCODE_PRIVATE_LAST 4095u

const char *ad_rcode_name(uint32_t rcode)
{
    if (rcode < DT_RCODE_DIRECT && dt_rcode_names[rcode] != NULL)
        return dt_rcode_names[rcode];
    if (rcode >= DT_RCODE_PRIVATE_FIRST && rcode <= DT_RCODE_PRIVATE_LAST)
        return "Reserved for Private Use";
    return "Unassigned";
}

bool ad_rcode_from_name(const char *text, size_t len, uint32_t *rcode)
{
    size_t i;

    if (text == NULL || len == 0)
        return false;
    for (i = 0; i < DT_RCODE_DIRECT; i++) {
        if (dt_rcode_names[i] != NULL && dt_equal_ci(text, len, dt_rcode_names[i])) {
            *rcode = (uint32_t)i;
            return true;
        }
    }
    /* IANA's second name for 16, listed by S9, S10, S14b and the AMA filter (asim §4.1). */
    if (dt_equal_ci(text, len, "BADSIG")) {
        *rcode = 16u;
        return true;
    }
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Windows DNS-Client status (asim §4.2)                                                      */
/* ---------------------------------------------------------------------------------------- */

/* DNS_ERROR_RCODE_* = 9000 + RCODE; the Sysmon table maps 9001-9011 and 9016-9023. */
#define DT_WIN_STATUS_RCODE_BASE 9000u

const char *ad_win_status_name(uint32_t status)
{
    if (status == 0)
        return "NOERROR";
    if (status == AD_WIN_STATUS_TIMEOUT)
        return "TIMEOUT"; /* not an IANA name; asim §4.2 */
    if (status > DT_WIN_STATUS_RCODE_BASE && status < DT_WIN_STATUS_RCODE_BASE + DT_RCODE_DIRECT) {
        const char *name = dt_rcode_names[status - DT_WIN_STATUS_RCODE_BASE];
        if (name != NULL)
            return name;
    }
    return "NA"; /* asim §4.2: iff(DnsResponseCodeName == "", "NA", ...) */
}

uint32_t ad_win_status_response_code(uint32_t status)
{
    /* asim §4.2: iff(code > 9000 and code < 9100, code - 9000, code) */
    if (status > 9000u && status < 9100u)
        return status - 9000u;
    return status;
}

/* ---------------------------------------------------------------------------------------- */
/* ASIM enumerations                                                                          */
/* ---------------------------------------------------------------------------------------- */

static const char *const dt_type_names[AD_ASIM_TYPE__COUNT] = {
    [AD_ASIM_TYPE_QUERY] = "Query",
    [AD_ASIM_TYPE_STATUS] = "Status",
    [AD_ASIM_TYPE_NOTIFY] = "Notify",
    [AD_ASIM_TYPE_UPDATE] = "Update",
    [AD_ASIM_TYPE_DSO] = "DNS Stateful Operations",
};

static const char *const dt_subtype_names[AD_ASIM_SUBTYPE__COUNT] = {
    [AD_ASIM_SUBTYPE_NONE] = "",
    [AD_ASIM_SUBTYPE_REQUEST] = "request",
    [AD_ASIM_SUBTYPE_RESPONSE] = "response",
};

static const char *const dt_result_names[AD_ASIM_RESULT__COUNT] = {
    [AD_ASIM_RESULT_NA] = "NA",
    [AD_ASIM_RESULT_SUCCESS] = "Success",
    [AD_ASIM_RESULT_PARTIAL] = "Partial",
    [AD_ASIM_RESULT_FAILURE] = "Failure",
};

static const char *const dt_severity_names[AD_ASIM_SEVERITY__COUNT] = {
    [AD_ASIM_SEVERITY_INFORMATIONAL] = "Informational",
    [AD_ASIM_SEVERITY_LOW] = "Low",
    [AD_ASIM_SEVERITY_MEDIUM] = "Medium",
    [AD_ASIM_SEVERITY_HIGH] = "High",
};

const char *ad_asim_type_name(ad_asim_type type)
{
    if ((unsigned)type >= AD_ASIM_TYPE__COUNT)
        return "";
    return dt_type_names[type];
}

const char *ad_asim_subtype_name(ad_asim_subtype subtype)
{
    if ((unsigned)subtype >= AD_ASIM_SUBTYPE__COUNT)
        return "";
    return dt_subtype_names[subtype];
}

const char *ad_asim_result_name(ad_asim_result result)
{
    if ((unsigned)result >= AD_ASIM_RESULT__COUNT)
        return "";
    return dt_result_names[result];
}

const char *ad_asim_severity_name(ad_asim_severity severity)
{
    if ((unsigned)severity >= AD_ASIM_SEVERITY__COUNT)
        return "";
    return dt_severity_names[severity];
}

ad_asim_severity ad_asim_severity_from_result(ad_asim_result result)
{
    /* asim §8: Informational for Success/NA, Low for Failure (S12). Partial: Low, see .h. */
    switch (result) {
    case AD_ASIM_RESULT_SUCCESS:
    case AD_ASIM_RESULT_NA:
        return AD_ASIM_SEVERITY_INFORMATIONAL;
    default:
        return AD_ASIM_SEVERITY_LOW;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Opcode (asim §4.5)                                                                         */
/* ---------------------------------------------------------------------------------------- */

#define DT_OPCODE_NONE 0xFFu

/* The 4-bit header opcode; DT_OPCODE_NONE where ASIM has no EventType. */
static const uint8_t dt_opcode_types[16] = {
    [0] = AD_ASIM_TYPE_QUERY, [1] = DT_OPCODE_NONE,      [2] = AD_ASIM_TYPE_STATUS,
    [3] = DT_OPCODE_NONE,     [4] = AD_ASIM_TYPE_NOTIFY, [5] = AD_ASIM_TYPE_UPDATE,
    [6] = AD_ASIM_TYPE_DSO,   [7] = DT_OPCODE_NONE,      [8] = DT_OPCODE_NONE,
    [9] = DT_OPCODE_NONE,     [10] = DT_OPCODE_NONE,     [11] = DT_OPCODE_NONE,
    [12] = DT_OPCODE_NONE,    [13] = DT_OPCODE_NONE,     [14] = DT_OPCODE_NONE,
    [15] = DT_OPCODE_NONE,
};

bool ad_opcode_asim_type(uint32_t opcode, ad_asim_type *type)
{
    if (opcode >= AD_ARRAY_LEN(dt_opcode_types) || dt_opcode_types[opcode] == DT_OPCODE_NONE)
        return false;
    *type = (ad_asim_type)dt_opcode_types[opcode];
    return true;
}

const char *ad_opcode_event_type(uint32_t opcode)
{
    ad_asim_type type;
    if (!ad_opcode_asim_type(opcode, &type))
        return NULL;
    return dt_type_names[type];
}

/* ---------------------------------------------------------------------------------------- */
/* Microsoft-Windows-DNSServer events 256-291 (etw §2.3 names; asim §5.2, §8 mapping)          */
/* ---------------------------------------------------------------------------------------- */

#define DT_Q AD_ASIM_TYPE_QUERY
#define DT_U AD_ASIM_TYPE_UPDATE
#define DT_N AD_ASIM_TYPE_NOTIFY
#define DT_REQ AD_ASIM_SUBTYPE_REQUEST
#define DT_RSP AD_ASIM_SUBTYPE_RESPONSE

#define DT_SERVER(id_, name_, type_, sub_, rule_, details_, flags_)                                \
    [(id_)-DT_SERVER_FIRST] = {                                                                    \
        AD_PROVIDER_DNS_SERVER, (id_), (flags_), (name_), (type_), (sub_), (rule_), (details_)}

#define DT_SERVER_FIRST 256u
#define DT_SERVER_LAST 291u

/*
 * Choices made where the facts leave one (each also in the row's comment):
 *   - EventType is the opcode name (asim §8): Update for 263/264/277/278, Notify for 273-276,
 *     Query for the rest, never the Microsoft "Dynamic update"/"Zone XFR"/"XFR" (Q5).
 *   - 259 and 262 (and 291): EventResultDetails is fixed to "Unassigned", what the Microsoft
 *     parsers produce (asim §8 "pick one and document it").
 *   - 279/280: "response" (NXlog; OMS's "NA" is outside the enum), result NA (asim §8).
 *   - 281-291 are not covered by any Microsoft parser (Q9). asim §8 says to map 284/285/
 *     286/289/290/291 like 257/258/256/260/261/262, but the 2025 manifest (etw §2.3) shows
 *     the QUERY_RECEIVED variant is 287 and 286 is RECURSE_ALIAS_FAILURE; we follow the
 *     manifest: 284 like 257, 285 like 258, 287 like 256, 289/290/291 like 260/261/262.
 *   - 281 RRL_TO_BE_DROPPED_RESPONSE: the response is never sent -> response, Failure.
 *     282/283 (truncated / leaked): the response goes out -> result from its RCODE.
 *   - 286 RECURSE_ALIAS_FAILURE and 288 DNSSEC_VALIDATION_FAILURE: response, Failure.
 */
static const ad_event_info dt_server_events[DT_SERVER_LAST - DT_SERVER_FIRST + 1] = {
    DT_SERVER(256, "QUERY_RECEIVED", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    /* asim §8: "For 257, Success regardless" (of the RCODE) */
    DT_SERVER(257, "RESPONSE_SUCCESS", DT_Q, DT_RSP, AD_RULE_SUCCESS, NULL, 0),
    /* asim §8 follows OMS "Based on RCODE", not NXlog's fixed Failure */
    DT_SERVER(258, "RESPONSE_FAILURE", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    /* no RCODE in the event: Failure (asim §8), details picked: "Unassigned" */
    DT_SERVER(259, "IGNORED_QUERY", DT_Q, DT_RSP, AD_RULE_FAILURE, "Unassigned", 0),
    DT_SERVER(260, "RECURSE_QUERY_OUT", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    /* no RCODE field; NA in both MS tables; details from Flags & 0xF if the decoder has it */
    DT_SERVER(261, "RECURSE_RESPONSE_IN", DT_Q, DT_RSP, AD_RULE_NA, NULL, 0),
    DT_SERVER(262, "RECURSE_QUERY_TIMEOUT", DT_Q, DT_RSP, AD_RULE_FAILURE, "Unassigned", 0),
    DT_SERVER(263, "DYN_UPDATE_RECV", DT_U, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(264, "DYN_UPDATE_RESPONSE", DT_U, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    /* zone transfers are opcode QUERY with QTYPE IXFR/AXFR (asim §8) */
    DT_SERVER(265, "IXFR_REQ_OUT", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(266, "IXFR_REQ_RECV", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(267, "IXFR_RESP_OUT", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(268, "IXFR_RESP_RECV", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(269, "AXFR_REQ_OUT", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(270, "AXFR_REQ_RECV", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(271, "AXFR_RESP_OUT", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(272, "AXFR_RESP_RECV", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(273, "XFR_NOTIFY_RECV", DT_N, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(274, "XFR_NOTIFY_OUT", DT_N, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(275, "XFR_NOTIFY_ACK_IN", DT_N, DT_RSP, AD_RULE_SUCCESS, NULL, 0),
    DT_SERVER(276, "XFR_NOTIFY_ACK_OUT", DT_N, DT_RSP, AD_RULE_SUCCESS, NULL, 0),
    /* carries an RCODE field but is a request (asim §8 request list, §5.2) */
    DT_SERVER(277, "DYN_UPDATE_FORWARD", DT_U, DT_REQ, AD_RULE_REQUEST, NULL, 0),
    DT_SERVER(278, "DYN_UPDATE_RESPONSE_IN", DT_U, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(279, "INTERNAL_LOOKUP_CNAME", DT_Q, DT_RSP, AD_RULE_NA, NULL, 0),
    DT_SERVER(280, "INTERNAL_LOOKUP_ADDITIONAL", DT_Q, DT_RSP, AD_RULE_NA, NULL, 0),
    DT_SERVER(281, "RRL_TO_BE_DROPPED_RESPONSE", DT_Q, DT_RSP, AD_RULE_FAILURE, NULL, 0),
    DT_SERVER(282, "RRL_TO_BE_TRUNCATED_RESPONSE", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(283, "RRL_TO_BE_LEAKED_RESPONSE", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, 0),
    DT_SERVER(284, "RESPONSE_SUCCESS", DT_Q, DT_RSP, AD_RULE_SUCCESS, NULL, AD_EVF_EDNS),
    DT_SERVER(285, "RESPONSE_FAILURE", DT_Q, DT_RSP, AD_RULE_FROM_RCODE, NULL, AD_EVF_EDNS),
    DT_SERVER(286, "RECURSE_ALIAS_FAILURE", DT_Q, DT_RSP, AD_RULE_FAILURE, NULL, 0),
    DT_SERVER(287, "QUERY_RECEIVED", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, AD_EVF_EDNS),
    DT_SERVER(288, "DNSSEC_VALIDATION_FAILURE", DT_Q, DT_RSP, AD_RULE_FAILURE, NULL, 0),
    DT_SERVER(289, "RECURSE_QUERY_OUT", DT_Q, DT_REQ, AD_RULE_REQUEST, NULL, AD_EVF_EDNS),
    DT_SERVER(290, "RECURSE_RESPONSE_IN", DT_Q, DT_RSP, AD_RULE_NA, NULL, AD_EVF_EDNS),
    DT_SERVER(291, "RECURSE_QUERY_TIMEOUT", DT_Q, DT_RSP, AD_RULE_FAILURE, "Unassigned",
              AD_EVF_EDNS),
};

/*
 * Audit channel events (etw §2.7: 512-596 today). They record administrative changes
 * (zones, records, settings, policies), not DNS messages, so no ASIM DNS field fits well.
 * Chosen: EventType "Update" (the opcode that changes zone content), no EventSubType,
 * EventResult Success (the change was made). The range runs to 999 to cover ids newer
 * servers may add after 596; the exporter can drop entries flagged AD_EVF_AUDIT.
 */
static const ad_event_info dt_server_audit = {
    AD_PROVIDER_DNS_SERVER, AD_DNS_SERVER_AUDIT_FIRST, AD_EVF_AUDIT,    "AUDIT",
    AD_ASIM_TYPE_UPDATE,    AD_ASIM_SUBTYPE_NONE,      AD_RULE_SUCCESS, "NA",
};

/* ---------------------------------------------------------------------------------------- */
/* Microsoft-Windows-DNS-Client events (etw §3.3, §3.4; mapped like Sysmon 22, asim §6, §8)    */
/* ---------------------------------------------------------------------------------------- */

#define DT_CLIENT(id_, first_, name_, sub_, rule_, details_)                                       \
    [(id_) -                                                                                       \
        (first_)] = {AD_PROVIDER_DNS_CLIENT, (id_), 0, (name_), DT_Q, (sub_), (rule_), (details_)}

/*
 * 3006-3020 have no manifest name (symbol "task_03006", task 0), so the names are ours,
 * from each event's manifest message (etw §3.3). All are EventType Query: the client only
 * sends standard queries. Events that report a status (3008 QueryStatus, 3011
 * ResponseStatus, 3018/3020 Status) take their result from it as Sysmon 22 does (asim §6):
 * Success iff 0, details from asim §4.2. The others announce a query: request, NA.
 */
#define DT_CLIENT_MON_FIRST 3006u
#define DT_CLIENT_MON_LAST 3020u

static const ad_event_info dt_client_mon_events[DT_CLIENT_MON_LAST - DT_CLIENT_MON_FIRST + 1] = {
    /* "DNS query is called for the name %1, type %2, ..." */
    DT_CLIENT(3006, DT_CLIENT_MON_FIRST, "DnsQueryCalled", DT_REQ, AD_RULE_REQUEST, NULL),
    /* "DNS query is completed for the name %1, type %2, ... with status %4 Results %5" */
    DT_CLIENT(3008, DT_CLIENT_MON_FIRST, "DnsQueryCompleted", DT_RSP, AD_RULE_FROM_STATUS, NULL),
    /* "Network query initiated for the name %1 ..." */
    DT_CLIENT(3009, DT_CLIENT_MON_FIRST, "DnsNetworkQueryInitiated", DT_REQ, AD_RULE_REQUEST, NULL),
    /* "DNS Query sent to DNS Server %3 for name %1 and type %2" */
    DT_CLIENT(3010, DT_CLIENT_MON_FIRST, "DnsQuerySent", DT_REQ, AD_RULE_REQUEST, NULL),
    /* "Received response from DNS Server %3 ... with response status %4" */
    DT_CLIENT(3011, DT_CLIENT_MON_FIRST, "DnsResponseReceived", DT_RSP, AD_RULE_FROM_STATUS, NULL),
    /* "Cache lookup called for name %1, type %2, options %3 and interface index %4" */
    DT_CLIENT(3016, DT_CLIENT_MON_FIRST, "DnsCacheLookupCalled", DT_REQ, AD_RULE_REQUEST, NULL),
    /* "Cache lookup for name %1, type %2 and option %3 returned %4 with results %5" */
    DT_CLIENT(3018, DT_CLIENT_MON_FIRST, "DnsCacheLookupCompleted", DT_RSP, AD_RULE_FROM_STATUS,
              NULL),
    /* "Query wire called for name %1, type %2, interface index %3 and network index %4" */
    DT_CLIENT(3019, DT_CLIENT_MON_FIRST, "DnsQueryWireCalled", DT_REQ, AD_RULE_REQUEST, NULL),
    /* "Query response for name %1, type %2, ... returned %5 with results %6" */
    DT_CLIENT(3020, DT_CLIENT_MON_FIRST, "DnsQueryWireCompleted", DT_RSP, AD_RULE_FROM_STATUS,
              NULL),
};

/*
 * 1013-1018: names are the manifest task names (etw §3.4 sources S8/S9). They carry no
 * status, so result and details are fixed to what the equivalent client status gives under
 * asim §4.2 (statuses from etw §3.5):
 *   1013/1014/1015 name resolution timed out          ~ 1460 -> Failure, "TIMEOUT"
 *   1016 "A name not found error was returned"        ~ 9003 -> Failure, "NXDOMAIN"
 *   1017 "no records of the type queried"             ~ 9501 -> Failure, "NA" (a non-zero
 *        status without a §4.2 name; Sysmon would say the same for 3008 with 9501)
 *   1018 "The response ... was a Link Local IP address" (an answer) -> Success, "NOERROR"
 */
#define DT_CLIENT_ERR_FIRST 1013u
#define DT_CLIENT_ERR_LAST 1018u

static const ad_event_info dt_client_err_events[DT_CLIENT_ERR_LAST - DT_CLIENT_ERR_FIRST + 1] = {
    DT_CLIENT(1013, DT_CLIENT_ERR_FIRST, "DnsAllServersTimeout", DT_RSP, AD_RULE_FAILURE,
              "TIMEOUT"),
    DT_CLIENT(1014, DT_CLIENT_ERR_FIRST, "DnsAllServersTimeoutSystem", DT_RSP, AD_RULE_FAILURE,
              "TIMEOUT"),
    DT_CLIENT(1015, DT_CLIENT_ERR_FIRST, "DnsServerTimeout", DT_RSP, AD_RULE_FAILURE, "TIMEOUT"),
    DT_CLIENT(1016, DT_CLIENT_ERR_FIRST, "DnsNameError", DT_RSP, AD_RULE_FAILURE, "NXDOMAIN"),
    DT_CLIENT(1017, DT_CLIENT_ERR_FIRST, "DnsAuthoritativeResponse", DT_RSP, AD_RULE_FAILURE, "NA"),
    DT_CLIENT(1018, DT_CLIENT_ERR_FIRST, "DnsLinkLocal", DT_RSP, AD_RULE_SUCCESS, "NOERROR"),
};

const ad_event_info *ad_event_info_lookup(ad_provider provider, uint32_t event_id)
{
    const ad_event_info *info = NULL;

    switch (provider) {
    case AD_PROVIDER_DNS_SERVER:
        if (event_id >= DT_SERVER_FIRST && event_id <= DT_SERVER_LAST)
            info = &dt_server_events[event_id - DT_SERVER_FIRST];
        else if (event_id >= AD_DNS_SERVER_AUDIT_FIRST && event_id <= AD_DNS_SERVER_AUDIT_LAST)
            info = &dt_server_audit;
        break;
    case AD_PROVIDER_DNS_CLIENT:
        if (event_id >= DT_CLIENT_MON_FIRST && event_id <= DT_CLIENT_MON_LAST)
            info = &dt_client_mon_events[event_id - DT_CLIENT_MON_FIRST];
        else if (event_id >= DT_CLIENT_ERR_FIRST && event_id <= DT_CLIENT_ERR_LAST)
            info = &dt_client_err_events[event_id - DT_CLIENT_ERR_FIRST];
        break;
    default:
        break;
    }
    /* Holes in the direct tables (3007, 3012-3015, 3017) are zero entries without a name. */
    if (info != NULL && info->name == NULL)
        return NULL;
    return info;
}

ad_asim_result ad_event_result_eval(const ad_event_info *info, bool has_rcode, uint32_t rcode,
                                    bool has_status, uint32_t status, const char **details)
{
    ad_result_rule rule = info != NULL ? info->rule : AD_RULE_NA;
    ad_asim_result result;
    const char *text;

    switch (rule) {
    case AD_RULE_REQUEST:
        result = AD_ASIM_RESULT_NA;
        text = "NA"; /* asim §3: "If this record represents a request ... set to NA" */
        break;
    case AD_RULE_FROM_RCODE:
        /* asim §5.2: iff(DnsResponseCode == 0, "Success", "Failure"); null -> Failure */
        result = (has_rcode && rcode == 0) ? AD_ASIM_RESULT_SUCCESS : AD_ASIM_RESULT_FAILURE;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    case AD_RULE_SUCCESS:
        result = AD_ASIM_RESULT_SUCCESS;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    case AD_RULE_FAILURE:
        result = AD_ASIM_RESULT_FAILURE;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    case AD_RULE_FROM_STATUS:
        /* asim §6 (Sysmon 22): iff(QueryStatus == 0, 'Success', 'Failure') */
        result = (has_status && status == 0) ? AD_ASIM_RESULT_SUCCESS : AD_ASIM_RESULT_FAILURE;
        text = has_status ? ad_win_status_name(status) : "NA";
        break;
    case AD_RULE_NA:
    default:
        result = AD_ASIM_RESULT_NA;
        text = has_rcode ? ad_rcode_name(rcode) : "Unassigned";
        break;
    }
    if (info != NULL && info->details != NULL)
        text = info->details;
    if (details != NULL)
        *details = text;
    return result;
}

/* ---------------------------------------------------------------------------------------- */
/* Providers (etw §2, §3; DESIGN.md §6)                                                       */
/* ---------------------------------------------------------------------------------------- */

static const ad_provider_info dt_providers[AD_PROVIDER__COUNT] = {
    [AD_PROVIDER_DNS_SERVER] =
        {
            AD_PROVIDER_DNS_SERVER,
            AD_DNS_SERVER_PROVIDER_NAME,
            AD_DNS_SERVER_PROVIDER_GUID,
            {0xEB79061Au, 0xA566u, 0x4698u, {0x91, 0x19, 0x3E, 0xD2, 0x80, 0x70, 0x60, 0xE7}},
            "dns_server",
            AD_DNS_SERVER_DEFAULT_LEVEL,
            AD_DNS_SERVER_DEFAULT_KEYWORDS,
        },
    [AD_PROVIDER_DNS_CLIENT] =
        {
            AD_PROVIDER_DNS_CLIENT,
            AD_DNS_CLIENT_PROVIDER_NAME,
            AD_DNS_CLIENT_PROVIDER_GUID,
            {0x1C95126Eu, 0x7EEAu, 0x49A9u, {0xA3, 0xFE, 0xA3, 0x78, 0xB0, 0x3D, 0xDB, 0x4D}},
            "dns_client",
            AD_DNS_CLIENT_DEFAULT_LEVEL,
            AD_DNS_CLIENT_DEFAULT_KEYWORDS,
        },
};

const ad_provider_info *ad_provider_info_get(ad_provider provider)
{
    if ((unsigned)provider == AD_PROVIDER_UNKNOWN || (unsigned)provider >= AD_PROVIDER__COUNT)
        return NULL;
    return &dt_providers[provider];
}

static int dt_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads 2*nbytes hex digits at text into out (big-endian digit order). */
static bool dt_hex_bytes(const char *text, size_t nbytes, uint8_t *out)
{
    size_t i;
    for (i = 0; i < nbytes; i++) {
        int hi = dt_hex_value(text[2 * i]);
        int lo = dt_hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool ad_guid_parse(const char *text, size_t len, ad_guid *guid)
{
    /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: 36 characters, dashes at 8, 13, 18, 23. */
    uint8_t b[16];

    if (text == NULL)
        return false;
    if (len == 38) {
        if (text[0] != '{' || text[37] != '}')
            return false;
        text++;
        len = 36;
    }
    if (len != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        return false;
    if (!dt_hex_bytes(text, 4, b) || !dt_hex_bytes(text + 9, 2, b + 4) ||
        !dt_hex_bytes(text + 14, 2, b + 6) || !dt_hex_bytes(text + 19, 2, b + 8) ||
        !dt_hex_bytes(text + 24, 6, b + 10))
        return false;
    guid->data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    guid->data2 = (uint16_t)(b[4] << 8 | b[5]);
    guid->data3 = (uint16_t)(b[6] << 8 | b[7]);
    memcpy(guid->data4, b + 8, 8);
    return true;
}

bool ad_guid_equal(const ad_guid *a, const ad_guid *b)
{
    return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
           memcmp(a->data4, b->data4, sizeof(a->data4)) == 0;
}

ad_provider ad_provider_from_guid(const ad_guid *guid)
{
    if (guid == NULL)
        return AD_PROVIDER_UNKNOWN;
    if (ad_guid_equal(guid, &dt_providers[AD_PROVIDER_DNS_SERVER].guid))
        return AD_PROVIDER_DNS_SERVER;
    if (ad_guid_equal(guid, &dt_providers[AD_PROVIDER_DNS_CLIENT].guid))
        return AD_PROVIDER_DNS_CLIENT;
    return AD_PROVIDER_UNKNOWN;
}

ad_provider ad_provider_lookup(const char *text, size_t len)
{
    ad_guid guid;
    int p;

    if (text == NULL || len == 0)
        return AD_PROVIDER_UNKNOWN;
    for (p = AD_PROVIDER_UNKNOWN + 1; p < AD_PROVIDER__COUNT; p++) {
        if (dt_equal_ci(text, len, dt_providers[p].name) ||
            dt_equal_ci(text, len, dt_providers[p].config_name))
            return (ad_provider)p;
    }
    if (ad_guid_parse(text, len, &guid))
        return ad_provider_from_guid(&guid);
    return AD_PROVIDER_UNKNOWN;
}

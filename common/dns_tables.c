/*
 * asimdns: DNS and ASIM code tables (see dns_tables.h; the providers are in providers.c).
 * The tables are plain const arrays indexed by the code, so every per-event lookup is a range
 * check and one load.
 *
 * Sources are cited as "asim §x" = facts/asim-dns.md, "etw §x" = facts/etw-dns-providers.md.
 */
#include "common/dns_tables.h"

#include "common/ascii.h"
#include "common/compiler.h"

/* ---------------------------------------------------------------------------------------- */
/* Text helpers                                                                               */
/* ---------------------------------------------------------------------------------------- */

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
    if (len > 4 && ad_ascii_equal_ci(text, 4, "TYPE") && text[4] >= '0' && text[4] <= '9') {
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
    if (ad_ascii_equal_ci(text, len, "*") || ad_ascii_equal_ci(text, len, "ALL")) {
        *qtype = 255u;
        return true;
    }
    for (i = 0; i < DT_QTYPE_DIRECT; i++) {
        const char *name = dt_qtype_names[i];
        if (name != NULL && i != 0 && ad_ascii_equal_ci(text, len, name)) {
            *qtype = (uint32_t)i;
            return true;
        }
    }
    for (i = 0; i < AD_ARRAY_LEN(dt_qtype_high); i++) {
        if (dt_qtype_high[i].code != 65535u &&
            ad_ascii_equal_ci(text, len, dt_qtype_high[i].name)) {
            *qtype = dt_qtype_high[i].code;
            return true;
        }
    }
    return false;
}

/* ---------------------------------------------------------------------------------------- */
/* CLASS (asim §4.4)                                                                          */
/* ---------------------------------------------------------------------------------------- */

const char *ad_qclass_name(uint32_t qclass, char *buf, size_t cap)
{
    switch (qclass) {
    case 0:
        return "Reserved";
    case 1:
        return "IN";
    case 2:
        return "Unassigned";
    case 3:
        return "CH";
    case 4:
        return "HS";
    case 254:
        return "NONE"; /* the tester enum's spelling (asim §2.5), IANA's mnemonic */
    case 255:
        return "ANY";
    default:
        break;
    }
    if (buf == NULL || cap == 0)
        return "";
    static const char prefix[] = "CLASS";
    size_t pos = 0;
    for (; prefix[pos] != '\0' && pos + 1 < cap; pos++)
        buf[pos] = prefix[pos];
    pos = dt_put_u32(buf, cap, pos, qclass);
    buf[pos] = '\0';
    return buf;
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
        if (dt_rcode_names[i] != NULL && ad_ascii_equal_ci(text, len, dt_rcode_names[i])) {
            *rcode = (uint32_t)i;
            return true;
        }
    }
    /* IANA's second name for 16, listed by S9, S10, S14b and the AMA filter (asim §4.1). */
    if (ad_ascii_equal_ci(text, len, "BADSIG")) {
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

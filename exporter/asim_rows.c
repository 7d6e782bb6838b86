/* asimdns-exporter: ASIM record -> ASimDnsActivityLogs row (asim_rows.h). */
#include "exporter/asim_rows.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"

/*
 * The columns of ASimDnsActivityLogs with their types, from Microsoft's table reference
 * (MicrosoftDocs/azure-reference-other azure-monitor-ref/tables/includes/
 * asimdnsactivitylogs-include.md, docs/SENTINEL.md §5), sorted in byte order for bsearch.
 * Left out: the system columns the service fills (_BilledSize, _IsBillable, _ResourceId,
 * _SubscriptionId, TenantId, Type, SourceSystem).
 */
static const ad_column columns[] = {
    {"AdditionalFields", AD_COL_DYNAMIC},
    {"DnsFlags", AD_COL_STRING},
    {"DnsFlagsAuthenticated", AD_COL_BOOL},
    {"DnsFlagsAuthoritative", AD_COL_BOOL},
    {"DnsFlagsCheckingDisabled", AD_COL_BOOL},
    {"DnsFlagsRecursionAvailable", AD_COL_BOOL},
    {"DnsFlagsRecursionDesired", AD_COL_BOOL},
    {"DnsFlagsTruncated", AD_COL_BOOL},
    {"DnsFlagsZ", AD_COL_BOOL},
    {"DnsNetworkDuration", AD_COL_INT},
    {"DnsQuery", AD_COL_STRING},
    {"DnsQueryClass", AD_COL_INT},
    {"DnsQueryClassName", AD_COL_STRING},
    {"DnsQueryType", AD_COL_INT},
    {"DnsQueryTypeName", AD_COL_STRING},
    {"DnsResponseCode", AD_COL_INT},
    {"DnsResponseIpCity", AD_COL_STRING},
    {"DnsResponseIpCountry", AD_COL_STRING},
    {"DnsResponseIpLatitude", AD_COL_REAL},
    {"DnsResponseIpLongitude", AD_COL_REAL},
    {"DnsResponseIpRegion", AD_COL_STRING},
    {"DnsResponseName", AD_COL_STRING},
    {"DnsSessionId", AD_COL_STRING},
    {"Dst", AD_COL_STRING},
    {"DstDescription", AD_COL_STRING},
    {"DstDeviceType", AD_COL_STRING},
    {"DstDomain", AD_COL_STRING},
    {"DstDomainType", AD_COL_STRING},
    {"DstDvcId", AD_COL_STRING},
    {"DstDvcIdType", AD_COL_STRING},
    {"DstDvcScope", AD_COL_STRING},
    {"DstDvcScopeId", AD_COL_STRING},
    {"DstFQDN", AD_COL_STRING},
    {"DstGeoCity", AD_COL_STRING},
    {"DstGeoCountry", AD_COL_STRING},
    {"DstGeoLatitude", AD_COL_REAL},
    {"DstGeoLongitude", AD_COL_REAL},
    {"DstGeoRegion", AD_COL_STRING},
    {"DstHostname", AD_COL_STRING},
    {"DstIpAddr", AD_COL_STRING},
    {"DstOriginalRiskLevel", AD_COL_STRING},
    {"DstPortNumber", AD_COL_INT},
    {"DstRiskLevel", AD_COL_INT},
    {"Dvc", AD_COL_STRING},
    {"DvcAction", AD_COL_STRING},
    {"DvcDescription", AD_COL_STRING},
    {"DvcDomain", AD_COL_STRING},
    {"DvcDomainType", AD_COL_STRING},
    {"DvcFQDN", AD_COL_STRING},
    {"DvcHostname", AD_COL_STRING},
    {"DvcId", AD_COL_STRING},
    {"DvcIdType", AD_COL_STRING},
    {"DvcInterface", AD_COL_STRING},
    {"DvcIpAddr", AD_COL_STRING},
    {"DvcMacAddr", AD_COL_STRING},
    {"DvcOriginalAction", AD_COL_STRING},
    {"DvcOs", AD_COL_STRING},
    {"DvcOsVersion", AD_COL_STRING},
    {"DvcScope", AD_COL_STRING},
    {"DvcScopeId", AD_COL_STRING},
    {"DvcZone", AD_COL_STRING},
    {"EventCount", AD_COL_INT},
    {"EventEndTime", AD_COL_DATETIME},
    {"EventMessage", AD_COL_STRING},
    {"EventOriginalSeverity", AD_COL_STRING},
    {"EventOriginalType", AD_COL_STRING},
    {"EventOriginalUid", AD_COL_STRING},
    {"EventOwner", AD_COL_STRING},
    {"EventProduct", AD_COL_STRING},
    {"EventProductVersion", AD_COL_STRING},
    {"EventReportUrl", AD_COL_STRING},
    {"EventResult", AD_COL_STRING},
    {"EventResultDetails", AD_COL_STRING},
    {"EventSchemaVersion", AD_COL_STRING},
    {"EventSeverity", AD_COL_STRING},
    {"EventStartTime", AD_COL_DATETIME},
    {"EventSubType", AD_COL_STRING},
    {"EventType", AD_COL_STRING},
    {"EventVendor", AD_COL_STRING},
    {"NetworkProtocol", AD_COL_STRING},
    {"NetworkProtocolVersion", AD_COL_STRING},
    {"RuleName", AD_COL_STRING},
    {"RuleNumber", AD_COL_INT},
    {"Src", AD_COL_STRING},
    {"SrcDescription", AD_COL_STRING},
    {"SrcDeviceType", AD_COL_STRING},
    {"SrcDomain", AD_COL_STRING},
    {"SrcDomainType", AD_COL_STRING},
    {"SrcDvcId", AD_COL_STRING},
    {"SrcDvcIdType", AD_COL_STRING},
    {"SrcDvcScope", AD_COL_STRING},
    {"SrcDvcScopeId", AD_COL_STRING},
    {"SrcFQDN", AD_COL_STRING},
    {"SrcGeoCity", AD_COL_STRING},
    {"SrcGeoCountry", AD_COL_STRING},
    {"SrcGeoLatitude", AD_COL_REAL},
    {"SrcGeoLongitude", AD_COL_REAL},
    {"SrcGeoRegion", AD_COL_STRING},
    {"SrcHostname", AD_COL_STRING},
    {"SrcIpAddr", AD_COL_STRING},
    {"SrcOriginalRiskLevel", AD_COL_STRING},
    {"SrcOriginalUserType", AD_COL_STRING},
    {"SrcPortNumber", AD_COL_INT},
    {"SrcProcessGuid", AD_COL_STRING},
    {"SrcProcessId", AD_COL_STRING},
    {"SrcProcessName", AD_COL_STRING},
    {"SrcRiskLevel", AD_COL_INT},
    {"SrcUserId", AD_COL_STRING},
    {"SrcUserIdType", AD_COL_STRING},
    {"SrcUserScope", AD_COL_STRING},
    {"SrcUserScopeId", AD_COL_STRING},
    {"SrcUserSessionId", AD_COL_STRING},
    {"SrcUserType", AD_COL_STRING},
    {"SrcUsername", AD_COL_STRING},
    {"SrcUsernameType", AD_COL_STRING},
    {"ThreatCategory", AD_COL_STRING},
    {"ThreatConfidence", AD_COL_INT},
    {"ThreatField", AD_COL_STRING},
    {"ThreatFirstReportedTime", AD_COL_STRING},
    {"ThreatFirstReportedTime_d", AD_COL_DATETIME},
    {"ThreatId", AD_COL_STRING},
    {"ThreatIpAddr", AD_COL_STRING},
    {"ThreatIsActive", AD_COL_BOOL},
    {"ThreatLastReportedTime", AD_COL_STRING},
    {"ThreatLastReportedTime_d", AD_COL_DATETIME},
    {"ThreatName", AD_COL_STRING},
    {"ThreatOriginalConfidence", AD_COL_STRING},
    {"ThreatOriginalRiskLevel", AD_COL_INT},
    {"ThreatOriginalRiskLevel_s", AD_COL_STRING},
    {"ThreatRiskLevel", AD_COL_INT},
    {"TimeGenerated", AD_COL_DATETIME},
    {"TransactionIdHex", AD_COL_STRING},
    {"UrlCategory", AD_COL_STRING},
};

#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Where the record id goes: "A unique ID of the original record". */
#define RECORD_ID_ATTR "asimdns.record_id"
#define RECORD_ID_COLUMN "EventOriginalUid"

static int column_cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const ad_column *)elem)->name);
}

const ad_column *ad_asim_row_column(const char *name)
{
    return bsearch(name, columns, NCOLUMNS, sizeof(columns[0]), column_cmp);
}

const ad_column *ad_asim_row_columns(size_t *count)
{
    *count = NCOLUMNS;
    return columns;
}

const char *ad_column_type_name(ad_column_type t)
{
    switch (t) {
    case AD_COL_STRING:
        return "string";
    case AD_COL_INT:
        return "int";
    case AD_COL_BOOL:
        return "boolean";
    case AD_COL_DATETIME:
        return "datetime";
    case AD_COL_REAL:
        return "real";
    case AD_COL_DYNAMIC:
        return "dynamic";
    }
    return "string";
}

/* The longest prefix of s[len] of at most max bytes that does not split a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    /* Step back over continuation bytes (10xxxxxx) to the start of the cut character. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

typedef struct row_state {
    ad_strbuf *sb;
    size_t field_max;
    bool first;
    const char *cut[AD_ASIM_MAX_ATTRS]; /* names of the cut columns */
    unsigned ncut;
} row_state;

/* name is a column name from the table (plain ASCII letters, digits, '_'): no escaping. */
static void put_key(row_state *st, const char *name)
{
    ad_strbuf_append(st->sb, st->first ? "\"" : ",\"", st->first ? 1 : 2);
    st->first = false;
    ad_strbuf_puts(st->sb, name);
    ad_strbuf_append(st->sb, "\":", 2);
}

/*
 * The column for an attribute key. Keys are the mapping's string literals, the same pointers
 * record after record, so a small per-thread cache keyed by the pointer saves the bsearch;
 * a hit is confirmed by one comparison with the key text it was made for, so a key at a
 * reused address is looked up again, never mistaken.
 */
#define KEY_CACHE 128
#define KEY_TEXT 48
static _Thread_local struct {
    const char *key;
    const ad_column *col;
    char text[KEY_TEXT];
} key_cache[KEY_CACHE];

static const ad_column *column_for(const char *key)
{
    size_t h = ((uintptr_t)key >> 3) % KEY_CACHE;
    if (key_cache[h].key == key && strcmp(key_cache[h].text, key) == 0)
        return key_cache[h].col;
    const char *name = strcmp(key, RECORD_ID_ATTR) == 0 ? RECORD_ID_COLUMN : key;
    const ad_column *col = ad_asim_row_column(name);
    if (col != NULL && strcmp(col->name, "TimeGenerated") == 0)
        col = NULL; /* written from the event time, never from an attribute */
    if (strlen(key) < KEY_TEXT) {
        key_cache[h].key = key;
        key_cache[h].col = col;
        memcpy(key_cache[h].text, key, strlen(key) + 1);
    }
    return col;
}

static void put_str(row_state *st, const char *name, const char *s, size_t len)
{
    size_t n = utf8_cut(s, len, st->field_max);
    if (n < len && st->ncut < AD_ASIM_MAX_ATTRS)
        st->cut[st->ncut++] = name;
    ad_strbuf_json_string(st->sb, s, n);
}

/* Writes attribute a's value in the JSON type of column type t. False when it cannot be. */
static bool put_value(row_state *st, const ad_attr *a, ad_column_type t)
{
    ad_strbuf *sb = st->sb;
    switch (t) {
    case AD_COL_INT:
        if (a->kind == AD_ATTR_INT || a->kind == AD_ATTR_BOOL) {
            ad_strbuf_i64(sb, a->num);
            return true;
        }
        return false; /* checked before the key is written */
    case AD_COL_BOOL:
        if (a->kind != AD_ATTR_BOOL)
            return false;
        ad_strbuf_puts(sb, a->num ? "true" : "false");
        return true;
    case AD_COL_STRING:
    case AD_COL_DATETIME:
        if (a->kind == AD_ATTR_STR) {
            put_str(st, a->key, a->str, a->len);
        } else if (a->kind == AD_ATTR_INT) {
            ad_strbuf_putc(sb, '"');
            ad_strbuf_i64(sb, a->num);
            ad_strbuf_putc(sb, '"');
        } else {
            ad_strbuf_puts(sb, a->num ? "\"true\"" : "\"false\"");
        }
        return true;
    case AD_COL_REAL:
        if (a->kind != AD_ATTR_INT)
            return false;
        ad_strbuf_i64(sb, a->num);
        return true;
    case AD_COL_DYNAMIC:
        return false;
    }
    return false;
}

/* Whether attribute a can be written as column type t (so the key is written only then). */
static bool fits(const ad_attr *a, ad_column_type t)
{
    switch (t) {
    case AD_COL_INT:
        return a->kind != AD_ATTR_STR;
    case AD_COL_BOOL:
        return a->kind == AD_ATTR_BOOL;
    case AD_COL_STRING:
    case AD_COL_DATETIME:
        return true;
    case AD_COL_REAL:
        return a->kind == AD_ATTR_INT;
    case AD_COL_DYNAMIC:
        return false;
    }
    return false;
}

/* A typed value inside AdditionalFields (any JSON type is fine in a dynamic column). */
static void put_extra_value(row_state *st, const ad_attr *a)
{
    switch (a->kind) {
    case AD_ATTR_STR:
        put_str(st, a->key, a->str, a->len);
        break;
    case AD_ATTR_INT:
        ad_strbuf_i64(st->sb, a->num);
        break;
    case AD_ATTR_BOOL:
        ad_strbuf_puts(st->sb, a->num ? "true" : "false");
        break;
    }
}

unsigned ad_asim_row_write(const ad_asim *a, size_t field_max, ad_strbuf *sb)
{
    row_state st = {
        .sb = sb, .field_max = field_max ? field_max : AD_ASIM_ROW_FIELD_MAX, .first = true};
    bool extra[AD_ASIM_MAX_ATTRS] = {false};
    unsigned nextra = 0;

    ad_strbuf_putc(sb, '{');
    char ts[AD_RFC3339_MAX];
    size_t ts_len = ad_time_format_rfc3339(a->time_ns, ts, sizeof(ts));
    put_key(&st, "TimeGenerated");
    ad_strbuf_json_string(sb, ts, ts_len);

    for (unsigned i = 0; i < a->nattrs && i < AD_ASIM_MAX_ATTRS; i++) {
        const ad_attr *at = &a->attrs[i];
        const ad_column *col = column_for(at->key);
        if (col == NULL || !fits(at, col->type)) {
            extra[i] = true;
            nextra++;
            continue;
        }
        put_key(&st, col->name);
        (void)put_value(&st, at, col->type);
    }
    if (nextra > 0 || st.ncut > 0) {
        put_key(&st, "AdditionalFields");
        ad_strbuf_putc(sb, '{');
        bool first = true;
        for (unsigned i = 0; i < a->nattrs && i < AD_ASIM_MAX_ATTRS; i++) {
            if (!extra[i])
                continue;
            if (!first)
                ad_strbuf_putc(sb, ',');
            first = false;
            ad_strbuf_json_string(sb, a->attrs[i].key, strlen(a->attrs[i].key));
            ad_strbuf_putc(sb, ':');
            put_extra_value(&st, &a->attrs[i]);
        }
        if (st.ncut > 0) {
            if (!first)
                ad_strbuf_putc(sb, ',');
            ad_strbuf_puts(sb, "\"asimdns_truncated\":[");
            for (unsigned i = 0; i < st.ncut; i++) {
                if (i > 0)
                    ad_strbuf_putc(sb, ',');
                ad_strbuf_json_string(sb, st.cut[i], strlen(st.cut[i]));
            }
            ad_strbuf_putc(sb, ']');
        }
        ad_strbuf_putc(sb, '}');
    }
    ad_strbuf_putc(sb, '}');
    return st.ncut;
}

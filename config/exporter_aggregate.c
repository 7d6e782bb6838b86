/*
 * asimdns config: the `aggregate` section of exporter.yaml (docs/CONFIG.md "aggregate"): the
 * window, the bound on open rows and the key, a list of ASIM attribute names checked against
 * the names the mapping writes.
 */
#include <stdio.h>
#include <string.h>

#include "config/cfg_load.h"
#include "config/cfg_tree.h"
#include "config/exporter_internal.h"

typedef ad_exporter_config E;

/* Written by exporter/asim.c (tests/exporter/test_aggregate.c checks the mapping writes each).
   Not here: EventCount, EventStartTime, EventEndTime (what aggregation sets) and the
   per-record ids and times (EventOriginalUid, TimeGenerated), which never repeat. */
const char *const ad_config_aggregate_attrs[] = {
    "DnsFlags",
    "DnsFlagsAuthenticated",
    "DnsFlagsAuthoritative",
    "DnsFlagsCheckingDisabled",
    "DnsFlagsRecursionAvailable",
    "DnsFlagsRecursionDesired",
    "DnsFlagsTruncated",
    "DnsFlagsZ",
    "DnsNetworkDuration",
    "DnsQuery",
    "DnsQueryClass",
    "DnsQueryClassName",
    "DnsQueryType",
    "DnsQueryTypeName",
    "DnsResponseCode",
    "DnsResponseCodeName",
    "DnsResponseName",
    "DnsSessionId",
    "Dst",
    "DstIpAddr",
    "DstPortNumber",
    "Dvc",
    "DvcDomain",
    "DvcDomainType",
    "DvcFQDN",
    "DvcHostname",
    "DvcIpAddr",
    "EventOriginalResultDetails",
    "EventOriginalType",
    "EventProduct",
    "EventProductVersion",
    "EventResult",
    "EventResultDetails",
    "EventSchemaVersion",
    "EventSeverity",
    "EventSubType",
    "EventType",
    "EventVendor",
    "NetworkProtocol",
    "NetworkProtocolVersion",
    "RuleName",
    "Src",
    "SrcIpAddr",
    "SrcPortNumber",
    "SrcProcessId",
    "SrcProcessName",
    "TransactionIdHex",
    NULL,
};

static bool check_attr(char *text, char *why, size_t whylen)
{
    for (const char *const *a = ad_config_aggregate_attrs; *a != NULL; a++) {
        if (strcmp(*a, text) == 0)
            return true;
    }
    snprintf(why, whylen,
             "is not an ASIM attribute the exporter writes and can group on (e.g. DnsQuery, "
             "SrcIpAddr, EventResultDetails; names are case-sensitive)");
    return false;
}

static const ad__cfg_list key_list = {
    .elem = AD__CFG_T_STR,
    .elem_size = AD_CONFIG_AGG_KEY_MAX,
    .capacity = AD_CONFIG_MAX_AGG_KEYS,
    .count_offset = offsetof(E, aggregate.key_count),
};

const ad__cfg_entry ad__exporter_aggregate_table[] = {
    {.name = "enabled",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(E, aggregate.enabled),
     .def = "false",
     .help = "records equal on the key within the window become one row with EventCount"},
    {.name = "window",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, aggregate.window_ms),
     .def = "10s",
     .min = 100,
     .max = 3600000,
     .help = "a row spans at most this much event time and is sent this long after it opened"},
    {.name = "max_keys",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(E, aggregate.max_keys),
     .def = "65536",
     .min = 1,
     .max = 4194304,
     .help = "open rows held at most; when full the oldest is sent early (counted)"},
    {.name = "key",
     .type = AD__CFG_T_LIST,
     .offset = offsetof(E, aggregate.key),
     .size = sizeof(((E *)0)->aggregate.key),
     .aux = &key_list,
     .check = check_attr,
     .help = "ASIM attributes records must share; empty = EventType, EventSubType, DnsQuery, "
             "DnsQueryType, SrcIpAddr, DvcIpAddr, EventResultDetails, DnsResponseName"},
    {.type = AD__CFG_T_END},
};

ad_err ad__exporter_aggregate_post(ad__cfg_ctx *ctx, uint32_t root, const ad_exporter_config *cfg)
{
    const ad_config_aggregate *a = &cfg->aggregate;
    for (uint32_t i = 0; i < a->key_count; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(a->key[i], a->key[j]) != 0)
                continue;
            uint32_t at = ad__cfg_find(ctx->tree, root, "aggregate.key", NULL);
            if (at != 0 && ctx->tree->nodes[at].kind == AD__CFG_SEQUENCE) {
                uint32_t n = ctx->tree->nodes[at].first;
                for (uint32_t k = 0; k < i && n != 0; k++)
                    n = ctx->tree->nodes[n].next;
                if (n != 0)
                    at = n;
            }
            return ad__cfg_fail(ctx, at != 0 ? at : root, "'aggregate.key' lists '%s' twice",
                                a->key[i]);
        }
    }
    return AD_OK;
}

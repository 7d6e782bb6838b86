/* asimdns: the event catalogue (event_catalog.h). */
#include "common/event_catalog.h"

#include "common/compiler.h"

static const char *const tmpl_names[AD_TMPL__COUNT] = {
#define AD__TMPL_NAME(n) #n,
    AD_TEMPLATES(AD__TMPL_NAME)
#undef AD__TMPL_NAME
};

const char *ad_tmpl_name(ad_tmpl tmpl)
{
    if ((unsigned)tmpl >= AD_TMPL__COUNT)
        return "";
    return tmpl_names[tmpl];
}

/* Column shorthands. */
#define S AD_PROVIDER_DNS_SERVER
#define C AD_PROVIDER_DNS_CLIENT
#define Q AD_ASIM_TYPE_QUERY
#define U AD_ASIM_TYPE_UPDATE
#define N AD_ASIM_TYPE_NOTIFY
#define REQ AD_ASIM_SUBTYPE_REQUEST
#define RSP AD_ASIM_SUBTYPE_RESPONSE
#define M_REQ AD_MSG_REQUEST
#define M_RSP AD_MSG_RESPONSE
#define M_NONE AD_MSG_NONE
#define PEER AD_CLIENT_PEER
#define HOST AD_CLIENT_HOST
#define NOEP AD_CLIENT_NONE
#define T(n) AD_TMPL_##n
#define V(a, b, c)                                                                                 \
    {                                                                                              \
        AD_TMPL_##a, AD_TMPL_##b, AD_TMPL_##c                                                      \
    }
#define ONE(a) V(a, NONE, NONE)

/* provider, id, name, templates per version, legacy template, message, client, peer field,
 * host field, port field, EventType, EventSubType, result rule, fixed details, flags */
#define ROW(p_, id_, name_, tv_, legacy_, msg_, client_, peer_, host_, port_, type_, sub_, rule_,  \
            details_, flags_)                                                                      \
    {                                                                                              \
        (p_), (id_), (id_), (flags_), (name_), tv_, (legacy_), (msg_), (client_), (peer_),         \
            (host_), (port_), (type_), (sub_), (rule_), (details_)                                 \
    }

#define IF "InterfaceIP"

/*
 * Microsoft-Windows-DNSServer analytic events 256-291 (etw §2.3 names, §2.4 templates; asim
 * §5.2, §8 ASIM values). Choices where the facts leave one:
 *   - EventType is the opcode name (asim §8): Update for 263/264/277/278, Notify for 273-276,
 *     Query for the rest, never the Microsoft "Dynamic update"/"Zone XFR"/"XFR" (Q5).
 *   - 259 and 262 (and 291): EventResultDetails is fixed to "Unassigned", what the Microsoft
 *     parsers produce (asim §8 "pick one and document it").
 *   - 279/280: "response" (NXlog; OMS's "NA" is outside the enum), result NA (asim §8); the
 *     message they describe is the query from Source (template T279: Source, Port).
 *   - 281-291 are not covered by any Microsoft parser (Q9). asim §8 says to map 284/285/
 *     286/289/290/291 like 257/258/256/260/261/262, but the 2025 manifest (etw §2.3) shows
 *     the QUERY_RECEIVED variant is 287 and 286 is RECURSE_ALIAS_FAILURE; we follow the
 *     manifest: 284 like 257, 285 like 258, 287 like 256, 289/290/291 like 260/261/262.
 *   - 281 RRL_TO_BE_DROPPED_RESPONSE: the response is never sent -> response, Failure.
 *     282/283 (truncated / leaked): the response goes out -> result from its RCODE.
 *   - 286 RECURSE_ALIAS_FAILURE and 288 DNSSEC_VALIDATION_FAILURE: response, Failure.
 * Endpoints (asim §8 "SrcIpAddr / DstIpAddr"): the client is the peer for messages a client
 * sent to this server and their answers; the host for recursion (260-262), outgoing zone
 * transfer requests (265, 269) and their answers (268, 272), outgoing NOTIFY (274) and its
 * ACK (275), and forwarded updates (277, 278). In 265/269/274 the field named Source is the
 * remote end this server sends to (etw §2.4); 278 calls its Destination "Source" in the
 * message. Port is the remote port (etw §2.5), so it belongs to the peer.
 */
static const ad_event_def analytic[] = {
    ROW(S, 256, "QUERY_RECEIVED", ONE(T256), 0, M_REQ, PEER, "Source", IF, "Port", Q, REQ,
        AD_RULE_REQUEST, NULL, 0),
    /* asim §8: "For 257, Success regardless" (of the RCODE) */
    ROW(S, 257, "RESPONSE_SUCCESS", ONE(T257), 0, M_RSP, PEER, "Destination", IF, "Port", Q, RSP,
        AD_RULE_SUCCESS, NULL, 0),
    /* asim §8 follows OMS "Based on RCODE", not NXlog's fixed Failure */
    ROW(S, 258, "RESPONSE_FAILURE", ONE(T258), 0, M_RSP, PEER, "Destination", IF, "Port", Q, RSP,
        AD_RULE_FROM_RCODE, NULL, 0),
    /* an ignored query: no RCODE, no Port; Failure (asim §8), details picked: "Unassigned" */
    ROW(S, 259, "IGNORED_QUERY", ONE(T259), T(L259), M_REQ, PEER, "Source", IF, NULL, Q, RSP,
        AD_RULE_FAILURE, "Unassigned", 0),
    ROW(S, 260, "RECURSE_QUERY_OUT", ONE(T260), T(L260), M_REQ, HOST, "Destination", IF, "Port", Q,
        REQ, AD_RULE_REQUEST, NULL, 0),
    /* no RCODE field; NA in both MS tables; details from Flags & 0xF when the header has it */
    ROW(S, 261, "RECURSE_RESPONSE_IN", ONE(T261), T(L261), M_RSP, HOST, "Source", IF, "Port", Q,
        RSP, AD_RULE_NA, NULL, 0),
    /* the query to the upstream timed out: its outcome, about the request message */
    ROW(S, 262, "RECURSE_QUERY_TIMEOUT", ONE(T262), T(L262), M_REQ, HOST, "Destination", IF, "Port",
        Q, RSP, AD_RULE_FAILURE, "Unassigned", 0),
    ROW(S, 263, "DYN_UPDATE_RECV", ONE(T263), 0, M_REQ, PEER, "Source", IF, "Port", U, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 264, "DYN_UPDATE_RESPONSE", ONE(T264), 0, M_RSP, PEER, "Destination", IF, NULL, U, RSP,
        AD_RULE_FROM_RCODE, NULL, 0),
    /* zone transfers are opcode QUERY with QTYPE IXFR/AXFR (asim §8) */
    ROW(S, 265, "IXFR_REQ_OUT", ONE(T265), 0, M_REQ, HOST, "Source", IF, NULL, Q, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 266, "IXFR_REQ_RECV", ONE(T265), 0, M_REQ, PEER, "Source", IF, NULL, Q, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 267, "IXFR_RESP_OUT", ONE(T267), 0, M_RSP, PEER, "Destination", IF, NULL, Q, RSP,
        AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 268, "IXFR_RESP_RECV", ONE(T267), 0, M_RSP, HOST, "Destination", IF, NULL, Q, RSP,
        AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 269, "AXFR_REQ_OUT", ONE(T269), 0, M_REQ, HOST, "Source", IF, NULL, Q, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 270, "AXFR_REQ_RECV", ONE(T269), 0, M_REQ, PEER, "Source", IF, NULL, Q, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 271, "AXFR_RESP_OUT", ONE(T271), 0, M_RSP, PEER, "Destination", IF, NULL, Q, RSP,
        AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 272, "AXFR_RESP_RECV", ONE(T271), 0, M_RSP, HOST, "Destination", IF, NULL, Q, RSP,
        AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 273, "XFR_NOTIFY_RECV", ONE(T273), 0, M_REQ, PEER, "Source", IF, NULL, N, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 274, "XFR_NOTIFY_OUT", ONE(T273), 0, M_REQ, HOST, "Source", IF, NULL, N, REQ,
        AD_RULE_REQUEST, NULL, 0),
    ROW(S, 275, "XFR_NOTIFY_ACK_IN", ONE(T275), 0, M_RSP, HOST, "Source", IF, NULL, N, RSP,
        AD_RULE_SUCCESS, NULL, 0),
    ROW(S, 276, "XFR_NOTIFY_ACK_OUT", ONE(T276), 0, M_RSP, PEER, "Destination", IF, NULL, N, RSP,
        AD_RULE_SUCCESS, NULL, 0),
    /* carries an RCODE field but is a request (asim §8 request list, §5.2) */
    ROW(S, 277, "DYN_UPDATE_FORWARD", ONE(T277), 0, M_REQ, HOST, "Destination",
        "ForwardInterfaceIP", NULL, U, REQ, AD_RULE_REQUEST, NULL, 0),
    ROW(S, 278, "DYN_UPDATE_RESPONSE_IN", ONE(T267), 0, M_RSP, HOST, "Destination", IF, NULL, U,
        RSP, AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 279, "INTERNAL_LOOKUP_CNAME", ONE(T279), 0, M_REQ, PEER, "Source", IF, "Port", Q, RSP,
        AD_RULE_NA, NULL, 0),
    ROW(S, 280, "INTERNAL_LOOKUP_ADDITIONAL", ONE(T279), 0, M_REQ, PEER, "Source", IF, "Port", Q,
        RSP, AD_RULE_NA, NULL, 0),
    ROW(S, 281, "RRL_TO_BE_DROPPED_RESPONSE", ONE(T281), 0, M_RSP, PEER, "Destination", IF, "Port",
        Q, RSP, AD_RULE_FAILURE, NULL, 0),
    ROW(S, 282, "RRL_TO_BE_TRUNCATED_RESPONSE", ONE(T281), 0, M_RSP, PEER, "Destination", IF,
        "Port", Q, RSP, AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 283, "RRL_TO_BE_LEAKED_RESPONSE", ONE(T281), 0, M_RSP, PEER, "Destination", IF, "Port",
        Q, RSP, AD_RULE_FROM_RCODE, NULL, 0),
    ROW(S, 284, "RESPONSE_SUCCESS", ONE(T284), 0, M_RSP, PEER, "Destination", IF, "Port", Q, RSP,
        AD_RULE_SUCCESS, NULL, AD_EVF_EDNS),
    ROW(S, 285, "RESPONSE_FAILURE", ONE(T285), 0, M_RSP, PEER, "Destination", IF, "Port", Q, RSP,
        AD_RULE_FROM_RCODE, NULL, AD_EVF_EDNS),
    ROW(S, 286, "RECURSE_ALIAS_FAILURE", ONE(T286), 0, M_RSP, HOST, "Source", IF, "Port", Q, RSP,
        AD_RULE_FAILURE, NULL, 0),
    ROW(S, 287, "QUERY_RECEIVED", ONE(T287), 0, M_REQ, PEER, "Source", IF, "Port", Q, REQ,
        AD_RULE_REQUEST, NULL, AD_EVF_EDNS),
    /* a cache node failed validation: no message, no endpoints */
    ROW(S, 288, "DNSSEC_VALIDATION_FAILURE", ONE(T288), 0, M_NONE, NOEP, NULL, NULL, NULL, Q, RSP,
        AD_RULE_FAILURE, NULL, 0),
    ROW(S, 289, "RECURSE_QUERY_OUT", ONE(T289), 0, M_REQ, HOST, "Destination", IF, "Port", Q, REQ,
        AD_RULE_REQUEST, NULL, AD_EVF_EDNS),
    ROW(S, 290, "RECURSE_RESPONSE_IN", ONE(T290), 0, M_RSP, HOST, "Source", IF, "Port", Q, RSP,
        AD_RULE_NA, NULL, AD_EVF_EDNS),
    ROW(S, 291, "RECURSE_QUERY_TIMEOUT", ONE(T291), 0, M_REQ, HOST, "Destination", IF, "Port", Q,
        RSP, AD_RULE_FAILURE, "Unassigned", AD_EVF_EDNS),
};
#define ANALYTIC_FIRST 256u
_Static_assert(AD_ARRAY_LEN(analytic) == 291 - 256 + 1, "one row per analytic id");

/*
 * Audit channel events (etw §2.7: 512-596 today). They record administrative changes
 * (zones, records, settings, policies), not DNS messages, so no ASIM DNS field fits well.
 * Chosen: EventType "Update" (the opcode that changes zone content), no EventSubType,
 * EventResult Success (the change was made). The shared row runs to 999 to cover ids newer
 * servers may add after 596. 519/520 (a record added/deleted by a dynamic update) name the
 * updating client in Source.
 */
static const ad_event_def audit[] = {
    ROW(S, 519, "AUDIT", ONE(AUDIT), 0, M_REQ, PEER, "Source", NULL, NULL, U, AD_ASIM_SUBTYPE_NONE,
        AD_RULE_SUCCESS, "NA", AD_EVF_AUDIT),
    ROW(S, 520, "AUDIT", ONE(AUDIT), 0, M_REQ, PEER, "Source", NULL, NULL, U, AD_ASIM_SUBTYPE_NONE,
        AD_RULE_SUCCESS, "NA", AD_EVF_AUDIT),
    {S, AD_DNS_SERVER_AUDIT_FIRST, AD_DNS_SERVER_AUDIT_LAST, AD_EVF_AUDIT, "AUDIT", ONE(AUDIT), 0,
     M_NONE, NOEP, NULL, NULL, NULL, U, AD_ASIM_SUBTYPE_NONE, AD_RULE_SUCCESS, "NA"},
};

/*
 * Microsoft-Windows-DNS-Client (etw §3.3, §3.4; mapped like Sysmon 22, asim §6, §8). 3000-3020
 * have no manifest name (symbol "task_0"), so the names are short forms of each event's
 * manifest message. All are EventType Query: the client only sends standard queries. Events
 * that report a status take their result from it as Sysmon 22 does: Success iff 0, details
 * from asim §4.2. Events that announce a query are requests with result NA. 3015 (a query
 * canceled) is an outcome without a status: response, Failure, "NA".
 *
 * 1013-1018 (names: the S12 task names) carry no status, so result and details are fixed to
 * what the equivalent client status gives under asim §4.2 (statuses from etw §3.5):
 *   1013/1014/1015 name resolution timed out          ~ 1460 -> Failure, "TIMEOUT"
 *   1016 "A name not found error was returned"        ~ 9003 -> Failure, "NXDOMAIN"
 *   1017 "no records of the type queried"             ~ 9501 -> Failure, "NA" (a non-zero
 *        status without a §4.2 name; Sysmon would say the same for 3008 with 9501)
 *   1018 "The response ... was a Link Local IP address" (an answer) -> Success, "NOERROR"
 *
 * Endpoints: this host is the client; the peer is the DNS server named by
 * DnsServerIpAddress (3010, 3011), Address (1013-1017) or DnsAddress (1018). The host's own
 * address is not in these events. 3009/3012 name local addresses (the host, DvcIpAddr) but
 * a list of servers, so they get no endpoints.
 */
static const ad_event_def client_addr[] = {
    ROW(C, 1013, "DnsAllServersTimeout", V(C1013V0, C1013V1, NONE), 0, M_REQ, HOST, "Address", NULL,
        NULL, Q, RSP, AD_RULE_FAILURE, "TIMEOUT", 0),
    ROW(C, 1014, "DnsAllServersTimeoutSystem", V(C1013V0, C1013V1, NONE), 0, M_REQ, HOST, "Address",
        NULL, NULL, Q, RSP, AD_RULE_FAILURE, "TIMEOUT", 0),
    ROW(C, 1015, "DnsServerTimeout", V(C1013V0, C1013V1, NONE), 0, M_REQ, HOST, "Address", NULL,
        NULL, Q, RSP, AD_RULE_FAILURE, "TIMEOUT", 0),
    ROW(C, 1016, "DnsNameError", V(C1013V0, C1013V1, C1016V2), 0, M_RSP, HOST, "Address", NULL,
        NULL, Q, RSP, AD_RULE_FAILURE, "NXDOMAIN", 0),
    ROW(C, 1017, "DnsAuthoritativeResponse", V(C1013V0, C1013V1, C1016V2), 0, M_RSP, HOST,
        "Address", NULL, NULL, Q, RSP, AD_RULE_FAILURE, "NA", 0),
    ROW(C, 1018, "DnsLinkLocal", V(C1018V0, C1018V1, C1018V2), 0, M_RSP, HOST, "DnsAddress", NULL,
        NULL, Q, RSP, AD_RULE_SUCCESS, "NOERROR", 0),
};
#define CLIENT_ADDR_FIRST 1013u

/* A row without endpoints (ROW's columns; spelled out: tv_ arrives as a braced list). */
#define MON(id_, name_, tv_, msg_, sub_, rule_, details_)                                          \
    {                                                                                              \
        C, (id_), (id_), 0, (name_), tv_, 0, (msg_), NOEP, NULL, NULL, NULL, Q, (sub_), (rule_),   \
            (details_)                                                                             \
    }

/* MON for an event logged in the requester's process (AD_EVF_REQUESTER_CONTEXT). */
#define MON_REQUESTER(id_, name_, tv_, msg_, sub_, rule_, details_)                                \
    {                                                                                              \
        C, (id_), (id_), AD_EVF_REQUESTER_CONTEXT, (name_), tv_, 0, (msg_), NOEP, NULL, NULL,      \
            NULL, Q, (sub_), (rule_), (details_)                                                   \
    }

static const ad_event_def client_mon[] = {
    MON(3000, "QueryInitiated", ONE(C3000), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON(3001, "QueryCompletedStatus", ONE(C3001), M_RSP, RSP, AD_RULE_FROM_STATUS, NULL),
    MON(3002, "CacheLookupInitiated", ONE(C3000), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON(3003, "CacheLookupCompleted", ONE(C3003), M_RSP, RSP, AD_RULE_FROM_STATUS, NULL),
    MON(3004, "FqdnQueryInitiated", ONE(C3000), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON(3005, "FqdnQueryCompleted", ONE(C3003), M_RSP, RSP, AD_RULE_FROM_STATUS, NULL),
    MON_REQUESTER(3006, "QueryCalled", ONE(C3006), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON(3007, "QueryPending", ONE(C3007), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON_REQUESTER(3008, "QueryCompleted", ONE(C3008), M_RSP, RSP, AD_RULE_FROM_STATUS, NULL),
    MON(3009, "NetworkQueryInitiated", V(C3009V0, C3009V1, C3009V2), M_REQ, REQ, AD_RULE_REQUEST,
        NULL),
    ROW(C, 3010, "QuerySentToServer", V(C3010V0, C3010V1, NONE), 0, M_REQ, HOST,
        "DnsServerIpAddress", NULL, NULL, Q, REQ, AD_RULE_REQUEST, NULL, 0),
    ROW(C, 3011, "ResponseReceived", V(C3011V0, C3011V1, C3011V2), 0, M_RSP, HOST,
        "DnsServerIpAddress", NULL, NULL, Q, RSP, AD_RULE_FROM_STATUS, NULL, 0),
    MON(3012, "NetbiosQueryInitiated", V(C3012V0, C3012V1, C3012V2), M_REQ, REQ, AD_RULE_REQUEST,
        NULL),
    MON(3013, "NetbiosQueryCompleted", V(C3013V0, C3013V1, C3013V2), M_RSP, RSP,
        AD_RULE_FROM_STATUS, NULL),
    MON(3014, "NetbiosQueryPending", V(C3007, C3014V1, C3014V2), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON(3015, "QueryCanceled", ONE(C3007), M_NONE, RSP, AD_RULE_FAILURE, "NA"),
    MON(3016, "CacheLookupCalled", V(C3016V0, C3016V1, C3016V2), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    /* 3017: no template in etw §3.3 */
    MON(3018, "CacheLookupReturned", V(C3018V0, C3018V1, C3018V2), M_RSP, RSP, AD_RULE_FROM_STATUS,
        NULL),
    MON(3019, "QueryWireCalled", V(C3019V0, C3019V1, C3019V2), M_REQ, REQ, AD_RULE_REQUEST, NULL),
    MON(3020, "QueryWireResponse", V(C3020V0, C3020V1, C3020V2), M_RSP, RSP, AD_RULE_FROM_STATUS,
        NULL),
};
#define CLIENT_MON_FIRST 3000u

static const struct {
    const ad_event_def *rows;
    size_t count;
} tables[] = {
    {analytic, AD_ARRAY_LEN(analytic)},
    {audit, AD_ARRAY_LEN(audit)},
    {client_addr, AD_ARRAY_LEN(client_addr)},
    {client_mon, AD_ARRAY_LEN(client_mon)},
};

size_t ad_event_def_count(void)
{
    size_t n = 0;
    for (size_t t = 0; t < AD_ARRAY_LEN(tables); t++)
        n += tables[t].count;
    return n;
}

const ad_event_def *ad_event_def_at(size_t index)
{
    for (size_t t = 0; t < AD_ARRAY_LEN(tables); t++) {
        if (index < tables[t].count)
            return &tables[t].rows[index];
        index -= tables[t].count;
    }
    return NULL;
}

const ad_event_def *ad_event_def_find(ad_provider provider, uint32_t id)
{
    if (provider == AD_PROVIDER_DNS_SERVER) {
        if (id >= ANALYTIC_FIRST && id < ANALYTIC_FIRST + AD_ARRAY_LEN(analytic))
            return &analytic[id - ANALYTIC_FIRST];
        if (id == 519 || id == 520)
            return &audit[id - 519];
        if (id >= AD_DNS_SERVER_AUDIT_FIRST && id <= AD_DNS_SERVER_AUDIT_LAST)
            return &audit[2];
        return NULL;
    }
    if (provider != AD_PROVIDER_DNS_CLIENT)
        return NULL;
    if (id >= CLIENT_ADDR_FIRST && id < CLIENT_ADDR_FIRST + AD_ARRAY_LEN(client_addr))
        return &client_addr[id - CLIENT_ADDR_FIRST];
    if (id >= CLIENT_MON_FIRST && id <= 3016)
        return &client_mon[id - CLIENT_MON_FIRST];
    if (id >= 3018 && id <= 3020)
        return &client_mon[id - CLIENT_MON_FIRST - 1]; /* past the 3017 hole */
    return NULL;
}

ad_tmpl ad_event_def_tmpl(const ad_event_def *def, unsigned version)
{
    unsigned v = version < AD_EVENT_MAX_VERSION ? version : AD_EVENT_MAX_VERSION;
    while (v > 0 && def->tmpl[v] == AD_TMPL_NONE)
        v--;
    return (ad_tmpl)def->tmpl[v];
}

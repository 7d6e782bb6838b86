/*
 * asimdns-capture: Microsoft-Windows-DNS-Client {1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}
 * UserData decoder (facts/etw-dns-providers.md §3).
 *
 * Unlike the DNS Server, this provider versions its events (facts §3.1, §3.3, S10): v1
 * (Win11 21H2) appends ClientPID:u32, v2 (22H2) appends ClientPID plus one or two
 * win:Pointer fields whose size comes from EVENT_HEADER.Flags (facts §1). Every field of the
 * event's version is required. An event version above the highest known one is decoded with
 * the highest known template (versions have only ever appended fields); its extra bytes are
 * ignored and counted in scratch->diag.trailing.
 *
 * Events: 3006, 3008, 3009, 3010, 3011, 3016, 3018, 3019, 3020 (the query path), also the
 * one-line 3000-3005, 3007, 3012-3015 (facts §3.3), and the SocketAddress events 1013-1018
 * (facts §3.4; meanings from the S12 event list: 1013/1014 DnsAllServersTimeout(System), 1015
 * DnsServerTimeout, 1016 DnsNameError and 1017 DnsAuthoritativeResponse "sent by the server at
 * {Address}", 1018 DnsLinkLocal "was a Link Local IP address {Address} ... sent by the server at
 * {DnsAddress}"). Other ids give AD_EUNSUPP.
 *
 * Field -> record: QueryName -> AD_STR_QNAME (as sent, usually without trailing dot, facts
 * §3.5); QueryType -> qtype; QueryOptions -> query_options; QueryStatus / Status /
 * ResponseStatus -> status; QueryResults -> AD_STR_RESULTS; ServerList / DNSServerAddress /
 * DnsServerIpAddress -> AD_STR_SERVERS; AdapterName -> AD_STR_ADAPTER; NetworkIndex /
 * NetworkQueryIndex -> network_index; InterfaceIndex -> interface_index; ClientPID ->
 * client_pid. Not kept: IsNetworkQuery, IsAsyncQuery, IsParallelNetworkQuery, InterfaceCount,
 * the pointers.
 *
 * Template per event version, name, AD_BIT_RESPONSE and which endpoint is the DNS client
 * come from the event catalogue (common/event_catalog.h). The peer is the DNS server:
 * DnsServerIpAddress (3010, 3011) is kept as text in AD_STR_SERVERS and its first entry (up
 * to ';', ',' or ' ') becomes the peer address when it is one, else the address stays absent
 * (no error); 1013-1018 carry a SOCKADDR (1018: DnsAddress the server, Address the
 * link-local answer, as text in AD_STR_RESULTS). A SOCKADDR that is AF_INET/AF_INET6 (23)
 * but too short is AD_EFORMAT; another family leaves the address absent. The first
 * LocalAddress of 3009/3012 fills iface.
 */
#include "capture/etw_decode.h"

#include "capture/etw_decode_common.h"
#include "common/compiler.h"
#include "common/event_catalog.h"

/* clang-format off */
#define F(w, t, n) {AD__W_##w, AD__T_##t, n}
#define S(w, slot, n) {AD__W_##w, AD__T_SLOT(AD_STR_##slot), n}

#define QNAME_F S(UTF16, QNAME, "QueryName")
#define QTYPE_F F(U32, QTYPE, "QueryType")
#define QOPT_F  F(U64, QUERY_OPTIONS, "QueryOptions")
#define PID_F   F(U32, CLIENT_PID, "ClientPID")
#define QBLOB_F F(PTR, SKIP, "QueryBlob")
#define SBLOB_F F(PTR, SKIP, "SendBlob"), F(PTR, SKIP, "SendBlobContext")

/* ---- facts §3.3; v1 appends ClientPID, v2 ClientPID and pointer(s) ---- */

/* 3000, 3002, 3004 */
static const ad__etw_field c3000[] = {QNAME_F, QTYPE_F, QOPT_F};
static const ad__etw_field c3001[] = {F(U32, STATUS, "Status")};
/* 3003, 3005 */
static const ad__etw_field c3003[] = {QNAME_F, QTYPE_F, F(U32, STATUS, "Status")};

static const ad__etw_field c3006[] = {
    QNAME_F,
    QTYPE_F,
    QOPT_F,
    S(UTF16, SERVERS, "ServerList"),
    F(U32, SKIP, "IsNetworkQuery"),
    F(U32, NETWORK_INDEX, "NetworkQueryIndex"),
    F(U32, INTERFACE_INDEX, "InterfaceIndex"),
    F(U32, SKIP, "IsAsyncQuery"),
};

/* 3007, 3015, and 3014 v0 */
static const ad__etw_field c3007[] = {QNAME_F};

static const ad__etw_field c3008[] = {
    QNAME_F,
    QTYPE_F,
    QOPT_F,
    F(U32, STATUS, "QueryStatus"),
    S(UTF16, RESULTS, "QueryResults"),
};

#define C3009_V0                                   \
    QNAME_F,                                       \
    F(U32, SKIP, "IsParallelNetworkQuery"),        \
    F(U32, NETWORK_INDEX, "NetworkIndex"),         \
    F(U32, SKIP, "InterfaceCount"),                \
    S(UTF16, ADAPTER, "AdapterName"),              \
    F(UTF16, LOCAL_IFACE, "LocalAddress"),         \
    S(UTF16, SERVERS, "DNSServerAddress")
static const ad__etw_field c3009v0[] = {C3009_V0};
static const ad__etw_field c3009v1[] = {C3009_V0, PID_F};
static const ad__etw_field c3009v2[] = {C3009_V0, PID_F, QBLOB_F, F(PTR, SKIP, "ParentBlob")};

#define C3010_V0 QNAME_F, QTYPE_F, F(UTF16, SERVERS_PEER, "DnsServerIpAddress")
static const ad__etw_field c3010v0[] = {C3010_V0};
static const ad__etw_field c3010v1[] = {C3010_V0, PID_F};

#define C3011_V0 C3010_V0, F(U32, STATUS, "ResponseStatus")
static const ad__etw_field c3011v0[] = {C3011_V0};
static const ad__etw_field c3011v1[] = {C3011_V0, PID_F};
static const ad__etw_field c3011v2[] = {C3011_V0, PID_F, SBLOB_F};

#define C3012_V0                                   \
    QNAME_F,                                       \
    F(U32, NETWORK_INDEX, "NetworkIndex"),         \
    F(U32, SKIP, "InterfaceCount"),                \
    S(UTF16, ADAPTER, "AdapterName"),              \
    F(UTF16, LOCAL_IFACE, "LocalAddress")
static const ad__etw_field c3012v0[] = {C3012_V0};
static const ad__etw_field c3012v1[] = {C3012_V0, PID_F};
static const ad__etw_field c3012v2[] = {C3012_V0, PID_F, QBLOB_F};

#define C3013_V0 QNAME_F, F(U32, STATUS, "Status"), S(UTF16, RESULTS, "QueryResults")
static const ad__etw_field c3013v0[] = {C3013_V0};
static const ad__etw_field c3013v1[] = {C3013_V0, PID_F};
static const ad__etw_field c3013v2[] = {C3013_V0, PID_F, QBLOB_F};

static const ad__etw_field c3014v1[] = {QNAME_F, PID_F};
static const ad__etw_field c3014v2[] = {QNAME_F, PID_F, QBLOB_F};

#define C3016_V0 QNAME_F, QTYPE_F, QOPT_F, F(U32, INTERFACE_INDEX, "InterfaceIndex")
static const ad__etw_field c3016v0[] = {C3016_V0};
static const ad__etw_field c3016v1[] = {C3016_V0, PID_F};
static const ad__etw_field c3016v2[] = {C3016_V0, PID_F, QBLOB_F};

#define C3018_V0                                   \
    QNAME_F,                                       \
    QTYPE_F,                                       \
    QOPT_F,                                        \
    F(U32, STATUS, "Status"),                      \
    S(UTF16, RESULTS, "QueryResults")
static const ad__etw_field c3018v0[] = {C3018_V0};
static const ad__etw_field c3018v1[] = {C3018_V0, PID_F};
static const ad__etw_field c3018v2[] = {C3018_V0, PID_F, QBLOB_F};

#define C3019_V0                                   \
    QNAME_F,                                       \
    QTYPE_F,                                       \
    F(U32, INTERFACE_INDEX, "InterfaceIndex"),     \
    F(U32, NETWORK_INDEX, "NetworkIndex")
static const ad__etw_field c3019v0[] = {C3019_V0};
static const ad__etw_field c3019v1[] = {C3019_V0, PID_F};
static const ad__etw_field c3019v2[] = {C3019_V0, PID_F, QBLOB_F};

/* facts §3.3: template order is NetworkIndex then InterfaceIndex (message labels swapped) */
#define C3020_V0                                   \
    QNAME_F,                                       \
    QTYPE_F,                                       \
    F(U32, NETWORK_INDEX, "NetworkIndex"),         \
    F(U32, INTERFACE_INDEX, "InterfaceIndex"),     \
    F(U32, STATUS, "Status"),                      \
    S(UTF16, RESULTS, "QueryResults")
static const ad__etw_field c3020v0[] = {C3020_V0};
static const ad__etw_field c3020v1[] = {C3020_V0, PID_F};
static const ad__etw_field c3020v2[] = {C3020_V0, PID_F, QBLOB_F};

/* ---- facts §3.4: Addr = AddressLength:u32 + Address:bin (SocketAddress) ---- */

/* 1013, 1014, 1015 (v0/v1); 1016, 1017 (v0/v1/v2) */
#define C1013_V0 QNAME_F, F(SOCKADDR, SOCK_PEER, "Address")
static const ad__etw_field c1013v0[] = {C1013_V0};
static const ad__etw_field c1013v1[] = {C1013_V0, PID_F};
static const ad__etw_field c1016v2[] = {C1013_V0, PID_F, SBLOB_F};

#define C1018_V0 QNAME_F, F(SOCKADDR, SOCK_RESULT, "Address"), F(SOCKADDR, SOCK_PEER, "DnsAddress")
static const ad__etw_field c1018v0[] = {C1018_V0};
static const ad__etw_field c1018v1[] = {C1018_V0, PID_F};
static const ad__etw_field c1018v2[] = {C1018_V0, PID_F, SBLOB_F};

#define T(f) AD__TMPL_ALL(f)
static const ad__etw_tmpl
    t3000 = T(c3000), t3001 = T(c3001), t3003 = T(c3003), t3006 = T(c3006), t3007 = T(c3007),
    t3008 = T(c3008),
    t3009v0 = T(c3009v0), t3009v1 = T(c3009v1), t3009v2 = T(c3009v2),
    t3010v0 = T(c3010v0), t3010v1 = T(c3010v1),
    t3011v0 = T(c3011v0), t3011v1 = T(c3011v1), t3011v2 = T(c3011v2),
    t3012v0 = T(c3012v0), t3012v1 = T(c3012v1), t3012v2 = T(c3012v2),
    t3013v0 = T(c3013v0), t3013v1 = T(c3013v1), t3013v2 = T(c3013v2),
    t3014v1 = T(c3014v1), t3014v2 = T(c3014v2),
    t3016v0 = T(c3016v0), t3016v1 = T(c3016v1), t3016v2 = T(c3016v2),
    t3018v0 = T(c3018v0), t3018v1 = T(c3018v1), t3018v2 = T(c3018v2),
    t3019v0 = T(c3019v0), t3019v1 = T(c3019v1), t3019v2 = T(c3019v2),
    t3020v0 = T(c3020v0), t3020v1 = T(c3020v1), t3020v2 = T(c3020v2),
    t1013v0 = T(c1013v0), t1013v1 = T(c1013v1), t1016v2 = T(c1016v2),
    t1018v0 = T(c1018v0), t1018v1 = T(c1018v1), t1018v2 = T(c1018v2);
/* clang-format on */

/* ---- Dispatch: the catalogue names each event version's template ---- */

static const ad__etw_tmpl *const by_tmpl[AD_TMPL__COUNT] = {
    [AD_TMPL_C3000] = &t3000,     [AD_TMPL_C3001] = &t3001,     [AD_TMPL_C3003] = &t3003,
    [AD_TMPL_C3006] = &t3006,     [AD_TMPL_C3007] = &t3007,     [AD_TMPL_C3008] = &t3008,
    [AD_TMPL_C3009V0] = &t3009v0, [AD_TMPL_C3009V1] = &t3009v1, [AD_TMPL_C3009V2] = &t3009v2,
    [AD_TMPL_C3010V0] = &t3010v0, [AD_TMPL_C3010V1] = &t3010v1, [AD_TMPL_C3011V0] = &t3011v0,
    [AD_TMPL_C3011V1] = &t3011v1, [AD_TMPL_C3011V2] = &t3011v2, [AD_TMPL_C3012V0] = &t3012v0,
    [AD_TMPL_C3012V1] = &t3012v1, [AD_TMPL_C3012V2] = &t3012v2, [AD_TMPL_C3013V0] = &t3013v0,
    [AD_TMPL_C3013V1] = &t3013v1, [AD_TMPL_C3013V2] = &t3013v2, [AD_TMPL_C3014V1] = &t3014v1,
    [AD_TMPL_C3014V2] = &t3014v2, [AD_TMPL_C3016V0] = &t3016v0, [AD_TMPL_C3016V1] = &t3016v1,
    [AD_TMPL_C3016V2] = &t3016v2, [AD_TMPL_C3018V0] = &t3018v0, [AD_TMPL_C3018V1] = &t3018v1,
    [AD_TMPL_C3018V2] = &t3018v2, [AD_TMPL_C3019V0] = &t3019v0, [AD_TMPL_C3019V1] = &t3019v1,
    [AD_TMPL_C3019V2] = &t3019v2, [AD_TMPL_C3020V0] = &t3020v0, [AD_TMPL_C3020V1] = &t3020v1,
    [AD_TMPL_C3020V2] = &t3020v2, [AD_TMPL_C1013V0] = &t1013v0, [AD_TMPL_C1013V1] = &t1013v1,
    [AD_TMPL_C1016V2] = &t1016v2, [AD_TMPL_C1018V0] = &t1018v0, [AD_TMPL_C1018V1] = &t1018v1,
    [AD_TMPL_C1018V2] = &t1018v2,
};

/* The template for the event version (the highest known one at or below it), or NULL. */
static const ad__etw_tmpl *template_of(uint16_t id, unsigned version, const ad_event_def **def)
{
    *def = ad_event_def_find(AD_PROVIDER_DNS_CLIENT, id);
    if (*def == NULL)
        return NULL;
    ad_tmpl t = ad_event_def_tmpl(*def, version);
    return (unsigned)t < AD_TMPL__COUNT ? by_tmpl[t] : NULL;
}

bool ad__etw_client_supported(uint16_t event_id)
{
    const ad_event_def *def;
    return template_of(event_id, 0, &def) != NULL;
}

const char *ad__etw_client_name(uint16_t event_id)
{
    const ad_event_def *def;
    return template_of(event_id, 0, &def) != NULL ? def->name : NULL;
}

ad_err ad_etw_decode_client(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch)
{
    ad__etw_ctx c;
    ad_err err = ad__etw_begin(&c, in, out, scratch);
    if (err != AD_OK)
        return ad__etw_fail(in, out, scratch, err);
    const ad_event_def *def;
    const ad__etw_tmpl *tmpl = template_of(in->event_id, in->version, &def);
    if (tmpl == NULL)
        return ad__etw_fail(in, out, scratch, AD_EUNSUPP);

    bool partial = false;
    err = ad__etw_run(&c, tmpl, &partial);
    if (err != AD_OK)
        return ad__etw_fail(in, out, scratch, err);
    ad__etw_apply_addrs(&c, def);
    if (partial) /* not with all-required templates; kept for symmetry with the server */
        out->hdr.bits |= AD_REC_PARTIAL;
    if (def->message == AD_MSG_RESPONSE)
        out->hdr.bits |= AD_BIT_RESPONSE;
    scratch->diag.layout = AD_ETW_LAYOUT_CURRENT;
    return AD_OK;
}

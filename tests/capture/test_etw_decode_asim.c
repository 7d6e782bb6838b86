/*
 * asimdns tests: every (provider, event id, version) the ETW decoders support, decoded from a
 * builder-made UserData (tests/capture/etw_vector_builder.c) and mapped to ASIM
 * (exporter/asim.c): SrcIpAddr, SrcPortNumber, DstIpAddr, DstPortNumber, EventType,
 * EventSubType, EventResult and EventResultDetails are compared with the table below.
 *
 * The table is written by hand from facts/etw-dns-providers.md (§2.3-§2.7 which field is
 * Source/Destination/InterfaceIP and who sends the message; §3.3-§3.5 the DNS Client's server
 * fields) and facts/asim-dns.md §8 (SrcIpAddr = the client that sent the request, DstIpAddr
 * = the server that received it, Port = the client's or remote port; EventType/SubType/Result
 * per id), plus the choices documented at the catalogue's rows. It does not read the event
 * catalogue: a slip there, in a decoder or in the mapping shows up here. Every mismatch is
 * printed before the test fails.
 *
 * Inputs: InterfaceIP 10.0.0.53, the peer field (Source/Destination) 192.0.2.7, Port 50123,
 * RCODE 2 (SERVFAIL), DNS-Client status 9003 (NXDOMAIN), DnsServerIpAddress 192.168.2.1,
 * SOCKADDR peer [fe80::1]:53. The packet is a bare header whose flags word is the row's
 * `flags` (also written into the Flags field where the template has one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "capture/etw_decode.h"
#include "etw_vector_builder.h"
#include "exporter/asim.h"

#define IFACE "10.0.0.53"
#define PEER "192.0.2.7"
#define PORT 50123
#define SERVER "192.168.2.1"
#define SOCK "fe80::1"
#define NONE NULL
#define NOPORT (-1)

/* Header flags words (RFC 1035 §4.1.1): query/update/notify requests and responses. */
#define RQ 0x0100u  /* query, RD */
#define RS 0x8182u  /* response, RD RA, RCODE 2 */
#define XQ 0x0000u  /* zone transfer request */
#define XS 0x8402u  /* zone transfer response, AA, RCODE 2 */
#define UQ 0x2800u  /* UPDATE request (opcode 5) */
#define US 0xA802u  /* UPDATE response, RCODE 2 */
#define NQ 0x2000u  /* NOTIFY request (opcode 4) */
#define NS_ 0xA000u /* NOTIFY response, RCODE 0 */

typedef struct expect {
    ad_provider provider;
    uint16_t id;
    uint8_t versions; /* bit v: version v exists (client); server rows: version 0 */
    bool legacy;      /* the pre-2016 layout of 259-262 */
    uint32_t flags;
    const char *src_ip;
    int src_port;
    const char *dst_ip;
    int dst_port;
    const char *type, *subtype, *result, *details; /* subtype NULL: absent */
} expect;

#define SV(id, flags, sip, sport, dip, dport, type, sub, res, det)                                 \
    {                                                                                              \
        AD_PROVIDER_DNS_SERVER, id, 1, false, flags, sip, sport, dip, dport, type, sub, res, det   \
    }
#define SL(id, flags, sip, sport, dip, dport, type, sub, res, det)                                 \
    {                                                                                              \
        AD_PROVIDER_DNS_SERVER, id, 1, true, flags, sip, sport, dip, dport, type, sub, res, det    \
    }
#define CL(id, vers, sip, sport, dip, dport, sub, res, det)                                        \
    {                                                                                              \
        AD_PROVIDER_DNS_CLIENT, id, vers, false, 0, sip, sport, dip, dport, "Query", sub, res, det \
    }

static const expect table[] = {
    /* QUERY_RECEIVED: Source:Port asked this server (InterfaceIP). */
    SV(256, RQ, PEER, PORT, IFACE, NOPORT, "Query", "request", "NA", "NA"),
    /* RESPONSE_SUCCESS/FAILURE: sent to Destination:Port, the client. 257 Success always. */
    SV(257, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Success", "SERVFAIL"),
    SV(258, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    /* IGNORED_QUERY: the query came from Source (no Port field); the legacy layout has no
       Source. An outcome (response, Failure, Unassigned) about a request. */
    SV(259, RQ, PEER, NOPORT, IFACE, NOPORT, "Query", "response", "Failure", "Unassigned"),
    SL(259, RQ, NONE, NOPORT, IFACE, NOPORT, "Query", "response", "Failure", "Unassigned"),
    /* Recursion: this server (InterfaceIP) asks the upstream (Destination / Source). */
    SV(260, RQ, IFACE, NOPORT, PEER, PORT, "Query", "request", "NA", "NA"),
    SL(260, RQ, IFACE, NOPORT, PEER, PORT, "Query", "request", "NA", "NA"),
    SV(261, RS, IFACE, NOPORT, PEER, PORT, "Query", "response", "NA", "SERVFAIL"),
    SL(261, RS, IFACE, NOPORT, PEER, PORT, "Query", "response", "NA", "SERVFAIL"),
    SV(262, RQ, IFACE, NOPORT, PEER, PORT, "Query", "response", "Failure", "Unassigned"),
    SL(262, RQ, IFACE, NOPORT, PEER, PORT, "Query", "response", "Failure", "Unassigned"),
    /* Dynamic update from Source:Port; its response to Destination (no Port field). */
    SV(263, UQ, PEER, PORT, IFACE, NOPORT, "Update", "request", "NA", "NA"),
    SV(264, US, PEER, NOPORT, IFACE, NOPORT, "Update", "response", "Failure", "SERVFAIL"),
    /* Zone transfers: _OUT requests go to the remote (field Source), _RECV come from it;
       responses: _OUT to the requesting secondary, _RECV from the primary we asked. */
    SV(265, XQ, IFACE, NOPORT, PEER, NOPORT, "Query", "request", "NA", "NA"),
    SV(266, XQ, PEER, NOPORT, IFACE, NOPORT, "Query", "request", "NA", "NA"),
    SV(267, XS, PEER, NOPORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    SV(268, XS, IFACE, NOPORT, PEER, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    SV(269, XQ, IFACE, NOPORT, PEER, NOPORT, "Query", "request", "NA", "NA"),
    SV(270, XQ, PEER, NOPORT, IFACE, NOPORT, "Query", "request", "NA", "NA"),
    SV(271, XS, PEER, NOPORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    SV(272, XS, IFACE, NOPORT, PEER, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    /* NOTIFY: received from Source / sent to it; ACK in from Source, out to Destination. */
    SV(273, NQ, PEER, NOPORT, IFACE, NOPORT, "Notify", "request", "NA", "NA"),
    SV(274, NQ, IFACE, NOPORT, PEER, NOPORT, "Notify", "request", "NA", "NA"),
    SV(275, NS_, IFACE, NOPORT, PEER, NOPORT, "Notify", "response", "Success", "NOERROR"),
    SV(276, NS_, PEER, NOPORT, IFACE, NOPORT, "Notify", "response", "Success", "NOERROR"),
    /* Update forwarded from ForwardInterfaceIP to Destination, and the response back. */
    SV(277, UQ, IFACE, NOPORT, PEER, NOPORT, "Update", "request", "NA", "NA"),
    SV(278, US, IFACE, NOPORT, PEER, NOPORT, "Update", "response", "Failure", "SERVFAIL"),
    /* Internal lookups for the query from Source:Port (response, NA: asim §8). */
    SV(279, RQ, PEER, PORT, IFACE, NOPORT, "Query", "response", "NA", "Unassigned"),
    SV(280, RQ, PEER, PORT, IFACE, NOPORT, "Query", "response", "NA", "Unassigned"),
    /* RRL: responses to Destination:Port. */
    SV(281, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    SV(282, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    SV(283, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    /* EDNS variants: 284 ~ 257, 285 ~ 258, 287 ~ 256, 289/290/291 ~ 260/261/262. */
    SV(284, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Success", "SERVFAIL"),
    SV(285, RS, PEER, PORT, IFACE, NOPORT, "Query", "response", "Failure", "SERVFAIL"),
    /* RECURSE_ALIAS_FAILURE: the upstream's answer from Source:Port. */
    SV(286, RS, IFACE, NOPORT, PEER, PORT, "Query", "response", "Failure", "SERVFAIL"),
    SV(287, RQ, PEER, PORT, IFACE, NOPORT, "Query", "request", "NA", "NA"),
    /* DNSSEC validation failure: no message endpoints. */
    SV(288, RQ, NONE, NOPORT, NONE, NOPORT, "Query", "response", "Failure", "Unassigned"),
    SV(289, RQ, IFACE, NOPORT, PEER, PORT, "Query", "request", "NA", "NA"),
    SV(290, RS, IFACE, NOPORT, PEER, PORT, "Query", "response", "NA", "SERVFAIL"),
    SV(291, RQ, IFACE, NOPORT, PEER, PORT, "Query", "response", "Failure", "Unassigned"),
    /* Audit: a record added/deleted by the update from Source; the rest have no endpoints. */
    SV(519, 0, PEER, NOPORT, NONE, NOPORT, "Update", NULL, "Success", "NA"),
    SV(520, 0, PEER, NOPORT, NONE, NOPORT, "Update", NULL, "Success", "NA"),

    /* DNS Client: this host asks; the server is DnsServerIpAddress / Address / DnsAddress. */
    CL(3000, 1, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3001, 1, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3002, 1, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3003, 1, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3004, 1, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3005, 1, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3006, 1, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3007, 1, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3008, 1, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3009, 7, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3010, 3, NONE, NOPORT, SERVER, NOPORT, "request", "NA", "NA"),
    CL(3011, 7, NONE, NOPORT, SERVER, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3012, 7, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3013, 7, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3014, 7, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3015, 1, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NA"),
    CL(3016, 7, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3018, 7, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(3019, 7, NONE, NOPORT, NONE, NOPORT, "request", "NA", "NA"),
    CL(3020, 7, NONE, NOPORT, NONE, NOPORT, "response", "Failure", "NXDOMAIN"),
    CL(1013, 3, NONE, NOPORT, SOCK, 53, "response", "Failure", "TIMEOUT"),
    CL(1014, 3, NONE, NOPORT, SOCK, 53, "response", "Failure", "TIMEOUT"),
    CL(1015, 3, NONE, NOPORT, SOCK, 53, "response", "Failure", "TIMEOUT"),
    CL(1016, 7, NONE, NOPORT, SOCK, 53, "response", "Failure", "NXDOMAIN"),
    CL(1017, 7, NONE, NOPORT, SOCK, 53, "response", "Failure", "NA"),
    CL(1018, 7, NONE, NOPORT, SOCK, 53, "response", "Success", "NOERROR"),
};

/* Audit ids of facts §2.7 without a Source: no endpoints, Update, Success, "NA". */
static bool audit_id(uint16_t id)
{
    return id >= 512 && id <= 596 && id != 519 && id != 520;
}

static ad_vb vb;
static ad_decode_scratch scratch;
static ad_asim_host host;
static ad_asim out;
static unsigned mismatches;

static void report(const char *what, uint16_t id, unsigned version, bool legacy, const char *field,
                   const char *want, const char *got)
{
    printf("MISMATCH %s %u v%u%s %s: expected %s, got %s\n", what, id, version,
           legacy ? " (legacy layout)" : "", field, want ? want : "(absent)",
           got ? got : "(absent)");
    mismatches++;
}

/* The attribute as text ("50123" for ints), or NULL when absent. */
static const char *attr_text(const char *key, char *buf, size_t cap)
{
    const ad_attr *a = ad_asim_find(&out, key);
    if (a == NULL)
        return NULL;
    if (a->kind == AD_ATTR_INT)
        snprintf(buf, cap, "%lld", (long long)a->num);
    else
        snprintf(buf, cap, "%.*s", (int)a->len, a->str);
    return buf;
}

static void compare(const char *what, uint16_t id, unsigned version, bool legacy, const char *key,
                    const char *want)
{
    char buf[128];
    const char *got = attr_text(key, buf, sizeof(buf));
    if ((want == NULL) != (got == NULL) || (want != NULL && strcmp(want, got) != 0))
        report(what, id, version, legacy, key, want, got);
}

static void compare_port(const char *what, uint16_t id, unsigned version, bool legacy,
                         const char *key, int want)
{
    char w[16];
    snprintf(w, sizeof(w), "%d", want);
    compare(what, id, version, legacy, key, want < 0 ? NULL : w);
}

static void values(ad_vb_values *v, uint32_t flags, uint8_t *packet)
{
    ad_vb_values_default(v);
    v->iface_ip = IFACE;
    v->peer_ip = PEER;
    v->port = PORT;
    v->rcode = 2;
    v->status = 9003;
    v->server_ip = SERVER;
    v->flags = flags;
    /* A bare header: id, flags, no sections. */
    memset(packet, 0, 12);
    packet[0] = (uint8_t)(v->xid >> 8);
    packet[1] = (uint8_t)v->xid;
    packet[2] = (uint8_t)(flags >> 8);
    packet[3] = (uint8_t)flags;
    v->packet = packet;
    v->packet_len = 12;
}

/* Decodes vb as (provider, id, version) and maps it; false (reported) on an error. */
static bool decode_map(const char *what, ad_provider provider, uint16_t id, unsigned version,
                       bool legacy, const void *data, size_t len)
{
    ad_etw_event_in in;
    memset(&in, 0, sizeof(in));
    in.provider = provider;
    in.source = AD_SOURCE_REPLAY;
    in.event_id = id;
    in.version = (uint8_t)version;
    in.header_flags = AD_ETW_HEADER_FLAG_64_BIT;
    in.pid = 2244;
    in.time_ns = 1732528800123456700ull;
    in.userdata = data;
    in.userdata_len = len;
    ad_event ev;
    ad_err err = ad_etw_decode(&in, &ev, &scratch);
    if (err != AD_OK) {
        report(what, id, version, legacy, "decode", "AD_OK", ad_strerror(err));
        return false;
    }
    if (ad_asim_map(&ev, 1, &host, &out) != AD_OK) {
        report(what, id, version, legacy, "map", "AD_OK", "error");
        return false;
    }
    return true;
}

static void check_row(const expect *e, unsigned version)
{
    const char *what = e->provider == AD_PROVIDER_DNS_SERVER ? "DNS Server" : "DNS Client";
    ad_vb_values v;
    uint8_t packet[12];
    values(&v, e->flags, packet);
    bool built = e->provider == AD_PROVIDER_DNS_SERVER
                     ? (e->id < 512 ? ad_vb_server_event(&vb, e->id, e->legacy, &v)
                                    : ad_vb_audit_event(&vb, e->id, &v))
                     : ad_vb_client_event(&vb, e->id, (uint8_t)version, 8, &v);
    if (!built || vb.overflow) {
        report(what, e->id, version, e->legacy, "builder", "a vector", NULL);
        return;
    }
    if (!decode_map(what, e->provider, e->id, version, e->legacy, vb.buf, vb.len))
        return;
    compare(what, e->id, version, e->legacy, "SrcIpAddr", e->src_ip);
    compare_port(what, e->id, version, e->legacy, "SrcPortNumber", e->src_port);
    compare(what, e->id, version, e->legacy, "DstIpAddr", e->dst_ip);
    compare_port(what, e->id, version, e->legacy, "DstPortNumber", e->dst_port);
    compare(what, e->id, version, e->legacy, "EventType", e->type);
    compare(what, e->id, version, e->legacy, "EventSubType", e->subtype);
    compare(what, e->id, version, e->legacy, "EventResult", e->result);
    compare(what, e->id, version, e->legacy, "EventResultDetails", e->details);
}

/* An audit event from zero bytes: every audit template reads zeros as empty strings, zero
 * numbers and empty binaries (facts §1), so one buffer fits all. */
static void check_audit(uint16_t id)
{
    static const uint8_t zeros[512];
    if (!decode_map("DNS Server", AD_PROVIDER_DNS_SERVER, id, 0, false, zeros, sizeof(zeros)))
        return;
    compare("DNS Server", id, 0, false, "SrcIpAddr", NULL);
    compare("DNS Server", id, 0, false, "SrcPortNumber", NULL);
    compare("DNS Server", id, 0, false, "DstIpAddr", NULL);
    compare("DNS Server", id, 0, false, "DstPortNumber", NULL);
    compare("DNS Server", id, 0, false, "EventType", "Update");
    compare("DNS Server", id, 0, false, "EventSubType", NULL);
    compare("DNS Server", id, 0, false, "EventResult", "Success");
    compare("DNS Server", id, 0, false, "EventResultDetails", "NA");
}

static const expect *row_of(ad_provider provider, uint16_t id)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].provider == provider && table[i].id == id && !table[i].legacy)
            return &table[i];
    return NULL;
}

static void test_every_supported_event(void **state)
{
    (void)state;
    ad_asim_host_init(&host, "dns01.corp.contoso.com");
    mismatches = 0;
    unsigned checked = 0;
    /* Every row, at every version it lists. */
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        for (unsigned version = 0; version <= 2; version++) {
            if (table[i].versions & (1u << version)) {
                check_row(&table[i], version);
                checked++;
            }
        }
    }
    /* Every id a decoder supports has a row (or is a plain audit event). */
    for (unsigned id = 0; id <= 65535; id++) {
        if (ad_etw_event_supported(AD_PROVIDER_DNS_SERVER, (uint16_t)id)) {
            if (audit_id((uint16_t)id)) {
                check_audit((uint16_t)id);
                checked++;
            } else if (row_of(AD_PROVIDER_DNS_SERVER, (uint16_t)id) == NULL) {
                report("DNS Server", (uint16_t)id, 0, false, "row", "a row in this table", NULL);
            }
        }
        if (ad_etw_event_supported(AD_PROVIDER_DNS_CLIENT, (uint16_t)id) &&
            row_of(AD_PROVIDER_DNS_CLIENT, (uint16_t)id) == NULL)
            report("DNS Client", (uint16_t)id, 0, false, "row", "a row in this table", NULL);
    }
    printf("%u (event, version) cases checked, %u mismatches\n", checked, mismatches);
    assert_true(checked >= 150);
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_supported_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

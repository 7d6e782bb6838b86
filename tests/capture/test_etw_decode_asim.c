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
 * The second part decodes 257/258/261 (and 264) events whose PacketData holds real DNS
 * responses, passes each record through the ring encoding (which caps the packet at
 * AD_RECORD_MAX_PACKET) and checks DnsResponseName, the flags and the malformed-packet mark
 * against answers written by hand (zone-file RDATA, RFC 1035 §3.3, §5.1).
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
#include "tests/support/dns_packet.h"

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

/* ---- DnsResponseName from PacketData ---- */

/* Header + question "www.example.com" type qtype class IN; the name sits at offset 12. */
static void response(pkt *p, unsigned flags, unsigned qtype, unsigned an, unsigned ns)
{
    header(p, 0x1234, flags, 1, an);
    p->b[9] = (uint8_t)ns;
    putname(p, "www.example.com");
    put16(p, qtype);
    put16(p, 1);
}

static void rr_a(pkt *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    rr_head(p, 1, 4);
    put8(p, a);
    put8(p, b);
    put8(p, c);
    put8(p, d);
}

static size_t name_len(const char *dotted)
{
    return dotted[0] == '\0' ? 1 : strlen(dotted) + 2;
}

static void rr_name(pkt *p, unsigned type, const char *target)
{
    rr_head(p, type, (unsigned)name_len(target));
    putname(p, target);
}

static void rr_soa(pkt *p)
{
    rr_head(p, 6,
            (unsigned)(name_len("ns1.example.com") + name_len("hostmaster.example.com") + 20));
    putname(p, "ns1.example.com");
    putname(p, "hostmaster.example.com");
    put32(p, 2024010101ul);
    put32(p, 7200);
    put32(p, 3600);
    put32(p, 1209600);
    put32(p, 300);
}

static ad_event packet_ev;
static uint8_t record_buf[AD_RECORD_MAX_SIZE];

/* Builds event id with PacketData p (Flags field = the packet's flags), decodes it, passes it
 * through the record encoding and maps it. */
static void map_packet(uint16_t id, const pkt *p)
{
    ad_vb_values v;
    uint8_t unused[12];
    values(&v, (unsigned)p->b[2] << 8 | p->b[3], unused);
    v.packet = p->b;
    v.packet_len = (uint32_t)p->n;
    v.rcode = p->b[3] & 0x0fu;
    assert_true(ad_vb_server_event(&vb, id, false, &v));
    assert_false(vb.overflow);
    ad_etw_event_in in;
    memset(&in, 0, sizeof(in));
    in.provider = AD_PROVIDER_DNS_SERVER;
    in.source = AD_SOURCE_REPLAY;
    in.event_id = id;
    in.header_flags = AD_ETW_HEADER_FLAG_64_BIT;
    in.userdata = vb.buf;
    in.userdata_len = vb.len;
    ad_event ev;
    assert_int_equal(ad_etw_decode(&in, &ev, &scratch), AD_OK);
    size_t n;
    assert_int_equal(ad_record_encode(&ev, record_buf, sizeof(record_buf), &n), AD_OK);
    assert_int_equal(ad_record_decode(record_buf, n, &packet_ev), AD_OK);
    assert_int_equal(ad_asim_map(&packet_ev, 1, &host, &out), AD_OK);
}

static void expect_name(const char *want)
{
    char buf[AD_RECORD_MAX_STR + 1];
    const char *got = attr_text("DnsResponseName", buf, sizeof(buf));
    if (want == NULL) {
        if (got != NULL)
            fail_msg("DnsResponseName should be absent, got '%s'", got);
        return;
    }
    if (got == NULL)
        fail_msg("DnsResponseName missing, expected '%s'", want);
    if (strcmp(got, want) != 0)
        fail_msg("DnsResponseName '%s', expected '%s'", got, want);
}

static void expect_attr(const char *key, const char *want)
{
    char buf[128];
    const char *got = attr_text(key, buf, sizeof(buf));
    if (got == NULL || strcmp(got, want) != 0)
        fail_msg("%s: '%s', expected '%s'", key, got ? got : "(absent)", want);
}

static void expect_bool(const char *key, int want)
{
    const ad_attr *a = ad_asim_find(&out, key);
    if (a == NULL || a->kind != AD_ATTR_BOOL || a->num != want)
        fail_msg("%s: expected %s", key, want ? "true" : "false");
}

static void test_response_name_from_packet(void **state)
{
    (void)state;
    pkt p;
    ad_asim_host_init(&host, "dns01.corp.contoso.com");

    response(&p, 0x8180, 1, 2, 0); /* A, two answers */
    rr_a(&p, 192, 0, 2, 10);
    rr_a(&p, 192, 0, 2, 11);
    map_packet(257, &p);
    expect_name("192.0.2.10;192.0.2.11");
    assert_false(out.packet_malformed);
    expect_attr("DnsQueryClassName", "IN");
    expect_attr("DnsQueryClass", "1");

    response(&p, 0x8180, 28, 1, 0); /* AAAA */
    rr_head(&p, 28, 16);
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    for (int i = 0; i < 16; i++)
        put8(&p, v6[i]);
    map_packet(257, &p);
    expect_name("2001:db8::1");

    response(&p, 0x8180, 1, 3, 0); /* a CNAME chain ending in an address */
    rr_name(&p, 5, "a.example.net");
    rr_name(&p, 5, "b.example.net");
    rr_a(&p, 198, 51, 100, 7);
    map_packet(257, &p);
    expect_name("a.example.net.;b.example.net.;198.51.100.7");

    response(&p, 0x8580, 15, 2, 0); /* MX, authoritative */
    rr_head(&p, 15, (unsigned)(2 + name_len("mail.example.com")));
    put16(&p, 10);
    putname(&p, "mail.example.com");
    rr_head(&p, 15, (unsigned)(2 + name_len("mx2.example.com")));
    put16(&p, 20);
    putname(&p, "mx2.example.com");
    map_packet(257, &p);
    expect_name("10 mail.example.com.;20 mx2.example.com.");
    expect_bool("DnsFlagsAuthoritative", 1);

    response(&p, 0x8180, 33, 1, 0); /* SRV */
    rr_head(&p, 33, (unsigned)(6 + name_len("sip.example.com")));
    put16(&p, 0);
    put16(&p, 5);
    put16(&p, 5060);
    putname(&p, "sip.example.com");
    map_packet(257, &p);
    expect_name("0 5 5060 sip.example.com.");

    response(&p, 0x8180, 16, 1, 0); /* TXT, two strings */
    rr_head(&p, 16, 1 + 6 + 1 + 4);
    put8(&p, 6);
    for (const char *c = "v=spf1"; *c; c++)
        put8(&p, (uint8_t)*c);
    put8(&p, 4);
    for (const char *c = "-all"; *c; c++)
        put8(&p, (uint8_t)*c);
    map_packet(257, &p);
    expect_name("v=spf1 -all");

    response(&p, 0x8580, 6, 1, 0); /* SOA as the answer */
    rr_soa(&p);
    map_packet(257, &p);
    expect_name("ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300");

    /* NXDOMAIN: no answers, the zone's SOA in the authority section (RFC 2308 §3): no
       answer to show (the SOA is not taken for one), and nothing malformed. */
    response(&p, 0x8583, 1, 0, 1);
    rr_soa(&p);
    map_packet(258, &p);
    expect_name(NULL);
    assert_false(out.packet_malformed);
    expect_attr("EventResultDetails", "NXDOMAIN");
    expect_attr("EventResult", "Failure");

    /* 261: the upstream's answer (no RCODE field; RCODE from the header). */
    response(&p, 0x8180, 1, 1, 0);
    rr_a(&p, 203, 0, 113, 5);
    map_packet(261, &p);
    expect_name("203.0.113.5");
    expect_attr("EventResultDetails", "NOERROR");

    /* A DNS-truncated response (TC, no answers): no DnsResponseName, DnsFlagsTruncated. */
    response(&p, 0x8380, 1, 0, 0);
    map_packet(257, &p);
    expect_name(NULL);
    assert_false(out.packet_malformed);
    expect_bool("DnsFlagsTruncated", 1);
}

static void test_response_packet_cut_and_malformed(void **state)
{
    (void)state;
    pkt p;
    ad_asim_host_init(&host, "dns01.corp.contoso.com");

    /* Ten 250-byte TXT answers (2663 bytes): the record keeps AD_RECORD_MAX_PACKET (2048)
       bytes, which hold the first seven answers whole. Each shows 64 characters and "...". */
    response(&p, 0x8180, 16, 10, 0);
    for (int i = 0; i < 10; i++) {
        rr_head(&p, 16, 251);
        put8(&p, 250);
        for (int k = 0; k < 250; k++)
            put8(&p, (uint8_t)('a' + i));
    }
    assert_true(p.n > AD_RECORD_MAX_PACKET);
    map_packet(257, &p);
    assert_true(packet_ev.hdr.bits & AD_REC_PACKET_TRUNCATED);
    char want[1024] = "";
    for (int i = 0; i < 7; i++) {
        char item[80];
        memset(item, 'a' + i, 64);
        memcpy(item + 64, "...", 4);
        if (i > 0)
            strcat(want, ";");
        strcat(want, item);
    }
    expect_name(want);
    assert_false(out.packet_malformed);

    /* Malformed: two answers announced, the second's RDATA runs past the end. The record is
       still mapped, without DnsResponseName, and marked for the malformed counter. */
    response(&p, 0x8180, 1, 2, 0);
    rr_a(&p, 192, 0, 2, 10);
    rr_head(&p, 1, 4);
    put8(&p, 192);
    map_packet(257, &p);
    expect_name(NULL);
    assert_true(out.packet_malformed);
    expect_attr("EventResult", "Success");
    expect_attr("SrcIpAddr", PEER);

    /* A compression pointer to itself in an answer's name: malformed. */
    response(&p, 0x8180, 5, 1, 0);
    rr_head(&p, 5, 2);
    put16(&p, 0xc000 | (unsigned)p.n); /* points at itself */
    map_packet(257, &p);
    expect_name(NULL);
    assert_true(out.packet_malformed);

    /* Garbage shorter than a header: malformed, no header flags from it. */
    p.n = 0;
    put16(&p, 0x1234);
    put8(&p, 0x81);
    map_packet(258, &p);
    expect_name(NULL);
    assert_true(out.packet_malformed);
}

/* 264 has no Flags, TXID-less fields come from the event; the packet header supplies the flags
 * word, its booleans and the opcode (UPDATE). */
static void test_flags_from_packet_header(void **state)
{
    (void)state;
    pkt p;
    ad_asim_host_init(&host, "dns01.corp.contoso.com");
    response(&p, 0xAC00, 6, 0, 0); /* QR, opcode UPDATE, AA; zone section as the question */
    map_packet(264, &p);
    expect_attr("DnsFlags", "44032");
    expect_bool("DnsFlagsAuthoritative", 1);
    expect_bool("DnsFlagsRecursionDesired", 0);
    expect_bool("DnsFlagsTruncated", 0);
    expect_attr("EventType", "Update");
    expect_attr("EventResultDetails", "NOERROR");
    /* 273 (NOTIFY received) has no XID field: TransactionIdHex from the header. */
    response(&p, 0x2400, 6, 0, 0);
    map_packet(273, &p);
    expect_attr("TransactionIdHex", "1234");
    expect_attr("EventType", "Notify");
    expect_attr("DnsFlags", "9216");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_supported_event),
        cmocka_unit_test(test_response_name_from_packet),
        cmocka_unit_test(test_response_packet_cut_and_malformed),
        cmocka_unit_test(test_flags_from_packet_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the ASIM mapping. Every expected value is written by hand from
 * facts/asim-dns.md (§4.1 RCODE names, §4.2 client statuses, §4.3 QTYPE names, §5.5 flags,
 * §8 mapping decisions), not derived from the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include "exporter/asim.h"
#include "exporter/asim_json.h"

static ad_asim_host host;
static ad_asim out;

static int setup(void **state)
{
    (void)state;
    ad_asim_host_init(&host, "dns01.corp.contoso.com");
    return 0;
}

static void v4(ad_addr *a, uint8_t a0, uint8_t a1, uint8_t a2, uint8_t a3, int port)
{
    const uint8_t b[4] = {a0, a1, a2, a3};
    ad_addr_set_ipv4(a, b, port);
}

static void server_event(ad_event *ev, uint16_t id, const char *qname)
{
    ad_event_init(ev);
    ev->hdr.source = AD_SOURCE_REPLAY;
    ev->hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev->hdr.event_id = id;
    ev->hdr.time_ns = 1732528800123456700ULL;
    ev->hdr.sequence = 42;
    ad_event_set_str(ev, AD_STR_QNAME, qname, strlen(qname));
}

static void client_event(ad_event *ev, uint16_t id, const char *qname)
{
    server_event(ev, id, qname);
    ev->hdr.provider = AD_PROVIDER_DNS_CLIENT;
}

static const ad_attr *must_find(const char *key)
{
    const ad_attr *a = ad_asim_find(&out, key);
    if (a == NULL)
        fail_msg("attribute %s missing", key);
    return a;
}

static void expect_str(const char *key, const char *value)
{
    const ad_attr *a = must_find(key);
    assert_int_equal(a->kind, AD_ATTR_STR);
    if (a->len != strlen(value) || memcmp(a->str, value, a->len) != 0)
        fail_msg("%s: expected '%s', got '%.*s'", key, value, (int)a->len, a->str);
}

static void expect_int(const char *key, int64_t value)
{
    const ad_attr *a = must_find(key);
    assert_int_equal(a->kind, AD_ATTR_INT);
    assert_int_equal(a->num, value);
}

static void expect_bool(const char *key, int value)
{
    const ad_attr *a = must_find(key);
    assert_int_equal(a->kind, AD_ATTR_BOOL);
    assert_int_equal(a->num, value);
}

static void expect_absent(const char *key)
{
    if (ad_asim_find(&out, key) != NULL)
        fail_msg("attribute %s should be absent", key);
}

static void test_query_received_ipv4_udp(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 256, "www.contoso.com.");
    ev.hdr.present = AD_HAS_QTYPE | AD_HAS_XID | AD_HAS_DNS_FLAGS | AD_HAS_TRANSPORT | AD_HAS_RD;
    ev.hdr.qtype = 1;
    ev.hdr.xid = 30291;
    ev.hdr.dns_flags = 256;
    ev.hdr.bits = AD_BIT_RD;
    ev.hdr.transport = AD_TRANSPORT_UDP;
    v4(&ev.hdr.src, 10, 1, 2, 3, 53000);
    v4(&ev.hdr.dst, 10, 0, 0, 53, 53);
    v4(&ev.hdr.iface, 10, 0, 0, 53, -1);
    ad_event_set_str(&ev, AD_STR_GUID, "{A1B2}", 6);
    assert_int_equal(ad_asim_map(&ev, 0x1122334455667788ULL, &host, &out), AD_OK);

    expect_str("EventType", "Query");
    expect_str("EventSubType", "request");
    expect_str("EventResult", "NA");
    expect_str("EventResultDetails", "NA");
    expect_str("EventSeverity", "Informational");
    expect_str("EventOriginalType", "256");
    expect_str("EventProduct", "DNS Server");
    expect_str("EventVendor", "Microsoft");
    expect_str("EventSchema", "Dns");
    expect_str("EventSchemaVersion", "0.1.7");
    expect_int("EventCount", 1);
    expect_str("EventStartTime", "2024-11-25T10:00:00.123456700Z");
    expect_str("DnsQuery", "www.contoso.com");
    expect_int("DnsQueryType", 1);
    expect_str("DnsQueryTypeName", "A");
    expect_absent("DnsResponseCode");
    expect_absent("DnsResponseCodeName");
    expect_str("SrcIpAddr", "10.1.2.3");
    expect_int("SrcPortNumber", 53000);
    expect_str("Src", "10.1.2.3");
    expect_str("DstIpAddr", "10.0.0.53");
    expect_int("DstPortNumber", 53);
    expect_str("NetworkProtocol", "UDP");
    expect_str("NetworkProtocolVersion", "IPv4");
    expect_str("TransactionIdHex", "7653");
    expect_str("DnsFlags", "256");
    expect_bool("DnsFlagsRecursionDesired", 1);
    expect_bool("DnsFlagsAuthoritative", 0);
    expect_bool("DnsFlagsTruncated", 0);
    expect_str("DnsSessionId", "{A1B2}");
    expect_str("Dvc", "dns01.corp.contoso.com");
    expect_str("DvcHostname", "dns01");
    expect_str("DvcDomain", "corp.contoso.com");
    expect_str("DvcDomainType", "FQDN");
    expect_str("DvcIpAddr", "10.0.0.53");
    expect_str("asimdns.record_id", "1122334455667788-42");
    assert_int_equal(out.severity_number, 9);
    assert_string_equal(out.service_name, "windows_dns_server");
    assert_string_equal(out.body, "DNS Server Event: Query request (ID: 256)");
}

static void test_response_success_authoritative(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 257, "mail.fabrikam.net.");
    ev.hdr.present = AD_HAS_QTYPE | AD_HAS_RCODE | AD_HAS_AA | AD_HAS_AD | AD_HAS_ELAPSED |
                     AD_HAS_XID | AD_HAS_DNS_FLAGS;
    ev.hdr.qtype = 15;
    ev.hdr.rcode = 0;
    ev.hdr.bits = AD_BIT_AA;
    ev.hdr.elapsed_ms = 7;
    ev.hdr.xid = 40991;
    ev.hdr.dns_flags = 33152; /* 0x8180 QR|RD|RA, facts §5.5 sample */
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventSubType", "response");
    expect_str("EventResult", "Success");
    expect_str("EventResultDetails", "NOERROR");
    expect_int("DnsResponseCode", 0);
    expect_str("DnsResponseCodeName", "NOERROR");
    expect_str("DnsQueryTypeName", "MX");
    expect_bool("DnsFlagsAuthoritative", 1);
    expect_bool("DnsFlagsAuthenticated", 0);
    expect_bool("DnsFlagsRecursionAvailable", 1);
    expect_bool("DnsFlagsRecursionDesired", 1);
    expect_int("DnsNetworkDuration", 7);
    expect_str("TransactionIdHex", "a01f");
    expect_absent("NetworkProtocol");

    /* The record names the response's sender (the server, src) and receiver (the client,
       dst); ASIM's Src is the client that asked (§8: 257 Src = Destination). */
    v4(&ev.hdr.src, 10, 0, 0, 53, 53);
    v4(&ev.hdr.dst, 10, 9, 8, 7, 61000);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("SrcIpAddr", "10.9.8.7");
    expect_int("SrcPortNumber", 61000);
    expect_str("DstIpAddr", "10.0.0.53");
    expect_int("DstPortNumber", 53);
}

static void map_failure(uint32_t rcode)
{
    ad_event ev;
    server_event(&ev, 258, "x.example.org.");
    ev.hdr.present = AD_HAS_RCODE | AD_HAS_TRANSPORT;
    ev.hdr.rcode = rcode;
    ev.hdr.transport = AD_TRANSPORT_TCP;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
}

static void test_response_failures(void **state)
{
    (void)state;
    map_failure(3);
    expect_str("EventResult", "Failure");
    expect_str("EventResultDetails", "NXDOMAIN");
    expect_str("DnsResponseCodeName", "NXDOMAIN");
    expect_int("DnsResponseCode", 3);
    expect_str("EventSeverity", "Low");
    expect_str("NetworkProtocol", "TCP");
    assert_int_equal(out.severity_number, 13);
    map_failure(2);
    expect_str("EventResultDetails", "SERVFAIL");
    map_failure(5);
    expect_str("EventResultDetails", "REFUSED");
    map_failure(16);
    expect_str("EventResultDetails", "BADVERS");
    map_failure(3900);
    expect_str("EventResultDetails", "Reserved for Private Use");
    map_failure(30);
    expect_str("EventResultDetails", "Unassigned");
}

static void test_ignored_and_timeout(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 259, "blocked.example.org.");
    ad_event_set_str(&ev, AD_STR_REASON, "Policy", 6);
    ad_event_set_str(&ev, AD_STR_POLICY, "BlockList", 9);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventSubType", "response");
    expect_str("EventResult", "Failure");
    expect_str("EventResultDetails", "Unassigned"); /* §8: chosen to match the MS parsers */
    expect_str("RuleName", "BlockList");
    expect_str("EventOriginalResultDetails", "Policy");

    server_event(&ev, 262, "slow.example.org.");
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventResult", "Failure");
    expect_str("EventType", "Query");
}

static void test_recursion_response_rcode_from_flags(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 261, "a.example.org.");
    ev.hdr.present = AD_HAS_DNS_FLAGS;
    ev.hdr.dns_flags = 0x8183; /* response, RD|RA, RCODE 3 */
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventSubType", "response");
    expect_str("EventResult", "NA"); /* §8: 261 has no outcome of its own */
    expect_int("DnsResponseCode", 3);
}

static void test_ipv6_and_unknown_qtype(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 256, "v6.example.org.");
    const uint8_t b[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 1};
    ad_addr_set_ipv6(&ev.hdr.src, b, 5353);
    ev.hdr.present = AD_HAS_QTYPE;
    ev.hdr.qtype = 999;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("SrcIpAddr", "fd00:0:0:10::1");
    expect_str("NetworkProtocolVersion", "IPv6");
    expect_str("DnsQueryTypeName", "TYPE999");
    ev.hdr.qtype = 255;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("DnsQueryTypeName", "ANY");
    ev.hdr.qtype = 65535;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("DnsQueryTypeName", "Reserved");
}

static void test_opcode_update_and_notify(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 263, "host.corp.local.");
    ev.hdr.present = AD_HAS_DNS_FLAGS;
    ev.hdr.dns_flags = 5u << 11; /* opcode UPDATE */
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventType", "Update");
    server_event(&ev, 273, "corp.local.");
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventType", "Notify");
}

static void map_client(uint32_t status)
{
    ad_event ev;
    client_event(&ev, 3008, "login.contoso.com");
    ev.hdr.present = AD_HAS_QTYPE | AD_HAS_STATUS;
    ev.hdr.qtype = 28;
    ev.hdr.status = status;
    ev.hdr.pid = 4120;
    if (status == 0)
        ad_event_set_str(&ev, AD_STR_RESULTS, "::ffff:10.1.2.3;", 16);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
}

/* SrcProcessId: ClientPID when the event has it; the header's process id only for events
   logged in the requesting process (3006, 3008); none for Dnscache's own (3009, 3020). */
static void test_client_process_id(void **state)
{
    (void)state;
    static const struct {
        uint16_t id;
        bool client_pid;
        const char *want; /* NULL = absent */
    } cases[] = {
        {3006, false, "4120"}, {3008, false, "4120"}, {3009, false, NULL},
        {3020, false, NULL},   {3009, true, "777"},   {3008, true, "777"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_event ev;
        client_event(&ev, cases[i].id, "login.contoso.com");
        ev.hdr.pid = 4120;
        if (cases[i].client_pid) {
            ev.hdr.present |= AD_HAS_CLIENT_PID;
            ev.hdr.client_pid = 777;
        }
        assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
        if (cases[i].want != NULL)
            expect_str("SrcProcessId", cases[i].want);
        else
            expect_absent("SrcProcessId");
    }
}

/* SrcProcessName: the capture's image path of the header's process, with SrcProcessId, for
   3006 and 3008 only; left out for Dnscache's own events and where the id is ClientPID. */
static void test_client_process_name(void **state)
{
    (void)state;
    static const char image[] = "C:\\Program Files\\Contoso\\agent.exe";
    static const struct {
        uint16_t id;
        bool client_pid;
        bool named;
    } cases[] = {
        {3006, false, true},  {3008, false, true},  {3009, false, false},
        {3020, false, false}, {3016, false, false}, {3008, true, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_event ev;
        client_event(&ev, cases[i].id, "login.contoso.com");
        ev.hdr.pid = 4120;
        ad_event_set_str(&ev, AD_STR_PROCESS, image, sizeof(image) - 1);
        if (cases[i].client_pid) {
            ev.hdr.present |= AD_HAS_CLIENT_PID;
            ev.hdr.client_pid = 777;
        }
        assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
        if (cases[i].named) {
            expect_str("SrcProcessName", image);
            expect_str("SrcProcessId", "4120");
        } else {
            expect_absent("SrcProcessName");
        }
    }
    /* The capture found no name (process gone): the id alone. */
    ad_event ev;
    client_event(&ev, 3008, "login.contoso.com");
    ev.hdr.pid = 4120;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("SrcProcessId", "4120");
    expect_absent("SrcProcessName");
    /* DNS Server events never carry one. */
    server_event(&ev, 256, "corp.local.");
    ad_event_set_str(&ev, AD_STR_PROCESS, image, sizeof(image) - 1);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_absent("SrcProcessName");
}

static void test_client_statuses(void **state)
{
    (void)state;
    map_client(0);
    expect_str("EventProduct", "DNS Client");
    expect_str("EventResult", "Success");
    expect_str("EventResultDetails", "NOERROR");
    expect_int("DnsResponseCode", 0);
    expect_str("DnsResponseName", "::ffff:10.1.2.3;");
    expect_str("DnsQuery", "login.contoso.com");
    expect_str("DnsQueryTypeName", "AAAA");
    expect_str("Src", "dns01");
    expect_str("SrcProcessId", "4120");
    assert_string_equal(out.service_name, "windows_dns_client");
    map_client(9003);
    expect_str("EventResult", "Failure");
    expect_str("EventResultDetails", "NXDOMAIN");
    expect_int("DnsResponseCode", 3);
    map_client(1460);
    expect_str("EventResultDetails", "TIMEOUT");
    expect_int("DnsResponseCode", 1460);
    map_client(87);
    expect_str("EventResult", "Failure");
    expect_str("EventResultDetails", "NA");
}

/* Overwrites a large stretch of the stack below the caller (where ad_asim_map's frame was). */
static void __attribute__((noinline)) scribble_stack(void)
{
    volatile char junk[65536];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = 'X';
    (void)junk[0];
}

/* A query name taken from the packet outlives the mapping call (it is copied, not left
   pointing into ad_asim_map's stack frame, which the encoder's calls overwrite). */
static void test_query_name_from_packet_survives(void **state)
{
    (void)state;
    static const uint8_t q[] = {0x00, 0x07, 0x01, 0x00, 0,   1,   0,   0,   0,   0,   0,
                                0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
                                'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1};
    ad_event ev;
    server_event(&ev, 256, "");
    ev.str[AD_STR_QNAME].len = 0;
    ev.packet.ptr = (const char *)q;
    ev.packet.len = sizeof(q);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    scribble_stack();
    expect_str("DnsQuery", "www.example.com");
}

/* The longest query name text a packet can hold (255 wire bytes, every byte escaped as \DDD)
   maps in full next to every other text the mapping makes: the scratch space is sized for it. */
static void test_longest_escaped_name_fits(void **state)
{
    (void)state;
    static const uint8_t label_lengths[] = {63, 63, 63, 61}; /* 4 + 252 + 1 = 255 wire bytes */
    uint8_t q[12 + 255 + 4] = {0x00, 0x07, 0x01, 0x00, 0, 1};
    size_t n = 12, text_len = 0;
    for (size_t i = 0; i < sizeof(label_lengths); i++) {
        q[n++] = label_lengths[i];
        memset(q + n, 0x01, label_lengths[i]);
        n += label_lengths[i];
        text_len += 4u * label_lengths[i] + 1; /* "\001" per byte, then a dot */
    }
    q[n++] = 0;
    q[n++] = 0;
    q[n++] = 1;
    q[n++] = 0;
    q[n++] = 1;
    ad_event ev;
    server_event(&ev, 256, "");
    ev.str[AD_STR_QNAME].len = 0;
    v4(&ev.hdr.src, 192, 168, 100, 200, 53535);
    v4(&ev.hdr.dst, 10, 0, 0, 53, 53);
    ev.packet.ptr = (const char *)q;
    ev.packet.len = n;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    const ad_attr *a = must_find("DnsQuery");
    assert_int_equal(a->len, text_len - 1); /* the trailing dot is removed */
    assert_memory_equal(a->str, "\\001\\001", 8);
    expect_str("SrcIpAddr", "192.168.100.200");
}

/* DnsQueryClassName (facts/asim-dns.md §4.4): only the packet's question has a class; the
 * DNS Client's queries are IN; events without either have none. */
static void test_query_class(void **state)
{
    (void)state;
    ad_event ev;
    map_client(0);
    expect_int("DnsQueryClass", 1);
    expect_str("DnsQueryClassName", "IN");

    static const uint8_t chaos[] = {0x00, 0x07, 0x01, 0x00, 0,   1,   0,   0,   0,   0,
                                    0,    0,    7,    'v',  'e', 'r', 's', 'i', 'o', 'n',
                                    4,    'b',  'i',  'n',  'd', 0,   0,   16,  0,   3};
    server_event(&ev, 256, "version.bind.");
    ev.packet.ptr = (const char *)chaos;
    ev.packet.len = sizeof(chaos);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_int("DnsQueryClass", 3);
    expect_str("DnsQueryClassName", "CH");
    expect_int("DnsQueryType", 16); /* from the packet: the event carried no QTYPE */

    server_event(&ev, 259, "blocked.example.org.");
    ev.hdr.present = AD_HAS_QTYPE;
    ev.hdr.qtype = 1;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_absent("DnsQueryClass");
    expect_absent("DnsQueryClassName");
}

/* A dnstap response record carries the raw response; DnsResponseName comes from it. */
static void test_dnstap_response_name(void **state)
{
    (void)state;
    static const uint8_t resp[] = {
        0x12, 0x34, 0x81, 0x80, 0,   1,   0,   1, 0,   0,   0,   0,   3, 'w', 'w', 'w', 7,
        'e',  'x',  'a',  'm',  'p', 'l', 'e', 3, 'c', 'o', 'm', 0,   0, 1,   0,   1,   0xc0,
        12,   0,    1,    0,    1,   0,   0,   0, 60,  0,   4,   192, 0, 2,   7};
    ad_event ev;
    server_event(&ev, 257, "www.example.com.");
    ev.hdr.source = AD_SOURCE_DNSTAP;
    ev.hdr.bits = AD_BIT_RESPONSE;
    ev.packet.ptr = (const char *)resp;
    ev.packet.len = sizeof(resp);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("DnsResponseName", "192.0.2.7");
    expect_str("DnsFlags", "33152");
    expect_str("DnsQueryClassName", "IN");
    assert_false(out.packet_malformed);
}

static void test_unknown_provider_unsupported(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 256, "a.");
    ev.hdr.provider = AD_PROVIDER_UNKNOWN;
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_EUNSUPP);
}

static void test_dnstap_vendor(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 256, "a.example.");
    ev.hdr.source = AD_SOURCE_DNSTAP;
    ad_event_set_str(&ev, AD_STR_VERSION, "unbound 1.17.1", 14);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventVendor", "NLnet Labs");
    expect_str("EventProduct", "Unbound");
    assert_string_equal(out.service_name, "dns_server");
    ad_event_set_str(&ev, AD_STR_VERSION, "BIND 9.18.28-1~deb12u2-Debian", 29);
    assert_int_equal(ad_asim_map(&ev, 1, &host, &out), AD_OK);
    expect_str("EventVendor", "ISC");
}

static void test_json_line(void **state)
{
    (void)state;
    ad_event ev;
    server_event(&ev, 256, "q\"uote.");
    ev.hdr.present = AD_HAS_RD;
    assert_int_equal(ad_asim_map(&ev, 0, &host, &out), AD_OK);
    char buf[4096];
    ad_strbuf sb;
    ad_strbuf_init(&sb, buf, sizeof(buf));
    ad_asim_json_write(&out, &sb);
    assert_false(ad_strbuf_overflowed(&sb));
    assert_non_null(strstr(buf, "{\"EventCount\":1,\"EventStartTime\":\"2024-11-25T"));
    assert_non_null(strstr(buf, ",\"DnsQuery\":\"q\\\"uote\","));
    assert_non_null(strstr(buf, ",\"DnsFlagsRecursionDesired\":false,"));
    assert_int_equal(buf[sb.len - 1], '}');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_received_ipv4_udp),
        cmocka_unit_test(test_response_success_authoritative),
        cmocka_unit_test(test_response_failures),
        cmocka_unit_test(test_ignored_and_timeout),
        cmocka_unit_test(test_recursion_response_rcode_from_flags),
        cmocka_unit_test(test_ipv6_and_unknown_qtype),
        cmocka_unit_test(test_opcode_update_and_notify),
        cmocka_unit_test(test_client_statuses),
        cmocka_unit_test(test_client_process_id),
        cmocka_unit_test(test_client_process_name),
        cmocka_unit_test(test_query_name_from_packet_survives),
        cmocka_unit_test(test_longest_escaped_name_fits),
        cmocka_unit_test(test_query_class),
        cmocka_unit_test(test_dnstap_response_name),
        cmocka_unit_test(test_unknown_provider_unsupported),
        cmocka_unit_test(test_dnstap_vendor),
        cmocka_unit_test(test_json_line),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

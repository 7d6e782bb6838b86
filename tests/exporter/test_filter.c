/*
 * asimdns tests: exporter/filter.c with rules loaded from YAML (config/exporter_filters.c).
 * Every field kind; AND within a rule, OR between values and rules, first match wins; the
 * AMA connector's documented examples (connect-dns-ama.md "Advanced filter examples");
 * name patterns and CIDR edges (/0, /32, /128, IPv4-mapped IPv6); per-rule counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/exporter_config.h"
#include "exporter/filter.h"

static ad_exporter_config cfg;
static ad_filter flt;

static void load(const char *yaml)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    ad_err rc =
        ad_config_load_exporter_mem("t.yaml", yaml, strlen(yaml), NULL, &cfg, err, sizeof(err));
    if (rc != AD_OK)
        print_error("load failed: %s\n", err);
    assert_int_equal(rc, AD_OK);
    ad_filter_free(&flt);
    assert_int_equal(ad_filter_init(&flt, &cfg.filters, NULL), AD_OK);
}

static int teardown(void **state)
{
    (void)state;
    ad_filter_free(&flt);
    return 0;
}

static ad_event event(uint16_t id, int qtype, const char *qname)
{
    ad_event ev;
    ad_event_init(&ev);
    ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev.hdr.event_id = id;
    if (qtype >= 0) {
        ev.hdr.present |= AD_HAS_QTYPE;
        ev.hdr.qtype = (uint32_t)qtype;
    }
    if (qname != NULL)
        ad_event_set_str(&ev, AD_STR_QNAME, qname, strlen(qname));
    return ev;
}

static void set_ip(ad_addr *a, const char *text)
{
    memset(a, 0, sizeof(*a));
    assert_int_equal(ad_addr_parse(a, text, strlen(text)), AD_OK);
}

static bool keep(const ad_event *ev)
{
    return ad_filter_keep(&flt, ev);
}

/* Index of the deciding rule, -1 for none. */
static int rule(const ad_event *ev)
{
    return ad_filter_match(&flt, ev);
}

static void test_no_rules_keep_all(void **state)
{
    (void)state;
    load("ring: {name: r}\n");
    ad_event ev = event(256, 1, "www.example.com.");
    assert_true(keep(&ev));
    ad_event bare = event(0, -1, NULL);
    assert_true(keep(&bare));
}

static void test_event_ids_and_qtype(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: ids, event_ids: [256, 257]}\n"
         "  - {name: types, dns_query_type: [AAAA, 65, type99]}\n");
    ad_event a = event(256, 1, "x.com");
    assert_int_equal(rule(&a), 0);
    assert_false(keep(&a));
    ad_event b = event(258, 28, "x.com");
    assert_int_equal(rule(&b), 1);
    ad_event c = event(258, 65, "x.com");
    assert_int_equal(rule(&c), 1);
    ad_event c99 = event(258, 99, "x.com");
    assert_int_equal(rule(&c99), 1);
    ad_event d = event(258, 1, "x.com");
    assert_int_equal(rule(&d), -1);
    assert_true(keep(&d));
    ad_event none = event(258, -1, "x.com"); /* no query type: the qtype rule does not match */
    assert_int_equal(rule(&none), -1);
}

/* AMA: "EventOriginalType 256,257,260 AND DnsQueryTypeName AAAA" OR "230 AND BADKEY,NOTZONE". */
static void test_ama_example_event_ids_and_type(void **state)
{
    (void)state;
    load("filters:\n"
         "  - name: SampleFilter\n"
         "    event_ids: [256, 257, 260]\n"
         "    dns_query_type: [AAAA]\n"
         "  - name: EventResultDetails\n"
         "    event_ids: [230]\n"
         "    event_result_details: [BADKEY, NOTZONE]\n");
    ad_event aaaa256 = event(256, 28, "a.example");
    assert_false(keep(&aaaa256));
    ad_event aaaa260 = event(260, 28, "a.example");
    assert_false(keep(&aaaa260));
    ad_event a256 = event(256, 1, "a.example"); /* AND: type A is not excluded */
    assert_true(keep(&a256));
    ad_event aaaa258 = event(258, 28, "a.example");
    assert_true(keep(&aaaa258));
    /* 230 with RCODE BADKEY (17) is dropped, with NOERROR kept: the details the exporter
       writes, from the same view as the ASIM mapping. */
    ad_event e230 = event(230, 1, "a.example");
    e230.hdr.present |= AD_HAS_RCODE;
    e230.hdr.rcode = 17;
    assert_int_equal(rule(&e230), 1);
    assert_false(keep(&e230));
    ad_event ok230 = e230;
    ok230.hdr.rcode = 0;
    assert_int_equal(rule(&ok230), -1);
    ad_event notzone = e230;
    notzone.hdr.rcode = 10; /* NOTZONE */
    assert_int_equal(rule(&notzone), 1);
    ad_event other = e230;
    other.hdr.event_id = 231;
    assert_int_equal(rule(&other), -1);
}

/* AMA: DnsQuery "*.microsoft.com,*.google.com,facebook.com,*.amazon.com,center.local". */
static void test_ama_example_domains(void **state)
{
    (void)state;
    load("filters:\n"
         "  - name: SampleFilter\n"
         "    dns_query: ['*.microsoft.com', '*.google.com', facebook.com, '*.amazon.com',"
         " center.local]\n");
    static const struct {
        const char *name;
        bool kept;
    } cases[] = {
        {"www.microsoft.com", false},  {"a.b.microsoft.com.", false},
        {"microsoft.com", true}, /* wildcards are subdomains only */
        {"notmicrosoft.com", true},    {"facebook.com", false},
        {"FaceBook.COM.", false},      {"www.facebook.com", true}, /* no wildcard: the name only */
        {"center.local", false},       {"x.center.local", true},
        {"s3.amazon.com", false},      {"amazon.com", true},
        {"google.com.evil.net", true}, {"com", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ad_event ev = event(256, 1, cases[i].name);
        if (keep(&ev) != cases[i].kept)
            fail_msg("%s: expected %s", cases[i].name, cases[i].kept ? "kept" : "dropped");
    }
    ad_event noname = event(256, 1, NULL);
    assert_true(keep(&noname));
}

static void test_name_patterns(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: both, dns_query: ['**.corp.example']}\n"
         "  - {name: any, action: keep, dns_query: ['*']}\n"
         "  - {name: rest}\n");
    ad_event self = event(256, 1, "corp.example.");
    assert_int_equal(rule(&self), 0);
    ad_event sub = event(256, 1, "A.Corp.Example");
    assert_int_equal(rule(&sub), 0);
    ad_event other = event(256, 1, "xcorp.example");
    assert_int_equal(rule(&other), 1);
    assert_true(keep(&other));
    ad_event noname = event(256, 1, NULL); /* '*' needs a name: falls to the catch-all */
    assert_int_equal(rule(&noname), 2);
    assert_false(keep(&noname));
}

/* The name lookup (suffixes probed only at label counts and lengths some pattern has) against
   a plain reference: each rule's pattern compared with the lowered name without its trailing
   dot, over generated names with mixed case, empty labels and trailing dots. */
static bool ref_name_match(const char *pattern, int kind, const char *name)
{
    char low[128];
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
        n--;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
    low[n] = '\0';
    size_t p = strlen(pattern);
    bool self = strcmp(low, pattern) == 0;
    bool sub = n > p && low[n - p - 1] == '.' && strcmp(low + n - p, pattern) == 0;
    return kind == 0 ? self : kind == 1 ? sub : self || sub;
}

static void test_name_lookup_against_reference(void **state)
{
    (void)state;
    static const char *const pats[] = {"b.c", "x.y.z", "a", "ab.b.c", "c", "z"};
    static const char *const labels[] = {"a", "b", "c", "x", "y", "z", "ab", "B", "Xy", ""};
    static char yaml[2048];
    size_t len = (size_t)snprintf(yaml, sizeof(yaml), "filters:\n");
    /* rule 3k + kind: kind 0 exact, 1 '*.' subdomains, 2 '**.' both */
    for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++)
        len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
                                "  - {name: e%zu, dns_query: ['%s']}\n"
                                "  - {name: s%zu, dns_query: ['*.%s']}\n"
                                "  - {name: b%zu, dns_query: ['**.%s']}\n",
                                i, pats[i], i, pats[i], i, pats[i]);
    load(yaml);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned matched = 0;
    for (int t = 0; t < 20000; t++) {
        char name[96] = "";
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int nl = 1 + (int)(x % 5);
        for (int l = 0; l < nl; l++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (l > 0)
                strcat(name, ".");
            strcat(name, labels[x % 10 == 9 && l + 1 < nl ? 9 : x % 9]);
        }
        if (x & 0x100)
            strcat(name, ".");
        int want = -1;
        for (int r = 0; r < 18 && want < 0; r++)
            if (ref_name_match(pats[r / 3], r % 3, name))
                want = r;
        ad_event ev = event(256, 1, name);
        if (rule(&ev) != want)
            fail_msg("name '%s': rule %d, reference %d", name, rule(&ev), want);
        matched += want >= 0;
    }
    assert_true(matched > 1000); /* the generated names do reach the patterns */
}

static void test_first_match_and_keep(void **state)
{
    (void)state;
    /* Allow-list: keep 256 and 257 for corp names, drop everything else. */
    load("filters:\n"
         "  - {name: keep-corp, action: keep, event_ids: [256, 257], dns_query: ['**.corp']}\n"
         "  - {name: drop-all}\n");
    ad_event a = event(256, 1, "h.corp");
    assert_int_equal(rule(&a), 0);
    assert_true(keep(&a));
    ad_event b = event(256, 1, "h.example"); /* AND: the name does not match */
    assert_int_equal(rule(&b), 1);
    assert_false(keep(&b));
    ad_event c = event(258, 1, "h.corp");
    assert_false(keep(&c));
    /* Order matters: a drop before the keep wins. */
    load("filters:\n"
         "  - {name: no-aaaa, dns_query_type: [AAAA]}\n"
         "  - {name: keep-corp, action: keep, dns_query: ['**.corp']}\n"
         "  - {name: drop-all}\n");
    ad_event d = event(256, 28, "h.corp");
    assert_int_equal(rule(&d), 0);
    ad_event e = event(256, 1, "h.corp");
    assert_int_equal(rule(&e), 1);
}

static void test_provider_protocol_result(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: client, provider: dns_client}\n"
         "  - {name: tcp, network_protocol: TCP}\n"
         "  - {name: failed, event_result: Failure}\n");
    ad_event c = event(3008, 1, "x");
    c.hdr.provider = AD_PROVIDER_DNS_CLIENT;
    assert_int_equal(rule(&c), 0);
    ad_event t = event(256, 1, "x");
    t.hdr.present |= AD_HAS_TRANSPORT;
    t.hdr.transport = AD_TRANSPORT_DOT; /* exported as NetworkProtocol TCP */
    assert_int_equal(rule(&t), 1);
    t.hdr.transport = AD_TRANSPORT_UDP;
    assert_int_equal(rule(&t), -1);
    /* 258 (RESPONSE_FAILURE) with NXDOMAIN: EventResult Failure; 257 is Success always. */
    ad_event r = event(258, 1, "x");
    r.hdr.present |= AD_HAS_RCODE;
    r.hdr.rcode = 3;
    assert_int_equal(rule(&r), 2);
    r.hdr.event_id = 257;
    assert_int_equal(rule(&r), -1);
}

static void test_result_details(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: nx, event_result_details: [nxdomain, SERVFAIL]}\n");
    ad_event r = event(257, 1, "x");
    r.hdr.present |= AD_HAS_RCODE;
    r.hdr.rcode = 3;
    assert_false(keep(&r));
    r.hdr.rcode = 2;
    assert_false(keep(&r));
    r.hdr.rcode = 5;
    assert_true(keep(&r));
    ad_event q = event(256, 1, "x"); /* a request: details NA */
    assert_true(keep(&q));
}

static void test_cidr_fields(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: src, src_ip: [10.0.0.0/8, '2001:db8::/32']}\n"
         "  - {name: dst, dst_ip: [192.0.2.7/32, '2001:db8::1/128']}\n"
         "  - {name: dvc, dvc_ip: [198.51.100.0/24]}\n");
    ad_event ev = event(256, 1, "x"); /* 256: a query, src is the client */
    set_ip(&ev.hdr.src, "10.1.2.3");
    assert_int_equal(rule(&ev), 0);
    set_ip(&ev.hdr.src, "11.0.0.0");
    assert_int_equal(rule(&ev), -1);
    set_ip(&ev.hdr.src, "::ffff:10.9.9.9"); /* IPv4-mapped IPv6 matches the IPv4 rule */
    assert_int_equal(rule(&ev), 0);
    set_ip(&ev.hdr.src, "2001:db8:ffff::1");
    assert_int_equal(rule(&ev), 0);
    set_ip(&ev.hdr.src, "2001:db9::");
    assert_int_equal(rule(&ev), -1);
    set_ip(&ev.hdr.dst, "192.0.2.7");
    assert_int_equal(rule(&ev), 1);
    set_ip(&ev.hdr.dst, "192.0.2.8"); /* /32: that address only */
    assert_int_equal(rule(&ev), -1);
    set_ip(&ev.hdr.dst, "2001:db8::1");
    assert_int_equal(rule(&ev), 1);
    set_ip(&ev.hdr.dst, "2001:db8::2"); /* /128 */
    assert_int_equal(rule(&ev), -1);
    set_ip(&ev.hdr.iface, "198.51.100.255");
    assert_int_equal(rule(&ev), 2);
    set_ip(&ev.hdr.iface, "198.51.101.0");
    assert_int_equal(rule(&ev), -1);
    /* 257 is a response: SrcIpAddr is the receiver (dst), as exported. */
    ad_event resp = event(257, 1, "x");
    set_ip(&resp.hdr.dst, "10.0.0.1");
    set_ip(&resp.hdr.src, "203.0.113.1");
    assert_int_equal(rule(&resp), 0);
    ad_event noaddr = event(256, 1, "x");
    assert_int_equal(rule(&noaddr), -1);
}

static void test_cidr_zero_prefixes(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: v4, src_ip: [0.0.0.0/0]}\n"
         "  - {name: v6, src_ip: ['::/0']}\n");
    ad_event ev = event(256, 1, "x");
    set_ip(&ev.hdr.src, "255.255.255.255");
    assert_int_equal(rule(&ev), 0); /* 0.0.0.0/0 is every IPv4 address */
    set_ip(&ev.hdr.src, "0.0.0.0");
    assert_int_equal(rule(&ev), 0);
    set_ip(&ev.hdr.src, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_int_equal(rule(&ev), 1); /* ::/0 is every address; IPv4 ones hit v4 first */
    set_ip(&ev.hdr.src, "::");
    assert_int_equal(rule(&ev), 1);
    set_ip(&ev.hdr.src, "::fffe:ffff:ffff"); /* just below ::ffff:0:0/96 */
    assert_int_equal(rule(&ev), 1);
    load("filters:\n"
         "  - {name: mapped, src_ip: ['::ffff:0:0/96']}\n"
         "  - {name: top, src_ip: ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128']}\n");
    set_ip(&ev.hdr.src, "1.2.3.4"); /* IPv4 equals its mapped form */
    assert_int_equal(rule(&ev), 0);
    set_ip(&ev.hdr.src, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_int_equal(rule(&ev), 1);
    set_ip(&ev.hdr.src, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
    assert_int_equal(rule(&ev), -1);
}

static void test_overlapping_cidrs(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: narrow, action: keep, src_ip: [10.1.0.0/16]}\n"
         "  - {name: wide, src_ip: [10.0.0.0/8]}\n");
    ad_event ev = event(256, 1, "x");
    set_ip(&ev.hdr.src, "10.1.255.255");
    assert_int_equal(rule(&ev), 0);
    set_ip(&ev.hdr.src, "10.2.0.0");
    assert_int_equal(rule(&ev), 1);
    set_ip(&ev.hdr.src, "10.0.255.255");
    assert_int_equal(rule(&ev), 1);
    set_ip(&ev.hdr.src, "9.255.255.255");
    assert_int_equal(rule(&ev), -1);
}

static void test_counters(void **state)
{
    (void)state;
    load("filters:\n"
         "  - {name: a, event_ids: [256]}\n"
         "  - {name: never, event_ids: [999]}\n"
         "  - {name: k, action: keep, event_ids: [257]}\n");
    ad_event a = event(256, 1, "x"), k = event(257, 1, "x"), n = event(258, 1, "x");
    assert_false(keep(&a));
    assert_false(keep(&a));
    assert_true(keep(&k));
    assert_true(keep(&n));
    assert_int_equal(ad_atomic_load_relaxed(&flt.hits[0]), 2);
    assert_int_equal(ad_atomic_load_relaxed(&flt.hits[1]), 0);
    assert_int_equal(ad_atomic_load_relaxed(&flt.hits[2]), 1);
}

static void test_64_rules(void **state)
{
    (void)state;
    static char yaml[16384];
    size_t len = (size_t)snprintf(yaml, sizeof(yaml), "filters:\n");
    for (int i = 0; i < 64; i++)
        len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
                                "  - {name: r%d, event_ids: [%d]}\n", i, 1000 + i);
    load(yaml);
    ad_event last = event(1063, 1, "x");
    assert_int_equal(rule(&last), 63);
    ad_event first = event(1000, 1, "x");
    assert_int_equal(rule(&first), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_no_rules_keep_all, teardown),
        cmocka_unit_test_teardown(test_event_ids_and_qtype, teardown),
        cmocka_unit_test_teardown(test_ama_example_event_ids_and_type, teardown),
        cmocka_unit_test_teardown(test_ama_example_domains, teardown),
        cmocka_unit_test_teardown(test_name_patterns, teardown),
        cmocka_unit_test_teardown(test_name_lookup_against_reference, teardown),
        cmocka_unit_test_teardown(test_first_match_and_keep, teardown),
        cmocka_unit_test_teardown(test_provider_protocol_result, teardown),
        cmocka_unit_test_teardown(test_result_details, teardown),
        cmocka_unit_test_teardown(test_cidr_fields, teardown),
        cmocka_unit_test_teardown(test_cidr_zero_prefixes, teardown),
        cmocka_unit_test_teardown(test_overlapping_cidrs, teardown),
        cmocka_unit_test_teardown(test_counters, teardown),
        cmocka_unit_test_teardown(test_64_rules, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

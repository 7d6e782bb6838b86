/*
 * asimdns: tests for common/event_catalog: each event's name and ASIM values against tables
 * written by hand from facts/etw-dns-providers.md §2.3, §3.3 and facts/asim-dns.md §5.2, §8,
 * result evaluation, lookups, and the README's event table against the catalogue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/compiler.h"
#include "common/event_catalog.h"

/* ---------------------------------------------------------------------------------------- */
/* ---------------------------------------------------------------------------------------- */
/* Event ids                                                                                  */
/* ---------------------------------------------------------------------------------------- */

typedef struct expected_event {
    uint32_t id;
    const char *name;
    const char *type;
    const char *subtype;
    ad_result_rule rule;
    const char *details; /* fixed EventResultDetails or NULL */
} expected_event;

/*
 * Names: etw §2.3. Type/subtype/rule: asim §8 (and §5.2 where §8 defers to it); 281-291 and
 * the 259/262/291 details are the choices documented in event_catalog.c.
 */
static const expected_event server_events[] = {
    {256, "QUERY_RECEIVED", "Query", "request", AD_RULE_REQUEST, NULL},
    {257, "RESPONSE_SUCCESS", "Query", "response", AD_RULE_SUCCESS, NULL},
    {258, "RESPONSE_FAILURE", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {259, "IGNORED_QUERY", "Query", "response", AD_RULE_FAILURE, "Unassigned"},
    {260, "RECURSE_QUERY_OUT", "Query", "request", AD_RULE_REQUEST, NULL},
    {261, "RECURSE_RESPONSE_IN", "Query", "response", AD_RULE_NA, NULL},
    {262, "RECURSE_QUERY_TIMEOUT", "Query", "response", AD_RULE_FAILURE, "Unassigned"},
    {263, "DYN_UPDATE_RECV", "Update", "request", AD_RULE_REQUEST, NULL},
    {264, "DYN_UPDATE_RESPONSE", "Update", "response", AD_RULE_FROM_RCODE, NULL},
    {265, "IXFR_REQ_OUT", "Query", "request", AD_RULE_REQUEST, NULL},
    {266, "IXFR_REQ_RECV", "Query", "request", AD_RULE_REQUEST, NULL},
    {267, "IXFR_RESP_OUT", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {268, "IXFR_RESP_RECV", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {269, "AXFR_REQ_OUT", "Query", "request", AD_RULE_REQUEST, NULL},
    {270, "AXFR_REQ_RECV", "Query", "request", AD_RULE_REQUEST, NULL},
    {271, "AXFR_RESP_OUT", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {272, "AXFR_RESP_RECV", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {273, "XFR_NOTIFY_RECV", "Notify", "request", AD_RULE_REQUEST, NULL},
    {274, "XFR_NOTIFY_OUT", "Notify", "request", AD_RULE_REQUEST, NULL},
    {275, "XFR_NOTIFY_ACK_IN", "Notify", "response", AD_RULE_SUCCESS, NULL},
    {276, "XFR_NOTIFY_ACK_OUT", "Notify", "response", AD_RULE_SUCCESS, NULL},
    {277, "DYN_UPDATE_FORWARD", "Update", "request", AD_RULE_REQUEST, NULL},
    {278, "DYN_UPDATE_RESPONSE_IN", "Update", "response", AD_RULE_FROM_RCODE, NULL},
    {279, "INTERNAL_LOOKUP_CNAME", "Query", "response", AD_RULE_NA, NULL},
    {280, "INTERNAL_LOOKUP_ADDITIONAL", "Query", "response", AD_RULE_NA, NULL},
    {281, "RRL_TO_BE_DROPPED_RESPONSE", "Query", "response", AD_RULE_FAILURE, NULL},
    {282, "RRL_TO_BE_TRUNCATED_RESPONSE", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {283, "RRL_TO_BE_LEAKED_RESPONSE", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {284, "RESPONSE_SUCCESS", "Query", "response", AD_RULE_SUCCESS, NULL},
    {285, "RESPONSE_FAILURE", "Query", "response", AD_RULE_FROM_RCODE, NULL},
    {286, "RECURSE_ALIAS_FAILURE", "Query", "response", AD_RULE_FAILURE, NULL},
    {287, "QUERY_RECEIVED", "Query", "request", AD_RULE_REQUEST, NULL},
    {288, "DNSSEC_VALIDATION_FAILURE", "Query", "response", AD_RULE_FAILURE, NULL},
    {289, "RECURSE_QUERY_OUT", "Query", "request", AD_RULE_REQUEST, NULL},
    {290, "RECURSE_RESPONSE_IN", "Query", "response", AD_RULE_NA, NULL},
    {291, "RECURSE_QUERY_TIMEOUT", "Query", "response", AD_RULE_FAILURE, "Unassigned"},
};

/* Ids: etw §3.3/§3.4; 1013-1018 names: the manifest task names; mapping: dns_tables.c. */
static const expected_event client_events[] = {
    {3000, "QueryInitiated", "Query", "request", AD_RULE_REQUEST, NULL},
    {3001, "QueryCompletedStatus", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3006, "QueryCalled", "Query", "request", AD_RULE_REQUEST, NULL},
    {3007, "QueryPending", "Query", "request", AD_RULE_REQUEST, NULL},
    {3008, "QueryCompleted", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3009, "NetworkQueryInitiated", "Query", "request", AD_RULE_REQUEST, NULL},
    {3010, "QuerySentToServer", "Query", "request", AD_RULE_REQUEST, NULL},
    {3011, "ResponseReceived", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3013, "NetbiosQueryCompleted", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3015, "QueryCanceled", "Query", "response", AD_RULE_FAILURE, "NA"},
    {3016, "CacheLookupCalled", "Query", "request", AD_RULE_REQUEST, NULL},
    {3018, "CacheLookupReturned", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3019, "QueryWireCalled", "Query", "request", AD_RULE_REQUEST, NULL},
    {3020, "QueryWireResponse", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {1013, "DnsAllServersTimeout", "Query", "response", AD_RULE_FAILURE, "TIMEOUT"},
    {1014, "DnsAllServersTimeoutSystem", "Query", "response", AD_RULE_FAILURE, "TIMEOUT"},
    {1015, "DnsServerTimeout", "Query", "response", AD_RULE_FAILURE, "TIMEOUT"},
    {1016, "DnsNameError", "Query", "response", AD_RULE_FAILURE, "NXDOMAIN"},
    {1017, "DnsAuthoritativeResponse", "Query", "response", AD_RULE_FAILURE, "NA"},
    {1018, "DnsLinkLocal", "Query", "response", AD_RULE_SUCCESS, "NOERROR"},
};

static void check_events(ad_provider provider, const expected_event *ev, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const ad_event_def *info = ad_event_def_find(provider, ev[i].id);
        assert_non_null(info);
        assert_int_equal(info->provider, provider);
        assert_int_equal(info->id, ev[i].id);
        assert_string_equal(info->name, ev[i].name);
        assert_string_equal(ad_asim_type_name(info->type), ev[i].type);
        assert_string_equal(ad_asim_subtype_name(info->subtype), ev[i].subtype);
        assert_int_equal(info->rule, ev[i].rule);
        if (ev[i].details == NULL)
            assert_null(info->details);
        else
            assert_string_equal(info->details, ev[i].details);
        assert_int_equal(info->flags & AD_EVF_AUDIT, 0);
    }
}

static void test_server_events(void **state)
{
    uint32_t id;
    (void)state;

    assert_int_equal(AD_ARRAY_LEN(server_events), 291 - 256 + 1);
    check_events(AD_PROVIDER_DNS_SERVER, server_events, AD_ARRAY_LEN(server_events));
    /* The EDNS variants (etw §2.3) carry the flag; the originals do not. */
    for (id = 256; id <= 291; id++) {
        const ad_event_def *info = ad_event_def_find(AD_PROVIDER_DNS_SERVER, id);
        bool edns = id == 284 || id == 285 || id == 287 || id == 289 || id == 290 || id == 291;
        assert_non_null(info);
        assert_int_equal((info->flags & AD_EVF_EDNS) != 0, edns);
    }
}

static void test_server_audit_and_unknown(void **state)
{
    const ad_event_def *a;
    const ad_event_def *b;
    (void)state;

    a = ad_event_def_find(AD_PROVIDER_DNS_SERVER, 512);
    assert_non_null(a);
    assert_string_equal(a->name, "AUDIT");
    assert_true(a->flags & AD_EVF_AUDIT);
    assert_int_equal(a->provider, AD_PROVIDER_DNS_SERVER);
    assert_int_equal(a->id, 512);
    assert_string_equal(ad_asim_type_name(a->type), "Update");
    assert_int_equal(a->subtype, AD_ASIM_SUBTYPE_NONE);
    assert_int_equal(a->rule, AD_RULE_SUCCESS);
    /* One shared entry for every audit id (etw §2.7: 512-596 known) but 519/520. */
    b = ad_event_def_find(AD_PROVIDER_DNS_SERVER, 541);
    assert_non_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 519));
    assert_ptr_not_equal(a, ad_event_def_find(AD_PROVIDER_DNS_SERVER, 519));
    assert_string_equal(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 520)->peer_field, "Source");
    assert_ptr_equal(a, b);
    assert_ptr_equal(a, ad_event_def_find(AD_PROVIDER_DNS_SERVER, 596));
    assert_ptr_equal(a, ad_event_def_find(AD_PROVIDER_DNS_SERVER, 999));

    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 0));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 1));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 255));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 292));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 511));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 1000));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 3008));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 65535));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 4294967295u));
    /* 256 + 65536 must not alias 256 through a 16-bit truncation. */
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_SERVER, 65536u + 256u));
    assert_null(ad_event_def_find(AD_PROVIDER_UNKNOWN, 256));
    assert_null(ad_event_def_find(AD_PROVIDER__COUNT, 256));
}

static void test_client_events(void **state)
{
    static const uint32_t missing[] = {0,    1000, 1012, 1019, 1028, 2999,
                                       3017, 3021, 3024, 256,  512,  65535};
    size_t i;
    (void)state;

    check_events(AD_PROVIDER_DNS_CLIENT, client_events, AD_ARRAY_LEN(client_events));
    for (i = 0; i < AD_ARRAY_LEN(missing); i++)
        assert_null(ad_event_def_find(AD_PROVIDER_DNS_CLIENT, missing[i]));
    assert_null(ad_event_def_find(AD_PROVIDER_DNS_CLIENT, 65536u + 3008u));
    /* Client ids belong to the client provider only. */
    assert_null(ad_event_def_find(AD_PROVIDER_UNKNOWN, 3008));
}

/* ---------------------------------------------------------------------------------------- */
/* Result evaluation                                                                          */
/* ---------------------------------------------------------------------------------------- */

static void check_eval(ad_provider p, uint32_t id, bool has_rcode, uint32_t rcode, bool has_status,
                       uint32_t status, const char *result, const char *details)
{
    const char *d = NULL;
    const ad_event_def *info = ad_event_def_find(p, id);
    ad_asim_result r;

    assert_non_null(info);
    r = ad_event_result_eval(info, has_rcode, rcode, has_status, status, &d);
    assert_string_equal(ad_asim_result_name(r), result);
    assert_non_null(d);
    assert_string_equal(d, details);
}

static void test_server_result_eval(void **state)
{
    const ad_provider S = AD_PROVIDER_DNS_SERVER;
    const char *d = NULL;
    (void)state;

    /* Requests: NA / NA, even when an RCODE field exists (277). */
    check_eval(S, 256, false, 0, false, 0, "NA", "NA");
    check_eval(S, 256, true, 3, false, 0, "NA", "NA");
    check_eval(S, 260, false, 0, false, 0, "NA", "NA");
    check_eval(S, 277, true, 0, false, 0, "NA", "NA");
    /* 257: "Success regardless"; details = RCODE name. */
    check_eval(S, 257, true, 0, false, 0, "Success", "NOERROR");
    check_eval(S, 257, true, 3, false, 0, "Success", "NXDOMAIN");
    /* Based on RCODE. */
    check_eval(S, 258, true, 0, false, 0, "Success", "NOERROR");
    check_eval(S, 258, true, 2, false, 0, "Failure", "SERVFAIL");
    check_eval(S, 258, true, 5, false, 0, "Failure", "REFUSED");
    check_eval(S, 258, true, 16, false, 0, "Failure", "BADVERS");
    check_eval(S, 258, true, 4000, false, 0, "Failure", "Reserved for Private Use");
    check_eval(S, 258, true, 14, false, 0, "Failure", "Unassigned");
    check_eval(S, 258, false, 0, false, 0, "Failure", "Unassigned");
    check_eval(S, 264, true, 0, false, 0, "Success", "NOERROR");
    check_eval(S, 264, true, 8, false, 0, "Failure", "NXRRSET");
    check_eval(S, 272, true, 9, false, 0, "Failure", "NOTAUTH");
    check_eval(S, 278, true, 0, false, 0, "Success", "NOERROR");
    /* 259/262: Failure, details picked "Unassigned". */
    check_eval(S, 259, false, 0, false, 0, "Failure", "Unassigned");
    check_eval(S, 262, false, 0, false, 0, "Failure", "Unassigned");
    check_eval(S, 291, false, 0, false, 0, "Failure", "Unassigned");
    /* 261: NA; details from Flags & 0xF when the decoder supplies it. */
    check_eval(S, 261, false, 0, false, 0, "NA", "Unassigned");
    check_eval(S, 261, true, 0, false, 0, "NA", "NOERROR");
    check_eval(S, 261, true, 3, false, 0, "NA", "NXDOMAIN");
    check_eval(S, 279, false, 0, false, 0, "NA", "Unassigned");
    /* Notify ACK: Success. */
    check_eval(S, 275, false, 0, false, 0, "Success", "Unassigned");
    check_eval(S, 276, true, 0, false, 0, "Success", "NOERROR");
    /* Audit: Success, "NA". */
    check_eval(S, 512, false, 0, false, 0, "Success", "NA");
    /* A status is ignored by RCODE rules. */
    check_eval(S, 258, true, 0, true, 9003, "Success", "NOERROR");

    /* NULL info behaves as the NA rule; details pointer optional. */
    assert_int_equal(ad_event_result_eval(NULL, false, 0, false, 0, &d), AD_ASIM_RESULT_NA);
    assert_string_equal(d, "Unassigned");
    assert_int_equal(ad_event_result_eval(NULL, true, 2, false, 0, &d), AD_ASIM_RESULT_NA);
    assert_string_equal(d, "SERVFAIL");
    assert_int_equal(ad_event_result_eval(ad_event_def_find(S, 258), true, 3, false, 0, NULL),
                     AD_ASIM_RESULT_FAILURE);
}

static void test_client_result_eval(void **state)
{
    const ad_provider C = AD_PROVIDER_DNS_CLIENT;
    (void)state;

    /* Sysmon rule (asim §6): Success iff status 0; details from §4.2. */
    check_eval(C, 3008, false, 0, true, 0, "Success", "NOERROR");
    check_eval(C, 3008, false, 0, true, 9003, "Failure", "NXDOMAIN");
    check_eval(C, 3008, false, 0, true, 1460, "Failure", "TIMEOUT");
    check_eval(C, 3008, false, 0, true, 9501, "Failure", "NA");
    check_eval(C, 3008, false, 0, true, 87, "Failure", "NA");
    check_eval(C, 3008, false, 0, false, 0, "Failure", "NA");
    check_eval(C, 3011, false, 0, true, 9002, "Failure", "SERVFAIL");
    check_eval(C, 3018, false, 0, true, 0, "Success", "NOERROR");
    check_eval(C, 3020, false, 0, true, 9016, "Failure", "BADVERS");
    /* An RCODE is ignored by the status rule. */
    check_eval(C, 3020, true, 0, true, 9003, "Failure", "NXDOMAIN");
    /* Requests. */
    check_eval(C, 3006, false, 0, false, 0, "NA", "NA");
    check_eval(C, 3010, false, 0, false, 0, "NA", "NA");
    check_eval(C, 3019, false, 0, true, 0, "NA", "NA");
    /* 1013-1018: fixed. */
    check_eval(C, 1013, false, 0, false, 0, "Failure", "TIMEOUT");
    check_eval(C, 1014, false, 0, false, 0, "Failure", "TIMEOUT");
    check_eval(C, 1015, false, 0, false, 0, "Failure", "TIMEOUT");
    check_eval(C, 1016, false, 0, false, 0, "Failure", "NXDOMAIN");
    check_eval(C, 1017, false, 0, false, 0, "Failure", "NA");
    check_eval(C, 1018, false, 0, false, 0, "Success", "NOERROR");
}

/* ---------------------------------------------------------------------------------------- */
/* Endpoint fields and the README's event table                                               */
/* ---------------------------------------------------------------------------------------- */

/* Which wire field feeds which ASIM endpoint, by hand from facts §2.4 and asim §8. */
static void test_endpoint_fields(void **state)
{
    (void)state;
    static const struct {
        ad_provider p;
        uint16_t id;
        const char *src, *src_port, *dst, *dst_port;
    } rows[] = {
        {AD_PROVIDER_DNS_SERVER, 256, "Source", "Port", "InterfaceIP", NULL},
        {AD_PROVIDER_DNS_SERVER, 257, "Destination", "Port", "InterfaceIP", NULL},
        {AD_PROVIDER_DNS_SERVER, 259, "Source", NULL, "InterfaceIP", NULL},
        {AD_PROVIDER_DNS_SERVER, 262, "InterfaceIP", NULL, "Destination", "Port"},
        {AD_PROVIDER_DNS_SERVER, 277, "ForwardInterfaceIP", NULL, "Destination", NULL},
        {AD_PROVIDER_DNS_SERVER, 279, "Source", "Port", "InterfaceIP", NULL},
        {AD_PROVIDER_DNS_SERVER, 291, "InterfaceIP", NULL, "Destination", "Port"},
        {AD_PROVIDER_DNS_SERVER, 288, NULL, NULL, NULL, NULL},
        {AD_PROVIDER_DNS_SERVER, 520, "Source", NULL, NULL, NULL},
        {AD_PROVIDER_DNS_SERVER, 600, NULL, NULL, NULL, NULL},
        {AD_PROVIDER_DNS_CLIENT, 3011, NULL, NULL, "DnsServerIpAddress", NULL},
        {AD_PROVIDER_DNS_CLIENT, 1018, NULL, NULL, "DnsAddress", NULL},
        {AD_PROVIDER_DNS_CLIENT, 3008, NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < AD_ARRAY_LEN(rows); i++) {
        const ad_event_def *d = ad_event_def_find(rows[i].p, rows[i].id);
        assert_non_null(d);
        const char *got[4] = {ad_event_def_src_field(d), ad_event_def_src_port_field(d),
                              ad_event_def_dst_field(d), ad_event_def_dst_port_field(d)};
        const char *want[4] = {rows[i].src, rows[i].src_port, rows[i].dst, rows[i].dst_port};
        for (int k = 0; k < 4; k++) {
            if ((got[k] == NULL) != (want[k] == NULL) ||
                (got[k] != NULL && strcmp(got[k], want[k]) != 0))
                fail_msg("event %u field %d: %s, expected %s", rows[i].id, k, got[k] ? got[k] : "-",
                         want[k] ? want[k] : "-");
        }
    }
    /* Every row is found again by its id; templates exist for version 0. */
    for (size_t i = 0; i < ad_event_def_count(); i++) {
        const ad_event_def *d = ad_event_def_at(i);
        assert_ptr_equal(ad_event_def_find(d->provider, d->id), d);
        assert_int_not_equal(ad_event_def_tmpl(d, 0), AD_TMPL_NONE);
        assert_string_not_equal(ad_tmpl_name(ad_event_def_tmpl(d, 0)), "");
    }
    assert_null(ad_event_def_at(ad_event_def_count()));
}

/* The README table, made from the catalogue (the only place the events are described). */
static size_t catalog_markdown(char *buf, size_t cap)
{
    static const char *const rules[AD_RULE__COUNT] = {
        [AD_RULE_REQUEST] = "NA",      [AD_RULE_FROM_RCODE] = "by RCODE",
        [AD_RULE_SUCCESS] = "Success", [AD_RULE_FAILURE] = "Failure",
        [AD_RULE_NA] = "NA",           [AD_RULE_FROM_STATUS] = "by status",
    };
    static const char *const msgs[] = {"-", "request", "response"};
    size_t n = 0;
#define OUT(...) n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__)
    OUT("| provider | id | name | template | message | SrcIpAddr | SrcPortNumber | DstIpAddr "
        "| DstPortNumber | EventType | EventSubType | EventResult |\n");
    OUT("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < ad_event_def_count(); i++) {
        const ad_event_def *d = ad_event_def_at(i);
        OUT("| %s | %u", d->provider == AD_PROVIDER_DNS_SERVER ? "DNS Server" : "DNS Client",
            d->id);
        if (d->id_last != d->id)
            OUT("-%u (others)", d->id_last);
        OUT(" | %s | ", d->name);
        if (d->tmpl[0] == AD_TMPL_AUDIT) {
            OUT("per id (facts §2.7)");
        } else if (d->tmpl[1] == AD_TMPL_NONE && d->tmpl[2] == AD_TMPL_NONE) {
            OUT("%s", ad_tmpl_name((ad_tmpl)d->tmpl[0]));
        } else {
            for (int v = 0; v <= AD_EVENT_MAX_VERSION; v++)
                if (d->tmpl[v] != AD_TMPL_NONE)
                    OUT("%sv%d %s", v ? ", " : "", v, ad_tmpl_name((ad_tmpl)d->tmpl[v]));
        }
        if (d->tmpl_legacy != AD_TMPL_NONE)
            OUT(", legacy %s", ad_tmpl_name((ad_tmpl)d->tmpl_legacy));
        const char *f[4] = {ad_event_def_src_field(d), ad_event_def_src_port_field(d),
                            ad_event_def_dst_field(d), ad_event_def_dst_port_field(d)};
        OUT(" | %s | %s | %s | %s | %s | %s | %s | %s", msgs[d->message], f[0] ? f[0] : "-",
            f[1] ? f[1] : "-", f[2] ? f[2] : "-", f[3] ? f[3] : "-", ad_asim_type_name(d->type),
            d->subtype == AD_ASIM_SUBTYPE_NONE ? "-" : ad_asim_subtype_name(d->subtype),
            rules[d->rule]);
        if (d->details != NULL)
            OUT(", `%s`", d->details);
        OUT(" |\n");
    }
#undef OUT
    return n;
}

static const char *readme_path;
#define BEGIN_MARK "<!-- event catalogue: begin -->\n"
#define END_MARK "<!-- event catalogue: end -->"

static void test_readme_table(void **state)
{
    (void)state;
    static char want[64 * 1024];
    size_t wn = catalog_markdown(want, sizeof(want));
    assert_true(wn < sizeof(want));
    FILE *f = fopen(readme_path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", readme_path);
    static char readme[256 * 1024];
    size_t rn = fread(readme, 1, sizeof(readme) - 1, f);
    fclose(f);
    readme[rn] = '\0';
    const char *b = strstr(readme, BEGIN_MARK);
    const char *e = b ? strstr(b, END_MARK) : NULL;
    if (b == NULL || e == NULL)
        fail_msg("%s: no '%s' ... '%s' block", readme_path, BEGIN_MARK, END_MARK);
    b += strlen(BEGIN_MARK);
    if ((size_t)(e - b) != wn || memcmp(b, want, wn) != 0) {
        printf("The README's event table differs from the catalogue; it should read:\n%s", want);
        fail_msg("README event table out of date (common/event_catalog.c)");
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--markdown") == 0) {
        static char md[64 * 1024];
        catalog_markdown(md, sizeof(md));
        fputs(md, stdout);
        return 0;
    }
    readme_path = argc > 1 ? argv[1] : NULL;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_events),      cmocka_unit_test(test_server_audit_and_unknown),
        cmocka_unit_test(test_client_events),      cmocka_unit_test(test_server_result_eval),
        cmocka_unit_test(test_client_result_eval), cmocka_unit_test(test_endpoint_fields),
        cmocka_unit_test(test_readme_table),
    };
    /* The README check needs the path (not given in the Windows build). */
    size_t ntests = sizeof(tests) / sizeof(tests[0]) - (readme_path == NULL ? 1 : 0);
    return _cmocka_run_group_tests("test_event_catalog", tests, ntests, NULL, NULL);
}

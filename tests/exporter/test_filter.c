/*
 * asimdns tests: exporter/filter.c. Include/exclude for event ids, query types and domain
 * suffixes; label boundaries, case, trailing dot; records without the tested field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "exporter/filter.h"

static ad_exporter_config cfg;

static void reset(void)
{
    memset(&cfg, 0, sizeof(cfg));
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

static bool keep(const ad_event *ev)
{
    ad_filter f;
    ad_filter_init(&f, &cfg);
    return ad_filter_keep(&f, ev);
}

static void add_domain(char list[][AD_CONFIG_DOMAIN_MAX], uint32_t *count, const char *d)
{
    snprintf(list[*count], AD_CONFIG_DOMAIN_MAX, "%s", d);
    (*count)++;
}

static void test_no_filters_keep_all(void **state)
{
    (void)state;
    reset();
    ad_event ev = event(256, 1, "www.example.com.");
    assert_true(keep(&ev));
    ad_event bare = event(0, -1, NULL);
    assert_true(keep(&bare));
}

static void test_event_ids(void **state)
{
    (void)state;
    reset();
    cfg.filters.event_ids.include[0] = 256;
    cfg.filters.event_ids.include[1] = 257;
    cfg.filters.event_ids.include_count = 2;
    ad_event a = event(256, 1, "a.example"), b = event(259, 1, "a.example");
    assert_true(keep(&a));
    assert_false(keep(&b));
    cfg.filters.event_ids.exclude[0] = 256;
    cfg.filters.event_ids.exclude_count = 1;
    assert_false(keep(&a)); /* exclude wins over include */
    reset();
    cfg.filters.event_ids.exclude[0] = 259;
    cfg.filters.event_ids.exclude_count = 1;
    assert_true(keep(&a));
    assert_false(keep(&b));
}

static void test_qtypes(void **state)
{
    (void)state;
    reset();
    cfg.filters.qtypes.exclude[0] = 255; /* ANY */
    cfg.filters.qtypes.exclude_count = 1;
    ad_event any = event(256, 255, "x.example"), a = event(256, 1, "x.example");
    ad_event none = event(256, -1, "x.example");
    assert_false(keep(&any));
    assert_true(keep(&a));
    assert_true(keep(&none)); /* exclude lists never drop a record without the field */
    reset();
    cfg.filters.qtypes.include[0] = 1;
    cfg.filters.qtypes.include[1] = 28;
    cfg.filters.qtypes.include_count = 2;
    ad_event aaaa = event(256, 28, "x.example"), txt = event(256, 16, "x.example");
    assert_true(keep(&a));
    assert_true(keep(&aaaa));
    assert_false(keep(&txt));
    assert_false(keep(&none)); /* no query type: not one of the listed ones */
}

static void test_domain_match(void **state)
{
    (void)state;
    const char *n = "www.Example.COM.";
    assert_true(ad_filter_domain_match(n, strlen(n), "example.com"));
    assert_true(ad_filter_domain_match(n, strlen(n), "www.example.com"));
    assert_true(ad_filter_domain_match(n, strlen(n), "com"));
    assert_false(ad_filter_domain_match(n, strlen(n), "ample.com"));
    assert_false(ad_filter_domain_match(n, strlen(n), "a.www.example.com"));
    const char *bad = "badexample.com";
    assert_false(ad_filter_domain_match(bad, strlen(bad), "example.com"));
    const char *exact = "example.com";
    assert_true(ad_filter_domain_match(exact, strlen(exact), "example.com"));
    assert_false(ad_filter_domain_match(".", 1, "example.com"));
    assert_false(ad_filter_domain_match("", 0, "example.com"));
    /* Length-bounded: bytes after len are not part of the name. */
    assert_true(ad_filter_domain_match("a.example.comXYZ", 13, "example.com"));
}

static void test_domains(void **state)
{
    (void)state;
    reset();
    add_domain(cfg.filters.domains.exclude, &cfg.filters.domains.exclude_count, "in-addr.arpa");
    add_domain(cfg.filters.domains.exclude, &cfg.filters.domains.exclude_count, "ip6.arpa");
    ad_event ptr = event(256, 12, "4.3.2.1.IN-ADDR.ARPA."), www = event(256, 1, "www.example");
    ad_event noname = event(256, 1, NULL);
    assert_false(keep(&ptr));
    assert_true(keep(&www));
    assert_true(keep(&noname));
    reset();
    add_domain(cfg.filters.domains.include, &cfg.filters.domains.include_count, "corp.example");
    ad_event in = event(256, 1, "host.corp.example."), out = event(256, 1, "host.example.");
    assert_true(keep(&in));
    assert_false(keep(&out));
    assert_false(keep(&noname)); /* include list: a record without a name is not under it */
    add_domain(cfg.filters.domains.exclude, &cfg.filters.domains.exclude_count, "lab.corp.example");
    ad_event lab = event(256, 1, "x.lab.corp.example");
    assert_false(keep(&lab));
}

static void test_all_filters_combine(void **state)
{
    (void)state;
    reset();
    cfg.filters.event_ids.include[0] = 256;
    cfg.filters.event_ids.include_count = 1;
    cfg.filters.qtypes.exclude[0] = 255;
    cfg.filters.qtypes.exclude_count = 1;
    add_domain(cfg.filters.domains.exclude, &cfg.filters.domains.exclude_count, "arpa");
    ad_event ok = event(256, 1, "a.example"), wrong_id = event(257, 1, "a.example");
    ad_event wrong_type = event(256, 255, "a.example"), wrong_name = event(256, 1, "x.arpa");
    assert_true(keep(&ok));
    assert_false(keep(&wrong_id));
    assert_false(keep(&wrong_type));
    assert_false(keep(&wrong_name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_filters_keep_all),
        cmocka_unit_test(test_event_ids),
        cmocka_unit_test(test_qtypes),
        cmocka_unit_test(test_domain_match),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_all_filters_combine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * asimdns: tests for common/dns_tables.
 *
 * Every expected value below is copied by hand from facts/asim-dns.md (§4.1 RCODE, §4.2
 * Windows status, §4.3 QTYPE, §4.5 opcode, §5.2 and §8 event mapping) and
 * facts/etw-dns-providers.md (§2.3, §3.3, §3.4 event ids, provider GUIDs), or from the
 * choices documented in common/dns_tables.c where the facts leave one. None is computed by
 * the code under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/compiler.h"
#include "common/dns_tables.h"

/* ---------------------------------------------------------------------------------------- */
/* QTYPE                                                                                      */
/* ---------------------------------------------------------------------------------------- */

/* asim §4.3, the S13 table, with 255 -> ANY (§8) and 63-65 (S9b/IANA); 54 left out. */
static const struct {
    uint32_t code;
    const char *name;
} qtype_table[] = {
    {0, "Reserved"},    {1, "A"},           {2, "NS"},      {3, "MD"},        {4, "MF"},
    {5, "CNAME"},       {6, "SOA"},         {7, "MB"},      {8, "MG"},        {9, "MR"},
    {10, "NULL"},       {11, "WKS"},        {12, "PTR"},    {13, "HINFO"},    {14, "MINFO"},
    {15, "MX"},         {16, "TXT"},        {17, "RP"},     {18, "AFSDB"},    {19, "X25"},
    {20, "ISDN"},       {21, "RT"},         {22, "NSAP"},   {23, "NSAP-PTR"}, {24, "SIG"},
    {25, "KEY"},        {26, "PX"},         {27, "GPOS"},   {28, "AAAA"},     {29, "LOC"},
    {30, "NXT"},        {31, "EID"},        {32, "NIMLOC"}, {33, "SRV"},      {34, "ATMA"},
    {35, "NAPTR"},      {36, "KX"},         {37, "CERT"},   {38, "A6"},       {39, "DNAME"},
    {40, "SINK"},       {41, "OPT"},        {42, "APL"},    {43, "DS"},       {44, "SSHFP"},
    {45, "IPSECKEY"},   {46, "RRSIG"},      {47, "NSEC"},   {48, "DNSKEY"},   {49, "DHCID"},
    {50, "NSEC3"},      {51, "NSEC3PARAM"}, {52, "TLSA"},   {53, "SMIMEA"},   {55, "HIP"},
    {56, "NINFO"},      {57, "RKEY"},       {58, "TALINK"}, {59, "CDS"},      {60, "CDNSKEY"},
    {61, "OPENPGPKEY"}, {62, "CSYNC"},      {63, "ZONEMD"}, {64, "SVCB"},     {65, "HTTPS"},
    {99, "SPF"},        {100, "UINFO"},     {101, "UID"},   {102, "GID"},     {103, "UNSPEC"},
    {104, "NID"},       {105, "L32"},       {106, "L64"},   {107, "LP"},      {108, "EUI48"},
    {109, "EUI64"},     {249, "TKEY"},      {250, "TSIG"},  {251, "IXFR"},    {252, "AXFR"},
    {253, "MAILB"},     {254, "MAILA"},     {255, "ANY"},   {256, "URI"},     {257, "CAA"},
    {258, "AVC"},       {259, "DOA"},       {32768, "TA"},  {32769, "DLV"},   {65535, "Reserved"},
};

static void test_qtype_table(void **state)
{
    size_t i;
    char buf[AD_QTYPE_NAME_MAX];
    (void)state;

    for (i = 0; i < AD_ARRAY_LEN(qtype_table); i++) {
        const char *known = ad_qtype_name_known(qtype_table[i].code);
        assert_non_null(known);
        assert_string_equal(known, qtype_table[i].name);
        memset(buf, 'x', sizeof(buf));
        assert_string_equal(ad_qtype_name(qtype_table[i].code, buf, sizeof(buf)),
                            qtype_table[i].name);
    }
}

static void test_qtype_edges(void **state)
{
    char buf[AD_QTYPE_NAME_MAX];
    (void)state;

    /* 0 and 65535 are "Reserved" in §4.3; 255 is "ANY" per §8, never "All" or "*". */
    assert_string_equal(ad_qtype_name(0, buf, sizeof(buf)), "Reserved");
    assert_string_equal(ad_qtype_name(255, buf, sizeof(buf)), "ANY");
    assert_string_equal(ad_qtype_name(65535, buf, sizeof(buf)), "Reserved");
    assert_string_equal(ad_qtype_name(1, buf, sizeof(buf)), "A");
    assert_string_equal(ad_qtype_name(28, buf, sizeof(buf)), "AAAA");
    /* A known name does not touch the buffer and needs none. */
    assert_string_equal(ad_qtype_name(28, NULL, 0), "AAAA");
}

static void test_qtype_unknown(void **state)
{
    char buf[AD_QTYPE_NAME_MAX];
    const char *out;
    (void)state;

    /* §8: unknown -> TYPE<n>; 54 is "Unassigned" in S13, so TYPE54 too. */
    out = ad_qtype_name(54, buf, sizeof(buf));
    assert_ptr_equal(out, buf);
    assert_string_equal(out, "TYPE54");
    assert_null(ad_qtype_name_known(54));
    assert_string_equal(ad_qtype_name(66, buf, sizeof(buf)), "TYPE66");
    assert_string_equal(ad_qtype_name(98, buf, sizeof(buf)), "TYPE98");
    assert_string_equal(ad_qtype_name(110, buf, sizeof(buf)), "TYPE110");
    assert_string_equal(ad_qtype_name(248, buf, sizeof(buf)), "TYPE248");
    assert_string_equal(ad_qtype_name(260, buf, sizeof(buf)), "TYPE260");
    assert_string_equal(ad_qtype_name(32767, buf, sizeof(buf)), "TYPE32767");
    assert_string_equal(ad_qtype_name(32770, buf, sizeof(buf)), "TYPE32770");
    /* S13 private use 65280..65534 is not an IANA TYPE string: TYPE<n>. */
    assert_string_equal(ad_qtype_name(65280, buf, sizeof(buf)), "TYPE65280");
    assert_string_equal(ad_qtype_name(65534, buf, sizeof(buf)), "TYPE65534");
    assert_string_equal(ad_qtype_name(65536, buf, sizeof(buf)), "TYPE65536");
    assert_string_equal(ad_qtype_name(4294967295u, buf, sizeof(buf)), "TYPE4294967295");
    assert_null(ad_qtype_name_known(66));
    assert_null(ad_qtype_name_known(65534));
    assert_null(ad_qtype_name_known(65536));
    assert_null(ad_qtype_name_known(4294967295u));
}

static void test_qtype_small_buffer(void **state)
{
    char buf[8];
    (void)state;

    memset(buf, 'x', sizeof(buf));
    assert_string_equal(ad_qtype_name(12345, buf, 6), "TYPE1");
    assert_int_equal(buf[6], 'x');
    assert_string_equal(ad_qtype_name(12345, buf, 3), "TY");
    assert_string_equal(ad_qtype_name(12345, buf, 1), "");
    assert_string_equal(ad_qtype_name(12345, buf, 0), "");
    assert_string_equal(ad_qtype_name(12345, NULL, 16), "");
}

static void check_qtype_from(const char *text, uint32_t expected)
{
    uint32_t q = 0xDEADBEEFu;
    assert_true(ad_qtype_from_name(text, strlen(text), &q));
    assert_int_equal(q, expected);
}

static void check_qtype_from_fails(const char *text)
{
    uint32_t q = 0xDEADBEEFu;
    assert_false(ad_qtype_from_name(text, strlen(text), &q));
    assert_int_equal(q, 0xDEADBEEFu);
}

static void test_qtype_from_name(void **state)
{
    uint32_t q = 0;
    size_t i;
    (void)state;

    check_qtype_from("A", 1);
    check_qtype_from("a", 1);
    check_qtype_from("aaaa", 28);
    check_qtype_from("AaAa", 28);
    check_qtype_from("Https", 65);
    check_qtype_from("NSAP-PTR", 23);
    check_qtype_from("ptr", 12);
    check_qtype_from("ANY", 255);
    check_qtype_from("any", 255);
    check_qtype_from("*", 255);
    check_qtype_from("All", 255);
    check_qtype_from("TA", 32768);
    check_qtype_from("dlv", 32769);
    check_qtype_from("TYPE0", 0);
    check_qtype_from("type65", 65);
    check_qtype_from("TYPE54", 54);
    check_qtype_from("TYPE65535", 65535);
    check_qtype_from_fails("TYPE65536");
    check_qtype_from_fails("TYPE");
    check_qtype_from_fails("TYPEA");
    check_qtype_from_fails("TYPE1x");
    check_qtype_from_fails("Reserved");
    check_qtype_from_fails("Unassigned");
    check_qtype_from_fails("Reserved for Private Use");
    check_qtype_from_fails("");
    check_qtype_from_fails("A ");
    check_qtype_from_fails(" A");
    check_qtype_from_fails("AAAAA");
    check_qtype_from_fails("HTTP");
    check_qtype_from_fails("28");
    assert_false(ad_qtype_from_name(NULL, 3, &q));
    /* The text is bounded by len, not by a NUL. */
    assert_true(ad_qtype_from_name("AAAAX", 4, &q));
    assert_int_equal(q, 28);
    assert_true(ad_qtype_from_name("MXZZ", 2, &q));
    assert_int_equal(q, 15);
    /* Every table name but "Reserved" parses back to its code. */
    for (i = 0; i < AD_ARRAY_LEN(qtype_table); i++) {
        if (strcmp(qtype_table[i].name, "Reserved") == 0)
            continue;
        check_qtype_from(qtype_table[i].name, qtype_table[i].code);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* RCODE                                                                                      */
/* ---------------------------------------------------------------------------------------- */

static void test_rcode_names(void **state)
{
    (void)state;

    /* asim §4.1, copied row by row. */
    assert_string_equal(ad_rcode_name(0), "NOERROR");
    assert_string_equal(ad_rcode_name(1), "FORMERR");
    assert_string_equal(ad_rcode_name(2), "SERVFAIL");
    assert_string_equal(ad_rcode_name(3), "NXDOMAIN");
    assert_string_equal(ad_rcode_name(4), "NOTIMP");
    assert_string_equal(ad_rcode_name(5), "REFUSED");
    assert_string_equal(ad_rcode_name(6), "YXDOMAIN");
    assert_string_equal(ad_rcode_name(7), "YXRRSET");
    assert_string_equal(ad_rcode_name(8), "NXRRSET");
    assert_string_equal(ad_rcode_name(9), "NOTAUTH");
    assert_string_equal(ad_rcode_name(10), "NOTZONE");
    assert_string_equal(ad_rcode_name(11), "DSOTYPENI");
    /* 16: "Emit BADVERS for 16" */
    assert_string_equal(ad_rcode_name(16), "BADVERS");
    assert_string_equal(ad_rcode_name(17), "BADKEY");
    assert_string_equal(ad_rcode_name(18), "BADTIME");
    assert_string_equal(ad_rcode_name(19), "BADMODE");
    assert_string_equal(ad_rcode_name(20), "BADNAME");
    assert_string_equal(ad_rcode_name(21), "BADALG");
    assert_string_equal(ad_rcode_name(22), "BADTRUNC");
    assert_string_equal(ad_rcode_name(23), "BADCOOKIE");
}

static void test_rcode_ranges(void **state)
{
    (void)state;

    /* "anything else (12–15, 24–3840, ≥4096) -> Unassigned"; 3841–4095 private use. */
    assert_string_equal(ad_rcode_name(12), "Unassigned");
    assert_string_equal(ad_rcode_name(13), "Unassigned");
    assert_string_equal(ad_rcode_name(14), "Unassigned");
    assert_string_equal(ad_rcode_name(15), "Unassigned");
    assert_string_equal(ad_rcode_name(24), "Unassigned");
    assert_string_equal(ad_rcode_name(255), "Unassigned");
    assert_string_equal(ad_rcode_name(3840), "Unassigned");
    assert_string_equal(ad_rcode_name(3841), "Reserved for Private Use");
    assert_string_equal(ad_rcode_name(4000), "Reserved for Private Use");
    assert_string_equal(ad_rcode_name(4095), "Reserved for Private Use");
    assert_string_equal(ad_rcode_name(4096), "Unassigned");
    assert_string_equal(ad_rcode_name(65535), "Unassigned");
    assert_string_equal(ad_rcode_name(4294967295u), "Unassigned");
}

static void check_rcode_from(const char *text, uint32_t expected)
{
    uint32_t r = 0xDEADBEEFu;
    assert_true(ad_rcode_from_name(text, strlen(text), &r));
    assert_int_equal(r, expected);
}

static void test_rcode_from_name(void **state)
{
    uint32_t r = 0xDEADBEEFu;
    (void)state;

    check_rcode_from("NOERROR", 0);
    check_rcode_from("nxdomain", 3);
    check_rcode_from("ServFail", 2);
    check_rcode_from("DSOTYPENI", 11);
    check_rcode_from("BADVERS", 16);
    check_rcode_from("badsig", 16);
    check_rcode_from("BADCOOKIE", 23);
    assert_false(ad_rcode_from_name("Unassigned", 10, &r));
    assert_false(ad_rcode_from_name("TIMEOUT", 7, &r));
    assert_false(ad_rcode_from_name("NA", 2, &r));
    assert_false(ad_rcode_from_name("NOERRO", 6, &r));
    assert_false(ad_rcode_from_name("", 0, &r));
    assert_false(ad_rcode_from_name(NULL, 4, &r));
    assert_int_equal(r, 0xDEADBEEFu);
    assert_true(ad_rcode_from_name("REFUSEDxyz", 7, &r));
    assert_int_equal(r, 5);
}

/* ---------------------------------------------------------------------------------------- */
/* Windows DNS-Client status                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void test_win_status_names(void **state)
{
    (void)state;

    /* asim §4.2, row by row. */
    assert_string_equal(ad_win_status_name(0), "NOERROR");
    assert_string_equal(ad_win_status_name(9001), "FORMERR");
    assert_string_equal(ad_win_status_name(9002), "SERVFAIL");
    assert_string_equal(ad_win_status_name(9003), "NXDOMAIN");
    assert_string_equal(ad_win_status_name(9004), "NOTIMP");
    assert_string_equal(ad_win_status_name(9005), "REFUSED");
    assert_string_equal(ad_win_status_name(9006), "YXDOMAIN");
    assert_string_equal(ad_win_status_name(9007), "YXRRSET");
    assert_string_equal(ad_win_status_name(9008), "NXRRSET");
    assert_string_equal(ad_win_status_name(9009), "NOTAUTH");
    assert_string_equal(ad_win_status_name(9010), "NOTZONE");
    assert_string_equal(ad_win_status_name(9011), "DSOTYPENI");
    assert_string_equal(ad_win_status_name(9016), "BADVERS");
    assert_string_equal(ad_win_status_name(9017), "BADKEY");
    assert_string_equal(ad_win_status_name(9018), "BADTIME");
    assert_string_equal(ad_win_status_name(9019), "BADMODE");
    assert_string_equal(ad_win_status_name(9020), "BADNAME");
    assert_string_equal(ad_win_status_name(9021), "BADALG");
    assert_string_equal(ad_win_status_name(9022), "BADTRUNC");
    assert_string_equal(ad_win_status_name(9023), "BADCOOKIE");
    assert_string_equal(ad_win_status_name(1460), "TIMEOUT");
    assert_string_equal(ad_win_status_name(AD_WIN_STATUS_TIMEOUT), "TIMEOUT");
}

static void test_win_status_unknown(void **state)
{
    (void)state;

    /* "any other -> NA" */
    assert_string_equal(ad_win_status_name(1), "NA");
    assert_string_equal(ad_win_status_name(87), "NA");
    assert_string_equal(ad_win_status_name(1459), "NA");
    assert_string_equal(ad_win_status_name(1461), "NA");
    assert_string_equal(ad_win_status_name(9000), "NA");
    assert_string_equal(ad_win_status_name(9012), "NA");
    assert_string_equal(ad_win_status_name(9015), "NA");
    assert_string_equal(ad_win_status_name(9024), "NA");
    assert_string_equal(ad_win_status_name(9501), "NA");
    assert_string_equal(ad_win_status_name(3), "NA");
    assert_string_equal(ad_win_status_name(4294967295u), "NA");
}

static void test_win_status_response_code(void **state)
{
    (void)state;

    /* iff(code > 9000 and code < 9100, code - 9000, code) */
    assert_int_equal(ad_win_status_response_code(0), 0);
    assert_int_equal(ad_win_status_response_code(9001), 1);
    assert_int_equal(ad_win_status_response_code(9003), 3);
    assert_int_equal(ad_win_status_response_code(9016), 16);
    assert_int_equal(ad_win_status_response_code(9023), 23);
    assert_int_equal(ad_win_status_response_code(9099), 99);
    assert_int_equal(ad_win_status_response_code(9000), 9000);
    assert_int_equal(ad_win_status_response_code(9100), 9100);
    assert_int_equal(ad_win_status_response_code(9501), 9501);
    assert_int_equal(ad_win_status_response_code(1460), 1460);
    assert_int_equal(ad_win_status_response_code(87), 87);
}

/* ---------------------------------------------------------------------------------------- */
/* Opcode, ASIM names, severity                                                               */
/* ---------------------------------------------------------------------------------------- */

static void test_opcode(void **state)
{
    ad_asim_type t = AD_ASIM_TYPE__COUNT;
    uint32_t op;
    (void)state;

    /* asim §4.5: 0 Query, 2 Status, 4 Notify, 5 Update, 6 DSO. */
    assert_string_equal(ad_opcode_event_type(0), "Query");
    assert_string_equal(ad_opcode_event_type(2), "Status");
    assert_string_equal(ad_opcode_event_type(4), "Notify");
    assert_string_equal(ad_opcode_event_type(5), "Update");
    assert_string_equal(ad_opcode_event_type(6), "DNS Stateful Operations");
    assert_null(ad_opcode_event_type(1));
    assert_null(ad_opcode_event_type(3));
    for (op = 7; op <= 20; op++)
        assert_null(ad_opcode_event_type(op));
    assert_null(ad_opcode_event_type(4294967295u));

    assert_true(ad_opcode_asim_type(0, &t));
    assert_int_equal(t, AD_ASIM_TYPE_QUERY);
    assert_true(ad_opcode_asim_type(5, &t));
    assert_int_equal(t, AD_ASIM_TYPE_UPDATE);
    assert_true(ad_opcode_asim_type(6, &t));
    assert_int_equal(t, AD_ASIM_TYPE_DSO);
    t = AD_ASIM_TYPE__COUNT;
    assert_false(ad_opcode_asim_type(1, &t));
    assert_false(ad_opcode_asim_type(15, &t));
    assert_false(ad_opcode_asim_type(16, &t));
    assert_int_equal(t, AD_ASIM_TYPE__COUNT);
}

static void test_asim_names(void **state)
{
    (void)state;

    assert_string_equal(ad_asim_type_name(AD_ASIM_TYPE_QUERY), "Query");
    assert_string_equal(ad_asim_type_name(AD_ASIM_TYPE_STATUS), "Status");
    assert_string_equal(ad_asim_type_name(AD_ASIM_TYPE_NOTIFY), "Notify");
    assert_string_equal(ad_asim_type_name(AD_ASIM_TYPE_UPDATE), "Update");
    assert_string_equal(ad_asim_type_name(AD_ASIM_TYPE_DSO), "DNS Stateful Operations");
    assert_string_equal(ad_asim_type_name(AD_ASIM_TYPE__COUNT), "");
    assert_string_equal(ad_asim_type_name((ad_asim_type)-1), "");

    assert_string_equal(ad_asim_subtype_name(AD_ASIM_SUBTYPE_REQUEST), "request");
    assert_string_equal(ad_asim_subtype_name(AD_ASIM_SUBTYPE_RESPONSE), "response");
    assert_string_equal(ad_asim_subtype_name(AD_ASIM_SUBTYPE_NONE), "");
    assert_string_equal(ad_asim_subtype_name(AD_ASIM_SUBTYPE__COUNT), "");

    assert_string_equal(ad_asim_result_name(AD_ASIM_RESULT_NA), "NA");
    assert_string_equal(ad_asim_result_name(AD_ASIM_RESULT_SUCCESS), "Success");
    assert_string_equal(ad_asim_result_name(AD_ASIM_RESULT_PARTIAL), "Partial");
    assert_string_equal(ad_asim_result_name(AD_ASIM_RESULT_FAILURE), "Failure");
    assert_string_equal(ad_asim_result_name(AD_ASIM_RESULT__COUNT), "");

    assert_string_equal(ad_asim_severity_name(AD_ASIM_SEVERITY_INFORMATIONAL), "Informational");
    assert_string_equal(ad_asim_severity_name(AD_ASIM_SEVERITY_LOW), "Low");
    assert_string_equal(ad_asim_severity_name(AD_ASIM_SEVERITY_MEDIUM), "Medium");
    assert_string_equal(ad_asim_severity_name(AD_ASIM_SEVERITY_HIGH), "High");
    assert_string_equal(ad_asim_severity_name(AD_ASIM_SEVERITY__COUNT), "");
}

static void test_severity_from_result(void **state)
{
    (void)state;

    /* asim §8: Informational for Success/NA, Low for Failure; Partial -> Low (our choice). */
    assert_string_equal(ad_asim_severity_name(ad_asim_severity_from_result(AD_ASIM_RESULT_SUCCESS)),
                        "Informational");
    assert_string_equal(ad_asim_severity_name(ad_asim_severity_from_result(AD_ASIM_RESULT_NA)),
                        "Informational");
    assert_string_equal(ad_asim_severity_name(ad_asim_severity_from_result(AD_ASIM_RESULT_FAILURE)),
                        "Low");
    assert_string_equal(ad_asim_severity_name(ad_asim_severity_from_result(AD_ASIM_RESULT_PARTIAL)),
                        "Low");
}

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
 * the 259/262/291 details are the choices documented in dns_tables.c.
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
    {3006, "DnsQueryCalled", "Query", "request", AD_RULE_REQUEST, NULL},
    {3008, "DnsQueryCompleted", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3009, "DnsNetworkQueryInitiated", "Query", "request", AD_RULE_REQUEST, NULL},
    {3010, "DnsQuerySent", "Query", "request", AD_RULE_REQUEST, NULL},
    {3011, "DnsResponseReceived", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3016, "DnsCacheLookupCalled", "Query", "request", AD_RULE_REQUEST, NULL},
    {3018, "DnsCacheLookupCompleted", "Query", "response", AD_RULE_FROM_STATUS, NULL},
    {3019, "DnsQueryWireCalled", "Query", "request", AD_RULE_REQUEST, NULL},
    {3020, "DnsQueryWireCompleted", "Query", "response", AD_RULE_FROM_STATUS, NULL},
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
        const ad_event_info *info = ad_event_info_lookup(provider, ev[i].id);
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
        const ad_event_info *info = ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, id);
        bool edns = id == 284 || id == 285 || id == 287 || id == 289 || id == 290 || id == 291;
        assert_non_null(info);
        assert_int_equal((info->flags & AD_EVF_EDNS) != 0, edns);
    }
}

static void test_server_audit_and_unknown(void **state)
{
    const ad_event_info *a;
    const ad_event_info *b;
    (void)state;

    a = ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 512);
    assert_non_null(a);
    assert_string_equal(a->name, "AUDIT");
    assert_true(a->flags & AD_EVF_AUDIT);
    assert_int_equal(a->provider, AD_PROVIDER_DNS_SERVER);
    assert_int_equal(a->id, 512);
    assert_string_equal(ad_asim_type_name(a->type), "Update");
    assert_int_equal(a->subtype, AD_ASIM_SUBTYPE_NONE);
    assert_int_equal(a->rule, AD_RULE_SUCCESS);
    /* One shared entry for every audit id (etw §2.7: 512-596 known). */
    b = ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 541);
    assert_ptr_equal(a, b);
    assert_ptr_equal(a, ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 596));
    assert_ptr_equal(a, ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 999));

    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 0));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 1));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 255));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 292));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 511));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 1000));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 3008));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 65535));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 4294967295u));
    /* 256 + 65536 must not alias 256 through a 16-bit truncation. */
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_SERVER, 65536u + 256u));
    assert_null(ad_event_info_lookup(AD_PROVIDER_UNKNOWN, 256));
    assert_null(ad_event_info_lookup(AD_PROVIDER__COUNT, 256));
}

static void test_client_events(void **state)
{
    static const uint32_t missing[] = {0,    1000, 1012, 1019, 1028, 3000, 3005, 3007, 3012,
                                       3013, 3014, 3015, 3017, 3021, 3024, 256,  512,  65535};
    size_t i;
    (void)state;

    check_events(AD_PROVIDER_DNS_CLIENT, client_events, AD_ARRAY_LEN(client_events));
    for (i = 0; i < AD_ARRAY_LEN(missing); i++)
        assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_CLIENT, missing[i]));
    assert_null(ad_event_info_lookup(AD_PROVIDER_DNS_CLIENT, 65536u + 3008u));
    /* Client ids belong to the client provider only. */
    assert_null(ad_event_info_lookup(AD_PROVIDER_UNKNOWN, 3008));
}

/* ---------------------------------------------------------------------------------------- */
/* Result evaluation                                                                          */
/* ---------------------------------------------------------------------------------------- */

static void check_eval(ad_provider p, uint32_t id, bool has_rcode, uint32_t rcode, bool has_status,
                       uint32_t status, const char *result, const char *details)
{
    const char *d = NULL;
    const ad_event_info *info = ad_event_info_lookup(p, id);
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
    assert_int_equal(ad_event_result_eval(ad_event_info_lookup(S, 258), true, 3, false, 0, NULL),
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
/* Providers                                                                                  */
/* ---------------------------------------------------------------------------------------- */

static void test_provider_constants(void **state)
{
    const ad_provider_info *s = ad_provider_info_get(AD_PROVIDER_DNS_SERVER);
    const ad_provider_info *c = ad_provider_info_get(AD_PROVIDER_DNS_CLIENT);
    static const uint8_t s4[8] = {0x91, 0x19, 0x3E, 0xD2, 0x80, 0x70, 0x60, 0xE7};
    static const uint8_t c4[8] = {0xA3, 0xFE, 0xA3, 0x78, 0xB0, 0x3D, 0xDB, 0x4D};
    (void)state;

    assert_string_equal(AD_DNS_SERVER_PROVIDER_NAME, "Microsoft-Windows-DNSServer");
    assert_string_equal(AD_DNS_SERVER_PROVIDER_GUID, "{EB79061A-A566-4698-9119-3ED2807060E7}");
    assert_string_equal(AD_DNS_CLIENT_PROVIDER_NAME, "Microsoft-Windows-DNS-Client");
    assert_string_equal(AD_DNS_CLIENT_PROVIDER_GUID, "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}");

    assert_non_null(s);
    assert_int_equal(s->id, AD_PROVIDER_DNS_SERVER);
    assert_string_equal(s->name, "Microsoft-Windows-DNSServer");
    assert_string_equal(s->guid_text, "{EB79061A-A566-4698-9119-3ED2807060E7}");
    assert_string_equal(s->config_name, "dns_server");
    assert_int_equal(s->default_level, 4);
    assert_true(s->default_keywords == UINT64_C(0x3F));
    assert_int_equal(s->guid.data1, 0xEB79061Au);
    assert_int_equal(s->guid.data2, 0xA566u);
    assert_int_equal(s->guid.data3, 0x4698u);
    assert_memory_equal(s->guid.data4, s4, 8);

    assert_non_null(c);
    assert_int_equal(c->id, AD_PROVIDER_DNS_CLIENT);
    assert_string_equal(c->name, "Microsoft-Windows-DNS-Client");
    assert_string_equal(c->guid_text, "{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}");
    assert_string_equal(c->config_name, "dns_client");
    assert_int_equal(c->default_level, 5);
    assert_true(c->default_keywords == UINT64_C(0x8000000000000FFF));
    assert_int_equal(c->guid.data1, 0x1C95126Eu);
    assert_int_equal(c->guid.data2, 0x7EEAu);
    assert_int_equal(c->guid.data3, 0x49A9u);
    assert_memory_equal(c->guid.data4, c4, 8);

    assert_int_equal(AD_DNS_SERVER_DEFAULT_LEVEL, 4);
    assert_true(AD_DNS_SERVER_DEFAULT_KEYWORDS == UINT64_C(0x3F));
    assert_int_equal(AD_DNS_CLIENT_DEFAULT_LEVEL, 5);
    assert_true(AD_DNS_CLIENT_DEFAULT_KEYWORDS == UINT64_C(0x8000000000000FFF));

    assert_null(ad_provider_info_get(AD_PROVIDER_UNKNOWN));
    assert_null(ad_provider_info_get(AD_PROVIDER__COUNT));
    assert_null(ad_provider_info_get((ad_provider)77));
}

static ad_provider lookup(const char *text)
{
    return ad_provider_lookup(text, strlen(text));
}

static void test_provider_lookup(void **state)
{
    (void)state;

    assert_int_equal(lookup("Microsoft-Windows-DNSServer"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("microsoft-windows-dnsserver"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("MICROSOFT-WINDOWS-DNSSERVER"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("Microsoft-Windows-DNS-Client"), AD_PROVIDER_DNS_CLIENT);
    assert_int_equal(lookup("microsoft-windows-dns-client"), AD_PROVIDER_DNS_CLIENT);
    assert_int_equal(lookup("dns_server"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("DNS_Client"), AD_PROVIDER_DNS_CLIENT);

    assert_int_equal(lookup("{EB79061A-A566-4698-9119-3ED2807060E7}"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("{eb79061a-a566-4698-9119-3ed2807060e7}"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("EB79061A-A566-4698-9119-3ED2807060E7"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("eb79061a-A566-4698-9119-3ed2807060E7"), AD_PROVIDER_DNS_SERVER);
    assert_int_equal(lookup("{1C95126E-7EEA-49A9-A3FE-A378B03DDB4D}"), AD_PROVIDER_DNS_CLIENT);
    assert_int_equal(lookup("1c95126e-7eea-49a9-a3fe-a378b03ddb4d"), AD_PROVIDER_DNS_CLIENT);
    assert_int_equal(lookup("{1c95126e-7eea-49a9-a3fe-a378b03ddb4d}"), AD_PROVIDER_DNS_CLIENT);

    /* Unbalanced braces, wrong GUID, partial names, spaces. */
    assert_int_equal(lookup("{EB79061A-A566-4698-9119-3ED2807060E7"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("EB79061A-A566-4698-9119-3ED2807060E7}"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("(EB79061A-A566-4698-9119-3ED2807060E7)"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("{EB79061A-A566-4698-9119-3ED2807060E8}"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("{00000000-0000-0000-0000-000000000000}"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("EB79061AA5664698911 93ED2807060E7"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("Microsoft-Windows-DNSServer "), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup(" dns_server"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("Microsoft-Windows-DNS"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("Microsoft-Windows-DNS-Server"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup("dns"), AD_PROVIDER_UNKNOWN);
    assert_int_equal(lookup(""), AD_PROVIDER_UNKNOWN);
    assert_int_equal(ad_provider_lookup(NULL, 10), AD_PROVIDER_UNKNOWN);
    /* Bounded by len. */
    assert_int_equal(ad_provider_lookup("dns_clientXYZ", 10), AD_PROVIDER_DNS_CLIENT);
}

static void test_guid_parse(void **state)
{
    ad_guid g;
    ad_guid h;
    static const uint8_t s4[8] = {0x91, 0x19, 0x3E, 0xD2, 0x80, 0x70, 0x60, 0xE7};
    static const char *const bad[] = {
        "",
        "{}",
        "EB79061A-A566-4698-9119-3ED2807060E",
        "EB79061A-A566-4698-9119-3ED2807060E7A",
        "EB79061AAA566-4698-9119-3ED2807060E7",
        "EB79061A-A566-4698-9119+3ED2807060E7",
        "GB79061A-A566-4698-9119-3ED2807060E7",
        "EB79061A-A566-4698-9119-3ED2807060Ez",
        "{EB79061A-A566-4698-9119-3ED2807060E7]",
        "[EB79061A-A566-4698-9119-3ED2807060E7}",
        "{{B79061A-A566-4698-9119-3ED2807060E7}}",
    };
    size_t i;
    (void)state;

    memset(&g, 0, sizeof(g));
    assert_true(ad_guid_parse("{eb79061a-a566-4698-9119-3ed2807060e7}", 38, &g));
    assert_int_equal(g.data1, 0xEB79061Au);
    assert_int_equal(g.data2, 0xA566u);
    assert_int_equal(g.data3, 0x4698u);
    assert_memory_equal(g.data4, s4, 8);
    assert_int_equal(ad_provider_from_guid(&g), AD_PROVIDER_DNS_SERVER);

    assert_true(ad_guid_parse("1C95126E-7EEA-49A9-A3FE-A378B03DDB4D", 36, &h));
    assert_int_equal(h.data1, 0x1C95126Eu);
    assert_int_equal(ad_provider_from_guid(&h), AD_PROVIDER_DNS_CLIENT);
    assert_false(ad_guid_equal(&g, &h));
    assert_true(ad_guid_equal(&g, &ad_provider_info_get(AD_PROVIDER_DNS_SERVER)->guid));

    /* Any single field differing makes it another GUID. */
    h = g;
    h.data4[7] ^= 1;
    assert_int_equal(ad_provider_from_guid(&h), AD_PROVIDER_UNKNOWN);
    h = g;
    h.data1 ^= 0x80000000u;
    assert_int_equal(ad_provider_from_guid(&h), AD_PROVIDER_UNKNOWN);
    h = g;
    h.data3 = 0x4699;
    assert_int_equal(ad_provider_from_guid(&h), AD_PROVIDER_UNKNOWN);
    assert_int_equal(ad_provider_from_guid(NULL), AD_PROVIDER_UNKNOWN);

    for (i = 0; i < AD_ARRAY_LEN(bad); i++) {
        h = g;
        assert_false(ad_guid_parse(bad[i], strlen(bad[i]), &h));
        assert_true(ad_guid_equal(&h, &g)); /* untouched */
    }
    assert_false(ad_guid_parse(NULL, 36, &h));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qtype_table),
        cmocka_unit_test(test_qtype_edges),
        cmocka_unit_test(test_qtype_unknown),
        cmocka_unit_test(test_qtype_small_buffer),
        cmocka_unit_test(test_qtype_from_name),
        cmocka_unit_test(test_rcode_names),
        cmocka_unit_test(test_rcode_ranges),
        cmocka_unit_test(test_rcode_from_name),
        cmocka_unit_test(test_win_status_names),
        cmocka_unit_test(test_win_status_unknown),
        cmocka_unit_test(test_win_status_response_code),
        cmocka_unit_test(test_opcode),
        cmocka_unit_test(test_asim_names),
        cmocka_unit_test(test_severity_from_result),
        cmocka_unit_test(test_server_events),
        cmocka_unit_test(test_server_audit_and_unknown),
        cmocka_unit_test(test_client_events),
        cmocka_unit_test(test_server_result_eval),
        cmocka_unit_test(test_client_result_eval),
        cmocka_unit_test(test_provider_constants),
        cmocka_unit_test(test_provider_lookup),
        cmocka_unit_test(test_guid_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

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

/* CLASS names: facts/asim-dns.md §4.4 (tester table) and the S7 enum spelling NONE/ANY. */
static void test_qclass_names(void **state)
{
    char buf[AD_QCLASS_NAME_MAX];
    (void)state;
    assert_string_equal(ad_qclass_name(0, buf, sizeof(buf)), "Reserved");
    assert_string_equal(ad_qclass_name(1, buf, sizeof(buf)), "IN");
    assert_string_equal(ad_qclass_name(2, buf, sizeof(buf)), "Unassigned");
    assert_string_equal(ad_qclass_name(3, buf, sizeof(buf)), "CH");
    assert_string_equal(ad_qclass_name(4, buf, sizeof(buf)), "HS");
    assert_string_equal(ad_qclass_name(254, buf, sizeof(buf)), "NONE");
    assert_string_equal(ad_qclass_name(255, buf, sizeof(buf)), "ANY");
    assert_string_equal(ad_qclass_name(5, buf, sizeof(buf)), "CLASS5");
    assert_string_equal(ad_qclass_name(65280, buf, sizeof(buf)), "CLASS65280");
    assert_string_equal(ad_qclass_name(4294967295u, buf, sizeof(buf)), "CLASS4294967295");
    char small[7];
    assert_string_equal(ad_qclass_name(12345, small, sizeof(small)), "CLASS1");
    assert_string_equal(ad_qclass_name(7, NULL, 0), "");
    assert_string_equal(ad_qclass_name(1, NULL, 0), "IN");
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
        cmocka_unit_test(test_qclass_names),
        cmocka_unit_test(test_opcode),
        cmocka_unit_test(test_asim_names),
        cmocka_unit_test(test_severity_from_result),
        cmocka_unit_test(test_provider_constants),
        cmocka_unit_test(test_provider_lookup),
        cmocka_unit_test(test_guid_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

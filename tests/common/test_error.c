/*
 * asimdns: unit tests for common/error.h: every ad_err has its symbolic name and a message,
 * and values outside the enum still give safe text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"

/* The names as error.h spells the enumerators. */
static const struct {
    ad_err err;
    const char *name;
} names[] = {
    {AD_OK, "AD_OK"},
    {AD_EINVAL, "AD_EINVAL"},
    {AD_ENOMEM, "AD_ENOMEM"},
    {AD_ETRUNC, "AD_ETRUNC"},
    {AD_ERANGE, "AD_ERANGE"},
    {AD_EFORMAT, "AD_EFORMAT"},
    {AD_EUTF, "AD_EUTF"},
    {AD_EVERSION, "AD_EVERSION"},
    {AD_EFULL, "AD_EFULL"},
    {AD_EEMPTY, "AD_EEMPTY"},
    {AD_ENOENT, "AD_ENOENT"},
    {AD_EEXIST, "AD_EEXIST"},
    {AD_EPERM, "AD_EPERM"},
    {AD_EIO, "AD_EIO"},
    {AD_ECORRUPT, "AD_ECORRUPT"},
    {AD_ETIMEDOUT, "AD_ETIMEDOUT"},
    {AD_ECLOSED, "AD_ECLOSED"},
    {AD_EUNSUPP, "AD_EUNSUPP"},
    {AD_ESYS, "AD_ESYS"},
};

static void test_table_covers_enum(void **state)
{
    /* a new code must be added here (and to error.c) */
    assert_int_equal(sizeof(names) / sizeof(names[0]), AD_ERR__COUNT);
    assert_int_equal(AD_OK, 0);
}

static void test_every_code_has_its_name(void **state)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_string_equal(ad_err_name(names[i].err), names[i].name);
}

static void test_every_code_has_a_message(void **state)
{
    for (int e = 0; e < AD_ERR__COUNT; e++) {
        const char *msg = ad_strerror((ad_err)e);
        assert_non_null(msg);
        assert_true(strlen(msg) > 0);
        /* a message is prose, not the symbolic name */
        assert_string_not_equal(msg, ad_err_name((ad_err)e));
        /* and the messages tell the codes apart */
        for (int f = 0; f < e; f++)
            assert_string_not_equal(msg, ad_strerror((ad_err)f));
    }
    assert_string_equal(ad_strerror(AD_OK), "success");
}

static void test_unknown_values(void **state)
{
    /* values past the last code, kept inside the enum's bit width */
    static const unsigned unknown[] = {AD_ERR__COUNT, 31};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        const char *name = ad_err_name((ad_err)unknown[i]);
        const char *msg = ad_strerror((ad_err)unknown[i]);
        assert_non_null(name);
        assert_non_null(msg);
        assert_true(strlen(name) > 0);
        assert_true(strlen(msg) > 0);
        for (int e = 0; e < AD_ERR__COUNT; e++)
            assert_string_not_equal(name, ad_err_name((ad_err)e));
    }
}

/* The message buffer: formatted, cut to its size, and never written without one. */
static void test_err_msg(void **state)
{
    (void)state;
    char buf[8];
    ad_err_msg(buf, sizeof(buf), "ring %s: %d", "abc", 42);
    assert_string_equal(buf, "ring ab");
    memset(buf, 'x', sizeof(buf));
    ad_err_msg(buf, 0, "%s", "nothing");
    assert_int_equal(buf[0], 'x');
    ad_err_msg(NULL, 16, "%s", "nothing");
}

/* Items joined with "; ", the first without, all cut at the buffer's size. */
static void test_err_msg_append(void **state)
{
    (void)state;
    char buf[24] = "";
    ad_err_msg_append(buf, sizeof(buf), "one %d", 1);
    assert_string_equal(buf, "one 1");
    ad_err_msg_append(buf, sizeof(buf), "two");
    assert_string_equal(buf, "one 1; two");
    ad_err_msg_append(buf, sizeof(buf), "three is too long to fit");
    assert_string_equal(buf, "one 1; two; three is to");
    ad_err_msg_append(buf, sizeof(buf), "more");
    assert_string_equal(buf, "one 1; two; three is to");
    ad_err_msg_append(NULL, 8, "x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_enum),
        cmocka_unit_test(test_every_code_has_its_name),
        cmocka_unit_test(test_every_code_has_a_message),
        cmocka_unit_test(test_unknown_values),
        cmocka_unit_test(test_err_msg),
        cmocka_unit_test(test_err_msg_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

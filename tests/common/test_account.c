/* Unit tests for user/group lookups (common/account.h), against Debian's base accounts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/account.h"

static void test_users(void **state)
{
    (void)state;
    unsigned long uid = 1, gid = 1;
    assert_int_equal(ad_account_user("root", &uid, &gid), AD_OK);
    assert_int_equal(uid, 0);
    assert_int_equal(gid, 0);
    assert_int_equal(ad_account_user("nobody", &uid, &gid), AD_OK);
    assert_int_equal(uid, 65534);
    assert_int_equal(gid, 65534);
    assert_int_equal(ad_account_user("4242", &uid, &gid), AD_OK);
    assert_int_equal(uid, 4242);
    assert_true(gid == AD_ACCOUNT_NO_GROUP);
    assert_int_equal(ad_account_user("no-such-user-asimdns", &uid, NULL), AD_ENOENT);
    assert_int_equal(ad_account_user("-1", &uid, NULL), AD_ENOENT);
    assert_int_equal(ad_account_user("", &uid, NULL), AD_ENOENT);
}

static void test_groups(void **state)
{
    (void)state;
    unsigned long gid = 1;
    assert_int_equal(ad_account_group("root", &gid), AD_OK);
    assert_int_equal(gid, 0);
    assert_int_equal(ad_account_group("nogroup", &gid), AD_OK);
    assert_int_equal(gid, 65534);
    assert_int_equal(ad_account_group("77", &gid), AD_OK);
    assert_int_equal(gid, 77);
    assert_int_equal(ad_account_group("no-such-group-asimdns", &gid), AD_ENOENT);
    assert_int_equal(ad_account_group("99999999999", &gid), AD_ENOENT); /* above INT_MAX */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_users),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

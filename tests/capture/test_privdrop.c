/*
 * Unit tests for the capture's privilege drop (POSIX). As root (CI): the switch to
 * nobody/nogroup happens in a forked child, which then proves it cannot become root again.
 * As another user: the switch must be refused, not half-done.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/privdrop.h"

/* True when /proc/self/status shows an empty capability bounding set (Linux; else true). */
static bool bounding_set_empty(void)
{
#ifdef __linux__
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    bool empty = false;
    if (f == NULL)
        return false;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "CapBnd:", 7) == 0)
            empty = strtoull(line + 7, NULL, 16) == 0;
    }
    fclose(f);
    return empty;
#else
    return true;
#endif
}

/* Runs ad_privdrop in a child; returns the child's exit code (0 = every check held). */
static int child_drop(const char *user, const char *group)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char msg[256] = "";
        if (ad_privdrop(user, group, msg, sizeof(msg)) != AD_OK)
            _exit(10);
        if (getuid() == 0 || geteuid() == 0)
            _exit(11);
        if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0)
            _exit(12); /* root regained: the drop was reversible */
        gid_t groups[4];
        if (getgroups(4, groups) != 1)
            _exit(13); /* supplementary groups (root's) must be gone */
        if (!bounding_set_empty())
            _exit(14); /* a capability could come back through an exec */
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_drop_is_irreversible(void **state)
{
    (void)state;
    if (geteuid() == 0) {
        assert_int_equal(child_drop("nobody", "nogroup"), 0);
        assert_int_equal(child_drop("65534", "65534"), 0);
    } else {
        char msg[256] = "";
        assert_int_equal(ad_privdrop("nobody", "nogroup", msg, sizeof(msg)), AD_EPERM);
        assert_non_null(strstr(msg, "setgroups"));
    }
}

static void test_nothing_to_do_and_bad_names(void **state)
{
    (void)state;
    char msg[256] = "";
    assert_int_equal(ad_privdrop("", "", msg, sizeof(msg)), AD_OK);
    assert_int_equal(ad_privdrop("", "nogroup", msg, sizeof(msg)), AD_EINVAL);
    assert_int_equal(ad_privdrop("no-such-user-asimdns", "", msg, sizeof(msg)), AD_ENOENT);
    assert_non_null(strstr(msg, "no-such-user-asimdns"));
    assert_int_equal(ad_privdrop("nobody", "no-such-group-asimdns", msg, sizeof(msg)), AD_ENOENT);
    assert_non_null(strstr(msg, "no-such-group-asimdns"));
    assert_int_equal(ad_privdrop("4000000", "", msg, sizeof(msg)), AD_ENOENT); /* uid, no group */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop_is_irreversible),
        cmocka_unit_test(test_nothing_to_do_and_bad_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

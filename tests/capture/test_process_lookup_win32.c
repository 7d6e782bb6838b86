/*
 * asimdns tests (Windows, under Wine): the real process lookup (capture/process_lookup_win32.c)
 * against processes this test starts. A running child is found with its image path (this
 * program: the child is a second copy of it that waits); a child that has exited is still
 * named while a handle holds it, and gone once it is reaped; a process created long after the event
 * is not taken for the event's process (its id was reused); the test's own process is found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <windows.h>

#include "capture/process_lookup.h"
#include "common/timeutil.h"
#include "common/utf.h"

#define CHILD_WAIT_ARG "--child-wait"
#define CHILD_EXIT_ARG "--child-exit"
#define HOUR_NS (3600ull * 1000000000ull)

static char own_path[AD_PROCESS_NAME_MAX + 1];

/* This program's path in UTF-8, as the lookup should report it for its copies. */
static void load_own_path(void)
{
    WCHAR w[AD_PROCESS_NAME_MAX];
    DWORD n = GetModuleFileNameW(NULL, w, AD_PROCESS_NAME_MAX);
    assert_true(n > 0 && n < AD_PROCESS_NAME_MAX);
    size_t len = 0;
    assert_int_equal(
        ad_utf16le_to_utf8((const unsigned char *)w, n, own_path, sizeof(own_path) - 1, &len),
        AD_OK);
    own_path[len] = '\0';
}

/* Starts this program again with arg; the child's process information in *pi. */
static void start_child(const char *arg, PROCESS_INFORMATION *pi)
{
    WCHAR exe[AD_PROCESS_NAME_MAX], cmd[AD_PROCESS_NAME_MAX + 64];
    DWORD n = GetModuleFileNameW(NULL, exe, AD_PROCESS_NAME_MAX);
    assert_true(n > 0 && n < AD_PROCESS_NAME_MAX);
    _snwprintf(cmd, sizeof(cmd) / sizeof(cmd[0]), L"\"%ls\" %hs", exe, arg);
    cmd[sizeof(cmd) / sizeof(cmd[0]) - 1] = 0;
    STARTUPINFOW si;
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    memset(pi, 0, sizeof(*pi));
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, pi))
        fail_msg("CreateProcessW: error %lu", (unsigned long)GetLastError());
}

static ad_process_lookup_result lookup(uint32_t pid, uint64_t event_ns, char *out, size_t *len)
{
    const ad_process_lookup *l = ad_process_lookup_os();
    assert_non_null(l);
    ad_process_lookup_result r =
        l->image_path(l->impl, pid, event_ns, out, AD_PROCESS_NAME_MAX, len);
    out[r == AD_PLOOKUP_FOUND ? *len : 0] = '\0';
    return r;
}

/* Windows paths compare without regard to case. */
static void assert_same_path(const char *got, const char *want)
{
    if (_stricmp(got, want) != 0)
        fail_msg("image path '%s', expected '%s'", got, want);
}

static void test_running_child(void **state)
{
    (void)state;
    PROCESS_INFORMATION pi;
    start_child(CHILD_WAIT_ARG, &pi);
    char name[AD_PROCESS_NAME_MAX + 1];
    size_t len = 0;
    uint64_t now = ad_time_now_ns();
    assert_int_equal(lookup(pi.dwProcessId, now, name, &len), AD_PLOOKUP_FOUND);
    assert_true(len > 0);
    assert_same_path(name, own_path);
    /* Without an event time there is nothing to compare the creation with: found. */
    assert_int_equal(lookup(pi.dwProcessId, 0, name, &len), AD_PLOOKUP_FOUND);
    /* An event an hour before the child existed belonged to an earlier process with this
       id: the child is not taken for it. */
    assert_int_equal(lookup(pi.dwProcessId, now - HOUR_NS, name, &len), AD_PLOOKUP_GONE);
    assert_int_equal(len, 0);
    TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, 10000);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
}

/*
 * A child that has exited. While a handle keeps its process object, its id cannot be reused
 * and the lookup still names it: right for an event the process logged before exiting. Once
 * the last handle is closed the object goes away (Wine: about half a second later) and the id
 * is free: gone. Until then every answer must still be the child's own image.
 */
static void test_exited_child(void **state)
{
    (void)state;
    PROCESS_INFORMATION pi;
    start_child(CHILD_EXIT_ARG, &pi);
    assert_int_equal(WaitForSingleObject(pi.hProcess, 30000), WAIT_OBJECT_0);
    DWORD pid = pi.dwProcessId;
    char name[AD_PROCESS_NAME_MAX + 1];
    size_t len = 0;
    assert_int_equal(lookup(pid, ad_time_now_ns(), name, &len), AD_PLOOKUP_FOUND);
    assert_same_path(name, own_path);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    ad_process_lookup_result r = AD_PLOOKUP_FOUND;
    for (int i = 0; i < 200 && r == AD_PLOOKUP_FOUND; i++) { /* at most 10 s */
        r = lookup(pid, ad_time_now_ns(), name, &len);
        if (r == AD_PLOOKUP_FOUND) {
            assert_same_path(name, own_path);
            Sleep(50);
        }
    }
    assert_int_equal(r, AD_PLOOKUP_GONE);
    assert_int_equal(len, 0);
}

static void test_own_process(void **state)
{
    (void)state;
    char name[AD_PROCESS_NAME_MAX + 1];
    size_t len = 0;
    assert_int_equal(lookup(GetCurrentProcessId(), ad_time_now_ns(), name, &len), AD_PLOOKUP_FOUND);
    assert_same_path(name, own_path);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], CHILD_WAIT_ARG) == 0) {
        Sleep(60000); /* bounded: the parent terminates it long before */
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], CHILD_EXIT_ARG) == 0)
        return 0;
    load_own_path();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_running_child),
        cmocka_unit_test(test_exited_child),
        cmocka_unit_test(test_own_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * asimdns tests: the few OS services the otherwise portable unit tests need (process id, a
 * scratch folder, stderr into a file, running a function in a child process). One
 * implementation per OS (test_os_posix.c, test_os_win32.c), so the tests themselves stay free
 * of platform #ifdefs and build for Windows as they do for Linux.
 */
#ifndef AD_TEST_OS_H
#define AD_TEST_OS_H

#include <stdbool.h>
#include <stddef.h>

/* True in the Windows build (where the real ETW API table exists). */
bool test_os_is_windows(void);

/* True when this Windows program runs under Wine (ntdll exports wine_get_version). */
bool test_os_under_wine(void);

long test_os_pid(void);

/* "<temporary folder>/<stem>-<pid><suffix>" into buf (the folder: TMPDIR or /tmp; on Windows
   GetTempPath). */
void test_os_temp_path(char *buf, size_t cap, const char *stem, const char *suffix);

/* Sends stderr to the file at path (created or truncated); returns a handle for restoring it,
   or -1. */
int test_os_stderr_to(const char *path);
void test_os_stderr_restore(int saved);

/* Runs fn in a child process that starts as a copy of this one and returns the child's exit
   status; -1 when the OS cannot copy a process (Windows), so the caller skips. */
int test_os_run_in_child(int (*fn)(void *), void *arg);

/* Delivers the operator's stop signal to this process (SIGTERM). Returns false where there is
   no such signal to send to oneself. */
bool test_os_raise_stop(void);

#endif

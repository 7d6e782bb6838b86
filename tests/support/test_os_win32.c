/* asimdns tests: test_os.h for Windows (msvcrt's POSIX-style descriptor calls). */
#ifdef AD_PLATFORM_WINDOWS
#include "test_os.h"

#include <fcntl.h>
#include <io.h>
#include <process.h>
#include <stdio.h>
#include <sys/stat.h>
#include <windows.h>

bool test_os_is_windows(void)
{
    return true;
}

bool test_os_under_wine(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

long test_os_pid(void)
{
    return (long)GetCurrentProcessId();
}

void test_os_temp_path(char *buf, size_t cap, const char *stem, const char *suffix)
{
    char dir[MAX_PATH + 1];
    DWORD n = GetTempPathA(sizeof(dir), dir);
    if (n == 0 || n >= sizeof(dir))
        snprintf(dir, sizeof(dir), ".\\");
    /* GetTempPath ends with a backslash. */
    snprintf(buf, cap, "%s%s-%lu%s", dir, stem, (unsigned long)GetCurrentProcessId(), suffix);
}

int test_os_stderr_to(const char *path)
{
    fflush(stderr);
    int fd = _open(path, _O_CREAT | _O_TRUNC | _O_WRONLY | _O_BINARY, _S_IREAD | _S_IWRITE);
    if (fd < 0)
        return -1;
    int saved = _dup(2);
    _dup2(fd, 2);
    _close(fd);
    return saved;
}

void test_os_stderr_restore(int saved)
{
    fflush(stderr);
    if (saved < 0)
        return;
    _dup2(saved, 2);
    _close(saved);
}

int test_os_run_in_child(int (*fn)(void *), void *arg)
{
    /* No fork: a process cannot start as a copy of this one. */
    (void)fn;
    (void)arg;
    return -1;
}

bool test_os_raise_stop(void)
{
    /* The stop path on Windows is the console control handler; a console event sent to
       oneself reaches every process on the console (ctest, the shell), so it is not sent. */
    return false;
}
#endif

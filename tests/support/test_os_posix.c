/* asimdns tests: test_os.h for POSIX systems. */
#ifdef AD_PLATFORM_POSIX
#include "test_os.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

bool test_os_is_windows(void)
{
    return false;
}

bool test_os_under_wine(void)
{
    return false;
}

long test_os_pid(void)
{
    return (long)getpid();
}

void test_os_temp_path(char *buf, size_t cap, const char *stem, const char *suffix)
{
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/%s-%ld%s", dir && *dir ? dir : "/tmp", stem, (long)getpid(), suffix);
}

int test_os_stderr_to(const char *path)
{
    fflush(stderr);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0)
        return -1;
    int saved = dup(2);
    dup2(fd, 2);
    close(fd);
    return saved;
}

void test_os_stderr_restore(int saved)
{
    fflush(stderr);
    if (saved < 0)
        return;
    dup2(saved, 2);
    close(saved);
}

int test_os_run_in_child(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    int st = 0;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return 255;
    return WEXITSTATUS(st);
}

bool test_os_raise_stop(void)
{
    return raise(SIGTERM) == 0;
}
#endif

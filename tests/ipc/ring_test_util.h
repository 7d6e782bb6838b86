/*
 * asimdns tests: helpers shared by the ring tests and their helper programs (POSIX only); the
 * self-checking payloads are in ring_payload.h.
 */
#ifndef AD_TESTS_IPC_RING_TEST_UTIL_H
#define AD_TESTS_IPC_RING_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/timeutil.h"
#include "ipc/ring.h"
#include "tests/ipc/ring_payload.h"

extern char **environ;

/* A ring name unique to this process and call: t-<tag>-<pid>-<n>. */
static inline void rt_ring_name(char *buf, size_t cap, const char *tag)
{
    static unsigned counter;
    snprintf(buf, cap, "t-%s-%ld-%u", tag, (long)getpid(), counter++);
}

/*
 * Removes every ring object this process created (names t-*-<pid>-*), so a test that fails
 * half-way does not leave objects behind in the ring directory. For cmocka group teardowns.
 */
static inline int rt_cleanup_rings(void **state)
{
    char mark[32], path[PATH_MAX + 300];
    struct dirent *e;
    DIR *d = opendir(ad_ring_directory());
    (void)state;
    if (d == NULL) {
        return 0;
    }
    snprintf(mark, sizeof(mark), "-%ld-", (long)getpid());
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "asimdns-t-", 10) == 0 && strstr(e->d_name, mark) != NULL) {
            snprintf(path, sizeof(path), "%s/%s", ad_ring_directory(), e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    return 0;
}

/* The path of ring object <name>-<kind> in the ring directory. */
static inline void rt_object_path(char *buf, size_t cap, const char *name, const char *kind)
{
    snprintf(buf, cap, "%s/asimdns-%s-%s", ad_ring_directory(), name, kind);
}

/* Maps ring object <name>-<kind> directly (bypassing the ring), as a tamperer would. */
static inline void *rt_raw_map(const char *name, const char *kind, bool writable, size_t *size,
                               int *fd_out)
{
    char path[PATH_MAX + 160];
    struct stat st;
    void *addr;
    int fd;
    rt_object_path(path, sizeof(path), name, kind);
    fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    if (fstat(fd, &st) != 0 || st.st_size <= 0) {
        close(fd);
        return NULL;
    }
    addr = mmap(NULL, (size_t)st.st_size, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
                fd, 0);
    if (addr == MAP_FAILED) {
        close(fd);
        return NULL;
    }
    *size = (size_t)st.st_size;
    if (fd_out != NULL) {
        *fd_out = fd;
    } else {
        close(fd);
    }
    return addr;
}

/* Starts argv[0] with argv; returns the pid or -1. */
static inline pid_t rt_spawn(char *const argv[])
{
    pid_t pid;
    if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0) {
        return -1;
    }
    return pid;
}

/*
 * Waits for pid up to timeout_s seconds; returns its exit code, 128 + signal when killed by a
 * signal, or -1 on timeout (the child is then killed).
 */
static inline int rt_wait(pid_t pid, double timeout_s)
{
    uint64_t end = ad_time_mono_ns() + (uint64_t)(timeout_s * 1e9);
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            break;
        }
        if (r < 0 && errno != EINTR) {
            return -2;
        }
        if (ad_time_mono_ns() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        ad_sleep_ns(1000000);
    }
    if (WIFEXITED(st)) {
        return WEXITSTATUS(st);
    }
    if (WIFSIGNALED(st)) {
        return 128 + WTERMSIG(st);
    }
    return -3;
}

#endif

/* Unit tests for the sd_notify datagram protocol (common/sdnotify.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/sdnotify.h"

/* Binds a datagram socket at path (leading '@' = abstract) and returns it. */
static int listen_at(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    size_t len = strlen(path);
    memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0';
    assert_int_equal(bind(fd, (struct sockaddr *)&addr,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
                     0);
    return fd;
}

static void expect_datagram(int fd, const char *text)
{
    char buf[128];
    ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

static void test_path_socket(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/asimdns-sd-%ld.sock", (long)getpid());
    unlink(path);
    int fd = listen_at(path);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_true(ad_sd_notify("READY=1"));
    expect_datagram(fd, "READY=1");
    assert_true(ad_sd_notify("STATUS=exporting\nWATCHDOG=1"));
    expect_datagram(fd, "STATUS=exporting\nWATCHDOG=1");
    close(fd);
    unlink(path);
    unsetenv("NOTIFY_SOCKET");
}

static void test_abstract_socket(void **state)
{
    (void)state;
    char name[64];
    snprintf(name, sizeof(name), "@asimdns-sd-test-%ld", (long)getpid());
    int fd = listen_at(name);
    setenv("NOTIFY_SOCKET", name, 1);
    assert_true(ad_sd_notify("STOPPING=1"));
    expect_datagram(fd, "STOPPING=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
}

static void test_without_or_bad_socket(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    assert_true(ad_sd_notify("READY=1")); /* not under systemd: nothing to do */
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    assert_false(ad_sd_notify("READY=1"));
    setenv("NOTIFY_SOCKET", "/nonexistent/asimdns.sock", 1);
    assert_false(ad_sd_notify("READY=1"));
    unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_interval(void **state)
{
    (void)state;
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    assert_true(ad_sd_watchdog_ns() == 0);
    setenv("WATCHDOG_USEC", "20000000", 1);
    assert_true(ad_sd_watchdog_ns() == 20000000000ULL);
    char pid[32];
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    assert_true(ad_sd_watchdog_ns() == 20000000000ULL);
    setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
    assert_true(ad_sd_watchdog_ns() == 0);
    unsetenv("WATCHDOG_PID");
    setenv("WATCHDOG_USEC", "12x", 1);
    assert_true(ad_sd_watchdog_ns() == 0);
    unsetenv("WATCHDOG_USEC");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_socket),
        cmocka_unit_test(test_abstract_socket),
        cmocka_unit_test(test_without_or_bad_socket),
        cmocka_unit_test(test_watchdog_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

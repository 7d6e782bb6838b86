/* asimdns: sd_notify datagrams on POSIX. */
#ifdef AD_PLATFORM_POSIX
#include "common/sdnotify.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

bool ad_sd_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL || path[0] == '\0')
        return true;
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    size_t len = strlen(path);
    if (len >= sizeof(addr.sun_path) || (path[0] != '/' && path[0] != '@'))
        return false;
    memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0'; /* Linux abstract namespace */
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0)
        return false;
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    ssize_t n = sendto(fd, state, strlen(state), 0, (const struct sockaddr *)&addr, alen);
    close(fd);
    return n == (ssize_t)strlen(state);
}

uint64_t ad_sd_watchdog_ns(void)
{
    const char *usec = getenv("WATCHDOG_USEC");
    if (usec == NULL)
        return 0;
    const char *pid = getenv("WATCHDOG_PID");
    if (pid != NULL && strtoul(pid, NULL, 10) != (unsigned long)getpid())
        return 0;
    char *end;
    unsigned long long v = strtoull(usec, &end, 10);
    if (end == usec || *end != '\0')
        return 0;
    return (uint64_t)v * 1000ULL;
}
#endif

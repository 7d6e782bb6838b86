/* asimdns: host name and pid on POSIX. */
#ifdef AD_PLATFORM_POSIX
#include "common/host.h"

#include <stdio.h>
#include <unistd.h>

void ad_host_name(char *buf, size_t cap)
{
    if (cap == 0)
        return;
    if (gethostname(buf, cap) != 0 || buf[0] == '\0')
        snprintf(buf, cap, "localhost");
    buf[cap - 1] = '\0';
}

unsigned long ad_process_id(void)
{
    return (unsigned long)getpid();
}

unsigned ad_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (unsigned)n : 1u;
}
#endif

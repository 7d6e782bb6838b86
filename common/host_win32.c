/* asimdns: host name and pid on Windows. */
#ifdef AD_PLATFORM_WINDOWS
#include "common/host.h"

#include <stdio.h>
#include <windows.h>

void ad_host_name(char *buf, size_t cap)
{
    if (cap == 0)
        return;
    DWORD len = (DWORD)(cap > 0xFFFF ? 0xFFFF : cap);
    /* The DNS FQDN is what ASIM's Dvc/DvcFQDN expect (facts/asim-dns.md §2.2). */
    if (!GetComputerNameExA(ComputerNameDnsFullyQualified, buf, &len) || buf[0] == '\0')
        snprintf(buf, cap, "localhost");
    buf[cap - 1] = '\0';
}

unsigned long ad_process_id(void)
{
    return (unsigned long)GetCurrentProcessId();
}

unsigned ad_cpu_count(void)
{
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return si.dwNumberOfProcessors >= 1 ? (unsigned)si.dwNumberOfProcessors : 1u;
}
#endif

/* asimdns-exporter: process working set and CPU time on Windows. See procstat.h. */
#ifdef AD_PLATFORM_WINDOWS

/* PSAPI version 2 maps GetProcessMemoryInfo to K32GetProcessMemoryInfo in kernel32, so no
   psapi.lib is needed. */
#ifndef PSAPI_VERSION
#define PSAPI_VERSION 2
#endif

#include "exporter/procstat.h"

#include <string.h>
#include <windows.h>

#include <psapi.h>

static double filetime_seconds(const FILETIME *ft)
{
    ULARGE_INTEGER u;
    u.LowPart = ft->dwLowDateTime;
    u.HighPart = ft->dwHighDateTime;
    return (double)u.QuadPart / 1e7; /* 100 ns units */
}

ad_err ad_procstat_read(uint64_t pid, ad_procstat *out)
{
    memset(out, 0, sizeof(*out));
    HANDLE h;
    if (pid == 0) {
        h = GetCurrentProcess();
    } else {
        h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
        if (h == NULL)
            return GetLastError() == ERROR_ACCESS_DENIED ? AD_EPERM : AD_ENOENT;
    }
    PROCESS_MEMORY_COUNTERS pmc;
    FILETIME created, exited, kernel, user;
    ad_err err = AD_OK;
    memset(&pmc, 0, sizeof(pmc));
    pmc.cb = sizeof(pmc);
    if (GetProcessMemoryInfo(h, &pmc, sizeof(pmc)))
        out->rss_bytes = (uint64_t)pmc.WorkingSetSize;
    else
        err = AD_EPERM;
    if (GetProcessTimes(h, &created, &exited, &kernel, &user))
        out->cpu_seconds = filetime_seconds(&kernel) + filetime_seconds(&user);
    else
        err = AD_EPERM;
    if (pid != 0)
        CloseHandle(h);
    return err;
}

#endif

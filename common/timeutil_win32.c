/* asimdns: clocks and sleep on Windows. */
#ifdef AD_PLATFORM_WINDOWS
#include "common/timeutil.h"

#include <windows.h>

uint64_t ad_time_now_ns(void)
{
    FILETIME ft;
    GetSystemTimePreciseAsFileTime(&ft);
    uint64_t ticks = ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    uint64_t ns = 0;
    (void)ad_filetime_to_unix_ns(ticks, &ns);
    return ns;
}

uint64_t ad_time_mono_ns(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER now;
    if (freq.QuadPart == 0)
        QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&now);
    uint64_t secs = (uint64_t)now.QuadPart / (uint64_t)freq.QuadPart;
    uint64_t rest = (uint64_t)now.QuadPart % (uint64_t)freq.QuadPart;
    return secs * 1000000000ULL + rest * 1000000000ULL / (uint64_t)freq.QuadPart;
}

void ad_sleep_ns(uint64_t ns)
{
    /* Rounded up: Sleep takes whole milliseconds, and a sleep that ends early makes a caller
       waiting for a deadline (capture/pacer.c) wake and sleep again. */
    uint64_t ms = (ns + 999999ULL) / 1000000ULL;
    Sleep(ms > 0xFFFFFFFEULL ? 0xFFFFFFFEUL : (DWORD)ms); /* INFINITE (all ones) never ends */
}
#endif

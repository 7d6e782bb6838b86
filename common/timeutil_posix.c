/* asimdns: clocks and sleep on POSIX systems. */
#ifdef AD_PLATFORM_POSIX
#include "common/timeutil.h"

#include <errno.h>
#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t ad_time_now_ns(void)
{
    return clock_ns(CLOCK_REALTIME);
}

uint64_t ad_time_mono_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

void ad_sleep_ns(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ULL),
                          .tv_nsec = (long)(ns % 1000000000ULL)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
#endif

/* bench/: CPU time of the calling thread, for benches on a machine shared with other work. */
#ifndef AD_BENCH_CPU_TIME_H
#define AD_BENCH_CPU_TIME_H

#include <stdint.h>
#include <time.h>

#include "common/timeutil.h"

/* Thread CPU time in ns (wall time would count the time other processes hold the core);
 * monotonic wall time on Windows. */
static inline uint64_t bench_cpu_ns(void)
{
#if defined(_WIN32)
    return ad_time_mono_ns();
#else
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

#endif

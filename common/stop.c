/* asimdns: the process-wide stop flag. */
#include "common/stop.h"

#include <stdatomic.h>

/*
 * Set from a signal handler, the Windows console-handler thread or another thread of ours, read
 * by every loop: a lock-free atomic is both async-signal-safe and race-free across threads.
 */
static atomic_int stop_flag;

bool ad_stop_requested(void)
{
    return atomic_load_explicit(&stop_flag, memory_order_relaxed) != 0;
}

void ad_stop_request(void)
{
    atomic_store_explicit(&stop_flag, 1, memory_order_relaxed);
}

/* asimdns: the process-wide stop flag. */
#include "common/stop.h"

#include <signal.h>

/* sig_atomic_t: the only type a signal handler may portably store to. */
static volatile sig_atomic_t stop_flag;

bool ad_stop_requested(void)
{
    return stop_flag != 0;
}

void ad_stop_request(void)
{
    stop_flag = 1;
}

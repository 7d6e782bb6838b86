/* asimdns: Windows services report to the Service Control Manager instead of systemd. */
#ifdef AD_PLATFORM_WINDOWS
#include "common/sdnotify.h"

#include "common/service.h"

bool ad_sd_notify(const char *state)
{
    /* READY/STOPPING/WATCHDOG become RUNNING/STOP_PENDING/checkpoints under `service run`. */
    ad__service_report(state);
    return true;
}

uint64_t ad_sd_watchdog_ns(void)
{
    return 0;
}
#endif

/* asimdns: Windows services report to the Service Control Manager instead of systemd. */
#ifdef AD_PLATFORM_WINDOWS
#include "common/sdnotify.h"

bool ad_sd_notify(const char *state)
{
    (void)state;
    return true;
}

uint64_t ad_sd_watchdog_ns(void)
{
    return 0;
}
#endif

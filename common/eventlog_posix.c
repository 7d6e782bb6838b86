/* asimdns: no Event Log on POSIX systems; the journal reads stderr. */
#ifdef AD_PLATFORM_POSIX
#include "common/eventlog.h"

bool ad_eventlog_open(const char *source)
{
    (void)source;
    return true;
}

void ad_eventlog_close(void) {}

bool ad_eventlog_register(const char *source, bool install)
{
    (void)source;
    (void)install;
    return true;
}
#endif

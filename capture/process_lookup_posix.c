/*
 * asimdns-capture: no process lookup outside Windows (process_lookup.h): only ETW events name a
 * requesting process, and the tests bring their own lookup.
 */
#ifdef AD_PLATFORM_POSIX
#include "capture/process_lookup.h"

const ad_process_lookup *ad_process_lookup_os(void)
{
    return NULL;
}
#endif

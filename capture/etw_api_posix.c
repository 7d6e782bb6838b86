/*
 * asimdns-capture: there is no ETW outside Windows. The `etw` and `etl` sources need the real
 * table (etw_api_win32.c); the tests bring their own (tests/capture/fake_etw.c).
 */
#ifdef AD_PLATFORM_POSIX
#include "capture/etw_session.h"

const ad_etw_api *ad_etw_api_win32(void)
{
    return NULL;
}
#endif

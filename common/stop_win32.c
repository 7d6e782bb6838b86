/* asimdns: Ctrl-C, Ctrl-Break, console close, logoff and shutdown raise the stop flag. */
#ifdef AD_PLATFORM_WINDOWS
#include "common/stop.h"

#include <windows.h>

static BOOL WINAPI on_console_event(DWORD type)
{
    (void)type;
    ad_stop_request();
    /* Returning TRUE for CTRL_CLOSE_EVENT gives the process time to release its ETW session. */
    return TRUE;
}

void ad_stop_install(void)
{
    SetConsoleCtrlHandler(on_console_event, TRUE);
}
#endif

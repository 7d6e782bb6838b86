/* asimdns: SIGINT/SIGTERM raise the stop flag; SIGPIPE is ignored (errors come from write). */
#ifdef AD_PLATFORM_POSIX
#include "common/stop.h"

#include <signal.h>
#include <string.h>

static void on_signal(int sig)
{
    (void)sig;
    ad_stop_request();
}

void ad_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}
#endif

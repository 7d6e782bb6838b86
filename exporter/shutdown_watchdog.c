/* asimdns: the shutdown watchdog (see shutdown_watchdog.h). */
#include "exporter/shutdown_watchdog.h"

#include <stdlib.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/log.h"

static struct {
    nng_thread *thr; /* never joined: the process ends first */
    const char *what;
    unsigned limit_ms;
    volatile int rc;
} wd;

static void watchdog(void *arg)
{
    (void)arg;
    nng_msleep((nng_duration)wd.limit_ms);
    ad_log_warn("shutdown: %s did not finish within %u ms (nng 1.5.2 close deadlock); exiting "
                "without it (output was flushed before)",
                wd.what, wd.limit_ms);
    _Exit(wd.rc);
}

int ad_shutdown_watchdog_arm(const char *what, unsigned limit_ms, int rc)
{
    wd.rc = rc;
    if (wd.thr != NULL)
        return 0;
    wd.what = what;
    wd.limit_ms = limit_ms;
    return nng_thread_create(&wd.thr, watchdog, NULL) == 0 ? 0 : -1;
}

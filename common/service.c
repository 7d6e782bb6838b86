/* asimdns: the OS-neutral part of the service glue. */
#include "common/service.h"

#include <stdio.h>
#include <string.h>

int ad_service_refuse_privileged(const char *program, bool allow)
{
    const char *who = ad__service_privileged_identity();
    if (who == NULL || allow)
        return -1;
    fprintf(stderr,
            "%s: refusing to run as %s: this service needs no privileges (it maps the ring "
            "read-only and writes only its cursor). Run it as an unprivileged account that may "
            "attach to the ring (Linux: a user in the ring's group, see "
            "deploy/systemd/%s.service; Windows: NT SERVICE\\%s), or pass --allow-root to "
            "override this check.\n",
            program, who, program, program);
    return AD_SERVICE_EXIT_PRIVILEGED;
}

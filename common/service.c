/* asimdns: the OS-neutral part of the service glue. */
#include "common/service.h"

#include <stdio.h>
#include <string.h>

bool ad_service_take_flag(int *argc, char **argv, const char *flag)
{
    bool found = false;
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], flag) == 0)
            found = true;
        else
            argv[out++] = argv[i];
    }
    if (out < *argc)
        argv[out] = NULL; /* argv stays NULL-terminated as main received it */
    *argc = out;
    return found;
}

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

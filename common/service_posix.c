/* asimdns: POSIX services are systemd units; the `service` subcommand only points there. */
#ifdef AD_PLATFORM_POSIX
#include "common/service.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ad_service_command(int argc, char **argv, const ad_service_info *info,
                       ad_service_main_fn main_fn)
{
    (void)main_fn;
    if (argc < 2 || strcmp(argv[1], "service") != 0)
        return -1;
    fprintf(stderr,
            "%s: 'service' manages Windows services. On this system run %s as a systemd unit: "
            "install deploy/systemd/%s.service into /etc/systemd/system, then "
            "`systemctl daemon-reload && systemctl enable --now %s` (deploy/README.md).\n",
            info->name, info->name, info->name, info->name);
    return 2;
}

bool ad_service_active(void)
{
    return false;
}

const char *ad__service_privileged_identity(void)
{
    return geteuid() == 0 ? "root" : NULL;
}

void ad__service_report(const char *sd_state)
{
    (void)sd_state;
}
#endif

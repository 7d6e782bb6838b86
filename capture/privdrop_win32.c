/* asimdns-capture: privileges on Windows come from the service account (deploy/windows). */
#ifdef AD_PLATFORM_WINDOWS
#include "capture/privdrop.h"

#include <stdio.h>

ad_err ad_privdrop(const char *user, const char *group, char *msg, size_t msgcap)
{
    if (user[0] == '\0' && group[0] == '\0')
        return AD_OK;
    /* A process cannot become another account on Windows; the SCM starts it as one. */
    snprintf(msg, msgcap,
             "privileges.user/group apply to POSIX only; on Windows choose the "
             "service account when installing the service");
    return AD_EUNSUPP;
}
#endif

/* asimdns: thread-safe user/group lookups (getpwnam_r/getgrnam_r) on POSIX. */
#ifdef AD_PLATFORM_POSIX
#include "common/account.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>

/* Largest buffer tried for one passwd/group entry (large groups list many members). */
#define ENTRY_BUF_MAX (1u << 20)

static bool parse_id(const char *text, unsigned long *out)
{
    char *end;
    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v > (unsigned long)INT_MAX)
        return false;
    *out = v;
    return true;
}

ad_err ad_account_user(const char *text, unsigned long *uid, unsigned long *primary_gid)
{
    if (parse_id(text, uid)) {
        if (primary_gid != NULL)
            *primary_gid = AD_ACCOUNT_NO_GROUP;
        return AD_OK;
    }
    for (size_t cap = 4096; cap <= ENTRY_BUF_MAX; cap *= 4) {
        char *buf = malloc(cap);
        if (buf == NULL)
            return AD_ENOMEM;
        struct passwd pw, *res = NULL;
        int rc = getpwnam_r(text, &pw, buf, cap, &res);
        if (rc == ERANGE) {
            free(buf);
            continue;
        }
        ad_err err = rc == 0 && res != NULL ? AD_OK : AD_ENOENT;
        if (err == AD_OK) {
            *uid = pw.pw_uid;
            if (primary_gid != NULL)
                *primary_gid = pw.pw_gid;
        }
        free(buf);
        return err;
    }
    return AD_ENOMEM;
}

ad_err ad_account_group(const char *text, unsigned long *gid)
{
    if (parse_id(text, gid))
        return AD_OK;
    for (size_t cap = 4096; cap <= ENTRY_BUF_MAX; cap *= 4) {
        char *buf = malloc(cap);
        if (buf == NULL)
            return AD_ENOMEM;
        struct group gr, *res = NULL;
        int rc = getgrnam_r(text, &gr, buf, cap, &res);
        if (rc == ERANGE) {
            free(buf);
            continue;
        }
        ad_err err = rc == 0 && res != NULL ? AD_OK : AD_ENOENT;
        if (err == AD_OK)
            *gid = gr.gr_gid;
        free(buf);
        return err;
    }
    return AD_ENOMEM;
}
#endif

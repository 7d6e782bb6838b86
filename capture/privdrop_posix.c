/* asimdns-capture: irreversible switch to an unprivileged user and group (POSIX). */
#ifdef AD_PLATFORM_POSIX
#include "capture/privdrop.h"
#include "common/account.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/capability.h>
#include <sys/prctl.h>
#endif

static ad_err resolve(const char *user, const char *group, uid_t *uid, gid_t *gid, char *msg,
                      size_t msgcap)
{
    unsigned long id, primary;
    if (ad_account_user(user, &id, &primary) != AD_OK) {
        snprintf(msg, msgcap, "unknown user '%s'", user);
        return AD_ENOENT;
    }
    *uid = (uid_t)id;
    if (group[0] != '\0') {
        if (ad_account_group(group, &primary) != AD_OK) {
            snprintf(msg, msgcap, "unknown group '%s'", group);
            return AD_ENOENT;
        }
    } else if (primary == AD_ACCOUNT_NO_GROUP) {
        snprintf(msg, msgcap, "user '%s' has no passwd entry: name a group", user);
        return AD_ENOENT;
    }
    *gid = (gid_t)primary;
    return AD_OK;
}

#ifdef __linux__
/*
 * Empties the capability bounding set, so nothing the capture ever executes (or a file
 * capability) can bring a capability back after the switch. Needs CAP_SETPCAP, which root has
 * (the systemd unit keeps it in its bounding set for this): must run before the uid changes.
 * Capabilities the kernel does not know end the loop (EINVAL). Returns how many remain.
 */
static unsigned drop_bounding_set(void)
{
    unsigned left = 0;
    for (int cap = 0; cap <= 63; cap++) {
        int have = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (have < 0)
            break; /* beyond the kernel's last capability */
        if (have == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            left++;
    }
    return left;
}
#endif

ad_err ad_privdrop(const char *user, const char *group, char *msg, size_t msgcap)
{
    if (user[0] == '\0' && group[0] == '\0')
        return AD_OK;
    if (user[0] == '\0') {
        snprintf(msg, msgcap, "privileges.group needs privileges.user");
        return AD_EINVAL;
    }
    uid_t uid;
    gid_t gid;
    ad_err err = resolve(user, group, &uid, &gid, msg, msgcap);
    if (err != AD_OK)
        return err;
#ifdef __linux__
    unsigned caps_left = drop_bounding_set();
#endif
    /* Supplementary groups first: afterwards we no longer have the right to change them. */
    if (setgroups(1, &gid) != 0) {
        snprintf(msg, msgcap, "setgroups: %s", strerror(errno));
        return AD_EPERM;
    }
    if (setgid(gid) != 0) {
        snprintf(msg, msgcap, "setgid(%lu): %s", (unsigned long)gid, strerror(errno));
        return AD_EPERM;
    }
    if (setuid(uid) != 0) {
        snprintf(msg, msgcap, "setuid(%lu): %s", (unsigned long)uid, strerror(errno));
        return AD_EPERM;
    }
#ifdef __linux__
    /* No exec of ours may gain privileges again (setuid binaries, file capabilities). */
    (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#endif
    /* Verify: the ids took, and the way back is closed. */
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
        snprintf(msg, msgcap, "ids did not change as requested");
        return AD_EPERM;
    }
    if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
        snprintf(msg, msgcap, "root could be regained after the switch");
        return AD_EPERM;
    }
#ifdef __linux__
    /* Without CAP_SETPCAP (a bounding set that excludes it) the OS does not allow the drop:
       the switch itself still holds, so say so instead of refusing to start. */
    if (caps_left != 0)
        snprintf(msg, msgcap, "capability bounding set not emptied (%u left: no CAP_SETPCAP)",
                 caps_left);
#endif
    return AD_OK;
}
#endif

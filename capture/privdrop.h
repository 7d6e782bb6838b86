/*
 * asimdns-capture: giving up privileges after the source and the ring are open.
 *
 * POSIX order (STYLE.md §3, OpenBSD ntpd): supplementary groups, then the group, then the
 * user; then proof that it cannot be undone (setuid(0) must fail). Switching from root to
 * another uid also clears every capability.
 *
 * Windows (privdrop_win32.c) drops nothing at run time: a process cannot become another
 * account there. The account is chosen when the service is installed (deploy/windows), and
 * the installation lists the only privileges the SCM leaves in its token (common/service.h
 * `privileges`; the capture keeps SeChangeNotifyPrivilege and SeCreateGlobalPrivilege). So
 * ad_privdrop does nothing when privileges.user and .group are empty and refuses them
 * (AD_EUNSUPP, msg says to choose the service account) when they are set.
 */
#ifndef AD_CAPTURE_PRIVDROP_H
#define AD_CAPTURE_PRIVDROP_H

#include <stddef.h>

#include "common/error.h"

/*
 * Switches to user (name or numeric uid) and group (name or gid; empty = the user's primary
 * group). Both empty: nothing to do (AD_OK). AD_ENOENT for an unknown user or group,
 * AD_EPERM when the switch is refused or turns out reversible; msg says which step.
 */
ad_err ad_privdrop(const char *user, const char *group, char *msg, size_t msgcap);

#endif

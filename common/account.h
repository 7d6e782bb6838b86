/*
 * asimdns: user and group names to ids (POSIX). One lookup for the ring's owner and group,
 * the dnstap socket's owner and group, and the capture's privilege drop.
 */
#ifndef AD_COMMON_ACCOUNT_H
#define AD_COMMON_ACCOUNT_H

#include "common/error.h"

/* What AD_ACCOUNT_NO_GROUP stands for: a numeric uid has no known primary group. */
#define AD_ACCOUNT_NO_GROUP ((unsigned long)-1)

/*
 * Resolves a decimal uid or a user name. *primary_gid (may be NULL) receives the user's
 * passwd group, or AD_ACCOUNT_NO_GROUP for a numeric uid. AD_ENOENT when unknown, AD_ENOMEM.
 */
ad_err ad_account_user(const char *text, unsigned long *uid, unsigned long *primary_gid);

/* Resolves a decimal gid or a group name. AD_ENOENT when unknown, AD_ENOMEM. */
ad_err ad_account_group(const char *text, unsigned long *gid);

#endif

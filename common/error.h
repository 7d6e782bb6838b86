/*
 * asimdns: error codes shared by every part, and the one way modules report errors.
 *
 * One enum, 0 = success. Fallible functions return an ad_err and deliver results through
 * out-parameters; where a caller needs to say more than the code (which file, which OS error),
 * the function also takes a message buffer (char *msg, size_t cap; NULL allowed) and fills it
 * with ad_err_msg; where the reason is one of a fixed set on a hot path (the DNS parser), an
 * optional `const char **why` receives a static text instead, so nothing is formatted. Library
 * code never logs: the caller decides whether and how loudly.
 */
#ifndef AD_COMMON_ERROR_H
#define AD_COMMON_ERROR_H

#include <stddef.h>

#include "common/compiler.h"

typedef enum ad_err {
    AD_OK = 0,
    AD_EINVAL,    /* invalid argument or value */
    AD_ENOMEM,    /* allocation failed */
    AD_ETRUNC,    /* input ends before a required field */
    AD_ERANGE,    /* value or length out of range */
    AD_EFORMAT,   /* malformed input (syntax, framing) */
    AD_EUTF,      /* invalid UTF-8 or UTF-16 text */
    AD_EVERSION,  /* unsupported layout or record version */
    AD_EFULL,     /* no room (ring full, buffer too small) */
    AD_EEMPTY,    /* nothing to read */
    AD_ENOENT,    /* object or file does not exist */
    AD_EEXIST,    /* object already exists */
    AD_EPERM,     /* permission denied */
    AD_EIO,       /* I/O error */
    AD_ECORRUPT,  /* shared state failed validation */
    AD_ETIMEDOUT, /* operation timed out */
    AD_ECLOSED,   /* peer or object closed */
    AD_EUNSUPP,   /* not supported here (OS, event id, feature) */
    AD_ESYS,      /* other operating-system error */
    AD_ERR__COUNT
} ad_err;

/* A short English message for err; never NULL, also for unknown values. */
const char *ad_strerror(ad_err err);

/* The symbolic name ("AD_EINVAL") for err; never NULL. */
const char *ad_err_name(ad_err err);

/*
 * Writes the message that goes with a returned ad_err into the caller's buffer (msg, cap);
 * nothing when msg is NULL or cap is 0. The one way a module reports what went wrong: it
 * returns the code and the message, and its caller decides whether and how to log them.
 */
void ad_err_msg(char *msg, size_t cap, const char *fmt, ...) AD_PRINTF(3, 4);

/* Adds one more item to such a message, after "; " when it is not empty (cut at cap). */
void ad_err_msg_append(char *msg, size_t cap, const char *fmt, ...) AD_PRINTF(3, 4);

#endif

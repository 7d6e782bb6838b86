/* asimdns: messages and names for ad_err. */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    const char *message;
} error_table[AD_ERR__COUNT] = {
    [AD_OK] = {"AD_OK", "success"},
    [AD_EINVAL] = {"AD_EINVAL", "invalid argument"},
    [AD_ENOMEM] = {"AD_ENOMEM", "out of memory"},
    [AD_ETRUNC] = {"AD_ETRUNC", "input truncated"},
    [AD_ERANGE] = {"AD_ERANGE", "value out of range"},
    [AD_EFORMAT] = {"AD_EFORMAT", "malformed input"},
    [AD_EUTF] = {"AD_EUTF", "invalid text encoding"},
    [AD_EVERSION] = {"AD_EVERSION", "unsupported version"},
    [AD_EFULL] = {"AD_EFULL", "no space left"},
    [AD_EEMPTY] = {"AD_EEMPTY", "nothing available"},
    [AD_ENOENT] = {"AD_ENOENT", "no such object"},
    [AD_EEXIST] = {"AD_EEXIST", "object already exists"},
    [AD_EPERM] = {"AD_EPERM", "permission denied"},
    [AD_EIO] = {"AD_EIO", "input/output error"},
    [AD_ECORRUPT] = {"AD_ECORRUPT", "corrupt shared state"},
    [AD_ETIMEDOUT] = {"AD_ETIMEDOUT", "timed out"},
    [AD_ECLOSED] = {"AD_ECLOSED", "closed"},
    [AD_EUNSUPP] = {"AD_EUNSUPP", "not supported"},
    [AD_ESYS] = {"AD_ESYS", "operating system error"},
};

const char *ad_strerror(ad_err err)
{
    if ((unsigned)err >= AD_ERR__COUNT)
        return "unknown error";
    return error_table[err].message;
}

const char *ad_err_name(ad_err err)
{
    if ((unsigned)err >= AD_ERR__COUNT)
        return "AD_E?";
    return error_table[err].name;
}

/* AD_PRINTF(4, 0): fmt is checked at the callers, which pass their own format on. */
static void msg_at(char *msg, size_t cap, size_t at, const char *fmt, va_list ap) AD_PRINTF(4, 0);

static void msg_at(char *msg, size_t cap, size_t at, const char *fmt, va_list ap)
{
    if (msg != NULL && at < cap) {
        vsnprintf(msg + at, cap - at, fmt, ap);
    }
}

void ad_err_msg(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    msg_at(msg, cap, 0, fmt, ap);
    va_end(ap);
}

void ad_err_msg_append(char *msg, size_t cap, const char *fmt, ...)
{
    va_list ap;
    if (msg == NULL || cap == 0) {
        return;
    }
    size_t n = strnlen(msg, cap);
    if (n != 0 && n + 2 < cap) {
        memcpy(msg + n, "; ", 3);
        n += 2;
    }
    va_start(ap, fmt);
    msg_at(msg, cap, n, fmt, ap);
    va_end(ap);
}

/* asimdns tests: the fault-injecting spool file layer (spool_fault_fs.h). */
#include "spool_fault_fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OS (&((fault_fs *)ctx)->base)

/* Counts a call; nonzero: the negative errno it must fail with (1: a short write). */
static int fault(fault_fs *f, fault_op kind)
{
    f->calls[FAULT_ANY]++;
    f->calls[kind]++;
    if (getenv("SPOOL_TEST_TRACE"))
        fprintf(stderr, "call %llu kind %d%s\n", (unsigned long long)f->calls[FAULT_ANY], (int)kind,
                f->crash_at != 0 && f->calls[FAULT_ANY] >= f->crash_at ? " CRASH" : "");
    if (f->crash_at != 0 && f->calls[FAULT_ANY] >= f->crash_at)
        f->crashed = true;
    if (f->crashed)
        return -EIO;
    if (f->fail_at == 0 || (f->fail_kind != FAULT_ANY && f->fail_kind != kind))
        return 0;
    uint64_t n = f->calls[f->fail_kind];
    if (n == f->fail_at || (f->sticky && n > f->fail_at)) {
        f->faults++;
        if (f->short_write && kind == FAULT_WRITE)
            return 1;
        return -(f->fail_errno ? f->fail_errno : EIO);
    }
    return 0;
}

static int f_prepare(void *ctx, const char *dir, char *msg, size_t cap)
{
    int e = fault(ctx, FAULT_OTHER);
    return e ? e : OS->prepare_dir(NULL, dir, msg, cap);
}

static int f_list(void *ctx, const char *dir, ad_spool_fs_name_cb cb, void *arg)
{
    int e = fault(ctx, FAULT_OTHER);
    return e ? e : OS->list(NULL, dir, cb, arg);
}

static int f_open(void *ctx, const char *path, int mode)
{
    int e = fault(ctx, FAULT_OPEN);
    return e ? e : OS->open(NULL, path, mode);
}

static int f_close(void *ctx, int fd)
{
    /* always closes: a crashed process's descriptors go too */
    return OS->close(NULL, fd);
}

static long f_pread(void *ctx, int fd, void *buf, size_t n, uint64_t off)
{
    int e = fault(ctx, FAULT_READ);
    return e ? e : OS->pread(NULL, fd, buf, n, off);
}

static long f_pwrite(void *ctx, int fd, const void *buf, size_t n, uint64_t off)
{
    int e = fault(ctx, FAULT_WRITE);
    if (e == 1) /* a short write: half of it reaches the file */
        return OS->pwrite(NULL, fd, buf, n / 2, off);
    return e ? e : OS->pwrite(NULL, fd, buf, n, off);
}

static int f_fsync(void *ctx, int fd)
{
    int e = fault(ctx, FAULT_FSYNC);
    return e ? e : OS->fsync(NULL, fd);
}

static int f_ftruncate(void *ctx, int fd, uint64_t len)
{
    int e = fault(ctx, FAULT_TRUNCATE);
    return e ? e : OS->ftruncate(NULL, fd, len);
}

static int f_size(void *ctx, int fd, uint64_t *len)
{
    int e = fault(ctx, FAULT_OTHER);
    return e ? e : OS->size(NULL, fd, len);
}

static int f_unlink(void *ctx, const char *path)
{
    int e = fault(ctx, FAULT_OTHER);
    return e ? e : OS->unlink(NULL, path);
}

static int f_sync_dir(void *ctx, const char *dir)
{
    int e = fault(ctx, FAULT_FSYNC);
    return e ? e : OS->sync_dir(NULL, dir);
}

void fault_fs_init(fault_fs *f)
{
    memset(f, 0, sizeof(*f));
    f->base = *ad_spool_fs_os();
    f->table = (ad_spool_fs){.prepare_dir = f_prepare,
                             .list = f_list,
                             .open = f_open,
                             .close = f_close,
                             .pread = f_pread,
                             .pwrite = f_pwrite,
                             .fsync = f_fsync,
                             .ftruncate = f_ftruncate,
                             .size = f_size,
                             .unlink = f_unlink,
                             .sync_dir = f_sync_dir,
                             .ctx = f};
}

void fault_fs_clear(fault_fs *f)
{
    f->fail_at = 0;
    f->sticky = false;
    f->short_write = false;
    f->crash_at = 0;
    f->crashed = false;
}

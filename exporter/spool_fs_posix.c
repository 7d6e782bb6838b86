/* asimdns-exporter: the spool's file operations on POSIX (spool_fs.h). */
#include "exporter/spool_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int neg_errno(void)
{
    return errno ? -errno : -EIO;
}

static int os_prepare_dir(void *ctx, const char *dir, char *msg, size_t msgcap)
{
    (void)ctx;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        int e = errno;
        snprintf(msg, msgcap, "cannot create spool directory %s: %s", dir, strerror(e));
        return -e;
    }
    /* O_NOFOLLOW: a link planted in the directory's place is refused, not followed. */
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(msg, msgcap, "cannot open spool directory %s: %s%s", dir, strerror(e),
                 e == ELOOP || e == ENOTDIR ? " (a link or not a directory: refused)" : "");
        return -e;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = neg_errno();
        snprintf(msg, msgcap, "cannot stat spool directory %s: %s", dir, strerror(-rc));
    } else if (st.st_uid != geteuid()) {
        rc = -EPERM;
        snprintf(msg, msgcap,
                 "spool directory %s belongs to uid %ld, not to the exporter's user "
                 "(uid %ld): refused",
                 dir, (long)st.st_uid, (long)geteuid());
    } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        rc = -EPERM;
        snprintf(msg, msgcap,
                 "spool directory %s is writable by group or others (mode %03o): "
                 "refused",
                 dir, (unsigned)(st.st_mode & 0777));
    } else if ((st.st_mode & 0777) != 0700 && fchmod(fd, 0700) != 0) {
        rc = neg_errno();
        snprintf(msg, msgcap, "cannot set mode 0700 on spool directory %s: %s", dir, strerror(-rc));
    }
    close(fd);
    return rc;
}

static int os_list(void *ctx, const char *dir, ad_spool_fs_name_cb cb, void *arg)
{
    (void)ctx;
    DIR *d = opendir(dir);
    if (d == NULL)
        return neg_errno();
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (cb(arg, e->d_name) != 0)
            break;
    }
    closedir(d);
    return rc;
}

static int os_open(void *ctx, const char *path, int mode)
{
    (void)ctx;
    int flags = O_CLOEXEC | O_NOFOLLOW;
    if (mode & AD_SPOOL_FS_CREATE)
        flags |= O_RDWR | O_CREAT | O_EXCL;
    else if (mode & AD_SPOOL_FS_WRITE)
        flags |= O_RDWR;
    else
        flags |= O_RDONLY;
    int fd = open(path, flags, 0600);
    return fd < 0 ? neg_errno() : fd;
}

static int os_close(void *ctx, int fd)
{
    (void)ctx;
    return close(fd) != 0 ? neg_errno() : 0;
}

static long os_pread(void *ctx, int fd, void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    ssize_t r;
    do
        r = pread(fd, buf, n, (off_t)off);
    while (r < 0 && errno == EINTR);
    return r < 0 ? neg_errno() : (long)r;
}

static long os_pwrite(void *ctx, int fd, const void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    size_t done = 0;
    while (done < n) {
        ssize_t r = pwrite(fd, (const char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return done > 0 ? (long)done : neg_errno();
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (long)done;
}

static int os_fsync(void *ctx, int fd)
{
    (void)ctx;
    return fsync(fd) != 0 ? neg_errno() : 0;
}

static int os_ftruncate(void *ctx, int fd, uint64_t len)
{
    (void)ctx;
    return ftruncate(fd, (off_t)len) != 0 ? neg_errno() : 0;
}

static int os_size(void *ctx, int fd, uint64_t *len)
{
    (void)ctx;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return neg_errno();
    if (!S_ISREG(st.st_mode))
        return -EINVAL;
    *len = (uint64_t)st.st_size;
    return 0;
}

static int os_unlink(void *ctx, const char *path)
{
    (void)ctx;
    return unlink(path) != 0 && errno != ENOENT ? neg_errno() : 0;
}

static int os_sync_dir(void *ctx, const char *dir)
{
    (void)ctx;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return neg_errno();
    int rc = fsync(fd) != 0 ? neg_errno() : 0;
    close(fd);
    return rc;
}

static const ad_spool_fs os_fs = {
    .prepare_dir = os_prepare_dir,
    .list = os_list,
    .open = os_open,
    .close = os_close,
    .pread = os_pread,
    .pwrite = os_pwrite,
    .fsync = os_fsync,
    .ftruncate = os_ftruncate,
    .size = os_size,
    .unlink = os_unlink,
    .sync_dir = os_sync_dir,
};

const ad_spool_fs *ad_spool_fs_os(void)
{
    return &os_fs;
}

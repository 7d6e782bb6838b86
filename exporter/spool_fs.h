/*
 * asimdns-exporter: the file operations of the disk spool (exporter/spool.h), as a table so
 * tests can inject faults (ENOSPC, EIO, short writes, fsync failures, a crash between any two
 * calls) the way capture's ETW seam (capture/etw_session.h) lets them fake ETW.
 *
 * Every call returns 0 (or a byte count) on success and a negative errno on failure; short
 * reads and writes are returned as such (the spool treats a short write as a failure and
 * a short read as the end of the file).
 */
#ifndef AD_EXPORTER_SPOOL_FS_H
#define AD_EXPORTER_SPOOL_FS_H

#include <stddef.h>
#include <stdint.h>

/* open() modes; files are never followed through a symbolic link. */
enum { AD_SPOOL_FS_READ = 0, AD_SPOOL_FS_WRITE = 1, AD_SPOOL_FS_CREATE = 2 };

/* Called once per file name in a directory (not "." or ".."); nonzero stops the listing. */
typedef int (*ad_spool_fs_name_cb)(void *arg, const char *name);

typedef struct ad_spool_fs {
    /*
     * Creates dir (mode 0700) if missing, or accepts an existing one only when it is a real
     * directory (not a link), owned by this process's user and not writable by group or
     * others; tightens its mode to 0700. 0 or -errno with a reason in msg.
     */
    int (*prepare_dir)(void *ctx, const char *dir, char *msg, size_t msgcap);
    int (*list)(void *ctx, const char *dir, ad_spool_fs_name_cb cb, void *arg);
    int (*open)(void *ctx, const char *path, int mode); /* fd >= 0; CREATE: new, mode 0600 */
    int (*close)(void *ctx, int fd);
    long (*pread)(void *ctx, int fd, void *buf, size_t n, uint64_t off);
    long (*pwrite)(void *ctx, int fd, const void *buf, size_t n, uint64_t off);
    int (*fsync)(void *ctx, int fd);
    int (*ftruncate)(void *ctx, int fd, uint64_t len);
    int (*size)(void *ctx, int fd, uint64_t *len);
    int (*unlink)(void *ctx, const char *path);
    int (*sync_dir)(void *ctx, const char *dir); /* makes creations and removals durable */
    void *ctx;
} ad_spool_fs;

/* The operating system's files (spool_fs_posix.c, spool_fs_win32.c). */
const ad_spool_fs *ad_spool_fs_os(void);

#endif

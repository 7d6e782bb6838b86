/* asimdns tests: spool_test_os.h on POSIX systems. */
#include "spool_test_os.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "exporter/spool.h"

void spool_test_base(char *buf, size_t cap)
{
    snprintf(buf, cap, "/dev/shm");
}

void spool_test_fs_adjust(struct ad_spool_fs *fs)
{
    (void)fs;
}

int spool_test_rmdir(const char *dir)
{
    return rmdir(dir) == 0 ? 0 : -1;
}

static void rm_rf(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

void test_directory_created_private_and_checked(void **state)
{
    (void)state;
    char dir[256];
    snprintf(dir, sizeof(dir), "/dev/shm/spool-dir-test-%ld", (long)getpid());
    rm_rf(dir);
    ad_spool_opts o = {.dir = dir, .max_bytes = 1u << 20};
    ad_spool *sp = NULL;
    char msg[256];
    assert_int_equal(ad_spool_open(&o, &sp, msg, sizeof(msg)), AD_OK);
    ad_spool_close(sp);
    struct stat st;
    assert_int_equal(lstat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* Writable by others: refused. */
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(ad_spool_open(&o, &sp, msg, sizeof(msg)), AD_EPERM);
    assert_non_null(strstr(msg, "writable"));
    /* Readable by others only: accepted, and made private again. */
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(ad_spool_open(&o, &sp, msg, sizeof(msg)), AD_OK);
    ad_spool_close(sp);
    assert_int_equal(lstat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* A link in the directory's place: refused, not followed. */
    rm_rf(dir);
    char target[300];
    snprintf(target, sizeof(target), "%s-target", dir);
    rm_rf(target);
    assert_int_equal(mkdir(target, 0700), 0);
    assert_int_equal(symlink(target, dir), 0);
    assert_int_not_equal(ad_spool_open(&o, &sp, msg, sizeof(msg)), AD_OK);
    assert_non_null(strstr(msg, "link"));
    unlink(dir);
    rm_rf(target);
}

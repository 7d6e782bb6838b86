/*
 * asimdns tests: what the spool's unit tests (spool_test.c) need from the OS, one file per OS
 * (spool_test_posix.c, spool_test_win32.c), so spool_test.c itself builds and runs on both.
 */
#ifndef AD_TESTS_SPOOL_TEST_OS_H
#define AD_TESTS_SPOOL_TEST_OS_H

#include <stddef.h>

/* A scratch folder for spool directories: a tmpfs where there is one (/dev/shm; under Wine
   the same through drive Z:), so fsync is cheap and the faults, not the disk, are tested. */
void spool_test_base(char *buf, size_t cap);
/* Adapts the file layer the fault tests wrap to where they run (Wine: see spool_test_win32.c). */
struct ad_spool_fs;
void spool_test_fs_adjust(struct ad_spool_fs *fs);
/* Removes an empty directory; 0 or -1. */
int spool_test_rmdir(const char *dir);
/* The directory checks of exporter/spool_fs_<os>.c: a new directory is private to its owner,
   one writable by others is refused, and so is a link in the directory's place. */
void test_directory_created_private_and_checked(void **state);

#endif

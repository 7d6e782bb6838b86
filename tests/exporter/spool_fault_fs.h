/*
 * asimdns tests: a fault-injecting spool file layer (exporter/spool_fs.h) over the real one.
 * Counts every call; makes the Nth call of a kind fail (an errno, or a short write), from
 * then on or once; or simulates a crash: from call N on every call fails and changes nothing
 * on disk (the process is gone; what it wrote before stays, as in the page cache).
 */
#ifndef AD_TESTS_SPOOL_FAULT_FS_H
#define AD_TESTS_SPOOL_FAULT_FS_H

#include <stdbool.h>
#include <stdint.h>

#include "exporter/spool_fs.h"

typedef enum fault_op {
    FAULT_ANY,
    FAULT_OPEN,
    FAULT_READ,
    FAULT_WRITE,
    FAULT_FSYNC,
    FAULT_TRUNCATE,
    FAULT_OTHER
} fault_op;

typedef struct fault_fs {
    ad_spool_fs table;               /* hand &table to the spool */
    ad_spool_fs base;                /* the layer under the faults: the OS files */
    uint64_t calls[FAULT_OTHER + 1]; /* by kind; [FAULT_ANY] = all */
    fault_op fail_kind;
    uint64_t fail_at; /* the fail_at-th call of fail_kind fails; 0 = none */
    int fail_errno;   /* e.g. ENOSPC; 0 with short_write = a short write */
    bool short_write;
    bool sticky;       /* every later call of that kind fails too, until cleared */
    uint64_t crash_at; /* from this call (any kind) on everything fails; 0 = none */
    bool crashed;
    uint64_t faults; /* faults injected */
} fault_fs;

void fault_fs_init(fault_fs *f);
/* Clears the faults (the disk "recovers"); keeps the counts. */
void fault_fs_clear(fault_fs *f);

#endif

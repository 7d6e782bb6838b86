/*
 * asimdns-exporter: resident memory and CPU time of a process, for the metrics endpoint.
 * procstat_posix.c reads /proc (Linux; other POSIX systems report AD_EUNSUPP),
 * procstat_win32.c uses GetProcessMemoryInfo and GetProcessTimes.
 */
#ifndef AD_EXPORTER_PROCSTAT_H
#define AD_EXPORTER_PROCSTAT_H

#include <stdint.h>

#include "common/error.h"

typedef struct ad_procstat {
    uint64_t rss_bytes; /* resident set size (Windows: working set) */
    double cpu_seconds; /* user + system CPU time since the process started */
} ad_procstat;

/*
 * Reads process pid (0 = this process). AD_ENOENT: no such process; AD_EPERM: not allowed to
 * look (another user's process on Windows); AD_EUNSUPP: not on this OS.
 */
ad_err ad_procstat_read(uint64_t pid, ad_procstat *out);

#endif

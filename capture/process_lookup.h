/*
 * asimdns-capture: the operating system's answer to "which program is process id N?", behind a
 * small function table so the cache above it (process_names.h) is tested with a fake and the
 * real lookup (process_lookup_win32.c: OpenProcess with PROCESS_QUERY_LIMITED_INFORMATION,
 * GetProcessTimes, QueryFullProcessImageNameW) is tested under Wine against processes the test
 * starts. Elsewhere (process_lookup_posix.c) there is none: ETW, the only source whose events
 * name a requesting process, exists only on Windows.
 */
#ifndef AD_CAPTURE_PROCESS_LOOKUP_H
#define AD_CAPTURE_PROCESS_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/record.h"

/* Longest image path kept, in UTF-8 bytes: a record string slot. */
#define AD_PROCESS_NAME_MAX AD_RECORD_MAX_STR

/*
 * A process created this long after the event cannot be the event's process: its id was
 * reused. The slack absorbs the difference between the ETW clock (QPC converted to system
 * time at session start) and the system clock that stamps process creation.
 */
#define AD_PROCESS_REUSE_SLACK_NS (10ull * 1000000000ull)

typedef enum ad_process_lookup_result {
    AD_PLOOKUP_FOUND = 0, /* the image path is in the output */
    AD_PLOOKUP_GONE,      /* no such process any more, or its id now names a newer process */
    AD_PLOOKUP_FAILED,    /* it exists but cannot be read (access denied, path too long, ...) */
} ad_process_lookup_result;

typedef struct ad_process_lookup {
    void *impl;
    /*
     * The image path (UTF-8, not NUL-terminated) of process pid into out[cap], its length in
     * *len. event_ns (Unix ns) is when the process was seen: a process of that id created more
     * than AD_PROCESS_REUSE_SLACK_NS later is another one (AD_PLOOKUP_GONE). Never blocks
     * beyond the system calls themselves.
     */
    ad_process_lookup_result (*image_path)(void *impl, uint32_t pid, uint64_t event_ns, char *out,
                                           size_t cap, size_t *len);
} ad_process_lookup;

/* The real lookup of this operating system; NULL where there is none (POSIX). */
const ad_process_lookup *ad_process_lookup_os(void);

#endif

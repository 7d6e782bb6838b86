/* asimdns: facts about the local machine. */
#ifndef AD_COMMON_HOST_H
#define AD_COMMON_HOST_H

#include <stddef.h>

/*
 * Writes the machine's host name (fully qualified when the OS knows the domain) into
 * buf[cap], NUL-terminated; "localhost" when the OS cannot say. OS-specific file.
 */
void ad_host_name(char *buf, size_t cap);

/* The current process id. OS-specific file. */
unsigned long ad_process_id(void);

/* Processors this process may run on (at least 1). */
unsigned ad_cpu_count(void);

#endif

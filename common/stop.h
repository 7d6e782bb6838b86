/*
 * asimdns: the stop request raised by SIGINT/SIGTERM (POSIX) or
 * Ctrl-C / console close / service stop (Windows). Sources poll it between events.
 */
#ifndef AD_COMMON_STOP_H
#define AD_COMMON_STOP_H

#include <stdbool.h>

/* Installs the handlers (OS-specific file). */
void ad_stop_install(void);

/* True once a stop was requested. Async-signal-safe to set, cheap to poll. */
bool ad_stop_requested(void);

/* Requests a stop from inside the program (fatal error, service stop, tests). */
void ad_stop_request(void);

#endif

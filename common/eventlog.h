/*
 * asimdns: the Windows Event Log as a second destination for log lines (common/log.h sink).
 *
 * A service has no console: while it runs under the SCM every log line also goes to the
 * Application log under the service's own source name ("asimdns-capture"), error lines as
 * errors, warn as warnings, the rest as information. Windows only (eventlog_win32.c, used by
 * service_win32.c): on POSIX systems the journal already collects stderr.
 */
#ifndef AD_COMMON_EVENTLOG_H
#define AD_COMMON_EVENTLOG_H

#include <stdbool.h>

/* Registers source with the Event Log and installs the log sink; false when that failed. */
bool ad_eventlog_open(const char *source);

/* Removes the sink and deregisters the source. */
void ad_eventlog_close(void);

/*
 * Creates (install) or deletes (remove) the Application log's registry entry for source, so
 * that Event Viewer shows the messages as the entries' text. Returns false on failure.
 */
bool ad_eventlog_register(const char *source, bool install);

#endif

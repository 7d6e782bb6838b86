/*
 * asimdns: a bound on the last part of a shutdown, for every program that closes nng objects.
 *
 * nng 1.5.2's nng_close() (and the teardown of dialers, listeners and the HTTP server behind
 * it) can deadlock when a socket is closed while traffic is still flowing: the reaper waits for
 * a task that was prepared but never started (nng issues 1543, 1813 and 1827; the fix of PR
 * 1616 was backed out, so no Debian or Windows build of 1.5.2 has one). A program that has
 * already flushed its output and settled its state arms this watchdog before it closes its nng
 * objects; when the process has not exited within the limit, the watchdog logs why and ends the
 * process with the exit code it was given (_Exit: no more nng teardown, no atexit handlers).
 */
#ifndef AD_EXPORTER_SHUTDOWN_WATCHDOG_H
#define AD_EXPORTER_SHUTDOWN_WATCHDOG_H

/* How long the nng teardown may take before the watchdog ends the process. */
#define AD_SHUTDOWN_LIMIT_MS 2000u

/*
 * Starts the watchdog (once per process; later calls only update rc). what names the step in
 * the log line ("closing the nng socket"). Returns 0, or -1 when no thread could be started (the
 * shutdown then goes on unguarded).
 */
int ad_shutdown_watchdog_arm(const char *what, unsigned limit_ms, int rc);

#endif

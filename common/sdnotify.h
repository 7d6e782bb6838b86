/*
 * asimdns: systemd's service notification protocol (sd_notify), spoken directly: one
 * datagram to the AF_UNIX socket named by $NOTIFY_SOCKET, no libsystemd. Without
 * NOTIFY_SOCKET (not started by systemd, or Windows) every call does nothing.
 */
#ifndef AD_COMMON_SDNOTIFY_H
#define AD_COMMON_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Sends state ("READY=1", "WATCHDOG=1", "STOPPING=1", "STATUS=..."); false if it failed. */
bool ad_sd_notify(const char *state);

/*
 * The watchdog interval systemd asked for ($WATCHDOG_USEC, honoured only when $WATCHDOG_PID is
 * unset or ours), in ns; 0 when no watchdog is configured. Send WATCHDOG=1 at half of it.
 */
uint64_t ad_sd_watchdog_ns(void);

#endif

/*
 * asimdns: running as an operating-system service.
 *
 * Both programs accept `PROGRAM service install|remove|run [...]` as their first arguments.
 * On Windows this is the whole service glue (service_win32.c): registration with the Service
 * Control Manager under a chosen account, failure actions, and the run mode the SCM starts,
 * where stop, shutdown and pre-shutdown raise the stop flag (common/stop.h) so the program
 * leaves through its normal exit path (the capture stops its ETW session there). On POSIX
 * systems (service_posix.c) services are systemd units (deploy/systemd): the subcommand says so
 * and exits 2.
 *
 *   service install [--account NAME] [--password-env VAR] [--start auto|demand] -c FILE [...]
 *       registers the service; every argument it does not know itself (-c FILE and the
 *       program's own options) is stored in the service's command line after `service run`.
 *       The configuration path is made absolute (a service starts in System32).
 *   service remove
 *   service run -c FILE [...]
 *       only for the SCM: connects to it and runs the program with the remaining arguments.
 */
#ifndef AD_COMMON_SERVICE_H
#define AD_COMMON_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

/* The program's ordinary entry point; `service run` calls it with `service run` removed. */
typedef int (*ad_service_main_fn)(int argc, char **argv);

typedef struct ad_service_info {
    const char *name;            /* service name and Event Log source, e.g. "asimdns-capture" */
    const char *display_name;    /* shown by services.msc */
    const char *description;     /* SERVICE_CONFIG_DESCRIPTION */
    const char *default_account; /* install's --account default ("NT SERVICE\\<name>") */
    /*
     * The only privileges the SCM leaves in the service's token (SERVICE_CONFIG_REQUIRED_
     * PRIVILEGES_INFO), comma-separated, e.g. "SeChangeNotifyPrivilege,SeCreateGlobalPrivilege".
     */
    const char *privileges;
} ad_service_info;

/*
 * When argv[1] is "service", carries out the subcommand and returns the exit code for main
 * (0 done, 1 failed, 2 usage or not supported on this system). Otherwise returns -1 and main
 * goes on as usual.
 */
int ad_service_command(int argc, char **argv, const ad_service_info *info,
                       ad_service_main_fn main_fn);

/* True while the process runs under the service manager's `service run` (Windows). */
bool ad_service_active(void);

/* Exit code of a service refused to start as root / LocalSystem (see below). */
#define AD_SERVICE_EXIT_PRIVILEGED 2

/*
 * For services that need no privileges (the exporter): when the process runs as root (POSIX:
 * effective uid 0) or as LocalSystem (Windows) and allow is false, prints why on stderr and
 * returns AD_SERVICE_EXIT_PRIVILEGED; otherwise returns -1.
 */
int ad_service_refuse_privileged(const char *program, bool allow);

/* "root" / "LocalSystem" when the process runs as such, NULL otherwise (OS-specific file). */
const char *ad__service_privileged_identity(void);

/*
 * Lifecycle reports from the program (through ad_sd_notify on Windows): "READY=1" makes the
 * service RUNNING, "STOPPING=1" STOP_PENDING, "WATCHDOG=1" advances the pending checkpoint.
 * Does nothing outside `service run`.
 */
void ad__service_report(const char *sd_state);

#endif

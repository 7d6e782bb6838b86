/*
 * asimdns: Windows services (common/service.h): SCM registration and the service run mode.
 *
 * Run mode: the main thread blocks in StartServiceCtrlDispatcherW; the SCM calls service_main
 * on a thread of its own, which runs the program's ordinary main with `service run` removed.
 * Stop, shutdown and pre-shutdown only raise the stop flag (common/stop.h): every loop already
 * polls it, so the program leaves through the same path as on Ctrl-C, which is where the
 * capture stops its ETW session and reports its counters. The status goes
 * START_PENDING -> RUNNING (the program's READY=1) -> STOP_PENDING (a stop control or the
 * program's STOPPING=1, with a checkpoint per WATCHDOG=1) -> STOPPED with the exit code, which
 * the failure actions see: a non-zero exit restarts the service like a crash does.
 */
#ifdef AD_PLATFORM_WINDOWS
#include "common/service.h"

#include <windows.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "common/compiler.h"
#include "common/eventlog.h"
#include "common/log.h"
#include "common/stop.h"

/* How long the SCM should wait between two checkpoints before it gives up on us. */
#define START_WAIT_HINT_MS 30000
#define STOP_WAIT_HINT_MS 20000
/* Pre-shutdown gives the capture time to stop its ETW session before the system goes down. */
#define PRESHUTDOWN_TIMEOUT_MS 15000
/* Failure actions: restart after these delays; the failure count resets after a day. */
static const DWORD restart_delays_ms[] = {5000, 10000, 60000};
#define FAILURE_RESET_SECONDS 86400
/* `service remove` waits this long for a running service to stop. */
#define REMOVE_STOP_WAIT_MS 30000
#define CMDLINE_MAX 8192
#define NAME_MAX_W 256

static struct {
    const ad_service_info *info;
    ad_service_main_fn main_fn;
    int argc;
    char **argv;
    wchar_t wname[NAME_MAX_W];
    SERVICE_STATUS_HANDLE handle;
    SERVICE_STATUS status;
    CRITICAL_SECTION lock; /* the control handler and the program's thread both report */
    volatile LONG active;
} svc;

static bool utf8_to_wide(const char *in, wchar_t *out, size_t cap)
{
    return MultiByteToWideChar(CP_UTF8, 0, in, -1, out, (int)cap) > 0;
}

/* ---- status ------------------------------------------------------------------------------ */

static void set_state_locked(DWORD state, DWORD wait_hint)
{
    bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING;
    if (!pending || svc.status.dwCurrentState != state)
        svc.status.dwCheckPoint = 0;
    if (pending)
        svc.status.dwCheckPoint++;
    svc.status.dwCurrentState = state;
    svc.status.dwWaitHint = pending ? wait_hint : 0;
    /* Stop is accepted while starting too: a start stuck on the ETW session can be ended. */
    svc.status.dwControlsAccepted =
        state == SERVICE_START_PENDING || state == SERVICE_RUNNING
            ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PRESHUTDOWN
            : 0;
    (void)SetServiceStatus(svc.handle, &svc.status);
}

static void set_state(DWORD state, DWORD wait_hint)
{
    EnterCriticalSection(&svc.lock);
    /* Never back from stopping to running, whatever order the reports arrive in. */
    if (!(state == SERVICE_RUNNING && svc.status.dwCurrentState == SERVICE_STOP_PENDING))
        set_state_locked(state, wait_hint);
    LeaveCriticalSection(&svc.lock);
}

static void set_stopped(int exit_code)
{
    EnterCriticalSection(&svc.lock);
    if (exit_code != 0) {
        svc.status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
        svc.status.dwServiceSpecificExitCode = (DWORD)exit_code;
    }
    set_state_locked(SERVICE_STOPPED, 0);
    LeaveCriticalSection(&svc.lock);
}

bool ad_service_active(void)
{
    return InterlockedCompareExchange(&svc.active, 0, 0) != 0;
}

void ad__service_report(const char *sd_state)
{
    if (!ad_service_active() || sd_state == NULL)
        return;
    if (strcmp(sd_state, "READY=1") == 0) {
        set_state(SERVICE_RUNNING, 0);
    } else if (strcmp(sd_state, "STOPPING=1") == 0) {
        set_state(SERVICE_STOP_PENDING, STOP_WAIT_HINT_MS);
    } else if (strcmp(sd_state, "WATCHDOG=1") == 0) {
        EnterCriticalSection(&svc.lock);
        DWORD cur = svc.status.dwCurrentState;
        if (cur == SERVICE_START_PENDING || cur == SERVICE_STOP_PENDING)
            set_state_locked(cur, svc.status.dwWaitHint);
        LeaveCriticalSection(&svc.lock);
    }
}

/* ---- run --------------------------------------------------------------------------------- */

static DWORD WINAPI control_handler(DWORD control, DWORD event_type, LPVOID event_data,
                                    LPVOID context)
{
    (void)event_type;
    (void)event_data;
    (void)context;
    switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
    case SERVICE_CONTROL_PRESHUTDOWN:
        set_state(SERVICE_STOP_PENDING, STOP_WAIT_HINT_MS);
        ad_stop_request();
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
    (void)argc;
    (void)argv;
    svc.handle = RegisterServiceCtrlHandlerExW(svc.wname, control_handler, NULL);
    if (svc.handle == NULL)
        return;
    svc.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    svc.status.dwWin32ExitCode = NO_ERROR;
    InterlockedExchange(&svc.active, 1);
    set_state(SERVICE_START_PENDING, START_WAIT_HINT_MS);
    /* No console under the SCM: the Event Log is where the operator looks. */
    bool eventlog = ad_eventlog_open(svc.info->name);
    int rc = svc.main_fn(svc.argc, svc.argv);
    if (rc != 0)
        ad_log_error("%s stopped with exit code %d (%s); the failure actions restart it. The "
                     "same command in a console shows the cause: `%s -c FILE`",
                     svc.info->name, rc,
                     rc == 2 ? "refused to start: command line, or running as LocalSystem"
                             : "configuration, ring or event source failed",
                     svc.info->name);
    if (eventlog)
        ad_eventlog_close();
    InterlockedExchange(&svc.active, 0);
    set_stopped(rc);
}

static int run_dispatcher(void)
{
    SERVICE_TABLE_ENTRYW table[] = {{svc.wname, service_main}, {NULL, NULL}};
    InitializeCriticalSection(&svc.lock);
    if (!StartServiceCtrlDispatcherW(table)) {
        DWORD e = GetLastError();
        if (e == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            fprintf(stderr,
                    "%s: 'service run' is started by the Service Control Manager; to run in "
                    "this console use `%s -c FILE`\n",
                    svc.info->name, svc.info->name);
            return 2;
        }
        fprintf(stderr, "%s: StartServiceCtrlDispatcher failed (error %lu)\n", svc.info->name,
                (unsigned long)e);
        return 1;
    }
    return svc.status.dwWin32ExitCode == NO_ERROR ? 0 : (int)svc.status.dwServiceSpecificExitCode;
}

/* ---- install / remove -------------------------------------------------------------------- */

/* Appends one argument quoted as CommandLineToArgvW and the C runtime will split it again. */
static bool append_arg(wchar_t *cmd, size_t cap, size_t *len, const wchar_t *arg)
{
    size_t n = *len;
    bool quote = arg[0] == L'\0' || wcspbrk(arg, L" \t\"") != NULL;
#define PUT(c)                                                                                     \
    do {                                                                                           \
        if (n + 1 >= cap)                                                                          \
            return false;                                                                          \
        cmd[n++] = (c);                                                                            \
    } while (0)
    if (n > 0)
        PUT(L' ');
    if (quote)
        PUT(L'"');
    for (const wchar_t *p = arg;; p++) {
        size_t slashes = 0;
        while (*p == L'\\') {
            slashes++;
            p++;
        }
        /* Backslashes are literal unless they precede a quote (or the closing quote). */
        size_t times = (*p == L'"' || (*p == L'\0' && quote)) ? 2 : 1;
        for (size_t i = 0; i < slashes * times; i++)
            PUT(L'\\');
        if (*p == L'\0')
            break;
        if (*p == L'"')
            PUT(L'\\');
        PUT(*p);
    }
    if (quote)
        PUT(L'"');
#undef PUT
    cmd[n] = L'\0';
    *len = n;
    return true;
}

static void print_win_error(const char *what, DWORD e)
{
    const char *hint = "";
    if (e == ERROR_ACCESS_DENIED)
        hint = " (run from an elevated prompt)";
    else if (e == ERROR_SERVICE_EXISTS)
        hint = " (remove it first with `service remove`)";
    else if (e == ERROR_INVALID_SERVICE_ACCOUNT)
        hint = " (the account does not exist; a virtual account is written NT SERVICE\\<name>)";
    else if (e == ERROR_SERVICE_DOES_NOT_EXIST)
        hint = " (not installed)";
    fprintf(stderr, "%s: %s failed: error %lu%s\n", svc.info->name, what, (unsigned long)e, hint);
}

/* "A,B" -> "A\0B\0\0" as REQUIRED_PRIVILEGES_INFO wants it. */
static bool privileges_multisz(const char *list, wchar_t *out, size_t cap)
{
    wchar_t tmp[1024];
    if (!utf8_to_wide(list, tmp, AD_ARRAY_LEN(tmp)))
        return false;
    size_t n = 0;
    for (const wchar_t *p = tmp;; p++) {
        if (n + 2 >= cap)
            return false;
        if (*p == L',' || *p == L'\0') {
            out[n++] = L'\0';
            if (*p == L'\0')
                break;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = L'\0';
    return true;
}

/*
 * One ChangeServiceConfig2W call. ERROR_INVALID_LEVEL means the service manager does not know
 * the setting at all (Wine's implements only some): that is reported, not fatal, since the
 * service still runs correctly without it; every Windows since Vista knows them all.
 */
static bool change_config(SC_HANDLE s, DWORD level, void *info, const char *what)
{
    if (ChangeServiceConfig2W(s, level, info))
        return true;
    DWORD e = GetLastError();
    if (e == ERROR_INVALID_LEVEL) {
        fprintf(stderr, "%s: warning: this service manager cannot set %s; skipped\n",
                svc.info->name, what);
        return true;
    }
    fprintf(stderr, "%s: setting %s failed: error %lu\n", svc.info->name, what, (unsigned long)e);
    return false;
}

static bool configure(SC_HANDLE s)
{
    wchar_t desc[512];
    SERVICE_DESCRIPTIONW d = {desc};
    if (!utf8_to_wide(svc.info->description, desc, AD_ARRAY_LEN(desc)) ||
        !ChangeServiceConfig2W(s, SERVICE_CONFIG_DESCRIPTION, &d)) {
        print_win_error("setting the description", GetLastError());
        return false;
    }

    SC_ACTION actions[AD_ARRAY_LEN(restart_delays_ms)];
    for (size_t i = 0; i < AD_ARRAY_LEN(restart_delays_ms); i++) {
        actions[i].Type = SC_ACTION_RESTART;
        actions[i].Delay = restart_delays_ms[i];
    }
    SERVICE_FAILURE_ACTIONSW fa;
    memset(&fa, 0, sizeof(fa));
    fa.dwResetPeriod = FAILURE_RESET_SECONDS;
    fa.cActions = (DWORD)AD_ARRAY_LEN(actions);
    fa.lpsaActions = actions;
    if (!ChangeServiceConfig2W(s, SERVICE_CONFIG_FAILURE_ACTIONS, &fa)) {
        print_win_error("setting the failure actions", GetLastError());
        return false;
    }
    /* A non-zero exit (bad configuration, lost ETW session) counts as a failure, too. */
    SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};
    if (!change_config(s, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag, "the failure actions flag"))
        return false;
    SERVICE_PRESHUTDOWN_INFO pre = {PRESHUTDOWN_TIMEOUT_MS};
    if (!change_config(s, SERVICE_CONFIG_PRESHUTDOWN_INFO, &pre, "the pre-shutdown timeout"))
        return false;
    /* A service SID (NT SERVICE\<name>) that the ring's security descriptor can name. */
    SERVICE_SID_INFO sid = {SERVICE_SID_TYPE_UNRESTRICTED};
    if (!change_config(s, SERVICE_CONFIG_SERVICE_SID_INFO, &sid, "the service SID type"))
        return false;
    if (svc.info->privileges != NULL) {
        wchar_t privs[1024];
        SERVICE_REQUIRED_PRIVILEGES_INFOW rp = {privs};
        if (!privileges_multisz(svc.info->privileges, privs, AD_ARRAY_LEN(privs))) {
            fprintf(stderr, "%s: bad privilege list\n", svc.info->name);
            return false;
        }
        if (!change_config(s, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, &rp,
                           "the required privileges"))
            return false;
    }
    return true;
}

static const char install_usage[] =
    "usage: %s service install [--account NAME] [--password-env VAR] [--start auto|demand]\n"
    "           -c FILE [program options]\n"
    "  --account NAME      service account (default %s); LocalSystem, NT SERVICE\\<name>\n"
    "                      (virtual account), or DOMAIN\\user / .\\user with --password-env\n"
    "  --password-env VAR  read the account's password from environment variable VAR\n"
    "  --start auto|demand start with Windows (default) or only when asked\n";

static int install_usage_error(void)
{
    fprintf(stderr, install_usage, svc.info->name, svc.info->default_account);
    return 2;
}

static int install(int argc, char **argv)
{
    const char *account = svc.info->default_account;
    const char *password_env = NULL;
    DWORD start = SERVICE_AUTO_START;
    static wchar_t cmd[CMDLINE_MAX];
    size_t len = 0;
    wchar_t exe[MAX_PATH], warg[CMDLINE_MAX];
    bool have_config = false;

    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH || !append_arg(cmd, CMDLINE_MAX, &len, exe) ||
        !append_arg(cmd, CMDLINE_MAX, &len, L"service") ||
        !append_arg(cmd, CMDLINE_MAX, &len, L"run")) {
        fprintf(stderr, "%s: cannot determine the program's path\n", svc.info->name);
        return 1;
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--account") == 0 && has_value) {
            account = argv[++i];
        } else if (strcmp(a, "--password-env") == 0 && has_value) {
            password_env = argv[++i];
        } else if (strcmp(a, "--start") == 0 && has_value) {
            const char *v = argv[++i];
            if (strcmp(v, "auto") == 0) {
                start = SERVICE_AUTO_START;
            } else if (strcmp(v, "demand") == 0) {
                start = SERVICE_DEMAND_START;
            } else {
                return install_usage_error();
            }
        } else if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) && has_value) {
            /* The SCM starts services in System32: store the configuration's full path. */
            wchar_t rel[MAX_PATH], full[MAX_PATH];
            DWORD fl;
            if (!utf8_to_wide(argv[++i], rel, MAX_PATH) ||
                (fl = GetFullPathNameW(rel, MAX_PATH, full, NULL)) == 0 || fl >= MAX_PATH ||
                !append_arg(cmd, CMDLINE_MAX, &len, L"-c") ||
                !append_arg(cmd, CMDLINE_MAX, &len, full)) {
                fprintf(stderr, "%s: configuration path '%s' is not usable\n", svc.info->name,
                        argv[i]);
                return 2;
            }
            if (GetFileAttributesW(full) == INVALID_FILE_ATTRIBUTES) {
                fprintf(stderr, "%s: configuration file '%s' does not exist\n", svc.info->name,
                        argv[i]);
                return 2;
            }
            have_config = true;
        } else if (strncmp(a, "--account", 9) == 0 || strncmp(a, "--password", 10) == 0 ||
                   strcmp(a, "--start") == 0) {
            return install_usage_error();
        } else if (!utf8_to_wide(a, warg, CMDLINE_MAX) ||
                   !append_arg(cmd, CMDLINE_MAX, &len, warg)) {
            fprintf(stderr, "%s: service command line too long\n", svc.info->name);
            return 2;
        }
    }
    if (!have_config)
        return install_usage_error();

    /* LocalSystem is the NULL account; virtual and managed accounts take no password. */
    wchar_t wacc[256], wpass[256], wdisp[256];
    const wchar_t *acc = NULL, *pass = NULL;
    if (_stricmp(account, "LocalSystem") != 0) {
        if (!utf8_to_wide(account, wacc, AD_ARRAY_LEN(wacc))) {
            fprintf(stderr, "%s: account name too long\n", svc.info->name);
            return 2;
        }
        acc = wacc;
    }
    if (password_env != NULL) {
        const char *pw = getenv(password_env);
        if (pw == NULL || !utf8_to_wide(pw, wpass, AD_ARRAY_LEN(wpass))) {
            fprintf(stderr, "%s: environment variable %s holds no password\n", svc.info->name,
                    password_env);
            return 2;
        }
        pass = wpass;
    }
    if (!utf8_to_wide(svc.info->display_name, wdisp, AD_ARRAY_LEN(wdisp)))
        return 1;

    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
    if (scm == NULL) {
        print_win_error("OpenSCManager", GetLastError());
        return 1;
    }
    SC_HANDLE s =
        CreateServiceW(scm, svc.wname, wdisp, SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS, start,
                       SERVICE_ERROR_NORMAL, cmd, NULL, NULL, NULL, acc, pass);
    SecureZeroMemory(wpass, sizeof(wpass));
    if (s == NULL) {
        print_win_error("CreateService", GetLastError());
        CloseServiceHandle(scm);
        return 1;
    }
    bool ok = configure(s);
    if (!ok)
        (void)DeleteService(s); /* no half-configured service left behind */
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
    if (!ok)
        return 1;
    if (!ad_eventlog_register(svc.info->name, true))
        fprintf(stderr, "%s: warning: could not register the Event Log source\n", svc.info->name);
    printf("%s: service installed as %s, start %s; command line: %ls\n", svc.info->name, account,
           start == SERVICE_AUTO_START ? "automatic" : "on demand", cmd);
    return 0;
}

static int remove_service(void)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
    if (scm == NULL) {
        print_win_error("OpenSCManager", GetLastError());
        return 1;
    }
    SC_HANDLE s = OpenServiceW(scm, svc.wname, DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS);
    if (s == NULL) {
        print_win_error("OpenService", GetLastError());
        CloseServiceHandle(scm);
        return 1;
    }
    SERVICE_STATUS st;
    if (QueryServiceStatus(s, &st) && st.dwCurrentState != SERVICE_STOPPED) {
        (void)ControlService(s, SERVICE_CONTROL_STOP, &st);
        for (DWORD waited = 0; waited < REMOVE_STOP_WAIT_MS; waited += 250) {
            if (!QueryServiceStatus(s, &st) || st.dwCurrentState == SERVICE_STOPPED)
                break;
            Sleep(250);
        }
    }
    bool ok = DeleteService(s) != 0;
    if (!ok)
        print_win_error("DeleteService", GetLastError());
    CloseServiceHandle(s);
    CloseServiceHandle(scm);
    if (!ok)
        return 1;
    (void)ad_eventlog_register(svc.info->name, false);
    printf("%s: service removed\n", svc.info->name);
    return 0;
}

int ad_service_command(int argc, char **argv, const ad_service_info *info,
                       ad_service_main_fn main_fn)
{
    if (argc < 2 || strcmp(argv[1], "service") != 0)
        return -1;
    svc.info = info;
    svc.main_fn = main_fn;
    if (!utf8_to_wide(info->name, svc.wname, NAME_MAX_W))
        return 1;
    const char *sub = argc >= 3 ? argv[2] : "";
    if (strcmp(sub, "install") == 0)
        return install(argc, argv);
    if (strcmp(sub, "remove") == 0 && argc == 3)
        return remove_service();
    if (strcmp(sub, "run") == 0) {
        /* The program sees its own arguments: argv[0], then what followed `service run`. */
        static char *args[256];
        if (argc - 2 > (int)AD_ARRAY_LEN(args) - 1)
            return 2;
        args[0] = argv[0];
        for (int i = 3; i < argc; i++)
            args[i - 2] = argv[i];
        svc.argc = argc - 2;
        args[svc.argc] = NULL;
        svc.argv = args;
        return run_dispatcher();
    }
    fprintf(stderr, "usage: %s service install|remove|run [...]\n", info->name);
    return 2;
}

const char *ad__service_privileged_identity(void)
{
    HANDLE tok = NULL;
    union {
        TOKEN_USER tu;
        BYTE buf[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    } u;
    DWORD len = 0;
    const char *who = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    if (GetTokenInformation(tok, TokenUser, &u, sizeof(u), &len) &&
        IsWellKnownSid(u.tu.User.Sid, WinLocalSystemSid))
        who = "LocalSystem";
    CloseHandle(tok);
    return who;
}
#endif

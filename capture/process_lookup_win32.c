/*
 * asimdns-capture: the real process lookup on Windows (process_lookup.h).
 *
 * OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION) is granted for nearly every process to an
 * account that may run an ETW session (protected processes included); QueryFullProcessImageNameW
 * gives the Win32 path of the image. GetProcessTimes on the same handle tells whether the
 * process holding the id now was created after the event: then the event's process is gone
 * and its id was reused.
 */
#ifdef AD_PLATFORM_WINDOWS
#include "capture/process_lookup.h"

#include <windows.h>

#include "common/timeutil.h"
#include "common/utf.h"

/* True when the process behind h was created after the event (plus the clock slack). */
static bool created_after(HANDLE h, uint64_t event_ns)
{
    FILETIME created, exited, kernel, user;
    uint64_t created_ns;
    if (event_ns == 0 || !GetProcessTimes(h, &created, &exited, &kernel, &user))
        return false; /* cannot tell: take the process as the event's */
    uint64_t ft = (uint64_t)created.dwHighDateTime << 32 | created.dwLowDateTime;
    if (ad_filetime_to_unix_ns(ft, &created_ns) != AD_OK)
        return false;
    return created_ns > event_ns + AD_PROCESS_REUSE_SLACK_NS;
}

static ad_process_lookup_result w_image_path(void *impl, uint32_t pid, uint64_t event_ns, char *out,
                                             size_t cap, size_t *len)
{
    (void)impl;
    *len = 0;
    HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
    if (h == NULL) /* ERROR_INVALID_PARAMETER: no process has this id */
        return GetLastError() == ERROR_INVALID_PARAMETER ? AD_PLOOKUP_GONE : AD_PLOOKUP_FAILED;
    ad_process_lookup_result r = AD_PLOOKUP_FAILED;
    WCHAR path[AD_PROCESS_NAME_MAX];
    DWORD units = AD_PROCESS_NAME_MAX;
    if (created_after(h, event_ns))
        r = AD_PLOOKUP_GONE;
    else if (QueryFullProcessImageNameW(h, 0, path, &units) && units > 0 &&
             ad_utf16le_to_utf8((const unsigned char *)path, units, out, cap, len) == AD_OK)
        r = AD_PLOOKUP_FOUND; /* a longer path or an unpaired surrogate: AD_PLOOKUP_FAILED */
    CloseHandle(h);
    if (r != AD_PLOOKUP_FOUND)
        *len = 0;
    return r;
}

static const ad_process_lookup win32_lookup = {.impl = NULL, .image_path = w_image_path};

const ad_process_lookup *ad_process_lookup_os(void)
{
    return &win32_lookup;
}
#endif

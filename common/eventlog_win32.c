/*
 * asimdns: log lines to the Windows Event Log (Application log), one source per service.
 *
 * Messages are written as insertion strings of event 3299 (NELOG_OEM_Code) from netmsg.dll,
 * whose text is only "%1 %2 ... %9": Event Viewer then shows our line as the entry's text
 * without a message DLL of our own. `service install` registers the source that way.
 */
#ifdef AD_PLATFORM_WINDOWS
#include "common/eventlog.h"

#include <windows.h>

#include <string.h>

#include "common/log.h"

#define GENERIC_EVENT_ID 3299
#define LINE_MAX_W 2048
#define KEY_PREFIX L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\"

static HANDLE source_handle;

static void eventlog_sink(ad_log_level level, const char *msg, void *ctx)
{
    (void)ctx;
    /* ad_log's messages are under 1024 bytes, and bytes that are not UTF-8 become U+FFFD
       (no MB_ERR_INVALID_CHARS): the conversion does not fail. */
    wchar_t line[LINE_MAX_W];
    if (MultiByteToWideChar(CP_UTF8, 0, msg, -1, line, LINE_MAX_W) == 0)
        return;
    WORD type = level >= AD_LOG_ERROR  ? EVENTLOG_ERROR_TYPE
                : level == AD_LOG_WARN ? EVENTLOG_WARNING_TYPE
                                       : EVENTLOG_INFORMATION_TYPE;
    /* %2..%9 stay empty so the message text shows no stray placeholders. */
    LPCWSTR strings[9] = {line, L"", L"", L"", L"", L"", L"", L"", L""};
    (void)ReportEventW(source_handle, type, 0, GENERIC_EVENT_ID, NULL, 9, 0, strings, NULL);
}

bool ad_eventlog_open(const char *source)
{
    wchar_t name[256];
    if (MultiByteToWideChar(CP_UTF8, 0, source, -1, name, 256) == 0)
        return false;
    source_handle = RegisterEventSourceW(NULL, name);
    if (source_handle == NULL)
        return false;
    ad_log_set_sink(eventlog_sink, NULL);
    return true;
}

void ad_eventlog_close(void)
{
    ad_log_set_sink(NULL, NULL);
    if (source_handle != NULL)
        DeregisterEventSource(source_handle);
    source_handle = NULL;
}

bool ad_eventlog_register(const char *source, bool install)
{
    wchar_t key[512] = KEY_PREFIX;
    size_t n = wcslen(key);
    if (MultiByteToWideChar(CP_UTF8, 0, source, -1, key + n, (int)(512 - n)) == 0)
        return false;
    if (!install)
        return RegDeleteKeyW(HKEY_LOCAL_MACHINE, key) == ERROR_SUCCESS;
    HKEY h;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, key, 0, NULL, 0, KEY_SET_VALUE, NULL, &h, NULL) !=
        ERROR_SUCCESS)
        return false;
    static const wchar_t file[] = L"%SystemRoot%\\System32\\netmsg.dll";
    DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    bool ok = RegSetValueExW(h, L"EventMessageFile", 0, REG_EXPAND_SZ, (const BYTE *)file,
                             sizeof(file)) == ERROR_SUCCESS &&
              RegSetValueExW(h, L"TypesSupported", 0, REG_DWORD, (const BYTE *)&types,
                             sizeof(types)) == ERROR_SUCCESS;
    RegCloseKey(h);
    return ok;
}
#endif

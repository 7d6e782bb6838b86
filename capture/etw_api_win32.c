/*
 * asimdns-capture: the real ETW function table (etw_api_win32.h, capture/etw_session.h).
 *
 * One Win32 call per table entry, nothing decided here: the controller (etw_session.c) owns
 * the policy. Headers and values: mingw-w64 puts EVENT_RECORD and PROCESS_TRACE_MODE_* in
 * evntcons.h (facts/linux-dnstap-and-windows-cross-build.md §2.1) and lacks the event-id
 * filter type, defined below from the EVENT_FILTER_DESCRIPTOR documentation.
 */
#ifdef AD_PLATFORM_WINDOWS
#include "capture/etw_api_win32.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <windows.h>
#include <evntrace.h>
#include <evntcons.h>

#include "common/timeutil.h"

/* The portable code spells these numbers itself; make sure they are Windows' numbers. */
_Static_assert(AD_ETW_ERROR_FILE_NOT_FOUND == ERROR_FILE_NOT_FOUND, "winerror.h");
_Static_assert(AD_ETW_ERROR_ACCESS_DENIED == ERROR_ACCESS_DENIED, "winerror.h");
_Static_assert(AD_ETW_ERROR_INVALID_HANDLE == ERROR_INVALID_HANDLE, "winerror.h");
_Static_assert(AD_ETW_ERROR_BAD_LENGTH == ERROR_BAD_LENGTH, "winerror.h");
_Static_assert(AD_ETW_ERROR_NOT_SUPPORTED == ERROR_NOT_SUPPORTED, "winerror.h");
_Static_assert(AD_ETW_ERROR_INVALID_PARAMETER == ERROR_INVALID_PARAMETER, "winerror.h");
_Static_assert(AD_ETW_ERROR_BAD_PATHNAME == ERROR_BAD_PATHNAME, "winerror.h");
_Static_assert(AD_ETW_ERROR_ALREADY_EXISTS == ERROR_ALREADY_EXISTS, "winerror.h");
_Static_assert(AD_ETW_ERROR_MORE_DATA == ERROR_MORE_DATA, "winerror.h");
_Static_assert(AD_ETW_ERROR_CANCELLED == ERROR_CANCELLED, "winerror.h");
_Static_assert(AD_ETW_ERROR_NO_SYSTEM_RESOURCES == ERROR_NO_SYSTEM_RESOURCES, "winerror.h");
_Static_assert(AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND == ERROR_WMI_INSTANCE_NOT_FOUND, "winerror.h");
_Static_assert(AD_ETW_ERROR_CTX_CLOSE_PENDING == ERROR_CTX_CLOSE_PENDING, "winerror.h");
_Static_assert(AD_ETW_MODE_REAL_TIME == EVENT_TRACE_REAL_TIME_MODE, "evntrace.h");
_Static_assert(AD_ETW_MODE_INDEPENDENT_SESSION == EVENT_TRACE_INDEPENDENT_SESSION_MODE,
               "evntrace.h");
_Static_assert(sizeof(ad_guid) == sizeof(GUID), "ad_guid has the GUID layout");

/* EVENT_FILTER_DESCRIPTOR.Type for an event-id filter (Windows 8.1+; not in mingw-w64 10). */
#ifndef EVENT_FILTER_TYPE_EVENT_ID
#define EVENT_FILTER_TYPE_EVENT_ID 0x80000200u
#endif

/* ENABLE_TRACE_PARAMETERS.EnableProperty: include the process start key in each event's
   extended data (Windows 10 1507+), and that item's type (not in mingw-w64 10). */
#ifndef EVENT_ENABLE_PROPERTY_PROCESS_START_KEY
#define EVENT_ENABLE_PROPERTY_PROCESS_START_KEY 0x00000080u
#endif
#ifndef EVENT_HEADER_EXT_TYPE_PROCESS_START_KEY
#define EVENT_HEADER_EXT_TYPE_PROCESS_START_KEY 0x000Du
#endif

/* EVENT_FILTER_EVENT_ID with room for the most ids a filter takes (64). */
typedef struct event_id_filter {
    BOOLEAN FilterIn; /* TRUE: only these ids are enabled */
    UCHAR Reserved;
    USHORT Count;
    USHORT Events[AD_ETW_MAX_EVENT_IDS];
} event_id_filter;

/* Room for a session name and a log file name (UTF-16) after EVENT_TRACE_PROPERTIES. */
#define NAME_CHARS 1024

/*
 * EVENT_TRACE_PROPERTIES with the two name buffers behind it. Every call builds a fresh one:
 * ControlTrace writes into the structure it is given (facts/peers-etw-and-ring.md §B.2), so
 * one left over from an earlier call would carry stale values into the next.
 */
typedef struct props_buf {
    EVENT_TRACE_PROPERTIES p;
    WCHAR logger_name[NAME_CHARS];
    WCHAR log_file_name[NAME_CHARS];
} props_buf;

/* The callback's target; one trace is open at a time in this program. */
typedef struct trace_target {
    ad_etw_event_fn on_event;
    void *ctx;
} trace_target;

static trace_target target;
static WCHAR open_name[NAME_CHARS];

/* UTF-8 -> UTF-16 with NUL; false when invalid or too long. */
static bool to_utf16(const char *text, WCHAR *out, int cap)
{
    return MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, text, -1, out, cap) > 0;
}

static void props_init(props_buf *b, bool with_file_name)
{
    memset(b, 0, sizeof(*b));
    b->p.Wnode.BufferSize = sizeof(*b);
    b->p.Wnode.Flags = WNODE_FLAG_TRACED_GUID;
    b->p.LoggerNameOffset = offsetof(props_buf, logger_name);
    /* A real-time session has no file: StartTrace wants offset 0; ControlTrace wants room to
       copy a file name back. */
    b->p.LogFileNameOffset = with_file_name ? offsetof(props_buf, log_file_name) : 0;
}

static uint32_t w_start(void *impl, const ad_etw_session_props *pr, ad_etw_handle *session)
{
    (void)impl;
    props_buf b;
    WCHAR name[NAME_CHARS];
    if (!to_utf16(pr->name, name, NAME_CHARS))
        return ERROR_INVALID_PARAMETER;
    props_init(&b, false);
    /* Session clock QPC (the finest); consumers still get FILETIME timestamps because the
       trace is not opened with PROCESS_TRACE_MODE_RAW_TIMESTAMP. Wnode.Guid stays zero: ETW
       assigns the session a GUID. */
    b.p.Wnode.ClientContext = 1;
    b.p.LogFileMode = pr->log_file_mode;
    b.p.BufferSize = pr->buffer_size_kb;
    b.p.MinimumBuffers = pr->min_buffers;
    b.p.MaximumBuffers = pr->max_buffers;
    b.p.FlushTimer = pr->flush_seconds;
    TRACEHANDLE h = 0;
    ULONG rc = StartTraceW(&h, name, &b.p);
    *session = rc == ERROR_SUCCESS ? (ad_etw_handle)h : 0;
    return rc;
}

/* ControlTraceW by session name (no handle: the session may be another process's). */
static uint32_t control(const char *name, ULONG code, props_buf *b)
{
    WCHAR wname[NAME_CHARS];
    if (!to_utf16(name, wname, NAME_CHARS))
        return ERROR_INVALID_PARAMETER;
    props_init(b, true);
    return ControlTraceW(0, wname, &b->p, code);
}

static void loss_from(const props_buf *b, ad_etw_loss *loss)
{
    loss->events_lost = b->p.EventsLost;
    loss->realtime_buffers_lost = b->p.RealTimeBuffersLost;
    loss->log_buffers_lost = b->p.LogBuffersLost;
    loss->buffers_written = b->p.BuffersWritten;
    loss->number_of_buffers = b->p.NumberOfBuffers;
    loss->free_buffers = b->p.FreeBuffers;
}

static uint32_t w_query_session(void *impl, const char *name, ad_etw_session_info *info)
{
    (void)impl;
    props_buf b;
    uint32_t rc = control(name, EVENT_TRACE_CONTROL_QUERY, &b);
    if (rc == ERROR_SUCCESS) {
        info->log_file_mode = b.p.LogFileMode;
        info->buffer_size_kb = b.p.BufferSize;
        info->min_buffers = b.p.MinimumBuffers;
        info->max_buffers = b.p.MaximumBuffers;
        info->flush_seconds = b.p.FlushTimer;
    }
    return rc;
}

static uint32_t w_query_loss(void *impl, const char *name, ad_etw_loss *loss)
{
    (void)impl;
    props_buf b;
    uint32_t rc = control(name, EVENT_TRACE_CONTROL_QUERY, &b);
    if (rc == ERROR_SUCCESS)
        loss_from(&b, loss);
    return rc;
}

static uint32_t w_stop(void *impl, const char *name, ad_etw_loss *final)
{
    (void)impl;
    props_buf b;
    uint32_t rc = control(name, EVENT_TRACE_CONTROL_STOP, &b);
    if (rc == ERROR_SUCCESS && final != NULL)
        loss_from(&b, final); /* STOP returns the session's last counters */
    return rc;
}

static uint32_t w_enable(void *impl, ad_etw_handle session, const ad_etw_enable *en)
{
    (void)impl;
    ENABLE_TRACE_PARAMETERS params;
    EVENT_FILTER_DESCRIPTOR desc;
    event_id_filter filter;
    GUID provider;
    if (en->event_id_count > AD_ETW_MAX_EVENT_IDS)
        return ERROR_INVALID_PARAMETER;
    memcpy(&provider, &en->provider, sizeof(provider));
    memset(&params, 0, sizeof(params));
    params.Version = ENABLE_TRACE_PARAMETERS_VERSION_2;
    if (en->process_start_key)
        params.EnableProperty |= EVENT_ENABLE_PROPERTY_PROCESS_START_KEY;
    if (en->event_id_count > 0) {
        memset(&filter, 0, sizeof(filter));
        filter.FilterIn = TRUE;
        filter.Count = (USHORT)en->event_id_count;
        memcpy(filter.Events, en->event_ids, en->event_id_count * sizeof(USHORT));
        memset(&desc, 0, sizeof(desc));
        desc.Ptr = (ULONGLONG)(uintptr_t)&filter;
        desc.Size =
            (ULONG)(offsetof(event_id_filter, Events) + en->event_id_count * sizeof(USHORT));
        desc.Type = EVENT_FILTER_TYPE_EVENT_ID;
        params.EnableFilterDesc = &desc;
        params.FilterDescCount = 1;
    }
    /* Timeout 0: enable asynchronously, do not wait for the provider's enable callback. */
    return EnableTraceEx2((TRACEHANDLE)session, &provider, EVENT_CONTROL_CODE_ENABLE_PROVIDER,
                          en->level, en->match_any_keyword, en->match_all_keyword, 0, &params);
}

/* The process start key among the event's extended data items; 0 when it has none. */
static uint64_t process_start_key(const EVENT_RECORD *rec)
{
    if (!(rec->EventHeader.Flags & EVENT_HEADER_FLAG_EXTENDED_INFO) || rec->ExtendedData == NULL)
        return 0;
    for (USHORT i = 0; i < rec->ExtendedDataCount; i++) {
        const EVENT_HEADER_EXTENDED_DATA_ITEM *item = &rec->ExtendedData[i];
        if (item->ExtType == EVENT_HEADER_EXT_TYPE_PROCESS_START_KEY &&
            item->DataSize >= sizeof(uint64_t) && item->DataPtr != 0) {
            uint64_t key;
            memcpy(&key, (const void *)(uintptr_t)item->DataPtr, sizeof(key));
            return key;
        }
    }
    return 0;
}

/*
 * EVENT_RECORD -> ad_etw_raw_event, then the controller's callback. Runs on the ProcessTrace
 * thread for every event: field copies only, no TDH, no allocation (DESIGN.md §1).
 */
static VOID WINAPI on_event_record(PEVENT_RECORD rec)
{
    const trace_target *t = rec->UserContext;
    const EVENT_HEADER *h = &rec->EventHeader;
    ad_etw_raw_event ev;
    memcpy(&ev.provider_guid, &h->ProviderId, sizeof(ev.provider_guid));
    ev.provider = ad_provider_from_guid(&ev.provider_guid);
    ev.event_id = h->EventDescriptor.Id;
    ev.version = h->EventDescriptor.Version;
    ev.opcode = h->EventDescriptor.Opcode;
    ev.header_flags = h->Flags;
    ev.pid = h->ProcessId;
    ev.tid = h->ThreadId;
    /* Without PROCESS_TRACE_MODE_RAW_TIMESTAMP, TimeStamp is system time (FILETIME). */
    if (ad_filetime_to_unix_ns((uint64_t)h->TimeStamp.QuadPart, &ev.time_ns) != AD_OK)
        ev.time_ns = 0;
    ev.userdata = rec->UserData;
    ev.userdata_len = rec->UserDataLength;
    ev.process_start_key = process_start_key(rec);
    t->on_event(t->ctx, &ev);
}

static uint32_t w_open(void *impl, const ad_etw_open *op, ad_etw_handle *trace)
{
    (void)impl;
    EVENT_TRACE_LOGFILEW lf;
    memset(&lf, 0, sizeof(lf));
    if (!to_utf16(op->session_name != NULL ? op->session_name : op->etl_file, open_name,
                  NAME_CHARS))
        return op->session_name != NULL ? ERROR_INVALID_PARAMETER : ERROR_BAD_PATHNAME;
    if (op->session_name != NULL) {
        lf.LoggerName = open_name;
        lf.ProcessTraceMode = PROCESS_TRACE_MODE_REAL_TIME | PROCESS_TRACE_MODE_EVENT_RECORD;
    } else {
        lf.LogFileName = open_name;
        lf.ProcessTraceMode = PROCESS_TRACE_MODE_EVENT_RECORD;
    }
    target.on_event = op->on_event;
    target.ctx = op->ctx;
    lf.EventRecordCallback = on_event_record;
    lf.Context = &target; /* comes back as EVENT_RECORD.UserContext */
    TRACEHANDLE h = OpenTraceW(&lf);
    if (h == INVALID_PROCESSTRACE_HANDLE) {
        *trace = 0;
        return GetLastError();
    }
    *trace = (ad_etw_handle)h;
    return ERROR_SUCCESS;
}

static uint32_t w_process(void *impl, ad_etw_handle trace)
{
    (void)impl;
    TRACEHANDLE h = (TRACEHANDLE)trace;
    return ProcessTrace(&h, 1, NULL, NULL);
}

static uint32_t w_close(void *impl, ad_etw_handle trace)
{
    (void)impl;
    return CloseTrace((TRACEHANDLE)trace);
}

static const ad_etw_api win32_api = {
    .impl = NULL,
    .start_session = w_start,
    .query_session = w_query_session,
    .query_loss = w_query_loss,
    .stop_session = w_stop,
    .enable_provider = w_enable,
    .open_trace = w_open,
    .process_trace = w_process,
    .close_trace = w_close,
};

const ad_etw_api *ad_etw_api_win32(void)
{
    return &win32_api;
}
#endif

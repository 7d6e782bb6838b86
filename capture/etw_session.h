/*
 * asimdns-capture: the ETW session controller for the `etw` (real-time session) and `etl`
 * (.etl file) sources, DESIGN.md §1.
 *
 * The controller is portable C: it decides what to call and when (stale session replaced,
 * session stopped on every exit path, loss counters polled every second, ProcessTrace on its
 * own thread) and talks to ETW only through the small function table ad_etw_api. The real table
 * (capture/etw_api_win32.c) wraps StartTraceW/ControlTraceW/EnableTraceEx2/OpenTraceW/
 * ProcessTrace/CloseTrace; the tests use a fake (tests/capture/fake_etw.c) that injects every
 * failure the controller must survive. Nothing here includes Windows headers or needs the
 * configuration loader: main.c fills an ad_etw_settings from the configuration.
 *
 * Results of every table call are Win32 error codes (0 = success); the few the controller
 * reacts to are the AD_ETW_ERROR_* values below (same numbers as winerror.h, checked at compile
 * time by the Windows adapter).
 */
#ifndef AD_CAPTURE_ETW_SESSION_H
#define AD_CAPTURE_ETW_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/etw_decode.h"
#include "capture/process_lookup.h"
#include "capture/process_names.h"
#include "capture/source.h"
#include "common/dns_tables.h"
#include "common/error.h"
#include "common/record.h"
#include "common/thread.h"

struct ad_etw_recorder;

/* ---- Win32 values the portable code needs ------------------------------------------------ */

#define AD_ETW_OK 0u
#define AD_ETW_ERROR_FILE_NOT_FOUND 2u
#define AD_ETW_ERROR_ACCESS_DENIED 5u
#define AD_ETW_ERROR_INVALID_HANDLE 6u
#define AD_ETW_ERROR_BAD_LENGTH 24u
#define AD_ETW_ERROR_NOT_SUPPORTED 50u
#define AD_ETW_ERROR_INVALID_PARAMETER 87u
#define AD_ETW_ERROR_BAD_PATHNAME 161u
#define AD_ETW_ERROR_ALREADY_EXISTS 183u
#define AD_ETW_ERROR_MORE_DATA 234u
#define AD_ETW_ERROR_CANCELLED 1223u
#define AD_ETW_ERROR_NO_SYSTEM_RESOURCES 1450u
#define AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND 4201u
#define AD_ETW_ERROR_CTX_CLOSE_PENDING 7007u

/* EVENT_TRACE_PROPERTIES.LogFileMode bits (facts/peers-etw-and-ring.md §B.2). */
#define AD_ETW_MODE_REAL_TIME 0x00000100u
#define AD_ETW_MODE_INDEPENDENT_SESSION 0x08000000u

/*
 * RT_LostEvent {6A399AE0-4BC6-4DE9-870B-3657F8947E7E}: the session tells a real-time consumer
 * that events (opcode 32), a buffer (33) or the file (34) were lost (facts §B.2).
 */
extern const ad_guid ad_etw_rt_lost_event_guid;
#define AD_ETW_RT_LOST_EVENT 32u
#define AD_ETW_RT_LOST_BUFFER 33u
#define AD_ETW_RT_LOST_FILE 34u
/* EventTrace {68FDD900-4A3E-11D1-84F4-0000F80464E3}: the trace header events ETW puts first
   into every .etl file (evntrace.h EventTraceGuid); not DNS events, skipped. */
extern const ad_guid ad_etw_event_trace_guid;

/* ---- settings ---------------------------------------------------------------------------- */

#define AD_ETW_NAME_MAX 128
#define AD_ETW_PATH_MAX 1024
#define AD_ETW_MAX_EVENT_IDS 64 /* MAX_EVENT_FILTER_EVENT_ID_COUNT */

/* DESIGN.md §1 / facts §A.6: 256 KB x 16..128 buffers, flushed every second. */
#define AD_ETW_DEFAULT_SESSION_NAME "asimdns-capture"
#define AD_ETW_DEFAULT_BUFFER_KB 256u
#define AD_ETW_DEFAULT_MIN_BUFFERS 16u
#define AD_ETW_DEFAULT_MAX_BUFFERS 128u
#define AD_ETW_DEFAULT_FLUSH_SECONDS 1u
#define AD_ETW_DEFAULT_POLL_MS 1000u

/* Everything the controller needs, filled by main.c from capture.yaml (or by tests). */
typedef struct ad_etw_settings {
    ad_source source;                   /* AD_SOURCE_ETW (live session) or AD_SOURCE_ETL */
    char session_name[AD_ETW_NAME_MAX]; /* UTF-8; ETW */
    char etl_file[AD_ETW_PATH_MAX];     /* UTF-8 path; ETL */
    ad_guid provider_guid;              /* provider to enable (ETW) */
    uint8_t level;                      /* TRACE_LEVEL_* */
    uint64_t match_any_keyword;
    uint64_t match_all_keyword;
    uint16_t event_ids[AD_ETW_MAX_EVENT_IDS]; /* EVENT_FILTER_TYPE_EVENT_ID; none = all */
    uint32_t event_id_count;
    uint32_t buffer_size_kb; /* EVENT_TRACE_PROPERTIES.BufferSize */
    uint32_t min_buffers;
    uint32_t max_buffers;
    uint32_t flush_seconds; /* FlushTimer; 0 = only full buffers are delivered */
    uint32_t poll_ms;       /* loss-counter poll and recorder flush interval */
    /* SrcProcessName (process_names.h): live sessions of a provider with events logged in
       the requester's process (the DNS Client); 0 = off. */
    uint32_t process_cache_size;
    const ad_process_lookup *process_lookup; /* NULL = ad_process_lookup_os() */
} ad_etw_settings;

/* Defaults above, source ETW, DNS Server provider with its default level and keywords,
   process names on with AD_PROCESS_NAMES_DEFAULT_CAPACITY entries. */
void ad_etw_settings_init(ad_etw_settings *s);

/* ---- the ETW function table --------------------------------------------------------------- */

typedef uint64_t ad_etw_handle; /* TRACEHANDLE */

/* What StartTrace is asked for (the adapter builds EVENT_TRACE_PROPERTIES from it). */
typedef struct ad_etw_session_props {
    const char *name;       /* UTF-8 */
    uint32_t log_file_mode; /* AD_ETW_MODE_* */
    uint32_t buffer_size_kb;
    uint32_t min_buffers;
    uint32_t max_buffers;
    uint32_t flush_seconds;
} ad_etw_session_props;

/* A running session's properties as ControlTrace(QUERY) reports them. */
typedef struct ad_etw_session_info {
    uint32_t log_file_mode;
    uint32_t buffer_size_kb;
    uint32_t min_buffers;
    uint32_t max_buffers;
    uint32_t flush_seconds;
} ad_etw_session_info;

/* A session's loss and pool counters (facts §B.2, §B.3): cumulative since the session started. */
typedef struct ad_etw_loss {
    uint64_t events_lost;           /* provider -> session: no free buffer */
    uint64_t realtime_buffers_lost; /* session -> real-time consumer */
    uint64_t log_buffers_lost;      /* session -> file */
    uint64_t buffers_written;
    uint32_t number_of_buffers;
    uint32_t free_buffers;
} ad_etw_loss;

/* EnableTraceEx2(EVENT_CONTROL_CODE_ENABLE_PROVIDER) parameters. */
typedef struct ad_etw_enable {
    ad_guid provider;
    uint8_t level;
    uint64_t match_any_keyword;
    uint64_t match_all_keyword;
    const uint16_t *event_ids; /* EVENT_FILTER_EVENT_ID (FilterIn) when event_id_count > 0 */
    uint32_t event_id_count;   /* <= AD_ETW_MAX_EVENT_IDS */
    bool process_start_key;    /* EnableProperty EVENT_ENABLE_PROPERTY_PROCESS_START_KEY */
} ad_etw_enable;

/* One event as ProcessTrace delivers it (EVENT_RECORD, already converted). */
typedef struct ad_etw_raw_event {
    ad_guid provider_guid; /* EVENT_HEADER.ProviderId */
    ad_provider provider;  /* ad_provider_from_guid(provider_guid) */
    uint16_t event_id;     /* EventDescriptor.Id */
    uint8_t version;       /* EventDescriptor.Version */
    uint8_t opcode;        /* EventDescriptor.Opcode (classic events: the event type) */
    uint16_t header_flags; /* EVENT_HEADER.Flags */
    uint32_t pid;          /* EVENT_HEADER.ProcessId */
    uint32_t tid;          /* EVENT_HEADER.ThreadId */
    uint64_t time_ns;      /* EVENT_HEADER.TimeStamp (FILETIME) as Unix ns; 0 if before 1970 */
    const void *userdata;  /* EVENT_RECORD.UserData, valid during the callback only */
    uint32_t userdata_len; /* EVENT_RECORD.UserDataLength */
    /* The EVENT_HEADER_EXT_TYPE_PROCESS_START_KEY extended item (enabled with
       process_start_key); 0 when the event has none. */
    uint64_t process_start_key;
} ad_etw_raw_event;

/* Called on the ProcessTrace thread for every event. Must not block or allocate. */
typedef void (*ad_etw_event_fn)(void *ctx, const ad_etw_raw_event *ev);

/* OpenTrace: a real-time session by name, or an .etl file. */
typedef struct ad_etw_open {
    const char *session_name; /* real time when non-NULL */
    const char *etl_file;     /* otherwise this file */
    ad_etw_event_fn on_event;
    void *ctx;
} ad_etw_open;

/*
 * The ETW calls the controller makes; impl is passed back to every function. Each returns a
 * Win32 error code. Sessions are addressed by name so a stale session left by another process
 * can be queried and stopped without its handle.
 */
typedef struct ad_etw_api {
    void *impl;
    /* StartTraceW. AD_ETW_ERROR_ALREADY_EXISTS when a session with that name runs. */
    uint32_t (*start_session)(void *impl, const ad_etw_session_props *props,
                              ad_etw_handle *session);
    /* ControlTraceW(QUERY): the properties in effect. */
    uint32_t (*query_session)(void *impl, const char *name, ad_etw_session_info *info);
    /* ControlTraceW(QUERY): the loss counters. */
    uint32_t (*query_loss)(void *impl, const char *name, ad_etw_loss *loss);
    /* ControlTraceW(STOP); *final receives the session's last counters (may be NULL). */
    uint32_t (*stop_session)(void *impl, const char *name, ad_etw_loss *final);
    /* EnableTraceEx2 on the session started by start_session. */
    uint32_t (*enable_provider)(void *impl, ad_etw_handle session, const ad_etw_enable *en);
    /* OpenTraceW (EVENT_RECORD callbacks). */
    uint32_t (*open_trace)(void *impl, const ad_etw_open *open, ad_etw_handle *trace);
    /* ProcessTrace: blocks, delivering events, until the session stops, the file ends or the
       trace is closed. */
    uint32_t (*process_trace)(void *impl, ad_etw_handle trace);
    /* CloseTrace. May be called while process_trace runs (AD_ETW_ERROR_CTX_CLOSE_PENDING). */
    uint32_t (*close_trace)(void *impl, ad_etw_handle trace);
} ad_etw_api;

/* The real table is declared in etw_api_win32.h (Windows builds only). */

/* "access denied" and a few other codes in words, else "Win32 error"; never NULL. */
const char *ad_etw_error_text(uint32_t code);

/* ---- the controller ----------------------------------------------------------------------- */

/*
 * One run of a session. Lives as long as the run (static storage in main.c); its fields are
 * private to etw_session.c. The flags and the final counters are what another thread touches
 * through ad_etw_session_stop.
 */
typedef struct ad_etw_session {
    const ad_etw_settings *set;
    const ad_etw_api *api;
    ad_capture_ctx *ctx;
    struct ad_etw_recorder *rec;
    ad_etw_handle session, trace;
    bool trace_open;
    bool trace_closed;
    ad_flag session_started; /* the session is ours to stop */
    ad_flag stop_requested;  /* ad_etw_session_stop was called */
    ad_flag stop_claimed;    /* exactly one caller issues the STOP */
    ad_flag stop_done;       /* the STOP call returned; final_loss is valid */
    ad_flag thread_done;     /* ProcessTrace returned; process_rc is valid */
    uint32_t stop_rc;
    uint32_t process_rc;
    ad_etw_loss final_loss;
    uint64_t loss_base[3]; /* ring counters before this run (counters stay monotonic) */
    uint64_t loss_warned[3], rt_lost_warned; /* totals at the last loss warning */
    uint64_t next_loss_warn;                 /* monotonic ns */
    uint64_t events, rt_lost, skipped;
    ad_mutex *ring_lock;       /* ring writes (callback) vs heartbeat (main thread), see .c */
    ad_process_names *names;   /* SrcProcessName cache, NULL when off; callback thread only */
    ad_decode_scratch scratch; /* the ProcessTrace thread's decode memory */
} ad_etw_session;

/*
 * Runs the source until a stop request (ad_stop_requested, ad_etw_session_stop), the end of the
 * .etl file, or an error; events go through ad_capture_etw_event into ctx->ring and, when rec
 * is non-NULL, into the recorder. The session is stopped on every path out once it was
 * started. Returns AD_OK (stopped on request, or the file was read to its end), AD_EPERM
 * (access denied: not a member of Performance Log Users or Administrators), AD_EIO
 * (ProcessTrace returned while the session should still run), AD_EINVAL (settings), AD_ESYS
 * (another ETW failure) or AD_ENOMEM (no thread).
 */
ad_err ad_etw_session_run(ad_etw_session *s, const ad_etw_settings *set, const ad_etw_api *api,
                          ad_capture_ctx *ctx, struct ad_etw_recorder *rec);

/*
 * Stops the running session now and asks ad_etw_session_run to return. Safe from any thread
 * (signal handlers excepted: use ad_stop_request there) and any number of times: the STOP
 * call is made once. The Windows service-stop handler calls ad_etw_session_stop_active().
 */
void ad_etw_session_stop(ad_etw_session *s);

/* ad_etw_session_stop on the session currently inside ad_etw_session_run, if any. */
void ad_etw_session_stop_active(void);

#endif

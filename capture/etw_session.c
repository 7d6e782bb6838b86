/*
 * asimdns-capture: the ETW session controller (see etw_session.h).
 *
 * Life of a real-time run (facts/peers-etw-and-ring.md §A.5, §A.6):
 *   start    StartTrace with a stable name; ERROR_ALREADY_EXISTS means a session left behind
 *            by a run that never stopped it (the session-leak bug class): stop it and start
 *            again. Access denied ends the run with a message naming the groups that may
 *            control sessions (facts §C.2).
 *   check    ControlTrace(QUERY) reads LogFileMode back: without INDEPENDENT_SESSION_MODE a
 *            slow second session on the same provider loses our events with no counter moving
 *            (facts §B.3 loss point 3), so that gets a warning.
 *   enable   EnableTraceEx2 with level, keywords and the optional event-id filter.
 *   consume  OpenTrace + ProcessTrace on its own thread; each event is decoded and written to
 *            the ring right in the callback (no queue, no allocation: facts §A.6 item 4).
 *   poll     the main thread wakes every slice for stop requests and every poll_ms for the
 *            loss counters (EventsLost, RealTimeBuffersLost, LogBuffersLost) and the recorder.
 *   finish   whatever ended the run (stop request, ProcessTrace returning early, a failed
 *            step), the session is stopped exactly once, ProcessTrace is given time to deliver
 *            the last buffers and then closed, and the final counters from STOP are published.
 *
 * Threads: the callback thread writes records and the rt_lost counter; the main thread writes
 * the heartbeat and the polled counters, so every ring counter slot keeps one writer
 * (ipc/ring.h). The heartbeat must still come from the main thread (a quiet session delivers
 * no callbacks at all), but ad_ring_producer_heartbeat also re-publishes the producer
 * position from the producer's private state, which the callback thread is changing: the two
 * take ring_lock. Uncontended except once a second, it costs the callback one lock/unlock.
 */
#include "capture/etw_session.h"

#include <stdio.h>
#include <string.h>

#include "capture/emit.h"
#include "capture/etw_record.h"
#include "common/event_catalog.h"
#include "common/log.h"
#include "common/stop.h"
#include "common/timeutil.h"
#include "ipc/ring.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_SEC 1000000000ULL
/* How often the main thread looks at the stop flags between two polls. */
#define SLICE_NS (20 * NS_PER_MS)
/*
 * After STOP a real-time ProcessTrace delivers the remaining buffers and returns on its own,
 * "there may be a several-second delay" (ProcessTrace documentation); after this long
 * CloseTrace makes it return.
 */
#define DRAIN_WAIT_NS (5 * NS_PER_SEC)
/* While waiting for ProcessTrace to return, a log line this often. */
#define JOIN_WARN_NS (5 * NS_PER_SEC)
/* Growing loss counters are logged at most this often (the counters themselves are exact). */
#define LOSS_WARN_NS (60 * NS_PER_SEC)

/* The ring counters the polled loss counters go to, in ad_etw_loss order. */
static const ad_capture_counter loss_counters[3] = {
    AD_CAP_ETW_EVENTS_LOST, AD_CAP_ETW_REALTIME_BUFFERS_LOST, AD_CAP_ETW_LOG_BUFFERS_LOST};

static ad_etw_session *_Atomic active_session;

const ad_guid ad_etw_rt_lost_event_guid = {
    0x6A399AE0u, 0x4BC6u, 0x4DE9u, {0x87u, 0x0Bu, 0x36u, 0x57u, 0xF8u, 0x94u, 0x7Eu, 0x7Eu}};
const ad_guid ad_etw_event_trace_guid = {
    0x68FDD900u, 0x4A3Eu, 0x11D1u, {0x84u, 0xF4u, 0x00u, 0x00u, 0xF8u, 0x04u, 0x64u, 0xE3u}};

void ad_etw_settings_init(ad_etw_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->source = AD_SOURCE_ETW;
    snprintf(s->session_name, sizeof(s->session_name), "%s", AD_ETW_DEFAULT_SESSION_NAME);
    const ad_provider_info *info = ad_provider_info_get(AD_PROVIDER_DNS_SERVER);
    if (info != NULL) {
        s->provider_guid = info->guid;
        s->level = info->default_level;
        s->match_any_keyword = info->default_keywords;
    }
    s->buffer_size_kb = AD_ETW_DEFAULT_BUFFER_KB;
    s->min_buffers = AD_ETW_DEFAULT_MIN_BUFFERS;
    s->max_buffers = AD_ETW_DEFAULT_MAX_BUFFERS;
    s->flush_seconds = AD_ETW_DEFAULT_FLUSH_SECONDS;
    s->poll_ms = AD_ETW_DEFAULT_POLL_MS;
    s->process_cache_size = AD_PROCESS_NAMES_DEFAULT_CAPACITY;
}

const char *ad_etw_error_text(uint32_t code)
{
    switch (code) {
    case AD_ETW_OK:
        return "success";
    case AD_ETW_ERROR_FILE_NOT_FOUND:
        return "file not found";
    case AD_ETW_ERROR_ACCESS_DENIED:
        return "access denied";
    case AD_ETW_ERROR_INVALID_HANDLE:
        return "invalid handle";
    case AD_ETW_ERROR_BAD_LENGTH:
        return "bad length";
    case AD_ETW_ERROR_NOT_SUPPORTED:
        return "not supported";
    case AD_ETW_ERROR_INVALID_PARAMETER:
        return "invalid parameter";
    case AD_ETW_ERROR_BAD_PATHNAME:
        return "bad path name";
    case AD_ETW_ERROR_ALREADY_EXISTS:
        return "already exists";
    case AD_ETW_ERROR_MORE_DATA:
        return "more data";
    case AD_ETW_ERROR_CANCELLED:
        return "cancelled";
    case AD_ETW_ERROR_NO_SYSTEM_RESOURCES:
        return "insufficient system resources (too many ETW sessions?)";
    case AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND:
        return "no such session";
    case AD_ETW_ERROR_CTX_CLOSE_PENDING:
        return "close pending";
    default:
        return "Win32 error";
    }
}

/* "{EB79061A-A566-4698-9119-3ED2807060E7}" for logs. */
static void guid_text(const ad_guid *g, char *buf, size_t cap)
{
    snprintf(buf, cap, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", (unsigned)g->data1,
             (unsigned)g->data2, (unsigned)g->data3, g->data4[0], g->data4[1], g->data4[2],
             g->data4[3], g->data4[4], g->data4[5], g->data4[6], g->data4[7]);
}

static ad_err map_error(uint32_t code)
{
    return code == AD_ETW_ERROR_ACCESS_DENIED ? AD_EPERM : AD_ESYS;
}

/* One error line per failed call, with the hint the failure calls for (facts §C.2). */
static void report_failure(const ad_etw_session *s, const char *call, uint32_t code)
{
    const char *what = s->set->source == AD_SOURCE_ETL ? s->set->etl_file : s->set->session_name;
    if (code == AD_ETW_ERROR_ACCESS_DENIED && s->set->source == AD_SOURCE_ETL) {
        ad_log_error("%s for ETW file '%s': access denied (file permissions)", call, what);
        return;
    }
    if (code == AD_ETW_ERROR_ACCESS_DENIED) {
        ad_log_error("%s for ETW session '%s': access denied. Controlling and consuming ETW "
                     "sessions needs an administrator, a member of the Performance Log Users "
                     "group, LocalSystem, LocalService or NetworkService: run asimdns-capture "
                     "as one of them",
                     call, what);
        return;
    }
    ad_log_error("%s for ETW %s '%s' failed: %s (%lu)", call,
                 s->set->source == AD_SOURCE_ETL ? "file" : "session", what,
                 ad_etw_error_text(code), (unsigned long)code);
}

/* ---- callback (ProcessTrace thread) ------------------------------------------------------- */

static void on_event(void *p, const ad_etw_raw_event *raw)
{
    ad_etw_session *s = p;
    if (raw->provider == AD_PROVIDER_UNKNOWN) {
        if (ad_guid_equal(&raw->provider_guid, &ad_etw_rt_lost_event_guid)) {
            if (raw->opcode >= AD_ETW_RT_LOST_EVENT && raw->opcode <= AD_ETW_RT_LOST_FILE) {
                s->rt_lost++;
                ad_ring_producer_counter_add(s->ctx->ring, AD_CAP_ETW_RT_LOST_EVENTS, 1);
            }
            return;
        }
        if (ad_guid_equal(&raw->provider_guid, &ad_etw_event_trace_guid)) {
            s->skipped++; /* the trace header, not an event of a provider */
            return;
        }
    }
    ad_etw_event_in in;
    in.provider = raw->provider;
    in.source = s->set->source;
    in.event_id = raw->event_id;
    in.version = raw->version;
    in.header_flags = raw->header_flags;
    in.pid = raw->pid;
    in.tid = raw->tid;
    in.time_ns = raw->time_ns;
    in.userdata = raw->userdata;
    in.userdata_len = raw->userdata_len;
    s->events++;
    if (s->rec != NULL)
        ad_etw_recorder_add(s->rec, &in);
    ad_mutex_lock(s->ring_lock);
    /* Counts its own failures. The first event of a requesting process also looks that
       process up (a few system calls, once per process): the heartbeat waits no longer. */
    (void)ad_capture_etw_event_named(s->ctx->ring, &in, &s->scratch, s->names,
                                     raw->process_start_key);
    ad_mutex_unlock(s->ring_lock);
}

static void trace_thread(void *p)
{
    ad_etw_session *s = p;
    s->process_rc = s->api->process_trace(s->api->impl, s->trace);
    ad_flag_raise(&s->thread_done);
}

/* ---- stop (any thread) -------------------------------------------------------------------- */

/* Issues STOP once, whoever asks first; the others return at once (finish() then waits for
   stop_done before it reads the final counters). */
static void issue_stop(ad_etw_session *s)
{
    if (!ad_flag_get(&s->session_started))
        return;
    if (!ad_flag_raise_first(&s->stop_claimed))
        return;
    ad_etw_loss fin;
    memset(&fin, 0, sizeof(fin));
    uint32_t rc = s->api->stop_session(s->api->impl, s->set->session_name, &fin);
    s->final_loss = fin;
    s->stop_rc = rc;
    ad_flag_raise(&s->stop_done); /* publishes final_loss and stop_rc */
}

void ad_etw_session_stop(ad_etw_session *s)
{
    if (s == NULL)
        return;
    ad_flag_raise(&s->stop_requested);
    issue_stop(s);
}

void ad_etw_session_stop_active(void)
{
    ad_etw_session_stop(active_session);
}

/* ---- main thread -------------------------------------------------------------------------- */

/* Heartbeat when due (under ring_lock, see the top) and the process-wide stop flag. */
static bool tick(ad_etw_session *s)
{
    ad_mutex_lock(s->ring_lock);
    bool stop = ad_capture_tick(s->ctx);
    ad_mutex_unlock(s->ring_lock);
    return stop;
}

static void publish_loss(ad_etw_session *s, const ad_etw_loss *loss)
{
    const uint64_t v[3] = {loss->events_lost, loss->realtime_buffers_lost, loss->log_buffers_lost};
    for (int i = 0; i < 3; i++)
        ad_ring_producer_counter_set(s->ctx->ring, loss_counters[i], s->loss_base[i] + v[i]);
}

static void poll_loss(ad_etw_session *s, bool *failing)
{
    ad_etw_loss loss;
    memset(&loss, 0, sizeof(loss));
    uint32_t rc = s->api->query_loss(s->api->impl, s->set->session_name, &loss);
    if (rc != AD_ETW_OK) {
        if (!*failing)
            ad_log_warn("ETW session '%s': querying the loss counters failed: %s (%lu)",
                        s->set->session_name, ad_etw_error_text(rc), (unsigned long)rc);
        *failing = true;
        return;
    }
    if (*failing)
        ad_log_info("ETW session '%s': loss counters readable again", s->set->session_name);
    *failing = false;
    publish_loss(s, &loss);

    /* Tell the operator when ETW lost events (facts §B.3 loss points 1 and 2). */
    const uint64_t now[3] = {loss.events_lost, loss.realtime_buffers_lost, loss.log_buffers_lost};
    uint64_t rt = ad_ring_producer_counter_get(s->ctx->ring, AD_CAP_ETW_RT_LOST_EVENTS);
    bool grew = rt > s->rt_lost_warned;
    for (int i = 0; i < 3; i++)
        grew |= now[i] > s->loss_warned[i];
    uint64_t mono = ad_time_mono_ns();
    if (grew && mono >= s->next_loss_warn) {
        ad_log_warn("ETW session '%s' is losing events: EventsLost %llu (+%llu), "
                    "RealTimeBuffersLost %llu (+%llu), LogBuffersLost %llu (+%llu), "
                    "RT_LostEvent notices %llu (+%llu); consider larger or more buffers",
                    s->set->session_name, (unsigned long long)now[0],
                    (unsigned long long)(now[0] - s->loss_warned[0]), (unsigned long long)now[1],
                    (unsigned long long)(now[1] - s->loss_warned[1]), (unsigned long long)now[2],
                    (unsigned long long)(now[2] - s->loss_warned[2]), (unsigned long long)rt,
                    (unsigned long long)(rt - s->rt_lost_warned));
        for (int i = 0; i < 3; i++)
            s->loss_warned[i] = now[i];
        s->rt_lost_warned = rt;
        s->next_loss_warn = mono + LOSS_WARN_NS;
    }
}

static ad_err start_session(ad_etw_session *s)
{
    const ad_etw_settings *set = s->set;
    ad_etw_session_props props;
    memset(&props, 0, sizeof(props));
    props.name = set->session_name;
    props.log_file_mode = AD_ETW_MODE_REAL_TIME | AD_ETW_MODE_INDEPENDENT_SESSION;
    props.buffer_size_kb = set->buffer_size_kb;
    props.min_buffers = set->min_buffers;
    props.max_buffers = set->max_buffers;
    props.flush_seconds = set->flush_seconds;

    uint32_t rc = s->api->start_session(s->api->impl, &props, &s->session);
    if (rc == AD_ETW_ERROR_ALREADY_EXISTS) {
        ad_log_warn("ETW session '%s' already exists (left behind by a run that did not stop "
                    "it?): stopping it and starting a new one",
                    set->session_name);
        ad_etw_loss old;
        memset(&old, 0, sizeof(old));
        uint32_t src = s->api->stop_session(s->api->impl, set->session_name, &old);
        if (src != AD_ETW_OK && src != AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND) {
            report_failure(s, "stopping the existing session", src);
            return map_error(src);
        }
        ad_log_info("ETW session '%s': the old session was stopped (it had lost %llu events, "
                    "%llu real-time buffers)",
                    set->session_name, (unsigned long long)old.events_lost,
                    (unsigned long long)old.realtime_buffers_lost);
        rc = s->api->start_session(s->api->impl, &props, &s->session);
    }
    if (rc != AD_ETW_OK) {
        report_failure(s, "StartTrace", rc);
        return map_error(rc);
    }
    ad_flag_raise(&s->session_started);
    ad_log_info("ETW session '%s' started: buffers %u KB x %u..%u, flush %u s", set->session_name,
                (unsigned)set->buffer_size_kb, (unsigned)set->min_buffers,
                (unsigned)set->max_buffers, (unsigned)set->flush_seconds);
    return AD_OK;
}

/* Reads the properties back: the mode we asked for is not guaranteed to stick (facts §A.6). */
static void check_session(ad_etw_session *s)
{
    ad_etw_session_info info;
    memset(&info, 0, sizeof(info));
    uint32_t rc = s->api->query_session(s->api->impl, s->set->session_name, &info);
    if (rc != AD_ETW_OK) {
        ad_log_warn("ETW session '%s': cannot read the session properties back: %s (%lu)",
                    s->set->session_name, ad_etw_error_text(rc), (unsigned long)rc);
        return;
    }
    if ((info.log_file_mode & AD_ETW_MODE_INDEPENDENT_SESSION) == 0)
        ad_log_warn("ETW session '%s' runs without EVENT_TRACE_INDEPENDENT_SESSION_MODE "
                    "(LogFileMode 0x%08lx): when another session on the same provider falls "
                    "behind, our events are lost too and no loss counter shows it",
                    s->set->session_name, (unsigned long)info.log_file_mode);
    if ((info.log_file_mode & AD_ETW_MODE_REAL_TIME) == 0)
        ad_log_warn("ETW session '%s' is not in real-time mode (LogFileMode 0x%08lx)",
                    s->set->session_name, (unsigned long)info.log_file_mode);
    if (info.buffer_size_kb != s->set->buffer_size_kb || info.min_buffers < s->set->min_buffers ||
        info.max_buffers < s->set->max_buffers)
        ad_log_info("ETW session '%s': ETW adjusted the buffers to %u KB x %u..%u",
                    s->set->session_name, (unsigned)info.buffer_size_kb, (unsigned)info.min_buffers,
                    (unsigned)info.max_buffers);
}

/* True when the catalogue has events of provider logged in the requester's process. */
static bool provider_names_requesters(ad_provider provider)
{
    for (size_t i = 0; i < ad_event_def_count(); i++) {
        const ad_event_def *def = ad_event_def_at(i);
        if (def->provider == provider && (def->flags & AD_EVF_REQUESTER_CONTEXT))
            return true;
    }
    return false;
}

/* The SrcProcessName cache, for a live session of a provider that has requester events. */
static void names_open(ad_etw_session *s)
{
    const ad_etw_settings *set = s->set;
    if (set->source != AD_SOURCE_ETW || set->process_cache_size == 0 ||
        !provider_names_requesters(ad_provider_from_guid(&set->provider_guid)))
        return;
    const ad_process_lookup *lookup =
        set->process_lookup != NULL ? set->process_lookup : ad_process_lookup_os();
    if (lookup == NULL) {
        ad_log_info("process names: this system has no process lookup; SrcProcessName is left "
                    "out");
        return;
    }
    s->names = ad_process_names_new(set->process_cache_size, lookup);
    if (s->names == NULL) {
        ad_log_warn("process names: no memory for a cache of %u entries; SrcProcessName is "
                    "left out",
                    (unsigned)set->process_cache_size);
        return;
    }
    ad_log_info("process names: requesting processes are named, cache of %u entries",
                (unsigned)set->process_cache_size);
}

static ad_err enable_provider(ad_etw_session *s)
{
    const ad_etw_settings *set = s->set;
    ad_etw_enable en;
    memset(&en, 0, sizeof(en));
    en.provider = set->provider_guid;
    en.level = set->level;
    en.match_any_keyword = set->match_any_keyword;
    en.match_all_keyword = set->match_all_keyword;
    en.event_ids = set->event_id_count > 0 ? set->event_ids : NULL;
    en.event_id_count = set->event_id_count;
    en.process_start_key = s->names != NULL;
    char g[40];
    guid_text(&set->provider_guid, g, sizeof(g));
    uint32_t rc = s->api->enable_provider(s->api->impl, s->session, &en);
    if (rc == AD_ETW_ERROR_INVALID_PARAMETER && en.process_start_key) {
        /* Windows before 10 1507 without the update has no process start keys: names are
           then looked up for every event and never cached (process_names.h). */
        ad_log_warn("EnableTraceEx2 for provider %s refused the process start key; enabling "
                    "without it (each requester event is then looked up anew)",
                    g);
        en.process_start_key = false;
        rc = s->api->enable_provider(s->api->impl, s->session, &en);
    }
    if (rc != AD_ETW_OK) {
        if (rc == AD_ETW_ERROR_ACCESS_DENIED)
            ad_log_error("EnableTraceEx2 for provider %s: access denied. The account needs "
                         "TRACELOG_GUID_ENABLE on the provider (administrators and Performance "
                         "Log Users have it by default)",
                         g);
        else
            ad_log_error("EnableTraceEx2 for provider %s on session '%s' failed: %s (%lu)", g,
                         set->session_name, ad_etw_error_text(rc), (unsigned long)rc);
        return map_error(rc);
    }
    ad_log_info("ETW provider %s enabled: level %u, MatchAnyKeyword 0x%llx, MatchAllKeyword "
                "0x%llx, %u event ids in the filter",
                g, (unsigned)set->level, (unsigned long long)set->match_any_keyword,
                (unsigned long long)set->match_all_keyword, (unsigned)set->event_id_count);
    return AD_OK;
}

static ad_err open_trace(ad_etw_session *s)
{
    ad_etw_open op;
    memset(&op, 0, sizeof(op));
    if (s->set->source == AD_SOURCE_ETL)
        op.etl_file = s->set->etl_file;
    else
        op.session_name = s->set->session_name;
    op.on_event = on_event;
    op.ctx = s;
    uint32_t rc = s->api->open_trace(s->api->impl, &op, &s->trace);
    if (rc != AD_ETW_OK) {
        report_failure(s, "OpenTrace", rc);
        return map_error(rc);
    }
    s->trace_open = true;
    return AD_OK;
}

static void close_trace(ad_etw_session *s)
{
    if (!s->trace_open || s->trace_closed)
        return;
    s->trace_closed = true;
    uint32_t rc = s->api->close_trace(s->api->impl, s->trace);
    if (rc != AD_ETW_OK && rc != AD_ETW_ERROR_CTX_CLOSE_PENDING)
        ad_log_warn("CloseTrace: %s (%lu)", ad_etw_error_text(rc), (unsigned long)rc);
}

/*
 * Waits for the ProcessTrace thread. A real-time session that was stopped makes ProcessTrace
 * return after delivering what is buffered; if it has not after DRAIN_WAIT_NS (or at once for
 * a file, which only CloseTrace interrupts) CloseTrace forces it.
 */
static void join_trace_thread(ad_etw_session *s, ad_thread *thread)
{
    uint64_t start = ad_time_mono_ns();
    uint64_t grace = s->set->source == AD_SOURCE_ETL ? 0 : DRAIN_WAIT_NS;
    uint64_t next_warn = start + JOIN_WARN_NS;
    while (!ad_flag_get(&s->thread_done)) {
        uint64_t now = ad_time_mono_ns();
        if (now - start >= grace)
            close_trace(s);
        if (now >= next_warn) {
            ad_log_warn("still waiting for ProcessTrace to return (%llu s)",
                        (unsigned long long)((now - start) / NS_PER_SEC));
            next_warn = now + JOIN_WARN_NS;
        }
        (void)tick(s); /* the heartbeat goes on while we wait */
        ad_sleep_ns(NS_PER_MS);
    }
    ad_thread_join(thread);
}

/* The poll loop: returns AD_OK on a stop request or the end of an .etl file, AD_EIO when
   ProcessTrace returned on its own while a live session should still run. */
static ad_err poll_loop(ad_etw_session *s)
{
    const bool live = s->set->source == AD_SOURCE_ETW;
    const uint64_t poll_ns =
        (uint64_t)(s->set->poll_ms ? s->set->poll_ms : AD_ETW_DEFAULT_POLL_MS) * NS_PER_MS;
    const uint64_t slice = poll_ns < SLICE_NS ? poll_ns : SLICE_NS;
    uint64_t next_poll = ad_time_mono_ns() + poll_ns;
    bool failing = false;
    for (;;) {
        if (tick(s) || ad_flag_get(&s->stop_requested)) {
            ad_flag_raise(&s->stop_requested);
            ad_log_info("stop requested");
            return AD_OK;
        }
        if (ad_flag_get(&s->thread_done)) {
            uint32_t rc = s->process_rc;
            if (!live && rc == AD_ETW_OK) {
                ad_log_info("end of %s", s->set->etl_file);
                return AD_OK;
            }
            if (live)
                ad_log_error("ProcessTrace returned while the session should still run (%s, "
                             "%lu): was session '%s' stopped from outside?",
                             ad_etw_error_text(rc), (unsigned long)rc, s->set->session_name);
            else
                ad_log_error("ProcessTrace on %s failed: %s (%lu)", s->set->etl_file,
                             ad_etw_error_text(rc), (unsigned long)rc);
            return AD_EIO;
        }
        uint64_t now = ad_time_mono_ns();
        if (now >= next_poll) {
            if (live)
                poll_loss(s, &failing);
            if (s->rec != NULL)
                ad_etw_recorder_flush(s->rec);
            next_poll = now + poll_ns;
        }
        ad_sleep_ns(slice);
    }
}

/* Every path out of a run that got past StartTrace ends here. */
static ad_err finish(ad_etw_session *s, ad_thread *thread, ad_err rc)
{
    const char *name = s->set->session_name;
    if (ad_flag_get(&s->session_started)) {
        issue_stop(s);
        while (!ad_flag_get(&s->stop_done)) /* another thread may be inside the STOP call */
            ad_sleep_ns(NS_PER_MS);
        if (s->stop_rc == AD_ETW_OK) {
            publish_loss(s, &s->final_loss);
            ad_log_info("ETW session '%s' stopped: events lost %llu, real-time buffers lost "
                        "%llu, log buffers lost %llu, buffers written %llu",
                        name, (unsigned long long)s->final_loss.events_lost,
                        (unsigned long long)s->final_loss.realtime_buffers_lost,
                        (unsigned long long)s->final_loss.log_buffers_lost,
                        (unsigned long long)s->final_loss.buffers_written);
        } else if (s->stop_rc == AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND) {
            ad_log_warn("ETW session '%s' was already gone when stopping it", name);
        } else {
            ad_log_error("stopping ETW session '%s' failed: %s (%lu); stop it with `logman stop "
                         "%s -ets`",
                         name, ad_etw_error_text(s->stop_rc), (unsigned long)s->stop_rc, name);
            if (rc == AD_OK)
                rc = map_error(s->stop_rc);
        }
    }
    if (thread != NULL)
        join_trace_thread(s, thread);
    close_trace(s);
    if (s->rec != NULL)
        ad_etw_recorder_flush(s->rec);
    ad_log_info("ETW: %llu events delivered, %llu RT_LostEvent notices, %llu other skipped",
                (unsigned long long)s->events, (unsigned long long)s->rt_lost,
                (unsigned long long)s->skipped);
    return rc;
}

static ad_err check_settings(const ad_etw_settings *set, const ad_etw_api *api)
{
    if (api == NULL || api->start_session == NULL || api->query_session == NULL ||
        api->query_loss == NULL || api->stop_session == NULL || api->enable_provider == NULL ||
        api->open_trace == NULL || api->process_trace == NULL || api->close_trace == NULL) {
        ad_log_error("ETW: no ETW API in this build");
        return AD_EUNSUPP;
    }
    if (set->source != AD_SOURCE_ETW && set->source != AD_SOURCE_ETL) {
        ad_log_error("ETW: source must be etw or etl");
        return AD_EINVAL;
    }
    if (set->source == AD_SOURCE_ETW && set->session_name[0] == '\0') {
        ad_log_error("ETW: empty session name");
        return AD_EINVAL;
    }
    if (set->source == AD_SOURCE_ETL && set->etl_file[0] == '\0') {
        ad_log_error("ETW: no .etl file given");
        return AD_EINVAL;
    }
    if (set->event_id_count > AD_ETW_MAX_EVENT_IDS || set->min_buffers > set->max_buffers ||
        set->buffer_size_kb == 0) {
        ad_log_error("ETW: invalid settings (event ids %u, buffers %u KB x %u..%u)",
                     (unsigned)set->event_id_count, (unsigned)set->buffer_size_kb,
                     (unsigned)set->min_buffers, (unsigned)set->max_buffers);
        return AD_EINVAL;
    }
    return AD_OK;
}

ad_err ad_etw_session_run(ad_etw_session *s, const ad_etw_settings *set, const ad_etw_api *api,
                          ad_capture_ctx *ctx, struct ad_etw_recorder *rec)
{
    memset(s, 0, sizeof(*s));
    ad_flag_init(&s->session_started);
    ad_flag_init(&s->stop_requested);
    ad_flag_init(&s->stop_claimed);
    ad_flag_init(&s->stop_done);
    ad_flag_init(&s->thread_done);
    s->set = set;
    s->api = api;
    s->ctx = ctx;
    s->rec = rec;
    ad_err rc = check_settings(set, api);
    if (rc != AD_OK)
        return rc;
    for (int i = 0; i < 3; i++)
        s->loss_base[i] = ad_ring_producer_counter_get(ctx->ring, loss_counters[i]);
    s->rt_lost_warned = ad_ring_producer_counter_get(ctx->ring, AD_CAP_ETW_RT_LOST_EVENTS);
    if (ad_mutex_create(&s->ring_lock) != AD_OK) {
        ad_log_error("ETW: out of memory");
        return AD_ENOMEM;
    }

    active_session = s;
    ad_thread *thread = NULL;
    names_open(s);
    if (set->source == AD_SOURCE_ETW) {
        rc = start_session(s);
        if (rc != AD_OK) {
            active_session = NULL;
            ad_mutex_destroy(s->ring_lock);
            ad_process_names_free(s->names);
            s->names = NULL;
            return rc;
        }
        check_session(s);
        rc = enable_provider(s);
    }
    if (rc == AD_OK)
        rc = open_trace(s);
    if (rc == AD_OK && ad_thread_start(&thread, trace_thread, s) != AD_OK) {
        ad_log_error("ETW: cannot start the ProcessTrace thread");
        rc = AD_ENOMEM;
    }
    if (rc == AD_OK)
        rc = poll_loop(s);
    rc = finish(s, thread, rc);
    active_session = NULL;
    ad_mutex_destroy(s->ring_lock);
    s->ring_lock = NULL;
    ad_process_names_free(s->names); /* the ProcessTrace thread has ended */
    s->names = NULL;
    return rc;
}

/* asimdns tests: the fake ETW API (see fake_etw.h). */
#include "fake_etw.h"

#include <stdlib.h>
#include <string.h>

#include "capture/replay_format.h"
#include "common/dns_tables.h"
#include "common/timeutil.h"
#include "etw_test_util.h"

#define FLAGS64 0x0240 /* 64_BIT_HEADER | PROCESSOR_INDEX, as live events have (facts §2.2) */
#define FLAGS32 0x0220

/* ---- corpus ------------------------------------------------------------------------------- */

static const uint16_t audit_ids[] = {513, 515, 516, 517, 518, 519, 520,
                                     521, 536, 540, 569, 570, 586};
static const uint16_t client_ids[] = {1013, 1014, 1015, 1016, 1017, 1018, 3000, 3001, 3002,
                                      3003, 3004, 3005, 3006, 3007, 3008, 3009, 3010, 3011,
                                      3012, 3013, 3014, 3015, 3016, 3018, 3019, 3020};

void fake_values(const fake_vec *vec, ad_vb_values *v)
{
    ad_vb_values_default(v);
    if (vec->variant == 0)
        return;
    if (vec->provider == AD_PROVIDER_DNS_SERVER) {
        /* The second value set of the decoder round-trip tests. */
        v->tcp = 1;
        v->rd = 0;
        v->aa = 0;
        v->ad = 1;
        v->dnssec = 0;
        v->secure = 0;
        v->peer_ip = "2001:db8::53";
        v->iface_ip = "fe80::1";
        v->port = 0;
        v->rcode = 0;
        v->flags = 0x0100;
        return;
    }
    static const uint8_t a4[4] = {192, 168, 2, 1};
    static const uint8_t a6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd};
    ad_addr_set_ipv4(&v->sock_peer, a4, 53);
    ad_addr_set_ipv6(&v->sock_result, a6, -1);
    v->server_ip = "fe80::1";
    v->qname = "stra\xc3\x9f"
               "e.example";
    v->local_addrs = "fe80::e440:4aab:776b:cdfa;192.168.2.103";
}

bool fake_build(const fake_vec *vec, ad_vb *b, ad_vb_values *v)
{
    fake_values(vec, v);
    bool ok = false;
    switch (vec->kind) {
    case FAKE_VEC_SERVER:
        ok = ad_vb_server_event(b, vec->id, false, v);
        break;
    case FAKE_VEC_LEGACY:
        ok = ad_vb_server_event(b, vec->id, true, v);
        break;
    case FAKE_VEC_AUDIT:
        ok = ad_vb_audit_event(b, vec->id, v);
        break;
    case FAKE_VEC_CLIENT:
        ok = ad_vb_client_event(b, vec->id, vec->version, vec->ptr_size, v);
        break;
    }
    return ok && !b->overflow;
}

uint16_t fake_header_flags(const fake_vec *vec)
{
    return vec->ptr_size == 4 ? FLAGS32 : FLAGS64;
}

uint64_t fake_time(size_t i)
{
    return ETW_TEST_TIME + (uint64_t)i * 1000u;
}

uint32_t fake_pid(size_t i)
{
    return ETW_TEST_PID + (uint32_t)(i % 7u);
}

uint32_t fake_tid(size_t i)
{
    return ETW_TEST_TID + (uint32_t)(i % 13u);
}

size_t fake_corpus(fake_vec *out, size_t cap)
{
    static ad_vb b; /* 70 KB: not on the stack */
    ad_vb_values v;
    size_t n = 0;
    for (uint8_t variant = 0; variant < 2; variant++) {
        fake_vec vec = {.provider = AD_PROVIDER_DNS_SERVER, .ptr_size = 8, .variant = variant};
        vec.kind = FAKE_VEC_SERVER;
        for (uint16_t id = 256; id <= 291; id++) {
            vec.id = id;
            if (n < cap && fake_build(&vec, &b, &v))
                out[n++] = vec;
        }
        if (variant == 0) {
            /* Legacy and audit layouts with the default values, as their decoder tests. */
            vec.kind = FAKE_VEC_LEGACY;
            for (uint16_t id = 259; id <= 262; id++) {
                vec.id = id;
                if (n < cap && fake_build(&vec, &b, &v))
                    out[n++] = vec;
            }
            vec.kind = FAKE_VEC_AUDIT;
            for (size_t i = 0; i < sizeof(audit_ids) / sizeof(audit_ids[0]); i++) {
                vec.id = audit_ids[i];
                if (n < cap && fake_build(&vec, &b, &v))
                    out[n++] = vec;
            }
        }
        vec.kind = FAKE_VEC_CLIENT;
        vec.provider = AD_PROVIDER_DNS_CLIENT;
        for (size_t i = 0; i < sizeof(client_ids) / sizeof(client_ids[0]); i++) {
            for (uint8_t ver = 0; ver <= 2; ver++) {
                for (uint8_t ptr = 4; ptr <= 8; ptr += 4) {
                    vec.id = client_ids[i];
                    vec.version = ver;
                    vec.ptr_size = ptr;
                    if (n < cap && fake_build(&vec, &b, &v))
                        out[n++] = vec;
                }
            }
        }
    }
    return n;
}

/* ---- events ------------------------------------------------------------------------------- */

static void *arena_copy(fake_etw *f, const void *data, size_t len)
{
    if (f->arena_len + len > f->arena_cap) {
        /* Grow by copying; the events' UserData pointers are moved along. */
        size_t cap = f->arena_cap * 2 + len + 65536;
        unsigned char *bigger = malloc(cap);
        if (bigger == NULL)
            abort();
        if (f->arena_len > 0)
            memcpy(bigger, f->arena, f->arena_len);
        for (size_t i = 0; i < f->nevents; i++) {
            if (f->events[i].ev.userdata != NULL)
                f->events[i].ev.userdata =
                    bigger + ((const unsigned char *)f->events[i].ev.userdata - f->arena);
        }
        free(f->arena);
        f->arena = bigger;
        f->arena_cap = cap;
    }
    void *p = f->arena + f->arena_len;
    if (len > 0)
        memcpy(p, data, len);
    f->arena_len += len;
    return p;
}

static fake_event *new_event(fake_etw *f)
{
    if (f->nevents == f->events_cap) {
        size_t cap = f->events_cap ? f->events_cap * 2 : 256;
        fake_event *e = realloc(f->events, cap * sizeof(*e));
        if (e == NULL)
            abort();
        f->events = e;
        f->events_cap = cap;
    }
    fake_event *e = &f->events[f->nevents++];
    memset(e, 0, sizeof(*e));
    e->corpus = -1;
    size_t i = f->nevents - 1;
    e->ev.time_ns = fake_time(i);
    e->ev.pid = fake_pid(i);
    e->ev.tid = fake_tid(i);
    e->ev.header_flags = FLAGS64;
    return e;
}

static void set_provider(ad_etw_raw_event *ev, ad_provider p)
{
    const ad_provider_info *info = ad_provider_info_get(p);
    ev->provider = p;
    if (info != NULL)
        ev->provider_guid = info->guid;
}

void fake_etw_add_corpus(fake_etw *f, unsigned rounds)
{
    static ad_vb b;
    ad_vb_values v;
    for (unsigned r = 0; r < rounds; r++) {
        for (size_t c = 0; c < f->ncorpus; c++) {
            const fake_vec *vec = &f->corpus[c];
            if (!fake_build(vec, &b, &v))
                abort();
            /* Copy the UserData first: the arena may move, new_event's pointer may not. */
            size_t at = f->arena_len;
            arena_copy(f, b.buf, b.len);
            fake_event *e = new_event(f);
            e->corpus = (int)c;
            set_provider(&e->ev, vec->provider);
            e->ev.event_id = vec->id;
            e->ev.version = vec->version;
            e->ev.header_flags = fake_header_flags(vec);
            e->ev.userdata = f->arena + at;
            e->ev.userdata_len = (uint32_t)b.len;
        }
    }
}

bool fake_etw_add_line(fake_etw *f, const char *line)
{
    static unsigned char ud[AD_ETW_MAX_USERDATA];
    ad_etw_event_in in;
    ad_replay_line_kind kind;
    const char *why = NULL;
    if (ad_replay_parse_line(line, strlen(line), &in, ud, sizeof(ud), &kind, &why) != AD_OK ||
        kind != AD_REPLAY_EVENT)
        return false;
    size_t at = f->arena_len;
    arena_copy(f, in.userdata, in.userdata_len);
    fake_event *e = new_event(f);
    set_provider(&e->ev, in.provider);
    e->ev.event_id = in.event_id;
    e->ev.version = in.version;
    e->ev.header_flags = in.header_flags;
    e->ev.pid = in.pid;
    e->ev.tid = in.tid;
    e->ev.time_ns = in.time_ns;
    e->ev.userdata = in.userdata_len > 0 ? f->arena + at : NULL;
    e->ev.userdata_len = (uint32_t)in.userdata_len;
    return true;
}

void fake_etw_add_rt_lost(fake_etw *f, uint8_t opcode)
{
    fake_event *e = new_event(f);
    e->ev.provider_guid = ad_etw_rt_lost_event_guid;
    e->ev.provider = AD_PROVIDER_UNKNOWN;
    e->ev.opcode = opcode;
}

void fake_etw_add_trace_header(fake_etw *f)
{
    static const unsigned char header[64] = {1, 2, 3};
    size_t at = f->arena_len;
    arena_copy(f, header, sizeof(header));
    fake_event *e = new_event(f);
    e->ev.provider_guid = ad_etw_event_trace_guid;
    e->ev.provider = AD_PROVIDER_UNKNOWN;
    e->ev.userdata = f->arena + at;
    e->ev.userdata_len = sizeof(header);
}

void fake_etw_add_unknown(fake_etw *f)
{
    static const ad_guid g = {0x12345678u, 0x1234u, 0x5678u, {1, 2, 3, 4, 5, 6, 7, 8}};
    fake_event *e = new_event(f);
    e->ev.provider_guid = g;
    e->ev.provider = AD_PROVIDER_UNKNOWN;
    e->ev.event_id = 256;
}

/* ---- the API ------------------------------------------------------------------------------ */

static void log_call(fake_etw *f, char c)
{
    int i = atomic_fetch_add(&f->nlog, 1);
    if (i < FAKE_LOG_MAX)
        f->log[i] = c;
}

const char *fake_etw_log(fake_etw *f)
{
    int n = atomic_load(&f->nlog);
    f->log[n < FAKE_LOG_MAX ? n : FAKE_LOG_MAX] = 0;
    return f->log;
}

static uint32_t f_start(void *impl, const ad_etw_session_props *props, ad_etw_handle *session)
{
    fake_etw *f = impl;
    atomic_fetch_add(&f->starts, 1);
    log_call(f, 'S');
    f->last_props = *props;
    snprintf(f->last_name, sizeof(f->last_name), "%s", props->name);
    f->last_props.name = f->last_name;
    if (f->start_error != 0)
        return f->start_error;
    if (atomic_load(&f->session_exists))
        return AD_ETW_ERROR_ALREADY_EXISTS;
    atomic_store(&f->session_exists, true);
    atomic_store(&f->session_ours, true);
    *session = 0x5e55;
    return AD_ETW_OK;
}

static uint32_t f_query_session(void *impl, const char *name, ad_etw_session_info *info)
{
    fake_etw *f = impl;
    (void)name;
    atomic_fetch_add(&f->queries, 1);
    log_call(f, 'Q');
    if (f->query_error != 0)
        return f->query_error;
    if (!atomic_load(&f->session_exists))
        return AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND;
    info->log_file_mode = f->last_props.log_file_mode & ~f->mode_dropped;
    info->buffer_size_kb = f->last_props.buffer_size_kb;
    info->min_buffers = f->last_props.min_buffers;
    info->max_buffers = f->last_props.max_buffers;
    info->flush_seconds = f->last_props.flush_seconds;
    return AD_ETW_OK;
}

static void fill_loss(fake_etw *f, ad_etw_loss *loss)
{
    loss->events_lost = atomic_load(&f->loss[0]);
    loss->realtime_buffers_lost = atomic_load(&f->loss[1]);
    loss->log_buffers_lost = atomic_load(&f->loss[2]);
    loss->buffers_written = atomic_load(&f->delivered);
    loss->number_of_buffers = 16;
    loss->free_buffers = 8;
}

static uint32_t f_query_loss(void *impl, const char *name, ad_etw_loss *loss)
{
    fake_etw *f = impl;
    (void)name;
    int n = atomic_fetch_add(&f->loss_queries, 1) + 1;
    log_call(f, 'L');
    uint32_t rc = f->query_error;
    if (rc == 0 && !atomic_load(&f->session_exists))
        rc = AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND;
    if (rc == 0) {
        for (int i = 0; i < 3; i++)
            atomic_fetch_add(&f->loss[i], f->loss_step[i]);
        fill_loss(f, loss);
    }
    if (f->on_loss_query != NULL)
        f->on_loss_query(f, (unsigned)n, f->hook_arg);
    return rc;
}

static uint32_t f_stop(void *impl, const char *name, ad_etw_loss *final)
{
    fake_etw *f = impl;
    (void)name;
    atomic_fetch_add(&f->stops, 1);
    log_call(f, 'X');
    if (f->stop_error != 0)
        return f->stop_error;
    if (!atomic_load(&f->session_exists))
        return AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND;
    atomic_store(&f->session_exists, false);
    if (atomic_load(&f->session_ours)) {
        /* STOP returns the last counters: one more step since the last query. */
        for (int i = 0; i < 3; i++)
            atomic_fetch_add(&f->loss[i], f->loss_step[i]);
        if (final != NULL)
            fill_loss(f, final);
        atomic_store(&f->session_stopped, true); /* makes ProcessTrace return */
    } else if (final != NULL) {
        memset(final, 0, sizeof(*final));
        final->events_lost = 99; /* the stale session's own counters */
    }
    return AD_ETW_OK;
}

static uint32_t f_enable(void *impl, ad_etw_handle session, const ad_etw_enable *en)
{
    fake_etw *f = impl;
    atomic_fetch_add(&f->enables, 1);
    log_call(f, 'E');
    f->last_enable = *en;
    if (en->event_id_count > 0 && en->event_id_count <= AD_ETW_MAX_EVENT_IDS)
        memcpy(f->last_event_ids, en->event_ids, en->event_id_count * sizeof(uint16_t));
    f->last_enable.event_ids = f->last_event_ids;
    if (session != 0x5e55)
        return AD_ETW_ERROR_INVALID_HANDLE;
    if (en->process_start_key && f->start_key_error != 0)
        return f->start_key_error;
    return f->enable_error;
}

typedef struct open_state {
    ad_etw_event_fn on_event;
    void *ctx;
} open_state;

static open_state opened;

static uint32_t f_open(void *impl, const ad_etw_open *op, ad_etw_handle *trace)
{
    fake_etw *f = impl;
    atomic_fetch_add(&f->opens, 1);
    log_call(f, 'O');
    snprintf(f->open_session, sizeof(f->open_session), "%s",
             op->session_name ? op->session_name : "");
    snprintf(f->open_file, sizeof(f->open_file), "%s", op->etl_file ? op->etl_file : "");
    if (f->open_error != 0)
        return f->open_error;
    if (op->session_name != NULL && !atomic_load(&f->session_exists))
        return AD_ETW_ERROR_WMI_INSTANCE_NOT_FOUND;
    opened.on_event = op->on_event;
    opened.ctx = op->ctx;
    atomic_store(&f->trace_open, true);
    *trace = 0x7ace;
    return AD_ETW_OK;
}

static uint32_t f_process(void *impl, ad_etw_handle trace)
{
    fake_etw *f = impl;
    atomic_fetch_add(&f->processes, 1);
    log_call(f, 'P');
    if (trace != 0x7ace || !atomic_load(&f->trace_open))
        return AD_ETW_ERROR_INVALID_HANDLE;
    for (size_t i = 0; i < f->nevents; i++) {
        if (atomic_load(&f->trace_closed))
            return AD_ETW_ERROR_CANCELLED;
        opened.on_event(opened.ctx, &f->events[i].ev);
        atomic_fetch_add(&f->delivered, 1);
    }
    if (f->after_delivery != NULL)
        f->after_delivery(f, atomic_load(&f->delivered), f->hook_arg);
    switch (f->process_mode) {
    case FAKE_PT_EARLY:
        return f->process_early_rc;
    case FAKE_PT_FILE:
        return AD_ETW_OK;
    case FAKE_PT_BLOCK:
    default:
        for (;;) {
            if (atomic_load(&f->session_stopped))
                return AD_ETW_OK; /* a stopped real-time session ends ProcessTrace */
            if (atomic_load(&f->trace_closed))
                return AD_ETW_ERROR_CANCELLED;
            ad_sleep_ns(1000000);
        }
    }
}

static uint32_t f_close(void *impl, ad_etw_handle trace)
{
    fake_etw *f = impl;
    atomic_fetch_add(&f->closes, 1);
    log_call(f, 'C');
    if (trace != 0x7ace || !atomic_load(&f->trace_open) || atomic_load(&f->trace_closed))
        return AD_ETW_ERROR_INVALID_HANDLE;
    atomic_store(&f->trace_closed, true);
    return AD_ETW_OK;
}

void fake_etw_init(fake_etw *f)
{
    memset(f, 0, sizeof(*f));
    f->api.impl = f;
    f->api.start_session = f_start;
    f->api.query_session = f_query_session;
    f->api.query_loss = f_query_loss;
    f->api.stop_session = f_stop;
    f->api.enable_provider = f_enable;
    f->api.open_trace = f_open;
    f->api.process_trace = f_process;
    f->api.close_trace = f_close;
    f->ncorpus = fake_corpus(f->corpus, FAKE_CORPUS_MAX);
}

void fake_etw_free(fake_etw *f)
{
    free(f->events);
    free(f->arena);
    f->events = NULL;
    f->arena = NULL;
}

/*
 * asimdns tests: a fake ETW API (capture/etw_session.h ad_etw_api) for Linux.
 *
 * It keeps the state a real system would (does a session with our name exist, is it ours,
 * was it stopped, is the trace open or closed), delivers events built with etw_vector_builder
 * from ProcessTrace on the controller's thread, and injects the failures the controller must
 * survive: a stale session (ERROR_ALREADY_EXISTS on the first start), access denied, failing
 * enable/open/stop, a LogFileMode that loses INDEPENDENT_SESSION_MODE, ProcessTrace returning
 * early, loss counters that grow at every query. Every call is counted and logged in order.
 *
 * The corpus: every (event, version, pointer size) the decoders support, each in two value
 * variants, so tests can rebuild the expected UserData of any delivered event and compare the
 * ring record field by field (etw_test_check).
 */
#ifndef AD_TESTS_CAPTURE_FAKE_ETW_H
#define AD_TESTS_CAPTURE_FAKE_ETW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/etw_session.h"
#include "etw_vector_builder.h"

/* ---- corpus ----------------------------------------------------------------------------- */

typedef enum fake_vec_kind {
    FAKE_VEC_SERVER = 0, /* DNS Server analytic, 2025 layout */
    FAKE_VEC_LEGACY,     /* DNS Server 259-262, pre-2016 layout */
    FAKE_VEC_AUDIT,      /* DNS Server audit */
    FAKE_VEC_CLIENT,     /* DNS-Client, one version and pointer size */
} fake_vec_kind;

/* How to rebuild one corpus vector. */
typedef struct fake_vec {
    fake_vec_kind kind;
    ad_provider provider;
    uint16_t id;
    uint8_t version;
    uint8_t ptr_size; /* 4 or 8 */
    uint8_t variant;  /* 0 = builder defaults, 1 = other values (TCP, IPv6, flags flipped) */
} fake_vec;

#define FAKE_CORPUS_MAX 512

/* Fills out[] with every supported vector; returns how many (<= FAKE_CORPUS_MAX). */
size_t fake_corpus(fake_vec *out, size_t cap);

/* The field values of a variant, and the vector's UserData. False when not buildable. */
void fake_values(const fake_vec *vec, ad_vb_values *v);
bool fake_build(const fake_vec *vec, ad_vb *b, ad_vb_values *v);

/* EVENT_HEADER.Flags for the vector: 64-bit header unless its pointers are 4 bytes. */
uint16_t fake_header_flags(const fake_vec *vec);

/* Event identity for delivery number i of a run: distinct time, pid and tid per event. */
uint64_t fake_time(size_t i);
uint32_t fake_pid(size_t i);
uint32_t fake_tid(size_t i);

/* ---- the fake API ------------------------------------------------------------------------- */

typedef enum fake_process_mode {
    FAKE_PT_BLOCK = 0, /* deliver, then block until the session is stopped or the trace closed */
    FAKE_PT_EARLY,     /* deliver, then return process_early_rc at once (session still running) */
    FAKE_PT_FILE,      /* deliver, then return 0 (end of an .etl file) */
} fake_process_mode;

typedef struct fake_event {
    ad_etw_raw_event ev; /* userdata points into the fake's arena */
    int corpus;          /* index into the corpus, -1 for RT_LostEvent/header/unknown */
} fake_event;

#define FAKE_LOG_MAX 64

typedef struct fake_etw fake_etw;
typedef void (*fake_hook)(fake_etw *f, unsigned n, void *arg);

struct fake_etw {
    ad_etw_api api; /* api.impl == this */

    /* behaviour (set before the run) */
    bool stale_session;   /* a session with our name exists before the run */
    uint32_t start_error; /* every start fails with this */
    uint32_t stop_error;  /* every stop fails with this */
    uint32_t enable_error;
    uint32_t start_key_error; /* enables asking for process start keys fail with this */
    uint32_t open_error;
    uint32_t query_error;  /* query_session and query_loss */
    uint32_t mode_dropped; /* LogFileMode bits the "system" does not keep */
    fake_process_mode process_mode;
    uint32_t process_early_rc;
    uint64_t loss_step[3];    /* growth of EventsLost, RealTimeBuffersLost, LogBuffersLost */
    fake_hook after_delivery; /* on the ProcessTrace thread, after the events (n = count) */
    fake_hook on_loss_query;  /* inside every query_loss (failing too), n = 1, 2, ... */
    void *hook_arg;

    /* events */
    fake_event *events;
    size_t nevents, events_cap;
    unsigned char *arena;
    size_t arena_len, arena_cap;
    fake_vec corpus[FAKE_CORPUS_MAX];
    size_t ncorpus;

    /* state */
    atomic_bool session_exists, session_ours, session_stopped, trace_open, trace_closed;
    _Atomic uint64_t loss[3];

    /* what was called */
    atomic_int starts, stops, queries, loss_queries, enables, opens, processes, closes;
    char log[FAKE_LOG_MAX + 1]; /* one letter per call: S start, X stop, Q query, L loss,
                                   E enable, O open, P process, C close */
    atomic_int nlog;
    ad_etw_session_props last_props;
    char last_name[AD_ETW_NAME_MAX];
    ad_etw_enable last_enable;
    uint16_t last_event_ids[AD_ETW_MAX_EVENT_IDS];
    char open_session[AD_ETW_NAME_MAX];
    char open_file[AD_ETW_PATH_MAX];
    atomic_uint delivered;
};

void fake_etw_init(fake_etw *f);
void fake_etw_free(fake_etw *f);

/* Adds the whole corpus rounds times (delivery number i gets fake_time/pid/tid(i)). */
void fake_etw_add_corpus(fake_etw *f, unsigned rounds);

/* Adds one event parsed from a replay line (capture/replay_format.h); false if malformed. */
bool fake_etw_add_line(fake_etw *f, const char *line);

/* Adds an RT_LostEvent notice with the given opcode (32, 33, 34 count; others do not). */
void fake_etw_add_rt_lost(fake_etw *f, uint8_t opcode);

/* Adds the EventTrace header event that starts every .etl file. */
void fake_etw_add_trace_header(fake_etw *f);

/* Adds an event of a provider the decoders do not know. */
void fake_etw_add_unknown(fake_etw *f);

/* The calls in order as letters ("SQEOPLLXC"). */
const char *fake_etw_log(fake_etw *f);

#endif

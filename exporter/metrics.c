/* asimdns-exporter: metrics state and the Prometheus text rendering (see metrics.h). */
#include "exporter/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"

const double ad_metrics_latency_bounds[AD_METRICS_LATENCY_BUCKETS] = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

void ad_metrics_init(ad_metrics *m)
{
    memset(m, 0, sizeof(*m));
}

void ad_metrics_observe_latency(ad_metrics *m, uint64_t ns)
{
    unsigned i = 0;
    double s = (double)ns / 1e9;
    while (i < AD_METRICS_LATENCY_BUCKETS && s > ad_metrics_latency_bounds[i])
        i++;
    /* Single writer: plain add is enough; readers may see bucket and sum a moment apart. */
    ad_atomic_add_relaxed(&m->latency_bucket[i], 1);
    ad_atomic_add_relaxed(&m->latency_sum_ns, ns);
}

void ad_metrics_delivery(ad_metrics *m, bool ok, uint64_t wall_ns)
{
    if (ok) {
        ad_atomic_store_relaxed(&m->failing_since_ns, 0);
    } else if (ad_atomic_load_relaxed(&m->failing_since_ns) == 0) {
        ad_atomic_store_relaxed(&m->failing_since_ns, wall_ns != 0 ? wall_ns : 1);
    }
}

void ad_metrics_set_attached(ad_metrics *m, bool attached, uint64_t generation)
{
    ad_atomic_store_relaxed(&m->generation, generation);
    ad_atomic_store_relaxed(&m->attached, attached ? 1 : 0);
    if (attached)
        ad_atomic_store_relaxed(&m->failing_since_ns, 0); /* a new attach starts clean */
}

void ad_metrics_beat(ad_metrics *m, uint64_t mono_ns)
{
    ad_atomic_store_relaxed(&m->loop_mono_ns, mono_ns);
}

/* ---- readiness and liveness ------------------------------------------------------------ */

bool ad_metrics_ready(const ad_metrics *m, const ad_ring_status *st, uint64_t now_wall_ns,
                      uint64_t retry_window_ns, char *why, size_t whycap)
{
    if (m == NULL || ad_atomic_load_relaxed(&m->attached) == 0) {
        ad_err_msg(why, whycap, "not attached to the ring");
        return false;
    }
    if (st == NULL) {
        ad_err_msg(why, whycap, "the ring cannot be read");
        return false;
    }
    if (st->generation != ad_atomic_load_relaxed(&m->generation)) {
        ad_err_msg(why, whycap, "the ring was recreated; attaching again");
        return false;
    }
    uint64_t period = ad_ring_status_capture_period_ns(st);
    uint64_t age = ad_ring_status_age_ns(st, st->capture_heartbeat_ns);
    if (st->capture_pid == 0 || !st->capture_alive) {
        ad_err_msg(why, whycap, "capture is not running");
        return false;
    }
    if (age > AD_RING_STALE_INTERVALS * period) {
        ad_err_msg(why, whycap, "capture heartbeat is %.1f s old", (double)age / 1e9);
        return false;
    }
    uint64_t since = ad_atomic_load_relaxed(&m->failing_since_ns);
    if (since != 0 && now_wall_ns > since && now_wall_ns - since >= retry_window_ns) {
        ad_err_msg(why, whycap, "deliveries failing for %.1f s",
                   (double)(now_wall_ns - since) / 1e9);
        return false;
    }
    ad_err_msg(why, whycap, "ready");
    return true;
}

bool ad_metrics_alive(const ad_metrics *m, uint64_t now_mono_ns, uint64_t limit_ns)
{
    uint64_t t = ad_atomic_load_relaxed(&m->loop_mono_ns);
    return t == 0 || now_mono_ns < t || now_mono_ns - t <= limit_ns;
}

/* ---- rendering --------------------------------------------------------------------------- */

/*
 * Samples are collected first and written grouped by family, so HELP and TYPE appear once
 * and each family's samples stay together whatever order they were added in (the text
 * format requires both).
 */
typedef struct sample {
    char family[80];
    const char *type;
    const char *help;
    char labels[192]; /* inside the braces, without them */
    bool integer;
    uint64_t u;
    double d;
} sample;

#define MAX_SAMPLES (320 + AD_CONFIG_MAX_FILTER_RULES)

typedef struct collector {
    sample *s;
    size_t n;
} collector;

static sample *add(collector *c, const char *family, const char *type, const char *help)
{
    if (c->n >= MAX_SAMPLES)
        return NULL; /* cannot happen with today's counters; never write past the table */
    sample *s = &c->s[c->n++];
    memset(s, 0, sizeof(*s));
    snprintf(s->family, sizeof(s->family), "%s", family);
    s->type = type;
    s->help = help;
    return s;
}

/* Appends label="value" (escaped as the format requires) to s->labels. */
static void label(sample *s, const char *name, const char *value)
{
    size_t len = strlen(s->labels);
    char buf[160];
    size_t j = 0;
    for (const char *p = value; *p != '\0' && j + 2 < sizeof(buf); p++) {
        if (*p == '\\' || *p == '"') {
            buf[j++] = '\\';
            buf[j++] = *p;
        } else if (*p == '\n') {
            buf[j++] = '\\';
            buf[j++] = 'n';
        } else {
            buf[j++] = *p;
        }
    }
    buf[j] = '\0';
    snprintf(s->labels + len, sizeof(s->labels) - len, "%s%s=\"%s\"", len ? "," : "", name, buf);
}

static sample *gauge(collector *c, const char *family, const char *help, const char *component,
                     double v)
{
    sample *s = add(c, family, "gauge", help);
    if (s == NULL)
        return NULL;
    label(s, "component", component);
    s->d = v;
    return s;
}

/* Counters that have a family of their own (a label distinguishes the slots sharing one). */
typedef struct named {
    unsigned idx;
    const char *family;
    const char *label_name; /* NULL = no extra label */
    const char *label_value;
    const char *help;
} named;

static const named capture_named[] = {
    {AD_CAP_EVENTS_IN, "asimdns_events_in_total", NULL, NULL,
     "Events the capture source delivered (before decoding)."},
    {AD_CAP_RECORDS_WRITTEN, "asimdns_records_written_total", NULL, NULL,
     "Records written to the ring."},
    {AD_CAP_DROPPED_RING_FULL, "asimdns_records_dropped_total", "reason", "ring_full",
     "Records dropped by capture, by reason."},
    {AD_CAP_DROPPED_TOO_LARGE, "asimdns_records_dropped_total", "reason", "too_large",
     "Records dropped by capture, by reason."},
    {AD_CAP_DECODE_ERRORS, "asimdns_decode_errors_total", NULL, NULL,
     "Events that failed to decode (by event id: asimdns_decode_errors_by_event_total)."},
    {AD_CAP_ETW_EVENTS_LOST, "asimdns_etw_events_lost_total", NULL, NULL,
     "ETW EventsLost of the capture session."},
    {AD_CAP_ETW_REALTIME_BUFFERS_LOST, "asimdns_etw_realtime_buffers_lost_total", NULL, NULL,
     "ETW RealTimeBuffersLost of the capture session."},
    {AD_CAP_ETW_LOG_BUFFERS_LOST, "asimdns_etw_log_buffers_lost_total", NULL, NULL,
     "ETW LogBuffersLost of the capture session."},
};

static const named exporter_named[] = {
    {AD_EXP_RECORDS_READ, "asimdns_records_read_total", NULL, NULL,
     "Records the exporter read from the ring."},
    {AD_EXP_RECORDS_EXPORTED, "asimdns_records_exported_total", NULL, NULL,
     "Records the receiver acknowledged."},
    {AD_EXP_BATCHES_OK, "asimdns_batches_total", "result", "ok", "Batches by final result."},
    {AD_EXP_BATCHES_FAILED, "asimdns_batches_total", "result", "failed",
     "Batches by final result."},
    {AD_EXP_BATCHES_RETRIED, "asimdns_batch_retries_total", NULL, NULL,
     "Send attempts that failed and were retried."},
    {AD_EXP_RECORDS_REJECTED, "asimdns_records_rejected_total", NULL, NULL,
     "Records the receiver rejected or the exporter gave up on."},
    {AD_EXP_SEQUENCE_GAPS, "asimdns_sequence_gaps_total", NULL, NULL,
     "Sequence numbers missing between records read (equals capture drops)."},
};

static const named *find_named(const named *t, size_t n, unsigned idx)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].idx == idx)
            return &t[i];
    }
    return NULL;
}

/* Every slot of one side: the named ones as above, the rest as asimdns_<name>_total. */
static void side_counters(collector *c, const char *component, const uint64_t *vals, unsigned count,
                          const char *(*name)(unsigned), const named *t, size_t tn)
{
    for (unsigned i = 0; i < count; i++) {
        const named *nm = find_named(t, tn, i);
        char family[80];
        const char *help = "Counter of the same name in `asimdns status`.";
        if (nm != NULL) {
            snprintf(family, sizeof(family), "%s", nm->family);
            help = nm->help;
        } else {
            snprintf(family, sizeof(family), "asimdns_%s_total", name(i));
        }
        sample *s = add(c, family, "counter", help);
        if (s == NULL)
            return;
        label(s, "component", component);
        if (nm != NULL && nm->label_name != NULL)
            label(s, nm->label_name, nm->label_value);
        s->integer = true;
        s->u = vals[i];
    }
}

/* The disk spool (docs/SPOOL.md), when the exporter has one. */
static void spool_samples(collector *c, const ad_ring_status *st)
{
    const ad_ring_spool_gauges *g = &st->spool;
    if (g->state == AD_RING_SPOOL_OFF)
        return;
    gauge(c, "asimdns_spool_degraded",
          "1 while disk errors keep the spool out (records go from the ring to the receiver).",
          "exporter", g->state == AD_RING_SPOOL_DEGRADED ? 1 : 0);
    gauge(c, "asimdns_spool_bytes", "Bytes of the spool's files.", "exporter", (double)g->bytes);
    gauge(c, "asimdns_spool_records", "Records in the spool not yet acknowledged.", "exporter",
          (double)g->records);
    gauge(c, "asimdns_spool_segments", "Segment files of the spool.", "exporter",
          (double)g->segments);
    gauge(c, "asimdns_spool_oldest_age_seconds",
          "Age of the oldest spool segment holding unacknowledged records (0: none).", "exporter",
          g->oldest_ns != 0 ? (double)ad_ring_status_age_ns(st, g->oldest_ns) / 1e9 : 0);
}

static void ring_samples(collector *c, const ad_ring_status *st)
{
    char why[256];
    sample *s;
    gauge(c, "asimdns_up", "1 when the service is attached and its process exists.", "capture",
          st->capture_pid != 0 && st->capture_alive ? 1 : 0);
    if (st->cursor_ok)
        gauge(c, "asimdns_up", "1 when the service is attached and its process exists.", "exporter",
              st->exporter_pid != 0 && st->exporter_alive ? 1 : 0);
    for (int k = AD_RING_CAPTURE; k <= AD_RING_EXPORTER; k++) {
        ad_ring_health h = ad_ring_status_check(st, (ad_ring_component)k, why, sizeof(why));
        gauge(c, "asimdns_health",
              "Verdict of `asimdns status --check`: 0 healthy, 1 degraded, 2 down.",
              ad_ring_component_name((ad_ring_component)k), (double)h);
    }
    if (st->capture_heartbeat_ns != 0)
        gauge(c, "asimdns_heartbeat_age_seconds", "Age of the service's ring heartbeat.", "capture",
              (double)ad_ring_status_age_ns(st, st->capture_heartbeat_ns) / 1e9);
    if (st->cursor_ok && st->exporter_heartbeat_ns != 0)
        gauge(c, "asimdns_heartbeat_age_seconds", "Age of the service's ring heartbeat.",
              "exporter", (double)ad_ring_status_age_ns(st, st->exporter_heartbeat_ns) / 1e9);
    gauge(c, "asimdns_ring_capacity_bytes", "Size of the ring's record area.", "capture",
          (double)st->capacity);
    if (st->cursor_ok && st->cursor_valid)
        gauge(c, "asimdns_ring_used_bytes", "Ring bytes written and not yet released.", "capture",
              (double)st->used_bytes);
    side_counters(c, "capture", st->capture_counters, AD_CAP__COUNT, ad_capture_counter_name,
                  capture_named, AD_ARRAY_LEN(capture_named));
    for (size_t i = 0; i < st->decode_error_count; i++) {
        const ad_ring_decode_count *d = &st->decode_errors[i];
        char id[16], ver[16];
        s = add(c, "asimdns_decode_errors_by_event_total", "counter",
                "Decode errors by ETW event id and version (\"other\": table overflow).");
        if (s == NULL)
            break;
        label(s, "component", "capture");
        if (d->other) {
            label(s, "event_id", "other");
            label(s, "version", "");
        } else {
            snprintf(id, sizeof(id), "%u", d->event_id);
            snprintf(ver, sizeof(ver), "%u", d->version);
            label(s, "event_id", id);
            label(s, "version", ver);
        }
        s->integer = true;
        s->u = d->count;
    }
    if (!st->cursor_ok)
        return;
    side_counters(c, "exporter", st->exporter_counters, AD_EXP__COUNT, ad_exporter_counter_name,
                  exporter_named, AD_ARRAY_LEN(exporter_named));
    gauge(c, "asimdns_delivery_failing",
          "1 while the last delivery attempt failed and none succeeded since.", "exporter",
          st->failing_since_ns != 0 ? 1 : 0);
    if (st->last_ok_ns != 0)
        gauge(c, "asimdns_last_delivery_timestamp_seconds",
              "Unix time of the last acknowledged batch.", "exporter",
              (double)st->last_ok_ns / 1e9);
    spool_samples(c, st);
}

static void proc_samples(collector *c, const ad_procstat *ps, const char *component)
{
    if (ps == NULL)
        return;
    gauge(c, "asimdns_process_resident_memory_bytes", "Resident memory (Windows: working set).",
          component, (double)ps->rss_bytes);
    sample *s = add(c, "asimdns_process_cpu_seconds_total", "counter",
                    "User and system CPU time of the process.");
    if (s == NULL)
        return;
    label(s, "component", component);
    s->d = ps->cpu_seconds;
}

static void put_value(ad_strbuf *sb, const sample *s)
{
    if (s->integer)
        ad_strbuf_u64(sb, s->u);
    else if (s->d >= 1e6 || s->d <= -1e6)
        ad_strbuf_printf(sb, "%.3f", s->d); /* timestamps, byte counts: keep every digit */
    else
        ad_strbuf_printf(sb, "%.9g", s->d);
}

static void put_help(ad_strbuf *sb, const char *family, const char *type, const char *help)
{
    ad_strbuf_printf(sb, "# HELP %s ", family);
    for (const char *p = help; *p != '\0'; p++) {
        if (*p == '\\')
            ad_strbuf_puts(sb, "\\\\");
        else if (*p == '\n')
            ad_strbuf_puts(sb, "\\n");
        else
            ad_strbuf_putc(sb, *p);
    }
    ad_strbuf_printf(sb, "\n# TYPE %s %s\n", family, type);
}

static void histogram(ad_strbuf *sb, const ad_metrics *m)
{
    const char *f = "asimdns_delivery_latency_seconds";
    uint64_t cum = 0;
    put_help(sb, f, "histogram", "Time from a batch's first send attempt to its acknowledgement.");
    for (unsigned i = 0; i <= AD_METRICS_LATENCY_BUCKETS; i++) {
        cum += ad_atomic_load_relaxed(&m->latency_bucket[i]);
        if (i < AD_METRICS_LATENCY_BUCKETS)
            ad_strbuf_printf(sb, "%s_bucket{component=\"exporter\",le=\"%g\"} ", f,
                             ad_metrics_latency_bounds[i]);
        else
            ad_strbuf_printf(sb, "%s_bucket{component=\"exporter\",le=\"+Inf\"} ", f);
        ad_strbuf_u64(sb, cum);
        ad_strbuf_putc(sb, '\n');
    }
    /* _count equals the +Inf bucket by definition; use the bucket sum, not the separately
       updated count, so a scrape between the two adds stays consistent. */
    ad_strbuf_printf(sb, "%s_sum{component=\"exporter\"} %.9g\n", f,
                     (double)ad_atomic_load_relaxed(&m->latency_sum_ns) / 1e9);
    ad_strbuf_printf(sb, "%s_count{component=\"exporter\"} ", f);
    ad_strbuf_u64(sb, cum);
    ad_strbuf_putc(sb, '\n');
}

/* One sample per filter rule, also for rules that never matched (a rule that never fires is
   visible as 0). */
static void filter_samples(collector *c, const ad_metrics *m)
{
    const ad_config_filters *f = m->filters;
    for (uint32_t i = 0; f != NULL && i < f->rule_count; i++) {
        sample *s = add(c, "asimdns_filter_rule_matches_total", "counter",
                        "Records a filter rule decided (the first matching rule), by rule; "
                        "action drop: records filtered out, keep: records kept.");
        if (s == NULL)
            return;
        label(s, "component", "exporter");
        label(s, "rule", f->rules[i].name);
        label(s, "action", f->rules[i].keep ? "keep" : "drop");
        s->integer = true;
        s->u = ad_atomic_load_relaxed(&m->filter_hits[i]);
    }
}

void ad_metrics_render(const ad_metrics_view *v, ad_strbuf *sb)
{
    collector c = {calloc(MAX_SAMPLES, sizeof(sample)), 0};
    if (c.s == NULL) {
        ad_strbuf_puts(sb, "# out of memory\n");
        return;
    }
    sample *s = gauge(&c, "asimdns_build_info", "Version of the exporter serving these metrics.",
                      "exporter", 1);
    if (s != NULL)
        label(s, "version", v->version != NULL ? v->version : "unknown");
    s = gauge(&c, "asimdns_ring_readable", "1 when the ring header could be read for this scrape.",
              "exporter", v->ring != NULL ? 1 : 0);
    if (s != NULL && v->ring_name != NULL)
        label(s, "ring", v->ring_name);
    if (v->ring != NULL)
        ring_samples(&c, v->ring);
    if (v->m != NULL)
        gauge(&c, "asimdns_attached", "1 while the exporter is attached to the ring.", "exporter",
              ad_atomic_load_relaxed(&v->m->attached) != 0 ? 1 : 0);
    proc_samples(&c, v->self, "exporter");
    proc_samples(&c, v->peer, "capture");
    if (v->m != NULL)
        filter_samples(&c, v->m);

    /* Families in order of first appearance, each with all of its samples. */
    bool *done = calloc(c.n ? c.n : 1, sizeof(bool));
    if (done == NULL) {
        free(c.s);
        ad_strbuf_puts(sb, "# out of memory\n");
        return;
    }
    for (size_t i = 0; i < c.n; i++) {
        if (done[i])
            continue;
        put_help(sb, c.s[i].family, c.s[i].type, c.s[i].help);
        for (size_t j = i; j < c.n; j++) {
            if (done[j] || strcmp(c.s[j].family, c.s[i].family) != 0)
                continue;
            done[j] = true;
            ad_strbuf_printf(sb, "%s{%s} ", c.s[j].family, c.s[j].labels);
            put_value(sb, &c.s[j]);
            ad_strbuf_putc(sb, '\n');
        }
    }
    if (v->m != NULL)
        histogram(sb, v->m);
    free(done);
    free(c.s);
}

/*
 * asimdns: `asimdns status` output: a human table and one JSON object from a ring snapshot
 * and its health verdicts.
 */
#include "cli/status_render.h"

#include <stdio.h>
#include <string.h>

#include "common/timeutil.h"
#include "health/ring_health.h"

static void text_time(ad_strbuf *sb, uint64_t ns)
{
    char buf[AD_RFC3339_MAX];
    if (ns == 0 || ad_time_format_rfc3339(ns, buf, sizeof(buf)) == 0) {
        ad_strbuf_puts(sb, "-");
        return;
    }
    ad_strbuf_puts(sb, buf);
}

/* The exporter's disk spool: what it holds and the age of its oldest segment. */
static void text_spool(ad_strbuf *sb, const ad_ring_status *st)
{
    const ad_ring_spool_gauges *g = &st->spool;
    if (g->state == AD_RING_SPOOL_OFF)
        return;
    ad_strbuf_printf(sb, "  %-18s%llu records, %llu bytes in %llu segments", "spool",
                     (unsigned long long)g->records, (unsigned long long)g->bytes,
                     (unsigned long long)g->segments);
    if (g->oldest_ns != 0)
        ad_strbuf_printf(sb, ", oldest %.1f s",
                         (double)ad_ring_status_age_ns(st, g->oldest_ns) / 1e9);
    ad_strbuf_puts(sb, g->state == AD_RING_SPOOL_DEGRADED
                           ? ", DEGRADED (disk errors: delivering from the ring)\n"
                           : "\n");
}

static void text_side(ad_strbuf *sb, const ad_ring_status *st, const char *label, uint64_t pid,
                      uint64_t hb, uint64_t start, uint64_t attaches)
{
    ad_strbuf_printf(sb, "  %-18s", label);
    if (pid != 0) {
        ad_strbuf_printf(sb, "pid %llu", (unsigned long long)pid);
    } else {
        ad_strbuf_puts(sb, "not attached");
    }
    if (hb != 0) {
        ad_strbuf_printf(sb, ", heartbeat %.1f s ago", (double)ad_ring_status_age_ns(st, hb) / 1e9);
    } else {
        ad_strbuf_puts(sb, ", no heartbeat");
    }
    ad_strbuf_puts(sb, ", attached ");
    text_time(sb, start);
    ad_strbuf_printf(sb, " (%llu attaches)\n", (unsigned long long)attaches);
}

void ad_ring_status_format_text(const ad_ring_status *st, ad_strbuf *sb)
{
    char why[256];
    ad_ring_health h = ad_ring_status_health(st, why, sizeof(why));

    ad_strbuf_printf(sb, "ring %s (layout %u, generation %016llx, created ", st->name,
                     st->layout_version, (unsigned long long)st->generation);
    text_time(sb, st->created_ns);
    ad_strbuf_puts(sb, ")\n");
    ad_strbuf_printf(sb, "  %-18s%s: %s\n", "health", ad_ring_health_name(h), why);
    for (int c = AD_RING_CAPTURE; c <= AD_RING_EXPORTER; c++) {
        char cwhy[256];
        ad_ring_health ch = ad_ring_status_check(st, (ad_ring_component)c, cwhy, sizeof(cwhy));
        ad_strbuf_printf(sb, "  check %-12s%s: %s\n", ad_ring_component_name((ad_ring_component)c),
                         ad_ring_health_name(ch), cwhy);
    }
    ad_strbuf_printf(sb, "  %-18s%llu bytes (%.1f MiB), max record %u bytes\n", "capacity",
                     (unsigned long long)st->capacity, (double)st->capacity / 1048576.0,
                     st->max_payload);
    if (st->cursor_ok && st->cursor_valid) {
        ad_strbuf_printf(sb, "  %-18s%llu bytes (%.1f %%)\n", "used",
                         (unsigned long long)st->used_bytes,
                         100.0 * (double)st->used_bytes / (double)st->capacity);
    } else {
        ad_strbuf_printf(sb, "  %-18sunknown\n", "used");
    }
    ad_strbuf_printf(sb, "  %-18s%llu (next sequence %llu)\n", "producer position",
                     (unsigned long long)st->producer_pos, (unsigned long long)st->next_seq);
    if (st->cursor_ok) {
        ad_strbuf_printf(sb, "  %-18s%llu (committed sequence %llu, read position %llu)%s\n",
                         "consumer position", (unsigned long long)st->consumer_pos,
                         (unsigned long long)st->committed_seq, (unsigned long long)st->read_pos,
                         st->cursor_valid ? "" : " IMPOSSIBLE");
    } else {
        ad_strbuf_printf(sb, "  %-18sunavailable: %s\n", "consumer position", st->cursor_error);
    }
    text_side(sb, st, "capture", st->capture_pid, st->capture_heartbeat_ns, st->capture_start_ns,
              st->capture_attaches);
    if (st->cursor_ok) {
        text_side(sb, st, "exporter", st->exporter_pid, st->exporter_heartbeat_ns,
                  st->exporter_start_ns, st->exporter_attaches);
        ad_strbuf_printf(sb, "  %-18slast acknowledged ", "delivery");
        text_time(sb, st->last_ok_ns);
        if (st->failing_since_ns != 0) {
            ad_strbuf_printf(sb, ", FAILING since ");
            text_time(sb, st->failing_since_ns);
            ad_strbuf_printf(sb, " (%llu attempts)", (unsigned long long)st->delivery_failures);
        }
        ad_strbuf_putc(sb, '\n');
        text_spool(sb, st);
    }
    if (st->exporter_counters_untrusted != 0) {
        ad_strbuf_printf(sb,
                         "  %-18s%u exporter counter(s) in the cursor object are not plausible; "
                         "shown at their last sealed value\n",
                         "counters", st->exporter_counters_untrusted);
    }
    if (st->interval_valid) {
        ad_strbuf_printf(sb, "  %-18s%.1f s:", "last interval",
                         (double)(st->capture_heartbeat_ns - st->capture_prev_heartbeat_ns) / 1e9);
        for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
            if (st->interval_delta[i] != 0) {
                ad_strbuf_printf(sb, " %s +%llu", ad_capture_counter_name(i),
                                 (unsigned long long)st->interval_delta[i]);
            }
        }
        ad_strbuf_putc(sb, '\n');
    }
    ad_strbuf_puts(sb, "capture counters\n");
    for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
        ad_strbuf_printf(sb, "  %-28s%20llu\n", ad_capture_counter_name(i),
                         (unsigned long long)st->capture_counters[i]);
    }
    ad_strbuf_puts(sb, "decode errors by event id / version\n");
    if (st->decode_error_count == 0) {
        ad_strbuf_puts(sb, "  none\n");
    }
    for (size_t i = 0; i < st->decode_error_count; i++) {
        const ad_ring_decode_count *d = &st->decode_errors[i];
        char key[32];
        if (d->other) {
            snprintf(key, sizeof(key), "other");
        } else {
            snprintf(key, sizeof(key), "%u v%u", d->event_id, d->version);
        }
        ad_strbuf_printf(sb, "  %-28s%20llu\n", key, (unsigned long long)d->count);
    }
    if (st->cursor_ok) {
        ad_strbuf_puts(sb, "exporter counters\n");
        for (unsigned i = 0; i < AD_EXP__COUNT; i++) {
            ad_strbuf_printf(sb, "  %-28s%20llu\n", ad_exporter_counter_name(i),
                             (unsigned long long)st->exporter_counters[i]);
        }
    }
}

/* ---- JSON ------------------------------------------------------------------------------- */

static void json_key(ad_strbuf *sb, const char *key)
{
    ad_strbuf_json_string(sb, key, strlen(key));
    ad_strbuf_putc(sb, ':');
}

static void json_u64(ad_strbuf *sb, const char *key, uint64_t v)
{
    json_key(sb, key);
    ad_strbuf_u64(sb, v);
    ad_strbuf_putc(sb, ',');
}

static void json_age(ad_strbuf *sb, const ad_ring_status *st, const char *key, uint64_t hb)
{
    json_key(sb, key);
    if (hb == 0) {
        ad_strbuf_puts(sb, "null");
    } else {
        ad_strbuf_u64(sb, ad_ring_status_age_ns(st, hb));
    }
    ad_strbuf_putc(sb, ',');
}

static void json_counters(ad_strbuf *sb, const uint64_t *vals, unsigned n,
                          const char *(*name)(unsigned))
{
    json_key(sb, "counters");
    ad_strbuf_putc(sb, '{');
    for (unsigned i = 0; i < n; i++) {
        if (i != 0) {
            ad_strbuf_putc(sb, ',');
        }
        json_key(sb, name(i));
        ad_strbuf_u64(sb, vals[i]);
    }
    ad_strbuf_putc(sb, '}');
}

void ad_ring_status_format_json(const ad_ring_status *st, ad_strbuf *sb)
{
    char why[256];
    char gen[24];
    ad_ring_health h = ad_ring_status_health(st, why, sizeof(why));

    snprintf(gen, sizeof(gen), "%016llx", (unsigned long long)st->generation);
    ad_strbuf_putc(sb, '{');
    json_key(sb, "ring");
    ad_strbuf_json_string(sb, st->name, strlen(st->name));
    ad_strbuf_putc(sb, ',');
    json_key(sb, "health");
    ad_strbuf_json_string(sb, ad_ring_health_name(h), strlen(ad_ring_health_name(h)));
    ad_strbuf_putc(sb, ',');
    json_key(sb, "health_reason");
    ad_strbuf_json_string(sb, why, strlen(why));
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "health_code", (uint64_t)h);
    json_key(sb, "checks");
    ad_strbuf_putc(sb, '{');
    for (int c = AD_RING_CAPTURE; c <= AD_RING_EXPORTER; c++) {
        char cwhy[256];
        ad_ring_health ch = ad_ring_status_check(st, (ad_ring_component)c, cwhy, sizeof(cwhy));
        const char *cn = ad_ring_component_name((ad_ring_component)c);
        if (c != AD_RING_CAPTURE) {
            ad_strbuf_putc(sb, ',');
        }
        json_key(sb, cn);
        ad_strbuf_putc(sb, '{');
        json_u64(sb, "code", (uint64_t)ch);
        json_key(sb, "health");
        ad_strbuf_json_string(sb, ad_ring_health_name(ch), strlen(ad_ring_health_name(ch)));
        ad_strbuf_putc(sb, ',');
        json_key(sb, "reason");
        ad_strbuf_json_string(sb, cwhy, strlen(cwhy));
        ad_strbuf_putc(sb, '}');
    }
    ad_strbuf_puts(sb, "},");
    json_u64(sb, "layout_version", st->layout_version);
    json_key(sb, "generation");
    ad_strbuf_json_string(sb, gen, strlen(gen));
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "created_ns", st->created_ns);
    json_u64(sb, "taken_ns", st->taken_ns);
    json_u64(sb, "capacity", st->capacity);
    json_u64(sb, "max_payload", st->max_payload);
    json_key(sb, "used_bytes");
    if (st->cursor_ok && st->cursor_valid) {
        ad_strbuf_u64(sb, st->used_bytes);
    } else {
        ad_strbuf_puts(sb, "null");
    }
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "producer_pos", st->producer_pos);
    json_u64(sb, "next_seq", st->next_seq);
    json_key(sb, "consistent");
    ad_strbuf_puts(sb, st->consistent ? "true," : "false,");

    json_key(sb, "capture");
    ad_strbuf_putc(sb, '{');
    json_u64(sb, "pid", st->capture_pid);
    json_u64(sb, "start_ns", st->capture_start_ns);
    json_u64(sb, "heartbeat_ns", st->capture_heartbeat_ns);
    json_age(sb, st, "heartbeat_age_ns", st->capture_heartbeat_ns);
    json_u64(sb, "attaches", st->capture_attaches);
    json_u64(sb, "heartbeat_period_ns", ad_ring_status_capture_period_ns(st));
    json_counters(sb, st->capture_counters, AD_CAP__COUNT, ad_capture_counter_name);
    ad_strbuf_putc(sb, ',');
    json_key(sb, "decode_errors");
    ad_strbuf_putc(sb, '[');
    for (size_t i = 0; i < st->decode_error_count; i++) {
        const ad_ring_decode_count *d = &st->decode_errors[i];
        if (i != 0) {
            ad_strbuf_putc(sb, ',');
        }
        if (d->other) {
            ad_strbuf_printf(sb, "{\"other\":true,\"count\":%llu}", (unsigned long long)d->count);
        } else {
            ad_strbuf_printf(sb, "{\"event_id\":%u,\"version\":%u,\"count\":%llu}", d->event_id,
                             d->version, (unsigned long long)d->count);
        }
    }
    ad_strbuf_puts(sb, "],");
    /* Keys end in _increase so scripts grepping "name": for a counter never hit these. */
    json_key(sb, "last_interval");
    if (st->interval_valid) {
        ad_strbuf_putc(sb, '{');
        json_u64(sb, "ns", st->capture_heartbeat_ns - st->capture_prev_heartbeat_ns);
        for (unsigned i = 0; i < AD_CAP__COUNT; i++) {
            char key[64];
            snprintf(key, sizeof(key), "%s_increase", ad_capture_counter_name(i));
            json_key(sb, key);
            ad_strbuf_u64(sb, st->interval_delta[i]);
            ad_strbuf_putc(sb, i + 1 < AD_CAP__COUNT ? ',' : '}');
        }
    } else {
        ad_strbuf_puts(sb, "null");
    }
    ad_strbuf_puts(sb, "},");

    json_key(sb, "exporter");
    ad_strbuf_putc(sb, '{');
    json_key(sb, "present");
    ad_strbuf_puts(sb, st->cursor_ok ? "true" : "false");
    if (!st->cursor_ok) {
        ad_strbuf_putc(sb, ',');
        json_key(sb, "error");
        ad_strbuf_json_string(sb, st->cursor_error, strlen(st->cursor_error));
        ad_strbuf_puts(sb, "}}");
        return;
    }
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "pid", st->exporter_pid);
    json_u64(sb, "start_ns", st->exporter_start_ns);
    json_u64(sb, "heartbeat_ns", st->exporter_heartbeat_ns);
    json_age(sb, st, "heartbeat_age_ns", st->exporter_heartbeat_ns);
    json_u64(sb, "attaches", st->exporter_attaches);
    json_u64(sb, "counters_untrusted", st->exporter_counters_untrusted);
    json_u64(sb, "heartbeat_period_ns", ad_ring_status_exporter_period_ns(st));
    json_u64(sb, "last_ok_ns", st->last_ok_ns);
    json_u64(sb, "failing_since_ns", st->failing_since_ns);
    json_u64(sb, "delivery_failures", st->delivery_failures);
    json_u64(sb, "consumer_pos", st->consumer_pos);
    json_u64(sb, "read_pos", st->read_pos);
    json_u64(sb, "committed_seq", st->committed_seq);
    json_key(sb, "generation_seen");
    snprintf(gen, sizeof(gen), "%016llx", (unsigned long long)st->generation_seen);
    ad_strbuf_json_string(sb, gen, strlen(gen));
    ad_strbuf_putc(sb, ',');
    json_key(sb, "cursor_valid");
    ad_strbuf_puts(sb, st->cursor_valid ? "true," : "false,");
    json_key(sb, "spool");
    ad_strbuf_putc(sb, '{');
    json_key(sb, "state");
    static const char *const spool_states[] = {"off", "on", "degraded"};
    const char *ss = st->spool.state < 3 ? spool_states[st->spool.state] : "unknown";
    ad_strbuf_json_string(sb, ss, strlen(ss));
    ad_strbuf_putc(sb, ',');
    json_u64(sb, "bytes", st->spool.bytes);
    json_u64(sb, "records", st->spool.records);
    json_u64(sb, "segments", st->spool.segments);
    json_u64(sb, "oldest_ns", st->spool.oldest_ns);
    json_key(sb, "oldest_age_ns");
    if (st->spool.oldest_ns == 0)
        ad_strbuf_puts(sb, "null},");
    else
        ad_strbuf_printf(sb, "%llu},",
                         (unsigned long long)ad_ring_status_age_ns(st, st->spool.oldest_ns));
    json_counters(sb, st->exporter_counters, AD_EXP__COUNT, ad_exporter_counter_name);
    ad_strbuf_puts(sb, "}}");
}

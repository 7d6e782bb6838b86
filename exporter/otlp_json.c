/* asimdns-exporter: OTLP/JSON writer (facts/otlp-logs.md §2.2; JSON keys from §1.1-§1.4). */
#include "exporter/otlp_json.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON object under construction: tracks whether a comma is due. */
typedef struct jobj {
    ad_strbuf *sb;
    bool any;
} jobj;

static void key(jobj *o, const char *k)
{
    if (o->any)
        ad_strbuf_putc(o->sb, ',');
    o->any = true;
    ad_strbuf_putc(o->sb, '"');
    ad_strbuf_puts(o->sb, k);
    ad_strbuf_puts(o->sb, "\":");
}

static void str_field(jobj *o, const char *k, const char *v)
{
    if (!v || !v[0])
        return;
    key(o, k);
    ad_strbuf_json_string(o->sb, v, strlen(v));
}

/* A 64-bit integer as a decimal string (facts §2.2). */
static void u64_str_field(jobj *o, const char *k, uint64_t v)
{
    if (v == 0)
        return;
    key(o, k);
    ad_strbuf_putc(o->sb, '"');
    ad_strbuf_u64(o->sb, v);
    ad_strbuf_putc(o->sb, '"');
}

/* 32-bit integers and enums are JSON numbers (facts §2.2). */
static void u32_num_field(jobj *o, const char *k, uint32_t v)
{
    if (v == 0)
        return;
    key(o, k);
    ad_strbuf_u64(o->sb, v);
}

static void hex_field(jobj *o, const char *k, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    if (n == 0)
        return;
    key(o, k);
    ad_strbuf_putc(o->sb, '"');
    for (size_t i = 0; i < n; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        ad_strbuf_append(o->sb, two, 2);
    }
    ad_strbuf_putc(o->sb, '"');
}

/* Standard padded base64 (RFC 4648 §4), the protobuf JSON form of bytes. */
static void base64(ad_strbuf *sb, const uint8_t *p, size_t n)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    ad_strbuf_putc(sb, '"');
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], tbl[v & 63]};
        ad_strbuf_append(sb, q, 4);
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        char q[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], '=', '='};
        ad_strbuf_append(sb, q, 4);
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        char q[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], '='};
        ad_strbuf_append(sb, q, 4);
    }
    ad_strbuf_putc(sb, '"');
}

/* The shortest %g text that reads back as d; NaN and infinities as strings (facts §2.2). */
static void json_double(ad_strbuf *sb, double d)
{
    if (isnan(d)) {
        ad_strbuf_puts(sb, "\"NaN\"");
        return;
    }
    if (isinf(d)) {
        ad_strbuf_puts(sb, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
        return;
    }
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*g", prec, d);
        if (prec == 17 || strtod(buf, NULL) == d)
            break;
    }
    /* "%g" never gives a form JSON rejects for finite values, but guard a locale comma. */
    for (char *c = buf; *c; c++) {
        if (*c == ',')
            *c = '.';
    }
    ad_strbuf_puts(sb, buf);
}

static ad_err write_anyvalue(ad_strbuf *sb, const ad_otlp_anyvalue_msg *v, int depth);

static ad_err write_kv(ad_strbuf *sb, const ad_otlp_keyvalue_msg *kv, int depth)
{
    jobj o = {sb, false};
    ad_strbuf_putc(sb, '{');
    key(&o, "key");
    const char *k = kv->key ? kv->key : "";
    ad_strbuf_json_string(sb, k, strlen(k));
    if (kv->value) {
        key(&o, "value");
        ad_err err = write_anyvalue(sb, kv->value, depth + 1);
        if (err != AD_OK)
            return err;
    }
    if (kv->key_strindex != 0) {
        key(&o, "keyStrindex");
        ad_strbuf_i64(sb, kv->key_strindex);
    }
    ad_strbuf_putc(sb, '}');
    return AD_OK;
}

static ad_err write_kv_array(jobj *o, const char *k, ad_otlp_keyvalue_msg *const *kvs, size_t n,
                             int depth)
{
    if (n == 0)
        return AD_OK;
    key(o, k);
    ad_strbuf_putc(o->sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            ad_strbuf_putc(o->sb, ',');
        ad_err err = write_kv(o->sb, kvs[i], depth);
        if (err != AD_OK)
            return err;
    }
    ad_strbuf_putc(o->sb, ']');
    return AD_OK;
}

/* AnyValue (facts §1.3): one oneof key, written even when its value is the default. */
static ad_err write_anyvalue(ad_strbuf *sb, const ad_otlp_anyvalue_msg *v, int depth)
{
    if (depth > AD_OTLP_MAX_NESTING)
        return AD_ERANGE;
    jobj o = {sb, false};
    ad_err err = AD_OK;
    ad_strbuf_putc(sb, '{');
    switch (v->value_case) {
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE: {
        const char *s = v->string_value ? v->string_value : "";
        key(&o, "stringValue");
        ad_strbuf_json_string(sb, s, strlen(s));
        break;
    }
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
        key(&o, "boolValue");
        ad_strbuf_puts(sb, v->bool_value ? "true" : "false");
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
        key(&o, "intValue");
        ad_strbuf_putc(sb, '"');
        ad_strbuf_i64(sb, v->int_value);
        ad_strbuf_putc(sb, '"');
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
        key(&o, "doubleValue");
        json_double(sb, v->double_value);
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE: {
        key(&o, "arrayValue");
        ad_strbuf_putc(sb, '{');
        const Opentelemetry__Proto__Common__V1__ArrayValue *a = v->array_value;
        if (a && a->n_values > 0) {
            ad_strbuf_puts(sb, "\"values\":[");
            for (size_t i = 0; i < a->n_values && err == AD_OK; i++) {
                if (i)
                    ad_strbuf_putc(sb, ',');
                err = write_anyvalue(sb, a->values[i], depth + 1);
            }
            ad_strbuf_putc(sb, ']');
        }
        ad_strbuf_putc(sb, '}');
        break;
    }
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE: {
        key(&o, "kvlistValue");
        ad_strbuf_putc(sb, '{');
        const Opentelemetry__Proto__Common__V1__KeyValueList *l = v->kvlist_value;
        if (l) {
            jobj lo = {sb, false};
            err = write_kv_array(&lo, "values", l->values, l->n_values, depth + 1);
        }
        ad_strbuf_putc(sb, '}');
        break;
    }
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE:
        key(&o, "bytesValue");
        base64(sb, v->bytes_value.data, v->bytes_value.len);
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE_STRINDEX:
        key(&o, "stringValueStrindex");
        ad_strbuf_i64(sb, v->string_value_strindex);
        break;
    default:
        break;
    }
    ad_strbuf_putc(sb, '}');
    return err;
}

static ad_err write_record(ad_strbuf *sb, const ad_otlp_logrecord_msg *lr)
{
    jobj o = {sb, false};
    ad_err err = AD_OK;
    ad_strbuf_putc(sb, '{');
    u64_str_field(&o, "timeUnixNano", lr->time_unix_nano);
    u64_str_field(&o, "observedTimeUnixNano", lr->observed_time_unix_nano);
    if (lr->severity_number != 0) {
        key(&o, "severityNumber");
        ad_strbuf_i64(sb, (int64_t)lr->severity_number);
    }
    str_field(&o, "severityText", lr->severity_text);
    if (lr->body) {
        key(&o, "body");
        err = write_anyvalue(sb, lr->body, 1);
    }
    if (err == AD_OK)
        err = write_kv_array(&o, "attributes", lr->attributes, lr->n_attributes, 0);
    u32_num_field(&o, "droppedAttributesCount", lr->dropped_attributes_count);
    u32_num_field(&o, "flags", lr->flags);
    hex_field(&o, "traceId", lr->trace_id.data, lr->trace_id.len);
    hex_field(&o, "spanId", lr->span_id.data, lr->span_id.len);
    str_field(&o, "eventName", lr->event_name);
    ad_strbuf_putc(sb, '}');
    return err;
}

static void write_string_array(jobj *o, const char *k, char *const *v, size_t n)
{
    if (n == 0)
        return;
    key(o, k);
    ad_strbuf_putc(o->sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            ad_strbuf_putc(o->sb, ',');
        const char *s = v[i] ? v[i] : "";
        ad_strbuf_json_string(o->sb, s, strlen(s));
    }
    ad_strbuf_putc(o->sb, ']');
}

static ad_err write_resource(ad_strbuf *sb, const Opentelemetry__Proto__Resource__V1__Resource *r)
{
    jobj o = {sb, false};
    ad_strbuf_putc(sb, '{');
    ad_err err = write_kv_array(&o, "attributes", r->attributes, r->n_attributes, 0);
    u32_num_field(&o, "droppedAttributesCount", r->dropped_attributes_count);
    if (r->n_entity_refs > 0) {
        key(&o, "entityRefs");
        ad_strbuf_putc(sb, '[');
        for (size_t i = 0; i < r->n_entity_refs; i++) {
            const Opentelemetry__Proto__Common__V1__EntityRef *e = r->entity_refs[i];
            jobj eo = {sb, false};
            if (i)
                ad_strbuf_putc(sb, ',');
            ad_strbuf_putc(sb, '{');
            str_field(&eo, "schemaUrl", e->schema_url);
            str_field(&eo, "type", e->type);
            write_string_array(&eo, "idKeys", e->id_keys, e->n_id_keys);
            write_string_array(&eo, "descriptionKeys", e->description_keys, e->n_description_keys);
            ad_strbuf_putc(sb, '}');
        }
        ad_strbuf_putc(sb, ']');
    }
    ad_strbuf_putc(sb, '}');
    return err;
}

static ad_err write_scope(ad_strbuf *sb,
                          const Opentelemetry__Proto__Common__V1__InstrumentationScope *s)
{
    jobj o = {sb, false};
    ad_strbuf_putc(sb, '{');
    str_field(&o, "name", s->name);
    str_field(&o, "version", s->version);
    ad_err err = write_kv_array(&o, "attributes", s->attributes, s->n_attributes, 0);
    u32_num_field(&o, "droppedAttributesCount", s->dropped_attributes_count);
    ad_strbuf_putc(sb, '}');
    return err;
}

ad_err ad_otlp_json_write(const ad_otlp_request_msg *req, ad_strbuf *sb)
{
    ad_err err = AD_OK;
    ad_strbuf_puts(sb, "{\"resourceLogs\":[");
    for (size_t r = 0; r < req->n_resource_logs && err == AD_OK; r++) {
        const Opentelemetry__Proto__Logs__V1__ResourceLogs *rl = req->resource_logs[r];
        jobj o = {sb, false};
        if (r)
            ad_strbuf_putc(sb, ',');
        ad_strbuf_putc(sb, '{');
        if (rl->resource) {
            key(&o, "resource");
            err = write_resource(sb, rl->resource);
        }
        key(&o, "scopeLogs");
        ad_strbuf_putc(sb, '[');
        for (size_t s = 0; s < rl->n_scope_logs && err == AD_OK; s++) {
            const Opentelemetry__Proto__Logs__V1__ScopeLogs *sl = rl->scope_logs[s];
            jobj so = {sb, false};
            if (s)
                ad_strbuf_putc(sb, ',');
            ad_strbuf_putc(sb, '{');
            if (sl->scope) {
                key(&so, "scope");
                err = write_scope(sb, sl->scope);
            }
            key(&so, "logRecords");
            ad_strbuf_putc(sb, '[');
            for (size_t i = 0; i < sl->n_log_records && err == AD_OK; i++) {
                if (i)
                    ad_strbuf_putc(sb, ',');
                err = write_record(sb, sl->log_records[i]);
            }
            ad_strbuf_putc(sb, ']');
            str_field(&so, "schemaUrl", sl->schema_url);
            ad_strbuf_putc(sb, '}');
        }
        ad_strbuf_putc(sb, ']');
        str_field(&o, "schemaUrl", rl->schema_url);
        ad_strbuf_putc(sb, '}');
    }
    ad_strbuf_puts(sb, "]}");
    if (err != AD_OK)
        return err;
    return ad_strbuf_overflowed(sb) ? AD_EFULL : AD_OK;
}

ad_err ad_otlp_json_from_proto(const void *data, size_t len, ad_strbuf *sb)
{
    ad_otlp_request *req;
    ad_err err = ad_otlp_request_decode(data, len, &req);
    if (err != AD_OK)
        return err;
    err = ad_otlp_json_write(ad_otlp_request_message(req), sb);
    ad_otlp_request_free(req);
    return err;
}

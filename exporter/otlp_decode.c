/*
 * asimdns-exporter: OTLP logs messages read with protobuf-c (facts/otlp-logs.md §1, §1.6).
 */
#include "exporter/otlp_decode.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------- */
/* Nesting check on the wire                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* The message types of facts §1.1-§1.4 that hold further messages. */
typedef enum mtype {
    M_LEAF = 0, /* a string/bytes field or a message without message fields */
    M_REQUEST,
    M_RESOURCE_LOGS,
    M_RESOURCE,
    M_SCOPE_LOGS,
    M_SCOPE,
    M_LOG_RECORD,
    M_KEY_VALUE,
    M_ANY_VALUE,
    M_ARRAY_VALUE,
    M_KVLIST,
} mtype;

/* The type of LEN field `field` inside a message of type t (field numbers: facts §1). */
static mtype child_type(mtype t, uint64_t field)
{
    switch (t) {
    case M_REQUEST: /* resource_logs = 1 */
        return field == 1 ? M_RESOURCE_LOGS : M_LEAF;
    case M_RESOURCE_LOGS: /* resource = 1, scope_logs = 2 */
        return field == 1 ? M_RESOURCE : field == 2 ? M_SCOPE_LOGS : M_LEAF;
    case M_RESOURCE: /* attributes = 1 (entity_refs = 3 holds strings only) */
        return field == 1 ? M_KEY_VALUE : M_LEAF;
    case M_SCOPE_LOGS: /* scope = 1, log_records = 2 */
        return field == 1 ? M_SCOPE : field == 2 ? M_LOG_RECORD : M_LEAF;
    case M_SCOPE: /* attributes = 3 */
        return field == 3 ? M_KEY_VALUE : M_LEAF;
    case M_LOG_RECORD: /* body = 5, attributes = 6 */
        return field == 5 ? M_ANY_VALUE : field == 6 ? M_KEY_VALUE : M_LEAF;
    case M_KEY_VALUE: /* value = 2 */
        return field == 2 ? M_ANY_VALUE : M_LEAF;
    case M_ANY_VALUE: /* array_value = 5, kvlist_value = 6 */
        return field == 5 ? M_ARRAY_VALUE : field == 6 ? M_KVLIST : M_LEAF;
    case M_ARRAY_VALUE: /* values = 1 */
        return field == 1 ? M_ANY_VALUE : M_LEAF;
    case M_KVLIST: /* values = 1 */
        return field == 1 ? M_KEY_VALUE : M_LEAF;
    default:
        return M_LEAF;
    }
}

static int read_varint(const uint8_t *p, size_t end, size_t *pos, uint64_t *v)
{
    uint64_t r = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (*pos >= end)
            return -1;
        uint8_t c = p[(*pos)++];
        r |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* Walks the framing without recursion; AD_ERANGE when messages nest too deep. */
static ad_err check_nesting(const uint8_t *p, size_t len)
{
    struct {
        mtype type;
        size_t end;
    } stack[AD_OTLP_MAX_NESTING];
    int depth = 0;
    stack[0].type = M_REQUEST;
    stack[0].end = len;
    size_t pos = 0;
    for (;;) {
        while (pos == stack[depth].end) {
            if (depth == 0)
                return AD_OK;
            depth--;
        }
        uint64_t tag, v;
        size_t end = stack[depth].end;
        if (read_varint(p, end, &pos, &tag) != 0 || (tag >> 3) == 0)
            return AD_EFORMAT;
        switch (tag & 7) {
        case 0:
            if (read_varint(p, end, &pos, &v) != 0)
                return AD_EFORMAT;
            break;
        case 1:
            if (end - pos < 8)
                return AD_EFORMAT;
            pos += 8;
            break;
        case 5:
            if (end - pos < 4)
                return AD_EFORMAT;
            pos += 4;
            break;
        case 2: {
            if (read_varint(p, end, &pos, &v) != 0 || v > end - pos)
                return AD_EFORMAT;
            mtype ct = child_type(stack[depth].type, tag >> 3);
            if (ct == M_LEAF) {
                pos += (size_t)v;
            } else {
                if (depth + 1 >= AD_OTLP_MAX_NESTING)
                    return AD_ERANGE;
                depth++;
                stack[depth].type = ct;
                stack[depth].end = pos + (size_t)v;
            }
            break;
        }
        default: /* groups (3, 4) do not exist in proto3; 6 and 7 are invalid */
            return AD_EFORMAT;
        }
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Requests                                                                                   */
/* ---------------------------------------------------------------------------------------- */

struct ad_otlp_request {
    ad_otlp_request_msg *msg;
    size_t records;
    ad_otlp_kv res_attrs[AD_OTLP_DECODE_MAX_ATTRS];
    ad_otlp_record rec; /* scratch for foreach */
};

ad_err ad_otlp_request_decode(const void *data, size_t len, ad_otlp_request **out)
{
    *out = NULL;
    if (len > 0 && data == NULL)
        return AD_EINVAL;
    ad_err err = check_nesting(data, len);
    if (err != AD_OK)
        return err;
    ad_otlp_request *req = calloc(1, sizeof(*req));
    if (!req)
        return AD_ENOMEM;
    static const uint8_t empty[1] = {0};
    req->msg = opentelemetry__proto__collector__logs__v1__export_logs_service_request__unpack(
        NULL, len, len ? data : empty);
    if (!req->msg) {
        free(req);
        return AD_EFORMAT; /* protobuf-c does not tell malformed input from no memory */
    }
    for (size_t r = 0; r < req->msg->n_resource_logs; r++) {
        const Opentelemetry__Proto__Logs__V1__ResourceLogs *rl = req->msg->resource_logs[r];
        for (size_t s = 0; s < rl->n_scope_logs; s++)
            req->records += rl->scope_logs[s]->n_log_records;
    }
    *out = req;
    return AD_OK;
}

void ad_otlp_request_free(ad_otlp_request *req)
{
    if (!req)
        return;
    if (req->msg)
        opentelemetry__proto__collector__logs__v1__export_logs_service_request__free_unpacked(
            req->msg, NULL);
    free(req);
}

const ad_otlp_request_msg *ad_otlp_request_message(const ad_otlp_request *req)
{
    return req->msg;
}

size_t ad_otlp_request_record_count(const ad_otlp_request *req)
{
    return req->records;
}

size_t ad_otlp_request_resource_count(const ad_otlp_request *req)
{
    return req->msg->n_resource_logs;
}

void ad_otlp_value_from(const ad_otlp_anyvalue_msg *v, ad_otlp_value *out)
{
    memset(out, 0, sizeof(*out));
    if (!v)
        return;
    out->raw = v;
    switch (v->value_case) {
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
        out->kind = AD_OTLP_STR;
        out->str = v->string_value ? v->string_value : "";
        out->len = strlen(out->str);
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
        out->kind = AD_OTLP_BOOL;
        out->i = v->bool_value ? 1 : 0;
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
        out->kind = AD_OTLP_INT;
        out->i = v->int_value;
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
        out->kind = AD_OTLP_DOUBLE;
        out->d = v->double_value;
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE:
        out->kind = AD_OTLP_BYTES;
        out->str = (const char *)v->bytes_value.data;
        out->len = v->bytes_value.len;
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
        out->kind = AD_OTLP_ARRAY;
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
        out->kind = AD_OTLP_KVLIST;
        break;
    case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE_STRINDEX:
        out->kind = AD_OTLP_STRINDEX;
        out->i = v->string_value_strindex;
        break;
    default:
        out->kind = AD_OTLP_NONE;
        break;
    }
}

/* Flattens n KeyValues into dst[AD_OTLP_DECODE_MAX_ATTRS]; returns how many were kept. */
static size_t flatten_kvs(ad_otlp_keyvalue_msg *const *kvs, size_t n, ad_otlp_kv *dst, size_t *over)
{
    size_t k = n < AD_OTLP_DECODE_MAX_ATTRS ? n : AD_OTLP_DECODE_MAX_ATTRS;
    for (size_t i = 0; i < k; i++) {
        dst[i].key = kvs[i]->key ? kvs[i]->key : "";
        ad_otlp_value_from(kvs[i]->value, &dst[i].value);
    }
    *over = n - k;
    return k;
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

int ad_otlp_request_foreach(ad_otlp_request *req, ad_otlp_record_fn fn, void *ctx)
{
    ad_otlp_record *rec = &req->rec;
    for (size_t r = 0; r < req->msg->n_resource_logs; r++) {
        const Opentelemetry__Proto__Logs__V1__ResourceLogs *rl = req->msg->resource_logs[r];
        size_t nres = 0, res_over = 0;
        const char *service = NULL;
        if (rl->resource) {
            nres = flatten_kvs(rl->resource->attributes, rl->resource->n_attributes, req->res_attrs,
                               &res_over);
            for (size_t i = 0; i < nres; i++) {
                if (strcmp(req->res_attrs[i].key, "service.name") == 0 &&
                    req->res_attrs[i].value.kind == AD_OTLP_STR) {
                    service = req->res_attrs[i].value.str;
                    break;
                }
            }
        }
        for (size_t s = 0; s < rl->n_scope_logs; s++) {
            const Opentelemetry__Proto__Logs__V1__ScopeLogs *sl = rl->scope_logs[s];
            for (size_t i = 0; i < sl->n_log_records; i++) {
                const ad_otlp_logrecord_msg *lr = sl->log_records[i];
                memset(rec, 0, offsetof(ad_otlp_record, attrs));
                rec->resource_index = r;
                rec->scope_index = s;
                rec->record_index = i;
                rec->service_name = service;
                rec->resource_attrs = req->res_attrs;
                rec->n_resource_attrs = nres;
                rec->resource_attrs_over = res_over;
                rec->resource_schema_url = str_or_empty(rl->schema_url);
                rec->scope_name = sl->scope ? str_or_empty(sl->scope->name) : "";
                rec->scope_version = sl->scope ? str_or_empty(sl->scope->version) : "";
                rec->scope_schema_url = str_or_empty(sl->schema_url);
                rec->time_unix_nano = lr->time_unix_nano;
                rec->observed_time_unix_nano = lr->observed_time_unix_nano;
                rec->severity_number = (int)lr->severity_number;
                rec->severity_text = str_or_empty(lr->severity_text);
                ad_otlp_value_from(lr->body, &rec->body);
                rec->nattrs =
                    flatten_kvs(lr->attributes, lr->n_attributes, rec->attrs, &rec->attrs_over);
                rec->dropped_attributes_count = lr->dropped_attributes_count;
                rec->flags = lr->flags;
                rec->trace_id = lr->trace_id.data;
                rec->trace_id_len = lr->trace_id.len;
                rec->span_id = lr->span_id.data;
                rec->span_id_len = lr->span_id.len;
                rec->event_name = str_or_empty(lr->event_name);
                rec->raw = lr;
                int rv = fn(rec, ctx);
                if (rv != 0)
                    return rv;
            }
        }
    }
    return 0;
}

const ad_otlp_kv *ad_otlp_record_find(const ad_otlp_record *rec, const char *key)
{
    for (size_t i = 0; i < rec->nattrs; i++) {
        if (strcmp(rec->attrs[i].key, key) == 0)
            return &rec->attrs[i];
    }
    return NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* Responses                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Copies src into dst[cap] (NUL-terminated), cutting at a UTF-8 character boundary. */
static bool copy_cut_utf8(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    bool cut = n >= cap;
    if (cut) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--; /* src[n] would be a continuation byte: drop the partial character */
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return cut;
}

ad_err ad_otlp_response_parse(const void *data, size_t len, ad_otlp_response *out)
{
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return AD_OK; /* full success (facts §0, §2.3) */
    if (len > AD_OTLP_MAX_RESPONSE_BYTES)
        return AD_ERANGE;
    if (data == NULL)
        return AD_EINVAL;
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse *resp =
        opentelemetry__proto__collector__logs__v1__export_logs_service_response__unpack(NULL, len,
                                                                                        data);
    if (!resp)
        return AD_EFORMAT;
    const Opentelemetry__Proto__Collector__Logs__V1__ExportLogsPartialSuccess *ps =
        resp->partial_success;
    if (ps) {
        out->rejected_log_records = ps->rejected_log_records;
        out->error_message_truncated = copy_cut_utf8(out->error_message, sizeof(out->error_message),
                                                     str_or_empty(ps->error_message));
        /* All zero is "equivalent to it not being set" (facts §1.1). */
        out->partial = ps->rejected_log_records != 0 || out->error_message[0] != '\0';
    }
    opentelemetry__proto__collector__logs__v1__export_logs_service_response__free_unpacked(resp,
                                                                                           NULL);
    return AD_OK;
}

ad_err ad_otlp_response_encode(int64_t rejected, const char *error_message, uint8_t *buf,
                               size_t cap, size_t *out_len)
{
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsServiceResponse resp =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_SERVICE_RESPONSE__INIT;
    Opentelemetry__Proto__Collector__Logs__V1__ExportLogsPartialSuccess ps =
        OPENTELEMETRY__PROTO__COLLECTOR__LOGS__V1__EXPORT_LOGS_PARTIAL_SUCCESS__INIT;
    if (rejected != 0 || (error_message && error_message[0])) {
        ps.rejected_log_records = rejected;
        if (error_message && error_message[0])
            ps.error_message = (char *)error_message;
        resp.partial_success = &ps;
    }
    size_t need =
        opentelemetry__proto__collector__logs__v1__export_logs_service_response__get_packed_size(
            &resp);
    if (need > cap)
        return AD_EFULL;
    *out_len =
        opentelemetry__proto__collector__logs__v1__export_logs_service_response__pack(&resp, buf);
    return AD_OK;
}

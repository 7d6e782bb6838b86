/* asimdns-exporter: wire-format walk of ExportLogsServiceRequest (see otlp_scan.h). */
#include "exporter/otlp_scan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

typedef struct rd {
    const uint8_t *p, *end;
} rd;

typedef struct field {
    uint32_t num;
    unsigned wt;
    uint64_t v;             /* VARINT */
    const uint8_t *sub;     /* LEN: the payload */
    const uint8_t *sub_end; /* LEN */
} field;

static inline ad_err varint(rd *r, uint64_t *out)
{
    /* Most tags and lengths are one byte: no loop for them. */
    if (r->p < r->end && *r->p < 0x80) {
        *out = *r->p++;
        return AD_OK;
    }
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return AD_ETRUNC;
        uint8_t b = *r->p++;
        /* The tenth byte may only hold bit 63: anything more does not fit a uint64. */
        if (shift == 63 && b > 1)
            return AD_EFORMAT;
        v |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *out = v;
            return AD_OK;
        }
    }
    return AD_EFORMAT;
}

/* Reads one field (tag and payload); LEN payloads are left in place as [sub, sub_end). */
static inline ad_err next_field(rd *r, field *f)
{
    /* every member defined on every path: callers read them only for the matching wire type,
     * but gcc -O3 cannot prove that (maybe-uninitialized) */
    f->v = 0;
    f->sub = f->sub_end = NULL;
    uint64_t tag;
    ad_err err = varint(r, &tag);
    if (err != AD_OK)
        return err;
    f->num = (uint32_t)(tag >> 3);
    f->wt = (unsigned)(tag & 7);
    if (f->num == 0 || (tag >> 3) > 0x1fffffffu)
        return AD_EFORMAT;
    size_t left;
    switch (f->wt) {
    case WT_VARINT:
        return varint(r, &f->v);
    case WT_I64:
    case WT_I32:
        left = (size_t)(r->end - r->p);
        if (left < (f->wt == WT_I64 ? 8u : 4u))
            return AD_ETRUNC;
        r->p += f->wt == WT_I64 ? 8 : 4;
        return AD_OK;
    case WT_LEN:
        if ((err = varint(r, &f->v)) != AD_OK)
            return err;
        if (f->v > (uint64_t)(r->end - r->p))
            return AD_ETRUNC;
        f->sub = r->p;
        f->sub_end = r->p + f->v;
        r->p = f->sub_end;
        return AD_OK;
    default: /* 3 and 4 (groups, never in these messages), 6 and 7 (undefined) */
        return AD_EFORMAT;
    }
}

/* The wire type field num must have, from a table indexed by field number (0 = unknown). */
static bool wt_ok(const uint8_t *table, size_t n, const field *f)
{
    if (f->num >= n || table[f->num] == 0)
        return true; /* unknown field: skipped whatever its (valid) wire type */
    return (unsigned)(table[f->num] & 7) == f->wt;
}

/* Tables hold wire type + 8 so that 0 can mean "unknown field". */
#define K(wt) ((uint8_t)((wt) + 8))

static const uint8_t request_wt[] = {0, K(WT_LEN)};
static const uint8_t resource_logs_wt[] = {0, K(WT_LEN), K(WT_LEN), K(WT_LEN)};
static const uint8_t scope_logs_wt[] = {0, K(WT_LEN), K(WT_LEN), K(WT_LEN)};
static const uint8_t log_record_wt[] = {0,         K(WT_I64), K(WT_VARINT), K(WT_LEN), 0,
                                        K(WT_LEN), K(WT_LEN), K(WT_VARINT), K(WT_I32), K(WT_LEN),
                                        K(WT_LEN), K(WT_I64), K(WT_LEN)};
static const uint8_t key_value_wt[] = {0, K(WT_LEN), K(WT_LEN)};
static const uint8_t any_value_wt[] = {0,         K(WT_LEN), K(WT_VARINT), K(WT_VARINT), K(WT_I64),
                                       K(WT_LEN), K(WT_LEN), K(WT_LEN),    K(WT_VARINT)};

#define WT_OK(table, f) wt_ok(table, sizeof(table), f)

/* Walks every field of [p, end) checking wire types against table (no descent). */
static ad_err check_flat(const uint8_t *p, const uint8_t *end, const uint8_t *table, size_t n)
{
    rd r = {p, end};
    field f;
    while (r.p < r.end) {
        ad_err err = next_field(&r, &f);
        if (err != AD_OK)
            return err;
        if (!wt_ok(table, n, &f))
            return AD_EFORMAT;
    }
    return AD_OK;
}

typedef struct scan {
    const char *key;
    size_t key_len;
    ad_otlp_scan_fn fn;
    void *arg;
    ad_otlp_scan_counts *c;
} scan;

/* KeyValue: if its key is the id key, id and id_len get its string value (else unchanged). */
static ad_err key_value(const scan *s, const uint8_t *p, const uint8_t *end, const char **id,
                        size_t *id_len)
{
    rd r = {p, end};
    field f;
    /*
     * Fast path for the usual encoding, key first (field 1, LEN): a key of another length or
     * other bytes is not the id, and the attribute is skipped unexamined. Only the id
     * attribute, and attributes not starting with their key, are walked field by field.
     */
    if (end - p >= 2 && p[0] == 0x0a && p[1] < 0x80 && p[1] <= end - p - 2) {
        if (p[1] != s->key_len || memcmp(p + 2, s->key, s->key_len) != 0)
            return AD_OK;
    }
    const uint8_t *key = NULL, *val = NULL, *val_end = NULL;
    size_t key_len = 0;
    while (r.p < r.end) {
        ad_err err = next_field(&r, &f);
        if (err != AD_OK)
            return err;
        if (!WT_OK(key_value_wt, &f))
            return AD_EFORMAT;
        if (f.num == 1) {
            key = f.sub;
            key_len = (size_t)f.v;
        } else if (f.num == 2) {
            val = f.sub;
            val_end = f.sub_end;
        }
    }
    if (key == NULL || key_len != s->key_len || memcmp(key, s->key, key_len) != 0)
        return AD_OK;
    /* The id attribute: its AnyValue's string_value (last one wins, as protobuf merges). */
    const char *str = NULL;
    size_t str_len = 0;
    if (val != NULL) {
        rd v = {val, val_end};
        while (v.p < v.end) {
            ad_err err = next_field(&v, &f);
            if (err != AD_OK)
                return err;
            if (!WT_OK(any_value_wt, &f))
                return AD_EFORMAT;
            if (f.num == 1) {
                str = (const char *)f.sub;
                str_len = (size_t)f.v;
            } else {
                str = NULL; /* a later member of the oneof replaces the string */
                str_len = 0;
            }
        }
    }
    *id = str;
    *id_len = str_len;
    return AD_OK;
}

static ad_err log_record(const scan *s, const uint8_t *p, const uint8_t *end)
{
    rd r = {p, end};
    field f;
    const char *id = NULL;
    size_t id_len = 0;
    while (r.p < r.end) {
        ad_err err = next_field(&r, &f);
        if (err != AD_OK)
            return err;
        if (!WT_OK(log_record_wt, &f))
            return AD_EFORMAT;
        if (f.num == 6 && s->key != NULL) {
            if ((err = key_value(s, f.sub, f.sub_end, &id, &id_len)) != AD_OK)
                return err;
        } else if (f.num == 6) {
            if ((err = check_flat(f.sub, f.sub_end, key_value_wt, sizeof(key_value_wt))) != AD_OK)
                return err;
        }
    }
    s->c->records++;
    if (s->fn != NULL && s->fn(id, id_len, s->arg) != 0)
        return AD_EINVAL;
    return AD_OK;
}

static ad_err scope_logs(const scan *s, const uint8_t *p, const uint8_t *end)
{
    rd r = {p, end};
    field f;
    s->c->scope_logs++;
    while (r.p < r.end) {
        ad_err err = next_field(&r, &f);
        if (err != AD_OK)
            return err;
        if (!WT_OK(scope_logs_wt, &f))
            return AD_EFORMAT;
        if (f.num == 2 && (err = log_record(s, f.sub, f.sub_end)) != AD_OK)
            return err;
    }
    return AD_OK;
}

static ad_err resource_logs(const scan *s, const uint8_t *p, const uint8_t *end)
{
    rd r = {p, end};
    field f;
    s->c->resource_logs++;
    while (r.p < r.end) {
        ad_err err = next_field(&r, &f);
        if (err != AD_OK)
            return err;
        if (!WT_OK(resource_logs_wt, &f))
            return AD_EFORMAT;
        if (f.num == 2 && (err = scope_logs(s, f.sub, f.sub_end)) != AD_OK)
            return err;
    }
    return AD_OK;
}

ad_err ad_otlp_scan_request(const uint8_t *data, size_t len, const char *id_key, ad_otlp_scan_fn fn,
                            void *arg, ad_otlp_scan_counts *counts)
{
    ad_otlp_scan_counts local;
    scan s = {id_key, id_key ? strlen(id_key) : 0, fn, arg, counts ? counts : &local};
    memset(s.c, 0, sizeof(*s.c));
    if (data == NULL && len > 0)
        return AD_EINVAL;
    rd r = {data, data + len};
    field f;
    while (r.p < r.end) {
        ad_err err = next_field(&r, &f);
        if (err != AD_OK)
            return err;
        if (!WT_OK(request_wt, &f))
            return AD_EFORMAT;
        if (f.num == 1 && (err = resource_logs(&s, f.sub, f.sub_end)) != AD_OK)
            return err;
    }
    return AD_OK;
}

ad_err ad_otlp_scan_record_seq(const char *id, size_t len, uint64_t *seq)
{
    if (id == NULL)
        return AD_EFORMAT;
    size_t dash = len;
    for (size_t i = 0; i < len; i++) {
        if (id[i] == '-') {
            dash = i;
            break;
        }
    }
    if (dash == 0 || dash >= len - 1 || len - dash - 1 > 20)
        return AD_EFORMAT;
    for (size_t i = 0; i < dash; i++) {
        char c = id[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return AD_EFORMAT;
    }
    uint64_t v = 0;
    for (size_t i = dash + 1; i < len; i++) {
        unsigned d = (unsigned)(id[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return AD_EFORMAT;
        v = v * 10 + d;
    }
    *seq = v;
    return AD_OK;
}

/* ---- sequence ranges ---------------------------------------------------------------------- */

void ad_seq_ranges_init(ad_seq_ranges *s)
{
    memset(s, 0, sizeof(*s));
}

void ad_seq_ranges_free(ad_seq_ranges *s)
{
    free(s->r);
    memset(s, 0, sizeof(*s));
}

static ad_err insert_at(ad_seq_ranges *s, size_t i, uint64_t seq)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct ad_seq_range *r = realloc(s->r, cap * sizeof(*r));
        if (r == NULL)
            return AD_ENOMEM;
        s->r = r;
        s->cap = cap;
    }
    memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(*s->r));
    s->r[i].lo = s->r[i].hi = seq;
    s->n++;
    return AD_OK;
}

ad_err ad_seq_ranges_add(ad_seq_ranges *s, uint64_t seq)
{
    /* Fast path: receivers see sequences mostly in order, so the last range grows. */
    if (s->n > 0 && s->r[s->n - 1].hi != UINT64_MAX && seq == s->r[s->n - 1].hi + 1) {
        s->r[s->n - 1].hi = seq;
        s->distinct++;
        return AD_OK;
    }
    /* First range whose hi >= seq. */
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->r[mid].hi < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t i = lo;
    if (i < s->n && s->r[i].lo <= seq) {
        s->duplicates++;
        return AD_OK;
    }
    bool joins_prev = i > 0 && s->r[i - 1].hi + 1 == seq;
    bool joins_next = i < s->n && seq + 1 == s->r[i].lo;
    if (joins_prev && joins_next) {
        s->r[i - 1].hi = s->r[i].hi;
        memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof(*s->r));
        s->n--;
    } else if (joins_prev) {
        s->r[i - 1].hi = seq;
    } else if (joins_next) {
        s->r[i].lo = seq;
    } else if (insert_at(s, i, seq) != AD_OK) {
        return AD_ENOMEM;
    }
    s->distinct++;
    return AD_OK;
}

uint64_t ad_seq_ranges_missing(const ad_seq_ranges *s)
{
    if (s->n == 0)
        return 0;
    uint64_t span = s->r[s->n - 1].hi - s->r[0].lo; /* + 1 - distinct, without overflow */
    return span - (s->distinct - 1);
}

/* ---- one request's sequence numbers ------------------------------------------------------- */

void ad_seq_pending_reset(ad_seq_pending *p)
{
    p->n = 0;
    p->no_id = 0;
    p->nomem = false;
}

int ad_seq_pending_collect(const char *id, size_t len, void *arg)
{
    ad_seq_pending *p = arg;
    uint64_t seq;
    if (ad_otlp_scan_record_seq(id, len, &seq) != AD_OK) {
        p->no_id++;
        return 0;
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8192;
        uint64_t *v = realloc(p->seq, cap * sizeof(*v));
        if (v == NULL) {
            p->nomem = true;
            return 0;
        }
        p->seq = v;
        p->cap = cap;
    }
    p->seq[p->n++] = seq;
    return 0;
}

ad_err ad_seq_pending_commit(const ad_seq_pending *p, ad_seq_ranges *s)
{
    ad_err err = p->nomem ? AD_ENOMEM : AD_OK;
    for (size_t i = 0; i < p->n; i++) {
        if (ad_seq_ranges_add(s, p->seq[i]) != AD_OK)
            err = AD_ENOMEM;
    }
    return err;
}

void ad_seq_pending_free(ad_seq_pending *p)
{
    free(p->seq);
    memset(p, 0, sizeof(*p));
}

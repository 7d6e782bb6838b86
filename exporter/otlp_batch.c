/*
 * asimdns-exporter: direct protobuf wire writer for OTLP ExportLogsServiceRequest.
 *
 * Wire format: every field is a tag byte (field << 3 | wire type) followed by a varint (VARINT,
 * wire type 0), 8 little-endian bytes (I64, 1) or a varint length and that many bytes (LEN,
 * 2). Tags and field numbers below are those of facts/otlp-logs.md §1.1-§1.4. Varints are
 * written in minimal form, so the output is what any protobuf encoder would produce for the
 * same message with fields in field-number order.
 *
 * Approach: each service.name has a region buffer [headroom][LogRecord fields...]. A record is
 * written once into its service's region, each attribute's nested lengths computed where they
 * are written, and the record's own length filled in afterwards (ad_otlp_batch_add). finish()
 * writes each ResourceLogs header (tag, length, Resource, ScopeLogs tag, length, scope) into the
 * headroom right in front of the records; with one service that is the whole request, without any
 * copy. With several services the regions are copied one after the other into an assembly buffer.
 */
#include "exporter/otlp_batch.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/dns_tables.h"
#include "common/utf.h"

#ifndef ASIMDNS_VERSION
#define ASIMDNS_VERSION "0.0.0"
#endif

#if defined(_WIN32)
#define OS_TYPE "windows"
#elif defined(__linux__)
#define OS_TYPE "linux"
#elif defined(__APPLE__)
#define OS_TYPE "darwin"
#elif defined(__FreeBSD__)
#define OS_TYPE "freebsd"
#else
#define OS_TYPE "linux"
#endif

/* Wire types. */
#define WT_VARINT 0u
#define WT_I64 1u
#define WT_LEN 2u
#define TAG(field, wt) ((uint8_t)(((field) << 3) | (wt)))

/* ExportLogsServiceRequest (facts §1.1). */
#define TAG_REQ_RESOURCE_LOGS TAG(1, WT_LEN) /* 0x0a */
/* ResourceLogs (facts §1.2). */
#define TAG_RL_RESOURCE TAG(1, WT_LEN)   /* 0x0a */
#define TAG_RL_SCOPE_LOGS TAG(2, WT_LEN) /* 0x12 */
/* ScopeLogs (facts §1.2). */
#define TAG_SL_SCOPE TAG(1, WT_LEN)       /* 0x0a */
#define TAG_SL_LOG_RECORDS TAG(2, WT_LEN) /* 0x12 */
/* LogRecord (facts §1.2). */
#define TAG_LR_TIME TAG(1, WT_I64)               /* 0x09 */
#define TAG_LR_SEVERITY_NUMBER TAG(2, WT_VARINT) /* 0x10 */
#define TAG_LR_SEVERITY_TEXT TAG(3, WT_LEN)      /* 0x1a */
#define TAG_LR_BODY TAG(5, WT_LEN)               /* 0x2a */
#define TAG_LR_ATTRIBUTES TAG(6, WT_LEN)         /* 0x32 */
#define TAG_LR_OBSERVED_TIME TAG(11, WT_I64)     /* 0x59 */
/* Resource (facts §1.4). */
#define TAG_RES_ATTRIBUTES TAG(1, WT_LEN) /* 0x0a */
/* InstrumentationScope (facts §1.3). */
#define TAG_SCOPE_NAME TAG(1, WT_LEN)    /* 0x0a */
#define TAG_SCOPE_VERSION TAG(2, WT_LEN) /* 0x12 */
/* KeyValue (facts §1.3). */
#define TAG_KV_KEY TAG(1, WT_LEN)   /* 0x0a */
#define TAG_KV_VALUE TAG(2, WT_LEN) /* 0x12 */
/* AnyValue oneof members (facts §1.3). */
#define TAG_AV_STRING TAG(1, WT_LEN)  /* 0x0a */
#define TAG_AV_BOOL TAG(2, WT_VARINT) /* 0x10 */
#define TAG_AV_INT TAG(3, WT_VARINT)  /* 0x18 */

/* Longest varint for a length below 2^32. */
#define LEN_VARINT_MAX 5u

/* A region starts this big (plus its headroom) and doubles up to max_bytes. */
#define REGION_INITIAL (64u * 1024u)

typedef struct svc {
    const char *name_ptr; /* the pointer last seen for this name (fast match) */
    char *name;           /* own copy */
    size_t name_len;
    uint8_t *res; /* Resource message content: its attributes fields */
    size_t res_len;
    size_t head;    /* headroom in front of the records, enough for the ResourceLogs header */
    uint8_t *buf;   /* [head][records] */
    size_t cap;     /* allocated bytes including head */
    size_t rec_len; /* bytes of LogRecord fields (tag + length + message each) */
    uint32_t count; /* records; 0 = not in the current batch */
    size_t start;   /* finish(): offset of the ResourceLogs field in buf */
    size_t total;   /* size of this service's ResourceLogs field with the current records */
} svc;

struct ad_otlp_batch {
    uint32_t max_records;
    size_t max_bytes;
    uint64_t observed_ns;

    uint8_t *common_res; /* encoded resource attributes after service.name */
    size_t common_res_len;
    uint8_t scope[256]; /* ScopeLogs.scope field: tag, length, InstrumentationScope */
    size_t scope_len;
    const char *sev_text[AD_ASIM_SEVERITY__COUNT];
    size_t sev_len[AD_ASIM_SEVERITY__COUNT];

    svc svcs[AD_OTLP_MAX_SERVICES];
    unsigned nsvcs;                       /* slots in use (names cached across batches) */
    unsigned order[AD_OTLP_MAX_SERVICES]; /* active slots in order of first record */
    unsigned nactive;
    unsigned last; /* slot of the previous record */

    uint32_t count;
    size_t total; /* exact request size */

    bool finished;
    const uint8_t *out_ptr;
    size_t out_len;
    uint8_t *asm_buf; /* assembly buffer for several services */
    size_t asm_cap;
};

/* ---------------------------------------------------------------------------------------- */
/* Wire primitives                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* Bytes of the minimal varint for v: 1 + floor(log2(v)) / 7 (1 for 0). */
static inline size_t vlen(uint64_t v)
{
    if (v < 0x80)
        return 1; /* most keys, values and attributes: no bit counting */
#if defined(__GNUC__) || defined(__clang__)
    unsigned bits = 64u - (unsigned)__builtin_clzll(v | 1);
    return (bits * 9u + 64u) >> 6; /* = ceil(bits / 7) for bits 1..64 */
#else
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
#endif
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    do {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    } while (v >= 0x80);
    *p++ = (uint8_t)v;
    return p;
}

static inline uint8_t *put_fixed64(uint8_t *p, uint64_t v)
{
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)(v >> (8 * i));
    memcpy(p, le, 8);
    return p + 8;
}

/*
 * Copies len bytes. Short strings (most keys and values) are copied with two overlapping
 * fixed-size moves, which compilers turn into plain loads and stores; only bytes inside
 * [src, src + len) are read.
 */
static inline uint8_t *put_bytes(uint8_t *p, const void *src, size_t len)
{
    const uint8_t *s = src;
    if (len >= 8 && len <= 16) {
        memcpy(p, s, 8);
        memcpy(p + len - 8, s + len - 8, 8);
    } else if (len >= 4 && len < 8) {
        memcpy(p, s, 4);
        memcpy(p + len - 4, s + len - 4, 4);
    } else if (len > 16 && len <= 32) {
        memcpy(p, s, 16);
        memcpy(p + len - 16, s + len - 16, 16);
    } else if (len > 0 && len < 4) {
        p[0] = s[0];
        p[len / 2] = s[len / 2];
        p[len - 1] = s[len - 1];
    } else if (len > 32) {
        memcpy(p, s, len);
    }
    return p + len;
}

/* Size of a LEN field holding len bytes: tag + length varint + bytes. */
static inline size_t len_field(size_t len)
{
    return 1 + vlen(len) + len;
}

static inline uint8_t *put_len_field(uint8_t *p, uint8_t tag, const void *src, size_t len)
{
    *p++ = tag;
    p = put_varint(p, len);
    return put_bytes(p, src, len);
}

/* KeyValue{key, AnyValue{string_value}} content size (facts §1.3). */
static size_t kv_str_size(size_t klen, size_t vlen_)
{
    return len_field(klen) + len_field(len_field(vlen_));
}

/* Writes a whole attributes field (tag, length, KeyValue with a string AnyValue). */
static uint8_t *put_kv_str_field(uint8_t *p, uint8_t tag, const char *key, size_t klen,
                                 const char *value, size_t value_len)
{
    size_t av = len_field(value_len);
    *p++ = tag;
    p = put_varint(p, kv_str_size(klen, value_len));
    p = put_len_field(p, TAG_KV_KEY, key, klen);
    *p++ = TAG_KV_VALUE;
    p = put_varint(p, av);
    return put_len_field(p, TAG_AV_STRING, value, value_len);
}

/* ---------------------------------------------------------------------------------------- */
/* Creation                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* The resource attributes after service.name, in order, with configured overrides. */
static ad_err build_common_resource(ad_otlp_batch *b, const ad_otlp_batch_opts *o)
{
    enum { MAXKV = 4 + AD_CONFIG_MAX_ATTRS };
    const char *keys[MAXKV], *vals[MAXKV];
    unsigned n = 0;
    const char *host = o && o->host_name ? o->host_name : "";
    const char *inst = o && o->instance_id ? o->instance_id : "";
    /* Built-ins (facts §7); an empty one is left out unless a configured value replaces it. */
    keys[n] = "host.name", vals[n++] = host;
    keys[n] = "os.type", vals[n++] = OS_TYPE;
    keys[n] = "service.version", vals[n++] = ASIMDNS_VERSION;
    keys[n] = "service.instance.id", vals[n++] = inst;
    const unsigned builtins = n;
    bool overridden[4] = {false, false, false, false};
    uint32_t count = o ? o->attr_count : 0;
    if (count > AD_CONFIG_MAX_ATTRS)
        count = AD_CONFIG_MAX_ATTRS;
    for (uint32_t i = 0; i < count; i++) {
        const char *k = o->attrs[i].key, *v = o->attrs[i].value;
        if (!memchr(k, 0, sizeof(o->attrs[i].key)) || !memchr(v, 0, sizeof(o->attrs[i].value)))
            return AD_EINVAL; /* not NUL-terminated */
        size_t klen = strlen(k), vl = strlen(v);
        if (!ad_utf8_valid(k, klen) || !ad_utf8_valid(v, vl))
            return AD_EINVAL;
        if (klen == 0 || strcmp(k, "service.name") == 0)
            continue;
        bool dup = false;
        for (unsigned j = 0; j < builtins; j++) {
            if (strcmp(keys[j], k) == 0) {
                if (!overridden[j]) {
                    vals[j] = v;
                    overridden[j] = true;
                }
                dup = true;
            }
        }
        for (unsigned j = builtins; j < n && !dup; j++)
            dup = strcmp(keys[j], k) == 0;
        if (!dup) {
            keys[n] = k;
            vals[n++] = v;
        }
    }
    if (!ad_utf8_valid(host, strlen(host)) || !ad_utf8_valid(inst, strlen(inst)))
        return AD_EINVAL;
    size_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i < builtins && vals[i][0] == '\0' && !overridden[i])
            continue;
        total += len_field(kv_str_size(strlen(keys[i]), strlen(vals[i])));
    }
    b->common_res = malloc(total ? total : 1);
    if (!b->common_res)
        return AD_ENOMEM;
    uint8_t *p = b->common_res;
    for (unsigned i = 0; i < n; i++) {
        if (i < builtins && vals[i][0] == '\0' && !overridden[i])
            continue;
        p = put_kv_str_field(p, TAG_RES_ATTRIBUTES, keys[i], strlen(keys[i]), vals[i],
                             strlen(vals[i]));
    }
    b->common_res_len = (size_t)(p - b->common_res);
    return AD_OK;
}

static void build_scope(ad_otlp_batch *b)
{
    /* ScopeLogs.scope = InstrumentationScope{name, version} (facts §1.2, §1.3). */
    static const char name[] = AD_OTLP_SCOPE_NAME;
    static const char version[] = ASIMDNS_VERSION;
    size_t nl = sizeof(name) - 1, vl = sizeof(version) - 1;
    if (vl > 100)
        vl = 100; /* keeps the field within b->scope */
    size_t inner = len_field(nl) + len_field(vl);
    uint8_t *p = b->scope;
    *p++ = TAG_SL_SCOPE;
    p = put_varint(p, inner);
    p = put_len_field(p, TAG_SCOPE_NAME, name, nl);
    p = put_len_field(p, TAG_SCOPE_VERSION, version, vl);
    b->scope_len = (size_t)(p - b->scope);
}

ad_err ad_otlp_batch_create(const ad_otlp_batch_opts *opts, ad_otlp_batch **out)
{
    *out = NULL;
    ad_otlp_batch *b = calloc(1, sizeof(*b));
    if (!b)
        return AD_ENOMEM;
    b->max_records = opts && opts->max_records ? opts->max_records : AD_OTLP_DEFAULT_MAX_RECORDS;
    if (b->max_records > AD_OTLP_MAX_RECORDS_CAP)
        b->max_records = AD_OTLP_MAX_RECORDS_CAP;
    b->max_bytes = opts && opts->max_bytes ? opts->max_bytes : AD_OTLP_DEFAULT_MAX_BYTES;
    if (b->max_bytes > AD_OTLP_MAX_BYTES_CAP)
        b->max_bytes = AD_OTLP_MAX_BYTES_CAP;
    ad_err err = build_common_resource(b, opts);
    if (err != AD_OK) {
        ad_otlp_batch_destroy(b);
        return err;
    }
    build_scope(b);
    for (int s = 0; s < AD_ASIM_SEVERITY__COUNT; s++) {
        b->sev_text[s] = ad_asim_severity_name((ad_asim_severity)s);
        b->sev_len[s] = strlen(b->sev_text[s]);
    }
    *out = b;
    return AD_OK;
}

void ad_otlp_batch_destroy(ad_otlp_batch *b)
{
    if (!b)
        return;
    for (unsigned i = 0; i < b->nsvcs; i++) {
        free(b->svcs[i].name);
        free(b->svcs[i].res);
        free(b->svcs[i].buf);
    }
    free(b->common_res);
    free(b->asm_buf);
    free(b);
}

void ad_otlp_batch_reset(ad_otlp_batch *b)
{
    for (unsigned i = 0; i < b->nactive; i++) {
        svc *s = &b->svcs[b->order[i]];
        s->rec_len = 0;
        s->count = 0;
        s->total = 0;
    }
    b->nactive = 0;
    b->count = 0;
    b->total = 0;
    b->finished = false;
    b->out_ptr = NULL;
    b->out_len = 0;
}

void ad_otlp_batch_set_observed_time(ad_otlp_batch *b, uint64_t unix_ns)
{
    b->observed_ns = unix_ns;
}

uint32_t ad_otlp_batch_count(const ad_otlp_batch *b)
{
    return b->count;
}

size_t ad_otlp_batch_size(const ad_otlp_batch *b)
{
    return b->total;
}

unsigned ad_otlp_batch_services(const ad_otlp_batch *b)
{
    return b->nactive;
}

uint32_t ad_otlp_batch_max_records(const ad_otlp_batch *b)
{
    return b->max_records;
}

size_t ad_otlp_batch_max_bytes(const ad_otlp_batch *b)
{
    return b->max_bytes;
}

/* ---------------------------------------------------------------------------------------- */
/* Services                                                                                   */
/* ---------------------------------------------------------------------------------------- */

/* ResourceLogs.resource field size for s (facts §1.2). */
static inline size_t res_field(const svc *s)
{
    return len_field(s->res_len);
}

/* Size of the whole ResourceLogs field (in the request) holding rec_len record bytes. */
static inline size_t svc_total(const ad_otlp_batch *b, const svc *s, size_t rec_len)
{
    size_t sl = b->scope_len + rec_len;
    size_t rl = res_field(s) + len_field(sl);
    return len_field(rl);
}

/* (Re)fills slot s for name: its Resource bytes and headroom. */
static ad_err svc_setup(ad_otlp_batch *b, svc *s, const char *name, size_t name_len)
{
    static const char key[] = "service.name";
    size_t klen = sizeof(key) - 1;
    size_t first = len_field(kv_str_size(klen, name_len));
    char *ncopy = malloc(name_len + 1);
    uint8_t *res = malloc(first + b->common_res_len);
    if (!ncopy || !res) {
        free(ncopy);
        free(res);
        return AD_ENOMEM;
    }
    memcpy(ncopy, name, name_len);
    ncopy[name_len] = '\0';
    uint8_t *p = put_kv_str_field(res, TAG_RES_ATTRIBUTES, key, klen, name, name_len);
    memcpy(p, b->common_res, b->common_res_len);
    size_t head = 1 + LEN_VARINT_MAX + len_field(first + b->common_res_len) + 1 + LEN_VARINT_MAX +
                  b->scope_len;
    if (s->buf && head > s->head) {
        /* The previous name had a shorter headroom: start the region afresh. */
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
    free(s->name);
    free(s->res);
    s->name = ncopy;
    s->name_len = name_len;
    s->name_ptr = name;
    s->res = res;
    s->res_len = first + b->common_res_len;
    if (!s->buf)
        s->head = head;
    return AD_OK;
}

/* The slot for name, creating or recycling one; -1 when every slot is busy in this batch. */
static int svc_find(ad_otlp_batch *b, const char *name, ad_err *err)
{
    *err = AD_OK;
    /* The previous record's service, the common case: one pointer test and a short compare
     * (the content is checked too, in case the caller reuses a buffer for another name). */
    if (b->nsvcs > 0 && b->svcs[b->last].name_ptr == name &&
        strcmp(b->svcs[b->last].name, name) == 0)
        return (int)b->last;
    size_t len = strlen(name);
    for (unsigned i = 0; i < b->nsvcs; i++) {
        svc *s = &b->svcs[i];
        if (s->name_len == len && memcmp(s->name, name, len) == 0) {
            s->name_ptr = name;
            return (int)i;
        }
    }
    if (!ad_utf8_valid(name, len)) {
        *err = AD_EINVAL;
        return -1;
    }
    unsigned slot;
    if (b->nsvcs < AD_OTLP_MAX_SERVICES) {
        slot = b->nsvcs;
    } else {
        /* Recycle a cached name that has no record in this batch. */
        for (slot = 0; slot < b->nsvcs && b->svcs[slot].count > 0; slot++)
            ;
        if (slot == b->nsvcs) {
            *err = AD_EFULL;
            return -1;
        }
    }
    ad_err e = svc_setup(b, &b->svcs[slot], name, len);
    if (e != AD_OK) {
        *err = e;
        return -1;
    }
    if (slot == b->nsvcs)
        b->nsvcs++;
    return (int)slot;
}

static ad_err svc_reserve(ad_otlp_batch *b, svc *s, size_t need)
{
    size_t want = s->head + s->rec_len + need;
    if (want <= s->cap)
        return AD_OK;
    size_t limit = s->head + b->max_bytes;
    size_t cap =
        s->cap ? s->cap : s->head + (b->max_bytes < REGION_INITIAL ? b->max_bytes : REGION_INITIAL);
    while (cap < want && cap < limit)
        cap = cap > limit / 2 ? limit : cap * 2;
    if (cap < want)
        cap = want; /* cannot happen: the records of a batch never pass max_bytes */
    uint8_t *nb = realloc(s->buf, cap);
    if (!nb)
        return AD_ENOMEM;
    s->buf = nb;
    s->cap = cap;
    return AD_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Records                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Most bytes an attribute field takes besides its key and string bytes: four tags, four
 * length varints of at most 5 bytes and an int64 varint of at most 10. */
#define ATTR_OVERHEAD 40u
/* Most bytes of a LogRecord's fields besides its attributes, severity text and body bytes:
 * the entry's tag and length, two timestamps, severity number, text and body headers. */
#define RECORD_OVERHEAD 64u
/* The entry's length varint is written as 2 bytes first (records of 128 B..16 KiB, nearly all
 * of them) and the record moved once if it needs another size. */
#define REC_LEN_GUESS 2u
/* klen[] of an attribute that is left out. */
#define NOT_WRITTEN SIZE_MAX

/* Writes one LogRecord.attributes field (KeyValue{key, AnyValue}, facts §1.3); k = key bytes. */
static inline uint8_t *put_attr(uint8_t *p, const ad_attr *at, size_t k)
{
    size_t av;
    if (at->kind == AD_ATTR_STR) {
        const char *str = at->str ? at->str : "";
        size_t len = at->str ? at->len : 0;
        if (k + len < 122) {
            /* Every length fits one varint byte: KeyValue = (2 + k) + (2 + (2 + len)). */
            p[0] = TAG_LR_ATTRIBUTES;
            p[1] = (uint8_t)(k + len + 6);
            p[2] = TAG_KV_KEY;
            p[3] = (uint8_t)k;
            p = put_bytes(p + 4, at->key, k);
            p[0] = TAG_KV_VALUE;
            p[1] = (uint8_t)(len + 2);
            p[2] = TAG_AV_STRING;
            p[3] = (uint8_t)len;
            return put_bytes(p + 4, str, len);
        }
        av = len_field(len);
        *p++ = TAG_LR_ATTRIBUTES;
        p = put_varint(p, len_field(k) + len_field(av));
        p = put_len_field(p, TAG_KV_KEY, at->key, k);
        *p++ = TAG_KV_VALUE;
        p = put_varint(p, av);
        return put_len_field(p, TAG_AV_STRING, str, len);
    }
    /* A oneof member is written even when zero or empty, so the type survives. */
    uint64_t v = at->kind == AD_ATTR_INT ? (uint64_t)at->num : at->num != 0;
    av = 1 + vlen(v);
    *p++ = TAG_LR_ATTRIBUTES;
    p = put_varint(p, len_field(k) + len_field(av));
    p = put_len_field(p, TAG_KV_KEY, at->key, k);
    *p++ = TAG_KV_VALUE;
    *p++ = (uint8_t)av; /* at most 11 */
    *p++ = at->kind == AD_ATTR_INT ? TAG_AV_INT : TAG_AV_BOOL;
    return put_varint(p, v);
}

/*
 * One pass: the record is written straight into its service's region (fields in field-number
 * order, every nested length computed where it is written), then measured; the limits are
 * checked on the exact size before the record is counted, so a record that does not fit
 * leaves only bytes past the region's end, which the next record overwrites.
 */
ad_err ad_otlp_batch_add(ad_otlp_batch *b, const ad_asim *a, uint64_t observed_ns)
{
    if (b->finished)
        return AD_EINVAL;
    if (b->count >= b->max_records)
        return AD_EFULL;
    if (observed_ns == 0)
        observed_ns = b->observed_ns;

    const char *name = a->service_name && a->service_name[0] ? a->service_name : "unknown_service";
    ad_err err;
    int slot = svc_find(b, name, &err);
    if (slot < 0)
        return err == AD_EFULL && b->count == 0 ? AD_ERANGE : err;
    svc *s = &b->svcs[slot];

    /* Room: an upper bound of the record's size (key lengths kept for the writing). */
    size_t klen[AD_ASIM_MAX_ATTRS];
    unsigned nattrs = a->nattrs < AD_ASIM_MAX_ATTRS ? a->nattrs : AD_ASIM_MAX_ATTRS;
    uint64_t sevnum = (uint64_t)(int64_t)a->severity_number;
    size_t sev_len = 0;
    const char *sev_text = "";
    if ((unsigned)a->severity < AD_ASIM_SEVERITY__COUNT) {
        sev_text = b->sev_text[a->severity];
        sev_len = b->sev_len[a->severity];
    }
    size_t body_len = a->body_len < sizeof(a->body) ? a->body_len : 0;
    size_t bound = RECORD_OVERHEAD + sev_len + body_len;
    for (unsigned i = 0; i < nattrs; i++) {
        const ad_attr *at = &a->attrs[i];
        size_t k = NOT_WRITTEN; /* no key, or a kind this encoder does not know */
        if (at->key &&
            (at->kind == AD_ATTR_STR || at->kind == AD_ATTR_INT || at->kind == AD_ATTR_BOOL)) {
            k = at->key_len ? at->key_len : strlen(at->key);
            bound += k + ATTR_OVERHEAD + (at->kind == AD_ATTR_STR && at->str ? at->len : 0);
        }
        klen[i] = k;
    }
    if ((err = svc_reserve(b, s, bound)) != AD_OK)
        return err;

    /* The fields (facts §1.2, §1.3), after room for the entry's tag and length. */
    uint8_t *const begin = s->buf + s->head + s->rec_len;
    uint8_t *const fields = begin + 1 + REC_LEN_GUESS;
    uint8_t *p = fields;
    if (a->time_ns != 0) {
        *p++ = TAG_LR_TIME;
        p = put_fixed64(p, a->time_ns);
    }
    if (sevnum != 0) {
        *p++ = TAG_LR_SEVERITY_NUMBER;
        p = put_varint(p, sevnum);
    }
    if (sev_len)
        p = put_len_field(p, TAG_LR_SEVERITY_TEXT, sev_text, sev_len);
    if (body_len) {
        *p++ = TAG_LR_BODY;
        p = put_varint(p, len_field(body_len));
        p = put_len_field(p, TAG_AV_STRING, a->body, body_len);
    }
    for (unsigned i = 0; i < nattrs; i++) {
        if (klen[i] != NOT_WRITTEN)
            p = put_attr(p, &a->attrs[i], klen[i]);
    }
    if (observed_ns != 0) {
        *p++ = TAG_LR_OBSERVED_TIME;
        p = put_fixed64(p, observed_ns);
    }
    size_t rec = (size_t)(p - fields);
    assert(rec + 1 + LEN_VARINT_MAX <= bound);
    size_t rec_vlen = vlen(rec);
    if (rec_vlen != REC_LEN_GUESS)
        memmove(begin + 1 + rec_vlen, fields, rec);
    begin[0] = TAG_SL_LOG_RECORDS; /* ScopeLogs.log_records entry */
    put_varint(begin + 1, rec);
    size_t field = 1 + rec_vlen + rec;

    /* Limits: exact request size with this record. */
    if (svc_total(b, s, field) > b->max_bytes)
        return AD_ERANGE; /* could never be sent, whatever the batch holds */
    size_t new_total = b->total - s->total + svc_total(b, s, s->rec_len + field);
    if (new_total > b->max_bytes)
        return AD_EFULL;

    /* Book-keeping. */
    if (s->count == 0)
        b->order[b->nactive++] = (unsigned)slot;
    s->rec_len += field;
    s->count++;
    s->total = svc_total(b, s, s->rec_len);
    b->total = new_total;
    b->count++;
    b->last = (unsigned)slot;
    return AD_OK;
}

/* ---------------------------------------------------------------------------------------- */
/* Finish                                                                                     */
/* ---------------------------------------------------------------------------------------- */

/* Writes s's ResourceLogs header into its headroom; sets s->start. */
static void svc_write_header(const ad_otlp_batch *b, svc *s)
{
    size_t sl = b->scope_len + s->rec_len;
    size_t rl = res_field(s) + len_field(sl);
    size_t hdr = 1 + vlen(rl) + res_field(s) + 1 + vlen(sl) + b->scope_len;
    s->start = s->head - hdr;
    uint8_t *p = s->buf + s->start;
    *p++ = TAG_REQ_RESOURCE_LOGS;
    p = put_varint(p, rl);
    p = put_len_field(p, TAG_RL_RESOURCE, s->res, s->res_len);
    *p++ = TAG_RL_SCOPE_LOGS;
    p = put_varint(p, sl);
    p = put_bytes(p, b->scope, b->scope_len);
}

ad_err ad_otlp_batch_finish(ad_otlp_batch *b, const uint8_t **data, size_t *len)
{
    if (b->count == 0)
        return AD_EEMPTY;
    if (!b->finished) {
        for (unsigned i = 0; i < b->nactive; i++)
            svc_write_header(b, &b->svcs[b->order[i]]);
        if (b->nactive == 1) {
            svc *s = &b->svcs[b->order[0]];
            b->out_ptr = s->buf + s->start;
        } else {
            if (b->asm_cap < b->total) {
                size_t cap = b->asm_cap ? b->asm_cap : REGION_INITIAL;
                while (cap < b->total && cap < b->max_bytes)
                    cap = cap > b->max_bytes / 2 ? b->max_bytes : cap * 2;
                if (cap < b->total)
                    cap = b->total;
                uint8_t *nb = realloc(b->asm_buf, cap);
                if (!nb)
                    return AD_ENOMEM;
                b->asm_buf = nb;
                b->asm_cap = cap;
            }
            uint8_t *p = b->asm_buf;
            for (unsigned i = 0; i < b->nactive; i++) {
                const svc *s = &b->svcs[b->order[i]];
                size_t n = s->head + s->rec_len - s->start;
                memcpy(p, s->buf + s->start, n);
                p += n;
            }
            b->out_ptr = b->asm_buf;
        }
        b->out_len = b->total;
        b->finished = true;
    }
    *data = b->out_ptr;
    *len = b->out_len;
    return AD_OK;
}

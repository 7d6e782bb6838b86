/*
 * asimdns config: applying a YAML tree to a struct through an ad__cfg_entry table.
 *
 * Values are parsed by one function (map_scalar) both for defaults and for input, so a
 * default can never be something the file could not say.
 */
#include "config/cfg_map.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/cfg_error.h"
#include "config/cfg_value.h"

enum { PATH_MAX_LEN = 192, WHY_MAX = 256 };

ad_err ad__cfg_fail(ad__cfg_ctx *ctx, uint32_t node, const char *fmt, ...)
{
    char msg[AD_CONFIG_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* Node 0 ("no node") blames the start of the file rather than nothing. */
    uint32_t line = 1, column = 1;
    if (node != 0) {
        line = ad__cfg_node_get(ctx->tree, node)->line;
        column = ad__cfg_node_get(ctx->tree, node)->column;
    }
    ad__cfg_errorf(ctx->err, ctx->errlen, ctx->file, line, column, "%s", msg);
    return AD_EINVAL;
}

static void map_join(char *out, size_t n, const char *path, const char *name)
{
    if (path[0] == '\0')
        snprintf(out, n, "%s", name);
    else
        snprintf(out, n, "%s.%s", path, name);
}

static uint64_t map_size_max(size_t size)
{
    return size >= 8 ? UINT64_MAX : (((uint64_t)1 << (size * 8)) - 1);
}

static void map_store_uint(void *field, size_t size, uint64_t v)
{
    switch (size) {
    case 1: {
        uint8_t x = (uint8_t)v;
        memcpy(field, &x, 1);
        break;
    }
    case 2: {
        uint16_t x = (uint16_t)v;
        memcpy(field, &x, 2);
        break;
    }
    case 4: {
        uint32_t x = (uint32_t)v;
        memcpy(field, &x, 4);
        break;
    }
    default:
        memcpy(field, &v, 8);
        break;
    }
}

static const char *map_kind_name(ad__cfg_kind kind)
{
    switch (kind) {
    case AD__CFG_MAPPING:
        return "a mapping";
    case AD__CFG_SEQUENCE:
        return "a list";
    default:
        return "a single value";
    }
}

/* "etw, etl, replay" for messages. */
static void map_enum_names(const ad__cfg_enum *names, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (const ad__cfg_enum *e = names; e->name != NULL && len < n; e++) {
        int w = snprintf(out + len, n - len, "%s%s", e == names ? "" : ", ", e->name);
        if (w < 0)
            return;
        len += (size_t)w;
    }
}

static bool map_enum_lookup(const ad__cfg_enum *names, const char *text, int *out)
{
    for (const ad__cfg_enum *e = names; e->name != NULL; e++) {
        if (strcmp(e->name, text) == 0) {
            *out = e->value;
            return true;
        }
    }
    return false;
}

/* Range of an integer-like entry; min = max = 0 stands for the whole field. */
static void map_range(const ad__cfg_entry *e, size_t size, uint64_t *lo, uint64_t *hi)
{
    *lo = e->min;
    *hi = e->max;
    if (e->min == 0 && e->max == 0)
        *hi = map_size_max(size);
}

/* Writes "must be between LO and HI, got SHOWN" (SHOWN is "<redacted>" for secrets). */
static void map_range_why(const ad__cfg_entry *e, uint64_t lo, uint64_t hi, const char *shown,
                          char *why, size_t whylen)
{
    if (e->type == AD__CFG_T_SIZE || e->type == AD__CFG_T_DURATION) {
        char a[32], b[32];
        if (e->type == AD__CFG_T_SIZE) {
            ad__cfg_format_size(lo, a, sizeof(a));
            ad__cfg_format_size(hi, b, sizeof(b));
        } else {
            ad__cfg_format_duration(lo, a, sizeof(a));
            ad__cfg_format_duration(hi, b, sizeof(b));
        }
        snprintf(why, whylen, "must be between %s and %s, got '%s'", a, b, shown);
    } else {
        snprintf(why, whylen, "must be between %llu and %llu, got '%s'", (unsigned long long)lo,
                 (unsigned long long)hi, shown);
    }
}

static bool map_check_mode(const ad__cfg_entry *e, uint32_t mode, char *why, size_t whylen)
{
    if ((e->flags & AD__CFG_F_OWNER_RW) && (mode & 0600) != 0600) {
        snprintf(why, whylen, "must give the owner read and write (0600)");
        return false;
    }
    if ((e->flags & AD__CFG_F_NO_GROUP_W) && (mode & 0020)) {
        snprintf(why, whylen, "must not let the group write (the reader maps it read-only)");
        return false;
    }
    if ((e->flags & AD__CFG_F_NO_OTHER_W) && (mode & 0002)) {
        snprintf(why, whylen, "must not let other users write");
        return false;
    }
    return true;
}

/* Copies text into a char[size] field after the checks every string gets. */
static bool map_string(ad__cfg_check_fn check, const char *text, char *field, size_t size,
                       char *why, size_t whylen)
{
    size_t len = strlen(text);
    if (len >= size) {
        snprintf(why, whylen, "is longer than %zu bytes", size - 1);
        return false;
    }
    if (!ad__cfg_text_printable(text)) {
        snprintf(why, whylen, "contains a control character");
        return false;
    }
    memcpy(field, text, len + 1);
    if (check != NULL && !check(field, why, whylen)) {
        field[0] = '\0';
        return false;
    }
    return true;
}

/*
 * Parses the scalar text as entry e into field. On failure writes the reason (without the
 * key, which the caller adds) to why.
 */
static bool map_scalar(const ad__cfg_entry *e, const char *text, void *field, char *why,
                       size_t whylen)
{
    bool secret = (e->flags & AD__CFG_F_SECRET) != 0;
    char ex[64];
    const char *shown = secret ? "<redacted>" : ad__cfg_excerpt(text, ex, sizeof(ex));
    uint64_t v, lo, hi;
    switch (e->type) {
    case AD__CFG_T_STR:
        return map_string(e->check, text, field, e->size, why, whylen);
    case AD__CFG_T_BOOL: {
        bool b;
        if (!ad__cfg_parse_bool(text, &b)) {
            snprintf(why, whylen, "must be true or false, got '%s'", shown);
            return false;
        }
        memcpy(field, &b, sizeof(b));
        return true;
    }
    case AD__CFG_T_UINT:
        if (!ad__cfg_parse_u64(text, &v)) {
            snprintf(why, whylen, "must be a whole number (decimal or 0x hex), got '%s'", shown);
            return false;
        }
        map_range(e, e->size, &lo, &hi);
        if (v < lo || v > hi) {
            map_range_why(e, lo, hi, shown, why, whylen);
            return false;
        }
        map_store_uint(field, e->size, v);
        return true;
    case AD__CFG_T_SIZE: {
        ad_err rc = ad__cfg_parse_size(text, &v);
        if (rc != AD_OK) {
            snprintf(why, whylen,
                     rc == AD_ERANGE
                         ? "is too large, got '%s'"
                         : "is not a size (bytes, or a B/KiB/MiB/GiB/TiB suffix), got '%s'",
                     shown);
            return false;
        }
        map_range(e, 8, &lo, &hi);
        if (v < lo || v > hi) {
            map_range_why(e, lo, hi, shown, why, whylen);
            return false;
        }
        if ((e->flags & AD__CFG_F_POW2) && (v & (v - 1)) != 0) {
            snprintf(why, whylen, "must be a power of two, got '%s'", shown);
            return false;
        }
        memcpy(field, &v, sizeof(v));
        return true;
    }
    case AD__CFG_T_DURATION: {
        ad_err rc = ad__cfg_parse_duration_ms(text, &v);
        if (rc != AD_OK) {
            snprintf(why, whylen,
                     rc == AD_ERANGE ? "is too long, got '%s'"
                                     : "is not a duration (like 500ms, 10s, 1m30s, 1h), got '%s'",
                     shown);
            return false;
        }
        map_range(e, 8, &lo, &hi);
        if (v < lo || v > hi) {
            map_range_why(e, lo, hi, shown, why, whylen);
            return false;
        }
        memcpy(field, &v, sizeof(v));
        return true;
    }
    case AD__CFG_T_MODE: {
        uint32_t mode;
        if (!ad__cfg_parse_mode(text, &mode)) {
            snprintf(why, whylen, "must be octal permission bits like \"0640\", got '%s'", shown);
            return false;
        }
        if (!map_check_mode(e, mode, why, whylen))
            return false;
        memcpy(field, &mode, sizeof(mode));
        return true;
    }
    case AD__CFG_T_ENUM: {
        int value;
        if (!map_enum_lookup(e->aux, text, &value)) {
            char names[256];
            map_enum_names(e->aux, names, sizeof(names));
            snprintf(why, whylen, "must be one of %s; got '%s'", names, shown);
            return false;
        }
        map_store_uint(field, e->size, (uint64_t)value);
        return true;
    }
    case AD__CFG_T_GUID: {
        ad_guid g;
        if (!ad_guid_parse(text, strlen(text), &g)) {
            snprintf(why, whylen,
                     "is not a GUID like {EB79061A-A566-4698-9119-3ED2807060E7}, got '%s'", shown);
            return false;
        }
        memcpy(field, &g, sizeof(g));
        return true;
    }
    case AD__CFG_T_DOUBLE: {
        double d;
        if (!ad__cfg_parse_double(text, &d)) {
            snprintf(why, whylen, "must be a decimal number like 1.5, got '%s'", shown);
            return false;
        }
        if (d < e->dmin || d > e->dmax) {
            char a[32], b[32];
            ad__cfg_format_double(e->dmin, a, sizeof(a));
            ad__cfg_format_double(e->dmax, b, sizeof(b));
            snprintf(why, whylen, "must be between %s and %s, got '%s'", a, b, shown);
            return false;
        }
        memcpy(field, &d, sizeof(d));
        return true;
    }
    default:
        snprintf(why, whylen, "has an unsupported type");
        return false;
    }
}

ad_err ad__cfg_set_defaults(const ad__cfg_entry *table, void *base, char *err, size_t errlen)
{
    for (const ad__cfg_entry *e = table; e->type != AD__CFG_T_END; e++) {
        if (e->type == AD__CFG_T_SECTION) {
            ad_err rc = ad__cfg_set_defaults(e->aux, (char *)base + e->offset, err, errlen);
            if (rc != AD_OK)
                return rc;
            continue;
        }
        if (e->def == NULL || (e->flags & AD__CFG_F_ALIAS))
            continue;
        char why[WHY_MAX];
        if (!map_scalar(e, e->def, (char *)base + e->offset, why, sizeof(why))) {
            snprintf(err, errlen, "internal error: default of '%s' %s", e->name, why);
            return AD_EINVAL;
        }
    }
    return AD_OK;
}

/* The value node must be a scalar with a value; reports the error otherwise. */
static ad_err map_want_scalar(ad__cfg_ctx *ctx, uint32_t value, const char *key)
{
    const ad__cfg_node *n = ad__cfg_node_get(ctx->tree, value);
    if (n->kind != AD__CFG_SCALAR)
        return ad__cfg_fail(ctx, value, "'%s' must be a single value, found %s", key,
                            map_kind_name(n->kind));
    if (ad__cfg_is_null(ctx->tree, value))
        return ad__cfg_fail(ctx, value, "'%s' has no value", key);
    return AD_OK;
}

/* A collection value must be of the wanted kind; a null counts as empty. */
static ad_err map_want_kind(ad__cfg_ctx *ctx, uint32_t value, const char *key, ad__cfg_kind kind,
                            bool *empty)
{
    const ad__cfg_node *n = ad__cfg_node_get(ctx->tree, value);
    *empty = false;
    if (ad__cfg_is_null(ctx->tree, value)) {
        *empty = true;
        return AD_OK;
    }
    if (n->kind != kind)
        return ad__cfg_fail(ctx, value, "'%s' must be %s, found %s", key, map_kind_name(kind),
                            map_kind_name(n->kind));
    return AD_OK;
}

static ad_err map_list(ad__cfg_ctx *ctx, const ad__cfg_entry *e, uint32_t value, const char *key)
{
    const ad__cfg_list *l = e->aux;
    bool empty;
    ad_err rc = map_want_kind(ctx, value, key, AD__CFG_SEQUENCE, &empty);
    if (rc != AD_OK || empty)
        return rc;
    uint32_t count = 0;
    char *array = (char *)ctx->base + e->offset;
    for (uint32_t i = ad__cfg_node_get(ctx->tree, value)->first; i != 0;
         i = ad__cfg_node_get(ctx->tree, i)->next) {
        char item[PATH_MAX_LEN + 16];
        snprintf(item, sizeof(item), "%s[%u]", key, (unsigned)count);
        if (count >= l->capacity)
            return ad__cfg_fail(ctx, i, "'%s' holds more than %zu entries", key, l->capacity);
        rc = map_want_scalar(ctx, i, item);
        if (rc != AD_OK)
            return rc;
        const char *text = ad__cfg_text(ctx->tree, i);
        void *slot = array + (size_t)count * l->elem_size;
        char why[WHY_MAX];
        uint32_t named;
        char ex[64];
        bool by_name = l->elem == AD__CFG_T_UINT && l->parse_name != NULL;
        if (by_name && l->parse_name(text, strlen(text), &named)) {
            map_store_uint(slot, l->elem_size, named);
        } else if (by_name && !(text[0] >= '0' && text[0] <= '9')) {
            return ad__cfg_fail(ctx, i, "'%s' must be a number or a known name, got '%s'", item,
                                ad__cfg_excerpt(text, ex, sizeof(ex)));
        } else {
            ad__cfg_entry elem = *e;
            elem.type = l->elem;
            elem.size = l->elem_size;
            if (!map_scalar(&elem, text, slot, why, sizeof(why)))
                return ad__cfg_fail(ctx, i, "'%s' %s", item, why);
        }
        count++;
    }
    memcpy((char *)ctx->base + l->count_offset, &count, sizeof(count));
    return AD_OK;
}

static ad_err map_kv(ad__cfg_ctx *ctx, const ad__cfg_entry *e, uint32_t value, const char *key)
{
    const ad__cfg_kv *kv = e->aux;
    bool empty;
    ad_err rc = map_want_kind(ctx, value, key, AD__CFG_MAPPING, &empty);
    if (rc != AD_OK || empty)
        return rc;
    uint32_t count = 0;
    char *array = (char *)ctx->base + e->offset;
    const ad__cfg_tree *t = ctx->tree;
    for (uint32_t k = ad__cfg_node_get(t, value)->first; k != 0;) {
        uint32_t v = ad__cfg_node_get(t, k)->next;
        const char *name = ad__cfg_text(t, k);
        char ex[64], why[WHY_MAX], item[PATH_MAX_LEN + 64];
        if (count >= kv->capacity)
            return ad__cfg_fail(ctx, k, "'%s' holds more than %zu entries", key, kv->capacity);
        char *slot = array + (size_t)count * kv->elem_size;
        char *kfield = slot + kv->key_offset;
        if (!map_string(kv->key_check, name, kfield, kv->key_size, why, sizeof(why)))
            return ad__cfg_fail(ctx, k, "'%s' key '%s' %s", key,
                                ad__cfg_excerpt(name, ex, sizeof(ex)), why);
        for (uint32_t j = 0; j < count; j++) {
            const char *other = array + (size_t)j * kv->elem_size + kv->key_offset;
            if (kv->icase_keys && ad__cfg_text_ieq(other, kfield))
                return ad__cfg_fail(ctx, k, "'%s' has '%s' twice (names ignore case)", key,
                                    ad__cfg_excerpt(name, ex, sizeof(ex)));
        }
        snprintf(item, sizeof(item), "%s.%s", key, ad__cfg_excerpt(name, ex, sizeof(ex)));
        rc = map_want_scalar(ctx, v, item);
        if (rc != AD_OK)
            return rc;
        ad__cfg_entry val = *e;
        val.type = AD__CFG_T_STR;
        val.size = kv->value_size;
        val.check = NULL;
        if (!map_scalar(&val, ad__cfg_text(t, v), slot + kv->value_offset, why, sizeof(why)))
            return ad__cfg_fail(ctx, v, "'%s' %s", item, why); /* never quotes the value */
        count++;
        k = v == 0 ? 0 : ad__cfg_node_get(t, v)->next;
    }
    memcpy((char *)ctx->base + kv->count_offset, &count, sizeof(count));
    return AD_OK;
}

static const ad__cfg_entry *map_lookup(const ad__cfg_entry *table, const char *name)
{
    for (const ad__cfg_entry *e = table; e->type != AD__CFG_T_END; e++) {
        if (strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

ad_err ad__cfg_apply(ad__cfg_ctx *ctx, const ad__cfg_entry *table, uint32_t map, const char *path)
{
    const ad__cfg_tree *t = ctx->tree;
    for (uint32_t k = ad__cfg_node_get(t, map)->first; k != 0;) {
        uint32_t v = ad__cfg_node_get(t, k)->next;
        const char *name = ad__cfg_text(t, k);
        const ad__cfg_entry *e = map_lookup(table, name);
        char ex[64], key[PATH_MAX_LEN];
        if (e == NULL) {
            if (path[0] == '\0')
                return ad__cfg_fail(ctx, k, "unknown key '%s' at the top level",
                                    ad__cfg_excerpt(name, ex, sizeof(ex)));
            return ad__cfg_fail(ctx, k, "unknown key '%s' in '%s'",
                                ad__cfg_excerpt(name, ex, sizeof(ex)), path);
        }
        map_join(key, sizeof(key), path, e->name);
        ad_err rc;
        bool empty;
        switch (e->type) {
        case AD__CFG_T_SECTION:
            rc = map_want_kind(ctx, v, key, AD__CFG_MAPPING, &empty);
            if (rc == AD_OK && !empty) {
                void *base = ctx->base;
                ctx->base = (char *)base + e->offset;
                rc = ad__cfg_apply(ctx, e->aux, v, key);
                ctx->base = base;
            }
            break;
        case AD__CFG_T_LIST:
            rc = map_list(ctx, e, v, key);
            break;
        case AD__CFG_T_MAP:
            rc = map_kv(ctx, e, v, key);
            break;
        case AD__CFG_T_CUSTOM:
            rc = ((const ad__cfg_custom *)e->aux)->apply(ctx, e, v, key);
            break;
        default:
            rc = map_want_scalar(ctx, v, key);
            if (rc == AD_OK) {
                char why[WHY_MAX];
                if (!map_scalar(e, ad__cfg_text(t, v), (char *)ctx->base + e->offset, why,
                                sizeof(why)))
                    rc = ad__cfg_fail(ctx, v, "'%s' %s", key, why);
            }
            break;
        }
        if (rc != AD_OK)
            return rc;
        k = ad__cfg_node_get(t, v)->next;
    }
    return AD_OK;
}

uint32_t ad__cfg_find(const ad__cfg_tree *t, uint32_t root, const char *path, uint32_t *key_node)
{
    uint32_t node = root;
    char part[64];
    const char *p = path;
    while (node != 0) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof(part))
            return 0;
        memcpy(part, p, n);
        part[n] = '\0';
        node = ad__cfg_map_find(t, node, part, key_node);
        if (p[n] == '\0')
            return node;
        p += n + 1;
    }
    return 0;
}

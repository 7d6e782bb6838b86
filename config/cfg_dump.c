/*
 * asimdns config: printing the effective configuration through the table, one "key: value"
 * line per setting. Secret entries print "<redacted>" when set, so a dump can go to a log.
 */
#include "config/cfg_map.h"

#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "config/cfg_value.h"

#define DUMP_REDACTED "<redacted>"

static uint64_t dump_load_uint(const void *field, size_t size)
{
    switch (size) {
    case 1: {
        uint8_t x;
        memcpy(&x, field, 1);
        return x;
    }
    case 2: {
        uint16_t x;
        memcpy(&x, field, 2);
        return x;
    }
    case 4: {
        uint32_t x;
        memcpy(&x, field, 4);
        return x;
    }
    default: {
        uint64_t x;
        memcpy(&x, field, 8);
        return x;
    }
    }
}

static const char *dump_enum_name(const ad__cfg_enum *names, uint64_t v)
{
    for (const ad__cfg_enum *e = names; e != NULL && e->name != NULL; e++) {
        if ((uint64_t)e->value == v)
            return e->name;
    }
    return NULL;
}

/* Appends one scalar value in the file's syntax. */
static void dump_scalar(ad_strbuf *sb, const ad__cfg_entry *e, ad__cfg_type type, size_t size,
                        const void *field)
{
    char buf[64];
    switch (type) {
    case AD__CFG_T_STR: {
        const char *s = field;
        if (s[0] == '\0')
            ad_strbuf_puts(sb, "\"\"");
        else if (e->flags & AD__CFG_F_SECRET)
            ad_strbuf_puts(sb, DUMP_REDACTED);
        else
            ad_strbuf_puts(sb, s);
        break;
    }
    case AD__CFG_T_BOOL: {
        bool b;
        memcpy(&b, field, sizeof(b));
        ad_strbuf_puts(sb, b ? "true" : "false");
        break;
    }
    case AD__CFG_T_UINT:
        if (e->flags & AD__CFG_F_HEX)
            ad_strbuf_printf(sb, "0x%llX", (unsigned long long)dump_load_uint(field, size));
        else
            ad_strbuf_u64(sb, dump_load_uint(field, size));
        break;
    case AD__CFG_T_SIZE:
        ad__cfg_format_size(dump_load_uint(field, 8), buf, sizeof(buf));
        ad_strbuf_puts(sb, buf);
        break;
    case AD__CFG_T_DURATION:
        ad__cfg_format_duration(dump_load_uint(field, 8), buf, sizeof(buf));
        ad_strbuf_puts(sb, buf);
        break;
    case AD__CFG_T_MODE:
        ad_strbuf_printf(sb, "\"%04o\"", (unsigned)dump_load_uint(field, 4));
        break;
    case AD__CFG_T_ENUM: {
        const char *name = dump_enum_name(e->aux, dump_load_uint(field, size));
        ad_strbuf_puts(sb, name ? name : "?");
        break;
    }
    case AD__CFG_T_GUID: {
        static const ad_guid zero;
        if (memcmp(field, &zero, sizeof(zero)) == 0) {
            ad_strbuf_puts(sb, "\"\"");
        } else {
            char g[40];
            ad__cfg_format_guid(field, g, sizeof(g));
            ad_strbuf_printf(sb, "\"%s\"", g);
        }
        break;
    }
    case AD__CFG_T_DOUBLE: {
        double d;
        memcpy(&d, field, sizeof(d));
        ad__cfg_format_double(d, buf, sizeof(buf));
        ad_strbuf_puts(sb, buf);
        break;
    }
    default:
        break;
    }
}

static void dump_list(const ad__cfg_entry *e, const void *base, const char *key,
                      ad_config_line_fn line, void *lctx)
{
    const ad__cfg_list *l = e->aux;
    /* The longest list (64 domain names) fits; a cut line ends in "...". */
    char text[20480];
    ad_strbuf sb;
    uint32_t count;
    memcpy(&count, (const char *)base + l->count_offset, sizeof(count));
    ad_strbuf_init(&sb, text, sizeof(text));
    ad_strbuf_printf(&sb, "%s: [", key);
    for (uint32_t i = 0; i < count && i < l->capacity; i++) {
        const char *slot = (const char *)base + e->offset + (size_t)i * l->elem_size;
        if (i > 0)
            ad_strbuf_puts(&sb, ", ");
        const char *name =
            l->format_name ? l->format_name((uint32_t)dump_load_uint(slot, l->elem_size)) : NULL;
        if (name != NULL)
            ad_strbuf_puts(&sb, name);
        else
            dump_scalar(&sb, e, l->elem, l->elem_size, slot);
    }
    ad_strbuf_putc(&sb, ']');
    if (ad_strbuf_overflowed(&sb))
        memcpy(text + sizeof(text) - 4, "...", 4);
    line(lctx, text);
}

static void dump_kv(const ad__cfg_entry *e, const void *base, const char *key,
                    ad_config_line_fn line, void *lctx)
{
    const ad__cfg_kv *kv = e->aux;
    uint32_t count;
    char text[4608];
    memcpy(&count, (const char *)base + kv->count_offset, sizeof(count));
    if (count == 0) {
        snprintf(text, sizeof(text), "%s: {}", key);
        line(lctx, text);
        return;
    }
    for (uint32_t i = 0; i < count && i < kv->capacity; i++) {
        const char *slot = (const char *)base + e->offset + (size_t)i * kv->elem_size;
        const char *value = slot + kv->value_offset;
        if (e->flags & AD__CFG_F_SECRET)
            value = DUMP_REDACTED;
        snprintf(text, sizeof(text), "%s.%s: %.*s", key, slot + kv->key_offset, (int)kv->value_size,
                 value);
        line(lctx, text);
    }
}

void ad__cfg_dump(const ad__cfg_entry *table, const void *base, const char *path,
                  ad_config_line_fn line, void *lctx)
{
    for (const ad__cfg_entry *e = table; e->type != AD__CFG_T_END; e++) {
        char key[192];
        if (e->flags & AD__CFG_F_ALIAS)
            continue;
        if (path[0] == '\0')
            snprintf(key, sizeof(key), "%s", e->name);
        else
            snprintf(key, sizeof(key), "%s.%s", path, e->name);
        switch (e->type) {
        case AD__CFG_T_SECTION:
            ad__cfg_dump(e->aux, (const char *)base + e->offset, key, line, lctx);
            break;
        case AD__CFG_T_LIST:
            dump_list(e, base, key, line, lctx);
            break;
        case AD__CFG_T_MAP:
            dump_kv(e, base, key, line, lctx);
            break;
        case AD__CFG_T_CUSTOM:
            ((const ad__cfg_custom *)e->aux)->dump(e, base, key, line, lctx);
            break;
        default: {
            char text[AD_CONFIG_URL_MAX + 256];
            ad_strbuf sb;
            ad_strbuf_init(&sb, text, sizeof(text));
            ad_strbuf_printf(&sb, "%s: ", key);
            dump_scalar(&sb, e, e->type, e->size, (const char *)base + e->offset);
            line(lctx, text);
            break;
        }
        }
    }
}

int ad__cfg_check_verdict(const char *path, ad_err rc, const char *err, FILE *out, FILE *errout)
{
    if (rc != AD_OK) {
        fprintf(errout, "%s\n", err);
        return 1;
    }
    fprintf(out, "# %s: OK\n", path);
    return 0;
}

void ad__cfg_print_line(void *ctx, const char *line)
{
    fprintf((FILE *)ctx, "%s\n", line);
}

/*
 * asimdns config: exporter.yaml `filters`, a list of named rules (docs/CONFIG.md "filters").
 *
 * Each rule is a mapping: name, action (drop | keep) and any of the field keys below, each a
 * value or a list of values. Values are parsed here, once, into ad_config_filter_value so the
 * exporter only builds its lookup structures from them. The old form (filters.event_ids /
 * qtypes / domains with include and exclude) is refused at its key with what to write instead.
 */
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"
#include "common/dns_tables.h"
#include "common/record.h"
#include "config/cfg_error.h"
#include "config/cfg_map.h"
#include "config/exporter_filters.h"
#include "config/exporter_internal.h"

/* Field keys of a rule, in ad_filter_field order. */
static const char *const field_keys[AD_FF__COUNT] = {
    [AD_FF_EVENT_ID] = "event_ids",
    [AD_FF_PROVIDER] = "provider",
    [AD_FF_EVENT_RESULT] = "event_result",
    [AD_FF_RESULT_DETAILS] = "event_result_details",
    [AD_FF_DNS_QUERY] = "dns_query",
    [AD_FF_QTYPE] = "dns_query_type",
    [AD_FF_SRC_IP] = "src_ip",
    [AD_FF_DST_IP] = "dst_ip",
    [AD_FF_DVC_IP] = "dvc_ip",
    [AD_FF_PROTOCOL] = "network_protocol",
};

const char *ad_filter_field_key(ad_filter_field field)
{
    return (unsigned)field < AD_FF__COUNT ? field_keys[field] : "";
}

static bool ieq(const char *a, const char *b)
{
    return ad__cfg_text_ieq(a, b);
}

/* Decimal, or hex with 0x (as the other integer keys). */
static bool parse_uint(const char *text, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    if (text[0] == '\0')
        return false;
    for (const char *p = text; *p != '\0'; p++) {
        int d = ad_hex_digit(*p);
        if (d < 0 || (unsigned)d >= base)
            return false;
        v = v * base + (unsigned)d;
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Stores text[len] (NUL-terminated) in the rules' text area; false when it is full. */
static bool put_text(ad_config_filters *f, const char *text, size_t len, ad_config_filter_value *v)
{
    if (len + 1 > sizeof(f->text) - f->text_len)
        return false;
    v->text = f->text_len;
    v->text_len = (uint32_t)len;
    memcpy(f->text + f->text_len, text, len);
    f->text[f->text_len + len] = '\0';
    f->text_len += (uint32_t)len + 1;
    return true;
}

/*
 * A dns_query pattern: "x.com" (only x.com), "*.x.com" (subdomains only, as the AMA
 * connector), "**.x.com" (x.com and subdomains) or "*" (any name). One trailing dot ignored;
 * stored lower case. why receives the reason on failure.
 */
static bool parse_name(ad_config_filters *f, const char *text, ad_config_filter_value *v, char *why,
                       size_t whylen)
{
    if (strcmp(text, "*") == 0 || strcmp(text, "**") == 0) {
        v->kind = AD_NAME_ANY;
        return put_text(f, "", 0, v) || (snprintf(why, whylen, "no room left for names"), false);
    }
    const char *s = text;
    v->kind = AD_NAME_EXACT;
    if (strncmp(s, "**.", 3) == 0) {
        v->kind = AD_NAME_SELF_AND_SUB;
        s += 3;
    } else if (strncmp(s, "*.", 2) == 0) {
        v->kind = AD_NAME_SUBDOMAINS;
        s += 2;
    }
    char name[AD_CONFIG_DOMAIN_MAX + 2];
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0 || n > 253) {
        snprintf(why, whylen, "is not a name pattern ('x.com', '*.x.com', '**.x.com' or '*')");
        return false;
    }
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '*') {
            snprintf(why, whylen,
                     "has '*' inside the name: only a whole first label ('*.x.com', "
                     "'**.x.com') or '*' alone");
            return false;
        }
        if (c == '.') {
            if (label == 0) {
                snprintf(why, whylen, "has an empty label");
                return false;
            }
            label = 0;
        } else if ((unsigned char)c <= ' ') {
            snprintf(why, whylen, "has a space or control character");
            return false;
        } else if (++label > 63) {
            snprintf(why, whylen, "has a label longer than 63 characters");
            return false;
        }
        name[i] = ad_ascii_lower(c);
    }
    if (label == 0) {
        snprintf(why, whylen, "has an empty label");
        return false;
    }
    if (!put_text(f, name, n, v)) {
        snprintf(why, whylen, "no room left for names (%d bytes in all)",
                 AD_CONFIG_FILTER_TEXT_MAX);
        return false;
    }
    return true;
}

/* "addr" or "addr/len", IPv4 or IPv6; host bits must be zero. */
static bool parse_cidr(const char *text, ad_config_filter_value *v, char *why, size_t whylen)
{
    const char *slash = strchr(text, '/');
    size_t alen = slash ? (size_t)(slash - text) : strlen(text);
    ad_addr a;
    memset(&a, 0, sizeof(a));
    if (ad_addr_parse(&a, text, alen) != AD_OK) {
        snprintf(why, whylen, "is not an IP address or CIDR (10.0.0.0/8, 2001:db8::/32)");
        return false;
    }
    uint32_t bits = a.family == AD_FAMILY_IPV4 ? 32 : 128;
    uint32_t len = bits;
    if (slash && !parse_uint(slash + 1, bits, &len)) {
        snprintf(why, whylen, "has a prefix length that is not 0-%u", (unsigned)bits);
        return false;
    }
    memset(v->addr, 0, sizeof(v->addr));
    if (a.family == AD_FAMILY_IPV4) {
        v->addr[10] = v->addr[11] = 0xff; /* ::ffff:a.b.c.d */
        memcpy(v->addr + 12, a.bytes, 4);
        len += 96;
    } else {
        memcpy(v->addr, a.bytes, 16);
    }
    v->prefix = (uint8_t)len;
    for (uint32_t i = len; i < 128; i++) {
        if (v->addr[i / 8] & (0x80u >> (i % 8))) {
            snprintf(why, whylen, "has bits set after the prefix length (write the network)");
            return false;
        }
    }
    return true;
}

/* Names of enumerated values, compared ignoring case. */
typedef struct named_value {
    const char *name;
    uint32_t value;
} named_value;

static const named_value providers[] = {
    {"dns_server", AD_PROVIDER_DNS_SERVER},
    {"Microsoft-Windows-DNSServer", AD_PROVIDER_DNS_SERVER},
    {"dns_client", AD_PROVIDER_DNS_CLIENT},
    {"Microsoft-Windows-DNS-Client", AD_PROVIDER_DNS_CLIENT},
    {NULL, 0},
};
static const named_value results[] = {
    {"Success", AD_ASIM_RESULT_SUCCESS},
    {"Failure", AD_ASIM_RESULT_FAILURE},
    {"Partial", AD_ASIM_RESULT_PARTIAL},
    {"NA", AD_ASIM_RESULT_NA},
    {NULL, 0},
};
static const named_value protocols[] = {
    {"UDP", AD_TRANSPORT_UDP},
    {"TCP", AD_TRANSPORT_TCP},
    {NULL, 0},
};

static bool parse_named(const named_value *tab, const char *text, uint32_t *out, char *why,
                        size_t whylen)
{
    for (const named_value *n = tab; n->name != NULL; n++) {
        if (ieq(n->name, text)) {
            *out = n->value;
            return true;
        }
    }
    size_t len = (size_t)snprintf(why, whylen, "must be one of");
    for (const named_value *n = tab; n->name != NULL && len < whylen; n++)
        len += (size_t)snprintf(why + len, whylen - len, "%s %s", n == tab ? "" : ",", n->name);
    return false;
}

/* EventResultDetails names: RCODE names and the other names the exporter writes (TIMEOUT,
   NA, Windows status names) are words of letters, digits, '_' and '-'. */
static bool parse_details(ad_config_filters *f, const char *text, ad_config_filter_value *v,
                          char *why, size_t whylen)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) {
            snprintf(why, whylen, "is not a result name (NXDOMAIN, SERVFAIL, REFUSED, ...)");
            return false;
        }
    }
    if (n == 0 || !put_text(f, text, n, v)) {
        snprintf(why, whylen, n == 0 ? "is empty" : "no room left for names");
        return false;
    }
    return true;
}

static bool parse_value(ad_config_filters *f, ad_filter_field field, const char *text,
                        ad_config_filter_value *v, char *why, size_t whylen)
{
    memset(v, 0, sizeof(*v));
    v->field = (uint8_t)field;
    switch (field) {
    case AD_FF_EVENT_ID:
        if (parse_uint(text, 65535, &v->num))
            return true;
        snprintf(why, whylen, "must be an event id 0-65535");
        return false;
    case AD_FF_QTYPE:
        if (parse_uint(text, 65535, &v->num) || ad_qtype_from_name(text, strlen(text), &v->num))
            return true;
        snprintf(why, whylen, "must be a query type 0-65535 or a known name (A, AAAA, TYPE65)");
        return false;
    case AD_FF_PROVIDER:
        return parse_named(providers, text, &v->num, why, whylen);
    case AD_FF_EVENT_RESULT:
        return parse_named(results, text, &v->num, why, whylen);
    case AD_FF_PROTOCOL:
        return parse_named(protocols, text, &v->num, why, whylen);
    case AD_FF_RESULT_DETAILS:
        return parse_details(f, text, v, why, whylen);
    case AD_FF_DNS_QUERY:
        return parse_name(f, text, v, why, whylen);
    case AD_FF_SRC_IP:
    case AD_FF_DST_IP:
    case AD_FF_DVC_IP:
        return parse_cidr(text, v, why, whylen);
    case AD_FF__COUNT:
        break;
    }
    return false;
}

/* One field key of a rule: a scalar or a sequence of scalars. */
static ad_err apply_field(ad__cfg_ctx *ctx, ad_config_filters *f, ad_filter_field field,
                          uint32_t node, const char *item)
{
    const ad__cfg_tree *t = ctx->tree;
    const ad__cfg_node *n = ad__cfg_node_get(t, node);
    uint32_t first = node, single = 1;
    if (n->kind == AD__CFG_SEQUENCE) {
        first = n->first;
        single = 0;
        if (first == 0)
            return ad__cfg_fail(ctx, node, "'%s' is an empty list (leave the key out)", item);
    } else if (n->kind != AD__CFG_SCALAR || ad__cfg_is_null(t, node)) {
        return ad__cfg_fail(ctx, node, "'%s' must be a value or a list of values", item);
    }
    for (uint32_t i = first; i != 0; i = single ? 0 : ad__cfg_node_get(t, i)->next) {
        char ex[64], why[160];
        if (ad__cfg_node_get(t, i)->kind != AD__CFG_SCALAR)
            return ad__cfg_fail(ctx, i, "'%s' must list plain values", item);
        if (f->value_count >= AD_CONFIG_MAX_FILTER_VALUES)
            return ad__cfg_fail(ctx, i, "'filters' holds more than %d values in all",
                                AD_CONFIG_MAX_FILTER_VALUES);
        const char *text = ad__cfg_text(t, i);
        ad_config_filter_value *v = &f->values[f->value_count];
        if (!parse_value(f, field, text, v, why, sizeof(why)))
            return ad__cfg_fail(ctx, i, "'%s' value '%s' %s", item,
                                ad__cfg_excerpt(text, ex, sizeof(ex)), why);
        f->value_count++;
    }
    return AD_OK;
}

static bool valid_rule_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= AD_CONFIG_FILTER_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

static ad_err apply_rule(ad__cfg_ctx *ctx, ad_config_filters *f, uint32_t map, unsigned idx)
{
    const ad__cfg_tree *t = ctx->tree;
    char item[96], ex[64];
    snprintf(item, sizeof(item), "filters[%u]", idx);
    if (ad__cfg_node_get(t, map)->kind != AD__CFG_MAPPING)
        return ad__cfg_fail(ctx, map, "'%s' must be a rule (a mapping with name and fields)", item);
    ad_config_filter_rule *r = &f->rules[f->rule_count];
    memset(r, 0, sizeof(*r));
    r->first = f->value_count;
    uint32_t name_key = 0;
    uint32_t name = ad__cfg_map_find(t, map, "name", &name_key);
    if (name == 0)
        return ad__cfg_fail(ctx, map, "'%s' has no 'name' (every rule is named for its counter)",
                            item);
    const char *name_text = ad__cfg_text(t, name);
    if (ad__cfg_node_get(t, name)->kind != AD__CFG_SCALAR || !valid_rule_name(name_text))
        return ad__cfg_fail(ctx, name, "'%s.name' must be 1-%d letters, digits, '_', '-' or '.'",
                            item, AD_CONFIG_FILTER_NAME_MAX - 1);
    for (uint32_t i = 0; i < f->rule_count; i++) {
        if (strcmp(f->rules[i].name, name_text) == 0)
            return ad__cfg_fail(ctx, name, "'%s.name' '%s' is already the name of filters[%u]",
                                item, name_text, (unsigned)i);
    }
    snprintf(r->name, sizeof(r->name), "%s", name_text);
    for (uint32_t k = ad__cfg_node_get(t, map)->first; k != 0;) {
        uint32_t v = ad__cfg_node_get(t, k)->next;
        const char *key = ad__cfg_text(t, k);
        char sub[160];
        snprintf(sub, sizeof(sub), "%s.%s", item, ad__cfg_excerpt(key, ex, sizeof(ex)));
        ad_err rc = AD_OK;
        if (strcmp(key, "name") == 0) {
            /* done above */
        } else if (strcmp(key, "action") == 0) {
            const char *a = ad__cfg_text(t, v);
            if (ad__cfg_node_get(t, v)->kind != AD__CFG_SCALAR ||
                (strcmp(a, "drop") != 0 && strcmp(a, "keep") != 0))
                return ad__cfg_fail(ctx, v, "'%s' must be drop or keep", sub);
            r->keep = strcmp(a, "keep") == 0;
        } else {
            int field = -1;
            for (int j = 0; j < AD_FF__COUNT; j++) {
                if (strcmp(key, field_keys[j]) == 0)
                    field = j;
            }
            if (field < 0)
                return ad__cfg_fail(ctx, k,
                                    "unknown key '%s' in '%s' (name, action, event_ids, provider, "
                                    "event_result, event_result_details, dns_query, "
                                    "dns_query_type, src_ip, dst_ip, dvc_ip, network_protocol)",
                                    ad__cfg_excerpt(key, ex, sizeof(ex)), item);
            rc = apply_field(ctx, f, (ad_filter_field)field, v, sub);
        }
        if (rc != AD_OK)
            return rc;
        k = ad__cfg_node_get(t, v)->next;
    }
    r->count = f->value_count - r->first;
    f->rule_count++;
    return AD_OK;
}

/* What the old keys become (docs/CONFIG.md "Migrating filters"). */
static const struct {
    const char *key;
    const char *write;
} old_forms[] = {
    {"event_ids",
     "a rule per list: exclude [259] -> '- {name: no-259, event_ids: [259]}'; include [256] -> "
     "'- {name: only-256, action: keep, event_ids: [256]}' then '- {name: rest}'"},
    {"qtypes",
     "a rule with dns_query_type: exclude [ANY] -> '- {name: no-any, dns_query_type: [ANY]}'"},
    {"domains", "a rule with dns_query: exclude [x.com] (the name and its subdomains) -> "
                "'- {name: no-x, dns_query: [\"**.x.com\"]}'"},
};

static ad_err filters_apply(ad__cfg_ctx *ctx, const ad__cfg_entry *e, uint32_t value,
                            const char *key)
{
    const ad__cfg_tree *t = ctx->tree;
    ad_config_filters *f = (ad_config_filters *)((char *)ctx->base + e->offset);
    const ad__cfg_node *n = ad__cfg_node_get(t, value);
    if (ad__cfg_is_null(t, value))
        return AD_OK;
    if (n->kind == AD__CFG_MAPPING) {
        uint32_t k = n->first;
        const char *old = k ? ad__cfg_text(t, k) : "";
        for (size_t i = 0; i < sizeof(old_forms) / sizeof(old_forms[0]); i++) {
            if (strcmp(old, old_forms[i].key) == 0)
                return ad__cfg_fail(ctx, k,
                                    "'%s.%s' is the old filter form; '%s' is now a list of "
                                    "rules: write %s (docs/CONFIG.md \"Migrating filters\")",
                                    key, old, key, old_forms[i].write);
        }
        return ad__cfg_fail(ctx, value, "'%s' must be a list of rules", key);
    }
    if (n->kind != AD__CFG_SEQUENCE)
        return ad__cfg_fail(ctx, value, "'%s' must be a list of rules", key);
    f->rule_count = f->value_count = f->text_len = 0;
    unsigned idx = 0;
    for (uint32_t i = n->first; i != 0; i = ad__cfg_node_get(t, i)->next, idx++) {
        if (f->rule_count >= AD_CONFIG_MAX_FILTER_RULES)
            return ad__cfg_fail(ctx, i, "'%s' holds more than %d rules", key,
                                AD_CONFIG_MAX_FILTER_RULES);
        ad_err rc = apply_rule(ctx, f, i, idx);
        if (rc != AD_OK)
            return rc;
    }
    return AD_OK;
}

/* One line per rule: "filters[0]: no-259 drop event_ids=259 dns_query=*.x.com". */
static void filters_dump(const ad__cfg_entry *e, const void *base, const char *key,
                         ad_config_line_fn line, void *lctx)
{
    const ad_config_filters *f = (const ad_config_filters *)((const char *)base + e->offset);
    if (f->rule_count == 0) {
        char text[96];
        snprintf(text, sizeof(text), "%s: [] (every record kept)", key);
        line(lctx, text);
        return;
    }
    for (uint32_t i = 0; i < f->rule_count; i++) {
        const ad_config_filter_rule *r = &f->rules[i];
        char text[1024];
        size_t len = (size_t)snprintf(text, sizeof(text), "%s[%u]: %s %s", key, (unsigned)i,
                                      r->name, r->keep ? "keep" : "drop");
        for (uint32_t j = r->first; j < r->first + r->count && len < sizeof(text); j++) {
            const ad_config_filter_value *v = &f->values[j];
            len += ad_filter_value_format(f, v, text + len, sizeof(text) - len);
        }
        line(lctx, text);
    }
}

size_t ad_filter_value_format(const ad_config_filters *f, const ad_config_filter_value *v,
                              char *buf, size_t cap)
{
    char val[AD_CONFIG_DOMAIN_MAX + 8];
    const char *key = ad_filter_field_key((ad_filter_field)v->field);
    switch (v->field) {
    case AD_FF_DNS_QUERY: {
        static const char *const prefix[] = {"", "*.", "**.", "*"};
        snprintf(val, sizeof(val), "%s%s", prefix[v->kind & 3], f->text + v->text);
        break;
    }
    case AD_FF_RESULT_DETAILS:
        snprintf(val, sizeof(val), "%s", f->text + v->text);
        break;
    case AD_FF_SRC_IP:
    case AD_FF_DST_IP:
    case AD_FF_DVC_IP: {
        ad_addr a;
        memset(&a, 0, sizeof(a));
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        unsigned plen = v->prefix;
        if (plen >= 96 && memcmp(v->addr, mapped, 12) == 0) {
            ad_addr_set_ipv4(&a, v->addr + 12, -1);
            plen -= 96;
        } else {
            ad_addr_set_ipv6(&a, v->addr, -1);
        }
        char at[AD_ADDR_TEXT_MAX];
        ad_addr_format(&a, at, sizeof(at));
        snprintf(val, sizeof(val), "%s/%u", at, plen);
        break;
    }
    default:
        snprintf(val, sizeof(val), "%u", (unsigned)v->num);
        break;
    }
    int n = snprintf(buf, cap, " %s=%s", key, val);
    if (n < 0)
        return 0;
    return (size_t)n < cap ? (size_t)n : cap;
}

const ad__cfg_custom ad__exporter_filters_custom = {filters_apply, filters_dump};

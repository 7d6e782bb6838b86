/* asimdns-exporter: filter rules (see filter.h). */
#include "exporter/filter.h"

#include <stdlib.h>
#include <string.h>

#include "exporter/record_view.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* A hash over the bytes from the end backwards, so a name's hash grows label by label from
   the root and every suffix's hash is met on the way. The per-byte step is a rotate and xor
   (short dependency chain); HASH_MIX spreads it only where a suffix is probed. */
#define HASH_INIT 0x9e3779b97f4a7c15ull
#define HASH_STEP(h, c) ((((h) << 7) | ((h) >> 57)) ^ (uint8_t)(c))
#define HASH_MIX(h) (((h)*0xff51afd7ed558ccdull) >> 32)

static uint64_t hash_reversed(const char *s, size_t len)
{
    uint64_t h = HASH_INIT;
    for (size_t i = len; i > 0; i--)
        h = HASH_STEP(h, s[i - 1]);
    return HASH_MIX(h);
}

/* ---- building ------------------------------------------------------------------------- */

static int num_cmp(const void *a, const void *b)
{
    uint32_t x = ((const ad_filter_num *)a)->value, y = ((const ad_filter_num *)b)->value;
    return x < y ? -1 : x > y;
}

typedef struct u128 {
    uint64_t hi, lo;
} u128;

static int u128_cmp(u128 a, u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static int u128_qcmp(const void *a, const void *b)
{
    return u128_cmp(*(const u128 *)a, *(const u128 *)b);
}

static u128 u128_from(const uint8_t b[16])
{
    u128 v = {0, 0};
    for (int i = 0; i < 8; i++) {
        v.hi = v.hi << 8 | b[i];
        v.lo = v.lo << 8 | b[8 + i];
    }
    return v;
}

/* The last address of prefix/len starting at start. */
static u128 u128_last(u128 start, unsigned len)
{
    u128 v = start;
    if (len < 64) {
        v.hi |= len == 0 ? ~0ull : (~0ull >> len);
        v.lo = ~0ull;
    } else if (len < 128) {
        v.lo |= ~0ull >> (len - 64);
    }
    return v;
}

static u128 u128_next(u128 v, bool *wrapped)
{
    v.lo++;
    if (v.lo == 0)
        v.hi++;
    *wrapped = v.hi == 0 && v.lo == 0;
    return v;
}

/* Sorted interval starts for every CIDR of field, each with the rules covering it. */
static ad_err build_cuts(ad_filter *f, ad_filter_field field)
{
    const ad_config_filters *c = f->cfg;
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->value_count; i++)
        n += c->values[i].field == field;
    if (n == 0)
        return AD_OK;
    u128 *pts = malloc(sizeof(u128) * (2 * n + 1));
    ad_filter_set *s = &f->set[field];
    s->cuts = malloc(sizeof(ad_filter_cut) * (2 * n + 1));
    if (pts == NULL || s->cuts == NULL) {
        free(pts);
        return AD_ENOMEM;
    }
    uint32_t np = 0;
    pts[np++] = (u128){0, 0};
    for (uint32_t i = 0; i < c->value_count; i++) {
        const ad_config_filter_value *v = &c->values[i];
        if (v->field != field)
            continue;
        u128 start = u128_from(v->addr);
        bool wrapped;
        u128 after = u128_next(u128_last(start, v->prefix), &wrapped);
        pts[np++] = start;
        if (!wrapped)
            pts[np++] = after;
    }
    qsort(pts, np, sizeof(u128), u128_qcmp);
    uint32_t uniq = 0;
    for (uint32_t i = 0; i < np; i++) {
        if (uniq == 0 || u128_cmp(pts[uniq - 1], pts[i]) != 0)
            pts[uniq++] = pts[i];
    }
    for (uint32_t k = 0; k < uniq; k++) {
        uint64_t rules = 0;
        for (uint32_t r = 0; r < c->rule_count; r++) {
            const ad_config_filter_rule *rule = &c->rules[r];
            for (uint32_t i = rule->first; i < rule->first + rule->count; i++) {
                const ad_config_filter_value *v = &c->values[i];
                if (v->field != field)
                    continue;
                u128 start = u128_from(v->addr);
                if (u128_cmp(start, pts[k]) <= 0 &&
                    u128_cmp(pts[k], u128_last(start, v->prefix)) <= 0)
                    rules |= 1ull << r;
            }
        }
        s->cuts[k] = (ad_filter_cut){pts[k].hi, pts[k].lo, rules};
    }
    s->cut_count = uniq;
    free(pts);
    return AD_OK;
}

/* Sorted numbers of field (duplicates merged), each with the rules listing it. */
static ad_err build_nums(ad_filter *f, ad_filter_field field)
{
    const ad_config_filters *c = f->cfg;
    ad_filter_set *s = &f->set[field];
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->value_count; i++)
        n += c->values[i].field == field;
    if (n == 0)
        return AD_OK;
    s->nums = malloc(sizeof(ad_filter_num) * n);
    if (s->nums == NULL)
        return AD_ENOMEM;
    for (uint32_t r = 0; r < c->rule_count; r++) {
        const ad_config_filter_rule *rule = &c->rules[r];
        for (uint32_t i = rule->first; i < rule->first + rule->count; i++) {
            if (c->values[i].field == field)
                s->nums[s->num_count++] = (ad_filter_num){c->values[i].num, 1ull << r};
        }
    }
    qsort(s->nums, s->num_count, sizeof(ad_filter_num), num_cmp);
    uint32_t uniq = 0;
    for (uint32_t i = 0; i < s->num_count; i++) {
        if (uniq > 0 && s->nums[uniq - 1].value == s->nums[i].value)
            s->nums[uniq - 1].rules |= s->nums[i].rules;
        else
            s->nums[uniq++] = s->nums[i];
    }
    s->num_count = uniq;
    return AD_OK;
}

static ad_filter_name *name_slot(const ad_filter *f, uint64_t hash, const char *name, size_t len)
{
    for (uint32_t i = (uint32_t)hash & (f->name_cap - 1);; i = (i + 1) & (f->name_cap - 1)) {
        ad_filter_name *e = &f->names[i];
        if (e->name == NULL ||
            (e->hash == hash && e->len == len && memcmp(e->name, name, len) == 0))
            return e;
    }
}

static ad_err build_names(ad_filter *f)
{
    const ad_config_filters *c = f->cfg;
    uint32_t n = 0, nd = 0;
    for (uint32_t i = 0; i < c->value_count; i++) {
        n += c->values[i].field == AD_FF_DNS_QUERY;
        nd += c->values[i].field == AD_FF_RESULT_DETAILS;
    }
    f->name_cap = 8;
    while (f->name_cap < 2 * n)
        f->name_cap *= 2;
    f->names = calloc(f->name_cap, sizeof(ad_filter_name));
    f->details = calloc(nd ? nd : 1, sizeof(ad_filter_name));
    if (f->names == NULL || f->details == NULL)
        return AD_ENOMEM;
    for (uint32_t r = 0; r < c->rule_count; r++) {
        const ad_config_filter_rule *rule = &c->rules[r];
        uint64_t bit = 1ull << r;
        for (uint32_t i = rule->first; i < rule->first + rule->count; i++) {
            const ad_config_filter_value *v = &c->values[i];
            const char *text = c->text + v->text;
            if (v->field == AD_FF_RESULT_DETAILS) {
                f->details[f->detail_count++] = (ad_filter_name){0, text, v->text_len, bit, 0};
                continue;
            }
            if (v->field != AD_FF_DNS_QUERY)
                continue;
            if (v->kind == AD_NAME_ANY) {
                f->any_name |= bit;
                continue;
            }
            unsigned labels = 1;
            for (uint32_t j = 0; j < v->text_len; j++)
                labels += text[j] == '.';
            if (labels < 64)
                f->label_counts |= 1ull << labels; /* longer suffixes are always probed */
            if (labels > f->max_labels)
                f->max_labels = labels;
            if (v->text_len < AD_FILTER_NAME_LEN_BITS)
                f->name_lens[v->text_len / 64] |= 1ull << (v->text_len % 64);
            uint64_t h = hash_reversed(text, v->text_len);
            ad_filter_name *e = name_slot(f, h, text, v->text_len);
            e->hash = h;
            e->name = text;
            e->len = v->text_len;
            if (v->kind == AD_NAME_EXACT || v->kind == AD_NAME_SELF_AND_SUB)
                e->exact |= bit;
            if (v->kind == AD_NAME_SUBDOMAINS || v->kind == AD_NAME_SELF_AND_SUB)
                e->sub |= bit;
        }
    }
    return AD_OK;
}

ad_err ad_filter_init(ad_filter *f, const ad_config_filters *cfg, ad_atomic_u64 *hits)
{
    memset(f, 0, sizeof(*f));
    f->cfg = cfg;
    f->hits = hits != NULL ? hits : f->own_hits;
    f->rule_count = cfg->rule_count;
    f->all = cfg->rule_count >= 64 ? ~0ull : (1ull << cfg->rule_count) - 1;
    for (int fld = 0; fld < AD_FF__COUNT; fld++)
        f->ignores[fld] = f->all;
    for (uint32_t r = 0; r < cfg->rule_count; r++) {
        const ad_config_filter_rule *rule = &cfg->rules[r];
        if (rule->keep)
            f->keep |= 1ull << r;
        for (uint32_t i = rule->first; i < rule->first + rule->count; i++) {
            unsigned fld = cfg->values[i].field;
            f->ignores[fld] &= ~(1ull << r);
            f->fields |= 1u << fld;
        }
    }
    ad_err rc = build_names(f);
    for (int fld = 0; fld < AD_FF__COUNT && rc == AD_OK; fld++) {
        if (fld == AD_FF_SRC_IP || fld == AD_FF_DST_IP || fld == AD_FF_DVC_IP)
            rc = build_cuts(f, (ad_filter_field)fld);
        else if (fld != AD_FF_DNS_QUERY && fld != AD_FF_RESULT_DETAILS)
            rc = build_nums(f, (ad_filter_field)fld);
    }
    if (rc != AD_OK)
        ad_filter_free(f);
    return rc;
}

void ad_filter_free(ad_filter *f)
{
    for (int fld = 0; fld < AD_FF__COUNT; fld++) {
        free(f->set[fld].nums);
        free(f->set[fld].cuts);
        f->set[fld].nums = NULL;
        f->set[fld].cuts = NULL;
    }
    free(f->names);
    free(f->details);
    f->names = NULL;
    f->details = NULL;
}

/* ---- matching ------------------------------------------------------------------------- */

/* Branch-free binary searches: the record's value decides nothing the branch predictor
   could learn, and a mispredicted step costs more than the comparison. */
static uint64_t num_rules(const ad_filter_set *s, uint32_t value)
{
    uint32_t n = s->num_count;
    if (n == 0)
        return 0;
    const ad_filter_num *base = s->nums;
    while (n > 1) { /* the last entry <= value, or the first */
        uint32_t half = n / 2;
        base = base[half].value <= value ? base + half : base;
        n -= half;
    }
    return base->value == value ? base->rules : 0;
}

static uint64_t be32(const uint8_t *b)
{
    return (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
}

static uint64_t addr_rules(const ad_filter_set *s, const ad_addr *a)
{
    u128 v;
    if (a->family == AD_FAMILY_IPV4) {
        v.hi = 0;
        v.lo = 0xffff00000000ull | be32(a->bytes); /* ::ffff:a.b.c.d */
    } else if (a->family == AD_FAMILY_IPV6) {
        v.hi = be32(a->bytes) << 32 | be32(a->bytes + 4);
        v.lo = be32(a->bytes + 8) << 32 | be32(a->bytes + 12);
    } else {
        return 0;
    }
    /* The last cut starting at or before v (cuts[0] is ::). */
    const ad_filter_cut *base = s->cuts;
    uint32_t n = s->cut_count;
    while (n > 1) {
        uint32_t half = n / 2;
        const ad_filter_cut *c = &base[half];
        bool le = c->hi < v.hi || (c->hi == v.hi && c->lo <= v.lo);
        base = le ? c : base;
        n -= half;
    }
    return base->rules;
}

/* The pattern entry equal to the query suffix s[len] (any case), or NULL. */
static const ad_filter_name *name_find(const ad_filter *f, uint64_t hash, const char *s, size_t len)
{
    for (uint32_t i = (uint32_t)hash & (f->name_cap - 1);; i = (i + 1) & (f->name_cap - 1)) {
        const ad_filter_name *e = &f->names[i];
        if (e->name == NULL)
            return NULL;
        if (e->hash != hash || e->len != len)
            continue;
        size_t j = 0;
        while (j < len && lower(s[j]) == e->name[j])
            j++;
        if (j == len)
            return e;
    }
}

/* The probe hash of s[len] lowered, as hash_reversed gives for the (lower case) pattern. */
static uint64_t hash_reversed_lower(const char *s, size_t len)
{
    uint64_t h = HASH_INIT;
    for (size_t i = len; i > 0; i--)
        h = HASH_STEP(h, lower(s[i - 1]));
    return HASH_MIX(h);
}

/* Whether some pattern name is len bytes long (longer ones are always probed). */
static bool name_len_used(const ad_filter *f, size_t len)
{
    return len >= AD_FILTER_NAME_LEN_BITS || ((f->name_lens[len / 64] >> (len % 64)) & 1u);
}

static uint64_t name_rules(const ad_filter *f, const ad_bytes *q)
{
    if (q->len == 0)
        return 0;
    uint64_t rules = f->any_name;
    const char *s = q->ptr;
    size_t len = q->len;
    if (len > 0 && s[len - 1] == '.')
        len--;
    /* Suffixes from the root down, one per label, up to the longest pattern's labels. A
       suffix is hashed and probed only when some pattern has its label count and its length
       in bytes, so most names cost a scan for dots and no hashing: "a.b.c.x.example" costs
       one probe for "*.x.example". */
    unsigned labels = 0;
    size_t end = len; /* the suffix so far starts after s[end] */
    for (;;) {
        size_t start = end;
        while (start > 0 && s[start - 1] != '.')
            start--;
        labels++;
        size_t slen = len - start;
        if ((labels >= 64 || ((f->label_counts >> labels) & 1u)) && name_len_used(f, slen)) {
            const ad_filter_name *e =
                name_find(f, hash_reversed_lower(s + start, slen), s + start, slen);
            if (e != NULL)
                rules |= start == 0 ? e->exact : e->sub;
        }
        if (start == 0 || labels >= f->max_labels)
            break;
        end = start - 1;
    }
    return rules;
}

static uint64_t detail_rules(const ad_filter *f, const char *details)
{
    uint64_t rules = 0;
    size_t n = strlen(details);
    for (uint32_t i = 0; i < f->detail_count; i++) {
        const ad_filter_name *d = &f->details[i];
        if (d->len != n)
            continue;
        size_t j = 0;
        while (j < n && lower(d->name[j]) == lower(details[j]))
            j++;
        if (j == n)
            rules |= d->exact;
    }
    return rules;
}

static uint32_t protocol_of(const ad_record_hdr *h)
{
    if (!(h->present & AD_HAS_TRANSPORT))
        return AD_TRANSPORT_UNKNOWN;
    if (h->transport == AD_TRANSPORT_DOT || h->transport == AD_TRANSPORT_DOH)
        return AD_TRANSPORT_TCP; /* as NetworkProtocol is exported */
    return h->transport;
}

/* Fields answered from the header alone; the rest need the record view. */
#define HEADER_FIELDS                                                                              \
    ((1u << AD_FF_EVENT_ID) | (1u << AD_FF_PROVIDER) | (1u << AD_FF_PROTOCOL) |                    \
     (1u << AD_FF_DVC_IP))

/* True when a rule still in m tests field fld (else its lookup cannot change the answer). */
#define TESTS(fld) ((m & ~f->ignores[fld]) != 0)

int ad_filter_match(const ad_filter *f, const ad_event *ev)
{
    uint64_t m = f->all;
    if (m == 0)
        return -1;
    const ad_record_hdr *h = &ev->hdr;
    /* Header fields first: cheap, and they often rule out the rules needing the view. */
    if (TESTS(AD_FF_EVENT_ID))
        m &= f->ignores[AD_FF_EVENT_ID] | num_rules(&f->set[AD_FF_EVENT_ID], h->event_id);
    if (TESTS(AD_FF_PROVIDER))
        m &= f->ignores[AD_FF_PROVIDER] | num_rules(&f->set[AD_FF_PROVIDER], h->provider);
    if (TESTS(AD_FF_PROTOCOL))
        m &= f->ignores[AD_FF_PROTOCOL] | num_rules(&f->set[AD_FF_PROTOCOL], protocol_of(h));
    if (TESTS(AD_FF_DVC_IP))
        m &= f->ignores[AD_FF_DVC_IP] | addr_rules(&f->set[AD_FF_DVC_IP], &h->iface);
    bool view = false;
    for (int fld = 0; fld < AD_FF__COUNT && !view; fld++)
        view = !((HEADER_FIELDS >> fld) & 1u) && TESTS(fld);
    if (view) {
        ad_record_view rv;
        ad_record_view_init(&rv, ev, ad_record_view_needs_packet(ev));
        if (TESTS(AD_FF_QTYPE))
            m &= f->ignores[AD_FF_QTYPE] |
                 (rv.has_qtype ? num_rules(&f->set[AD_FF_QTYPE], rv.qtype) : 0);
        if (TESTS(AD_FF_SRC_IP))
            m &= f->ignores[AD_FF_SRC_IP] | addr_rules(&f->set[AD_FF_SRC_IP], rv.requester);
        if (TESTS(AD_FF_DST_IP))
            m &= f->ignores[AD_FF_DST_IP] | addr_rules(&f->set[AD_FF_DST_IP], rv.responder);
        if (TESTS(AD_FF_EVENT_RESULT) || TESTS(AD_FF_RESULT_DETAILS))
            ad_record_view_outcome(&rv, ev);
        if (TESTS(AD_FF_EVENT_RESULT))
            m &= f->ignores[AD_FF_EVENT_RESULT] |
                 num_rules(&f->set[AD_FF_EVENT_RESULT], (uint32_t)rv.result);
        if (TESTS(AD_FF_RESULT_DETAILS))
            m &= f->ignores[AD_FF_RESULT_DETAILS] | detail_rules(f, rv.details);
        if (TESTS(AD_FF_DNS_QUERY))
            m &= f->ignores[AD_FF_DNS_QUERY] | name_rules(f, &rv.qname);
    }
    if (m == 0)
        return -1;
    return __builtin_ctzll(m);
}

bool ad_filter_keep(ad_filter *f, const ad_event *ev)
{
    if (f->rule_count == 0)
        return true;
    int r = ad_filter_match(f, ev);
    if (r < 0)
        return true;
    ad_atomic_add_relaxed(&f->hits[r], 1);
    return (f->keep >> r) & 1u;
}

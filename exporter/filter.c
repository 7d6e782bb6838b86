/* asimdns-exporter: record filters (see filter.h). */
#include "exporter/filter.h"

#include <string.h>

void ad_filter_init(ad_filter *f, const ad_exporter_config *cfg)
{
    f->event_ids = &cfg->filters.event_ids;
    f->qtypes = &cfg->filters.qtypes;
    f->domains = &cfg->filters.domains;
    f->active = f->event_ids->include_count || f->event_ids->exclude_count ||
                f->qtypes->include_count || f->qtypes->exclude_count || f->domains->include_count ||
                f->domains->exclude_count;
}

static bool id_listed(const uint16_t *list, uint32_t count, uint32_t value)
{
    for (uint32_t i = 0; i < count; i++) {
        if (list[i] == value)
            return true;
    }
    return false;
}

/* The include/exclude rule for one number; has = the record carries the field. */
static bool id_keep(const ad_config_id_filter *flt, bool has, uint32_t value)
{
    if (flt->include_count && (!has || !id_listed(flt->include, flt->include_count, value)))
        return false;
    if (flt->exclude_count && has && id_listed(flt->exclude, flt->exclude_count, value))
        return false;
    return true;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool ad_filter_domain_match(const char *name, size_t len, const char *suffix)
{
    size_t slen = strlen(suffix);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (slen == 0 || len < slen)
        return false;
    const char *tail = name + (len - slen);
    for (size_t i = 0; i < slen; i++) {
        if (lower(tail[i]) != suffix[i])
            return false;
    }
    return len == slen || tail[-1] == '.';
}

static bool domain_listed(const char (*list)[AD_CONFIG_DOMAIN_MAX], uint32_t count,
                          const char *name, size_t len)
{
    for (uint32_t i = 0; i < count; i++) {
        if (ad_filter_domain_match(name, len, list[i]))
            return true;
    }
    return false;
}

bool ad_filter_keep(const ad_filter *f, const ad_event *ev)
{
    if (!f->active)
        return true;
    const ad_record_hdr *h = &ev->hdr;
    if (!id_keep(f->event_ids, true, h->event_id))
        return false;
    if (!id_keep(f->qtypes, (h->present & AD_HAS_QTYPE) != 0, h->qtype))
        return false;
    const ad_config_domain_filter *d = f->domains;
    const ad_bytes *q = &ev->str[AD_STR_QNAME];
    bool has = q->len > 0;
    if (d->include_count && (!has || !domain_listed(d->include, d->include_count, q->ptr, q->len)))
        return false;
    if (d->exclude_count && has && domain_listed(d->exclude, d->exclude_count, q->ptr, q->len))
        return false;
    return true;
}

/* asimdns: the periodic summary line from a table of counters (summary_line.h). */
#include "common/summary_line.h"

#include <stdio.h>

static uint64_t item_value(const ad_summary_line *s, const ad_summary_item *it)
{
    uint64_t v = 0;
    for (int i = 0; i < AD_SUMMARY_MAX_SUM && it->counters[i] >= 0; i++)
        v += s->get(s->src, it->counters[i]);
    return v;
}

void ad_summary_line_init(ad_summary_line *s, const ad_summary_item *items, size_t count,
                          ad_summary_get_fn get, const void *src)
{
    s->items = items;
    s->count = count > AD_SUMMARY_MAX_ITEMS ? AD_SUMMARY_MAX_ITEMS : count;
    s->get = get;
    s->src = src;
    for (size_t i = 0; i < s->count; i++)
        s->last[i] = item_value(s, &items[i]);
}

/* Appends text at *pos, never past outlen (out stays NUL-terminated). */
static void put(char *out, size_t outlen, size_t *pos, const char *text)
{
    if (*pos + 1 >= outlen)
        return;
    int n = snprintf(out + *pos, outlen - *pos, "%s", text);
    if (n > 0)
        *pos = *pos + (size_t)n < outlen ? *pos + (size_t)n : outlen - 1;
}

void ad_summary_line_format(ad_summary_line *s, const char *prefix, bool delta, const char *tail,
                            char *out, size_t outlen)
{
    if (outlen == 0)
        return;
    out[0] = '\0';
    size_t pos = 0;
    put(out, outlen, &pos, prefix);
    put(out, outlen, &pos, ": ");
    for (size_t i = 0; i < s->count; i++) {
        const ad_summary_item *it = &s->items[i];
        uint64_t v = item_value(s, it);
        char item[160];
        if (delta && !it->no_delta)
            snprintf(item, sizeof(item), "%llu %s (+%llu)%s", (unsigned long long)v, it->label,
                     (unsigned long long)(v - s->last[i]), i + 1 < s->count ? ", " : "");
        else
            snprintf(item, sizeof(item), "%llu %s%s", (unsigned long long)v, it->label,
                     i + 1 < s->count ? ", " : "");
        put(out, outlen, &pos, item);
        if (delta)
            s->last[i] = v;
    }
    if (tail != NULL)
        put(out, outlen, &pos, tail);
}

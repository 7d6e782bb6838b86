/* asimdns-capture: the table of event sources (source_table.h). */
#include "capture/source_table.h"

#include "common/compiler.h"

/* One row per source.type, in the order of ad_source. */
static const ad_source_desc *const rows[] = {
    &ad_source_etw, &ad_source_etl, &ad_source_replay, &ad_source_synthetic, &ad_source_dnstap,
};

size_t ad_source_desc_count(void)
{
    return AD_ARRAY_LEN(rows);
}

const ad_source_desc *ad_source_desc_at(size_t index)
{
    return index < AD_ARRAY_LEN(rows) ? rows[index] : NULL;
}

const ad_source_desc *ad_source_desc_find(ad_source type)
{
    for (size_t i = 0; i < AD_ARRAY_LEN(rows); i++)
        if (rows[i]->type == type)
            return rows[i];
    return NULL;
}

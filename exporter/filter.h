/*
 * asimdns-exporter: record filters from exporter.yaml (docs/CONFIG.md `filters`).
 *
 * Applied to the decoded record, before ASIM mapping, so dropped records cost no mapping or
 * encoding. A record is kept when it passes all three filters:
 *   event_ids  include empty or hdr.event_id listed; and not in exclude;
 *   qtypes     include empty or (a query type present and listed); and not in exclude;
 *   domains    include empty or (a query name present, equal to or under a listed suffix);
 *              and not equal to or under an excluded suffix.
 * A record without the field an include list tests is not one of the listed values, so an
 * include list drops it; exclude lists never drop it. Names compare case-insensitively, label
 * by label ("example.com" matches "a.Example.COM." but not "badexample.com"), after removing
 * one trailing root dot.
 */
#ifndef AD_EXPORTER_FILTER_H
#define AD_EXPORTER_FILTER_H

#include <stdbool.h>

#include "common/record.h"
#include "config/exporter_config.h"

typedef struct ad_filter {
    const ad_config_id_filter *event_ids;
    const ad_config_id_filter *qtypes;
    const ad_config_domain_filter *domains;
    bool active; /* any list is non-empty */
} ad_filter;

/* Points f at cfg's filter lists (cfg must outlive f). */
void ad_filter_init(ad_filter *f, const ad_exporter_config *cfg);

/* True when ev passes every filter. */
bool ad_filter_keep(const ad_filter *f, const ad_event *ev);

/*
 * True when name[len] (any case, optional trailing dot) equals suffix or ends with "." +
 * suffix; suffix is lower case without leading or trailing dots (as the config stores it).
 */
bool ad_filter_domain_match(const char *name, size_t len, const char *suffix);

#endif

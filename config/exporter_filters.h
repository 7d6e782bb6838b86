/*
 * asimdns config: the `filters` rules of exporter.yaml (parsed in exporter_filters.c; the
 * types are in exporter_config.h).
 */
#ifndef AD_CONFIG_EXPORTER_FILTERS_H
#define AD_CONFIG_EXPORTER_FILTERS_H

#include <stddef.h>

#include "config/exporter_config.h"

/* The rule key of a field ("dns_query"); "" out of range. */
const char *ad_filter_field_key(ad_filter_field field);

/* Appends " key=value" for v (names with their wildcard, CIDRs as text) to buf[cap]; returns
   the bytes written (cut at cap). */
size_t ad_filter_value_format(const ad_config_filters *f, const ad_config_filter_value *v,
                              char *buf, size_t cap);

#endif

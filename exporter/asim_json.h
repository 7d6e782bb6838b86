/*
 * asimdns-exporter: one ASIM record as a JSON object on one line (console output,
 * `asimdns sink --format asim-json`). Keys in mapping order; integers as JSON numbers,
 * booleans as true/false, strings escaped (invalid UTF-8 becomes U+FFFD).
 */
#ifndef AD_EXPORTER_ASIM_JSON_H
#define AD_EXPORTER_ASIM_JSON_H

#include "common/strbuf.h"
#include "exporter/asim.h"

/* Appends the JSON object (no newline) for a to sb. */
void ad_asim_json_write(const ad_asim *a, ad_strbuf *sb);

#endif

/*
 * asimdns: `asimdns status` output from a ring snapshot: a human table and one JSON object.
 */
#ifndef AD_CLI_STATUS_RENDER_H
#define AD_CLI_STATUS_RENDER_H

#include <stdint.h>

#include "common/strbuf.h"
#include "ipc/ring_status.h"

/* Appends a human-readable table (every counter, zero or not). */
void ad_ring_status_format_text(const ad_ring_status *st, ad_strbuf *sb);

/*
 * Appends one JSON object. Positions and counters are numbers; the generation is a hex string
 * (u64 does not survive JSON number parsers); ages are in ns, null when the side is detached.
 */
void ad_ring_status_format_json(const ad_ring_status *st, ad_strbuf *sb);

#endif

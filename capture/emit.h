/*
 * asimdns-capture: the one path from a decoded event to the ring. Every source ends here:
 * encode the record straight into ring memory, stamp the ring's sequence number, publish.
 * Never blocks; a full ring drops the record (the ring counts it).
 */
#ifndef AD_CAPTURE_EMIT_H
#define AD_CAPTURE_EMIT_H

#include <stdint.h>

#include "capture/etw_decode.h"
#include "capture/process_names.h"
#include "common/record.h"
#include "ipc/ring.h"

/*
 * Appends ev to the ring. Counts events_in; the ring counts records_written or the drop
 * reason (ring full / too large). Returns AD_OK, AD_EFULL or AD_ERANGE (dropped,
 * counted) or AD_EINVAL (the event failed to encode: counted as a decode error).
 */
ad_err ad_capture_emit(ad_ring_producer *ring, const ad_event *ev);

/*
 * Decodes one raw ETW event (live session, .etl file or replay line) and appends it. A DNS
 * Client 3008 gets its duration from the matching 3006 (client_pair.h; evictions count as
 * client_pair_evictions). An event without a decoder counts as unsupported_events; a decode
 * failure counts as a decode error for (event id, version). Returns the decode or emit result.
 */
ad_err ad_capture_etw_event(ad_ring_producer *ring, const ad_etw_event_in *in,
                            ad_decode_scratch *scratch);

/*
 * The same for a live session that names requesting processes: an event the catalogue marks
 * AD_EVF_REQUESTER_CONTEXT (DNS Client 3006, 3008) gets the image path of its header's
 * process in AD_STR_PROCESS, resolved through names (process_names.h) by (in->pid,
 * start_key; 0 = unknown). Other events are not looked up. The lookup counts in
 * process_lookups, process_cache_hits, process_lookup_misses, process_lookup_failures and
 * process_cache_evictions. names NULL: exactly ad_capture_etw_event.
 */
ad_err ad_capture_etw_event_named(ad_ring_producer *ring, const ad_etw_event_in *in,
                                  ad_decode_scratch *scratch, ad_process_names *names,
                                  uint64_t start_key);

#endif

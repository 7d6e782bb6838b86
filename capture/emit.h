/*
 * asimdns-capture: the one path from a decoded event to the ring. Every source ends here:
 * encode the record straight into ring memory, stamp the ring's sequence number, publish.
 * Never blocks; a full ring drops the record (the ring counts it).
 */
#ifndef AD_CAPTURE_EMIT_H
#define AD_CAPTURE_EMIT_H

#include "capture/etw_decode.h"
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

#endif

/*
 * asimdns-capture: the one path from a decoded event to the ring. Every source ends here:
 * encode the record straight into ring memory, stamp the ring's sequence number, publish.
 * Never blocks; a full ring drops the record (the ring counts it).
 */
#ifndef AD_CAPTURE_EMIT_H
#define AD_CAPTURE_EMIT_H

#include "common/record.h"
#include "ipc/ring.h"

/*
 * Appends ev to the ring. Counts events_in; the ring counts records_written or the drop
 * reason (ring full / too large). Returns AD_OK, AD_EFULL or AD_ERANGE (dropped,
 * counted) or AD_EINVAL (the event failed to encode: counted as a decode error).
 */
ad_err ad_capture_emit(ad_ring_producer *ring, const ad_event *ev);

#endif

/* asimdns-capture: event -> ring record. */
#include "capture/emit.h"

#include <stddef.h>
#include <string.h>

ad_err ad_capture_emit(ad_ring_producer *ring, const ad_event *ev)
{
    ad_ring_producer_counter_add(ring, AD_CAP_EVENTS_IN, 1);
    size_t size = ad_record_encoded_size(ev);
    void *payload;
    uint64_t seq;
    ad_err err = ad_ring_producer_reserve(ring, size, &payload, &seq);
    if (err != AD_OK)
        return err; /* dropped; the ring counted it and consumed seq */
    size_t written;
    err = ad_record_encode(ev, payload, size, &written);
    if (err != AD_OK) {
        /* The sequence number is handed to the next record: no gap for a record never made. */
        ad_ring_producer_cancel(ring);
        ad_ring_producer_decode_error(ring, ev->hdr.event_id, ev->hdr.event_version);
        return err;
    }
    /* The encoder wrote the caller's sequence; the ring's number is the authoritative one. */
    memcpy((char *)payload + offsetof(ad_record_hdr, sequence), &seq, sizeof(seq));
    ad_ring_producer_commit(ring, written); /* counts records_written */
    return AD_OK;
}

ad_err ad_capture_etw_event(ad_ring_producer *ring, const ad_etw_event_in *in,
                            ad_decode_scratch *scratch)
{
    ad_event ev;
    ad_err err = ad_etw_decode(in, &ev, scratch);
    if (err == AD_OK)
        return ad_capture_emit(ring, &ev);
    ad_ring_producer_counter_add(ring, AD_CAP_EVENTS_IN, 1);
    if (err == AD_EUNSUPP)
        ad_ring_producer_counter_add(ring, AD_CAP_UNSUPPORTED_EVENTS, 1);
    else
        ad_ring_producer_decode_error(ring, in->event_id, in->version);
    return err;
}

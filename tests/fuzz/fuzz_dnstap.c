/*
 * asimdns: libFuzzer target for capture/dnstap_decode. Arbitrary bytes are decoded as a
 * dnstap payload; every accepted payload must give an event that encodes as a valid record
 * (common/record.h) with the documented mapping invariants (DNS Server event id, dnstap
 * source and type).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/dnstap_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ad_dnstap_event out;
    static unsigned char rec[AD_RECORD_MAX_SIZE];
    ad_err err = ad_dnstap_decode(data, size, &out);
    check(err == AD_OK || err == AD_EFORMAT || err == AD_EUNSUPP);
    if (err == AD_OK) {
        const ad_record_hdr *h = &out.ev.hdr;
        check(h->source == AD_SOURCE_DNSTAP && h->provider == AD_PROVIDER_DNS_SERVER);
        check(h->dnstap_type >= 1 && h->dnstap_type <= 8);
        check(h->event_id == 256 || h->event_id == 257 || h->event_id == 258 ||
              h->event_id == 260 || h->event_id == 261);
        check(!!(h->bits & AD_BIT_RESPONSE) == (h->dnstap_type % 2 == 0));
        size_t len = 0;
        check(ad_record_encode(&out.ev, rec, sizeof(rec), &len) == AD_OK);
        ad_event back;
        check(ad_record_decode(rec, len, &back) == AD_OK);
        check(back.hdr.event_id == h->event_id);
    }
    ad_dnstap_event_release(&out);
    return 0;
}

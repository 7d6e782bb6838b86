/*
 * asimdns: libFuzzer targets for the ETW decoders (capture/etw_decode_*.c): built once as
 * fuzz_etw_server and once, with FUZZ_ETW_CLIENT defined, as fuzz_etw_client.
 *
 * Input: byte 0 chooses the id space (server: 0/1 analytic 256 + byte 1 % 36, 2 audit 512 +
 * byte 1 % 85; client: 0/1 3000 + byte 1 % 21, 2 1013 + byte 1 % 6; both: 3 any id from bytes
 * 0-1), byte 2 is the event version, byte 3 bits 0/1 set the 32-/64-bit EVENT_HEADER flags;
 * the rest is UserData.
 *
 * Checks on every input: the decoder returns a documented code; after an error the record
 * holds only the identity fields; after success every string view lies inside UserData or
 * the scratch buffer and is UTF-8, the packet lies inside UserData, and the record encodes
 * and decodes back (so a decoded event can always reach the ring).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/etw_decode.h"
#include "common/utf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ad_decode_scratch scratch;
static unsigned char rec[AD_RECORD_MAX_SIZE];

static void check(int ok)
{
    if (!ok)
        abort();
}

static int inside(const char *p, size_t n, const void *base, size_t len)
{
    const char *b = base;
    return n == 0 || (p >= b && n <= len && p - b <= (ptrdiff_t)(len - n));
}

static void check_result(const ad_etw_event_in *in, ad_err err, const ad_event *ev)
{
    check(ev->hdr.event_id == in->event_id && ev->hdr.event_version == in->version);
    if (err != AD_OK) {
        check(err == AD_EUNSUPP || err == AD_ETRUNC || err == AD_ERANGE || err == AD_EUTF ||
              err == AD_EFORMAT || err == AD_EINVAL);
        check(ev->hdr.present == 0 && ev->hdr.bits == 0 && ev->packet.len == 0);
        for (unsigned s = 0; s < AD_STR__COUNT; s++)
            check(ev->str[s].len == 0);
        check(scratch.diag.layout == AD_ETW_LAYOUT_NONE);
        return;
    }
    check(scratch.diag.layout != AD_ETW_LAYOUT_NONE);
    check(scratch.used <= sizeof scratch.buf);
    for (unsigned s = 0; s < AD_STR__COUNT; s++) {
        const ad_bytes *b = &ev->str[s];
        check(inside(b->ptr, b->len, in->userdata, in->userdata_len) ||
              inside(b->ptr, b->len, scratch.buf, scratch.used));
        check(ad_utf8_valid(b->ptr, b->len));
    }
    check(inside(ev->packet.ptr, ev->packet.len, in->userdata, in->userdata_len));
    size_t len = 0;
    check(ad_record_encode(ev, rec, sizeof rec, &len) == AD_OK);
    ad_event back;
    check(ad_record_decode(rec, len, &back) == AD_OK);
    check(back.hdr.event_id == ev->hdr.event_id && back.hdr.present == ev->hdr.present);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    ad_etw_event_in in;
    memset(&in, 0, sizeof in);
#ifdef FUZZ_ETW_CLIENT
    in.provider = AD_PROVIDER_DNS_CLIENT;
    const unsigned first[2] = {3000, 1013}, span[2] = {21, 6};
#else
    in.provider = AD_PROVIDER_DNS_SERVER;
    const unsigned first[2] = {256, 512}, span[2] = {36, 85};
#endif
    in.source = AD_SOURCE_REPLAY;
    switch (data[0] & 3) {
    case 0:
    case 1:
        in.event_id = (uint16_t)(first[0] + data[1] % span[0]);
        break;
    case 2:
        in.event_id = (uint16_t)(first[1] + data[1] % span[1]);
        break;
    default:
        in.event_id = (uint16_t)(data[1] | (data[0] & 0xFC) << 6);
        break;
    }
    in.version = data[2];
    in.header_flags = (uint16_t)((data[3] & 1 ? 0x20 : 0) | (data[3] & 2 ? 0x40 : 0));
    in.userdata = size > 4 ? data + 4 : NULL;
    in.userdata_len = size - 4;

    ad_event ev;
    ad_err err = ad_etw_decode(&in, &ev, &scratch);
    check_result(&in, err, &ev);
    return 0;
}

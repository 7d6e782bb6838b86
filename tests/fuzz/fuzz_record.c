/*
 * asimdns: libFuzzer target for the event record (common/record.h).
 *
 * Decode path: arbitrary bytes go to ad_record_decode. When they decode, the record is
 * re-encoded; the encoding is canonical (reserved fields, padding and lengths all follow from
 * the fields), so the new bytes must equal the accepted input (but for the version, which is
 * always the current one) and decode to the same fields.
 *
 * Encode path: the same bytes, made into a plausible ad_event (header taken from the input
 * with enums and addresses folded into range, string views of fuzzer-chosen lengths that may
 * overlap and exceed every cap), must encode to a record that decodes, with each string a
 * prefix of its input and the truncation bits set exactly when something was cut.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALL_PRESENT ((uint32_t)AD_HAS_RESPONSE_TIME * 2u - 1u)
#define ALL_BITS                                                                                   \
    ((uint32_t)(AD_BIT_RD | AD_BIT_AA | AD_BIT_AD | AD_BIT_DNSSEC | AD_BIT_SECURE |                \
                AD_BIT_RESPONSE | AD_REC_STR_TRUNCATED | AD_REC_PACKET_TRUNCATED |                 \
                AD_REC_PARTIAL | AD_REC_LEGACY_LAYOUT))

static unsigned char out[AD_RECORD_MAX_SIZE];

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_same_views(const ad_bytes *a, const ad_bytes *b)
{
    check(a->len == b->len);
    check(a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

static void check_same_event(const ad_event *a, const ad_event *b)
{
    check(memcmp(&a->hdr, &b->hdr, sizeof(a->hdr)) == 0);
    for (size_t i = 0; i < AD_STR__COUNT; i++)
        check_same_views(&a->str[i], &b->str[i]);
    check_same_views(&a->packet, &b->packet);
}

static void check_addr_format(const ad_addr *addr)
{
    char text[AD_ADDR_TEXT_MAX];
    size_t n = ad_addr_format(addr, text, sizeof(text));
    check(n < sizeof(text) && text[n] == '\0');
    if (n == 0)
        return;
    /* What we print must parse back to the same address. */
    ad_addr back = *addr;
    check(ad_addr_parse(&back, text, n) == AD_OK);
    check(back.family == addr->family && memcmp(back.bytes, addr->bytes, 16) == 0);
}

static void fuzz_decode(const uint8_t *data, size_t size)
{
    size_t peeked = 0;
    if (ad_record_peek_size(data, size, &peeked) == AD_OK)
        check(peeked <= UINT16_MAX);
    ad_event ev;
    if (ad_record_decode(data, size, &ev) != AD_OK)
        return;
    check(peeked == ev.hdr.size && ev.hdr.size <= size);
    check(ad_record_encoded_size(&ev) == ev.hdr.size);

    size_t out_len = 0;
    check(ad_record_encode(&ev, out, sizeof(out), &out_len) == AD_OK);
    check(out_len == ev.hdr.size);
    /* The encoder writes the current version; an accepted version-1 input differs there only
       (its AD_STR_PROCESS length, reserved in version 1, is zero). */
    uint16_t in_version = (uint16_t)(data[0] | data[1] << 8);
    check(in_version >= AD_RECORD_VERSION_MIN && in_version <= AD_RECORD_VERSION);
    check(in_version == AD_RECORD_VERSION || ev.str[AD_STR_PROCESS].len == 0);
    check(out[0] == AD_RECORD_VERSION && out[1] == 0 &&
          memcmp(out + 2, data + 2, out_len - 2) == 0);

    ad_event again;
    check(ad_record_decode(out, out_len, &again) == AD_OK);
    check_same_event(&ev, &again);

    check_addr_format(&ev.hdr.src);
    check_addr_format(&ev.hdr.dst);
    check_addr_format(&ev.hdr.iface);
}

static void fold_addr(ad_addr *a)
{
    static const uint8_t families[3] = {AD_FAMILY_NONE, AD_FAMILY_IPV4, AD_FAMILY_IPV6};
    a->family = families[a->family % 3];
    a->has_port &= 1;
    if (!a->has_port)
        a->port = 0;
    if (a->family == AD_FAMILY_NONE)
        memset(a, 0, sizeof(*a));
    else if (a->family == AD_FAMILY_IPV4)
        memset(a->bytes + 4, 0, sizeof(a->bytes) - 4);
}

/* A header from the input, with every value the encoder would refuse folded into range. */
static void fold_header(ad_record_hdr *h)
{
    h->source %= AD_SOURCE__COUNT;
    h->provider %= AD_PROVIDER__COUNT;
    h->transport %= AD_TRANSPORT__COUNT;
    if (h->source != AD_SOURCE_DNSTAP)
        h->dnstap_type = 0;
    h->present &= ALL_PRESENT;
    h->bits &= ALL_BITS;
    fold_addr(&h->src);
    fold_addr(&h->dst);
    fold_addr(&h->iface);
}

/* The view's bytes, as encoded, must be a prefix of what the caller gave. */
static int check_prefix(const ad_bytes *in, const ad_bytes *got)
{
    check(got->len <= in->len);
    check(got->len == 0 || memcmp(in->ptr, got->ptr, got->len) == 0);
    return got->len < in->len;
}

static void fuzz_encode(const uint8_t *data, size_t size)
{
    if (size < sizeof(ad_record_hdr))
        return;
    ad_event ev;
    ad_event_init(&ev);
    memcpy(&ev.hdr, data, sizeof(ev.hdr));
    fold_header(&ev.hdr);
    const char *pool = (const char *)data + sizeof(ev.hdr);
    size_t pool_len = size - sizeof(ev.hdr);
    /* str_len[i] picks an offset into the pool; the view runs to the pool's end, so long
     * inputs give strings beyond AD_RECORD_MAX_STR and views overlap freely. */
    for (size_t i = 0; i < AD_STR__COUNT; i++) {
        size_t off = pool_len ? ev.hdr.str_len[i] % (pool_len + 1) : 0;
        ad_event_set_str(&ev, (ad_str_slot)i, pool + off, pool_len - off);
    }
    size_t poff = pool_len ? ev.hdr.packet_len % (pool_len + 1) : 0;
    ev.packet.ptr = pool + poff;
    ev.packet.len = pool_len - poff;

    size_t out_len = 0;
    ad_err err = ad_record_encode(&ev, out, sizeof(out), &out_len);
    if (err == AD_EUTF)
        return;
    check(err == AD_OK);
    check(out_len == ad_record_encoded_size(&ev) && out_len <= AD_RECORD_MAX_SIZE);

    ad_event got;
    check(ad_record_decode(out, out_len, &got) == AD_OK);
    int str_cut = 0;
    for (size_t i = 0; i < AD_STR__COUNT; i++)
        str_cut |= check_prefix(&ev.str[i], &got.str[i]);
    int packet_cut = check_prefix(&ev.packet, &got.packet);
    check(!str_cut || (got.hdr.bits & AD_REC_STR_TRUNCATED));
    check(!packet_cut || (got.hdr.bits & AD_REC_PACKET_TRUNCATED));
    check((got.hdr.bits & ~(uint32_t)(AD_REC_STR_TRUNCATED | AD_REC_PACKET_TRUNCATED)) ==
          (ev.hdr.bits & ~(uint32_t)(AD_REC_STR_TRUNCATED | AD_REC_PACKET_TRUNCATED)));
    check(got.hdr.time_ns == ev.hdr.time_ns && got.hdr.sequence == ev.hdr.sequence);
    check(memcmp(&got.hdr.src, &ev.hdr.src, sizeof(ad_addr)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decode(data, size);
    fuzz_encode(data, size);
    return 0;
}

/* asimdns-exporter: the spool's on-disk format (spool_format.h, docs/SPOOL.md). */
#include "exporter/spool_format.h"

#include <string.h>

static const uint8_t seg_magic[8] = {'A', 'D', 'S', 'P', 'O', 'O', 'L', '\n'};

/* CRC32C (Castagnoli, reflected 0x82F63B78), as iSCSI and ext4 use it; table made on first use. */
static uint32_t crc_table[256];
static bool crc_ready;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        crc_table[i] = c;
    }
    crc_ready = true;
}

uint32_t ad_crc32c(uint32_t crc, const void *data, size_t len)
{
    if (!crc_ready)
        crc_init();
    const uint8_t *p = data;
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

void ad_spool_put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

void ad_spool_put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t ad_spool_get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t ad_spool_get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Segment header: magic[8] layout u32 hdr_len u32 generation u64 first_id u64 last_id u64
   created_ns u64 reserved[12] crc u32 (over bytes 0..59). */
void ad_spool_seg_hdr_encode(const ad_spool_seg_hdr *h, uint8_t out[AD_SPOOL_SEG_HDR])
{
    memset(out, 0, AD_SPOOL_SEG_HDR);
    memcpy(out, seg_magic, 8);
    ad_spool_put_u32(out + 8, AD_SPOOL_LAYOUT);
    ad_spool_put_u32(out + 12, AD_SPOOL_SEG_HDR);
    ad_spool_put_u64(out + 16, h->generation);
    ad_spool_put_u64(out + 24, h->first_id);
    ad_spool_put_u64(out + 32, h->last_id);
    ad_spool_put_u64(out + 40, h->created_ns);
    ad_spool_put_u32(out + 60, ad_crc32c(0, out, 60));
}

bool ad_spool_seg_hdr_decode(const uint8_t in[AD_SPOOL_SEG_HDR], ad_spool_seg_hdr *h)
{
    if (memcmp(in, seg_magic, 8) != 0 || ad_spool_get_u32(in + 60) != ad_crc32c(0, in, 60))
        return false;
    h->layout = ad_spool_get_u32(in + 8);
    if (h->layout != AD_SPOOL_LAYOUT || ad_spool_get_u32(in + 12) != AD_SPOOL_SEG_HDR)
        return false;
    h->generation = ad_spool_get_u64(in + 16);
    h->first_id = ad_spool_get_u64(in + 24);
    h->last_id = ad_spool_get_u64(in + 32);
    h->created_ns = ad_spool_get_u64(in + 40);
    return h->first_id != 0 && (h->last_id == 0 || h->last_id >= h->first_id);
}

/* Block header: magic u32 flags u16 reserved u16 count u32 raw_len u32 stored_len u32
   first_id u64 wall_ns u64 payload_crc u32 header_crc u32 (over bytes 0..39). */
void ad_spool_blk_hdr_encode(const ad_spool_blk_hdr *h, uint8_t out[AD_SPOOL_BLK_HDR])
{
    memset(out, 0, AD_SPOOL_BLK_HDR);
    ad_spool_put_u32(out, AD_SPOOL_BLK_MAGIC);
    out[4] = (uint8_t)h->flags;
    out[5] = (uint8_t)(h->flags >> 8);
    ad_spool_put_u32(out + 8, h->count);
    ad_spool_put_u32(out + 12, h->raw_len);
    ad_spool_put_u32(out + 16, h->stored_len);
    ad_spool_put_u64(out + 20, h->first_id);
    ad_spool_put_u64(out + 28, h->wall_ns);
    ad_spool_put_u32(out + 36, h->payload_crc);
    ad_spool_put_u32(out + 40, ad_crc32c(0, out, 40));
}

bool ad_spool_blk_hdr_decode(const uint8_t in[AD_SPOOL_BLK_HDR], ad_spool_blk_hdr *h)
{
    if (ad_spool_get_u32(in) != AD_SPOOL_BLK_MAGIC ||
        ad_spool_get_u32(in + 40) != ad_crc32c(0, in, 40))
        return false;
    h->flags = (uint16_t)(in[4] | (in[5] << 8));
    h->count = ad_spool_get_u32(in + 8);
    h->raw_len = ad_spool_get_u32(in + 12);
    h->stored_len = ad_spool_get_u32(in + 16);
    h->first_id = ad_spool_get_u64(in + 20);
    h->wall_ns = ad_spool_get_u64(in + 28);
    h->payload_crc = ad_spool_get_u32(in + 36);
    if ((h->flags & ~AD_SPOOL_BLK_ZLIB) != 0 || h->count == 0 || h->first_id == 0)
        return false;
    if (h->raw_len > AD_SPOOL_BLK_MAX || h->stored_len > AD_SPOOL_BLK_MAX ||
        (uint64_t)h->count * AD_SPOOL_REC_HDR > h->raw_len)
        return false;
    return (h->flags & AD_SPOOL_BLK_ZLIB) || h->stored_len == h->raw_len;
}

/* Ledger slot: magic u32 layout u32 counter u64 acked_id u64 written_id u64 generation u64
   reserved[24] crc u32 (over bytes 0..59). */
void ad_spool_ledger_encode(const ad_spool_ledger *l, uint8_t out[AD_SPOOL_LEDGER_SLOT])
{
    memset(out, 0, AD_SPOOL_LEDGER_SLOT);
    ad_spool_put_u32(out, AD_SPOOL_LEDGER_MAGIC);
    ad_spool_put_u32(out + 4, AD_SPOOL_LAYOUT);
    ad_spool_put_u64(out + 8, l->counter);
    ad_spool_put_u64(out + 16, l->acked_id);
    ad_spool_put_u64(out + 24, l->written_id);
    ad_spool_put_u64(out + 32, l->generation);
    ad_spool_put_u32(out + 60, ad_crc32c(0, out, 60));
}

bool ad_spool_ledger_decode(const uint8_t in[AD_SPOOL_LEDGER_SLOT], ad_spool_ledger *l)
{
    if (ad_spool_get_u32(in) != AD_SPOOL_LEDGER_MAGIC ||
        ad_spool_get_u32(in + 4) != AD_SPOOL_LAYOUT ||
        ad_spool_get_u32(in + 60) != ad_crc32c(0, in, 60))
        return false;
    l->counter = ad_spool_get_u64(in + 8);
    l->acked_id = ad_spool_get_u64(in + 16);
    l->written_id = ad_spool_get_u64(in + 24);
    l->generation = ad_spool_get_u64(in + 32);
    return true;
}

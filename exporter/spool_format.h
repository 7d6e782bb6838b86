/*
 * asimdns-exporter: the spool's on-disk format (docs/SPOOL.md): segment header, block header,
 * ledger slot, CRC32C. Little-endian, fixed offsets, each header with its own checksum so a
 * damaged payload never hides where the next block starts.
 */
#ifndef AD_EXPORTER_SPOOL_FORMAT_H
#define AD_EXPORTER_SPOOL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_SPOOL_LAYOUT 1u
#define AD_SPOOL_SEG_HDR 64u /* segment header bytes */
#define AD_SPOOL_BLK_HDR 44u /* block header bytes */
#define AD_SPOOL_REC_HDR 20u /* per record: len u32, ring generation u64, ring sequence u64 */
#define AD_SPOOL_LEDGER_SLOT 64u
#define AD_SPOOL_BLK_MAGIC 0x4b4c4253u    /* "SBLK" */
#define AD_SPOOL_LEDGER_MAGIC 0x47444c53u /* "SLDG" */
#define AD_SPOOL_BLK_ZLIB 1u
/* Upper bound of one block's payload (raw or stored), whatever the header says. */
#define AD_SPOOL_BLK_MAX (16u * 1024u * 1024u)

uint32_t ad_crc32c(uint32_t crc, const void *data, size_t len);

typedef struct ad_spool_seg_hdr {
    uint32_t layout;
    uint64_t generation; /* the spool's open count when the segment was created */
    uint64_t first_id;   /* id of its first record */
    uint64_t last_id;    /* id of its last record once sealed; 0 while it is written */
    uint64_t created_ns; /* wall clock */
} ad_spool_seg_hdr;

typedef struct ad_spool_blk_hdr {
    uint16_t flags; /* AD_SPOOL_BLK_ZLIB */
    uint32_t count; /* records */
    uint32_t raw_len;
    uint32_t stored_len;
    uint64_t first_id;
    uint64_t wall_ns; /* when it was written (spool.max_age) */
    uint32_t payload_crc;
} ad_spool_blk_hdr;

typedef struct ad_spool_ledger {
    uint64_t counter;    /* which of the two slots is newer */
    uint64_t acked_id;   /* every id <= this was acknowledged by the receiver */
    uint64_t written_id; /* highest id known durable when the slot was written */
    uint64_t generation; /* the spool's open count */
} ad_spool_ledger;

void ad_spool_seg_hdr_encode(const ad_spool_seg_hdr *h, uint8_t out[AD_SPOOL_SEG_HDR]);
/* false: wrong magic, checksum or layout. */
bool ad_spool_seg_hdr_decode(const uint8_t in[AD_SPOOL_SEG_HDR], ad_spool_seg_hdr *h);

void ad_spool_blk_hdr_encode(const ad_spool_blk_hdr *h, uint8_t out[AD_SPOOL_BLK_HDR]);
/* false: wrong magic or header checksum, or lengths out of bounds. */
bool ad_spool_blk_hdr_decode(const uint8_t in[AD_SPOOL_BLK_HDR], ad_spool_blk_hdr *h);

void ad_spool_ledger_encode(const ad_spool_ledger *l, uint8_t out[AD_SPOOL_LEDGER_SLOT]);
bool ad_spool_ledger_decode(const uint8_t in[AD_SPOOL_LEDGER_SLOT], ad_spool_ledger *l);

void ad_spool_put_u32(uint8_t *p, uint32_t v);
void ad_spool_put_u64(uint8_t *p, uint64_t v);
uint32_t ad_spool_get_u32(const uint8_t *p);
uint64_t ad_spool_get_u64(const uint8_t *p);

#endif

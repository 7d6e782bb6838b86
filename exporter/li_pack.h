/*
 * asimdns-exporter: packing newline-separated JSON rows into JSON arrays of bounded size for
 * the Logs Ingestion API (the service refuses calls over 1 MB; docs/SENTINEL.md §2).
 */
#ifndef AD_EXPORTER_LI_PACK_H
#define AD_EXPORTER_LI_PACK_H

#include <stddef.h>
#include <stdint.h>

/* Length of the row starting at data[off] (up to its newline or the end). */
size_t ad_li_row_len(const uint8_t *data, size_t len, size_t off);

/*
 * Writes "[row,row,...]" into out from the rows of data[off..len) (empty lines skipped): as
 * many rows as keep the array within limit bytes, and always the first row when the array of
 * it alone stays within hard_max (limit <= hard_max; out holds hard_max bytes). Returns the
 * array's length with *rows and *end (the offset after the last row taken), or 0 when no row
 * was taken: *end == len means only empty lines were left, otherwise the row at *end alone
 * exceeds hard_max.
 */
size_t ad_li_pack(const uint8_t *data, size_t len, size_t off, size_t limit, size_t hard_max,
                  char *out, size_t *end, uint32_t *rows);

#endif

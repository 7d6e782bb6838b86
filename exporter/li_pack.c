/* asimdns-exporter: JSON arrays of bounded size from JSON lines (li_pack.h). */
#include "exporter/li_pack.h"

#include <string.h>

size_t ad_li_row_len(const uint8_t *data, size_t len, size_t off)
{
    const uint8_t *nl = memchr(data + off, '\n', len - off);
    return nl ? (size_t)(nl - (data + off)) : len - off;
}

size_t ad_li_pack(const uint8_t *data, size_t len, size_t off, size_t limit, size_t hard_max,
                  char *out, size_t *end, uint32_t *rows)
{
    size_t b = 1; /* '[' */
    *rows = 0;
    out[0] = '[';
    while (off < len) {
        size_t rl = ad_li_row_len(data, len, off);
        if (rl == 0) {
            off++;
            continue;
        }
        /* The array with this row: what is there, a comma, the row and the closing ']'. */
        size_t with = b + (*rows > 0) + rl + 1;
        if (with > hard_max || (*rows > 0 && with > limit))
            break;
        if (*rows > 0)
            out[b++] = ',';
        memcpy(out + b, data + off, rl);
        b += rl;
        (*rows)++;
        off += rl;
        if (off < len)
            off++; /* the newline */
    }
    *end = off;
    if (*rows == 0)
        return 0;
    out[b++] = ']';
    return b;
}

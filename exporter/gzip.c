/* asimdns-exporter: gzip bodies with zlib (deflateInit2 windowBits 15 + 16 = gzip wrapper). */
#include "exporter/gzip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* windowBits: 15 (32 KiB window) + 16 selects the gzip header and trailer (zlib.h). */
#define GZIP_WINDOW_BITS (15 + 16)
#define GZIP_MEM_LEVEL 8

struct ad_gzip {
    z_stream zs;
    int level;
};

ad_err ad_gzip_create(int level, ad_gzip **out)
{
    *out = NULL;
    if (level == -1)
        level = AD_GZIP_DEFAULT_LEVEL;
    if (level < 0 || level > 9)
        return AD_EINVAL;
    ad_gzip *gz = calloc(1, sizeof(*gz));
    if (!gz)
        return AD_ENOMEM;
    gz->level = level;
    int rc = deflateInit2(&gz->zs, level, Z_DEFLATED, GZIP_WINDOW_BITS, GZIP_MEM_LEVEL,
                          Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) {
        free(gz);
        return rc == Z_MEM_ERROR ? AD_ENOMEM : AD_EINVAL;
    }
    *out = gz;
    return AD_OK;
}

void ad_gzip_destroy(ad_gzip *gz)
{
    if (!gz)
        return;
    deflateEnd(&gz->zs);
    free(gz);
}

size_t ad_gzip_bound(size_t in_len)
{
    /* zlib's compressBound() formula plus the gzip wrapper (18 bytes) and slack; computed here
     * because compressBound() takes a uLong, 32 bits on Windows. */
    return in_len + (in_len >> 12) + (in_len >> 14) + (in_len >> 25) + 64;
}

ad_err ad_gzip_compress(ad_gzip *gz, const void *in, size_t in_len, void *out, size_t out_cap,
                        size_t *out_len)
{
    if (in_len > UINT_MAX)
        return AD_ERANGE;
    if ((in == NULL && in_len > 0) || out == NULL)
        return AD_EINVAL;
    z_stream *zs = &gz->zs;
    static const Bytef empty[1] = {0};
    zs->next_in = in_len ? (Bytef *)(uintptr_t)in : (Bytef *)(uintptr_t)empty;
    zs->avail_in = (uInt)in_len;
    zs->next_out = out;
    zs->avail_out = out_cap > UINT_MAX ? UINT_MAX : (uInt)out_cap;
    int rc = deflate(zs, Z_FINISH);
    size_t produced = (size_t)zs->total_out;
    deflateReset(zs);
    if (rc == Z_STREAM_END) {
        *out_len = produced;
        return AD_OK;
    }
    /* Z_OK or Z_BUF_ERROR after Z_FINISH: out ran out of room. */
    return rc == Z_OK || rc == Z_BUF_ERROR ? AD_EFULL : AD_EIO;
}

ad_err ad_gzip_compress_once(int level, const void *in, size_t in_len, void *out, size_t out_cap,
                             size_t *out_len)
{
    ad_gzip *gz;
    ad_err err = ad_gzip_create(level, &gz);
    if (err != AD_OK)
        return err;
    err = ad_gzip_compress(gz, in, in_len, out, out_cap, out_len);
    ad_gzip_destroy(gz);
    return err;
}

ad_err ad_gunzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len)
{
    if (in_len > UINT_MAX)
        return AD_ERANGE;
    if ((in == NULL && in_len > 0) || (out == NULL && out_cap > 0))
        return AD_EINVAL;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    int rc = inflateInit2(&zs, GZIP_WINDOW_BITS);
    if (rc != Z_OK)
        return rc == Z_MEM_ERROR ? AD_ENOMEM : AD_EIO;
    static Bytef sink[1];
    zs.next_in = in_len ? (Bytef *)(uintptr_t)in : sink;
    zs.avail_in = (uInt)in_len;
    zs.next_out = out_cap ? out : sink;
    zs.avail_out = out_cap > UINT_MAX ? UINT_MAX : (uInt)out_cap;
    ad_err err;
    for (;;) {
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            err = zs.avail_in == 0 ? AD_OK : AD_EFORMAT; /* bytes after the member */
            break;
        }
        if (rc == Z_OK)
            continue;
        if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
            /* No room left: does the member hold more output, or did the input end inside
             * it? Offer one more byte to find out. */
            Bytef probe;
            zs.next_out = &probe;
            zs.avail_out = 1;
            rc = inflate(&zs, Z_NO_FLUSH);
            if (zs.avail_out == 0) {
                err = AD_EFULL;
                break;
            }
            if (rc == Z_STREAM_END) {
                err = zs.avail_in == 0 ? AD_OK : AD_EFORMAT;
                break;
            }
            err = rc == Z_MEM_ERROR ? AD_ENOMEM : AD_EFORMAT;
            break;
        }
        if (rc == Z_BUF_ERROR) {
            err = AD_EFORMAT; /* the input ended inside the member */
            break;
        }
        err = rc == Z_MEM_ERROR ? AD_ENOMEM : AD_EFORMAT;
        break;
    }
    if (err == AD_OK)
        *out_len = (size_t)zs.total_out;
    inflateEnd(&zs);
    return err;
}

/*
 * asimdns-exporter: gzip bodies with libdeflate (one-shot whole-buffer compression into the
 * standard gzip wrapper); ad_gunzip inflates with zlib's streaming inflate, which stops at
 * out_cap. libdeflate over zlib: on the exporter's OTLP batches its level 1 is 1.5-1.9x as fast
 * as zlib's and compresses 22 % better (bench/README.md, bench_gzip).
 */
#include "exporter/gzip.h"

#include <libdeflate.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* windowBits: 15 (32 KiB window) + 16 selects the gzip header and trailer (zlib.h). */
#define GZIP_WINDOW_BITS (15 + 16)

struct ad_gzip {
    struct libdeflate_compressor *c;
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
    /* libdeflate's levels 0..9 keep zlib's meaning (0 stored, 1 fastest, 9 smallest). */
    gz->c = libdeflate_alloc_compressor(level);
    if (!gz->c) {
        free(gz);
        return AD_ENOMEM;
    }
    *out = gz;
    return AD_OK;
}

void ad_gzip_destroy(ad_gzip *gz)
{
    if (!gz)
        return;
    libdeflate_free_compressor(gz->c);
    free(gz);
}

size_t ad_gzip_bound(size_t in_len)
{
    /* libdeflate's worst case over every compressor (NULL), which includes the gzip wrapper;
     * never below zlib's compressBound() formula + wrapper and slack, which callers knew. */
    size_t zlib_like = in_len + (in_len >> 12) + (in_len >> 14) + (in_len >> 25) + 64;
    size_t ld = libdeflate_gzip_compress_bound(NULL, in_len);
    return ld > zlib_like ? ld : zlib_like;
}

ad_err ad_gzip_compress(ad_gzip *gz, const void *in, size_t in_len, void *out, size_t out_cap,
                        size_t *out_len)
{
    /* 4 GiB: the limit the API has always had (the gzip trailer's ISIZE wraps beyond it). */
    if (in_len > UINT_MAX)
        return AD_ERANGE;
    if ((in == NULL && in_len > 0) || out == NULL)
        return AD_EINVAL;
    static const unsigned char empty[1] = {0};
    size_t n = libdeflate_gzip_compress(gz->c, in_len ? in : empty, in_len, out, out_cap);
    if (n == 0)
        return AD_EFULL; /* libdeflate's only failure: the output did not fit */
    *out_len = n;
    return AD_OK;
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

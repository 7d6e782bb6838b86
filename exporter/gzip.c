/*
 * asimdns-exporter: gzip bodies in one shot (whole buffer into the standard gzip wrapper) with
 * Intel ISA-L's igzip where the build found it (AD_HAVE_ISAL, cmake ASIMDNS_GZIP), with
 * libdeflate otherwise; ad_gunzip inflates with zlib's streaming inflate, which stops at
 * out_cap. On the exporter's OTLP batches ISA-L's level 1 is several times as fast as
 * libdeflate's level 1, which is itself 1.5-1.9x zlib's (bench/README.md, bench_gzip).
 */
#include "exporter/gzip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#ifdef AD_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <libdeflate.h>
#endif

/* windowBits: 15 (32 KiB window) + 16 selects the gzip header and trailer (zlib.h). */
#define GZIP_WINDOW_BITS (15 + 16)

#ifdef AD_HAVE_ISAL

struct ad_gzip {
    struct isal_zstream zs; /* ~100 KiB of stream state, set up again for each body */
    uint8_t *level_buf;     /* igzip's hash tables and tokens for levels 1..3 */
    uint32_t level_buf_size;
    uint32_t isal_level;
};

/*
 * zlib's levels 0..9 onto igzip's 0..3: igzip has no stored-only mode, so 0 is its fastest
 * compressing level; 1 (the default) is igzip 1; the middle levels igzip 2; 6..9 igzip 3.
 */
const char *ad_gzip_backend(void)
{
    return "isa-l";
}

static uint32_t isal_level(int level)
{
    if (level <= 1)
        return (uint32_t)level;
    return level < 6 ? 2 : 3;
}

static uint32_t isal_level_buf_size(uint32_t isal_level)
{
    static const uint32_t size[] = {ISAL_DEF_LVL0_DEFAULT, ISAL_DEF_LVL1_DEFAULT,
                                    ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT};
    return size[isal_level];
}

static ad_err compressor_open(ad_gzip *gz, int level)
{
    gz->isal_level = isal_level(level);
    gz->level_buf_size = isal_level_buf_size(gz->isal_level);
    if (gz->level_buf_size && !(gz->level_buf = malloc(gz->level_buf_size)))
        return AD_ENOMEM;
    return AD_OK;
}

static void compressor_close(ad_gzip *gz)
{
    free(gz->level_buf);
}

/* igzip writes stored blocks (at most 65535 bytes, 5 bytes of header each) when compressing
 * would not fit; the gzip header and trailer are 18 bytes. */
static size_t compressor_bound(size_t in_len)
{
    return in_len + 5 * (in_len / 65535 + 1) + 18;
}

static size_t compressor_run(ad_gzip *gz, const void *in, size_t in_len, void *out, size_t out_cap)
{
    static uint8_t empty[1];
    struct isal_zstream *zs = &gz->zs;
    isal_deflate_stateless_init(zs);
    zs->level = gz->isal_level;
    zs->level_buf = gz->level_buf;
    zs->level_buf_size = gz->level_buf_size;
    zs->gzip_flag = IGZIP_GZIP; /* the plain RFC 1952 header: no name, comment or extra */
    zs->end_of_stream = 1;
    zs->flush = NO_FLUSH;
    zs->next_in = in_len ? (uint8_t *)(uintptr_t)in : empty;
    zs->avail_in = (uint32_t)in_len;
    zs->next_out = out;
    zs->avail_out = out_cap > UINT32_MAX ? UINT32_MAX : (uint32_t)out_cap;
    /* The only failure with valid parameters: STATELESS_OVERFLOW (the output did not fit). */
    return isal_deflate_stateless(zs) == COMP_OK ? zs->total_out : 0;
}

#else /* libdeflate */

struct ad_gzip {
    struct libdeflate_compressor *c;
};

const char *ad_gzip_backend(void)
{
    return "libdeflate";
}

static ad_err compressor_open(ad_gzip *gz, int level)
{
    /* libdeflate's levels 0..9 keep zlib's meaning (0 stored, 1 fastest, 9 smallest). */
    gz->c = libdeflate_alloc_compressor(level);
    return gz->c ? AD_OK : AD_ENOMEM;
}

static void compressor_close(ad_gzip *gz)
{
    libdeflate_free_compressor(gz->c);
}

/* libdeflate's worst case over every compressor (NULL), which includes the gzip wrapper. */
static size_t compressor_bound(size_t in_len)
{
    return libdeflate_gzip_compress_bound(NULL, in_len);
}

static size_t compressor_run(ad_gzip *gz, const void *in, size_t in_len, void *out, size_t out_cap)
{
    static const unsigned char empty[1] = {0};
    /* 0: libdeflate's only failure, the output did not fit. */
    return libdeflate_gzip_compress(gz->c, in_len ? in : empty, in_len, out, out_cap);
}

#endif

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
    if (compressor_open(gz, level) != AD_OK) {
        compressor_close(gz);
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
    compressor_close(gz);
    free(gz);
}

size_t ad_gzip_bound(size_t in_len)
{
    /* Never below zlib's compressBound() formula + wrapper and slack, which callers knew. */
    size_t zlib_like = in_len + (in_len >> 12) + (in_len >> 14) + (in_len >> 25) + 64;
    size_t own = compressor_bound(in_len);
    return own > zlib_like ? own : zlib_like;
}

ad_err ad_gzip_compress(ad_gzip *gz, const void *in, size_t in_len, void *out, size_t out_cap,
                        size_t *out_len)
{
    /* 4 GiB: the limit the API has always had (the gzip trailer's ISIZE wraps beyond it). */
    if (in_len > UINT_MAX)
        return AD_ERANGE;
    if ((in == NULL && in_len > 0) || out == NULL)
        return AD_EINVAL;
    size_t n = compressor_run(gz, in, in_len, out, out_cap);
    if (n == 0)
        return AD_EFULL;
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

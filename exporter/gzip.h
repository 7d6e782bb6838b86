/*
 * asimdns-exporter: gzip (RFC 1952) compression of request bodies, for OTLP/HTTP
 * `Content-Encoding: gzip` (facts/otlp-logs.md §2.1); any gzip reader (zlib's inflate among
 * them) reads the output. Level 1 by default: on realistic batches it is the cheapest useful
 * level (bench/README.md, bench_gzip). The compressor is chosen when the build is configured
 * (ASIMDNS_GZIP): Intel ISA-L's igzip where available, libdeflate otherwise; the API and the
 * output format are the same (with ISA-L levels 0..9 map onto igzip's 0..3, gzip.c).
 *
 * A context keeps its compressor state, so it is allocated once. Output always goes into a
 * caller buffer of bounded size. ad_gunzip uses zlib's streaming inflate.
 */
#ifndef AD_EXPORTER_GZIP_H
#define AD_EXPORTER_GZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define AD_GZIP_DEFAULT_LEVEL 1

typedef struct ad_gzip ad_gzip;

/* A compressor at level 0..9 (-1 = AD_GZIP_DEFAULT_LEVEL). AD_EINVAL, AD_ENOMEM. */
ad_err ad_gzip_create(int level, ad_gzip **out);
void ad_gzip_destroy(ad_gzip *gz);

/* The compressor this build uses: "isa-l" or "libdeflate". */
const char *ad_gzip_backend(void);

/* Upper bound of the output for in_len input bytes (a buffer this big always suffices). */
size_t ad_gzip_bound(size_t in_len);

/*
 * Compresses in[in_len] into out[out_cap] as one gzip member; *out_len gets its size.
 * AD_EFULL when out_cap is too small (nothing usable is left in out), AD_ERANGE when in_len
 * is beyond 4 GiB (the gzip trailer's size field).
 */
ad_err ad_gzip_compress(ad_gzip *gz, const void *in, size_t in_len, void *out, size_t out_cap,
                        size_t *out_len);

/* One-shot form: creates and destroys a context around ad_gzip_compress(). */
ad_err ad_gzip_compress_once(int level, const void *in, size_t in_len, void *out, size_t out_cap,
                             size_t *out_len);

/*
 * Decompresses one gzip body (a receiver's `Content-Encoding: gzip`) into out[out_cap].
 * AD_EFULL when the data would exceed out_cap (decompression bombs stop there), AD_EFORMAT
 * for data that is not a complete gzip member (or has bytes after it), AD_ENOMEM, AD_ERANGE
 * as above.
 */
ad_err ad_gunzip(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);

#endif

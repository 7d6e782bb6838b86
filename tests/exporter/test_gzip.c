/*
 * Unit tests for exporter/gzip.h. Output is checked with zlib's own inflate (gzip wrapper,
 * windowBits 15 + 16), independently of ad_gunzip, and against the RFC 1952 header bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "exporter/gzip.h"

/* Request-like input: repetitive text with varying numbers. */
static uint8_t *sample(size_t n)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    uint64_t x = 88172645463325252ULL;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (i % 64) < 48 ? (uint8_t)("DnsQueryTypeName windows_dns_server EventResult "[i % 48])
                             : (uint8_t)('0' + x % 10);
    }
    return p;
}

/* zlib's streaming inflate with at most chunk bytes of output per call (an HTTP receiver reads
 * a body piece by piece); the member must end exactly at the end of the input. */
static size_t zlib_inflate_chunked(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                                   size_t chunk)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    int rc = Z_OK;
    while (rc == Z_OK) {
        size_t at = zs.total_out, room = cap - at;
        zs.next_out = out + at;
        zs.avail_out = (uInt)(room < chunk ? room : chunk);
        rc = inflate(&zs, Z_NO_FLUSH);
    }
    assert_int_equal(rc, Z_STREAM_END);
    assert_int_equal(zs.avail_in, 0);
    size_t n = zs.total_out;
    inflateEnd(&zs);
    return n;
}

static size_t zlib_inflate(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    return zlib_inflate_chunked(in, len, out, cap, cap);
}

static void roundtrip(int level, size_t n)
{
    uint8_t *in = sample(n);
    size_t cap = ad_gzip_bound(n);
    uint8_t *gz = malloc(cap), *back = malloc(n + 1);
    assert_non_null(gz);
    assert_non_null(back);
    ad_gzip *c;
    assert_int_equal(ad_gzip_create(level, &c), AD_OK);
    size_t glen = 0;
    /* Twice with the same context: the stream is reset between bodies. */
    for (int rep = 0; rep < 2; rep++) {
        assert_int_equal(ad_gzip_compress(c, in, n, gz, cap, &glen), AD_OK);
        assert_true(glen >= 18);
        /* RFC 1952 §2.3: ID1 ID2 = 1f 8b, CM = 8 (deflate). */
        assert_int_equal(gz[0], 0x1f);
        assert_int_equal(gz[1], 0x8b);
        assert_int_equal(gz[2], 0x08);
        assert_int_equal(zlib_inflate(gz, glen, back, n + 1), n);
        assert_memory_equal(back, in, n);
    }
    if (n > 4096 && level > 0)
        assert_true(glen < n / 2);
    /* ad_gunzip reads it back too. */
    size_t blen = 0;
    assert_int_equal(ad_gunzip(gz, glen, back, n + 1, &blen), AD_OK);
    assert_int_equal(blen, n);
    assert_memory_equal(back, in, n);
    ad_gzip_destroy(c);
    free(in);
    free(gz);
    free(back);
}

static void test_gzip_roundtrip_levels(void **state)
{
    (void)state;
    roundtrip(-1, 100000); /* default level 1 */
    roundtrip(0, 100000);
    roundtrip(1, 1);
    roundtrip(6, 300000);
    roundtrip(9, 5000);
    roundtrip(1, 4u * 1024 * 1024);
}

static void test_gzip_empty_input(void **state)
{
    (void)state;
    uint8_t gz[64], back[4];
    size_t glen, blen = 99;
    assert_int_equal(ad_gzip_compress_once(1, NULL, 0, gz, sizeof(gz), &glen), AD_OK);
    assert_int_equal(zlib_inflate(gz, glen, back, sizeof(back)), 0);
    assert_int_equal(ad_gunzip(gz, glen, back, sizeof(back), &blen), AD_OK);
    assert_int_equal(blen, 0);
}

static void test_gzip_output_too_small(void **state)
{
    (void)state;
    uint8_t *in = sample(10000);
    uint8_t out[32];
    size_t glen;
    ad_gzip *c;
    assert_int_equal(ad_gzip_create(1, &c), AD_OK);
    assert_int_equal(ad_gzip_compress(c, in, 10000, out, sizeof(out), &glen), AD_EFULL);
    /* The context is usable again afterwards. */
    size_t cap = ad_gzip_bound(10000);
    uint8_t *gz = malloc(cap), *back = malloc(10000);
    assert_int_equal(ad_gzip_compress(c, in, 10000, gz, cap, &glen), AD_OK);
    assert_int_equal(zlib_inflate(gz, glen, back, 10000), 10000);
    assert_memory_equal(back, in, 10000);
    ad_gzip_destroy(c);
    free(in);
    free(gz);
    free(back);
}

static void test_gzip_bound_holds_for_random_data(void **state)
{
    (void)state;
    size_t n = 200000;
    uint8_t *in = malloc(n);
    uint64_t x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        in[i] = (uint8_t)(x >> 56);
    }
    size_t cap = ad_gzip_bound(n), glen;
    uint8_t *gz = malloc(cap);
    for (int level = 0; level <= 9; level += 3) {
        assert_int_equal(ad_gzip_compress_once(level, in, n, gz, cap, &glen), AD_OK);
        assert_true(glen <= cap);
    }
    free(in);
    free(gz);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Every level, one context over bodies of several sizes in turn: zlib's streaming inflate
 * reads each member back, the header has no optional fields (FLG 0) and the trailer holds
 * zlib's own CRC-32 and the length (RFC 1952 §2.3.1).
 */
static void test_gzip_members_read_by_zlib_every_level(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 65535, 65536 + 17, 1u << 20};
    size_t max = 1u << 20;
    uint8_t *in = sample(max), *back = malloc(max + 1), *gz = malloc(ad_gzip_bound(max));
    assert_non_null(back);
    assert_non_null(gz);
    for (int level = 0; level <= 9; level++) {
        ad_gzip *c;
        assert_int_equal(ad_gzip_create(level, &c), AD_OK);
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            size_t n = sizes[k], glen = 0;
            assert_int_equal(ad_gzip_compress(c, in, n, gz, ad_gzip_bound(n), &glen), AD_OK);
            assert_true(glen >= 18);
            assert_int_equal(gz[3], 0); /* FLG: no name, comment, extra field or header CRC */
            assert_int_equal(le32(gz + glen - 8), (uint32_t)crc32(0L, in, (uInt)n));
            assert_int_equal(le32(gz + glen - 4), (uint32_t)n);
            assert_int_equal(zlib_inflate_chunked(gz, glen, back, max + 1, 4096), n);
            assert_memory_equal(back, in, n);
        }
        ad_gzip_destroy(c);
    }
    free(in);
    free(back);
    free(gz);
}

static void test_gzip_bad_level(void **state)
{
    (void)state;
    ad_gzip *c = (ad_gzip *)1;
    assert_int_equal(ad_gzip_create(10, &c), AD_EINVAL);
    assert_null(c);
    assert_int_equal(ad_gzip_create(-2, &c), AD_EINVAL);
    ad_gzip_destroy(NULL);
}

static void test_gunzip_hostile(void **state)
{
    (void)state;
    /* A bomb: 1 MiB of zeros compresses to ~1 KiB; a 64 KiB limit stops it. */
    size_t n = 1u << 20;
    uint8_t *zeros = calloc(1, n);
    size_t cap = ad_gzip_bound(n), glen, blen;
    uint8_t *gz = malloc(cap), *out = malloc(65536);
    assert_int_equal(ad_gzip_compress_once(9, zeros, n, gz, cap, &glen), AD_OK);
    assert_true(glen < 4096);
    assert_int_equal(ad_gunzip(gz, glen, out, 65536, &blen), AD_EFULL);
    /* Truncated member. */
    assert_int_equal(ad_gunzip(gz, glen - 5, zeros, n, &blen), AD_EFORMAT);
    /* Bytes after the member. */
    memcpy(out, gz, glen);
    out[glen] = 0x00;
    assert_int_equal(ad_gunzip(out, glen + 1, zeros, n, &blen), AD_EFORMAT);
    /* Not gzip at all (a zlib stream or text). */
    static const char text[] = "not compressed at all";
    assert_int_equal(ad_gunzip(text, sizeof(text), zeros, n, &blen), AD_EFORMAT);
    /* Corrupted CRC: the trailer check fails. */
    memcpy(out, gz, glen);
    out[glen - 6] ^= 0xff;
    assert_int_equal(ad_gunzip(out, glen, zeros, n, &blen), AD_EFORMAT);
    /* Exactly fitting output works. */
    assert_int_equal(ad_gunzip(gz, glen, zeros, n, &blen), AD_OK);
    assert_int_equal(blen, n);
    free(zeros);
    free(gz);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gzip_roundtrip_levels),
        cmocka_unit_test(test_gzip_empty_input),
        cmocka_unit_test(test_gzip_output_too_small),
        cmocka_unit_test(test_gzip_bound_holds_for_random_data),
        cmocka_unit_test(test_gzip_members_read_by_zlib_every_level),
        cmocka_unit_test(test_gzip_bad_level),
        cmocka_unit_test(test_gunzip_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

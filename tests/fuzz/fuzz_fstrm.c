/*
 * asimdns: libFuzzer target for capture/fstrm (Frame Streams reader). The input (after a
 * first byte choosing a chunk size and a frame limit) is fed whole and in chunks; both runs
 * must agree on every output and on the final error, outputs must stay inside their bounds,
 * and a failed reader must stay failed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/fstrm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

/* A running digest of the outputs, enough to compare two runs. */
typedef struct trace {
    uint64_t hash;
    uint64_t count;
    ad_err err;
} trace;

static void mix(trace *t, uint64_t v)
{
    t->hash = (t->hash ^ v) * 0x100000001b3ull;
}

static void run(const uint8_t *data, size_t size, size_t chunk, uint8_t *buf, size_t cap, trace *t)
{
    ad_fstrm_reader r;
    ad_fstrm_reader_init(&r, buf, cap);
    memset(t, 0, sizeof(*t));
    t->hash = 0xcbf29ce484222325ull;
    size_t pos = 0;
    while (pos < size) {
        size_t n = size - pos < chunk ? size - pos : chunk;
        size_t off = 0;
        while (off < n) {
            size_t used = 0;
            ad_fstrm_out out;
            ad_err err = ad_fstrm_feed(&r, data + pos + off, n - off, &used, &out);
            check(used <= n - off);
            off += used;
            if (err != AD_OK) {
                check(r.state == AD_FSTRM_S_FAILED && r.why != NULL);
                t->err = err;
                size_t u;
                check(ad_fstrm_feed(&r, data, size, &u, &out) != AD_OK);
                return;
            }
            if (out.kind == AD_FSTRM_NEED_MORE) {
                check(off == n);
                continue;
            }
            if (out.kind == AD_FSTRM_DATA)
                check(out.len > 0 && out.len <= cap &&
                      /* in the buffer, or a view ending where this feed stopped */
                      (out.data == buf || out.data == data + pos + off - out.len));
            else
                check(out.len <= 64);
            t->count++;
            mix(t, (uint64_t)out.kind);
            mix(t, out.len);
            for (size_t i = 0; i < out.len; i++)
                mix(t, out.data[i]);
        }
        pos += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[256];
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 0x0f) + 1;
    size_t cap = (data[0] & 0x10) ? 16 : sizeof(buf);
    data++;
    size--;
    trace whole, split;
    run(data, size, size > 0 ? size : 1, buf, cap, &whole);
    run(data, size, chunk, buf, cap, &split);
    check(whole.hash == split.hash && whole.count == split.count && whole.err == split.err);
    return 0;
}

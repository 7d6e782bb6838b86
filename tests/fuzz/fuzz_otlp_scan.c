/*
 * asimdns: libFuzzer target for the ExportLogsServiceRequest wire walk (exporter/otlp_scan.h).
 *
 * Arbitrary bytes are walked with and without the id key; the walk must return one of its
 * documented errors, give every id inside the input, and agree with itself on the record
 * count. When protobuf-c also decodes the same bytes, both must count the same records. (The
 * walk may refuse what protobuf-c takes, but only for tags the protobuf encoding forbids and
 * protobuf-c lets through: field number 0 or above 2^29-1; it then says AD_EFORMAT.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/otlp_decode.h"
#include "exporter/otlp_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct span {
    const uint8_t *data;
    size_t size;
    uint64_t n;
} span;

static void check(int ok)
{
    if (!ok)
        abort();
}

static int on_id(const char *id, size_t len, void *arg)
{
    span *s = arg;
    s->n++;
    if (id != NULL)
        check((const uint8_t *)id >= s->data && (const uint8_t *)id + len <= s->data + s->size);
    uint64_t seq;
    (void)ad_otlp_scan_record_seq(id, len, &seq);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    span s = {data, size, 0};
    ad_otlp_scan_counts a, b;
    ad_err e1 = ad_otlp_scan_request(data, size, "asimdns.record_id", on_id, &s, &a);
    check(e1 == AD_OK || e1 == AD_ETRUNC || e1 == AD_EFORMAT);
    check(a.records == s.n);
    ad_err e2 = ad_otlp_scan_request(data, size, NULL, NULL, NULL, &b);
    check(e2 == AD_OK || e2 == AD_ETRUNC || e2 == AD_EFORMAT);
    if (e1 == AD_OK && e2 == AD_OK)
        check(a.records == b.records);

    ad_otlp_request *req;
    if (ad_otlp_request_decode(data, size, &req) == AD_OK) {
        check(e1 == AD_OK || e1 == AD_EFORMAT);
        if (e1 == AD_OK)
            check(ad_otlp_request_record_count(req) == a.records);
        ad_otlp_request_free(req);
    }
    return 0;
}

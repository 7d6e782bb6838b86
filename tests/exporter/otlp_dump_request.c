/*
 * Test helper: writes one small ExportLogsServiceRequest built by the batch builder from two
 * mapped records (a DNS Server query and a DNS Client query) to PROTO_FILE and, when given,
 * its OTLP/JSON to JSON_FILE. tests/exporter/otlp.cmake decodes the first with
 * `protoc --decode` and parses the second with python3's json module.
 *
 * usage: otlp_dump_request PROTO_FILE [JSON_FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "exporter/asim.h"
#include "exporter/otlp_batch.h"
#include "exporter/otlp_json.h"

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "cannot write %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: otlp_dump_request PROTO_FILE [JSON_FILE]\n");
        return 2;
    }
    ad_asim_host host;
    ad_asim_host_init(&host, "dns01.corp.contoso.com");
    static ad_asim a;

    ad_otlp_batch_opts opts = {.host_name = "dns01.corp.contoso.com",
                               .instance_id = "6f1c7c1e-0000-4000-8000-000000000001"};
    ad_config_attr attrs[1];
    memset(attrs, 0, sizeof(attrs));
    snprintf(attrs[0].key, sizeof(attrs[0].key), "%s", "deployment.environment.name");
    snprintf(attrs[0].value, sizeof(attrs[0].value), "%s", "test");
    opts.attrs = attrs;
    opts.attr_count = 1;
    ad_otlp_batch *b;
    if (ad_otlp_batch_create(&opts, &b) != AD_OK)
        return 1;
    ad_otlp_batch_set_observed_time(b, 1732528801000000000ULL);

    ad_event ev;
    ad_event_init(&ev);
    ev.hdr.source = AD_SOURCE_REPLAY;
    ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev.hdr.event_id = 256;
    ev.hdr.time_ns = 1732528800123456700ULL;
    ev.hdr.sequence = 42;
    ev.hdr.present = AD_HAS_QTYPE | AD_HAS_XID | AD_HAS_TRANSPORT;
    ev.hdr.qtype = 1;
    ev.hdr.xid = 30291;
    ev.hdr.transport = AD_TRANSPORT_UDP;
    const uint8_t src[4] = {10, 1, 2, 3};
    ad_addr_set_ipv4(&ev.hdr.src, src, 53000);
    ad_event_set_str(&ev, AD_STR_QNAME, "www.contoso.com.", 16);
    if (ad_asim_map(&ev, 0x1122334455667788ULL, &host, &a) != AD_OK ||
        ad_otlp_batch_add(b, &a, 0) != AD_OK)
        return 1;

    ev.hdr.provider = AD_PROVIDER_DNS_CLIENT;
    ev.hdr.event_id = 3008;
    ev.hdr.sequence = 43;
    ev.hdr.present = AD_HAS_QTYPE | AD_HAS_STATUS;
    ev.hdr.status = 9003;
    if (ad_asim_map(&ev, 0x1122334455667788ULL, &host, &a) != AD_OK ||
        ad_otlp_batch_add(b, &a, 0) != AD_OK)
        return 1;

    const uint8_t *data;
    size_t len;
    if (ad_otlp_batch_finish(b, &data, &len) != AD_OK || write_file(argv[1], data, len) != 0)
        return 1;
    if (argc > 2) {
        size_t cap = 1u << 20;
        char *text = malloc(cap);
        ad_strbuf sb;
        if (!text)
            return 1;
        ad_strbuf_init(&sb, text, cap);
        if (ad_otlp_json_from_proto(data, len, &sb) != AD_OK ||
            write_file(argv[2], sb.data, sb.len) != 0)
            return 1;
        free(text);
    }
    ad_otlp_batch_destroy(b);
    return 0;
}

/*
 * asimdns: libFuzzer target for the exporter's use of a record's raw DNS packet
 * (exporter/asim.c, exporter/dns_answers.c): arbitrary bytes as the packet of response and
 * request events of both kinds (ETW with and without a Flags field, dnstap). Mapping must
 * always succeed; DnsResponseName, when present, is printable ASCII within its buffer; a packet
 * is marked malformed only for response messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/asim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ad_asim_host host;
    static ad_asim out;
    static const struct {
        uint16_t id;
        uint8_t source;
        uint32_t present;
        bool response;
    } kinds[] = {
        {257, AD_SOURCE_ETW, AD_HAS_DNS_FLAGS | AD_HAS_RCODE, true},
        {261, AD_SOURCE_ETW, 0, true},
        {264, AD_SOURCE_ETW, AD_HAS_RCODE, true},
        {256, AD_SOURCE_ETW, 0, false},
        {258, AD_SOURCE_DNSTAP, AD_HAS_RCODE, true},
    };
    if (host.fqdn[0] == '\0')
        ad_asim_host_init(&host, "fuzz.example");
    if (size > AD_RECORD_MAX_PACKET)
        size = AD_RECORD_MAX_PACKET;
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        ad_event ev;
        ad_event_init(&ev);
        ev.hdr.provider = AD_PROVIDER_DNS_SERVER;
        ev.hdr.source = kinds[k].source;
        ev.hdr.event_id = kinds[k].id;
        ev.hdr.present = kinds[k].present;
        ev.hdr.dns_flags = 0x8180;
        ev.hdr.bits = (kinds[k].response ? AD_BIT_RESPONSE : 0) |
                      (size > 0 && (data[0] & 1) ? AD_REC_PACKET_TRUNCATED : 0);
        ev.packet.ptr = (const char *)data;
        ev.packet.len = size;
        check(ad_asim_map(&ev, 1, &host, &out) == AD_OK);
        check(kinds[k].response || !out.packet_malformed);
        const ad_attr *a = ad_asim_find(&out, "DnsResponseName");
        if (a != NULL) {
            check(a->len > 0 && a->len < sizeof(out.answers));
            for (size_t i = 0; i < a->len; i++)
                check(a->str[i] >= 0x20 && a->str[i] < 0x7f);
        }
    }
    return 0;
}

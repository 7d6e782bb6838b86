/*
 * asimdns tests (integration): writes a replay file (DESIGN.md §4) of real-layout DNS Server
 * and DNS Client events for tests/integration/replay_delivery.sh.
 *
 * The UserData comes from the test-vector builder (tests/capture/etw_vector_builder.c, written
 * from the ETW templates independently of the decoders) and each line from the replay
 * writer (capture/replay_format.c). Events cycle through DNS Server 256 (QUERY_RECEIVED),
 * 257 (RESPONSE_SUCCESS), DNS Client 3008 (query completed, version 0, 64-bit pointers), and
 * the DNS Server events whose ASIM outcome is a "response" about a request message: 259
 * (IGNORED_QUERY), 262 (RECURSE_QUERY_TIMEOUT), 279/280 (INTERNAL_LOOKUP_*), 291 (EDNS
 * RECURSE_QUERY_TIMEOUT). Every server event has InterfaceIP 10.0.0.53, Source/Destination
 * 192.0.2.7 and Port 50123, so a test can check the endpoints. Event i (from 0) has the query
 * name "q<i>.replay.example." (with the trailing dot the events carry), so a test can find
 * each one by its DnsQuery. The 257 events carry a real response in PacketData: the question
 * and one answer, A 192.0.2.10 (i % 16 == 9), or an answer cut inside its RDATA (i % 16 == 1:
 * malformed, for the exporter's response_packets_malformed counter).
 *
 * Usage: integration_replay_writer FILE COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/replay_format.h"
#include "common/strbuf.h"
#include "tests/capture/etw_vector_builder.h"

#define FLAGS64 0x0240 /* 64_BIT_HEADER | PROCESSOR_INDEX, as live events have */
#define BASE_TIME_NS 1732528800000000000ull

static ad_vb vb;

/* A response to "<qname>" A IN with one answer A 192.0.2.10; cut inside the RDATA when
 * malformed. Returns the length. */
static size_t response_packet(uint8_t *p, size_t cap, const char *qname, uint16_t id,
                              bool malformed)
{
    size_t n = 0;
    const uint8_t head[12] = {(uint8_t)(id >> 8), (uint8_t)id, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};
    memcpy(p, head, sizeof head);
    n = sizeof head;
    for (const char *label = qname; *label != '\0' && n + 64 < cap;) {
        const char *dot = strchr(label, '.');
        size_t len = dot != NULL ? (size_t)(dot - label) : strlen(label);
        p[n++] = (uint8_t)len;
        memcpy(p + n, label, len);
        n += len;
        label += len + (dot != NULL ? 1 : 0);
    }
    p[n++] = 0;
    const uint8_t tail[] = {0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2, 10};
    memcpy(p + n, tail, sizeof tail);
    n += sizeof tail;
    return malformed ? n - 3 : n;
}
static char line[AD_REPLAY_MAX_LINE + 2];

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE COUNT\n", argv[0]);
        return 2;
    }
    char *end = NULL;
    unsigned long count = strtoul(argv[2], &end, 10);
    if (end == argv[2] || *end != '\0' || count == 0 || count > 10000000ul) {
        fprintf(stderr, "%s: bad COUNT '%s'\n", argv[0], argv[2]);
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    fprintf(f,
            "# asimdns integration_replay_writer: %lu events (256 257 3008 259 262 279 280 291)\n",
            count);
    for (unsigned long i = 0; i < count; i++) {
        static const uint16_t ids[] = {256, 257, 3008, 259, 262, 279, 280, 291};
        uint16_t id = ids[i % (sizeof ids / sizeof ids[0])];
        char qname[64];
        snprintf(qname, sizeof qname, "q%lu.replay.example.", i);
        ad_vb_values v;
        ad_vb_values_default(&v);
        v.qname = qname;
        v.xid = (uint32_t)(i & 0xffffu);
        v.rcode = 0;
        v.status = 0;
        v.iface_ip = "10.0.0.53";
        v.peer_ip = "192.0.2.7";
        v.port = 50123;
        uint8_t packet[300];
        if (id == 257) {
            v.packet = packet;
            v.packet_len = (uint32_t)response_packet(packet, sizeof packet, qname, (uint16_t)v.xid,
                                                     i % 16 == 1);
            v.flags = 0x8180;
        }
        ad_vb_init(&vb);
        bool ok = id == 3008 ? ad_vb_client_event(&vb, id, 0, 8, &v)
                             : ad_vb_server_event(&vb, id, false, &v);
        if (!ok || vb.overflow) {
            fprintf(stderr, "%s: the builder could not make event %u\n", argv[0], id);
            fclose(f);
            return 1;
        }
        ad_etw_event_in in;
        memset(&in, 0, sizeof in);
        in.provider = id == 3008 ? AD_PROVIDER_DNS_CLIENT : AD_PROVIDER_DNS_SERVER;
        in.event_id = id;
        in.version = 0;
        in.header_flags = FLAGS64;
        in.pid = 2244;
        in.tid = 3100 + (uint32_t)(i % 13u);
        in.time_ns = BASE_TIME_NS + (uint64_t)i * 1000u;
        in.userdata = vb.buf;
        in.userdata_len = vb.len;
        ad_strbuf sb;
        ad_strbuf_init(&sb, line, sizeof line);
        ad_replay_format_line(&in, &sb);
        if (ad_strbuf_overflowed(&sb)) {
            fprintf(stderr, "%s: line %lu too long\n", argv[0], i + 2);
            fclose(f);
            return 1;
        }
        fwrite(line, 1, sb.len, f);
    }
    if (fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    return 0;
}

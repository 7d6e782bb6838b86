/* asimdns-exporter: ASIM DNS 0.1.7 mapping (facts/asim-dns.md §8). */
#include "exporter/asim.h"

#include <stdio.h>
#include <string.h>

#include "common/dns_wire.h"
#include "common/event_catalog.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "exporter/dns_answers.h"
#include "exporter/record_view.h"

#define ASIM_SCHEMA "Dns"
#define ASIM_SCHEMA_VERSION "0.1.7"

/* OTLP SeverityNumber per EventSeverity: INFO, WARN, ERROR, FATAL (facts/otlp-logs.md §1.2). */
static const int severity_numbers[AD_ASIM_SEVERITY__COUNT] = {9, 13, 17, 21};

void ad_asim_host_init(ad_asim_host *host, const char *fqdn)
{
    memset(host, 0, sizeof(*host));
    snprintf(host->fqdn, sizeof(host->fqdn), "%s", fqdn);
    const char *dot = strchr(host->fqdn, '.');
    size_t first = dot ? (size_t)(dot - host->fqdn) : strlen(host->fqdn);
    if (first >= sizeof(host->hostname))
        first = sizeof(host->hostname) - 1;
    memcpy(host->hostname, host->fqdn, first);
    if (dot)
        snprintf(host->domain, sizeof(host->domain), "%s", dot + 1);
    host->fqdn_len = strlen(host->fqdn);
    host->hostname_len = strlen(host->hostname);
    host->domain_len = strlen(host->domain);
}

/* Copies text into the scratch area; NULL when it does not fit. */
static const char *scratch_put(ad_asim *a, const char *text, size_t len)
{
    if (len > sizeof(a->scratch) - a->scratch_used) {
        a->scratch_full = true;
        return NULL;
    }
    char *dst = a->scratch + a->scratch_used;
    memcpy(dst, text, len);
    a->scratch_used += len;
    return dst;
}

/*
 * Every key is a string literal: the add_* macros below pass its length with it (sizeof, at
 * compile time; "" key fails to compile for anything but a literal), so the encoders need not
 * measure 40-odd keys per record.
 */
#define KEY(key) "" key, sizeof("" key) - 1

static void add_str_k(ad_asim *a, const char *key, size_t key_len, const char *str, size_t len)
{
    if (a->nattrs >= AD_ASIM_MAX_ATTRS || str == NULL)
        return;
    a->attrs[a->nattrs++] =
        (ad_attr){.key = key, .key_len = key_len, .kind = AD_ATTR_STR, .str = str, .len = len};
}

static void add_cstr_k(ad_asim *a, const char *key, size_t key_len, const char *str)
{
    if (str != NULL)
        add_str_k(a, key, key_len, str, strlen(str));
}

static void add_int_k(ad_asim *a, const char *key, size_t key_len, int64_t value)
{
    if (a->nattrs >= AD_ASIM_MAX_ATTRS)
        return;
    a->attrs[a->nattrs++] =
        (ad_attr){.key = key, .key_len = key_len, .kind = AD_ATTR_INT, .num = value};
}

static void add_bool_k(ad_asim *a, const char *key, size_t key_len, bool value)
{
    if (a->nattrs >= AD_ASIM_MAX_ATTRS)
        return;
    a->attrs[a->nattrs++] =
        (ad_attr){.key = key, .key_len = key_len, .kind = AD_ATTR_BOOL, .num = value ? 1 : 0};
}

#define add_str(a, key, str, len) add_str_k(a, KEY(key), str, len)
#define add_cstr(a, key, str) add_cstr_k(a, KEY(key), str)
#define add_int(a, key, value) add_int_k(a, KEY(key), value)
#define add_bool(a, key, value) add_bool_k(a, KEY(key), value)

/* Writes v in decimal (or lowercase unpadded hex) into tmp[24]; returns the length. Each base
 * has its own loop so the compiler divides by a constant (a multiply), not with div. */
static size_t format_u64(char tmp[24], unsigned long long v, bool hex)
{
    static const char digits[] = "0123456789abcdef";
    char rev[24];
    size_t n = 0;
    if (hex) {
        do {
            rev[n++] = digits[v & 0xF];
            v >>= 4;
        } while (v != 0);
    } else {
        do {
            rev[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }
    for (size_t i = 0; i < n; i++)
        tmp[i] = rev[n - 1 - i];
    return n;
}

/* Adds v as decimal (or, with hex, lowercase unpadded hex) text held in scratch. */
static void add_num_text_k(ad_asim *a, const char *key, size_t key_len, unsigned long long v,
                           bool hex)
{
    char tmp[24];
    size_t n = format_u64(tmp, v, hex);
    add_str_k(a, key, key_len, scratch_put(a, tmp, n), n);
}
#define add_num_text(a, key, v, hex) add_num_text_k(a, KEY(key), v, hex)

/* Adds an address (and optionally its port) as text; nothing when the family is none. */
static const char *add_addr_k(ad_asim *a, const char *ip_key, size_t ip_key_len,
                              const char *port_key, size_t port_key_len, const ad_addr *addr,
                              size_t *len_out)
{
    char text[AD_ADDR_TEXT_MAX];
    size_t len = ad_addr_format(addr, text, sizeof(text));
    if (len == 0)
        return NULL;
    const char *s = scratch_put(a, text, len);
    add_str_k(a, ip_key, ip_key_len, s, len);
    if (port_key_len > 0 && addr->has_port)
        add_int_k(a, port_key, port_key_len, addr->port);
    *len_out = len;
    return s;
}
/* port_key "" = no port attribute. */
#define add_addr(a, ip_key, port_key, addr, len_out)                                               \
    add_addr_k(a, KEY(ip_key), KEY(port_key), addr, len_out)

/* dnstap records name their server software in the version string (issue: dnstap). */
static void vendor_product(const ad_event *ev, const char **vendor, const char **product)
{
    *vendor = "Microsoft";
    *product = ev->hdr.provider == AD_PROVIDER_DNS_CLIENT ? "DNS Client" : "DNS Server";
    if (ev->hdr.source != AD_SOURCE_DNSTAP)
        return;
    static const struct {
        const char *needle, *vendor, *product;
    } servers[] = {{"bind", "ISC", "BIND"},
                   {"unbound", "NLnet Labs", "Unbound"},
                   {"knot", "CZ.NIC", "Knot Resolver"}};
    const ad_bytes *v = &ev->str[AD_STR_VERSION];
    *vendor = "";
    *product = "DNS Server";
    for (size_t i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
        size_t n = strlen(servers[i].needle);
        for (size_t k = 0; k + n <= v->len; k++) {
            size_t j = 0;
            while (j < n && (v->ptr[k + j] | 0x20) == servers[i].needle[j])
                j++;
            if (j == n) {
                *vendor = servers[i].vendor;
                *product = servers[i].product;
                return;
            }
        }
    }
}

/* has_flags/f: the event's Flags field, or else the packet header's flags word. */
static void map_flags(ad_asim *a, const ad_record_hdr *h, bool has_flags, uint32_t f)
{
    if (has_flags)
        add_num_text(a, "DnsFlags", f & 0xFFFFu, false);
    /* Explicit AA/AD/RD event fields win over the flags word (facts/asim-dns.md §8). */
    if (h->present & AD_HAS_AA)
        add_bool(a, "DnsFlagsAuthoritative", h->bits & AD_BIT_AA);
    else if (has_flags)
        add_bool(a, "DnsFlagsAuthoritative", f & AD_DNS_FLAG_AA);
    if (h->present & AD_HAS_AD)
        add_bool(a, "DnsFlagsAuthenticated", h->bits & AD_BIT_AD);
    else if (has_flags)
        add_bool(a, "DnsFlagsAuthenticated", f & AD_DNS_FLAG_AD);
    if (h->present & AD_HAS_RD)
        add_bool(a, "DnsFlagsRecursionDesired", h->bits & AD_BIT_RD);
    else if (has_flags)
        add_bool(a, "DnsFlagsRecursionDesired", f & AD_DNS_FLAG_RD);
    if (has_flags) {
        add_bool(a, "DnsFlagsTruncated", f & AD_DNS_FLAG_TC);
        add_bool(a, "DnsFlagsRecursionAvailable", f & AD_DNS_FLAG_RA);
        add_bool(a, "DnsFlagsCheckingDisabled", f & AD_DNS_FLAG_CD);
        add_bool(a, "DnsFlagsZ", f & AD_DNS_FLAG_Z);
    }
}

static const char *service_name(const ad_event *ev)
{
    if (ev->hdr.source == AD_SOURCE_DNSTAP)
        return "dns_server";
    return ev->hdr.provider == AD_PROVIDER_DNS_CLIENT ? "windows_dns_client" : "windows_dns_server";
}

/*
 * DnsResponseName from the packet of a response (facts/asim-dns.md §3, §8): the answers, or a
 * negative answer's SOA (exporter/dns_answers.h). A packet the capture cut at
 * AD_RECORD_MAX_PACKET keeps the answers before the cut. Any other parse error marks the
 * packet malformed (out->packet_malformed, counted by the pipeline): no DnsResponseName.
 */
static void map_response_packet(ad_asim *out, const ad_event *ev, const ad_packet_info *pi)
{
    bool cut = (ev->hdr.bits & AD_REC_PACKET_TRUNCATED) != 0;
    if (!pi->parsed) {
        out->packet_malformed = !(cut && pi->header);
        return;
    }
    size_t len = 0;
    bool full = false;
    ad_err err = ad_dns_answers_text((const uint8_t *)ev->packet.ptr, ev->packet.len, &pi->msg,
                                     out->answers, sizeof(out->answers), &len, &full, NULL);
    if (err != AD_OK && !(cut && err == AD_ETRUNC)) {
        out->packet_malformed = true;
        return;
    }
    if (len > 0)
        add_str(out, "DnsResponseName", out->answers, len);
}

ad_err ad_asim_map(const ad_event *ev, uint64_t generation, const ad_asim_host *host, ad_asim *out)
{
    const ad_record_hdr *h = &ev->hdr;
    if (h->provider != AD_PROVIDER_DNS_SERVER && h->provider != AD_PROVIDER_DNS_CLIENT)
        return AD_EUNSUPP;
    out->nattrs = 0;
    out->scratch_used = 0;
    out->scratch_full = false;
    out->packet_malformed = false;
    out->time_ns = h->time_ns;
    out->service_name = service_name(ev);
    ad_record_view rv;
    ad_record_view_init(&rv, ev, true);
    ad_record_view_outcome(&rv, ev);
    const ad_event_def *def = rv.def;
    const ad_packet_info *pip = &rv.pi;
    bool has_flags = rv.has_flags;
    uint32_t flags = rv.flags;
    bool has_rcode = rv.has_rcode;
    uint32_t rcode = rv.rcode;
    bool has_status = (h->present & AD_HAS_STATUS) != 0;
    ad_asim_subtype subtype = def ? def->subtype : AD_ASIM_SUBTYPE_NONE;
    const char *details = rv.details;
    out->result = rv.result;
    out->severity = ad_asim_severity_from_result(out->result);
    out->severity_number = severity_numbers[out->severity];

    /* EventType: the message's opcode when known, else the event id's (§8). */
    ad_asim_type type = def ? def->type : AD_ASIM_TYPE_QUERY;
    if (has_flags)
        (void)ad_opcode_asim_type(AD_DNS_OPCODE(flags), &type);
    const char *type_name = ad_asim_type_name(type);
    bool is_response = subtype == AD_ASIM_SUBTYPE_RESPONSE;
    const char *subtype_name = ad_asim_subtype_name(subtype);

    const char *vendor, *product;
    vendor_product(ev, &vendor, &product);

    char ts[AD_RFC3339_MAX];
    size_t ts_len = ad_time_format_rfc3339(h->time_ns, ts, sizeof(ts));
    const char *time_text = scratch_put(out, ts, ts_len);

    add_int(out, "EventCount", 1);
    add_str(out, "EventStartTime", time_text, ts_len);
    add_str(out, "EventEndTime", time_text, ts_len);
    add_cstr(out, "EventType", type_name);
    if (subtype != AD_ASIM_SUBTYPE_NONE)
        add_cstr(out, "EventSubType", subtype_name);
    add_cstr(out, "EventResult", ad_asim_result_name(out->result));
    add_cstr(out, "EventResultDetails", details);
    add_cstr(out, "EventSeverity", ad_asim_severity_name(out->severity));
    add_num_text(out, "EventOriginalType", h->event_id, false);
    add_cstr(out, "EventProduct", product);
    add_cstr(out, "EventVendor", vendor);
    add_cstr(out, "EventSchema", ASIM_SCHEMA);
    add_cstr(out, "EventSchemaVersion", ASIM_SCHEMA_VERSION);
    if (ev->str[AD_STR_VERSION].len > 0)
        add_str(out, "EventProductVersion", ev->str[AD_STR_VERSION].ptr,
                ev->str[AD_STR_VERSION].len);

    if (rv.qname.len > 0) {
        /* A name from the packet lives in rv (this stack frame): copy it. */
        const char *q = rv.qname.ptr == rv.pi.msg.qname
                            ? scratch_put(out, rv.qname.ptr, rv.qname.len)
                            : rv.qname.ptr;
        add_str(out, "DnsQuery", q, rv.qname.len);
    }
    bool has_qtype = rv.has_qtype;
    uint32_t qtype = rv.qtype;
    if (has_qtype) {
        char buf[AD_QTYPE_NAME_MAX];
        const char *name = ad_qtype_name(qtype, buf, sizeof(buf));
        add_int(out, "DnsQueryType", qtype);
        add_str(out, "DnsQueryTypeName", scratch_put(out, name, strlen(name)), strlen(name));
    }
    /* The class is only in the packet (facts/asim-dns.md §4.4). The DNS Client's query API
       takes no class: its queries are IN. */
    bool has_qclass = pip->question || (h->provider == AD_PROVIDER_DNS_CLIENT && has_qtype);
    if (has_qclass) {
        uint32_t qclass = pip->question ? pip->msg.qclass : 1u;
        char buf[AD_QCLASS_NAME_MAX];
        const char *name = ad_qclass_name(qclass, buf, sizeof(buf));
        add_int(out, "DnsQueryClass", qclass);
        add_str(out, "DnsQueryClassName", scratch_put(out, name, strlen(name)), strlen(name));
    }
    if (has_rcode) {
        add_int(out, "DnsResponseCode", rcode);
    } else if (has_status) {
        add_int(out, "DnsResponseCode", ad_win_status_response_code(h->status));
    }
    if (is_response && (has_rcode || has_status))
        add_cstr(out, "DnsResponseCodeName", details);
    if (ev->str[AD_STR_RESULTS].len > 0)
        add_str(out, "DnsResponseName", ev->str[AD_STR_RESULTS].ptr, ev->str[AD_STR_RESULTS].len);
    else if (rv.message_response && ev->packet.len > 0)
        map_response_packet(out, ev, pip);

    /*
     * Endpoints (common/event_catalog.h). A record names the sender (src) and receiver (dst)
     * of the message the event describes; ASIM's SrcIpAddr is the DNS client, so for a
     * response message it is the receiver. The ASIM EventSubType plays no part: 259, 262,
     * 279, 280 and 291 are "response" outcomes of a request message.
     */
    const ad_addr *requester = rv.requester;
    const ad_addr *responder = rv.responder;
    size_t src_len = 0, dst_len = 0, dvc_len = 0;
    const char *src = add_addr(out, "SrcIpAddr", "SrcPortNumber", requester, &src_len);
    const char *dst = add_addr(out, "DstIpAddr", "DstPortNumber", responder, &dst_len);
    if (src)
        add_str(out, "Src", src, src_len);
    else if (h->provider == AD_PROVIDER_DNS_CLIENT)
        add_str(out, "Src", host->hostname, host->hostname_len); /* the querying machine (S12) */
    if (dst)
        add_str(out, "Dst", dst, dst_len);
    if (h->present & AD_HAS_TRANSPORT) {
        if (h->transport == AD_TRANSPORT_TCP || h->transport == AD_TRANSPORT_DOT ||
            h->transport == AD_TRANSPORT_DOH)
            add_cstr(out, "NetworkProtocol", "TCP");
        else if (h->transport == AD_TRANSPORT_UDP)
            add_cstr(out, "NetworkProtocol", "UDP");
    }
    uint8_t family = src ? requester->family : dst ? responder->family : AD_FAMILY_NONE;
    if (family != AD_FAMILY_NONE)
        add_cstr(out, "NetworkProtocolVersion", family == AD_FAMILY_IPV6 ? "IPv6" : "IPv4");

    map_flags(out, h, has_flags, flags);
    if (h->present & AD_HAS_XID)
        add_num_text(out, "TransactionIdHex", h->xid, true);
    else if (pip->header)
        add_num_text(out, "TransactionIdHex", pip->msg.hdr.id, true);
    const ad_bytes *guid = &ev->str[AD_STR_GUID];
    if (guid->len > 0)
        add_str(out, "DnsSessionId", guid->ptr, guid->len);
    if (h->present & AD_HAS_ELAPSED)
        add_int(out, "DnsNetworkDuration", h->elapsed_ms);
    if (ev->str[AD_STR_POLICY].len > 0)
        add_str(out, "RuleName", ev->str[AD_STR_POLICY].ptr, ev->str[AD_STR_POLICY].len);
    if (ev->str[AD_STR_REASON].len > 0)
        add_str(out, "EventOriginalResultDetails", ev->str[AD_STR_REASON].ptr,
                ev->str[AD_STR_REASON].len);
    /* The requesting process: the event's ClientPID, else the header's process id where the
       event is logged in the requester's context (the catalogue's flag); a Dnscache event
       without ClientPID names the service, not the requester, so it gets none. The image
       path the capture found for the header's process (AD_STR_PROCESS) goes with that id
       only, so SrcProcessName and SrcProcessId always name the same process. */
    if (h->provider == AD_PROVIDER_DNS_CLIENT) {
        bool in_requester = def != NULL && (def->flags & AD_EVF_REQUESTER_CONTEXT);
        const ad_bytes *image = &ev->str[AD_STR_PROCESS];
        if (h->present & AD_HAS_CLIENT_PID) {
            add_num_text(out, "SrcProcessId", h->client_pid, false);
        } else if (in_requester) {
            add_num_text(out, "SrcProcessId", h->pid, false);
            if (image->len > 0)
                add_str(out, "SrcProcessName", image->ptr, image->len);
        }
    }

    /* The reporting device (facts/asim-dns.md §2.2, §8; OMS split of the FQDN). */
    add_str(out, "Dvc", host->fqdn, host->fqdn_len);
    add_str(out, "DvcHostname", host->hostname, host->hostname_len);
    if (host->domain[0] != '\0') {
        add_str(out, "DvcDomain", host->domain, host->domain_len);
        add_str(out, "DvcFQDN", host->fqdn, host->fqdn_len);
        add_cstr(out, "DvcDomainType", "FQDN");
    }
    add_addr(out, "DvcIpAddr", "", &h->iface, &dvc_len);

    /* (generation, sequence) identifies the record for downstream deduplication. */
    char uid[48];
    static const char hexd[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++)
        uid[i] = hexd[(generation >> (60 - 4 * i)) & 0xF];
    uid[16] = '-';
    size_t uid_len = 17 + format_u64(uid + 17, h->sequence, false);
    add_str(out, "asimdns.record_id", scratch_put(out, uid, uid_len), uid_len);

    /* "DNS Server Event: Query request (ID: 256)", built by hand (hot path). */
    ad_strbuf body;
    ad_strbuf_init(&body, out->body, sizeof(out->body));
    ad_strbuf_puts(&body, h->provider == AD_PROVIDER_DNS_CLIENT ? "DNS Client Event: "
                                                                : "DNS Server Event: ");
    ad_strbuf_puts(&body, type_name);
    if (subtype != AD_ASIM_SUBTYPE_NONE) {
        ad_strbuf_putc(&body, ' ');
        ad_strbuf_puts(&body, subtype_name);
    }
    ad_strbuf_puts(&body, " (ID: ");
    ad_strbuf_u64(&body, h->event_id);
    ad_strbuf_putc(&body, ')');
    out->body_len = body.len;
    return out->scratch_full ? AD_EFULL : AD_OK;
}

const ad_attr *ad_asim_find(const ad_asim *asim, const char *key)
{
    for (unsigned i = 0; i < asim->nattrs; i++) {
        if (strcmp(asim->attrs[i].key, key) == 0)
            return &asim->attrs[i];
    }
    return NULL;
}

ad_err ad_asim_set_span(ad_asim *a, uint64_t count, uint64_t first_ns, uint64_t last_ns)
{
    char ts[AD_RFC3339_MAX];
    for (unsigned i = 0; i < a->nattrs; i++) {
        ad_attr *at = &a->attrs[i];
        bool start = strcmp(at->key, "EventStartTime") == 0;
        if (strcmp(at->key, "EventCount") == 0) {
            at->num = (int64_t)count;
        } else if (start || strcmp(at->key, "EventEndTime") == 0) {
            size_t len = ad_time_format_rfc3339(start ? first_ns : last_ns, ts, sizeof(ts));
            const char *text = scratch_put(a, ts, len);
            if (text == NULL)
                return AD_EFULL;
            at->str = text;
            at->len = len;
        }
    }
    return AD_OK;
}

/* asimdns-exporter: a record's outcome, query and endpoints (see record_view.h). */
#include "exporter/record_view.h"

static void read_packet(const ad_event *ev, ad_packet_info *pi)
{
    pi->header = pi->question = pi->parsed = false;
    if (ev->packet.len == 0)
        return;
    ad_err err = ad_dns_parse((const uint8_t *)ev->packet.ptr, ev->packet.len, &pi->msg, NULL);
    pi->header = pi->msg.has_header;
    pi->question = pi->header && pi->msg.has_question;
    pi->parsed = err == AD_OK;
}

bool ad_record_view_needs_packet(const ad_event *ev)
{
    const ad_record_hdr *h = &ev->hdr;
    if (ev->packet.len == 0)
        return false;
    return ev->str[AD_STR_QNAME].len == 0 || !(h->present & AD_HAS_QTYPE) ||
           !(h->present & (AD_HAS_DNS_FLAGS | AD_HAS_RCODE));
}

void ad_record_view_init(ad_record_view *rv, const ad_event *ev, bool parse_packet)
{
    const ad_record_hdr *h = &ev->hdr;
    rv->def = ad_event_def_find((ad_provider)h->provider, h->event_id);
    /* The message is a response: its receiver (dst) is the DNS client (event_catalog.h). */
    rv->message_response =
        rv->def != NULL ? ad_event_def_client_is_dst(rv->def) : (h->bits & AD_BIT_RESPONSE) != 0;
    if (parse_packet)
        read_packet(ev, &rv->pi);
    else
        rv->pi.header = rv->pi.question = rv->pi.parsed = false;
    const ad_packet_info *pi = &rv->pi;

    /* The header flags word: the event's Flags field, else the packet header's. */
    rv->has_flags = (h->present & AD_HAS_DNS_FLAGS) != 0;
    rv->flags = h->dns_flags;
    if (!rv->has_flags && pi->header) {
        rv->has_flags = true;
        rv->flags = pi->msg.hdr.flags;
    }

    /* The query: exactly one trailing dot removed (facts/asim-dns.md §2.4, S1). */
    rv->qname = ev->str[AD_STR_QNAME];
    if (rv->qname.len == 0 && pi->question) {
        rv->qname.ptr = pi->msg.qname;
        rv->qname.len = pi->msg.qname_len;
    }
    if (rv->qname.len > 1 && rv->qname.ptr[rv->qname.len - 1] == '.')
        rv->qname.len--;
    rv->has_qtype = (h->present & AD_HAS_QTYPE) != 0 || pi->question;
    rv->qtype = (h->present & AD_HAS_QTYPE) ? h->qtype : pi->msg.qtype;

    /* A record names sender (src) and receiver (dst); ASIM's SrcIpAddr is the DNS client. */
    rv->requester = rv->message_response ? &h->dst : &h->src;
    rv->responder = rv->message_response ? &h->src : &h->dst;
}

void ad_record_view_outcome(ad_record_view *rv, const ad_event *ev)
{
    const ad_record_hdr *h = &ev->hdr;
    /* Outcome. A response without an RCODE field may still carry one in its flags word. */
    rv->has_rcode = (h->present & AD_HAS_RCODE) != 0;
    rv->rcode = h->rcode;
    if (!rv->has_rcode && rv->has_flags && (rv->flags & AD_DNS_FLAG_QR) && rv->message_response) {
        rv->has_rcode = true;
        rv->rcode = AD_DNS_RCODE(rv->flags);
    }
    bool has_status = (h->present & AD_HAS_STATUS) != 0;
    rv->details = "NA";
    rv->result = ad_event_result_eval(rv->def, rv->has_rcode, rv->rcode, has_status, h->status,
                                      &rv->details);
}

/*
 * asimdns-exporter: what a record says once the catalogue and its raw packet are consulted:
 * outcome (EventResult, EventResultDetails), query name and type, and which endpoint is the
 * DNS client. The ASIM mapping and the filters read the same view, so a filter on
 * EventResultDetails or SrcIpAddr tests exactly what would be exported.
 */
#ifndef AD_EXPORTER_RECORD_VIEW_H
#define AD_EXPORTER_RECORD_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "common/dns_tables.h"
#include "common/dns_wire.h"
#include "common/event_catalog.h"
#include "common/record.h"

/* What the raw DNS packet adds (record.h packet slot): header, question, answers. */
typedef struct ad_packet_info {
    bool header;    /* the 12-byte header was read */
    bool question;  /* and the first question */
    bool parsed;    /* header and every question parsed */
    ad_dns_msg msg; /* valid as far as the flags above say */
} ad_packet_info;

typedef struct ad_record_view {
    const ad_event_def *def; /* NULL for an event the catalogue does not know */
    bool message_response;   /* the message is a response: its receiver is the DNS client */
    ad_packet_info pi;
    bool has_flags; /* header flags word: the event's, else the packet's */
    uint32_t flags;
    /* ad_record_view_outcome: */
    bool has_rcode; /* RCODE: the event's, else a response's flags word */
    uint32_t rcode;
    ad_asim_result result;
    const char *details; /* EventResultDetails (static text) */
    ad_bytes qname;      /* the event's name, else the packet's; one trailing dot removed */
    bool has_qtype;
    uint32_t qtype;
    const ad_addr *requester; /* SrcIpAddr */
    const ad_addr *responder; /* DstIpAddr */
} ad_record_view;

/* True when ad_record_view_init would read the packet: the event lacks a field the packet has. */
bool ad_record_view_needs_packet(const ad_event *ev);

/* Fills rv from ev (views into ev's buffers and rv->pi: keep both alive), all but the
   outcome. The packet is parsed only when parse_packet is true. */
void ad_record_view_init(ad_record_view *rv, const ad_event *ev, bool parse_packet);

/* Fills rv's has_rcode, rcode, result and details (after ad_record_view_init). */
void ad_record_view_outcome(ad_record_view *rv, const ad_event *ev);

#endif

/*
 * asimdns-exporter: ASIM DNS 0.1.7 normalization of one decoded event record.
 *
 * ad_asim_map() turns an ad_event into an ordered list of typed ASIM attributes plus the
 * values the OTLP LogRecord needs (time, severity, body). facts/asim-dns.md §8 is the mapping
 * specification; the README lists every attribute and each deliberate difference from the
 * original collector design. Both the console writer and the OTLP encoder consume the list,
 * so the mapping exists once.
 */
#ifndef AD_EXPORTER_ASIM_H
#define AD_EXPORTER_ASIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dns_tables.h"
#include "common/dns_wire.h"
#include "common/record.h"

typedef enum ad_attr_kind { AD_ATTR_STR = 0, AD_ATTR_INT, AD_ATTR_BOOL } ad_attr_kind;

/* One ASIM field. Strings are views (into the record, static tables or the map's scratch). */
typedef struct ad_attr {
    const char *key;
    ad_attr_kind kind;
    const char *str;
    size_t len;
    int64_t num;    /* AD_ATTR_INT value, or 0/1 for AD_ATTR_BOOL */
    size_t key_len; /* strlen(key), or 0 when not known (the encoders measure it then) */
} ad_attr;

#define AD_ASIM_MAX_ATTRS 64
/* Texts made while mapping: one query name from the packet (at most AD_DNS_NAME_TEXT_MAX, every
   byte escaped) plus the short ones (a time, three addresses, numbers, type names, the record
   id: about 500 bytes together). */
#define AD_ASIM_SCRATCH (AD_DNS_NAME_TEXT_MAX + 1024)

/* The reporting device (Dvc* fields), resolved once at start-up. */
typedef struct ad_asim_host {
    char fqdn[256];                            /* as the OS reports it; may have no domain */
    char hostname[64];                         /* first label */
    char domain[192];                          /* the rest, or "" */
    size_t fqdn_len, hostname_len, domain_len; /* measured once, not per record */
} ad_asim_host;

typedef struct ad_asim {
    uint64_t time_ns;          /* LogRecord.time_unix_nano */
    ad_asim_result result;     /* EventResult */
    ad_asim_severity severity; /* EventSeverity */
    int severity_number;       /* OTLP SeverityNumber */
    const char *service_name;  /* resource service.name for this record's provider */
    char body[128];            /* "DNS Server Event: Query request (ID: 256)" */
    size_t body_len;
    unsigned nattrs;
    ad_attr attrs[AD_ASIM_MAX_ATTRS];
    bool packet_malformed; /* a response's packet did not parse: no DnsResponseName (counted) */
    size_t scratch_used;
    bool scratch_full; /* a text did not fit: ad_asim_map returns AD_EFULL */
    char scratch[AD_ASIM_SCRATCH];
    char answers[AD_RECORD_MAX_STR + 1]; /* DnsResponseName made from the packet */
} ad_asim;

/* Fills host from a fully qualified (or bare) host name. */
void ad_asim_host_init(ad_asim_host *host, const char *fqdn);

/*
 * Maps ev to ASIM. Per event the catalogue (common/event_catalog.h) gives the ASIM values and
 * which of the record's endpoints is the client; the raw packet, when the record has one,
 * gives DnsResponseName for responses and, where the event lacks them, the flags word,
 * transaction id, query name, type and class. generation + ev->hdr.sequence form the unique record
 * id. String views in *out point into ev's buffers, out->scratch and static tables: keep ev alive
 * while out is used. Returns AD_EUNSUPP for a provider this mapping does not know (counted by the
 * caller), AD_EFULL if a text did not fit in the scratch space (AD_ASIM_SCRATCH holds the
 * longest texts a valid record produces, so this means a mapping bug, never bad input).
 */
ad_err ad_asim_map(const ad_event *ev, uint64_t generation, const ad_asim_host *host, ad_asim *out);

/*
 * Makes a mapped record an aggregate row (exporter/aggregate.h): EventCount = count,
 * EventStartTime and EventEndTime from first_ns and last_ns (texts in a's scratch).
 * AD_EFULL when the scratch is full.
 */
ad_err ad_asim_set_span(ad_asim *a, uint64_t count, uint64_t first_ns, uint64_t last_ns);

/* The attribute named key, or NULL. For tests and filters. */
const ad_attr *ad_asim_find(const ad_asim *asim, const char *key);

#endif

/*
 * asimdns-exporter: the `filters` rules of exporter.yaml (docs/CONFIG.md "filters").
 *
 * Rules are tried in order; the first whose every field matches decides (drop or keep); a
 * record no rule matches is kept. Within a field any listed value matches (OR), the fields
 * of a rule must all match (AND) - the AMA DNS connector's semantics, plus keep rules for
 * allow-lists. A rule testing a field the record lacks does not match it.
 *
 * Applied to the decoded record before the ASIM mapping, so a dropped record costs no
 * mapping or encoding; the values tested are the ones the mapping would export (the shared
 * exporter/record_view.h).
 *
 * Speed: each field has one lookup giving the set of rules (a 64-bit mask) that field lets
 * through; the rules matching the record are the AND of those sets, the decision its lowest
 * bit. Numbers: sorted arrays; names: a hash table of the patterns' names, probed with each
 * suffix of the query name from the root down (so "*.x.com" costs one probe per label, not
 * one per rule), and only with suffixes whose label count and byte length some pattern has;
 * addresses: the boundaries of every CIDR in one sorted 128-bit array, each interval carrying
 * the rules covering it. Binary searches are branch-free.
 */
#ifndef AD_EXPORTER_FILTER_H
#define AD_EXPORTER_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/record.h"
#include "config/exporter_config.h"
#include "ipc/atomics.h"

/* Pattern name lengths below this are tracked in a bitmap (longer ones are always probed). */
#define AD_FILTER_NAME_LEN_BITS 256

typedef struct ad_filter_num {
    uint32_t value;
    uint64_t rules;
} ad_filter_num;

typedef struct ad_filter_name {
    uint64_t hash;
    const char *name; /* lower case, no dots at either end */
    uint32_t len;
    uint64_t exact; /* rules matching the name itself */
    uint64_t sub;   /* rules matching its subdomains */
} ad_filter_name;

typedef struct ad_filter_cut {
    uint64_t hi, lo; /* interval start, IPv4 mapped into IPv6 */
    uint64_t rules;  /* rules covering [start, next start) */
} ad_filter_cut;

typedef struct ad_filter_set {
    ad_filter_num *nums; /* sorted by value */
    uint32_t num_count;
    ad_filter_cut *cuts; /* sorted; cuts[0] starts at :: */
    uint32_t cut_count;
} ad_filter_set;

typedef struct ad_filter {
    const ad_config_filters *cfg;
    uint32_t rule_count;
    uint64_t all;                    /* one bit per rule */
    uint64_t keep;                   /* rules whose action is keep */
    uint64_t ignores[AD_FF__COUNT];  /* rules not testing the field */
    uint32_t fields;                 /* bit per field some rule tests */
    ad_filter_set set[AD_FF__COUNT]; /* numbers and CIDRs */
    ad_filter_name *names;           /* open addressing, name_cap a power of two */
    uint32_t name_cap;
    uint64_t any_name;     /* rules with dns_query "*" */
    uint64_t label_counts; /* bit n: some pattern name has n labels (n < 64) */
    unsigned max_labels;   /* the most labels of any pattern name */
    uint64_t name_lens[AD_FILTER_NAME_LEN_BITS / 64]; /* bit n: some pattern name is n bytes */
    ad_filter_name *details; /* event_result_details names, compared ignoring case */
    uint32_t detail_count;
    ad_atomic_u64 *hits; /* per rule: records it decided */
    ad_atomic_u64 own_hits[AD_CONFIG_MAX_FILTER_RULES];
} ad_filter;

/*
 * Builds the lookups for cfg's rules (cfg must outlive f). hits: AD_CONFIG_MAX_FILTER_RULES
 * counters that outlive f (the metrics'), or NULL for counters of f's own. AD_ENOMEM.
 */
ad_err ad_filter_init(ad_filter *f, const ad_config_filters *cfg, ad_atomic_u64 *hits);
void ad_filter_free(ad_filter *f);

/* Index of the rule deciding ev, or -1 when none matches. Counts nothing. */
int ad_filter_match(const ad_filter *f, const ad_event *ev);

/* True when ev is kept; counts the deciding rule in hits. */
bool ad_filter_keep(ad_filter *f, const ad_event *ev);

#endif

/*
 * asimdns: the periodic summary line both services write to the log (log.summary_seconds),
 * built from a table instead of positional format arguments:
 *
 *   summary: 120 records exported (+20), 3 batches ok (+1), ...; receiver up
 *
 * Each item names up to AD_SUMMARY_MAX_SUM counters (summed) read through the caller's getter,
 * and whether the line shows its change since the previous line. The caller owns the state
 * (the previous values), so a line after a re-attach starts from what the counters say then.
 */
#ifndef AD_COMMON_SUMMARY_LINE_H
#define AD_COMMON_SUMMARY_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AD_SUMMARY_MAX_SUM 2
#define AD_SUMMARY_MAX_ITEMS 12

typedef struct ad_summary_item {
    const char *label;                /* "records exported" */
    int counters[AD_SUMMARY_MAX_SUM]; /* counter indices summed; -1 ends the list early */
    bool no_delta;                    /* print the total only */
} ad_summary_item;

/* Reads counter idx of the service's counter block. */
typedef uint64_t (*ad_summary_get_fn)(const void *src, int idx);

typedef struct ad_summary_line {
    const ad_summary_item *items;
    size_t count; /* at most AD_SUMMARY_MAX_ITEMS */
    ad_summary_get_fn get;
    const void *src;
    uint64_t last[AD_SUMMARY_MAX_ITEMS];
} ad_summary_line;

/* Takes the current values as the base of the first line's changes. */
void ad_summary_line_init(ad_summary_line *s, const ad_summary_item *items, size_t count,
                          ad_summary_get_fn get, const void *src);

/*
 * Writes "<prefix>: <item>, <item>...<tail>" into out (always NUL-terminated, cut at outlen)
 * and, when delta, takes the values as the base of the next line's changes (otherwise items
 * are printed as totals). tail may be NULL.
 */
void ad_summary_line_format(ad_summary_line *s, const char *prefix, bool delta, const char *tail,
                            char *out, size_t outlen);

#endif

/*
 * asimdns-exporter: one ASIM record as a row of Microsoft Sentinel's ASimDnsActivityLogs table
 * (docs/SENTINEL.md §5), for the Logs Ingestion API transport.
 *
 * The same ad_asim list the OTLP encoder and the console writer read (one mapping, three
 * encodings), written with the table's column names and types: integers for int columns,
 * true/false for bool, ISO 8601 text for datetime, strings otherwise (a number for a string
 * column is written as its decimal text). TimeGenerated is the event time, because the native
 * ASIM parser overwrites EventStartTime/EventEndTime with it. The record id goes to
 * EventOriginalUid. Fields the table has no column for go into AdditionalFields (dynamic).
 * A string value longer than AD_ASIM_ROW_FIELD_MAX bytes (the service's 64 KB field limit,
 * beyond which it truncates silently) is cut at a UTF-8 boundary and its column named in
 * AdditionalFields.asimdns_truncated, so the cut is visible in the data and in a counter.
 */
#ifndef AD_EXPORTER_ASIM_ROWS_H
#define AD_EXPORTER_ASIM_ROWS_H

#include <stddef.h>

#include "common/strbuf.h"
#include "exporter/asim.h"

#define AD_ASIM_ROW_FIELD_MAX (64u * 1024u)

typedef enum ad_column_type {
    AD_COL_STRING = 0,
    AD_COL_INT,
    AD_COL_BOOL,
    AD_COL_DATETIME,
    AD_COL_REAL,
    AD_COL_DYNAMIC
} ad_column_type;

typedef struct ad_column {
    const char *name;
    ad_column_type type;
} ad_column;

/* The table's column by name, or NULL (reserved and system columns are not listed). */
const ad_column *ad_asim_row_column(const char *name);

/* All listed columns, sorted by name (byte order); *count receives their number. */
const ad_column *ad_asim_row_columns(size_t *count);

/* The DCR stream declaration type name of t ("string", "int", "boolean", "datetime", ...). */
const char *ad_column_type_name(ad_column_type t);

/*
 * Appends the JSON object (no newline) for a to sb and returns how many string fields were
 * cut at field_max bytes (0 = AD_ASIM_ROW_FIELD_MAX). The caller checks sb for overflow.
 */
unsigned ad_asim_row_write(const ad_asim *a, size_t field_max, ad_strbuf *sb);

#endif

/*
 * asimdns-capture: the etw and etl rows where there is no ETW (source_table.h). The decoders
 * and the session controller build here too (the tests drive them with a fake ETW API); only
 * the sources are missing, and the row tells the operator what to use instead.
 */
#ifdef AD_PLATFORM_POSIX
#include "capture/source_table.h"

#define NEEDS_WINDOWS                                                                              \
    "needs Windows (Event Tracing for Windows); on this system use the replay, synthetic or "      \
    "dnstap source (a file made with --record replays anywhere)"

const ad_source_desc ad_source_etw = {
    .type = AD_SOURCE_ETW,
    .name = "etw",
    .caps = AD_SOURCE_RECORDS,
    .unavailable = NEEDS_WINDOWS,
};

const ad_source_desc ad_source_etl = {
    .type = AD_SOURCE_ETL,
    .name = "etl",
    .caps = AD_SOURCE_RECORDS,
    .unavailable = NEEDS_WINDOWS,
};
#endif

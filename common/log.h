/*
 * asimdns: a small leveled logger writing text or JSON lines to stderr.
 *
 * Every line carries the process tag set by ad_log_init ("capture", "exporter", "asimdns").
 * There is no errno variant: callers put the OS error's text into the message themselves, and
 * library code reports through ad_err and a message buffer (common/error.h) rather than logging.
 */
#ifndef AD_COMMON_LOG_H
#define AD_COMMON_LOG_H

#include <stdbool.h>

#include "common/compiler.h"

typedef enum ad_log_level {
    AD_LOG_DEBUG = 0,
    AD_LOG_INFO,
    AD_LOG_WARN,
    AD_LOG_ERROR,
    AD_LOG_OFF
} ad_log_level;

typedef enum ad_log_format { AD_LOG_TEXT = 0, AD_LOG_JSON } ad_log_format;

/* Sets the process tag, the lowest level printed and the line format. */
void ad_log_init(const char *process_tag, ad_log_level min_level, ad_log_format format);

/* Parses "debug"/"info"/"warn"/"error"/"off"; false when unknown. */
bool ad_log_level_parse(const char *name, ad_log_level *out);

const char *ad_log_level_name(ad_log_level level);

void ad_log(ad_log_level level, const char *fmt, ...) AD_PRINTF(2, 3);

/*
 * A second destination for every line that passes the level: receives the level and the
 * message text alone (no time, tag or JSON framing). NULL removes it. Used for the Windows
 * Event Log while running as a service (common/eventlog.h).
 */
typedef void (*ad_log_sink_fn)(ad_log_level level, const char *msg, void *ctx);
void ad_log_set_sink(ad_log_sink_fn fn, void *ctx);

#define ad_log_debug(...) ad_log(AD_LOG_DEBUG, __VA_ARGS__)
#define ad_log_info(...) ad_log(AD_LOG_INFO, __VA_ARGS__)
#define ad_log_warn(...) ad_log(AD_LOG_WARN, __VA_ARGS__)
#define ad_log_error(...) ad_log(AD_LOG_ERROR, __VA_ARGS__)

#endif

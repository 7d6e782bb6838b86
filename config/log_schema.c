/* asimdns config: the `log:` section's keys, shared by capture.yaml and exporter.yaml. */
#include "config/log_schema.h"

#include "common/log.h"
#include "config/config.h"

typedef ad_config_log L;

static const ad__cfg_enum log_levels[] = {{"debug", AD_LOG_DEBUG},
                                          {"info", AD_LOG_INFO},
                                          {"warn", AD_LOG_WARN},
                                          {"error", AD_LOG_ERROR},
                                          {NULL, 0}};

static const ad__cfg_enum log_formats[] = {{"text", AD_LOG_TEXT}, {"json", AD_LOG_JSON}, {NULL, 0}};

const ad__cfg_entry ad__cfg_log_table[] = {
    {.name = "level",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(L, level),
     .def = "info",
     .aux = log_levels,
     .help = "lowest level logged"},
    {.name = "format",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(L, format),
     .def = "text",
     .aux = log_formats,
     .help = "log line format"},
    {.name = "summary_seconds",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(L, summary_seconds),
     .def = "60",
     .min = 0,
     .max = 86400,
     .help = "period of the one-line counter summary in the log; 0 turns it off"},
    {.type = AD__CFG_T_END},
};

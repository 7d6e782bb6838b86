/*
 * asimdns config (internal): the `log:` section, the same in both services' files.
 */
#ifndef AD_CONFIG_LOG_SCHEMA_H
#define AD_CONFIG_LOG_SCHEMA_H

#include "config/cfg_map.h"

/* Offsets count from the service's ad_config_log (config/config.h). */
extern const ad__cfg_entry ad__cfg_log_table[];

#endif

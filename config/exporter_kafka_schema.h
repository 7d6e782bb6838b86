/*
 * asimdns config (internal): the `kafka` section's table and its cross-key rules
 * (config/exporter_kafka.c), used by the exporter schema (config/exporter_schema.c).
 */
#ifndef AD_CONFIG_EXPORTER_KAFKA_SCHEMA_H
#define AD_CONFIG_EXPORTER_KAFKA_SCHEMA_H

#include <stdbool.h>

#include "config/cfg_map.h"
#include "config/exporter_config.h"

/* Offsets count from ad_exporter_config.kafka. */
extern const ad__cfg_entry ad__exporter_kafka_table[];

/*
 * For exporter.type kafka: brokers and topic required, SASL and TLS rules, the batch limits
 * fitted to the message size, and (read_files) the SASL password from its file or variable.
 * Refused in builds without librdkafka. Does nothing for other types.
 */
ad_err ad__exporter_kafka_post(ad__cfg_ctx *ctx, uint32_t root, ad_exporter_config *cfg,
                               ad_config_getenv_fn getenv_fn, bool read_files);

#endif

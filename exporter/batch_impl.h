/*
 * asimdns-exporter: the encodings behind exporter/batch.h (not for other modules).
 */
#ifndef AD_EXPORTER_BATCH_IMPL_H
#define AD_EXPORTER_BATCH_IMPL_H

#include "exporter/batch.h"

/* AD_PAYLOAD_OTLP: exporter/otlp_batch.h behind the interface. */
ad_err ad__batch_otlp_create(const ad_batch_opts *opts, ad_batch **out);

/* AD_PAYLOAD_JSON_LINES and AD_PAYLOAD_ASIM_ROWS: one object per line. */
ad_err ad__batch_lines_create(const ad_batch_opts *opts, ad_batch **out);

#endif

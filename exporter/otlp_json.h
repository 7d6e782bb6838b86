/*
 * asimdns-exporter: OTLP/JSON encoding of an ExportLogsServiceRequest (facts/otlp-logs.md
 * §2.2), for `asimdns sink --format otlp-json` and debugging.
 *
 * Follows the OTLP deviations from the stock protobuf JSON mapping: lowerCamelCase keys only,
 * enums as integers, 64-bit integers (timeUnixNano, observedTimeUnixNano, intValue) as
 * decimal strings, traceId/spanId as hex (not base64), bytesValue as padded base64, doubles
 * as numbers or "NaN"/"Infinity"/"-Infinity". Fields holding their default value are left
 * out, as standard writers do, except that a set AnyValue member is always written (a oneof
 * keeps its type: {"intValue":"0"}). Output is one line, no trailing newline.
 */
#ifndef AD_EXPORTER_OTLP_JSON_H
#define AD_EXPORTER_OTLP_JSON_H

#include <stddef.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "exporter/otlp_decode.h"

/*
 * Appends the JSON object for req to sb. AD_EFULL when sb overflowed (its text is then cut),
 * AD_ERANGE when AnyValues nest deeper than AD_OTLP_MAX_NESTING.
 */
ad_err ad_otlp_json_write(const ad_otlp_request_msg *req, ad_strbuf *sb);

/* Decodes data[len] (ad_otlp_request_decode errors) and appends its JSON to sb. */
ad_err ad_otlp_json_from_proto(const void *data, size_t len, ad_strbuf *sb);

#endif

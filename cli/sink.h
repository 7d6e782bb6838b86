/*
 * asimdns: `asimdns sink`, an nng REP receiver for the exporter's nng transport (DESIGN.md §1;
 * the mapping of facts/otlp-logs.md §6): each request is a serialized
 * ExportLogsServiceRequest, written out and acknowledged with an ExportLogsServiceResponse.
 *
 *   asimdns sink --listen URL [--format asim-json|otlp-json|count] [--out FILE]
 *                [--max-idle SECS] [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]
 *
 * URL is tcp://HOST:PORT, tls+tcp://HOST:PORT (with --tls-cert/--tls-key; --tls-client-ca
 * requires client certificates) or ipc://PATH. asim-json (default) writes one JSON object per
 * log record holding its attributes in order, the same lines the exporter's console output has;
 * otlp-json writes each request as one OTLP/JSON line (exporter/otlp_json.h); count writes
 * nothing: it walks the wire format (exporter/otlp_scan.h), counts records and tracks their
 * asimdns.record_id sequence numbers, and logs at exit how many distinct ones arrived and how
 * many are missing between the first and the last (benchmarks, completeness checks). A request that
 * cannot be decoded is answered with a partial success carrying the error message (it is not
 * worth a resend). Stops on SIGINT/SIGTERM or after --max-idle seconds without requests.
 */
#ifndef AD_CLI_SINK_H
#define AD_CLI_SINK_H

#include <stdio.h>

#include "common/error.h"
#include "exporter/otlp_decode.h"

/* Largest request accepted: the OTLP request limit (facts §2.1, §6: 64 MiB). */
#define AD_SINK_RECV_MAX (64u * 1024u * 1024u)

/* argv[0] is "sink". Returns the process exit code (0 ok, 1 failure, 2 usage). */
int ad_sink_main(int argc, char **argv);

/*
 * Writes every log record of req to out as one ASIM JSON line (attributes in order; strings,
 * integers, booleans and doubles as JSON values, other kinds as null). Returns the number of
 * records written, or -1 on an output error.
 */
long ad_sink_write_asim_json(ad_otlp_request *req, FILE *out);

#endif

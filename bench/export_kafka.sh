#!/usr/bin/env bash
# bench/export_kafka.sh: records/s into librdkafka's mock cluster per Kafka encoding and
# compression, beside OTLP/HTTP, in one run of bench/export_e2e.sh (same capture -> ring ->
# exporter path, same checks: no drops, every record id delivered).
# usage: bench/export_kafka.sh [BUILD_DIR] [RECORDS=300000] [VARIANTS=...]
#   env: as bench/export_e2e.sh (REPS, MIX, BATCH, RING_SIZE).
source "$(dirname "$0")/../scripts/lib/strict.sh"
here=$(cd "$(dirname "$0")" && pwd)
variants=${3:-"http http-gzip kafka-otlp_proto-none kafka-otlp_proto-lz4 kafka-otlp_proto-zstd
  kafka-otlp_proto-snappy kafka-otlp_proto-gzip kafka-otlp_json-lz4 kafka-asim_json-lz4"}
exec "$here/export_e2e.sh" "${1:-}" "${2:-300000}" "$(echo $variants)"

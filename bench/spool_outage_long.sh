#!/usr/bin/env bash
# The long spool run: the receiver down for 3 minutes at a rate that overflows a 1 MiB ring
# far more than 10x, 10 SIGKILLs of the exporter during the outage and the drain; every record
# id must arrive (tests/integration/spool_outage.sh with DOWN=180).
# Usage: bench/spool_outage_long.sh BUILD_DIR [RATE=4000]
source "$(dirname "$0")/../scripts/lib/strict.sh"
RATE=${2:-4000} exec bash "$(dirname "$0")/../tests/integration/spool_outage.sh" "${1:?BUILD_DIR}" 180 10

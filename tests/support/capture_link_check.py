#!/usr/bin/env python3
"""Unit: the privileged asimdns-capture links none of the code it never runs.

Reads the capture's linker map (as cmake/linked_code.py does) and fails when it took the
ring's consumer half, the exporter counters' seal or names, the status snapshot, the health
rules, the DNS/ASIM name tables, or the exporter's configuration loader and checker: each would be code running with
the capture's privileges for no reason. Also fails when the ring's producer half is missing
(the map was not read right).

Usage: capture_link_check.py SOURCE_DIR BUILD_DIR asimdns-capture.map
"""
import os
import sys

src, build, mapfile = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "cmake"))
import linked_code  # noqa: E402

NEVER = [
    "ipc/ring_consumer.c",
    "ipc/ring_seal.c",
    "ipc/ring_counter_names.c",
    "ipc/ring_status.c",
    "common/dns_tables.c",
    "common/event_result.c",
    "config/exporter_check.c",
    "config/exporter_schema.c",
    "config/exporter_env.c",
    "config/exporter_filters.c",
    "config/exporter_headers.c",
    "config/exporter_kafka.c",
    "config/exporter_logs_ingestion.c",
]
linked = set(linked_code.linked(mapfile, build, src))
bad = [f for f in NEVER if f in linked]
bad += [f for f in linked if f.startswith(("exporter/", "cli/", "health/"))]
if "ipc/ring_producer.c" not in linked or "capture/main.c" not in linked:
    sys.exit("FAIL: %s does not list the capture's own code; cannot judge it" % mapfile)
if bad:
    sys.exit("FAIL: asimdns-capture links code it never runs: " + ", ".join(sorted(bad)))
print("PASS: asimdns-capture links %d project units, none of the exporter's or the consumer's"
      % len(linked))

/*
 * asimdns: helpers shared by the ring core and the status reader (internal to ipc/).
 */
#ifndef AD_IPC_RING_INTERNAL_H
#define AD_IPC_RING_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "ipc/ring_layout.h"

/*
 * Validates a mapped data header (magic with acquire, layout version, sizes, capacity, max
 * payload). mapped is the number of bytes mapped; whole says the mapping covers the whole
 * object, whose size must then equal header + capacity. AD_ENOENT: still being created
 * (magic 0); AD_EVERSION: another layout; AD_ECORRUPT: impossible values. Message in msg.
 */
ad_err ad__ring_check_data(const ad_ring_data_hdr *h, size_t mapped, bool whole, const char *name,
                           char *msg, size_t msgcap);

/*
 * The exporter counters of a cursor page as far as they can be trusted. The exporter seals a
 * copy of its counters at every heartbeat (counters_snapshot + counters_seal). A live counter
 * is trusted when the seal holds and it lies between its sealed value and that value plus
 * AD__RING_COUNTER_STEP (counters only grow, and not by that much in one heartbeat); else the
 * sealed value stands in for it; without a valid seal every non-zero counter is untrusted and
 * reads 0. out[i] receives the trusted values; returns how many counters were not trusted.
 */
#define AD__RING_COUNTER_STEP (1ULL << 40)
unsigned ad__ring_counters_verify(const ad_ring_cursor *cur, uint64_t out[AD_RING_COUNTER_SLOTS]);

/* The seal over a snapshot of counters (never 0, so an all-zero page does not verify). */
uint64_t ad__ring_counters_seal(const ad_ring_cursor *cur);

#endif

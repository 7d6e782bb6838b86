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

#endif

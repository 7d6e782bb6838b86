/*
 * asimdns: what both sides of the ring (and the status reader) run to open one: the name rule,
 * configuration defaults, removal and the data header's validation. asimdns-capture links
 * this and ring_producer.c, never the consumer.
 */
#include "ipc/ring.h"

#include <stdio.h>
#include <string.h>

#include "common/record.h"
#include "ipc/atomics.h"
#include "ipc/ring_internal.h"
#include "ipc/ring_layout.h"
#include "ipc/shm.h"

ad_err ad_ring_name_check(const char *name)
{
    size_t n;
    if (name == NULL) {
        return AD_EINVAL;
    }
    n = strlen(name);
    if (n == 0 || n > AD_RING_NAME_MAX || name[0] == '.' || name[0] == '-') {
        return AD_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        if (!ok) {
            return AD_EINVAL;
        }
    }
    return AD_OK;
}

void ad_ring_config_init(ad_ring_config *cfg, const char *name)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->name = name;
    cfg->capacity = AD_RING_DEFAULT_CAPACITY;
    cfg->max_payload = AD_RECORD_MAX_SIZE;
    cfg->data_mode = AD_RING_DEFAULT_DATA_MODE;
    cfg->cursor_mode = AD_RING_DEFAULT_CURSOR_MODE;
    cfg->global_namespace = true;
    cfg->stale_ns = AD_RING_DEFAULT_STALE_NS;
    cfg->heartbeat_interval_ns = AD_RING_DEFAULT_HEARTBEAT_NS;
}

void ad_ring_consumer_config_init(ad_ring_consumer_config *cfg, const char *name)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->name = name;
    cfg->global_namespace = true;
    cfg->stale_ns = AD_RING_DEFAULT_STALE_NS;
    cfg->heartbeat_interval_ns = AD_RING_DEFAULT_HEARTBEAT_NS;
}

ad_err ad_ring_unlink(const char *name, bool global_namespace)
{
    ad_err e1, e2;
    if (ad_ring_name_check(name) != AD_OK) {
        return AD_EINVAL;
    }
    e1 = ad__shm_unlink(name, AD__RING_KIND_DATA, global_namespace);
    e2 = ad__shm_unlink(name, AD__RING_KIND_CURSOR, global_namespace);
    return e1 != AD_OK ? e1 : e2;
}

ad_err ad__ring_check_data(const ad_ring_data_hdr *h, size_t mapped, bool whole, const char *name,
                           char *msg, size_t msgcap)
{
    uint64_t magic = ad_atomic_load_acquire(&h->magic); /* [C] pairs with the creation release */
    if (mapped < AD_RING_HEADER_SIZE) {
        ad_err_msg(msg, msgcap, "ring %s: data object is only %llu bytes", name,
                   (unsigned long long)mapped);
        return AD_ECORRUPT;
    }
    if (magic == 0) {
        ad_err_msg(msg, msgcap, "ring %s is still being created; try again", name);
        return AD_ENOENT;
    }
    if (magic != AD_RING_MAGIC) {
        ad_err_msg(msg, msgcap, "ring %s: data object is not an asimdns ring (magic %016llx)", name,
                   (unsigned long long)magic);
        return AD_EVERSION;
    }
    if (h->layout_version != AD_RING_LAYOUT_VERSION || h->header_size != AD_RING_HEADER_SIZE ||
        h->rec_hdr_size != AD_RING_REC_HDR_SIZE) {
        ad_err_msg(msg, msgcap,
                   "ring %s has layout version %u (header %u, record header %u); this build "
                   "understands layout version %u: restart capture with a recreated ring or run "
                   "matching versions",
                   name, h->layout_version, h->header_size, h->rec_hdr_size,
                   AD_RING_LAYOUT_VERSION);
        return AD_EVERSION;
    }
    if (!ad__ring_is_pow2(h->capacity) || h->capacity < AD_RING_MIN_CAPACITY ||
        h->capacity > AD_RING_MAX_CAPACITY || !ad__ring_payload_fits(h->capacity, h->max_payload)) {
        ad_err_msg(msg, msgcap, "ring %s: impossible capacity %llu / max payload %u in header",
                   name, (unsigned long long)h->capacity, h->max_payload);
        return AD_ECORRUPT;
    }
    if (whole && mapped != AD_RING_HEADER_SIZE + h->capacity) {
        ad_err_msg(msg, msgcap,
                   "ring %s: data object is %llu bytes but its header says %u + %llu: refusing it",
                   name, (unsigned long long)mapped, AD_RING_HEADER_SIZE,
                   (unsigned long long)h->capacity);
        return AD_ECORRUPT;
    }
    return AD_OK;
}

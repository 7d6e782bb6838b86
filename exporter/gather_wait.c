/* asimdns-exporter: the pipeline's sleep while records trickle in (gather_wait.h). */
#include "exporter/gather_wait.h"

uint64_t ad_gather_slice(ad_gather *g, uint64_t now_ns, uint64_t read_pos, uint64_t capacity,
                         uint64_t cap_ns)
{
    uint64_t dt = g->primed && now_ns > g->ns ? now_ns - g->ns : 0;
    uint64_t bytes = g->primed && read_pos > g->pos ? read_pos - g->pos : 0;
    g->pos = read_pos;
    g->ns = now_ns;
    g->primed = true;
    uint64_t slice = cap_ns;
    if (bytes == 0 || dt == 0) {
        if (slice > AD_GATHER_QUIET_NS)
            slice = AD_GATHER_QUIET_NS;
        return slice;
    }
    /* Time for an eighth of the ring to fill at the measured rate. */
    double fill_ns = (double)(capacity / 8) * (double)dt / (double)bytes;
    if (fill_ns < (double)slice) {
        slice = (uint64_t)fill_ns;
        if (slice < AD_GATHER_MIN_NS)
            return 0; /* a flood: sleeping would let the ring fill */
    }
    return slice;
}

/*
 * asimdns: the counters' snake-case names, for status, /metrics and logs (not linked by
 * asimdns-capture, which only counts).
 */
#include "ipc/ring.h"

#include "ipc/ring_layout.h"

#define AD__RING_NAME_CAPTURE(id, name) [AD_CAP_##id] = name,
#define AD__RING_NAME_EXPORTER(id, name) [AD_EXP_##id] = name,
static const char *const capture_counter_names[AD_CAP__COUNT] = {
    AD_CAPTURE_COUNTERS(AD__RING_NAME_CAPTURE)};
static const char *const exporter_counter_names[AD_EXP__COUNT] = {
    AD_EXPORTER_COUNTERS(AD__RING_NAME_EXPORTER)};

_Static_assert(AD_CAP__COUNT <= AD_RING_COUNTER_SLOTS, "too many capture counters");
_Static_assert(AD_EXP__COUNT <= AD_RING_COUNTER_SLOTS, "too many exporter counters");

const char *ad_capture_counter_name(unsigned idx)
{
    return idx < AD_CAP__COUNT ? capture_counter_names[idx] : NULL;
}

const char *ad_exporter_counter_name(unsigned idx)
{
    return idx < AD_EXP__COUNT ? exporter_counter_names[idx] : NULL;
}

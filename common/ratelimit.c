#include "common/ratelimit.h"

#include <stddef.h>

void ad_ratelimit_init(ad_ratelimit *rl, uint64_t interval_ns)
{
    rl->interval_ns = interval_ns;
    rl->next_ns = 0;
    rl->suppressed = 0;
}

bool ad_ratelimit_allow(ad_ratelimit *rl, uint64_t now_ns, uint64_t *suppressed_out)
{
    if (rl->next_ns != 0 && now_ns < rl->next_ns) {
        rl->suppressed++;
        return false;
    }
    if (suppressed_out != NULL)
        *suppressed_out = rl->suppressed;
    rl->suppressed = 0;
    /* never 0, so that "no line yet" stays distinguishable even at now_ns == 0 */
    rl->next_ns = now_ns + rl->interval_ns + (now_ns + rl->interval_ns == 0);
    return true;
}

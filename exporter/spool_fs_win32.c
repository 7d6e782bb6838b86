/* asimdns-exporter: no disk spool on Windows yet (spool_fs.h); `spool:` is refused there. */
#include "exporter/spool_fs.h"

const ad_spool_fs *ad_spool_fs_os(void)
{
    return NULL;
}

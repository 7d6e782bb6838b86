/* asimdns-exporter: secret memory on POSIX (secret_mem.h). */
#include "exporter/secret_mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void ad_secret_wipe(void *p, size_t len)
{
    volatile unsigned char *v = p;
    for (size_t i = 0; i < len; i++)
        v[i] = 0;
}

static size_t rounded(size_t len)
{
    long pg = sysconf(_SC_PAGESIZE);
    size_t page = pg > 0 ? (size_t)pg : 4096u;
    return (len + page - 1) / page * page;
}

void *ad_secret_alloc(size_t len)
{
    size_t n = rounded(len ? len : 1);
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_DONTDUMP
    (void)madvise(p, n, MADV_DONTDUMP); /* best effort: the wipe still happens */
#endif
    return p; /* anonymous mappings start zeroed */
}

void ad_secret_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    size_t n = rounded(len ? len : 1);
    ad_secret_wipe(p, n);
    munmap(p, n);
}

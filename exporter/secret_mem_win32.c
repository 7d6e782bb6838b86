/* asimdns-exporter: secret memory on Windows (secret_mem.h). */
#include "exporter/secret_mem.h"

#include <windows.h>

void ad_secret_wipe(void *p, size_t len)
{
    SecureZeroMemory(p, len);
}

void *ad_secret_alloc(size_t len)
{
    /* Committed pages start zeroed; VirtualLock would keep them out of the page file but
       needs quota, so it is not used. */
    return VirtualAlloc(NULL, len ? len : 1, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
}

void ad_secret_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    SecureZeroMemory(p, len);
    VirtualFree(p, 0, MEM_RELEASE);
}

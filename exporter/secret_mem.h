/*
 * asimdns-exporter: memory for secrets (client secret, Arc challenge, bearer token). It is
 * kept out of core dumps where the OS allows (Linux: MADV_DONTDUMP on its own pages; Windows:
 * no per-region control, so plain memory) and wiped before it is freed.
 */
#ifndef AD_EXPORTER_SECRET_MEM_H
#define AD_EXPORTER_SECRET_MEM_H

#include <stddef.h>

/* Zeroed memory of len bytes, or NULL. */
void *ad_secret_alloc(size_t len);

/* Wipes and frees what ad_secret_alloc(len) returned (NULL is fine). */
void ad_secret_free(void *p, size_t len);

/* Wipes len bytes in a way the compiler does not drop. */
void ad_secret_wipe(void *p, size_t len);

#endif

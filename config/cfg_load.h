/*
 * asimdns config (internal): the load pipeline both schemas share: bounded file read, YAML
 * tree, root checks, defaults, table pass, then the schema's own cross-key checks.
 */
#ifndef AD_CONFIG_CFG_LOAD_H
#define AD_CONFIG_CFG_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "config/cfg_map.h"

/*
 * Reads at most max bytes of path into a new NUL-terminated buffer (*data, free() it).
 * A longer file gives AD_ERANGE; errors read "PATH: message".
 */
ad_err ad__cfg_read_file(const char *path, size_t max, char **data, size_t *len, char *err,
                         size_t errlen);

/* Cross-key checks after the table pass; root is the top-level mapping node. */
typedef ad_err (*ad__cfg_post_fn)(ad__cfg_ctx *ctx, uint32_t root, void *arg);

/*
 * Parses data[len] (named name in messages) into base (base_size bytes, zeroed here) through
 * table, then calls post(ctx, root, arg).
 */
ad_err ad__cfg_load(const char *name, const char *data, size_t len, const ad__cfg_entry *table,
                    void *base, size_t base_size, ad__cfg_post_fn post, void *arg, char *err,
                    size_t errlen);

#endif

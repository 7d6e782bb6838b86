/*
 * asimdns: what both services' configuration loaders share.
 *
 * The loaders read YAML (libyaml), check it strictly against a declarative table and fill a
 * plain struct: fixed-size strings, no pointers, nothing to free. Every error is one line of
 * the form "FILE:LINE:COLUMN: message naming the key" (LINE and COLUMN 1-based), so a service
 * can print it and exit. See docs/CONFIG.md for every key.
 */
#ifndef AD_CONFIG_CONFIG_H
#define AD_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dns_tables.h"
#include "common/error.h"
#include "common/log.h"

/* Largest configuration file accepted; anything bigger is refused before parsing. */
#define AD_CONFIG_MAX_FILE_BYTES (1024u * 1024u)
/* Deepest nesting of mappings/sequences accepted (our schemas need 4). */
#define AD_CONFIG_MAX_DEPTH 10
/* Most YAML nodes accepted in one file; bounds memory whatever the input. */
#define AD_CONFIG_MAX_NODES 20000

/* Sizes of the fixed string fields, terminating NUL included. */
#define AD_CONFIG_NAME_MAX 128 /* names: ring, session, user, group, provider */
#define AD_CONFIG_PATH_MAX 1024
#define AD_CONFIG_URL_MAX 1024
#define AD_CONFIG_HOST_MAX 256

/* Room for an error message: "FILE:LINE:COLUMN: message". */
#define AD_CONFIG_ERR_MAX 512

/*
 * Looks up an environment variable; returns NULL when unset. Tests inject fakes; NULL as the
 * function means the process environment (getenv).
 */
typedef const char *(*ad_config_getenv_fn)(const char *name);

/* The process environment, as an ad_config_getenv_fn. */
const char *ad_config_process_env(const char *name);

/* Receives one line (no newline) of a configuration dump. */
typedef void (*ad_config_line_fn)(void *ctx, const char *line);

/* `log:` section, same in both files. */
typedef struct ad_config_log {
    ad_log_level level;       /* debug|info|warn|error, default info */
    ad_log_format format;     /* text|json, default text */
    uint32_t summary_seconds; /* one counter line per period, 0 = off; default 60 */
} ad_config_log;

#endif

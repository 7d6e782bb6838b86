/*
 * asimdns config (internal): building the one-line error messages.
 */
#ifndef AD_CONFIG_CFG_ERROR_H
#define AD_CONFIG_CFG_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "common/compiler.h"

/* Writes "FILE:LINE:COLUMN: message" into err[errlen]. */
void ad__cfg_errorf(char *err, size_t errlen, const char *file, uint32_t line, uint32_t column,
                    const char *fmt, ...) AD_PRINTF(6, 7);

/*
 * Copies text into out[outlen] for quoting inside a message: at most 48 characters, control
 * characters shown as '?', "..." when cut. Never use it on a secret.
 */
const char *ad__cfg_excerpt(const char *text, char *out, size_t outlen);

#endif

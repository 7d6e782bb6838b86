/*
 * asimdns config (internal): checks on raw configuration bytes before libyaml sees them, and
 * mapping between byte offsets and libyaml's line/column marks.
 *
 * libyaml reports bad UTF-8 and control characters as reader errors carrying only a byte
 * offset; checking first gives those errors a line and column like every other message.
 */
#ifndef AD_CONFIG_CFG_INPUT_H
#define AD_CONFIG_CFG_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True when data[len] is valid UTF-8 holding only characters YAML allows (no NUL, no
 * control characters other than tab, CR, LF). Otherwise *line and *column (1-based,
 * counted like libyaml) locate the first offending character and why says what is wrong.
 */
bool ad__cfg_input_valid(const char *data, size_t len, uint32_t *line, uint32_t *column, char *why,
                         size_t whylen);

/*
 * Byte offset of the character at 1-based line/column, counted like libyaml (a leading BOM
 * is skipped; CRLF, CR, LF, NEL, LS and PS end lines; columns count characters). Returns len
 * when the position lies beyond the data. data must be valid UTF-8.
 */
size_t ad__cfg_input_offset(const char *data, size_t len, uint32_t line, uint32_t column);

/* Converts a byte offset into a 1-based line/column, counted as above. */
void ad__cfg_input_position(const char *data, size_t len, size_t offset, uint32_t *line,
                            uint32_t *column);

#endif

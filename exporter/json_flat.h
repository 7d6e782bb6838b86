/*
 * asimdns-exporter: reads one top-level member of a JSON object (token endpoint answers,
 * service error bodies). Nested values are skipped with a bounded depth; no allocation.
 */
#ifndef AD_EXPORTER_JSON_FLAT_H
#define AD_EXPORTER_JSON_FLAT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Finds member key of the object in json[len]. A string value gives its raw inside (escapes
 * left as written), a number its text; *is_string says which. False when the text is not an
 * object, the key is missing or its value is another type.
 */
bool ad_json_flat_get(const char *json, size_t len, const char *key, const char **val, size_t *vlen,
                      bool *is_string);

/* The first string found at path "a.b" (one level of nesting at most), e.g. "error.message". */
bool ad_json_flat_get_path(const char *json, size_t len, const char *path, const char **val,
                           size_t *vlen);

#endif

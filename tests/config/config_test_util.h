/*
 * asimdns tests: helpers shared by the config tests: an injectable environment, a dump
 * collector and one-call loaders from strings.
 */
#ifndef AD_TESTS_CONFIG_TEST_UTIL_H
#define AD_TESTS_CONFIG_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "config/capture_config.h"
#include "config/exporter_config.h"

/* The fake environment: NULL-terminated "NAME=value" strings; NULL = empty environment. */
void test_env_set(const char *const *vars);

/* An ad_config_getenv_fn reading the fake environment. */
const char *test_getenv(const char *name);

/* Loaders from a NUL-terminated string, named "capture.yaml" / "exporter.yaml", using the
 * fake environment. err receives the message. */
ad_err test_load_capture(const char *yaml, ad_capture_config *cfg, char *err, size_t errlen);
ad_err test_load_exporter(const char *yaml, ad_exporter_config *cfg, char *err, size_t errlen);

/* Loads yaml and fails the running cmocka test (with the message) unless it is accepted. */
void test_capture_ok(const char *yaml, ad_capture_config *cfg);
void test_exporter_ok(const char *yaml, ad_exporter_config *cfg);

/* Fails the running cmocka test unless yaml is refused with a message containing expect. */
void test_exporter_bad(const char *yaml, ad_exporter_config *cfg, const char *expect);

/* Collects dump lines into one newline-separated text. */
typedef struct test_dump {
    char text[65536];
    size_t len;
} test_dump;

void test_dump_line(void *ctx, const char *line);

/* Writes text to AD_TEST_TMP_DIR/name and returns the full path (static buffer). */
const char *test_write_file(const char *name, const char *text, size_t len);

#endif

/* asimdns tests: config test helpers (see config_test_util.h). */
#include "tests/config/config_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const char *const *test_env_vars;

void test_env_set(const char *const *vars)
{
    test_env_vars = vars;
}

const char *test_getenv(const char *name)
{
    size_t n = strlen(name);
    for (const char *const *v = test_env_vars; v != NULL && *v != NULL; v++) {
        if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
            return *v + n + 1;
    }
    return NULL;
}

ad_err test_load_capture(const char *yaml, ad_capture_config *cfg, char *err, size_t errlen)
{
    return ad_config_load_capture_mem("capture.yaml", yaml, strlen(yaml), test_getenv, cfg, err,
                                      errlen);
}

ad_err test_load_exporter(const char *yaml, ad_exporter_config *cfg, char *err, size_t errlen)
{
    return ad_config_load_exporter_mem("exporter.yaml", yaml, strlen(yaml), test_getenv, cfg, err,
                                       errlen);
}

void test_dump_line(void *ctx, const char *line)
{
    test_dump *d = ctx;
    int n = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s\n", line);
    if (n > 0 && d->len + (size_t)n < sizeof(d->text))
        d->len += (size_t)n;
}

const char *test_write_file(const char *name, const char *text, size_t len)
{
    static char path[1024];
    snprintf(path, sizeof(path), "%s/%s", AD_TEST_TMP_DIR, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    fwrite(text, 1, len, f);
    fclose(f);
    return path;
}

void test_capture_ok(const char *yaml, ad_capture_config *cfg)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    if (test_load_capture(yaml, cfg, err, sizeof(err)) != AD_OK)
        fail_msg("load failed: %s", err);
}

void test_exporter_ok(const char *yaml, ad_exporter_config *cfg)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    if (test_load_exporter(yaml, cfg, err, sizeof(err)) != AD_OK)
        fail_msg("load failed: %s", err);
}

void test_exporter_bad(const char *yaml, ad_exporter_config *cfg, const char *expect)
{
    char err[AD_CONFIG_ERR_MAX] = "";
    assert_int_not_equal(test_load_exporter(yaml, cfg, err, sizeof(err)), AD_OK);
    if (strstr(err, expect) == NULL)
        fail_msg("error '%s' lacks '%s'", err, expect);
}

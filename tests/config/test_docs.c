/*
 * asimdns tests: docs/CONFIG.md documents every key. The dump of a default configuration
 * lists every key the tables know; each must appear in the reference as `key`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/config/config_test_util.h"

static char *read_docs(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/docs/CONFIG.md", AD_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char text[200000];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void check_documented(const char *docs, const test_dump *d)
{
    unsigned missing = 0, keys = 0;
    for (const char *line = d->text; *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t klen = strcspn(line, ":");
        char want[256];
        snprintf(want, sizeof(want), "`%.*s`", (int)klen, line);
        keys++;
        if (strstr(docs, want) == NULL) {
            print_error("docs/CONFIG.md does not document %s\n", want);
            missing++;
        }
        line = end ? end + 1 : line + strlen(line);
    }
    assert_true(keys > 10);
    assert_int_equal(missing, 0);
}

static void test_every_key_documented(void **state)
{
    (void)state;
    const char *docs = read_docs();
    assert_non_null(docs);
    static ad_capture_config cap;
    static ad_exporter_config expcfg;
    static test_dump dump;
    char err[AD_CONFIG_ERR_MAX];
    test_env_set(NULL);

    assert_int_equal(test_load_capture("source: {type: etw}\n", &cap, err, sizeof(err)), AD_OK);
    memset(&dump, 0, sizeof(dump));
    ad_config_dump_capture(&cap, test_dump_line, &dump);
    check_documented(docs, &dump);

    assert_int_equal(test_load_exporter("ring: {name: asimdns}\n", &expcfg, err, sizeof(err)),
                     AD_OK);
    memset(&dump, 0, sizeof(dump));
    ad_config_dump_exporter(&expcfg, test_dump_line, &dump);
    check_documented(docs, &dump);

    /* The alias is not dumped but documented. */
    assert_non_null(strstr(docs, "`source.match_any_keyword`"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key_documented),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

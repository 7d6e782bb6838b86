/*
 * asimdns: libFuzzer target for the configuration loaders (config/).
 *
 * Every input is loaded as capture.yaml and as exporter.yaml from memory; the exporter also
 * sees a fixed set of OTEL_EXPORTER_OTLP_* variables on odd-sized inputs so the environment
 * path runs too. headers_file is never opened (the fuzzer must not read arbitrary paths).
 *
 * Checks on every input: a load either succeeds with an empty message or fails with exactly
 * one line that starts with the file name (or a variable name) and a position; every string
 * field stays NUL-terminated; a successful load dumps without a secret header value in it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/capture_config.h"
#include "config/exporter_config.h"
#include "config/exporter_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_SECRET "fuzz-secret-value"

static const char *fuzz_env_empty(const char *name)
{
    (void)name;
    return NULL;
}

static const char *fuzz_env_set(const char *name)
{
    static const char *const vars[][2] = {
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/base"},
        {"OTEL_EXPORTER_OTLP_HEADERS", "X-Fuzz-Secret=" FUZZ_SECRET ",Tenant=t"},
        {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
        {"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none"},
    };
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        if (strcmp(name, vars[i][0]) == 0)
            return vars[i][1];
    }
    return NULL;
}

static void fuzz_check_message(ad_err rc, const char *err, const char *name)
{
    if (rc == AD_OK) {
        if (err[0] != '\0')
            abort();
        return;
    }
    if (memchr(err, '\0', AD_CONFIG_ERR_MAX) == NULL || err[0] == '\0' || strchr(err, '\n') != NULL)
        abort();
    if (strncmp(err, name, strlen(name)) != 0 && strncmp(err, "OTEL_", 5) != 0)
        abort();
}

static void fuzz_check_string(const char *s, size_t size)
{
    if (memchr(s, '\0', size) == NULL)
        abort();
}

typedef struct fuzz_sink {
    size_t lines;
    bool input_has_secret; /* then the input may legitimately print it, e.g. as a ring name */
} fuzz_sink;

/* Case-insensitive, because loading may lower-case text (domain names). */
static bool fuzz_contains(const uint8_t *data, size_t size, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= size; i++) {
        size_t j = 0;
        while (j < n && (data[i + j] | 0x20) == (uint8_t)needle[j])
            j++;
        if (j == n)
            return true;
    }
    return false;
}

static void fuzz_line(void *ctx, const char *line)
{
    fuzz_sink *sink = ctx;
    sink->lines++;
    /* The environment's secret value must never be printed. */
    if (!sink->input_has_secret && strstr(line, FUZZ_SECRET) != NULL)
        abort();
    /* Every header line is redacted. */
    if (strncmp(line, "otlp_http.headers.", 18) == 0 && strstr(line, ": <redacted>") == NULL &&
        strstr(line, ": \"\"") == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ad_capture_config cap;
    static ad_exporter_config expcfg;
    char err[AD_CONFIG_ERR_MAX];
    const char *text = (const char *)data;
    bool has_secret = fuzz_contains(data, size, FUZZ_SECRET);

    ad_err rc =
        ad_config_load_capture_mem("fuzz.yaml", text, size, fuzz_env_empty, &cap, err, sizeof(err));
    fuzz_check_message(rc, err, "fuzz.yaml");
    if (rc == AD_OK) {
        fuzz_sink sink = {0, has_secret};
        fuzz_check_string(cap.source.provider_name, sizeof(cap.source.provider_name));
        fuzz_check_string(cap.source.session_name, sizeof(cap.source.session_name));
        fuzz_check_string(cap.ring.name, sizeof(cap.ring.name));
        if (cap.source.event_id_count > AD_CONFIG_MAX_EVENT_IDS)
            abort();
        ad_config_dump_capture(&cap, fuzz_line, &sink);
    }

    rc = ad__config_load_exporter_opts("fuzz.yaml", text, size,
                                       (size & 1) ? fuzz_env_set : fuzz_env_empty, false, &expcfg,
                                       err, sizeof(err));
    fuzz_check_message(rc, err, "fuzz.yaml");
    if (rc == AD_OK) {
        fuzz_sink sink = {0, has_secret};
        if (expcfg.otlp_http.header_count > AD_CONFIG_MAX_HEADERS ||
            expcfg.resource.attr_count > AD_CONFIG_MAX_ATTRS ||
            expcfg.filters.rule_count > AD_CONFIG_MAX_FILTER_RULES ||
            expcfg.filters.value_count > AD_CONFIG_MAX_FILTER_VALUES ||
            expcfg.filters.text_len > AD_CONFIG_FILTER_TEXT_MAX)
            abort();
        for (uint32_t i = 0; i < expcfg.otlp_http.header_count; i++)
            fuzz_check_string(expcfg.otlp_http.headers[i].value, AD_CONFIG_HEADER_VALUE_MAX);
        fuzz_check_string(expcfg.otlp_http.url, sizeof(expcfg.otlp_http.url));
        if (expcfg.otlp_http.url[0] == '\0')
            abort(); /* a successful load always has a logs URL */
        ad_config_dump_exporter(&expcfg, fuzz_line, &sink);
    }
    return 0;
}

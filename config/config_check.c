/*
 * asimdns config: the --check helpers both programs call: load, then print the effective
 * configuration (secrets redacted) or the one-line error.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/capture_config.h"
#include "config/exporter_config.h"

static void check_print_line(void *ctx, const char *line)
{
    fprintf((FILE *)ctx, "%s\n", line);
}

int ad_config_check_capture(const char *path, ad_config_getenv_fn getenv_fn, FILE *out,
                            FILE *errout)
{
    char err[AD_CONFIG_ERR_MAX];
    ad_capture_config *cfg = malloc(sizeof(*cfg));
    if (cfg == NULL) {
        fprintf(errout, "%s: out of memory\n", path);
        return 1;
    }
    ad_err rc = ad_config_load_capture(path, getenv_fn, cfg, err, sizeof(err));
    if (rc != AD_OK) {
        fprintf(errout, "%s\n", err);
        free(cfg);
        return 1;
    }
    fprintf(out, "# %s: OK\n", path);
    ad_config_dump_capture(cfg, check_print_line, out);
    free(cfg);
    return 0;
}

int ad_config_check_exporter(const char *path, ad_config_getenv_fn getenv_fn, FILE *out,
                             FILE *errout)
{
    char err[AD_CONFIG_ERR_MAX];
    ad_exporter_config *cfg = malloc(sizeof(*cfg));
    if (cfg == NULL) {
        fprintf(errout, "%s: out of memory\n", path);
        return 1;
    }
    ad_err rc = ad_config_load_exporter(path, getenv_fn, cfg, err, sizeof(err));
    if (rc != AD_OK) {
        fprintf(errout, "%s\n", err);
        free(cfg);
        return 1;
    }
    fprintf(out, "# %s: OK\n", path);
    ad_config_dump_exporter(cfg, check_print_line, out);
    free(cfg);
    return 0;
}

/*
 * asimdns config: asimdns-capture --check: load, then print the effective configuration
 * (secrets redacted) or the one-line error. One file per service, so each program links only
 * its own checker.
 */
#include <stdio.h>
#include <stdlib.h>

#include "config/capture_config.h"
#include "config/cfg_map.h"

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
    int exit_code = ad__cfg_check_verdict(path, rc, err, out, errout);
    if (rc == AD_OK) {
        ad_config_dump_capture(cfg, ad__cfg_print_line, out);
    }
    free(cfg);
    return exit_code;
}

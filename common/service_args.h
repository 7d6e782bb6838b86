/*
 * asimdns: the command line both services share:
 *   PROGRAM -c FILE [--check] [--version] [--help] plus options that take a value.
 */
#ifndef AD_COMMON_SERVICE_ARGS_H
#define AD_COMMON_SERVICE_ARGS_H

#include <stdbool.h>
#include <stddef.h>

/* An extra option: one taking a value ({.name = "--record", .value = &record_path}) or a switch
 * ({.name = "--allow-root", .flag = &allow_root}). */
typedef struct ad_service_opt {
    const char *name;
    const char **value; /* receives the value; untouched when the option is absent */
    bool *flag;         /* a switch: set true when present; untouched otherwise */
} ad_service_opt;

typedef struct ad_service_args {
    const char *config_path;
    bool check;
} ad_service_args;

/*
 * Parses argv. Returns -1 when the program should go on, otherwise the exit code main should
 * return at once: 0 after --version or --help (printed to stdout), 2 for a usage error
 * (reported on stderr with usage_text).
 */
int ad_service_args_parse(int argc, char **argv, const char *program, const char *usage_text,
                          const ad_service_opt *opts, size_t nopts, ad_service_args *out);

/* Parses whole seconds ("30") into ns; false for anything else. */
bool ad_service_parse_seconds(const char *text, unsigned long long *ns);

#endif

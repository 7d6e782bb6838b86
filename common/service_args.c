/* asimdns: the shared service command line. */
#include "common/service_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL

static int usage_error(const char *program, const char *usage_text, const char *what,
                       const char *arg)
{
    fprintf(stderr, "%s: %s '%s'\n%s", program, what, arg, usage_text);
    return 2;
}

int ad_service_args_parse(int argc, char **argv, const char *program, const char *usage_text,
                          const ad_service_opt *opts, size_t nopts, ad_service_args *out)
{
    out->config_path = NULL;
    out->check = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--check") == 0) {
            out->check = true;
            continue;
        }
        if (strcmp(a, "--version") == 0) {
            printf("%s %s\n", program, ASIMDNS_VERSION);
            return 0;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        const char **target = NULL;
        bool *flag = NULL;
        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0)
            target = &out->config_path;
        for (size_t k = 0; target == NULL && flag == NULL && k < nopts; k++) {
            if (strcmp(a, opts[k].name) == 0) {
                target = opts[k].value;
                flag = opts[k].flag;
            }
        }
        if (flag != NULL) {
            *flag = true;
            continue;
        }
        if (target == NULL)
            return usage_error(program, usage_text, "unknown argument", a);
        if (i + 1 >= argc)
            return usage_error(program, usage_text, "missing value after", a);
        *target = argv[++i];
    }
    if (out->config_path == NULL) {
        fprintf(stderr, "%s: -c FILE is required\n%s", program, usage_text);
        return 2;
    }
    return -1;
}

bool ad_service_parse_seconds(const char *text, unsigned long long *ns)
{
    char *end;
    errno = 0;
    unsigned long long secs = strtoull(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
        secs > 18446744073ULL) /* keeps secs * 1e9 inside 64 bits */
        return false;
    *ns = secs * NS_PER_SEC;
    return true;
}

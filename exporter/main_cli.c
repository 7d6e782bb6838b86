/*
 * asimdns: the operator CLI.
 *
 *   asimdns status [--ring NAME] [--json] [--global]
 *       Both services' health and every counter, read from the ring (no service needed).
 *       Exit code: 0 healthy, 1 degraded, 2 down.
 *   asimdns remove-ring [--ring NAME] [--global]
 *       Removes a ring's shared-memory objects (after both services stopped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "exporter/sink.h"
#include "ipc/ring.h"
#include "ipc/ring_status.h"

#define DEFAULT_RING "asimdns"
#define EXIT_DOWN 2

typedef struct cli_opts {
    const char *ring;
    int json;
    int global;
} cli_opts;

static void usage(FILE *out)
{
    fprintf(out, "usage: asimdns status [--ring NAME] [--json] [--global]\n"
                 "       asimdns remove-ring [--ring NAME] [--global]\n"
                 "       asimdns sink --listen URL [--format asim-json|otlp-json] [--out FILE] "
                 "[--max-idle SECS]\n"
                 "       asimdns --version\n"
                 "status exit codes: 0 healthy, 1 degraded, 2 down\n");
}

/* Parses the options after the command word; -1 on a bad option. */
static int parse_opts(int argc, char **argv, cli_opts *o)
{
    o->ring = DEFAULT_RING;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--ring") == 0 && i + 1 < argc)
            o->ring = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            o->json = 1;
        else if (strcmp(argv[i], "--global") == 0)
            o->global = 1;
        else {
            fprintf(stderr, "asimdns: unknown option '%s'\n", argv[i]);
            return -1;
        }
    }
    return 0;
}

static int cmd_status(const cli_opts *o)
{
    static ad_ring_status st;
    char msg[256] = "";
    ad_err err = ad_ring_status_read(o->ring, o->global, &st, msg, sizeof(msg));
    if (err != AD_OK) {
        if (o->json) {
            char buf[512];
            ad_strbuf sb;
            ad_strbuf_init(&sb, buf, sizeof(buf));
            ad_strbuf_puts(&sb, "{\"ring\":");
            ad_strbuf_json_string(&sb, o->ring, strlen(o->ring));
            ad_strbuf_printf(&sb, ",\"health\":\"down\",\"error\":\"%s\"}", ad_err_name(err));
            puts(buf);
        } else
            fprintf(stderr, "asimdns: ring '%s': %s\n", o->ring, msg[0] ? msg : ad_strerror(err));
        return EXIT_DOWN;
    }
    static char out[64 * 1024];
    ad_strbuf sb;
    ad_strbuf_init(&sb, out, sizeof(out));
    if (o->json)
        ad_ring_status_format_json(&st, AD_RING_DEFAULT_STALE_NS, &sb);
    else
        ad_ring_status_format_text(&st, AD_RING_DEFAULT_STALE_NS, &sb);
    puts(out);
    char why[256] = "";
    ad_ring_health health = ad_ring_status_health(&st, AD_RING_DEFAULT_STALE_NS, why, sizeof(why));
    if (!o->json)
        printf("health: %s%s%s\n", ad_ring_health_name(health), why[0] ? " - " : "", why);
    return (int)health;
}

static int cmd_remove(const cli_opts *o)
{
    ad_err err = ad_ring_unlink(o->ring, o->global);
    if (err != AD_OK) {
        fprintf(stderr, "asimdns: cannot remove ring '%s': %s\n", o->ring, ad_strerror(err));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("asimdns %s\n", ASIMDNS_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "sink") == 0)
        return ad_sink_main(argc - 1, argv + 1);
    cli_opts o = {0};
    if (parse_opts(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "status") == 0)
        return cmd_status(&o);
    if (strcmp(argv[1], "remove-ring") == 0)
        return cmd_remove(&o);
    fprintf(stderr, "asimdns: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

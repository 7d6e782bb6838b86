/*
 * asimdns: the operator CLI.
 *
 *   asimdns status [--ring NAME] [--ring-dir DIR] [--json] [--global] [--check capture|exporter]
 *       Both services' health and every counter, read from the ring (no service needed).
 *       Exit code: 0 healthy, 1 degraded, 2 down. With --check, one service's verdict on one
 *       line ("capture degraded: 120 records dropped (ring full) in the last 1.0 s"), for
 *       Nagios, Zabbix or Task Scheduler; the rules are ad_ring_status_check's.
 *   asimdns remove-ring [--ring NAME] [--ring-dir DIR] [--global]
 *       Removes a ring's shared-memory objects (after both services stopped).
 *   --ring-dir: the services' ring.directory (POSIX; default /run/asimdns).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "cli/sink.h"
#include "ipc/ring.h"
#include "cli/status_render.h"
#include "health/ring_health.h"

#define DEFAULT_RING "asimdns"
#define EXIT_DOWN 2

typedef struct cli_opts {
    const char *ring;
    int json;
    int global;
    int check; /* -1: no --check; else an ad_ring_component */
} cli_opts;

static void usage(FILE *out)
{
    fprintf(out, "usage: asimdns status [--ring NAME] [--ring-dir DIR] [--json] [--global] "
                 "[--check capture|exporter]\n"
                 "       asimdns remove-ring [--ring NAME] [--ring-dir DIR] [--global]\n"
                 "       asimdns sink --listen URL [--format asim-json|otlp-json|count] "
                 "[--out FILE] [--max-idle SECS]\n"
                 "                    [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]\n"
                 "       asimdns --version\n"
                 "status exit codes: 0 healthy, 1 degraded, 2 down\n");
}

/* Parses the options after the command word; -1 on a bad option. */
static int parse_opts(int argc, char **argv, cli_opts *o)
{
    o->ring = DEFAULT_RING;
    o->check = -1;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--ring") == 0 && i + 1 < argc)
            o->ring = argv[++i];
        else if (strcmp(argv[i], "--ring-dir") == 0 && i + 1 < argc) {
            if (ad_ring_set_directory(argv[++i]) != AD_OK) {
                fprintf(stderr, "asimdns: --ring-dir needs an absolute path, not '%s'\n", argv[i]);
                return -1;
            }
        } else if (strcmp(argv[i], "--check") == 0 && i + 1 < argc) {
            const char *c = argv[++i];
            if (strcmp(c, "capture") == 0)
                o->check = AD_RING_CAPTURE;
            else if (strcmp(c, "exporter") == 0)
                o->check = AD_RING_EXPORTER;
            else {
                fprintf(stderr, "asimdns: --check takes capture or exporter, not '%s'\n", c);
                return -1;
            }
        } else if (strcmp(argv[i], "--json") == 0)
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

/* One verdict line (or JSON object) for monitoring systems; the exit code is the verdict. */
static int print_check(const cli_opts *o, ad_ring_component which, ad_ring_health h,
                       const char *why)
{
    const char *comp = ad_ring_component_name(which);
    if (o->json) {
        char buf[1024];
        ad_strbuf sb;
        ad_strbuf_init(&sb, buf, sizeof(buf));
        ad_strbuf_puts(&sb, "{\"ring\":");
        ad_strbuf_json_string(&sb, o->ring, strlen(o->ring));
        ad_strbuf_printf(&sb,
                         ",\"component\":\"%s\",\"health\":\"%s\",\"code\":%d,\"reason\":", comp,
                         ad_ring_health_name(h), (int)h);
        ad_strbuf_json_string(&sb, why, strlen(why));
        ad_strbuf_putc(&sb, '}');
        puts(buf);
    } else {
        printf("%s %s: %s\n", comp, ad_ring_health_name(h), why);
    }
    fflush(stdout);
    return (int)h;
}

static int cmd_status(const cli_opts *o)
{
    static ad_ring_status st;
    char msg[256] = "";
    ad_err err = ad_ring_status_read(o->ring, o->global, &st, msg, sizeof(msg));
    if (err != AD_OK && o->check >= 0) {
        char why[320];
        snprintf(why, sizeof(why), "ring '%s': %s", o->ring, msg[0] ? msg : ad_strerror(err));
        return print_check(o, (ad_ring_component)o->check, AD_RING_DOWN, why);
    }
    if (o->check >= 0) {
        char why[512] = "";
        ad_ring_health h = ad_ring_status_check(&st, (ad_ring_component)o->check, why, sizeof(why));
        return print_check(o, (ad_ring_component)o->check, h, why);
    }
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
        ad_ring_status_format_json(&st, &sb);
    else
        ad_ring_status_format_text(&st, &sb);
    puts(out);
    char why[256] = "";
    ad_ring_health health = ad_ring_status_health(&st, why, sizeof(why));
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

/* asimdns: `asimdns sink`, nng REP receiver of ExportLogsServiceRequests (see sink.h). */
#include "cli/sink.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/supplemental/tls/tls.h>

#include "common/log.h"
#include "common/stop.h"
#include "common/strbuf.h"
#include "common/timeutil.h"
#include "exporter/otlp_json.h"
#include "exporter/otlp_scan.h"
#include "exporter/shutdown_watchdog.h"
#include "exporter/transport_internal.h"

#define RECV_SLICE_MS 100
#define NS_PER_SEC 1000000000ULL
#define LINE_BYTES (256u * 1024u)
/* OTLP/JSON is a few times larger than the protobuf it comes from. */
#define JSON_FACTOR 8u

typedef enum sink_format { FORMAT_ASIM_JSON, FORMAT_OTLP_JSON, FORMAT_COUNT } sink_format;

typedef struct sink_opts {
    const char *listen;
    sink_format format;
    const char *out_path;
    uint64_t max_idle_ns;
    const char *tls_cert, *tls_key, *tls_client_ca;
} sink_opts;

/* What --format count learns about the records' asimdns.record_id sequence numbers. */
typedef struct sink_ids {
    ad_seq_ranges seen;
    uint64_t no_id; /* records without a parsable record id */
    bool nomem;
    ad_seq_pending pending; /* the current request's */
} sink_ids;

static void sink_usage(FILE *out)
{
    fprintf(out,
            "usage: asimdns sink --listen URL [--format asim-json|otlp-json|count] [--out FILE] "
            "[--max-idle SECS]\n"
            "                    [--tls-cert PEM --tls-key PEM [--tls-client-ca PEM]]\n"
            "  URL: tcp://HOST:PORT, tls+tcp://HOST:PORT (needs --tls-cert/--tls-key) or "
            "ipc://PATH\n");
}

/* ---- ASIM JSON lines ------------------------------------------------------------------ */

typedef struct asim_ctx {
    FILE *out;
    char *line;
    long written;
    int failed;
} asim_ctx;

static void put_value(ad_strbuf *sb, const ad_otlp_value *v)
{
    switch (v->kind) {
    case AD_OTLP_STR:
        ad_strbuf_json_string(sb, v->str, v->len);
        break;
    case AD_OTLP_INT:
        ad_strbuf_i64(sb, v->i);
        break;
    case AD_OTLP_BOOL:
        ad_strbuf_puts(sb, v->i ? "true" : "false");
        break;
    case AD_OTLP_DOUBLE:
        if (isfinite(v->d))
            ad_strbuf_printf(sb, "%.17g", v->d);
        else
            ad_strbuf_puts(sb, "null");
        break;
    default:
        ad_strbuf_puts(sb, "null");
        break;
    }
}

static int asim_record(const ad_otlp_record *rec, void *arg)
{
    asim_ctx *c = arg;
    ad_strbuf sb;
    ad_strbuf_init(&sb, c->line, LINE_BYTES);
    ad_strbuf_putc(&sb, '{');
    for (size_t i = 0; i < rec->nattrs; i++) {
        if (i > 0)
            ad_strbuf_putc(&sb, ',');
        const char *key = rec->attrs[i].key ? rec->attrs[i].key : "";
        ad_strbuf_json_string(&sb, key, strlen(key));
        ad_strbuf_putc(&sb, ':');
        put_value(&sb, &rec->attrs[i].value);
    }
    ad_strbuf_puts(&sb, "}\n");
    if (fwrite(sb.data, 1, sb.len, c->out) != sb.len) {
        c->failed = 1;
        return 1;
    }
    c->written++;
    return 0;
}

long ad_sink_write_asim_json(ad_otlp_request *req, FILE *out)
{
    asim_ctx c = {.out = out, .line = malloc(LINE_BYTES)};
    if (c.line == NULL)
        return -1;
    (void)ad_otlp_request_foreach(req, asim_record, &c);
    free(c.line);
    return c.failed ? -1 : c.written;
}

/* ---- one request -------------------------------------------------------------------------- */

/*
 * --format count: a wire walk instead of a protobuf-c tree, so that the receiving side of a
 * benchmark costs little next to the exporter. The ids of a malformed request are not kept:
 * the request is answered with an error and its records count as not received.
 */
static void count_request(const void *data, size_t len, uint64_t *records, sink_ids *ids, char *why,
                          size_t whylen)
{
    ad_otlp_scan_counts c;
    ad_seq_pending_reset(&ids->pending);
    ad_err err = ad_otlp_scan_request(data, len, "asimdns.record_id", ad_seq_pending_collect,
                                      &ids->pending, &c);
    if (err != AD_OK) {
        snprintf(why, whylen, "malformed ExportLogsServiceRequest: %s", ad_strerror(err));
        return;
    }
    *records += c.records;
    ids->no_id += ids->pending.no_id;
    if (ad_seq_pending_commit(&ids->pending, &ids->seen) != AD_OK)
        ids->nomem = true;
}

/* Writes the request out; fills an error text for the reply when it cannot be decoded. */
static int handle_request(const sink_opts *o, FILE *out, const void *data, size_t len,
                          uint64_t *records, sink_ids *ids, char *why, size_t whylen)
{
    if (o->format == FORMAT_COUNT) {
        count_request(data, len, records, ids, why, whylen);
        return 0;
    }
    ad_otlp_request *req;
    ad_err err = ad_otlp_request_decode(data, len, &req);
    if (err != AD_OK) {
        snprintf(why, whylen, "cannot decode the ExportLogsServiceRequest: %s", ad_strerror(err));
        return 0;
    }
    int rc = 0;
    if (o->format == FORMAT_ASIM_JSON) {
        long n = ad_sink_write_asim_json(req, out);
        if (n < 0)
            rc = -1;
        else
            *records += (uint64_t)n;
    } else {
        size_t cap = len * JSON_FACTOR + 64 * 1024;
        for (;;) {
            char *buf = malloc(cap);
            if (buf == NULL) {
                rc = -1;
                break;
            }
            ad_strbuf sb;
            ad_strbuf_init(&sb, buf, cap);
            err = ad_otlp_json_write(ad_otlp_request_message(req), &sb);
            if (err == AD_EFULL && cap < ((size_t)1 << 30)) {
                free(buf);
                cap *= 2;
                continue;
            }
            if (err == AD_OK) {
                ad_strbuf_putc(&sb, '\n');
                if (fwrite(sb.data, 1, sb.len, out) != sb.len)
                    rc = -1;
                *records += ad_otlp_request_record_count(req);
            } else {
                snprintf(why, whylen, "cannot write the request as OTLP/JSON: %s",
                         ad_strerror(err));
            }
            free(buf);
            break;
        }
    }
    ad_otlp_request_free(req);
    if (rc == 0 && fflush(out) != 0)
        rc = -1;
    return rc;
}

/*
 * The completeness line of --format count: distinct sequence numbers, how many are missing
 * between the first and the last, duplicates (at-least-once resends), records without an id.
 * Scripts read "ids: N distinct" and "M missing".
 */
static void log_ids(const sink_ids *ids)
{
    const ad_seq_ranges *s = &ids->seen;
    ad_log_info("ids: %llu distinct, first %llu, last %llu, %llu missing, %zu ranges, "
                "%llu duplicates, %llu without id%s",
                (unsigned long long)s->distinct, (unsigned long long)(s->n ? s->r[0].lo : 0),
                (unsigned long long)(s->n ? s->r[s->n - 1].hi : 0),
                (unsigned long long)ad_seq_ranges_missing(s), s->n,
                (unsigned long long)s->duplicates, (unsigned long long)ids->no_id,
                ids->nomem ? " (out of memory: incomplete)" : "");
}

static int send_reply(nng_socket sock, const char *why)
{
    uint8_t buf[1024];
    size_t len = 0;
    if (ad_otlp_response_encode(0, why[0] ? why : NULL, buf, sizeof(buf), &len) != AD_OK)
        len = 0;
    return nng_send(sock, buf, len, 0);
}

/* ---- main --------------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, sink_opts *o)
{
    memset(o, 0, sizeof(*o));
    /* Every option takes a value: the loop steps over option and value together. */
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            sink_usage(stdout);
            return 1;
        }
        if (v == NULL) {
            fprintf(stderr, "asimdns sink: '%s' needs a value\n", a);
            return -1;
        }
        if (strcmp(a, "--listen") == 0) {
            o->listen = v;
        } else if (strcmp(a, "--out") == 0) {
            o->out_path = v;
        } else if (strcmp(a, "--format") == 0) {
            if (strcmp(v, "asim-json") == 0) {
                o->format = FORMAT_ASIM_JSON;
            } else if (strcmp(v, "otlp-json") == 0) {
                o->format = FORMAT_OTLP_JSON;
            } else if (strcmp(v, "count") == 0) {
                o->format = FORMAT_COUNT;
            } else {
                fprintf(stderr, "asimdns sink: unknown format '%s'\n", v);
                return -1;
            }
        } else if (strcmp(a, "--tls-cert") == 0) {
            o->tls_cert = v;
        } else if (strcmp(a, "--tls-key") == 0) {
            o->tls_key = v;
        } else if (strcmp(a, "--tls-client-ca") == 0) {
            o->tls_client_ca = v;
        } else if (strcmp(a, "--max-idle") == 0) {
            char *end;
            unsigned long long secs = strtoull(v, &end, 10);
            if (*end != '\0' || end == v) {
                fprintf(stderr, "asimdns sink: --max-idle needs whole seconds\n");
                return -1;
            }
            o->max_idle_ns = (uint64_t)secs * NS_PER_SEC;
        } else {
            fprintf(stderr, "asimdns sink: unknown option '%s'\n", a);
            return -1;
        }
    }
    if (o->listen == NULL) {
        fprintf(stderr, "asimdns sink: --listen URL is required\n");
        return -1;
    }
    bool tls = strncmp(o->listen, "tls+tcp://", 10) == 0;
    if (strncmp(o->listen, "tcp://", 6) != 0 && strncmp(o->listen, "ipc://", 6) != 0 && !tls) {
        fprintf(stderr, "asimdns sink: --listen takes tcp://, tls+tcp:// or ipc:// URLs\n");
        return -1;
    }
    if (tls != (o->tls_cert != NULL && o->tls_key != NULL) || (!tls && o->tls_client_ca != NULL) ||
        ((o->tls_cert == NULL) != (o->tls_key == NULL))) {
        fprintf(stderr, "asimdns sink: tls+tcp:// needs --tls-cert and --tls-key (and only it "
                        "takes them)\n");
        return -1;
    }
    return 0;
}

/* Listens on o->listen; for tls+tcp:// with the certificate and key (and client CA: mTLS). */
static int start_listener(nng_socket sock, const sink_opts *o)
{
    nng_listener l;
    nng_tls_config *tls = NULL;
    int rv = nng_listener_create(&l, sock, o->listen);
    if (rv != 0) {
        ad_log_error("cannot listen on %s: %s", o->listen, nng_strerror(rv));
        return rv;
    }
    if (o->tls_cert != NULL) {
        char perr[300] = "";
        size_t cert_len = 0, key_len = 0;
        char *cert = ad__read_pem(o->tls_cert, &cert_len, perr, sizeof(perr));
        char *key = cert ? ad__read_pem(o->tls_key, &key_len, perr, sizeof(perr)) : NULL;
        if (key == NULL) {
            ad_log_error("%s", perr);
            free(cert);
            return NNG_EINVAL;
        }
        rv = nng_tls_config_alloc(&tls, NNG_TLS_MODE_SERVER);
        if (rv == 0)
            rv = nng_tls_config_own_cert(tls, cert, key, NULL);
        if (rv == 0 && o->tls_client_ca != NULL) {
            rv = nng_tls_config_ca_file(tls, o->tls_client_ca);
            if (rv == 0)
                rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_REQUIRED);
        }
        if (rv == 0)
            rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, tls);
        memset(key, 0, key_len); /* a secret */
        free(cert);
        free(key);
        if (tls != NULL)
            nng_tls_config_free(tls); /* the listener holds its own reference */
        if (rv != 0) {
            ad_log_error("TLS for %s: %s", o->listen, nng_strerror(rv));
            return rv;
        }
    }
    if ((rv = nng_listener_start(l, 0)) != 0)
        ad_log_error("cannot listen on %s: %s", o->listen, nng_strerror(rv));
    return rv;
}

int ad_sink_main(int argc, char **argv)
{
    sink_opts o;
    int prc = parse_args(argc, argv, &o);
    if (prc != 0) {
        if (prc < 0)
            sink_usage(stderr);
        return prc < 0 ? 2 : 0;
    }
    ad_log_init("sink", AD_LOG_INFO, AD_LOG_TEXT);
    ad_stop_install();
    FILE *out = stdout;
    if (o.out_path != NULL && (out = fopen(o.out_path, "wb")) == NULL) {
        ad_log_error("cannot open '%s' for writing", o.out_path);
        return 1;
    }
    nng_socket sock;
    int rv = nng_rep0_open(&sock);
    if (rv == 0)
        rv = nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ, AD_SINK_RECV_MAX);
    if (rv == 0)
        rv = nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, RECV_SLICE_MS);
    if (rv != 0)
        ad_log_error("nng REP socket: %s", nng_strerror(rv));
    else
        rv = start_listener(sock, &o);
    if (rv != 0) {
        if (out != stdout)
            fclose(out);
        return 1;
    }
    ad_log_info("listening on %s", o.listen);

    uint64_t requests = 0, records = 0, undecodable = 0;
    sink_ids ids = {0};
    ad_seq_ranges_init(&ids.seen);
    uint64_t last = ad_time_mono_ns();
    int rc = 0;
    while (!ad_stop_requested()) {
        nng_msg *msg;
        rv = nng_recvmsg(sock, &msg, 0);
        if (rv == NNG_ETIMEDOUT) {
            if (o.max_idle_ns && ad_time_mono_ns() - last >= o.max_idle_ns) {
                ad_log_info("no requests for %llu s; exiting",
                            (unsigned long long)(o.max_idle_ns / NS_PER_SEC));
                break;
            }
            continue;
        }
        if (rv != 0) {
            if (rv == NNG_EINTR)
                continue;
            ad_log_error("receive: %s", nng_strerror(rv));
            rc = 1;
            break;
        }
        last = ad_time_mono_ns();
        requests++;
        char why[256] = "";
        int hrc = handle_request(&o, out, nng_msg_body(msg), nng_msg_len(msg), &records, &ids, why,
                                 sizeof(why));
        nng_msg_free(msg);
        if (hrc != 0) {
            /* No acknowledgement: what we could not write must be sent again. */
            ad_log_error("output failed; stopping without acknowledging");
            rc = 1;
            break;
        }
        if (why[0]) {
            undecodable++;
            ad_log_warn("request %llu: %s", (unsigned long long)requests, why);
        }
        if ((rv = send_reply(sock, why)) != 0)
            ad_log_warn("reply: %s", nng_strerror(rv));
    }
    ad_log_info("%llu requests, %llu records, %llu undecodable", (unsigned long long)requests,
                (unsigned long long)records, (unsigned long long)undecodable);
    if (o.format == FORMAT_COUNT)
        log_ids(&ids);
    ad_seq_ranges_free(&ids.seen);
    ad_seq_pending_free(&ids.pending);
    /* Output first: nng_close may hang under load (shutdown_watchdog.h), the file must not. */
    if (out != stdout ? fclose(out) != 0 : fflush(out) != 0)
        rc = 1;
    if (ad_shutdown_watchdog_arm("closing the REP socket", AD_SHUTDOWN_LIMIT_MS, rc) != 0)
        ad_log_warn("no shutdown watchdog: nng_close is not bounded");
    nng_close(sock);
    return rc;
}

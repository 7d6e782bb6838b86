/*
 * asimdns tests: a scriptable OTLP/HTTP logs receiver (nng HTTP server + protobuf-c decode)
 * for the delivery tests. It answers each POST with the next answer of a script, or with the
 * answer a control file names, and records what it accepted.
 *
 * usage: receiver [--listen URL] [--port-file FILE] [--script A,B,...] [--default A]
 *                 [--control FILE] [--ids FILE] [--records FILE] [--log FILE]
 *                 [--stall-ms MS] [--max-idle SECS]
 *
 *   --listen     http://127.0.0.1:PORT (default port 0: any free port, see --port-file)
 *   --port-file  the bound port is written here once listening
 *   --script     answers for the first requests, in order; then --default (default 200)
 *   --control    if this file exists and is not empty, its first word answers every request
 *                (overrides the script; lets a test change behaviour without a restart)
 *   --ids        every record of an accepted request (200, partial): its asimdns.record_id
 *   --ranges     at exit, one line: "distinct N missing M ranges R duplicates D noid X" over
 *                the sequence numbers of the record ids of accepted requests (cheap: benchmarks)
 *   --records    every record of an accepted request as an ASIM JSON line
 *   --log        one line per request: "N ANSWER RECORDS ENCODING CONTENT-TYPE PATH"
 *   --stall-ms   how long "stall" holds a request before dropping it (default 30000)
 *   --tls-cert, --tls-key  PEM files: serve https (the listen URL must be https://)
 *   --tls-client-ca        PEM CA: require a client certificate signed by it (mutual TLS)
 *
 * Answers: 200 | partial:N (200 with partial_success N rejected) | 400 (Status body) |
 * 429[:S] | 503[:S] (Retry-After S seconds) | 503date:S (Retry-After as HTTP-date, now + S) |
 * NNN (any status, Status body) | stall (no answer, then the connection drops) |
 * drop (the connection is closed without an answer).
 * Requests are checked with the wire walk of exporter/otlp_scan.h (malformed -> 400); only
 * --records, which needs every attribute, decodes them with protobuf-c.
 * Stops on SIGINT/SIGTERM or after --max-idle seconds without requests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>

#include "common/stop.h"
#include "common/timeutil.h"
#include "exporter/gzip.h"
#include "exporter/otlp_decode.h"
#include "exporter/otlp_scan.h"
#include "cli/sink.h"

#define MAX_SCRIPT 256
#define MAX_STALLED 64
#define BODY_MAX (64u * 1024u * 1024u)

typedef struct stalled {
    nng_aio *aio;
    nng_time until;
} stalled;

static struct {
    nng_mtx *mtx;
    char *script[MAX_SCRIPT];
    size_t script_len;
    size_t next;
    const char *dflt;
    const char *control;
    FILE *ids;
    FILE *records;
    const char *ranges_path;
    ad_seq_ranges ranges;
    uint64_t no_id;
    ad_seq_pending pending; /* one request's sequence numbers (kept only if it is accepted) */
    uint64_t nomem; /* accepted requests whose sequence numbers --ranges could not all keep */
    FILE *log;
    nng_duration stall_ms;
    stalled stalls[MAX_STALLED];
    uint64_t requests;
    nng_time last_request;
    uint8_t *unzip;
} rx;

/* Appends google.rpc.Status {code, message} (fields 1 and 2) to buf. */
static size_t encode_status(uint8_t *buf, size_t cap, int code, const char *msg)
{
    size_t n = 0, mlen = strlen(msg);
    if (cap < mlen + 16)
        return 0;
    buf[n++] = 0x08; /* field 1, varint */
    buf[n++] = (uint8_t)(code & 0x7f);
    buf[n++] = 0x12; /* field 2, length-delimited */
    buf[n++] = (uint8_t)mlen;
    memcpy(buf + n, msg, mlen);
    return n + mlen;
}

/* Scan callback for --ids (called once the request is known to be well-formed). */
static int write_id(const char *id, size_t len, void *arg)
{
    (void)arg;
    if (id != NULL)
        fprintf(rx.ids, "%.*s\n", (int)len, id);
    else
        fprintf(rx.ids, "missing\n");
    return 0;
}

/* The answer for this request (caller holds the lock). */
static const char *next_answer(char *buf, size_t cap)
{
    if (rx.control != NULL) {
        FILE *f = fopen(rx.control, "r");
        if (f != NULL) {
            int got = fscanf(f, "%63s", buf) == 1;
            fclose(f);
            (void)cap;
            if (got)
                return buf;
        }
    }
    if (rx.next < rx.script_len)
        return rx.script[rx.next++];
    return rx.dflt;
}

static void reply(nng_aio *aio, int status, const char *retry_after, const uint8_t *body,
                  size_t len)
{
    nng_http_res *res;
    if (nng_http_res_alloc(&res) != 0) {
        nng_aio_finish(aio, NNG_ENOMEM);
        return;
    }
    nng_http_res_set_status(res, (uint16_t)status);
    nng_http_res_set_header(res, "Content-Type", "application/x-protobuf");
    if (retry_after != NULL)
        nng_http_res_set_header(res, "Retry-After", retry_after);
    nng_http_res_copy_data(res, body, len);
    /*
     * nng leaves Content-Length out of an empty body; a keep-alive client (Node's http, so the
     * OpenTelemetry JS exporter) then waits for the connection to close to see the end of the
     * answer, and stalls. An explicit length ends every answer.
     */
    char clen[32];
    snprintf(clen, sizeof(clen), "%zu", len);
    nng_http_res_set_header(res, "Content-Length", clen);
    nng_aio_set_output(aio, 0, res);
    nng_aio_finish(aio, 0);
}

static void http_date(time_t when, char *buf, size_t cap)
{
    struct tm tmv;
#ifdef AD_PLATFORM_WINDOWS
    gmtime_s(&tmv, &when);
#else
    gmtime_r(&when, &tmv);
#endif
    strftime(buf, cap, "%a, %d %b %Y %H:%M:%S GMT", &tmv);
}

/* ---- chunked request bodies ---------------------------------------------------------------- */

/*
 * nng 1.5.2's HTTP server collects only Content-Length bodies: a chunked body (RFC 9112 §7.1)
 * is left on the connection, and would be read as the next request. Node's http client, which
 * the OpenTelemetry JS OTLP exporter uses, streams its body chunked, so the handler reads such a
 * body itself. Blocking reads are fine in a test receiver; requests are not pipelined by the
 * clients it serves (each waits for its answer), so nothing beyond the body is read.
 */
typedef struct chunk_rd {
    nng_http_conn *conn;
    nng_aio *aio;
    uint8_t buf[16384];
    size_t pos, end;
} chunk_rd;

static bool chunk_fill(chunk_rd *r)
{
    nng_iov iov = {.iov_buf = r->buf, .iov_len = sizeof(r->buf)};
    nng_aio_set_iov(r->aio, 1, &iov);
    nng_http_conn_read(r->conn, r->aio);
    nng_aio_wait(r->aio);
    if (nng_aio_result(r->aio) != 0 || nng_aio_count(r->aio) == 0)
        return false;
    r->pos = 0;
    r->end = nng_aio_count(r->aio);
    return true;
}

/* One CRLF-terminated line (without the CRLF); false on EOF, error or a line too long. */
static bool chunk_line(chunk_rd *r, char *line, size_t cap)
{
    size_t n = 0;
    for (;;) {
        if (r->pos == r->end && !chunk_fill(r))
            return false;
        char c = (char)r->buf[r->pos++];
        if (c == '\n') {
            if (n > 0 && line[n - 1] == '\r')
                n--;
            line[n] = '\0';
            return true;
        }
        if (n + 1 >= cap)
            return false;
        line[n++] = c;
    }
}

static bool chunk_bytes(chunk_rd *r, uint8_t *dst, size_t n)
{
    while (n > 0) {
        if (r->pos == r->end && !chunk_fill(r))
            return false;
        size_t k = r->end - r->pos < n ? r->end - r->pos : n;
        if (dst != NULL) {
            memcpy(dst, r->buf + r->pos, k);
            dst += k;
        }
        r->pos += k;
        n -= k;
    }
    return true;
}

/* Reads the chunked body of the request on conn into a heap buffer (*out, *len_out). */
static bool read_chunked(nng_http_conn *conn, uint8_t **out, size_t *len_out)
{
    chunk_rd *r = calloc(1, sizeof(*r));
    uint8_t *body = NULL;
    size_t len = 0, cap = 0;
    bool ok = false;
    char line[256];
    if (r == NULL || nng_aio_alloc(&r->aio, NULL, NULL) != 0)
        goto done;
    nng_aio_set_timeout(r->aio, 30000);
    r->conn = conn;
    for (;;) {
        if (!chunk_line(r, line, sizeof(line)))
            goto done;
        char *end;
        unsigned long long size = strtoull(line, &end, 16);
        if (end == line || (*end != '\0' && *end != ';' && *end != ' ') || size > BODY_MAX - len)
            goto done;
        if (size == 0)
            break;
        if (len + size > cap) {
            size_t ncap = cap ? cap : 1u << 20;
            while (ncap < len + size)
                ncap *= 2;
            uint8_t *nb = realloc(body, ncap);
            if (nb == NULL)
                goto done;
            body = nb;
            cap = ncap;
        }
        if (!chunk_bytes(r, body + len, (size_t)size) || !chunk_line(r, line, sizeof(line)) ||
            line[0] != '\0')
            goto done;
        len += (size_t)size;
    }
    /* Trailer fields, then the empty line that ends the message. */
    do {
        if (!chunk_line(r, line, sizeof(line)))
            goto done;
    } while (line[0] != '\0');
    ok = true;
done:
    if (r != NULL && r->aio != NULL)
        nng_aio_free(r->aio);
    free(r);
    if (!ok) {
        free(body);
        body = NULL;
        len = 0;
    }
    *out = body;
    *len_out = len;
    return ok;
}

static void handle(nng_aio *aio)
{
    nng_http_req *req = nng_aio_get_input(aio, 0);
    void *data = NULL;
    size_t len = 0;
    nng_http_req_get_data(req, &data, &len);
    const char *te = nng_http_req_get_header(req, "Transfer-Encoding");
    uint8_t *chunked = NULL;
    if (te != NULL && strstr(te, "chunked") != NULL && len == 0) { /* nng took no body */
        if (!read_chunked(nng_aio_get_input(aio, 2), &chunked, &len)) {
            free(chunked);
            nng_aio_finish(aio, NNG_ECONNRESET); /* unreadable framing: drop the connection */
            return;
        }
        data = chunked;
    }
    const char *enc = nng_http_req_get_header(req, "Content-Encoding");
    const char *ctype = nng_http_req_get_header(req, "Content-Type");

    nng_mtx_lock(rx.mtx);
    rx.requests++;
    rx.last_request = nng_clock();
    char abuf[64];
    const char *answer = next_answer(abuf, sizeof(abuf));
    uint64_t n = rx.requests;

    /* Decode every request (a decode failure is answered 400, as a Collector would). */
    const void *body = data;
    size_t blen = len;
    bool readable = true;
    long records = -1;
    ad_otlp_request *decoded = NULL;
    if (enc != NULL && strcmp(enc, "gzip") == 0) {
        readable = ad_gunzip(data, len, rx.unzip, BODY_MAX, &blen) == AD_OK;
        body = rx.unzip;
    }
    ad_seq_pending_reset(&rx.pending);
    ad_otlp_scan_counts counts;
    bool valid = readable &&
                 ad_otlp_scan_request(body, blen, "asimdns.record_id",
                                      rx.ranges_path != NULL ? ad_seq_pending_collect : NULL,
                                      &rx.pending, &counts) == AD_OK &&
                 !rx.pending.nomem; /* ids that could not be kept: refuse, the client resends */
    if (valid) {
        records = (long)counts.records;
        if (rx.records != NULL && ad_otlp_request_decode(body, blen, &decoded) != AD_OK)
            valid = false;
    }
    if (!valid && strcmp(answer, "stall") != 0 && strcmp(answer, "drop") != 0)
        answer = "400";

    if (rx.log != NULL) {
        fprintf(rx.log, "%llu %s %ld %s %s %s\n", (unsigned long long)n, answer, records,
                enc ? enc : "identity", ctype ? ctype : "-", nng_http_req_get_uri(req));
        fflush(rx.log);
    }

    int accepted = strcmp(answer, "200") == 0 || strncmp(answer, "partial:", 8) == 0;
    if (accepted && valid) {
        if (rx.ids != NULL) {
            ad_otlp_scan_request(body, blen, "asimdns.record_id", write_id, NULL, NULL);
            fflush(rx.ids);
        }
        if (ad_seq_pending_commit(&rx.pending, &rx.ranges) != AD_OK)
            rx.nomem++;
        rx.no_id += rx.pending.no_id;
    }
    if (accepted && decoded != NULL) {
        if (rx.records != NULL) {
            ad_sink_write_asim_json(decoded, rx.records);
            fflush(rx.records);
        }
    }
    ad_otlp_request_free(decoded);
    free(chunked); /* body and the ids walk are done with it */

    uint8_t out[512];
    size_t olen = 0;
    if (strcmp(answer, "stall") == 0) {
        for (size_t i = 0; i < MAX_STALLED; i++) {
            if (rx.stalls[i].aio == NULL) {
                rx.stalls[i].aio = aio;
                rx.stalls[i].until = nng_clock() + (nng_time)rx.stall_ms;
                nng_mtx_unlock(rx.mtx);
                return;
            }
        }
        nng_mtx_unlock(rx.mtx);
        nng_aio_finish(aio, NNG_ECONNRESET);
        return;
    }
    nng_mtx_unlock(rx.mtx);

    if (strcmp(answer, "drop") == 0) {
        nng_aio_finish(aio, NNG_ECONNRESET); /* the server closes the connection */
    } else if (strcmp(answer, "200") == 0) {
        reply(aio, 200, NULL, NULL, 0);
    } else if (strncmp(answer, "partial:", 8) == 0) {
        ad_otlp_response_encode(atoll(answer + 8), "test partial rejection", out, sizeof(out),
                                &olen);
        reply(aio, 200, NULL, out, olen);
    } else if (strncmp(answer, "503date:", 8) == 0) {
        char date[64];
        http_date(time(NULL) + atoi(answer + 8), date, sizeof(date));
        olen = encode_status(out, sizeof(out), 14, "test unavailable");
        reply(aio, 503, date, out, olen);
    } else {
        int status = atoi(answer);
        const char *colon = strchr(answer, ':');
        char msg[64];
        snprintf(msg, sizeof(msg), "test status %d", status);
        olen = encode_status(out, sizeof(out), status == 400 ? 3 : 14, msg);
        reply(aio, status > 0 ? status : 500, colon ? colon + 1 : NULL, out, olen);
    }
}

/* A whole PEM file as a string (heap). */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "receiver: cannot open %s\n", path);
        exit(2);
    }
    char *buf = calloc(1, 1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "receiver: cannot read %s\n", path);
        exit(2);
    }
    return buf;
}

static int setup_tls(nng_http_server *srv, const char *cert, const char *key, const char *ca)
{
    nng_tls_config *tls;
    int rv = nng_tls_config_alloc(&tls, NNG_TLS_MODE_SERVER);
    if (rv != 0)
        return rv;
    char *c = read_file(cert), *k = read_file(key);
    rv = nng_tls_config_own_cert(tls, c, k, NULL);
    free(c);
    free(k);
    if (rv == 0 && ca != NULL) {
        rv = nng_tls_config_ca_file(tls, ca);
        if (rv == 0)
            rv = nng_tls_config_auth_mode(tls, NNG_TLS_AUTH_MODE_REQUIRED);
    }
    if (rv == 0)
        rv = nng_http_server_set_tls(srv, tls);
    nng_tls_config_free(tls);
    return rv;
}

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        fprintf(stderr, "receiver: cannot open %s\n", path);
        exit(2);
    }
    return f;
}

static void release_stalls(bool all)
{
    nng_time now = nng_clock();
    for (;;) {
        nng_aio *aio = NULL;
        nng_mtx_lock(rx.mtx);
        for (size_t i = 0; i < MAX_STALLED && aio == NULL; i++) {
            if (rx.stalls[i].aio != NULL && (all || now >= rx.stalls[i].until)) {
                aio = rx.stalls[i].aio;
                rx.stalls[i].aio = NULL;
            }
        }
        nng_mtx_unlock(rx.mtx);
        if (aio == NULL)
            return;
        nng_aio_finish(aio, NNG_ECONNRESET);
    }
}

int main(int argc, char **argv)
{
    const char *listen = "http://127.0.0.1:0";
    const char *port_file = NULL;
    char *script = NULL;
    uint64_t max_idle_ms = 0;
    const char *tls_cert = NULL, *tls_key = NULL, *tls_ca = NULL;
    rx.dflt = "200";
    rx.stall_ms = 30000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--listen") == 0)
            listen = v;
        else if (strcmp(a, "--port-file") == 0)
            port_file = v;
        else if (strcmp(a, "--script") == 0)
            script = strdup(v);
        else if (strcmp(a, "--default") == 0)
            rx.dflt = v;
        else if (strcmp(a, "--control") == 0)
            rx.control = v;
        else if (strcmp(a, "--ids") == 0)
            rx.ids = open_out(v);
        else if (strcmp(a, "--ranges") == 0)
            rx.ranges_path = v;
        else if (strcmp(a, "--records") == 0)
            rx.records = open_out(v);
        else if (strcmp(a, "--log") == 0)
            rx.log = open_out(v);
        else if (strcmp(a, "--stall-ms") == 0)
            rx.stall_ms = atoi(v);
        else if (strcmp(a, "--tls-cert") == 0)
            tls_cert = v;
        else if (strcmp(a, "--tls-key") == 0)
            tls_key = v;
        else if (strcmp(a, "--tls-client-ca") == 0)
            tls_ca = v;
        else if (strcmp(a, "--max-idle") == 0)
            max_idle_ms = strtoull(v, NULL, 10) * 1000;
        else {
            fprintf(stderr, "receiver: unknown option %s\n", a);
            return 2;
        }
    }
    if (script != NULL) {
        for (char *tok = strtok(script, ","); tok && rx.script_len < MAX_SCRIPT;
             tok = strtok(NULL, ","))
            rx.script[rx.script_len++] = tok;
    }
    rx.unzip = malloc(BODY_MAX);
    if (rx.unzip == NULL || nng_mtx_alloc(&rx.mtx) != 0)
        return 1;
    ad_stop_install();

    nng_url *url;
    nng_http_server *srv;
    nng_http_handler *h;
    int rv;
    if ((rv = nng_url_parse(&url, listen)) != 0 || (rv = nng_http_server_hold(&srv, url)) != 0 ||
        (tls_cert != NULL && (rv = setup_tls(srv, tls_cert, tls_key, tls_ca)) != 0) ||
        (rv = nng_http_handler_alloc(&h, "/", handle)) != 0 ||
        (rv = nng_http_handler_set_method(h, "POST")) != 0 ||
        (rv = nng_http_handler_set_tree(h)) != 0 ||
        (rv = nng_http_handler_collect_body(h, true, BODY_MAX)) != 0 ||
        (rv = nng_http_server_add_handler(srv, h)) != 0 || (rv = nng_http_server_start(srv)) != 0) {
        fprintf(stderr, "receiver: %s: %s\n", listen, nng_strerror(rv));
        return 1;
    }
    nng_sockaddr sa;
    if (port_file != NULL && nng_http_server_get_addr(srv, &sa) == 0) {
        char tmp[4096];
        snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (f == NULL)
            return 1;
        const uint8_t *pb = (const uint8_t *)&sa.s_in.sa_port; /* network byte order */
        fprintf(f, "%u\n", (unsigned)(pb[0] << 8 | pb[1]));
        fclose(f);
        rename(tmp, port_file);
    }
    rx.last_request = nng_clock();
    while (!ad_stop_requested()) {
        nng_msleep(20);
        release_stalls(false);
        nng_mtx_lock(rx.mtx);
        bool idle = max_idle_ms && nng_clock() - rx.last_request >= max_idle_ms;
        nng_mtx_unlock(rx.mtx);
        if (idle)
            break;
    }
    release_stalls(true);
    nng_http_server_stop(srv);
    nng_http_server_release(srv);
    nng_url_free(url);
    fprintf(stderr, "receiver: %llu requests\n", (unsigned long long)rx.requests);
    if (rx.ranges_path != NULL) {
        FILE *f = fopen(rx.ranges_path, "w");
        if (f != NULL) {
            fprintf(f, "distinct %llu missing %llu ranges %zu duplicates %llu noid %llu\n",
                    (unsigned long long)rx.ranges.distinct,
                    (unsigned long long)ad_seq_ranges_missing(&rx.ranges), rx.ranges.n,
                    (unsigned long long)rx.ranges.duplicates, (unsigned long long)rx.no_id);
            fclose(f);
        }
        if (rx.nomem != 0)
            fprintf(stderr, "receiver: --ranges incomplete: out of memory in %llu requests\n",
                    (unsigned long long)rx.nomem);
    }
    ad_seq_ranges_free(&rx.ranges);
    ad_seq_pending_free(&rx.pending);
    if (rx.ids)
        fclose(rx.ids);
    if (rx.records)
        fclose(rx.records);
    if (rx.log)
        fclose(rx.log);
    free(rx.unzip);
    free(script);
    nng_mtx_free(rx.mtx);
    return 0;
}

/*
 * asimdns-exporter: Microsoft Sentinel / Azure Monitor Logs Ingestion API transport
 * (docs/SENTINEL.md §1-§2).
 *
 * A batch arrives as ASimDnsActivityLogs rows, one JSON object per line (asim_rows.h). It is
 * packed into JSON arrays of at most logs_ingestion.max_request_bytes *uncompressed* (the
 * service's 1 MB limit counts both sizes), each gzipped (default) and sent as
 *   POST {endpoint}/dataCollectionRules/{dcr_immutable_id}/streams/{stream}?api-version=2023-01-01
 * with Authorization: Bearer (exporter/azure_auth.h). After a 413 the transport keeps the
 * halved part size for later batches too, doubling it again after LIMIT_REGROW_PARTS parts
 * went through. Answers:
 *   2xx          the part is in; the next one goes
 *   401          the token is dropped, a new one fetched and the part sent once more
 *   413          the part is split in halves (li_splits_413) and sent again; a single row
 *                the service still refuses is rejected
 *   429, 503     throttled (li_throttled): the batch is retried after Retry-After
 *   5xx, no answer  retried with backoff
 *   403, other 4xx  the part is rejected (li_requests_rejected, its rows records_rejected),
 *                the service's message logged by the pipeline; 403 also counts
 *                li_auth_failures (the identity lacks Monitoring Metrics Publisher on the DCR)
 * A retried batch resumes after the parts already acknowledged (the pipeline gives every
 * batch its own batch_id), so a retry re-sends only what was not acknowledged: duplicates
 * arise only when an answer was lost after the service took a part. The pipeline commits the
 * ring cursor only when send() reports the whole batch settled (at-least-once).
 */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "exporter/azure_auth.h"
#include "exporter/gzip.h"
#include "exporter/http_call.h"
#include "exporter/json_flat.h"
#include "exporter/li_pack.h"
#include "exporter/retry.h"
#include "exporter/secret_mem.h"
#include "exporter/transport.h"

#define API_VERSION "2023-01-01"
/* Parts accepted in a row at a lowered size before the size is doubled again. */
#define LIMIT_REGROW_PARTS 64

typedef struct li_transport {
    ad_xport base;
    const ad_config_logs_ingestion *li;
    ad_http_call *http;
    ad_azure_auth *auth; /* shared by the lanes of one exporter (ad_xport_create_lanes) */
    char *bearer;        /* this transport's copy of the token (secret memory) */
    ad_gzip *gz;         /* NULL = compression none */
    char target[AD_CONFIG_URL_MAX + 512];
    size_t max_req;
    size_t limit;     /* parts of several rows: max_req, halved after each 413 */
    unsigned ok_runs; /* parts accepted since the limit was last changed */
    char *body;       /* the JSON array of one request */
    size_t body_cap;
    uint8_t *zbuf;
    size_t zcap;
    /* Progress of the batch being delivered (resumed when the same batch_id comes back). */
    uint64_t resume_batch;
    size_t resume_off;
    uint64_t resume_rejected;
} li_transport;

typedef enum part_outcome { PART_OK, PART_SPLIT, PART_REJECT, PART_RETRY } part_outcome;

static void set_message(ad_send_result *res, const char *text)
{
    ad_send_result_message(res, text, strlen(text));
}

/* "HTTP 400: <code>: <message>" from the service's {"error":{"code","message"}} body. */
static void service_message(li_transport *l, int code, const char *hint, ad_send_result *res)
{
    size_t blen;
    const char *body = ad_http_call_body(l->http, &blen);
    const char *ec = NULL, *em = NULL;
    size_t ecl = 0, eml = 0;
    if (!ad_json_flat_get_path(body, blen, "error.code", &ec, &ecl))
        ec = NULL;
    if (!ad_json_flat_get_path(body, blen, "error.message", &em, &eml))
        em = NULL;
    char text[AD_SEND_MESSAGE_MAX];
    snprintf(text, sizeof(text), "HTTP %d%s%.*s%s%.*s%s", code, ec ? ": " : "",
             ec ? (int)(ecl > 64 ? 64 : ecl) : 0, ec ? ec : "", em ? ": " : "",
             em ? (int)(eml > 300 ? 300 : eml) : 0, em ? em : "", hint);
    set_message(res, text);
}

/* One POST of body[blen] (a JSON array): compress, authorize, send, sort the answer. */
static part_outcome post_part(li_transport *l, size_t blen, ad_send_result *res)
{
    ad_xport *t = &l->base;
    const uint8_t *payload = (const uint8_t *)l->body;
    size_t plen = blen;
    if (l->gz != NULL) {
        size_t need = ad_gzip_bound(blen);
        if (need > l->zcap) {
            uint8_t *z = realloc(l->zbuf, need);
            if (z == NULL) {
                set_message(res, "out of memory compressing a request");
                return PART_RETRY;
            }
            l->zbuf = z;
            l->zcap = need;
        }
        if (ad_xport_gzip(t, l->gz, l->body, blen, l->zbuf, l->zcap, &plen) != AD_OK) {
            set_message(res, "gzip failed");
            return PART_RETRY;
        }
        payload = l->zbuf;
        if (plen > l->max_req)
            return PART_SPLIT; /* the limit counts the compressed size too */
    }
    uint64_t refused = 0; /* the token the service refused (401), 0 = none */
    for (int attempt = 0; attempt < 2; attempt++) {
        char why[AD_SEND_MESSAGE_MAX];
        uint64_t gen;
        if (!ad_azure_auth_bearer(l->auth, t, refused, l->bearer, AD_AZURE_BEARER_MAX, &gen, why,
                                  sizeof(why))) {
            set_message(res, why);
            return PART_RETRY;
        }
        ad_http_header hdr[3] = {{"Content-Type", "application/json"},
                                 {"Authorization", l->bearer},
                                 {"Content-Encoding", "gzip"}};
        int code = 0;
        char err[256];
        ad_xport_count(t, AD_EXP_LI_REQUESTS, 1);
        ad_xport_count(t, AD_EXP_LI_BYTES_UNCOMPRESSED, blen);
        ad_xport_count(t, AD_EXP_LI_BYTES_COMPRESSED, plen);
        res->wire_bytes += plen;
        int rv = ad_http_call_do(l->http, "POST", l->target, hdr, l->gz ? 3 : 2, payload, plen,
                                 &code, err, sizeof(err));
        if (rv != 0) {
            set_message(res, err);
            return PART_RETRY;
        }
        res->code = code;
        if (code >= 200 && code < 300)
            return PART_OK;
        if (code == 401 && attempt == 0) {
            refused = gen; /* expired or revoked: a newer one, fetched if no lane has yet */
            continue;
        }
        if (code == 401) {
            ad_xport_count(t, AD_EXP_LI_AUTH_FAILURES, 1);
            service_message(l, code, " (a new token was refused too)", res);
            return PART_RETRY;
        }
        if (code == 413)
            return PART_SPLIT;
        if (code == 429 || code == 503) {
            ad_xport_count(t, AD_EXP_LI_THROTTLED, 1);
            const char *ra = ad_http_call_header(l->http, "Retry-After");
            uint64_t delay;
            if (ra != NULL &&
                ad_retry_after_parse(ra, ad_time_now_ns() / 1000000u, &delay) == AD_OK)
                res->retry_after_ms = delay;
            service_message(l, code, "", res);
            return PART_RETRY;
        }
        if (code >= 500 || code == 408) {
            service_message(l, code, "", res);
            return PART_RETRY;
        }
        if (code == 403) {
            ad_xport_count(t, AD_EXP_LI_AUTH_FAILURES, 1);
            service_message(
                l, code, " (does the identity have Monitoring Metrics Publisher on the DCR?)", res);
        } else {
            service_message(l, code, "", res);
        }
        ad_xport_count(t, AD_EXP_LI_REQUESTS_REJECTED, 1);
        return PART_REJECT;
    }
    return PART_RETRY; /* not reached */
}

static ad_err li_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    li_transport *l = (li_transport *)t;
    bool resume = t->batch_id != 0 && t->batch_id == l->resume_batch;
    size_t off = resume ? l->resume_off : 0;
    uint64_t rejected = resume ? l->resume_rejected : 0;
    uint64_t total = 0;
    for (size_t i = 0; i < len;) {
        size_t rl = ad_li_row_len(data, len, i);
        total += rl > 0;
        i += rl + 1;
    }
    char reject_msg[AD_SEND_MESSAGE_MAX] = "";
    int reject_code = 0;
    while (off < len) {
        size_t end;
        uint32_t rows;
        size_t blen = ad_li_pack(data, len, off, l->limit, l->max_req, l->body, &end, &rows);
        if (blen == 0) {
            if (end >= len)
                break; /* only empty lines were left */
            /* One row alone exceeds the request limit: it can never be sent. */
            size_t rl = ad_li_row_len(data, len, off);
            rejected++;
            ad_xport_count(t, AD_EXP_LI_REQUESTS_REJECTED, 1);
            snprintf(reject_msg, sizeof(reject_msg),
                     "a row of %zu bytes exceeds logs_ingestion.max_request_bytes (%zu); dropped",
                     rl, l->max_req);
            off += rl + 1;
            continue;
        }
        switch (post_part(l, blen, res)) {
        case PART_OK:
            off = end;
            /* Grow back slowly, so one odd 413 does not shrink requests for good (the service
               allows 12,000 requests a minute per DCR). */
            if (l->limit < l->max_req && ++l->ok_runs >= LIMIT_REGROW_PARTS) {
                l->limit = l->limit * 2 < l->max_req ? l->limit * 2 : l->max_req;
                l->ok_runs = 0;
            }
            continue;
        case PART_SPLIT:
            ad_xport_count(t, AD_EXP_LI_SPLITS_413, 1);
            if (rows > 1) {
                /* The service's limit is below ours: later parts keep the halved size. */
                l->limit = blen / 2 + 1;
                l->ok_runs = 0;
                ad_log_warn("logs_ingestion: HTTP 413 for %u rows in %zu bytes; parts now up to "
                            "%zu bytes",
                            rows, blen, l->limit);
                continue;
            }
            rejected++;
            ad_xport_count(t, AD_EXP_LI_REQUESTS_REJECTED, 1);
            snprintf(reject_msg, sizeof(reject_msg),
                     "HTTP 413 for a single row of %zu bytes; dropped", blen);
            reject_code = 413;
            off = end;
            continue;
        case PART_REJECT:
            rejected += rows;
            snprintf(reject_msg, sizeof(reject_msg), "%s", res->message);
            reject_code = res->code;
            off = end;
            continue;
        case PART_RETRY:
            l->resume_batch = t->batch_id;
            l->resume_off = off;
            l->resume_rejected = rejected;
            res->status = AD_SEND_RETRY;
            return AD_OK;
        }
    }
    l->resume_batch = 0;
    l->resume_off = 0;
    l->resume_rejected = 0;
    if (rejected > 0 && rejected >= total) {
        res->status = AD_SEND_REJECT;
        res->code = reject_code;
    } else {
        res->status = AD_SEND_OK;
        res->rejected = rejected;
    }
    if (rejected > 0)
        set_message(res, reject_msg);
    else
        res->message[0] = '\0';
    return AD_OK;
}

static void li_destroy(ad_xport *t)
{
    li_transport *l = (li_transport *)t;
    ad_azure_auth_destroy(l->auth);
    ad_secret_free(l->bearer, AD_AZURE_BEARER_MAX);
    ad_http_call_destroy(l->http);
    ad_gzip_destroy(l->gz);
    free(l->body);
    free(l->zbuf);
    free(l);
}

/* The lanes of one exporter share the first one's token cache: one token, one fetch at once. */
static void li_share(ad_xport *t, ad_xport *first)
{
    li_transport *l = (li_transport *)t;
    ad_azure_auth_destroy(l->auth);
    l->auth = ad_azure_auth_share(((li_transport *)first)->auth);
}

static const ad_xport_ops li_ops = {
    .name = "logs_ingestion",
    .send = li_send,
    .destroy = li_destroy,
    .share = li_share,
};

ad_err ad_xport_logs_ingestion_create(const ad_exporter_config *cfg, ad_xport **out, char *err,
                                      size_t errlen)
{
    const ad_config_logs_ingestion *li = &cfg->logs_ingestion;
    li_transport *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return AD_ENOMEM;
    l->base.ops = &li_ops;
    l->base.payload = AD_PAYLOAD_ASIM_ROWS;
    l->li = li;
    l->max_req = li->max_request_bytes ? (size_t)li->max_request_bytes : 1000000u;
    l->limit = l->max_req;
    l->body_cap = l->max_req + 2;
    l->body = malloc(l->body_cap);
    l->bearer = ad_secret_alloc(AD_AZURE_BEARER_MAX);
    if (l->body == NULL || l->bearer == NULL) {
        li_destroy(&l->base);
        return AD_ENOMEM;
    }
    /* The endpoint's own path (if any) comes first. */
    const char *p = strstr(li->endpoint, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    size_t pl = p ? strlen(p) : 0;
    while (pl > 0 && p[pl - 1] == '/')
        pl--;
    snprintf(l->target, sizeof(l->target),
             "%.*s/dataCollectionRules/%s/streams/%s?api-version=" API_VERSION, (int)pl, p ? p : "",
             li->dcr_immutable_id, li->stream);
    ad_err rc = ad_http_call_create(li->endpoint, &li->tls, "logs_ingestion.tls", li->timeout_ms,
                                    &l->base, &l->http, err, errlen);
    if (rc == AD_OK)
        rc = ad_azure_auth_create(li, &l->base, &l->auth, err, errlen);
    if (rc == AD_OK && li->compression == AD_COMPRESSION_GZIP)
        rc = ad_gzip_create(-1, &l->gz);
    if (rc != AD_OK) {
        li_destroy(&l->base);
        return rc;
    }
    ad_azure_auth_info info;
    ad_azure_auth_describe(l->auth, &info);
    ad_log_info("logs_ingestion: %s%s (stream %s), tokens: %s from %s (scope %s)", li->endpoint,
                l->target, li->stream, info.method, info.token_url, info.scope);
    *out = &l->base;
    return AD_OK;
}

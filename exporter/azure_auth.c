/* asimdns-exporter: Microsoft Entra token client (azure_auth.h). */
#include "exporter/azure_auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nng/nng.h>
#include <nng/supplemental/util/platform.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "exporter/azure_jwt.h"
#include "exporter/http_call.h"
#include "exporter/json_flat.h"
#include "exporter/secret_mem.h"

#define SECRET_MAX 4096
#define ARC_FILE_MAX 4096 /* the Azure SDKs refuse larger challenge files */
#define BEARER_MAX AD_AZURE_BEARER_MAX
#define BACKOFF_FIRST_MS 1000u
#define BACKOFF_MAX_MS 60000u
#define MS 1000000ULL

#ifdef _WIN32
#define DEFAULT_ARC_DIR "C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens"
#define ARC_AGENT_FILE "C:\\Program Files\\AzureConnectedMachineAgent\\himds.exe"
#else
#define DEFAULT_ARC_DIR "/var/opt/azcmagent/tokens"
#define ARC_AGENT_FILE "/opt/azcmagent/bin/himds"
#endif
#define IMDS_URL "http://169.254.169.254/metadata/identity/oauth2/token"
#define ARC_URL "http://127.0.0.1:40342/metadata/identity/oauth2/token"

/* Authority and Azure Monitor resource per cloud (docs/SENTINEL.md §3). */
static const struct {
    const char *authority;
    const char *resource;
} clouds[] = {
    [AD_AZ_CLOUD_PUBLIC] = {"https://login.microsoftonline.com", "https://monitor.azure.com"},
    [AD_AZ_CLOUD_USGOV] = {"https://login.microsoftonline.us", "https://monitor.azure.us"},
    [AD_AZ_CLOUD_CHINA] = {"https://login.chinacloudapi.cn", "https://monitor.azure.cn"},
};

typedef enum source { SRC_SECRET, SRC_CERT, SRC_IMDS, SRC_ARC } source;

struct ad_azure_auth {
    const ad_config_logs_ingestion *li;
    source src;
    ad_http_call *http;
    char url[AD_CONFIG_URL_MAX + 256]; /* token URL (no secrets) */
    char target[3 * AD_CONFIG_URL_MAX];
    char scope[AD_CONFIG_URL_MAX];    /* client credentials scope */
    char resource[AD_CONFIG_URL_MAX]; /* managed identity resource */
    char arc_dir[AD_CONFIG_PATH_MAX];
    char *secret; /* client secret, wiped at destroy */
    size_t secret_len;
    ad_azure_jwt *jwt;
    char *fresh; /* the fetcher's new "Bearer <token>" before it is published; wiped */
    /* Guarded by mtx (the users of a shared cache send on threads of their own). */
    nng_mtx *mtx;
    nng_cv *fetched; /* a fetch ended */
    unsigned users;
    bool fetching; /* one user fetches (outside mtx, with http and fresh to itself) */
    char *bearer;  /* "Bearer <token>", wiped at destroy */
    uint64_t gen;  /* numbers the tokens fetched; 0 = none yet */
    uint64_t expires_mono_ns;
    uint64_t renew_mono_ns;
    uint64_t next_try_mono_ns;
    uint32_t backoff_ms;
};

void ad_azure_auth_destroy(ad_azure_auth *a)
{
    if (a == NULL)
        return;
    if (a->mtx != NULL) {
        nng_mtx_lock(a->mtx);
        unsigned left = --a->users;
        nng_mtx_unlock(a->mtx);
        if (left > 0)
            return;
    }
    ad_http_call_destroy(a->http);
    ad_azure_jwt_destroy(a->jwt);
    ad_secret_free(a->secret, SECRET_MAX + 1);
    ad_secret_free(a->bearer, BEARER_MAX);
    ad_secret_free(a->fresh, BEARER_MAX);
    if (a->fetched != NULL)
        nng_cv_free(a->fetched);
    if (a->mtx != NULL)
        nng_mtx_free(a->mtx);
    free(a);
}

ad_azure_auth *ad_azure_auth_share(ad_azure_auth *a)
{
    nng_mtx_lock(a->mtx);
    a->users++;
    nng_mtx_unlock(a->mtx);
    return a;
}

/* The client secret from its file (trailing white space dropped) or environment variable. */
static ad_err read_secret(ad_azure_auth *a, const ad_config_azure_auth *c, char *err, size_t errlen)
{
    a->secret = ad_secret_alloc(SECRET_MAX + 1);
    if (a->secret == NULL)
        return AD_ENOMEM;
    size_t n = 0;
    if (c->client_secret_file[0]) {
        FILE *f = fopen(c->client_secret_file, "rb");
        if (f == NULL) {
            snprintf(err, errlen, "logs_ingestion.auth.client_secret_file '%s': cannot open",
                     c->client_secret_file);
            return AD_EIO;
        }
        n = fread(a->secret, 1, SECRET_MAX + 1, f);
        fclose(f);
        if (n > SECRET_MAX) {
            snprintf(err, errlen, "logs_ingestion.auth.client_secret_file '%s': over %u bytes",
                     c->client_secret_file, SECRET_MAX);
            return AD_ERANGE;
        }
    } else {
        const char *v = getenv(c->client_secret_env);
        n = v ? strlen(v) : 0;
        if (n > SECRET_MAX) {
            snprintf(err, errlen, "%s: the client secret is over %u bytes", c->client_secret_env,
                     SECRET_MAX);
            return AD_ERANGE;
        }
        if (n > 0)
            memcpy(a->secret, v, n);
    }
    while (n > 0 && (a->secret[n - 1] == '\n' || a->secret[n - 1] == '\r' ||
                     a->secret[n - 1] == ' ' || a->secret[n - 1] == '\t'))
        a->secret[--n] = '\0';
    a->secret_len = n;
    if (n == 0) {
        snprintf(err, errlen, "%s%s: the client secret is empty",
                 c->client_secret_file[0] ? "logs_ingestion.auth.client_secret_file " : "",
                 c->client_secret_file[0] ? c->client_secret_file : c->client_secret_env);
        return AD_EINVAL;
    }
    return AD_OK;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* application/x-www-form-urlencoded value. */
static bool form_append(char *out, size_t cap, size_t *len, const char *name, const char *v,
                        size_t vlen)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = *len;
    if (o > 0) {
        if (o + 1 >= cap)
            return false;
        out[o++] = '&';
    }
    size_t nl = strlen(name);
    if (o + nl + 1 >= cap)
        return false;
    memcpy(out + o, name, nl);
    o += nl;
    out[o++] = '=';
    for (size_t i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)v[i];
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        if (o + 4 >= cap)
            return false;
        if (plain) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    *len = o;
    return true;
}

static bool form_add(char *out, size_t cap, size_t *len, const char *name, const char *v)
{
    return form_append(out, cap, len, name, v, strlen(v));
}

/* Splits url into the server part (kept in a->url) and the request target (a->target). */
static void split_target(ad_azure_auth *a, const char *url, const char *query)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    snprintf(a->url, sizeof(a->url), "%s", url);
    snprintf(a->target, sizeof(a->target), "%s%s%s", p ? p : "/", query[0] ? "?" : "", query);
}

ad_err ad_azure_auth_create(const ad_config_logs_ingestion *li, ad_xport *owner,
                            ad_azure_auth **out, char *err, size_t errlen)
{
    const ad_config_azure_auth *c = &li->auth;
    ad_azure_auth *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return AD_ENOMEM;
    a->users = 1;
    a->li = li;
    a->bearer = ad_secret_alloc(BEARER_MAX);
    a->fresh = ad_secret_alloc(BEARER_MAX);
    if (a->bearer == NULL || a->fresh == NULL || nng_mtx_alloc(&a->mtx) != 0 ||
        nng_cv_alloc(&a->fetched, a->mtx) != 0) {
        ad_azure_auth_destroy(a);
        return AD_ENOMEM;
    }
    unsigned cloud = (unsigned)c->cloud <= AD_AZ_CLOUD_CHINA ? (unsigned)c->cloud : 0;
    snprintf(a->resource, sizeof(a->resource), "%s", clouds[cloud].resource);
    if (c->scope[0])
        snprintf(a->scope, sizeof(a->scope), "%s", c->scope);
    else /* "https://monitor.azure.com//.default": the resource ends without a slash */
        snprintf(a->scope, sizeof(a->scope), "%s//.default", clouds[cloud].resource);
    snprintf(a->arc_dir, sizeof(a->arc_dir), "%s",
             c->arc_token_dir[0] ? c->arc_token_dir : DEFAULT_ARC_DIR);
    ad_err rc = AD_OK;
    const char *url;
    char tokurl[AD_CONFIG_URL_MAX + 160];
    char query[AD_CONFIG_URL_MAX + 256] = "";
    size_t ql = 0;
    switch (c->method) {
    case AD_AZ_AUTH_CLIENT_SECRET:
    case AD_AZ_AUTH_CLIENT_CERTIFICATE: {
        const char *authority = c->authority_host[0] ? c->authority_host : clouds[cloud].authority;
        size_t al = strlen(authority);
        while (al > 0 && authority[al - 1] == '/')
            al--;
        snprintf(tokurl, sizeof(tokurl), "%.*s/%s/oauth2/v2.0/token", (int)al, authority,
                 c->tenant_id);
        url = tokurl;
        if (c->method == AD_AZ_AUTH_CLIENT_SECRET) {
            a->src = SRC_SECRET;
            rc = read_secret(a, c, err, errlen);
        } else {
            a->src = SRC_CERT;
            rc = ad_azure_jwt_create(c->certificate_file, c->key_file, &a->jwt, err, errlen);
        }
        break;
    }
    case AD_AZ_AUTH_MANAGED_IDENTITY:
    default: {
        const char *env_ep = getenv("IDENTITY_ENDPOINT");
        bool arc =
            c->managed_identity == AD_AZ_MI_ARC ||
            (c->managed_identity == AD_AZ_MI_AUTO &&
             ((env_ep != NULL && getenv("IMDS_ENDPOINT") != NULL) || file_exists(ARC_AGENT_FILE)));
        a->src = arc ? SRC_ARC : SRC_IMDS;
        if (c->identity_endpoint[0])
            url = c->identity_endpoint;
        else if (arc)
            url = env_ep != NULL && env_ep[0] ? env_ep : ARC_URL;
        else
            url = IMDS_URL;
        (void)form_add(query, sizeof(query), &ql, "api-version", arc ? "2019-11-01" : "2018-02-01");
        (void)form_add(query, sizeof(query), &ql, "resource", a->resource);
        if (c->client_id[0] && !arc) /* Arc has one system-assigned identity */
            (void)form_add(query, sizeof(query), &ql, "client_id", c->client_id);
        break;
    }
    }
    if (rc == AD_OK) {
        split_target(a, url, query);
        rc = ad_http_call_create(url, &li->tls, "logs_ingestion.tls", li->timeout_ms, owner,
                                 &a->http, err, errlen);
    }
    if (rc != AD_OK) {
        ad_azure_auth_destroy(a);
        return rc;
    }
    *out = a;
    return AD_OK;
}

void ad_azure_auth_describe(const ad_azure_auth *a, ad_azure_auth_info *info)
{
    static const char *const names[] = {"client_secret", "client_certificate", "imds", "arc"};
    info->method = names[a->src];
    snprintf(info->token_url, sizeof(info->token_url), "%s", a->url);
    snprintf(info->scope, sizeof(info->scope), "%s",
             a->src == SRC_SECRET || a->src == SRC_CERT ? a->scope : a->resource);
}

/* The endpoint's error code and description (Entra: error, error_description; IMDS/Arc the
   same or error.message), printable ASCII only. */
static void answer_error(ad_azure_auth *a, int status, char *why, size_t whylen)
{
    size_t blen;
    const char *body = ad_http_call_body(a->http, &blen);
    const char *code = NULL, *desc = NULL;
    size_t cl = 0, dl = 0;
    bool s;
    if (!ad_json_flat_get(body, blen, "error", &code, &cl, &s) || !s)
        code = NULL;
    if (!ad_json_flat_get(body, blen, "error_description", &desc, &dl, &s) || !s)
        desc = NULL;
    if (desc == NULL && !ad_json_flat_get_path(body, blen, "error.message", &desc, &dl))
        desc = NULL;
    if (dl > 300)
        dl = 300;
    char text[512];
    snprintf(text, sizeof(text), "token endpoint %.100s answered HTTP %d%s%.*s%s%.*s", a->url,
             status, code ? ": " : "", code ? (int)(cl > 80 ? 80 : cl) : 0, code ? code : "",
             desc ? ": " : "", desc ? (int)dl : 0, desc ? desc : "");
    size_t n = 0;
    for (size_t i = 0; text[i] && n + 1 < whylen; i++)
        why[n++] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
    if (whylen > 0)
        why[n] = '\0';
}

/* Arc: the 401 names a challenge file, which must be a small .key file in the agent's folder. */
static bool arc_secret(ad_azure_auth *a, char *secret, size_t cap, char *why, size_t whylen)
{
    const char *h = ad_http_call_header(a->http, "WWW-Authenticate");
    const char *realm = h ? strstr(h, "Basic realm=") : NULL;
    if (realm == NULL) {
        snprintf(why, whylen,
                 "Azure Arc identity endpoint %s: 401 without a Basic realm "
                 "challenge",
                 a->url);
        return false;
    }
    char path[AD_CONFIG_PATH_MAX];
    snprintf(path, sizeof(path), "%s", realm + strlen("Basic realm="));
    size_t pl = strlen(path);
    if (pl >= 2 && path[0] == '"' && path[pl - 1] == '"') {
        memmove(path, path + 1, pl - 2);
        path[pl - 2] = '\0';
        pl -= 2;
    }
    size_t dl = strlen(a->arc_dir);
    bool inside = pl > dl + 1 && strncmp(path, a->arc_dir, dl) == 0 &&
                  (path[dl] == '/' || path[dl] == '\\') && strstr(path, "..") == NULL &&
                  strchr(path + dl + 1, '/') == NULL && strchr(path + dl + 1, '\\') == NULL;
    if (!inside || pl < 4 || strcmp(path + pl - 4, ".key") != 0) {
        snprintf(why, whylen, "Azure Arc challenge file '%s' is not a .key file in '%s'; refused",
                 path, a->arc_dir);
        return false;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, whylen,
                 "Azure Arc challenge file '%s': cannot open (the exporter's "
                 "account needs the himds group / Hybrid agent extension applications)",
                 path);
        return false;
    }
    size_t n = fread(secret, 1, cap - 1, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    if (n == 0 || more || n > ARC_FILE_MAX) {
        snprintf(why, whylen, "Azure Arc challenge file '%s' is empty or over %u bytes", path,
                 ARC_FILE_MAX);
        return false;
    }
    while (n > 0 && (secret[n - 1] == '\n' || secret[n - 1] == '\r'))
        n--;
    secret[n] = '\0';
    return true;
}

/* One token request (by the one user fetching); true with a->fresh, *expires and *renew set. */
static bool fetch(ad_azure_auth *a, uint64_t *expires, uint64_t *renew, char *why, size_t whylen)
{
    const ad_config_azure_auth *c = &a->li->auth;
    int status = 0;
    int rv;
    char err[256];
    if (a->src == SRC_SECRET || a->src == SRC_CERT) {
        size_t cap = AD_AZURE_JWT_MAX + SECRET_MAX * 3 + 1024, len = 0;
        char *form = ad_secret_alloc(cap);
        if (form == NULL) {
            snprintf(why, whylen, "out of memory");
            return false;
        }
        form[0] = '\0';
        bool ok = form_add(form, cap, &len, "grant_type", "client_credentials") &&
                  form_add(form, cap, &len, "client_id", c->client_id) &&
                  form_add(form, cap, &len, "scope", a->scope);
        if (ok && a->src == SRC_SECRET) {
            ok = form_append(form, cap, &len, "client_secret", a->secret, a->secret_len);
        } else if (ok) {
            char assertion[AD_AZURE_JWT_MAX];
            if (ad_azure_jwt_sign(a->jwt, a->url, c->client_id, ad_time_now_ns() / 1000000000ULL,
                                  assertion, sizeof(assertion), why, whylen) != AD_OK) {
                ad_secret_free(form, cap);
                return false;
            }
            ok = form_add(form, cap, &len, "client_assertion_type",
                          "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") &&
                 form_add(form, cap, &len, "client_assertion", assertion);
            ad_secret_wipe(assertion, sizeof(assertion));
        }
        ad_http_header hdr[] = {{"Content-Type", "application/x-www-form-urlencoded"},
                                {"Accept", "application/json"}};
        rv = ok ? ad_http_call_do(a->http, "POST", a->target, hdr, 2, form, len, &status, err,
                                  sizeof(err))
                : -1;
        ad_secret_free(form, cap);
        if (!ok) {
            snprintf(why, whylen, "token request too long");
            return false;
        }
    } else {
        ad_http_header hdr[2] = {{"Metadata", "true"}, {"Authorization", ""}};
        rv = ad_http_call_do(a->http, "GET", a->target, hdr, 1, NULL, 0, &status, err, sizeof(err));
        if (rv == 0 && status == 401 && a->src == SRC_ARC) {
            char secret[ARC_FILE_MAX + 2];
            char basic[ARC_FILE_MAX + 16];
            if (!arc_secret(a, secret, sizeof(secret), why, whylen))
                return false;
            snprintf(basic, sizeof(basic), "Basic %s", secret);
            hdr[1].value = basic;
            rv = ad_http_call_do(a->http, "GET", a->target, hdr, 2, NULL, 0, &status, err,
                                 sizeof(err));
            ad_secret_wipe(secret, sizeof(secret));
            ad_secret_wipe(basic, sizeof(basic));
        }
    }
    if (rv != 0) {
        snprintf(why, whylen, "token endpoint: %s", err);
        return false;
    }
    if (status != 200) {
        answer_error(a, status, why, whylen);
        return false;
    }
    size_t blen;
    const char *body = ad_http_call_body(a->http, &blen);
    const char *tok, *exp;
    size_t tl, el;
    bool s;
    if (!ad_json_flat_get(body, blen, "access_token", &tok, &tl, &s) || !s || tl == 0 ||
        tl + 8 >= BEARER_MAX) {
        snprintf(why, whylen, "token endpoint %s: answer without a usable access_token", a->url);
        return false;
    }
    for (size_t i = 0; i < tl; i++) {
        if (tok[i] <= 0x20 || tok[i] >= 0x7f || tok[i] == '\\' || tok[i] == '"') {
            snprintf(why, whylen, "token endpoint %s: access_token has bad characters", a->url);
            return false;
        }
    }
    uint64_t lifetime_s = 3600;
    if (ad_json_flat_get(body, blen, "expires_in", &exp, &el, &s) && el > 0 && el < 12) {
        uint64_t v = 0;
        size_t i = 0;
        for (; i < el && exp[i] >= '0' && exp[i] <= '9'; i++)
            v = v * 10 + (uint64_t)(exp[i] - '0');
        if (i == el)
            lifetime_s = v;
    }
    uint64_t now = ad_time_mono_ns();
    uint64_t life_ns = lifetime_s * 1000000000ULL;
    uint64_t early = a->li->auth.refresh_before_ms * MS;
    if (early > life_ns / 2)
        early = life_ns / 2;
    *expires = now + life_ns;
    *renew = now + life_ns - early;
    snprintf(a->fresh, BEARER_MAX, "Bearer %.*s", (int)tl, tok);
    ad_http_call_forget_body(a->http);
    return true;
}

/* How long a user waits for another user's fetch (Arc makes two calls). */
static uint64_t fetch_wait_ns(const ad_azure_auth *a)
{
    uint64_t ms = a->li->timeout_ms ? 2 * a->li->timeout_ms + 1000 : 60000;
    return ms * MS;
}

/* Hands out the cached token and unlocks. */
static bool give(ad_azure_auth *a, char *out, size_t cap, uint64_t *gen, char *why, size_t whylen)
{
    size_t n = strlen(a->bearer);
    bool ok = n < cap;
    if (ok) {
        memcpy(out, a->bearer, n + 1);
        *gen = a->gen;
    }
    nng_mtx_unlock(a->mtx);
    if (!ok)
        snprintf(why, whylen, "no token: no room for it");
    return ok;
}

bool ad_azure_auth_bearer(ad_azure_auth *a, ad_xport *caller, uint64_t refused_gen, char *out,
                          size_t cap, uint64_t *gen, char *why, size_t whylen)
{
    uint64_t give_up = 0;
    nng_mtx_lock(a->mtx);
    for (;;) {
        uint64_t now = ad_time_mono_ns();
        if (refused_gen != 0 && refused_gen == a->gen && a->bearer[0] != '\0') {
            a->bearer[0] = '\0'; /* expired or revoked: no user sends it again */
            a->expires_mono_ns = 0;
        }
        bool have = a->bearer[0] != '\0';
        if (have && now < a->renew_mono_ns)
            return give(a, out, cap, gen, why, whylen);
        /* Still usable while a renewal is running or backing off. */
        bool usable = have && now < a->expires_mono_ns;
        if (!a->fetching) {
            if (now >= a->next_try_mono_ns)
                break; /* this caller fetches */
            if (usable)
                return give(a, out, cap, gen, why, whylen);
            snprintf(why, whylen, "no token: the last request failed; next in %llu ms",
                     (unsigned long long)((a->next_try_mono_ns - now) / MS));
            nng_mtx_unlock(a->mtx);
            return false;
        }
        if (usable)
            return give(a, out, cap, gen, why, whylen);
        /* Another user is fetching and nothing valid is cached: wait for its answer. */
        if (give_up == 0)
            give_up = now + fetch_wait_ns(a);
        if (now >= give_up) {
            snprintf(why, whylen,
                     "no token: another sending thread's token request is still "
                     "running");
            nng_mtx_unlock(a->mtx);
            return false;
        }
        (void)nng_cv_until(a->fetched, nng_clock() + AD_XPORT_TICK_MS);
        nng_mtx_unlock(a->mtx);
        bool go_on = caller->tick == NULL || caller->tick(caller->tick_ctx);
        nng_mtx_lock(a->mtx);
        if (!go_on) {
            snprintf(why, whylen, "no token: stopping while another thread fetched one");
            nng_mtx_unlock(a->mtx);
            return false;
        }
    }
    a->fetching = true;
    nng_mtx_unlock(a->mtx);

    ad_http_call_set_owner(a->http, caller);
    uint64_t expires = 0, renew = 0;
    bool ok = fetch(a, &expires, &renew, why, whylen);
    ad_xport_count(caller, ok ? AD_EXP_LI_TOKEN_REFRESHES : AD_EXP_LI_AUTH_FAILURES, 1);

    nng_mtx_lock(a->mtx);
    a->fetching = false;
    nng_cv_wake(a->fetched);
    uint64_t now = ad_time_mono_ns();
    if (ok) {
        memcpy(a->bearer, a->fresh, strlen(a->fresh) + 1);
        ad_secret_wipe(a->fresh, BEARER_MAX);
        a->gen++;
        a->expires_mono_ns = expires;
        a->renew_mono_ns = renew;
        a->backoff_ms = 0;
        a->next_try_mono_ns = 0;
        return give(a, out, cap, gen, why, whylen);
    }
    a->backoff_ms = a->backoff_ms == 0
                        ? BACKOFF_FIRST_MS
                        : (a->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : a->backoff_ms * 2);
    a->next_try_mono_ns = now + (uint64_t)a->backoff_ms * MS;
    if (a->bearer[0] != '\0' && now < a->expires_mono_ns)
        return give(a, out, cap, gen, why, whylen); /* the old token still works for a while */
    nng_mtx_unlock(a->mtx);
    return false;
}

/*
 * asimdns config: the logs_ingestion section (Microsoft Sentinel Logs Ingestion API,
 * docs/SENTINEL.md) — its schema table and the rules that tie its keys together.
 */
#include <stdio.h>
#include <string.h>

#include "config/cfg_map.h"
#include "config/cfg_text.h"
#include "config/exporter_internal.h"

typedef ad_exporter_config E;

static const ad__cfg_enum auth_methods[] = {{"client_secret", AD_AZ_AUTH_CLIENT_SECRET},
                                            {"client_certificate", AD_AZ_AUTH_CLIENT_CERTIFICATE},
                                            {"managed_identity", AD_AZ_AUTH_MANAGED_IDENTITY},
                                            {NULL, 0}};

static const ad__cfg_enum clouds[] = {{"public", AD_AZ_CLOUD_PUBLIC},
                                      {"usgov", AD_AZ_CLOUD_USGOV},
                                      {"china", AD_AZ_CLOUD_CHINA},
                                      {NULL, 0}};

static const ad__cfg_enum mi_sources[] = {
    {"auto", AD_AZ_MI_AUTO}, {"imds", AD_AZ_MI_IMDS}, {"arc", AD_AZ_MI_ARC}, {NULL, 0}};

static const ad__cfg_enum li_compressions[] = {
    {"gzip", AD_COMPRESSION_GZIP}, {"none", AD_COMPRESSION_NONE}, {NULL, 0}};

/* Tenant, client and DCR ids, stream names: letters, digits, '-', '_', '.'. */
static bool check_id(char *text, char *why, size_t whylen)
{
    if (text[0] == '\0') {
        snprintf(why, whylen, "must not be empty");
        return false;
    }
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.')) {
            snprintf(why, whylen, "may hold only letters, digits, '-', '_' and '.'");
            return false;
        }
    }
    return true;
}

/* An environment variable's name (never its value). */
static bool check_env_name(char *text, char *why, size_t whylen)
{
    if (text[0] == '\0' || (text[0] >= '0' && text[0] <= '9')) {
        snprintf(why, whylen, "must be an environment variable name");
        return false;
    }
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_')) {
            snprintf(why, whylen, "must be an environment variable name (letters, digits, _)");
            return false;
        }
    }
    return true;
}

static bool check_https_url(char *text, char *why, size_t whylen)
{
    if (!ad__cfg_check_http_url(text, why, whylen))
        return false;
    if (strncmp(text, "https://", 8) != 0) {
        snprintf(why, whylen, "must start with https:// (a bearer token goes to it)");
        return false;
    }
    return true;
}

static const ad__cfg_entry li_tls_table[] = {
    {.name = "ca_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(ad_config_tls, ca_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM CA bundle to verify the ingestion and token servers"},
    {.name = "server_name",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(ad_config_tls, server_name),
     .check = ad__cfg_check_host_name,
     .help = "SNI and verified name of the ingestion endpoint; default its host"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry auth_table[] = {
    {.name = "method",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, logs_ingestion.auth.method),
     .def = "client_secret",
     .aux = auth_methods,
     .help = "client_secret, client_certificate or managed_identity"},
    {.name = "cloud",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, logs_ingestion.auth.cloud),
     .def = "public",
     .aux = clouds,
     .help = "Microsoft Entra authority and token scope: public, usgov or china"},
    {.name = "tenant_id",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.tenant_id),
     .check = check_id,
     .help = "directory (tenant) id"},
    {.name = "client_id",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.client_id),
     .check = check_id,
     .help = "application (client) id; with managed_identity a user-assigned identity"},
    {.name = "client_secret_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.client_secret_file),
     .check = ad__cfg_check_nonempty,
     .help = "file holding the client secret"},
    {.name = "client_secret_env",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.client_secret_env),
     .check = check_env_name,
     .help = "environment variable holding the client secret"},
    {.name = "certificate_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.certificate_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM certificate registered with the application"},
    {.name = "key_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.key_file),
     .check = ad__cfg_check_nonempty,
     .help = "PEM RSA private key of certificate_file"},
    {.name = "managed_identity",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, logs_ingestion.auth.managed_identity),
     .def = "auto",
     .aux = mi_sources,
     .help = "auto, imds (Azure VM) or arc (Azure Arc-enabled server)"},
    {.name = "authority_host",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.authority_host),
     .check = check_https_url,
     .help = "Microsoft Entra authority; default from cloud"},
    {.name = "scope",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.scope),
     .check = ad__cfg_check_http_url,
     .help = "token scope; default from cloud"},
    {.name = "identity_endpoint",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.identity_endpoint),
     .check = ad__cfg_check_http_url,
     .help = "managed identity token URL; default IMDS or the local Arc agent"},
    {.name = "arc_token_dir",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.auth.arc_token_dir),
     .check = ad__cfg_check_nonempty,
     .help = "folder Arc challenge files must lie in; default the agent's"},
    {.name = "refresh_before",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, logs_ingestion.auth.refresh_before_ms),
     .def = "5m",
     .min = 0,
     .max = 3600000,
     .help = "renew a token this long before it expires"},
    {.type = AD__CFG_T_END},
};

const ad__cfg_entry ad__logs_ingestion_table[] = {
    {.name = "endpoint",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.endpoint),
     .check = check_https_url,
     .help = "data collection endpoint or DCR logs ingestion URL"},
    {.name = "dcr_immutable_id",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.dcr_immutable_id),
     .check = check_id,
     .help = "the DCR's immutableId (dcr-...)"},
    {.name = "stream",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(E, logs_ingestion.stream),
     .def = "Custom-AsimDnsActivityLogs",
     .check = check_id,
     .help = "input stream declared in the DCR"},
    {.name = "compression",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(E, logs_ingestion.compression),
     .def = "gzip",
     .aux = li_compressions,
     .help = "request body compression"},
    {.name = "timeout",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(E, logs_ingestion.timeout_ms),
     .def = "30s",
     .min = 1000,
     .max = 600000,
     .help = "per request, token requests included"},
    {.name = "max_request_bytes",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(E, logs_ingestion.max_request_bytes),
     .def = "1000000",
     .min = 4096,
     .max = 1048576,
     .help = "uncompressed body per request (the service takes at most 1 MB)"},
    {.name = "tls",
     .type = AD__CFG_T_SECTION,
     .offset = offsetof(E, logs_ingestion.tls),
     .aux = li_tls_table},
    {.name = "auth", .type = AD__CFG_T_SECTION, .aux = auth_table},
    {.type = AD__CFG_T_END},
};

static ad_err need(ad__cfg_ctx *ctx, uint32_t root, const char *value, const char *key,
                   const char *when)
{
    if (value[0] != '\0')
        return AD_OK;
    uint32_t at = ad__cfg_find(ctx->tree, root, "logs_ingestion", NULL);
    if (at == 0)
        at = ad__cfg_find(ctx->tree, root, "exporter.type", NULL);
    return ad__cfg_fail(ctx, at, "'logs_ingestion.%s' is required %s", key, when);
}

ad_err ad__exporter_check_logs_ingestion(ad__cfg_ctx *ctx, uint32_t root)
{
    const E *cfg = ctx->base;
    const ad_config_logs_ingestion *li = &cfg->logs_ingestion;
    const ad_config_azure_auth *a = &li->auth;
    if (cfg->type != AD_EXPORTER_LOGS_INGESTION)
        return AD_OK;
    const char *type_li = "when 'exporter.type' is logs_ingestion";
    ad_err rc;
    if ((rc = need(ctx, root, li->endpoint, "endpoint", type_li)) != AD_OK ||
        (rc = need(ctx, root, li->dcr_immutable_id, "dcr_immutable_id", type_li)) != AD_OK)
        return rc;
    if (a->method == AD_AZ_AUTH_MANAGED_IDENTITY)
        return AD_OK;
    const char *m = a->method == AD_AZ_AUTH_CLIENT_SECRET ? "with auth.method client_secret"
                                                          : "with auth.method client_certificate";
    if ((rc = need(ctx, root, a->tenant_id, "auth.tenant_id", m)) != AD_OK ||
        (rc = need(ctx, root, a->client_id, "auth.client_id", m)) != AD_OK)
        return rc;
    if (a->method == AD_AZ_AUTH_CLIENT_CERTIFICATE) {
        if ((rc = need(ctx, root, a->certificate_file, "auth.certificate_file", m)) != AD_OK ||
            (rc = need(ctx, root, a->key_file, "auth.key_file", m)) != AD_OK)
            return rc;
        return AD_OK;
    }
    bool file = a->client_secret_file[0] != '\0', env = a->client_secret_env[0] != '\0';
    if (file != env)
        return AD_OK;
    uint32_t at = ad__cfg_find(ctx->tree, root, "logs_ingestion.auth", NULL);
    if (at == 0)
        at = ad__cfg_find(ctx->tree, root, "exporter.type", NULL);
    return ad__cfg_fail(ctx, at,
                        "exactly one of 'logs_ingestion.auth.client_secret_file' and "
                        "'logs_ingestion.auth.client_secret_env' is required %s (the secret "
                        "itself is never written in the YAML)",
                        m);
}

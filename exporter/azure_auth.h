/*
 * asimdns-exporter: Microsoft Entra access tokens for the Logs Ingestion API
 * (docs/SENTINEL.md §3, §4).
 *
 * Methods: client_secret and client_certificate (OAuth 2.0 client credentials against
 * {authority}/{tenant}/oauth2/v2.0/token with scope {monitor}//.default; the certificate signs
 * an RS256 client assertion, exporter/azure_jwt.h), managed_identity on an Azure VM (IMDS)
 * or an Azure Arc-enabled server (the local agent answers 401 naming a challenge file, whose
 * content goes back as Basic authorization). The cloud picks the authority and the scope.
 *
 * The token is cached and renewed refresh_before its expiry (at half its lifetime for short
 * ones), or at once when the caller saw a 401. A failed fetch is counted (li_auth_failures)
 * and the next one waits an exponential backoff (1 s doubling to 60 s) so a broken
 * credential does not hammer the token endpoint. The secret, the assertion and the token are
 * never logged; messages carry the endpoint's error code and description only.
 */
#ifndef AD_EXPORTER_AZURE_AUTH_H
#define AD_EXPORTER_AZURE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/exporter_config.h"
#include "exporter/transport.h"

typedef struct ad_azure_auth ad_azure_auth;

/* Where tokens come from, for messages and tests. */
typedef struct ad_azure_auth_info {
    const char *method; /* "client_secret", "client_certificate", "imds", "arc" */
    char token_url[AD_CONFIG_URL_MAX + 256]; /* without secrets */
    char scope[AD_CONFIG_URL_MAX];           /* scope or MI resource */
} ad_azure_auth_info;

/* Room for a "Bearer <token>" value (ad_azure_auth_bearer's out). */
#define AD_AZURE_BEARER_MAX (16u * 1024u)

/*
 * Reads the secret (file or environment) or the certificate and key now, so a missing one
 * stops start-up. owner's tick hook runs during token requests until a caller of
 * ad_azure_auth_bearer takes its place.
 */
ad_err ad_azure_auth_create(const ad_config_logs_ingestion *li, ad_xport *owner,
                            ad_azure_auth **out, char *err, size_t errlen);
/*
 * The same token cache for one more user (the transports of one exporter's lanes, which send
 * on threads of their own): one token, one fetch at a time. Each user calls destroy once.
 */
ad_azure_auth *ad_azure_auth_share(ad_azure_auth *a);
void ad_azure_auth_destroy(ad_azure_auth *a);
void ad_azure_auth_describe(const ad_azure_auth *a, ad_azure_auth_info *info);

/*
 * Copies the "Bearer ..." Authorization value into out[cap] (cap >= AD_AZURE_BEARER_MAX) and
 * its generation into *gen. The token is fetched first when there is none or it is due for
 * renewal, or when refused_gen (0 = none) names the cached one: the service refused it (401);
 * a newer cached token (another user already fetched one) is used as it is. Thread-safe: while
 * one caller fetches, the others use the cached token if it is still valid, else wait for that
 * fetch, at most two token timeouts (then no token: a retry). caller's tick hook runs while it
 * waits and fetches (false: gives up) and its counter hook counts the fetch. false when no
 * token can be had now (why says why, without secrets).
 */
bool ad_azure_auth_bearer(ad_azure_auth *a, ad_xport *caller, uint64_t refused_gen, char *out,
                          size_t cap, uint64_t *gen, char *why, size_t whylen);

#endif

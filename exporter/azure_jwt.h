/*
 * asimdns-exporter: the signed client assertion of Microsoft Entra certificate credentials
 * (docs/SENTINEL.md §3): a JWT with header {"alg":"RS256","typ":"JWT","x5t":..,"x5t#S256":..}
 * (base64url SHA-1 and SHA-256 of the certificate's DER) and claims aud (the token URL),
 * iss = sub = client id, jti (random), nbf = iat = now, exp = now + 10 min; signed RS256
 * (RSASSA-PKCS1-v1_5 with SHA-256) with the certificate's private key through mbedTLS.
 */
#ifndef AD_EXPORTER_AZURE_JWT_H
#define AD_EXPORTER_AZURE_JWT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct ad_azure_jwt ad_azure_jwt;

#define AD_AZURE_JWT_LIFETIME_S 600
#define AD_AZURE_JWT_MAX 4096

/* Loads the PEM certificate and RSA private key (the key buffer is wiped after parsing). */
ad_err ad_azure_jwt_create(const char *cert_file, const char *key_file, ad_azure_jwt **out,
                           char *err, size_t errlen);
void ad_azure_jwt_destroy(ad_azure_jwt *j);

/* Writes the assertion (NUL-terminated) for audience aud and client id at Unix time now_s. */
ad_err ad_azure_jwt_sign(ad_azure_jwt *j, const char *aud, const char *client_id, uint64_t now_s,
                         char *out, size_t cap, char *err, size_t errlen);

/* base64url without padding of data[len] into out (NUL-terminated); false when cap is short. */
bool ad_base64url(const uint8_t *data, size_t len, char *out, size_t cap);

#endif

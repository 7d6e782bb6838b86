/* asimdns-exporter: RS256 client assertions with mbedTLS (azure_jwt.h). */
#include "exporter/azure_jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "exporter/secret_mem.h"
#include "exporter/transport_internal.h"

struct ad_azure_jwt {
    mbedtls_pk_context key;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    char x5t[32];      /* base64url SHA-1 of the DER certificate */
    char x5t_s256[48]; /* base64url SHA-256 */
};

bool ad_base64url(const uint8_t *data, size_t len, char *out, size_t cap)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t need = (len / 3) * 4 + (len % 3 ? len % 3 + 1 : 0) + 1;
    if (cap < need)
        return false;
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[o++] = tbl[v >> 18];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
        out[o++] = tbl[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        out[o++] = tbl[v >> 18];
        out[o++] = tbl[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        out[o++] = tbl[v >> 18];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = tbl[(v >> 6) & 63];
    }
    out[o] = '\0';
    return true;
}

void ad_azure_jwt_destroy(ad_azure_jwt *j)
{
    if (j == NULL)
        return;
    mbedtls_pk_free(&j->key);
    mbedtls_ctr_drbg_free(&j->drbg);
    mbedtls_entropy_free(&j->entropy);
    free(j);
}

ad_err ad_azure_jwt_create(const char *cert_file, const char *key_file, ad_azure_jwt **out,
                           char *err, size_t errlen)
{
    ad_azure_jwt *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return AD_ENOMEM;
    mbedtls_pk_init(&j->key);
    mbedtls_entropy_init(&j->entropy);
    mbedtls_ctr_drbg_init(&j->drbg);
    static const char pers[] = "asimdns-jwt";
    if (mbedtls_ctr_drbg_seed(&j->drbg, mbedtls_entropy_func, &j->entropy,
                              (const unsigned char *)pers, sizeof(pers) - 1) != 0) {
        snprintf(err, errlen, "auth: cannot seed the random generator");
        ad_azure_jwt_destroy(j);
        return AD_EIO;
    }

    size_t len = 0;
    char *pem = ad__read_pem(cert_file, &len, err, errlen);
    if (pem == NULL) {
        ad_azure_jwt_destroy(j);
        return AD_EINVAL;
    }
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rv = mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, len + 1);
    free(pem);
    if (rv != 0 || crt.raw.len == 0) {
        snprintf(err, errlen, "auth.certificate_file '%s': not a PEM certificate (-0x%04x)",
                 cert_file, (unsigned)-rv);
        mbedtls_x509_crt_free(&crt);
        ad_azure_jwt_destroy(j);
        return AD_EINVAL;
    }
    uint8_t sha1[20], sha256[32];
#if MBEDTLS_VERSION_MAJOR >= 3
    rv = mbedtls_sha1(crt.raw.p, crt.raw.len, sha1) |
         mbedtls_sha256(crt.raw.p, crt.raw.len, sha256, 0);
#else
    rv = mbedtls_sha1_ret(crt.raw.p, crt.raw.len, sha1) |
         mbedtls_sha256_ret(crt.raw.p, crt.raw.len, sha256, 0);
#endif
    if (rv != 0 || !ad_base64url(sha1, sizeof(sha1), j->x5t, sizeof(j->x5t)) ||
        !ad_base64url(sha256, sizeof(sha256), j->x5t_s256, sizeof(j->x5t_s256))) {
        snprintf(err, errlen, "auth.certificate_file '%s': thumbprint failed", cert_file);
        mbedtls_x509_crt_free(&crt);
        ad_azure_jwt_destroy(j);
        return AD_EIO;
    }

    char *kpem = ad__read_pem(key_file, &len, err, errlen);
    if (kpem == NULL) {
        mbedtls_x509_crt_free(&crt);
        ad_azure_jwt_destroy(j);
        return AD_EINVAL;
    }
#if MBEDTLS_VERSION_MAJOR >= 3
    rv = mbedtls_pk_parse_key(&j->key, (const unsigned char *)kpem, len + 1, NULL, 0,
                              mbedtls_ctr_drbg_random, &j->drbg);
#else
    rv = mbedtls_pk_parse_key(&j->key, (const unsigned char *)kpem, len + 1, NULL, 0);
#endif
    ad_secret_wipe(kpem, len);
    free(kpem);
    if (rv != 0 || !mbedtls_pk_can_do(&j->key, MBEDTLS_PK_RSA)) {
        snprintf(err, errlen, "auth.key_file '%s': not an unencrypted PEM RSA private key",
                 key_file);
        mbedtls_x509_crt_free(&crt);
        ad_azure_jwt_destroy(j);
        return AD_EINVAL;
    }
    /* A key of another certificate would only show as an AADSTS error at the first token. */
#if MBEDTLS_VERSION_MAJOR >= 3
    rv = mbedtls_pk_check_pair(&crt.pk, &j->key, mbedtls_ctr_drbg_random, &j->drbg);
#else
    rv = mbedtls_pk_check_pair(&crt.pk, &j->key);
#endif
    mbedtls_x509_crt_free(&crt);
    if (rv != 0) {
        snprintf(err, errlen, "auth.key_file '%s' does not belong to auth.certificate_file '%s'",
                 key_file, cert_file);
        ad_azure_jwt_destroy(j);
        return AD_EINVAL;
    }
    *out = j;
    return AD_OK;
}

ad_err ad_azure_jwt_sign(ad_azure_jwt *j, const char *aud, const char *client_id, uint64_t now_s,
                         char *out, size_t cap, char *err, size_t errlen)
{
    char header[160], claims[1024];
    uint8_t rnd[16];
    if (mbedtls_ctr_drbg_random(&j->drbg, rnd, sizeof(rnd)) != 0) {
        snprintf(err, errlen, "auth: no random bytes for the assertion id");
        return AD_EIO;
    }
    rnd[6] = (uint8_t)((rnd[6] & 0x0F) | 0x40); /* a version 4 UUID */
    rnd[8] = (uint8_t)((rnd[8] & 0x3F) | 0x80);
    char jti[40];
    snprintf(jti, sizeof(jti),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
             rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9], rnd[10], rnd[11],
             rnd[12], rnd[13], rnd[14], rnd[15]);
    int hn = snprintf(header, sizeof(header),
                      "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"%s\",\"x5t#S256\":\"%s\"}",
                      j->x5t, j->x5t_s256);
    int cn =
        snprintf(claims, sizeof(claims),
                 "{\"aud\":\"%s\",\"iss\":\"%s\",\"sub\":\"%s\",\"jti\":\"%s\","
                 "\"nbf\":%llu,\"iat\":%llu,\"exp\":%llu}",
                 aud, client_id, client_id, jti, (unsigned long long)now_s,
                 (unsigned long long)now_s, (unsigned long long)(now_s + AD_AZURE_JWT_LIFETIME_S));
    if (hn <= 0 || (size_t)hn >= sizeof(header) || cn <= 0 || (size_t)cn >= sizeof(claims)) {
        snprintf(err, errlen, "auth: assertion claims too long");
        return AD_ERANGE;
    }
    size_t o = 0;
    if (!ad_base64url((const uint8_t *)header, (size_t)hn, out, cap))
        goto short_buf;
    o = strlen(out);
    if (o + 1 >= cap)
        goto short_buf;
    out[o++] = '.';
    if (!ad_base64url((const uint8_t *)claims, (size_t)cn, out + o, cap - o))
        goto short_buf;
    o += strlen(out + o);

    uint8_t hash[32];
    unsigned char sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
    size_t slen = 0;
    int rv;
#if MBEDTLS_VERSION_MAJOR >= 3
    rv = mbedtls_sha256((const unsigned char *)out, o, hash, 0);
    if (rv == 0)
        rv = mbedtls_pk_sign(&j->key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, sizeof(sig),
                             &slen, mbedtls_ctr_drbg_random, &j->drbg);
#else
    rv = mbedtls_sha256_ret((const unsigned char *)out, o, hash, 0);
    if (rv == 0)
        rv = mbedtls_pk_sign(&j->key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &slen,
                             mbedtls_ctr_drbg_random, &j->drbg);
#endif
    if (rv != 0) {
        snprintf(err, errlen, "auth: signing the assertion failed (-0x%04x)", (unsigned)-rv);
        return AD_EIO;
    }
    if (o + 1 >= cap)
        goto short_buf;
    out[o++] = '.';
    if (!ad_base64url(sig, slen, out + o, cap - o))
        goto short_buf;
    return AD_OK;
short_buf:
    snprintf(err, errlen, "auth: assertion longer than %zu bytes", cap);
    return AD_ERANGE;
}

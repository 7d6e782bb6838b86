/*
 * Unit tests for the Entra client assertion (exporter/azure_jwt.h): header fields (alg RS256,
 * typ JWT, x5t = base64url SHA-1 of the certificate DER, computed here with openssl when the
 * test was written), claims, and an RS256 signature that verifies with the certificate's
 * public key; a key that does not belong to the certificate is refused at start-up. The key
 * pair below was made for this test only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "exporter/azure_jwt.h"

static const char test_key[] = "-----BEGIN PRIVATE KEY-----\n"
                               "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCuceIUjyCADhPt\n"
                               "ynj/4CymcV00wnzAlwpyVkmcx3m9W5rdwjcfK1Pe9JVjcOa7LC9zz2rVIrYYWGYG\n"
                               "y52rScXLac/loMfZlGMK9BOT28ITpshbgNRwQnwkIHFNewP2TKmEseoe3bssrEU2\n"
                               "0GJszu08qKjopImv9xfaz6MYhDe7ZIdYKbs4fuZaLtOAYLQmyERGbD5T29CedPiO\n"
                               "g+V5T7A6VCmV151yX/nnUeuUF2G16xu/9W5AsWlXraK5zVvKbQ2HLqLp1eV4Zq6g\n"
                               "pi1a4gO7w2yFMFaxOSIJuU999PT8ftBd9TnxYDngjKIJpLzpsQxtaoHFNR31DX2i\n"
                               "5oo+dP+BAgMBAAECggEAGR/f3vQqSyc76ZCy0q+X3rUPJo0oaJiYcZVJ7uGv//zU\n"
                               "lkHlrICSCNeTOIpHQQgBIZ3rFh10upbowuvKnqP2b/Cid8ErZ4P+q9Ixi6coEaqA\n"
                               "yuUIM87vkEh36R/hlzS9aZYyURXAYpPBOD7VHjTDaGwmP7OK/SQKdIJZTCum1z9L\n"
                               "esunDP/LDEH7WWFDZFlDEwbVvRx0m0oRA8ct2WrUBKfOB+Kt8mH9XI3KYll/oVfm\n"
                               "Sq9CElYNWov20Gnkah3faRFyaooh8+tEI/qQuW+v+jEgclF5cAqlbOyX/4UEbl6j\n"
                               "APrmxh+fDPfYQwQIU8sVjd390ECTtrguzY5OcrhyrQKBgQDVVxN4bNJJWp6xv53L\n"
                               "EX3QbEDhJAmhKRezNnVLwtac6iaXro1FzMpwcKCLPa4dhS9zVYxQ/sbmek0iz4U2\n"
                               "nhRAxJhBppuy/9zeA1gi8knZPr9ff8abnb9QjqXf3rvkCkHVkpAo2SfIl8imA6M6\n"
                               "X0yuhOk7sxoztnS9+YlhRtifkwKBgQDRU7/v8uVue8dcpq5U2PRwUY+OqGzXBajg\n"
                               "nm6e52iupvHNeIHBlO7ox/HferrnFiO7p/YnHRTpGLzB3UxvYKEeXs+ssBr3iM4o\n"
                               "1YklgL+d1uTKIJ43r3n+1u+cUK23mPPLseBCZp45j4dHwCIE8hEDUtxbPvsMVAaF\n"
                               "vLLWOAAJGwKBgH+vNgAFYXZ1vjU0MgSv21U69TnKj9jc90pTdbB6VGhl2+M8nWEB\n"
                               "SMgzIGM171fLtrKYqPpxAio/WJtVCK2/vu9kupvQU6+2Y0KdTcrcqEZVv8QwfXX1\n"
                               "2+Mi/TQX4uyBFxX0OkO4dI8iCP0TgEYXc5WgBtesQiphMU3iY87M0CnxAoGBAIHp\n"
                               "KSigpXUxCqRcqbrsvp9qbt7JdmroD0v/54Vk9pnV8CFl1ZmvdaowVNMuVwqNufV/\n"
                               "owvZR532hUcHsaU54iR4EQkKbmILnG7JP4lv4vvxXyJ2pdrHY74d5K0tgPJ90Wgs\n"
                               "Z5KuHyp4AiwseLB7DsXySeGzL5kSGM4tMwwxywvbAoGBAJsn0DGPKnfwUJI9pBfU\n"
                               "KAAiEm/Sa8oC18VlKTW32Bc4XK3N8rPu7MqYZDBC9oWg0IGPCwJUuEtU1xniyIqK\n"
                               "ogFoy1be6pn3QQHsefT0rr/m/EV0onrdcUqqwN4UKW7l/drOx/KTN+QL6ebHbXhK\n"
                               "2Ur4E6mXhbTPlCeJ5Ff2bmoZ\n"
                               "-----END PRIVATE KEY-----\n";

static const char test_cert[] = "-----BEGIN CERTIFICATE-----\n"
                                "MIIDGzCCAgOgAwIBAgIUOlSgQvFlGFWBQ2jJBKg9xVqW718wDQYJKoZIhvcNAQEL\n"
                                "BQAwHDEaMBgGA1UEAwwRYXNpbWRucy11bml0LXRlc3QwIBcNMjYxMjA1MDIxODMz\n"
                                "WhgPMjEyNjExMTEwMjE4MzNaMBwxGjAYBgNVBAMMEWFzaW1kbnMtdW5pdC10ZXN0\n"
                                "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArnHiFI8ggA4T7cp4/+As\n"
                                "pnFdNMJ8wJcKclZJnMd5vVua3cI3HytT3vSVY3Dmuywvc89q1SK2GFhmBsudq0nF\n"
                                "y2nP5aDH2ZRjCvQTk9vCE6bIW4DUcEJ8JCBxTXsD9kyphLHqHt27LKxFNtBibM7t\n"
                                "PKio6KSJr/cX2s+jGIQ3u2SHWCm7OH7mWi7TgGC0JshERmw+U9vQnnT4joPleU+w\n"
                                "OlQpldedcl/551HrlBdhtesbv/VuQLFpV62iuc1bym0Nhy6i6dXleGauoKYtWuID\n"
                                "u8NshTBWsTkiCblPffT0/H7QXfU58WA54IyiCaS86bEMbWqBxTUd9Q19ouaKPnT/\n"
                                "gQIDAQABo1MwUTAdBgNVHQ4EFgQU3ngJpPbUdVwqPTkAs/7MpesqMS0wHwYDVR0j\n"
                                "BBgwFoAU3ngJpPbUdVwqPTkAs/7MpesqMS0wDwYDVR0TAQH/BAUwAwEB/zANBgkq\n"
                                "hkiG9w0BAQsFAAOCAQEAawzP6YufNcUtZeGH/ao/Gg9Nq+IYjC0PgI3XZO70qXk6\n"
                                "V4NFdp3VZfAEye8nkwLAObHVDY9ezttlK5tEUzvUvNeaVqKNuMPcn3LfPmC5MemO\n"
                                "gomf/SGBx3bAjMf6tZjqPx7rErUv0ctdbbHYUHi7k3qJKk9s55n6kiONRpCXTpVf\n"
                                "rDZStLOSf2Zf7b2BUW3vkKUhYkmtwf9C5u1B1jyk7QBJMHRRhkbhbUobgUTDPzVH\n"
                                "vmHwOhvrteAGlwdANeeAeIlV0+J2iAn686ppOEBbANTISQbwUbT1OCYmKzB8L6d2\n"
                                "Bbsu0hZ7nl2tiE+YfaWU+h7sfA5MLltKg5LwqMG7yg==\n"
                                "-----END CERTIFICATE-----\n";

static const char other_key[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDY32Rb2aCeONlm\n"
                                "SXZDQkRkRqJUeadgdGMM/9kesEpf5ES0yyoTcGEpQco9U3bcV1hMXTXVVmRvG8b9\n"
                                "d2csyNDgos8O8P18LtOnHlTr2m/x7Gf0Ua24qnI3zZj1jDh/phfaO5+g09DoKVeT\n"
                                "sxbLVuNbQsD3MvhvQgndUH+9X/GNkeoGNTWbvm3R8HKjzmvDlXqvUKEW3KtCZebI\n"
                                "7EfXwDGu+AlMT8i8K++jYByC/iHfvWtUoXzs+K7nwUCvGyRnF6T6sXWoY+lUvIRZ\n"
                                "niIEZMg2wS0B+EGDzdRZ7sGQ/5bzpV38CYH/OglsDzjWfhKBxz2skiNyGsSz6/s9\n"
                                "tpG82CdNAgMBAAECggEANJhSsLLR8OVFFfklaPDagL4fkqCRPsNjHS00JOzokKJd\n"
                                "pkHqMZ4sthJ6P06tUgkNxTFKw7MItuhz5RcOys3l2ECrugooU3RQyKQCwNMwGGn2\n"
                                "mQow+Qq/GfjuykgIEK8BdF/G2fxcmt0h29RQKB6pk0GYZirylJrdpRJndFAfFu+U\n"
                                "NWL6VQQXyhrzMvN8zLWuOvzUgNCv2cyCnrNQ90ubJPgr7RgiCRqZOuZSYnfNBY+t\n"
                                "g8LBKFQ2nKa/+V2JYPjJXX9rgdu5bI8dVxXIHTzUuae45uDuhuTDMrWO0d0a1Tuq\n"
                                "wseZcIbQ68Iejz6jbKVEmE7ThggcmjoHzOWkeaJRwQKBgQD//RhdNtEvFPOb7HbC\n"
                                "pMOxUqbnYsch1txe7AFf62SqoFh+QdLZFsSJIez8W0VWwR+M4G4MnSTBhrpmB4jh\n"
                                "GQEXIJHaLHOcLt3vkcAmuKLSlA4Htv6MPfPhUAOfLf/X26zFzlMd/hG/YItPEkGW\n"
                                "ziFH30FuUGypaVoKoVgQS7d+wQKBgQDY4dpdQ8J67kd2HsxnY4QXch/h1vPf5ghs\n"
                                "Myvg9ZDGLNCM3F1jd6qBMu50v48mKIoUkPSgfYyt19/L95pFrkCF/s1vABKKSx7F\n"
                                "51u4r260BzEkNkrw6Fyl17Jnt2N8Uyj972WaR2ddbKr0kH5Vc4HcT8AtsL985eZB\n"
                                "X034SWQXjQKBgQCsiV4+lY/wd+KqGXsCPiNYBSlRk5Y8DKGDqPZUPEghaOm8T4lZ\n"
                                "oKre8urUPIBDtO8a+Lmz7sazWaeQ1UtAzKWbfOxRbNyPTFdx/X7RmmjEHd5G/OQc\n"
                                "ijUyi8elJk/mob2VpTcIZBJ6NwwuQ1PJ3S05UBS90Z8roEJ8H7tHYIFRAQKBgAUx\n"
                                "OwoakjBhPgK88AXVoxbwm4TLoaENn8v/WaCUIHguIHwO1omIFuPq9TyETYgLVmrx\n"
                                "oXmqJ9ENpwT6E45xgofytrZemRMIg18Xj+GXCZ5zwaBtUFP+LCGoTVQgVthmIUgb\n"
                                "ECKmbPoWnO0n/G5NSqGcoyw03BDAbEfKYVJ9Z1ENAoGAWVf+A8xnNZwugTHqif72\n"
                                "XZkIeFV42pT5SePkBnn3ly4rJ5q7eAW3Gxt5qX5ZcoSwBddZBAfpkVZFQuWaqjzt\n"
                                "nX6CzVGS9uSR11eSBYnvpHWR5sP/Y0TjjzKUTmxI7DNgGuYIREssCISXMa7OOhdk\n"
                                "ynFx3Qmp4tkt3+4mZmWqn5w=\n"
                                "-----END PRIVATE KEY-----\n";

/* openssl x509 -outform DER | openssl dgst -sha1 -binary | base64url */
#define TEST_X5T "QbO_SKXwGd_Vm6s_DCOsdZvXGJ4"

static void write_file(const char *name, const char *text)
{
    FILE *f = fopen(name, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static size_t b64url_decode(const char *in, size_t n, uint8_t *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p = strchr(tbl, in[i]);
        assert_non_null(p);
        acc = acc << 6 | (uint32_t)(p - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    return o;
}

static void sha256(const unsigned char *data, size_t len, uint8_t out[32])
{
#if MBEDTLS_VERSION_MAJOR >= 3
    assert_int_equal(mbedtls_sha256(data, len, out, 0), 0);
#else
    assert_int_equal(mbedtls_sha256_ret(data, len, out, 0), 0);
#endif
}

static void test_sign_and_verify(void **state)
{
    (void)state;
    write_file("jwt_test_key.pem", test_key);
    write_file("jwt_test_cert.pem", test_cert);
    char err[256] = "";
    ad_azure_jwt *j = NULL;
    if (ad_azure_jwt_create("jwt_test_cert.pem", "jwt_test_key.pem", &j, err, sizeof(err)) != AD_OK)
        fail_msg("create: %s", err);
    static char jwt[AD_AZURE_JWT_MAX];
    const char *aud = "https://login.microsoftonline.com/t-1/oauth2/v2.0/token";
    assert_int_equal(
        ad_azure_jwt_sign(j, aud, "client-1", 1700000000, jwt, sizeof(jwt), err, sizeof(err)),
        AD_OK);
    const char *d1 = strchr(jwt, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);

    static uint8_t text[2048];
    size_t n = b64url_decode(jwt, (size_t)(d1 - jwt), text);
    text[n] = '\0';
    assert_non_null(strstr((char *)text, "\"alg\":\"RS256\""));
    assert_non_null(strstr((char *)text, "\"typ\":\"JWT\""));
    assert_non_null(strstr((char *)text, "\"x5t\":\"" TEST_X5T "\""));
    n = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), text);
    text[n] = '\0';
    assert_non_null(strstr((char *)text,
                           "\"aud\":\"https://login.microsoftonline.com/t-1/oauth2/v2.0/token\""));
    assert_non_null(strstr((char *)text, "\"iss\":\"client-1\""));
    assert_non_null(strstr((char *)text, "\"sub\":\"client-1\""));
    assert_non_null(strstr((char *)text, "\"nbf\":1700000000"));
    assert_non_null(strstr((char *)text, "\"exp\":1700000600"));
    assert_non_null(strstr((char *)text, "\"jti\":\""));

    /* The signature verifies with the certificate's public key (RSASSA-PKCS1-v1_5 SHA-256). */
    static uint8_t sig[1024];
    size_t slen = b64url_decode(d2 + 1, strlen(d2 + 1), sig);
    uint8_t hash[32];
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(
        mbedtls_x509_crt_parse(&crt, (const unsigned char *)test_cert, sizeof(test_cert)), 0);
    sha256((const unsigned char *)jwt, (size_t)(d2 - jwt), hash);
    assert_int_equal(mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, slen),
                     0);
    /* A changed claim no longer verifies. */
    jwt[(d1 - jwt) + 3] ^= 1;
    sha256((const unsigned char *)jwt, (size_t)(d2 - jwt), hash);
    assert_int_not_equal(
        mbedtls_pk_verify(&crt.pk, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, slen), 0);
    mbedtls_x509_crt_free(&crt);

    /* Two assertions never share a jti. */
    static char jwt2[AD_AZURE_JWT_MAX];
    assert_int_equal(
        ad_azure_jwt_sign(j, aud, "client-1", 1700000000, jwt2, sizeof(jwt2), err, sizeof(err)),
        AD_OK);
    assert_string_not_equal(jwt, jwt2);
    ad_azure_jwt_destroy(j);
    remove("jwt_test_key.pem");
    remove("jwt_test_cert.pem");
}

static void test_key_of_another_certificate(void **state)
{
    (void)state;
    write_file("jwt_other_key.pem", other_key);
    write_file("jwt_test_cert.pem", test_cert);
    char err[256] = "";
    ad_azure_jwt *j = NULL;
    assert_int_not_equal(
        ad_azure_jwt_create("jwt_test_cert.pem", "jwt_other_key.pem", &j, err, sizeof(err)), AD_OK);
    assert_non_null(strstr(err, "does not belong"));
    assert_int_not_equal(
        ad_azure_jwt_create("jwt_test_cert.pem", "jwt_missing.pem", &j, err, sizeof(err)), AD_OK);
    remove("jwt_other_key.pem");
    remove("jwt_test_cert.pem");
}

static void test_base64url(void **state)
{
    (void)state;
    char out[16];
    assert_true(ad_base64url((const uint8_t *)"\xfb\xff", 2, out, sizeof(out)));
    assert_string_equal(out, "-_8");
    assert_true(ad_base64url((const uint8_t *)"abc", 3, out, sizeof(out)));
    assert_string_equal(out, "YWJj");
    assert_false(ad_base64url((const uint8_t *)"abcd", 4, out, 6));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_and_verify),
        cmocka_unit_test(test_key_of_another_certificate),
        cmocka_unit_test(test_base64url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * asimdns: the two ETW providers and their GUIDs (declared in dns_tables.h): what the capture
 * and the configuration need to name a provider. Kept apart from the DNS and ASIM name tables
 * (dns_tables.c), which the exporter's side reads (ASIM mapping, its configuration's filters),
 * so a program that only names providers links no name tables.
 *
 * Sources are cited as "etw §x" = facts/etw-dns-providers.md.
 */
#include <string.h>

#include "common/ascii.h"
#include "common/dns_tables.h"

/* ---------------------------------------------------------------------------------------- */
/* Providers (etw §2, §3; DESIGN.md §6)                                                       */
/* ---------------------------------------------------------------------------------------- */

static const ad_provider_info dt_providers[AD_PROVIDER__COUNT] = {
    [AD_PROVIDER_DNS_SERVER] =
        {
            AD_PROVIDER_DNS_SERVER,
            AD_DNS_SERVER_PROVIDER_NAME,
            AD_DNS_SERVER_PROVIDER_GUID,
            {0xEB79061Au, 0xA566u, 0x4698u, {0x91, 0x19, 0x3E, 0xD2, 0x80, 0x70, 0x60, 0xE7}},
            "dns_server",
            AD_DNS_SERVER_DEFAULT_LEVEL,
            AD_DNS_SERVER_DEFAULT_KEYWORDS,
        },
    [AD_PROVIDER_DNS_CLIENT] =
        {
            AD_PROVIDER_DNS_CLIENT,
            AD_DNS_CLIENT_PROVIDER_NAME,
            AD_DNS_CLIENT_PROVIDER_GUID,
            {0x1C95126Eu, 0x7EEAu, 0x49A9u, {0xA3, 0xFE, 0xA3, 0x78, 0xB0, 0x3D, 0xDB, 0x4D}},
            "dns_client",
            AD_DNS_CLIENT_DEFAULT_LEVEL,
            AD_DNS_CLIENT_DEFAULT_KEYWORDS,
        },
};

const ad_provider_info *ad_provider_info_get(ad_provider provider)
{
    if ((unsigned)provider == AD_PROVIDER_UNKNOWN || (unsigned)provider >= AD_PROVIDER__COUNT)
        return NULL;
    return &dt_providers[provider];
}

/* Reads 2*nbytes hex digits at text into out (big-endian digit order). */
static bool dt_hex_bytes(const char *text, size_t nbytes, uint8_t *out)
{
    size_t i;
    for (i = 0; i < nbytes; i++) {
        int hi = ad_hex_digit(text[2 * i]);
        int lo = ad_hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

bool ad_guid_parse(const char *text, size_t len, ad_guid *guid)
{
    /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx: 36 characters, dashes at 8, 13, 18, 23. */
    uint8_t b[16];

    if (text == NULL)
        return false;
    if (len == 38) {
        if (text[0] != '{' || text[37] != '}')
            return false;
        text++;
        len = 36;
    }
    if (len != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
        return false;
    if (!dt_hex_bytes(text, 4, b) || !dt_hex_bytes(text + 9, 2, b + 4) ||
        !dt_hex_bytes(text + 14, 2, b + 6) || !dt_hex_bytes(text + 19, 2, b + 8) ||
        !dt_hex_bytes(text + 24, 6, b + 10))
        return false;
    guid->data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    guid->data2 = (uint16_t)(b[4] << 8 | b[5]);
    guid->data3 = (uint16_t)(b[6] << 8 | b[7]);
    memcpy(guid->data4, b + 8, 8);
    return true;
}

bool ad_guid_equal(const ad_guid *a, const ad_guid *b)
{
    return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
           memcmp(a->data4, b->data4, sizeof(a->data4)) == 0;
}

ad_provider ad_provider_from_guid(const ad_guid *guid)
{
    if (guid == NULL)
        return AD_PROVIDER_UNKNOWN;
    if (ad_guid_equal(guid, &dt_providers[AD_PROVIDER_DNS_SERVER].guid))
        return AD_PROVIDER_DNS_SERVER;
    if (ad_guid_equal(guid, &dt_providers[AD_PROVIDER_DNS_CLIENT].guid))
        return AD_PROVIDER_DNS_CLIENT;
    return AD_PROVIDER_UNKNOWN;
}

ad_provider ad_provider_lookup(const char *text, size_t len)
{
    ad_guid guid;
    int p;

    if (text == NULL || len == 0)
        return AD_PROVIDER_UNKNOWN;
    for (p = AD_PROVIDER_UNKNOWN + 1; p < AD_PROVIDER__COUNT; p++) {
        if (ad_ascii_equal_ci(text, len, dt_providers[p].name) ||
            ad_ascii_equal_ci(text, len, dt_providers[p].config_name))
            return (ad_provider)p;
    }
    if (ad_guid_parse(text, len, &guid))
        return ad_provider_from_guid(&guid);
    return AD_PROVIDER_UNKNOWN;
}

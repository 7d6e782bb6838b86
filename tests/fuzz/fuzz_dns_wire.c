/*
 * asimdns: libFuzzer target for common/dns_wire (RFC 1035 parser) and the exporter's answer
 * summary. Arbitrary bytes are parsed as a DNS message and summarized; the parser must never read
 * out of bounds, and its outputs must keep their documented bounds: NUL-terminated ASCII text of
 * the reported length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/dns_wire.h"
#include "exporter/dns_answers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_text(const char *text, size_t len)
{
    check(strlen(text) == len);
    for (size_t i = 0; i < len; i++)
        check(text[i] >= 0x20 && text[i] < 0x7f);
}

/* Success, or one of the parser's three errors with the rule named. */
static void check_result(ad_err err, const char *why)
{
    if (err == AD_OK)
        return;
    check(err == AD_ETRUNC || err == AD_EFORMAT || err == AD_EFULL);
    check(why != NULL && why[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ad_dns_msg m;
    const char *why = NULL;
    ad_err err = ad_dns_parse(data, size, &m, &why);
    check_result(err, why);
    check_text(m.qname, m.qname_len);
    if (err == AD_OK) {
        check(m.answer_offset <= size);
        /* Small and large caps: only whole items, always terminated. */
        static const size_t caps[] = {1, 17, 200, 1024};
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
            char buf[1024];
            size_t len = 0;
            bool trunc = false;
            why = NULL;
            err = ad_dns_answers_text(data, size, &m, buf, caps[i], &len, &trunc, &why);
            check_result(err, why);
            check(len < caps[i]);
            check_text(buf, len);
        }
    }
    /* Every start offset as a name (exercises pointers from anywhere). */
    for (size_t off = 0; off < size && off < 64; off++) {
        char text[AD_DNS_NAME_TEXT_MAX];
        size_t pos = off, len = 0;
        why = NULL;
        err = ad_dns_read_name(data, size, &pos, text, sizeof(text), &len, &why);
        check_result(err, why);
        check_text(text, len);
        if (err == AD_OK)
            check(pos > off && pos <= size);
    }
    return 0;
}

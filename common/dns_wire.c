/* asimdns: hostile-input-safe DNS message parser (dns_wire.h; RFC 1035 §3-§5). */
#include "common/dns_wire.h"

#include <stddef.h>
#include <string.h>

/* Returns err after naming the broken rule in *why (when the caller asked). */
static ad_err fail(const char **why, ad_err err, const char *text)
{
    if (why != NULL)
        *why = text;
    return err;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

/* A bounded text builder: ok goes false (and stays) once something did not fit. */
typedef struct text_buf {
    char *buf;
    size_t cap; /* includes room for the NUL */
    size_t len;
    bool ok;
} text_buf;

static void tb_init(text_buf *tb, char *buf, size_t cap)
{
    tb->buf = buf;
    tb->cap = cap;
    tb->len = 0;
    tb->ok = buf != NULL && cap > 0;
    if (tb->ok)
        buf[0] = '\0';
}

/* Appends s[n], keeping room for the NUL that tb_end writes. */
static void tb_put(text_buf *tb, const char *s, size_t n)
{
    if (!tb->ok)
        return;
    if (n >= tb->cap - tb->len) {
        tb->ok = false;
        return;
    }
    memcpy(tb->buf + tb->len, s, n);
    tb->len += n;
}

/* NUL-terminates what was built (there is always room: tb_put keeps it). */
static void tb_end(text_buf *tb)
{
    if (tb->ok)
        tb->buf[tb->len] = '\0';
}

/*
 * Bytes a label shows as themselves in master-file text (ad_dns_escape_byte, in_text false):
 * 0x21..0x7e but '"' (0x22), '.' (0x2e), ';' (0x3b) and '\\' (0x5c), as a bitmap by byte value
 * (test_dns_wire checks it against ad_dns_escape_byte for every byte).
 */
static bool plain_label_byte(uint8_t c)
{
    static const uint64_t plain[4] = {0xf7ffbffa00000000ull, 0x7fffffffefffffffull, 0, 0};
    return (plain[c >> 6] >> (c & 63)) & 1u;
}

/*
 * Appends one label's text and its dot. When even a fully escaped label fits (4 characters a
 * byte, the dot and the NUL), plain bytes are stored directly; else each piece is checked.
 */
static void tb_put_label(text_buf *tb, const uint8_t *label, size_t n)
{
    if (tb->ok && tb->cap - tb->len > 4 * n + 1) {
        char *out = tb->buf + tb->len;
        for (size_t i = 0; i < n; i++) {
            uint8_t c = label[i];
            if (plain_label_byte(c))
                *out++ = (char)c;
            else
                out += ad_dns_escape_byte(c, false, out);
        }
        *out++ = '.';
        tb->len = (size_t)(out - tb->buf);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char esc[4];
        tb_put(tb, esc, ad_dns_escape_byte(label[i], false, esc));
    }
    tb_put(tb, ".", 1);
}

size_t ad_dns_escape_byte(uint8_t c, bool in_text, char out[4])
{
    if (in_text && (c == ' ' || c == '.')) {
        out[0] = (char)c;
        return 1;
    }
    if (c == '.' || c == '\\' || c == ';' || c == '"') {
        out[0] = '\\';
        out[1] = (char)c;
        return 2;
    }
    if (c < 0x21 || c > 0x7e) {
        out[0] = '\\';
        out[1] = (char)('0' + c / 100);
        out[2] = (char)('0' + c / 10 % 10);
        out[3] = (char)('0' + c % 10);
        return 4;
    }
    out[0] = (char)c;
    return 1;
}

/*
 * The name at *off; its uncompressed part must end before limit (the end of an RDATA or the
 * message), what pointers lead to before len. tb may be NULL to only validate and skip.
 *
 * Loop safety: every pointer must point before the start of the label run that led to it
 * (not just before the pointer itself, which a run reading forward past the pointer could
 * otherwise revisit), so positions strictly decrease; AD_DNS_MAX_JUMPS bounds the work more.
 */
static ad_err read_name(const uint8_t *msg, size_t len, size_t limit, size_t *off, text_buf *tb,
                        const char **why)
{
    size_t pos = *off;
    size_t bound = limit < len ? limit : len;
    size_t run_start = pos;
    size_t wire_len = 1; /* the root label */
    size_t end_after = 0;
    unsigned jumps = 0;
    bool jumped = false;
    bool any_label = false;
    for (;;) {
        if (pos >= bound)
            return fail(why, AD_ETRUNC, AD_DNS_WHY_TRUNC);
        uint8_t b = msg[pos];
        if ((b & 0xc0u) == 0xc0u) {
            if (pos + 1 >= bound)
                return fail(why, AD_ETRUNC, AD_DNS_WHY_TRUNC);
            size_t target = ((size_t)(b & 0x3fu) << 8) | msg[pos + 1];
            if (!jumped) {
                end_after = pos + 2;
                jumped = true;
            }
            if (target >= len)
                return fail(why, AD_EFORMAT, AD_DNS_WHY_PTR_RANGE);
            if (target >= run_start)
                return fail(why, AD_EFORMAT, AD_DNS_WHY_PTR_FORWARD);
            if (++jumps > AD_DNS_MAX_JUMPS)
                return fail(why, AD_EFORMAT, AD_DNS_WHY_PTR_LOOP);
            pos = target;
            run_start = target;
            bound = len;
            continue;
        }
        if ((b & 0xc0u) != 0)
            return fail(why, AD_EFORMAT, AD_DNS_WHY_LABEL);
        if (b == 0) {
            if (!jumped)
                end_after = pos + 1;
            break;
        }
        wire_len += (size_t)b + 1;
        if (wire_len > AD_DNS_NAME_WIRE_MAX)
            return fail(why, AD_EFORMAT, AD_DNS_WHY_NAME_LEN);
        if ((size_t)b >= bound - pos)
            return fail(why, AD_ETRUNC, AD_DNS_WHY_TRUNC);
        if (tb != NULL)
            tb_put_label(tb, msg + pos + 1, b);
        any_label = true;
        pos += (size_t)b + 1;
    }
    if (tb != NULL && !any_label)
        tb_put(tb, ".", 1);
    if (tb != NULL && !tb->ok)
        return fail(why, AD_EFULL, AD_DNS_WHY_SPACE);
    if (tb != NULL)
        tb_end(tb);
    *off = end_after;
    return AD_OK;
}

ad_err ad_dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *text, size_t cap,
                        size_t *text_len, const char **why)
{
    if (text == NULL || cap == 0)
        return fail(why, AD_EFULL, AD_DNS_WHY_SPACE);
    return ad_dns_read_name_in(msg, len, len, off, text, cap, text_len, why);
}

ad_err ad_dns_read_name_in(const uint8_t *msg, size_t len, size_t limit, size_t *off, char *text,
                           size_t cap, size_t *text_len, const char **why)
{
    if (text == NULL) {
        if (text_len != NULL)
            *text_len = 0;
        return read_name(msg, len, limit, off, NULL, why);
    }
    text_buf tb;
    tb_init(&tb, text, cap);
    if (!tb.ok)
        return fail(why, AD_EFULL, AD_DNS_WHY_SPACE);
    ad_err err = read_name(msg, len, limit, off, &tb, why);
    if (err != AD_OK) {
        text[0] = '\0';
        tb.len = 0;
    }
    if (text_len != NULL)
        *text_len = tb.len;
    return err;
}

ad_err ad_dns_parse(const uint8_t *msg, size_t len, ad_dns_msg *out, const char **why)
{
    /* Every field but the text buffer, whose content past the NUL means nothing: clearing
     * its 1 KiB per message was a tenth of a dnstap frame's decode. */
    memset(out, 0, offsetof(ad_dns_msg, qname));
    out->qname[0] = '\0';
    out->qname_len = 0;
    out->qtype = 0;
    out->qclass = 0;
    out->answer_offset = 0;
    if (msg == NULL || len < AD_DNS_HEADER_SIZE)
        return fail(why, AD_ETRUNC, AD_DNS_WHY_SHORT_HEADER);
    out->has_header = true;
    out->hdr.id = get16(msg);
    out->hdr.flags = get16(msg + 2);
    out->hdr.qdcount = get16(msg + 4);
    out->hdr.ancount = get16(msg + 6);
    out->hdr.nscount = get16(msg + 8);
    out->hdr.arcount = get16(msg + 10);
    size_t off = AD_DNS_HEADER_SIZE;
    for (unsigned q = 0; q < out->hdr.qdcount; q++) {
        ad_err err;
        if (q == 0) {
            text_buf tb;
            tb_init(&tb, out->qname, sizeof(out->qname));
            err = read_name(msg, len, len, &off, &tb, why);
            if (err != AD_OK) {
                out->qname[0] = '\0';
                return err;
            }
            out->qname_len = tb.len;
        } else {
            err = read_name(msg, len, len, &off, NULL, why);
            if (err != AD_OK)
                return err;
        }
        if (len - off < 4)
            return fail(why, AD_ETRUNC, AD_DNS_WHY_TRUNC);
        if (q == 0) {
            out->qtype = get16(msg + off);
            out->qclass = get16(msg + off + 2);
            out->has_question = true;
        }
        off += 4;
    }
    out->answer_offset = off;
    return AD_OK;
}

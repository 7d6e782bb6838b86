/* asimdns-exporter: DNS answer summary (dns_answers.h; RFC 1035 §3.3, §4.1.3). */
#include "exporter/dns_answers.h"

#include <string.h>

#include "common/record.h"
#include "common/strbuf.h"

/* RR types summarized by name (RFC 1035 §3.2.2, RFC 3596 §2.1 AAAA, RFC 2782 SRV,
 * RFC 6672 §2.1 DNAME). */
enum {
    T_A = 1,
    T_NS = 2,
    T_CNAME = 5,
    T_SOA = 6,
    T_PTR = 12,
    T_MX = 15,
    T_TXT = 16,
    T_AAAA = 28,
    T_SRV = 33,
    T_DNAME = 39,
};

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static ad_err rdata_bad(const char **why)
{
    if (why != NULL)
        *why = AD_DNS_WHY_RDATA;
    return AD_EFORMAT;
}

static ad_err truncated_at(const char **why)
{
    if (why != NULL)
        *why = AD_DNS_WHY_TRUNC;
    return AD_ETRUNC;
}

/* The name at *off inside the RDATA ending at end, appended to sb. */
static ad_err put_name(const uint8_t *msg, size_t len, size_t end, size_t *off, ad_strbuf *sb,
                       const char **why)
{
    char text[AD_DNS_NAME_TEXT_MAX];
    size_t n = 0;
    ad_err err = ad_dns_read_name_in(msg, len, end, off, text, sizeof(text), &n, why);
    if (err == AD_ETRUNC)
        return rdata_bad(why); /* the name runs past its RDATA */
    if (err != AD_OK)
        return err;
    ad_strbuf_append(sb, text, n);
    return AD_OK;
}

/* One record's RDATA into sb (which has room for any single item's text). */
static ad_err summarize_rr(const uint8_t *msg, size_t len, uint16_t type, size_t rdata,
                           size_t rdlen, ad_strbuf *sb, const char **why)
{
    size_t end = rdata + rdlen;
    size_t off = rdata;
    ad_err err;
    switch (type) {
    case T_A:
    case T_AAAA: {
        if (rdlen != (type == T_A ? 4u : 16u))
            return rdata_bad(why);
        ad_addr addr;
        memset(&addr, 0, sizeof(addr));
        if (type == T_A)
            ad_addr_set_ipv4(&addr, msg + rdata, -1);
        else
            ad_addr_set_ipv6(&addr, msg + rdata, -1);
        char text[AD_ADDR_TEXT_MAX];
        ad_strbuf_append(sb, text, ad_addr_format(&addr, text, sizeof(text)));
        return AD_OK;
    }
    case T_MX:
    case T_NS:
    case T_CNAME:
    case T_PTR:
    case T_DNAME:
        if (type == T_MX) {
            if (rdlen < 3)
                return rdata_bad(why);
            ad_strbuf_u64(sb, get16(msg + rdata));
            ad_strbuf_putc(sb, ' ');
            off += 2;
        }
        err = put_name(msg, len, end, &off, sb, why);
        if (err != AD_OK)
            return err;
        return off == end ? AD_OK : rdata_bad(why);
    case T_SOA:
        /* RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM. */
        for (int i = 0; i < 2; i++) {
            err = put_name(msg, len, end, &off, sb, why);
            if (err != AD_OK)
                return err;
            ad_strbuf_putc(sb, ' ');
        }
        if (end - off != 20)
            return rdata_bad(why);
        for (int i = 0; i < 5; i++) {
            if (i > 0)
                ad_strbuf_putc(sb, ' ');
            ad_strbuf_u64(sb, get32(msg + off + 4 * (size_t)i));
        }
        return AD_OK;
    case T_SRV:
        /* RFC 2782: PRIORITY WEIGHT PORT TARGET. */
        if (rdlen < 7)
            return rdata_bad(why);
        for (int i = 0; i < 3; i++) {
            ad_strbuf_u64(sb, get16(msg + rdata + 2 * (size_t)i));
            ad_strbuf_putc(sb, ' ');
        }
        off += 6;
        err = put_name(msg, len, end, &off, sb, why);
        if (err != AD_OK)
            return err;
        return off == end ? AD_OK : rdata_bad(why);
    case T_TXT: {
        /* RFC 1035 §3.3.14: one or more <character-string>s. */
        if (rdlen == 0)
            return rdata_bad(why);
        size_t shown = 0;
        bool cut = false;
        while (off < end) {
            size_t n = msg[off];
            if (n >= end - off)
                return rdata_bad(why);
            if (off != rdata && !cut) {
                if (shown < AD_DNS_TXT_SUMMARY_MAX) {
                    ad_strbuf_putc(sb, ' ');
                    shown++;
                } else {
                    cut = true;
                }
            }
            for (size_t i = 1; i <= n && !cut; i++) {
                if (shown >= AD_DNS_TXT_SUMMARY_MAX) {
                    cut = true;
                    break;
                }
                char esc[4];
                ad_strbuf_append(sb, esc, ad_dns_escape_byte(msg[off + i], true, esc));
                shown++;
            }
            off += n + 1;
        }
        if (cut)
            ad_strbuf_puts(sb, "...");
        return AD_OK;
    }
    default:
        ad_strbuf_puts(sb, "TYPE");
        ad_strbuf_u64(sb, type);
        return AD_OK;
    }
}

/* Output state of one summary. */
typedef struct summary {
    ad_strbuf out;
    bool full; /* an item did not fit: the rest is skipped (still validated) */
} summary;

/* Walks count records from *off and summarizes each into s. */
static ad_err walk(const uint8_t *msg, size_t len, size_t *off, unsigned count, summary *s,
                   const char **why)
{
    for (unsigned i = 0; i < count; i++) {
        ad_err err = ad_dns_read_name_in(msg, len, len, off, NULL, 0, NULL, why);
        if (err != AD_OK)
            return err;
        if (len - *off < 10)
            return truncated_at(why);
        uint16_t type = get16(msg + *off);
        size_t rdlen = get16(msg + *off + 8);
        *off += 10;
        if (rdlen > len - *off)
            return truncated_at(why);
        /* Longest item: SOA, two names' text, two spaces and five 10-digit numbers. */
        char item[2 * AD_DNS_NAME_TEXT_MAX + 64];
        ad_strbuf tb;
        ad_strbuf_init(&tb, item, sizeof(item));
        err = summarize_rr(msg, len, type, *off, rdlen, &tb, why);
        if (err != AD_OK)
            return err;
        size_t need = tb.len + (s->out.len > 0 ? 1 : 0);
        if (!s->full && need < s->out.cap - s->out.len) {
            if (s->out.len > 0)
                ad_strbuf_putc(&s->out, ';');
            ad_strbuf_append(&s->out, item, tb.len);
        } else {
            s->full = true;
        }
        *off += rdlen;
    }
    return AD_OK;
}

ad_err ad_dns_answers_text(const uint8_t *msg, size_t len, const ad_dns_msg *parsed, char *buf,
                           size_t cap, size_t *out_len, bool *truncated, const char **why)
{
    char none[1];
    summary s = {.full = false};
    ad_strbuf_init(&s.out, buf != NULL && cap > 0 ? buf : none, buf != NULL && cap > 0 ? cap : 1);
    if (buf == NULL || cap == 0)
        s.full = true;
    if (out_len != NULL)
        *out_len = 0;
    if (truncated != NULL)
        *truncated = false;
    size_t off = parsed->answer_offset;
    const ad_dns_header *h = &parsed->hdr;
    if (msg == NULL || off < AD_DNS_HEADER_SIZE || off > len)
        return h->ancount == 0 ? AD_OK : truncated_at(why);
    ad_err err = walk(msg, len, &off, h->ancount, &s, why);
    if (out_len != NULL && buf != NULL && cap > 0)
        *out_len = s.out.len;
    if (truncated != NULL)
        *truncated = s.full && buf != NULL && cap > 0;
    return err;
}

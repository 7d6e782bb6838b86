/* asimdns-capture: hostile-input-safe DNS message parser (dns_wire.h; RFC 1035 §3-§5). */
#include "capture/dns_wire.h"

#include <stdio.h>
#include <string.h>

#include "common/record.h"

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

const char *ad_dns_strerror(ad_dns_err err)
{
    switch (err) {
    case AD_DNS_OK:
        return "ok";
    case AD_DNS_ESHORT_HEADER:
        return "message shorter than the 12-byte DNS header";
    case AD_DNS_ETRUNC:
        return "message truncated inside a name, question or resource record";
    case AD_DNS_ELABEL:
        return "label length over 63 (reserved label type)";
    case AD_DNS_ENAME_LEN:
        return "name longer than 255 bytes";
    case AD_DNS_EPTR_RANGE:
        return "compression pointer beyond the message";
    case AD_DNS_EPTR_FORWARD:
        return "compression pointer does not point backwards";
    case AD_DNS_EPTR_LOOP:
        return "too many compression pointers in one name";
    case AD_DNS_ERDATA:
        return "RDATA does not match its type";
    case AD_DNS_ESPACE:
        return "text buffer too small";
    case AD_DNS_ERR__COUNT:
        break;
    }
    return "unknown DNS parse error";
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static unsigned long get32(const uint8_t *p)
{
    return (unsigned long)get16(p) << 16 | get16(p + 2);
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
    tb->buf[tb->len] = '\0';
}

/* One label or TXT byte in RFC 1035 §5.1 master-file form; always ASCII. In a TXT
 * character-string (in_text) a space or a dot is plain text, so "v=spf1 mx -all" stays readable;
 * ';' stays escaped because it separates the answers in the summary. */
static void tb_put_escaped(text_buf *tb, uint8_t c, bool in_text)
{
    char tmp[5];
    if (in_text && (c == ' ' || c == '.')) {
        tmp[0] = (char)c;
        tb_put(tb, tmp, 1);
    } else if (c == '.' || c == '\\' || c == ';' || c == '"') {
        tmp[0] = '\\';
        tmp[1] = (char)c;
        tb_put(tb, tmp, 2);
    } else if (c < 0x21 || c > 0x7e) {
        tmp[0] = '\\';
        tmp[1] = (char)('0' + c / 100);
        tmp[2] = (char)('0' + c / 10 % 10);
        tmp[3] = (char)('0' + c % 10);
        tb_put(tb, tmp, 4);
    } else {
        tmp[0] = (char)c;
        tb_put(tb, tmp, 1);
    }
}

/*
 * The name at *off; its uncompressed part must end before limit (the end of an RDATA or the
 * message), what pointers lead to before len. tb may be NULL to only validate and skip.
 *
 * Loop safety: every pointer must point before the start of the label run that led to it
 * (not just before the pointer itself, which a run reading forward past the pointer could
 * otherwise revisit), so positions strictly decrease; AD_DNS_MAX_JUMPS bounds the work more.
 */
static ad_dns_err read_name(const uint8_t *msg, size_t len, size_t limit, size_t *off, text_buf *tb)
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
            return AD_DNS_ETRUNC;
        uint8_t b = msg[pos];
        if ((b & 0xc0u) == 0xc0u) {
            if (pos + 1 >= bound)
                return AD_DNS_ETRUNC;
            size_t target = ((size_t)(b & 0x3fu) << 8) | msg[pos + 1];
            if (!jumped) {
                end_after = pos + 2;
                jumped = true;
            }
            if (target >= len)
                return AD_DNS_EPTR_RANGE;
            if (target >= run_start)
                return AD_DNS_EPTR_FORWARD;
            if (++jumps > AD_DNS_MAX_JUMPS)
                return AD_DNS_EPTR_LOOP;
            pos = target;
            run_start = target;
            bound = len;
            continue;
        }
        if ((b & 0xc0u) != 0)
            return AD_DNS_ELABEL;
        if (b == 0) {
            if (!jumped)
                end_after = pos + 1;
            break;
        }
        wire_len += (size_t)b + 1;
        if (wire_len > AD_DNS_NAME_WIRE_MAX)
            return AD_DNS_ENAME_LEN;
        if ((size_t)b >= bound - pos)
            return AD_DNS_ETRUNC;
        if (tb != NULL) {
            for (size_t i = 1; i <= b; i++)
                tb_put_escaped(tb, msg[pos + i], false);
            tb_put(tb, ".", 1);
        }
        any_label = true;
        pos += (size_t)b + 1;
    }
    if (tb != NULL && !any_label)
        tb_put(tb, ".", 1);
    if (tb != NULL && !tb->ok)
        return AD_DNS_ESPACE;
    *off = end_after;
    return AD_DNS_OK;
}

ad_dns_err ad_dns_read_name(const uint8_t *msg, size_t len, size_t *off, char *text, size_t cap,
                            size_t *text_len)
{
    text_buf tb;
    tb_init(&tb, text, cap);
    if (!tb.ok)
        return AD_DNS_ESPACE;
    ad_dns_err err = read_name(msg, len, len, off, &tb);
    if (err != AD_DNS_OK) {
        text[0] = '\0';
        tb.len = 0;
    }
    if (text_len != NULL)
        *text_len = tb.len;
    return err;
}

ad_dns_err ad_dns_parse(const uint8_t *msg, size_t len, ad_dns_msg *out)
{
    memset(out, 0, sizeof(*out));
    if (msg == NULL || len < AD_DNS_HEADER_SIZE)
        return AD_DNS_ESHORT_HEADER;
    out->hdr.id = get16(msg);
    out->hdr.flags = get16(msg + 2);
    out->hdr.qdcount = get16(msg + 4);
    out->hdr.ancount = get16(msg + 6);
    out->hdr.nscount = get16(msg + 8);
    out->hdr.arcount = get16(msg + 10);
    size_t off = AD_DNS_HEADER_SIZE;
    for (unsigned q = 0; q < out->hdr.qdcount; q++) {
        ad_dns_err err;
        if (q == 0) {
            text_buf tb;
            tb_init(&tb, out->qname, sizeof(out->qname));
            err = read_name(msg, len, len, &off, &tb);
            if (err != AD_DNS_OK) {
                out->qname[0] = '\0';
                return err;
            }
            out->qname_len = tb.len;
        } else {
            err = read_name(msg, len, len, &off, NULL);
            if (err != AD_DNS_OK)
                return err;
        }
        if (len - off < 4)
            return AD_DNS_ETRUNC;
        if (q == 0) {
            out->qtype = get16(msg + off);
            out->qclass = get16(msg + off + 2);
            out->has_question = true;
        }
        off += 4;
    }
    out->answer_offset = off;
    return AD_DNS_OK;
}

/* One answer's summary into tb (which has room for any single item's text). */
static ad_dns_err summarize_rr(const uint8_t *msg, size_t len, uint16_t type, size_t rdata,
                               size_t rdlen, text_buf *tb)
{
    size_t end = rdata + rdlen;
    switch (type) {
    case T_A:
    case T_AAAA: {
        size_t want = type == T_A ? 4 : 16;
        if (rdlen != want)
            return AD_DNS_ERDATA;
        ad_addr addr;
        memset(&addr, 0, sizeof(addr));
        if (type == T_A)
            ad_addr_set_ipv4(&addr, msg + rdata, -1);
        else
            ad_addr_set_ipv6(&addr, msg + rdata, -1);
        char text[AD_ADDR_TEXT_MAX];
        size_t n = ad_addr_format(&addr, text, sizeof(text));
        tb_put(tb, text, n);
        return AD_DNS_OK;
    }
    case T_NS:
    case T_CNAME:
    case T_PTR:
    case T_DNAME:
    case T_MX: {
        size_t off = rdata;
        if (type == T_MX) {
            if (rdlen < 3)
                return AD_DNS_ERDATA;
            char pref[8];
            int n = snprintf(pref, sizeof(pref), "%u ", (unsigned)get16(msg + rdata));
            tb_put(tb, pref, (size_t)n);
            off += 2;
        }
        ad_dns_err err = read_name(msg, len, end, &off, tb);
        if (err == AD_DNS_ETRUNC)
            return AD_DNS_ERDATA; /* the name runs past its RDATA */
        if (err != AD_DNS_OK)
            return err;
        return off == end ? AD_DNS_OK : AD_DNS_ERDATA;
    }
    case T_SOA: {
        /* RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM. */
        size_t off = rdata;
        for (int i = 0; i < 2; i++) {
            ad_dns_err err = read_name(msg, len, end, &off, tb);
            if (err == AD_DNS_ETRUNC)
                return AD_DNS_ERDATA;
            if (err != AD_DNS_OK)
                return err;
            tb_put(tb, " ", 1);
        }
        if (end - off != 20)
            return AD_DNS_ERDATA;
        char nums[64];
        int n = snprintf(nums, sizeof(nums), "%lu %lu %lu %lu %lu", get32(msg + off),
                         get32(msg + off + 4), get32(msg + off + 8), get32(msg + off + 12),
                         get32(msg + off + 16));
        tb_put(tb, nums, (size_t)n);
        return AD_DNS_OK;
    }
    case T_SRV: {
        /* RFC 2782: PRIORITY WEIGHT PORT TARGET. */
        if (rdlen < 7)
            return AD_DNS_ERDATA;
        char nums[24];
        int n = snprintf(nums, sizeof(nums), "%u %u %u ", (unsigned)get16(msg + rdata),
                         (unsigned)get16(msg + rdata + 2), (unsigned)get16(msg + rdata + 4));
        tb_put(tb, nums, (size_t)n);
        size_t off = rdata + 6;
        ad_dns_err err = read_name(msg, len, end, &off, tb);
        if (err == AD_DNS_ETRUNC)
            return AD_DNS_ERDATA;
        if (err != AD_DNS_OK)
            return err;
        return off == end ? AD_DNS_OK : AD_DNS_ERDATA;
    }
    case T_TXT: {
        /* RFC 1035 §3.3.14: one or more <character-string>s. */
        if (rdlen == 0)
            return AD_DNS_ERDATA;
        size_t shown = 0;
        bool cut = false;
        size_t off = rdata;
        while (off < end) {
            size_t n = msg[off];
            if (n >= end - off)
                return AD_DNS_ERDATA;
            if (off != rdata && !cut) {
                if (shown < AD_DNS_TXT_SUMMARY_MAX) {
                    tb_put(tb, " ", 1);
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
                tb_put_escaped(tb, msg[off + i], true);
                shown++;
            }
            off += n + 1;
        }
        if (cut)
            tb_put(tb, "...", 3);
        return AD_DNS_OK;
    }
    default: {
        char tmp[16];
        int n = snprintf(tmp, sizeof(tmp), "TYPE%u", (unsigned)type);
        tb_put(tb, tmp, (size_t)n);
        return AD_DNS_OK;
    }
    }
}

ad_dns_err ad_dns_answers_text(const uint8_t *msg, size_t len, const ad_dns_msg *parsed, char *buf,
                               size_t cap, size_t *out_len, bool *truncated)
{
    text_buf out;
    tb_init(&out, buf, cap);
    if (out_len != NULL)
        *out_len = 0;
    if (truncated != NULL)
        *truncated = false;
    size_t off = parsed->answer_offset;
    if (msg == NULL || off < AD_DNS_HEADER_SIZE || off > len)
        return parsed->hdr.ancount == 0 ? AD_DNS_OK : AD_DNS_ETRUNC;
    ad_dns_err err = AD_DNS_OK;
    bool full = false;
    for (unsigned i = 0; i < parsed->hdr.ancount; i++) {
        err = read_name(msg, len, len, &off, NULL);
        if (err != AD_DNS_OK)
            break;
        if (len - off < 10) {
            err = AD_DNS_ETRUNC;
            break;
        }
        uint16_t type = get16(msg + off);
        size_t rdlen = get16(msg + off + 8);
        off += 10;
        if (rdlen > len - off) {
            err = AD_DNS_ETRUNC;
            break;
        }
        if (!full) {
            /* Longest item: SOA, two names' text, two spaces and five 10-digit numbers. */
            char item[2 * AD_DNS_NAME_TEXT_MAX + 64];
            text_buf tb;
            tb_init(&tb, item, sizeof(item));
            err = summarize_rr(msg, len, type, off, rdlen, &tb);
            if (err == AD_DNS_ESPACE)
                err = AD_DNS_ERDATA; /* cannot happen: item fits any name */
            if (err != AD_DNS_OK)
                break;
            size_t need = tb.len + (out.len > 0 ? 1 : 0);
            if (out.ok && need < out.cap - out.len) {
                if (out.len > 0)
                    tb_put(&out, ";", 1);
                tb_put(&out, item, tb.len);
            } else {
                full = true;
                if (truncated != NULL)
                    *truncated = true;
            }
        }
        off += rdlen;
    }
    if (out_len != NULL)
        *out_len = out.len;
    return err;
}

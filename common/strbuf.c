/* asimdns: bounded string builder and JSON escaping. */
#include "common/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/utf.h"

void ad_strbuf_init(ad_strbuf *sb, char *buf, size_t cap)
{
    sb->data = buf;
    sb->cap = cap;
    ad_strbuf_reset(sb);
}

void ad_strbuf_reset(ad_strbuf *sb)
{
    sb->len = 0;
    sb->overflow = false;
    if (sb->cap > 0)
        sb->data[0] = '\0';
}

void ad_strbuf_append(ad_strbuf *sb, const char *bytes, size_t len)
{
    if (sb->overflow)
        return;
    if (sb->cap == 0 || len > sb->cap - 1 - sb->len) {
        sb->overflow = true;
        return;
    }
    memcpy(sb->data + sb->len, bytes, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
}

void ad_strbuf_puts(ad_strbuf *sb, const char *text)
{
    ad_strbuf_append(sb, text, strlen(text));
}

void ad_strbuf_putc(ad_strbuf *sb, char c)
{
    ad_strbuf_append(sb, &c, 1);
}

void ad_strbuf_printf(ad_strbuf *sb, const char *fmt, ...)
{
    if (sb->overflow || sb->cap == 0)
        return;
    size_t room = sb->cap - sb->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(sb->data + sb->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        sb->data[sb->len] = '\0';
        sb->overflow = true;
        return;
    }
    sb->len += (size_t)n;
}

void ad_strbuf_u64(ad_strbuf *sb, uint64_t value)
{
    char tmp[24];
    size_t i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    ad_strbuf_append(sb, tmp + i, sizeof(tmp) - i);
}

void ad_strbuf_i64(ad_strbuf *sb, int64_t value)
{
    if (value < 0) {
        ad_strbuf_putc(sb, '-');
        ad_strbuf_u64(sb, (uint64_t)0 - (uint64_t)value);
    } else {
        ad_strbuf_u64(sb, (uint64_t)value);
    }
}

void ad_strbuf_json_escape(ad_strbuf *sb, const char *bytes, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)bytes[i];
        if (c >= 0x80) {
            size_t n = ad_utf8_valid_prefix_len(bytes + i, len - i);
            if (n == 0) {
                ad_strbuf_append(sb, "\xEF\xBF\xBD", 3); /* U+FFFD */
                i++;
            } else {
                ad_strbuf_append(sb, bytes + i, n);
                i += n;
            }
            continue;
        }
        switch (c) {
        case '"':
            ad_strbuf_append(sb, "\\\"", 2);
            break;
        case '\\':
            ad_strbuf_append(sb, "\\\\", 2);
            break;
        case '\n':
            ad_strbuf_append(sb, "\\n", 2);
            break;
        case '\r':
            ad_strbuf_append(sb, "\\r", 2);
            break;
        case '\t':
            ad_strbuf_append(sb, "\\t", 2);
            break;
        default:
            if (c < 0x20) {
                char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                ad_strbuf_append(sb, esc, sizeof(esc));
            } else {
                ad_strbuf_putc(sb, (char)c);
            }
        }
        i++;
    }
}

void ad_strbuf_json_string(ad_strbuf *sb, const char *bytes, size_t len)
{
    ad_strbuf_putc(sb, '"');
    ad_strbuf_json_escape(sb, bytes, len);
    ad_strbuf_putc(sb, '"');
}

/*
 * asimdns config: raw input checks and offset <-> line/column mapping that count exactly as
 * libyaml's scanner does, so our own messages and libyaml's agree on positions.
 */
#include "config/cfg_input.h"

#include <stdio.h>

#include "common/utf.h"

/* One step through the input: a character or a line break. */
typedef struct input_step {
    uint32_t cp;  /* code point */
    size_t width; /* bytes consumed; 0 = invalid UTF-8 here */
    bool brk;     /* a line break (CRLF counts as one) */
} input_step;

static uint32_t input_decode(const unsigned char *p, size_t n)
{
    switch (n) {
    case 1:
        return p[0];
    case 2:
        return ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
    case 3:
        return ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    default:
        return ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
               ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    }
}

static input_step input_next(const char *data, size_t len, size_t pos)
{
    input_step st = {0, 0, false};
    size_t n = ad_utf8_valid_prefix_len(data + pos, len - pos);
    if (n == 0)
        return st;
    st.cp = input_decode((const unsigned char *)data + pos, n);
    st.width = n;
    if (st.cp == '\r' && pos + 1 < len && data[pos + 1] == '\n') {
        st.width = 2;
        st.brk = true;
    } else if (st.cp == '\r' || st.cp == '\n' || st.cp == 0x85 || st.cp == 0x2028 ||
               st.cp == 0x2029) {
        st.brk = true;
    }
    return st;
}

/* The characters libyaml's reader accepts (YAML 1.1 "printable"). */
static bool input_printable(uint32_t cp)
{
    return cp == 0x09 || cp == 0x0A || cp == 0x0D || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
           (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
           (cp >= 0x10000 && cp <= 0x10FFFF);
}

static size_t input_skip_bom(const char *data, size_t len)
{
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        return 3;
    return 0;
}

bool ad__cfg_input_valid(const char *data, size_t len, uint32_t *line, uint32_t *column, char *why,
                         size_t whylen)
{
    uint32_t ln = 1, col = 1;
    size_t pos = input_skip_bom(data, len);
    while (pos < len) {
        input_step st = input_next(data, len, pos);
        if (st.width == 0) {
            snprintf(why, whylen, "invalid UTF-8 byte 0x%02X", (unsigned)(unsigned char)data[pos]);
            *line = ln;
            *column = col;
            return false;
        }
        if (!input_printable(st.cp)) {
            snprintf(why, whylen, "control character U+%04X is not allowed", (unsigned)st.cp);
            *line = ln;
            *column = col;
            return false;
        }
        if (st.brk) {
            ln++;
            col = 1;
        } else {
            col++;
        }
        pos += st.width;
    }
    return true;
}

size_t ad__cfg_input_offset(const char *data, size_t len, uint32_t line, uint32_t column)
{
    uint32_t ln = 1, col = 1;
    size_t pos = input_skip_bom(data, len);
    while (pos < len) {
        if (ln == line && col == column)
            return pos;
        input_step st = input_next(data, len, pos);
        if (st.width == 0)
            return len;
        if (st.brk) {
            if (ln == line)
                return len; /* column beyond the end of this line */
            ln++;
            col = 1;
        } else {
            col++;
        }
        pos += st.width;
    }
    return len;
}

void ad__cfg_input_position(const char *data, size_t len, size_t offset, uint32_t *line,
                            uint32_t *column)
{
    uint32_t ln = 1, col = 1;
    size_t pos = input_skip_bom(data, len);
    if (offset > len)
        offset = len;
    while (pos < offset) {
        input_step st = input_next(data, len, pos);
        if (st.width == 0)
            break;
        if (st.brk) {
            ln++;
            col = 1;
        } else {
            col++;
        }
        pos += st.width;
    }
    *line = ln;
    *column = col;
}

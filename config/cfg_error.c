/* asimdns config: error message helpers. */
#include "config/cfg_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ad__cfg_errorf(char *err, size_t errlen, const char *file, uint32_t line, uint32_t column,
                    const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    int n = snprintf(err, errlen, "%s:%u:%u: ", file, (unsigned)line, (unsigned)column);
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *ad__cfg_excerpt(const char *text, char *out, size_t outlen)
{
    enum { EXCERPT_CHARS = 48 };
    size_t len = strlen(text);
    size_t keep = len > EXCERPT_CHARS ? EXCERPT_CHARS : len;
    /* Cut on a character boundary so the message stays valid UTF-8. */
    while (keep > 0 && keep < len && ((unsigned char)text[keep] & 0xC0) == 0x80)
        keep--;
    size_t o = 0;
    if (outlen == 0)
        return out;
    for (size_t i = 0; i < keep && o + 1 < outlen; i++) {
        unsigned char c = (unsigned char)text[i];
        out[o++] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    if (keep < len) {
        for (int i = 0; i < 3 && o + 1 < outlen; i++)
            out[o++] = '.';
    }
    out[o] = '\0';
    return out;
}

/* asimdns-capture: bounded line reader (line_reader.h). */
#include "capture/line_reader.h"

#include <string.h>

void ad_line_reader_init(ad_line_reader *r, int fd, char *line, size_t max_len)
{
    r->fd = fd;
    r->line = line;
    r->max_len = max_len;
    r->len = 0;
    r->skipping = false;
    r->eof = false;
    r->line_no = 0;
    r->pos = r->end = 0;
}

static ad_line_status give_line(ad_line_reader *r, const char **line, size_t *len)
{
    r->line_no++;
    *line = r->line;
    *len = r->len;
    r->len = 0; /* the bytes stay in r->line until the next call writes there */
    return AD_LINE_OK;
}

ad_line_status ad_line_next(ad_line_reader *r, const char **line, size_t *len)
{
    bool have_read = false;
    for (;;) {
        if (r->pos == r->end) {
            if (r->eof || have_read)
                break;
            long n = ad_line_input_read(r->fd, r->chunk, sizeof(r->chunk));
            have_read = true;
            if (n == AD_LINE_INPUT_AGAIN)
                break;
            if (n < 0)
                return AD_LINE_ERROR;
            if (n == 0) {
                r->eof = true;
                break;
            }
            r->pos = 0;
            r->end = (size_t)n;
        }
        const char *start = r->chunk + r->pos;
        const char *nl = memchr(start, '\n', r->end - r->pos);
        size_t take = nl != NULL ? (size_t)(nl - start) : r->end - r->pos;
        r->pos += take + (nl != NULL ? 1 : 0);
        if (r->skipping) {
            if (nl != NULL)
                r->skipping = false; /* the overlong line ends here; the next one is whole */
            continue;
        }
        if (take > r->max_len - r->len) {
            /* Reported now, not at its end: a line that never ends (/dev/zero) counts too. */
            r->line_no++;
            r->len = 0;
            r->skipping = nl == NULL;
            return AD_LINE_TOO_LONG;
        }
        memcpy(r->line + r->len, start, take);
        r->len += take;
        if (nl != NULL)
            return give_line(r, line, len);
    }
    /* Nothing buffered: more to read, or the end (with a last line lacking its '\n'). */
    if (!r->eof)
        return AD_LINE_AGAIN;
    if (r->len > 0)
        return give_line(r, line, len);
    return AD_LINE_EOF;
}

/*
 * asimdns-capture: reads a text file line by line in bounded steps, for the replay source.
 *
 * Any input is safe: a line may hold NUL bytes (they come back as part of the line, with its
 * true length, for the caller to reject), a line longer than the limit is reported once and
 * its rest skipped up to the next '\n' without swallowing the line after it, and input without
 * any newline at all (/dev/zero) never blocks the caller for more than one read of
 * AD_LINE_CHUNK bytes: each call reads at most once, so the caller can check for stop and keep
 * its heartbeat between calls.
 */
#ifndef AD_CAPTURE_LINE_READER_H
#define AD_CAPTURE_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Bytes read from the file at a time. */
#define AD_LINE_CHUNK (64u << 10)

typedef enum ad_line_status {
    AD_LINE_OK = 0,   /* *line[*len]: one line without its '\n' (may hold NUL bytes) */
    AD_LINE_TOO_LONG, /* the line passed the limit: reported once, its rest skipped */
    AD_LINE_AGAIN,    /* one read done without completing a line: call again */
    AD_LINE_EOF,      /* end of file */
    AD_LINE_ERROR,    /* the read failed (errno) */
} ad_line_status;

typedef struct ad_line_reader {
    FILE *file;
    char *line; /* caller's buffer of max_len bytes */
    size_t max_len;
    size_t len;    /* bytes of the current line so far */
    bool skipping; /* in the rest of an overlong line */
    bool eof;
    unsigned long line_no; /* number (from 1) of the line last returned or reported */
    size_t pos, end;       /* unread bytes: chunk[pos..end) */
    char chunk[AD_LINE_CHUNK];
} ad_line_reader;

/* Starts reading file (opened by the caller) into line[max_len]. */
void ad_line_reader_init(ad_line_reader *r, FILE *file, char *line, size_t max_len);

/*
 * The next line, or why there is none yet. *line and *len are set for AD_LINE_OK and stay
 * valid until the next call; r->line_no is the number of the line returned or reported as
 * too long.
 */
ad_line_status ad_line_next(ad_line_reader *r, const char **line, size_t *len);

#endif

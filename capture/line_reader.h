/*
 * asimdns-capture: reads a text file line by line in bounded steps, for the replay source.
 *
 * Any input is safe: a line may hold NUL bytes (they come back as part of the line, with its
 * true length, for the caller to reject), a line longer than the limit is reported once and
 * its rest skipped up to the next '\n' without swallowing the line after it, and input without
 * any newline at all (/dev/zero), or a pipe that stays silent, never holds the caller for more
 * than one read of AD_LINE_CHUNK bytes or AD_LINE_WAIT_MS: each call reads at most once, so the
 * caller can check for stop and keep its heartbeat between calls.
 */
#ifndef AD_CAPTURE_LINE_READER_H
#define AD_CAPTURE_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes read from the input at a time. */
#define AD_LINE_CHUNK (64u << 10)
/* Longest one read waits for a pipe or FIFO that has nothing to read yet. */
#define AD_LINE_WAIT_MS 200
/* ad_line_input_read: nothing arrived within AD_LINE_WAIT_MS. */
#define AD_LINE_INPUT_AGAIN (-2)

/*
 * The input, by OS (line_input_posix.c, line_input_win32.c). Open returns a descriptor or -1
 * (errno set). POSIX opens without blocking (a FIFO without a writer reads as ended) and a
 * read waits at most AD_LINE_WAIT_MS; read returns the bytes read, 0 at the end,
 * AD_LINE_INPUT_AGAIN, or -1 on an error.
 */
int ad_line_input_open(const char *path);
long ad_line_input_read(int fd, char *buf, size_t cap);
void ad_line_input_close(int fd);

typedef enum ad_line_status {
    AD_LINE_OK = 0,   /* *line[*len]: one line without its '\n' (may hold NUL bytes) */
    AD_LINE_TOO_LONG, /* the line passed the limit: reported once, its rest skipped */
    AD_LINE_AGAIN,    /* one read done without completing a line: call again */
    AD_LINE_EOF,      /* end of file */
    AD_LINE_ERROR,    /* the read failed (errno) */
} ad_line_status;

typedef struct ad_line_reader {
    int fd;
    char *line; /* caller's buffer of max_len bytes */
    size_t max_len;
    size_t len;    /* bytes of the current line so far */
    bool skipping; /* in the rest of an overlong line */
    bool eof;
    unsigned long line_no; /* number (from 1) of the line last returned or reported */
    size_t pos, end;       /* unread bytes: chunk[pos..end) */
    char chunk[AD_LINE_CHUNK];
} ad_line_reader;

/* Starts reading fd (opened by the caller) into line[max_len]. */
void ad_line_reader_init(ad_line_reader *r, int fd, char *line, size_t max_len);

/*
 * The next line, or why there is none yet. *line and *len are set for AD_LINE_OK and stay
 * valid until the next call; r->line_no is the number of the line returned or reported as
 * too long.
 */
ad_line_status ad_line_next(ad_line_reader *r, const char **line, size_t *len);

#endif

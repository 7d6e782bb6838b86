/*
 * Unit tests for the bounded line reader (capture/line_reader.h): NUL bytes stay inside their
 * line, an overlong line is reported once and never takes the next line with it, line
 * numbers stay right, a line that never ends costs one read per call, and the last line may
 * lack its newline.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "capture/line_reader.h"
#include "common/timeutil.h"

static ad_line_reader rd;
static char line_buf[256];

/* A temporary file holding data[len], read back with max_len bytes per line. */
static FILE *open_data(const char *data, size_t len, size_t max_len)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    rewind(f); /* flushes, and the descriptor is at the start */
    ad_line_reader_init(&rd, fileno(f), line_buf, max_len);
    return f;
}

/* The next status other than AD_LINE_AGAIN (at most max_calls calls). */
static ad_line_status next(const char **line, size_t *len, int max_calls)
{
    ad_line_status s = AD_LINE_AGAIN;
    for (int i = 0; i < max_calls && s == AD_LINE_AGAIN; i++)
        s = ad_line_next(&rd, line, len);
    return s;
}

static void expect_line(const char *want, size_t want_len, unsigned long line_no)
{
    const char *line;
    size_t len;
    assert_int_equal(next(&line, &len, 4), AD_LINE_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(line, want, want_len);
    assert_int_equal(rd.line_no, line_no);
}

static void expect_status(ad_line_status want, unsigned long line_no)
{
    const char *line;
    size_t len;
    assert_int_equal(next(&line, &len, 4), want);
    assert_int_equal(rd.line_no, line_no);
}

static void test_nul_stays_in_its_line(void **state)
{
    (void)state;
    static const char data[] = "ab\0cd\n\0\nnext\nlast without newline";
    FILE *f = open_data(data, sizeof(data) - 1, 100);
    expect_line("ab\0cd", 5, 1);
    expect_line("\0", 1, 2);
    expect_line("next", 4, 3);
    expect_line("last without newline", 20, 4);
    expect_status(AD_LINE_EOF, 4);
    fclose(f);
}

static void test_overlong_line_is_one_line(void **state)
{
    (void)state;
    /* max 8: "12345678" fits, "123456789" does not; CR is part of the line. */
    static const char data[] = "123456789\n12345678\nabcdefghijklmnop\nok\r\n\n";
    FILE *f = open_data(data, sizeof(data) - 1, 8);
    expect_status(AD_LINE_TOO_LONG, 1);
    expect_line("12345678", 8, 2);
    expect_status(AD_LINE_TOO_LONG, 3);
    expect_line("ok\r", 3, 4);
    expect_line("", 0, 5);
    expect_status(AD_LINE_EOF, 5);
    fclose(f);
}

/* A line of three chunks and more: reported once, skipped a chunk per call, then the next. */
static void test_overlong_across_chunks(void **state)
{
    (void)state;
    static char data[3 * AD_LINE_CHUNK + 100];
    memset(data, 'x', sizeof(data));
    memcpy(data + sizeof(data) - 7, "\nafter\n", 7);
    FILE *f = open_data(data, sizeof(data), 100);
    const char *line;
    size_t len;
    assert_int_equal(ad_line_next(&rd, &line, &len), AD_LINE_TOO_LONG);
    int calls = 0;
    ad_line_status s;
    while ((s = ad_line_next(&rd, &line, &len)) == AD_LINE_AGAIN)
        calls++;
    assert_true(calls >= 2 && calls <= 4); /* one read per call */
    assert_int_equal(s, AD_LINE_OK);
    assert_int_equal(len, 5);
    assert_memory_equal(line, "after", 5);
    assert_int_equal(rd.line_no, 2);
    expect_status(AD_LINE_EOF, 2);
    fclose(f);
    /* The same line at the end of the file, without a newline: one report, then the end. */
    f = open_data(data, sizeof(data) - 7, 100);
    expect_status(AD_LINE_TOO_LONG, 1);
    expect_status(AD_LINE_EOF, 1);
    fclose(f);
}

static void test_empty_file(void **state)
{
    (void)state;
    FILE *f = open_data("", 0, 10);
    expect_status(AD_LINE_EOF, 0);
    expect_status(AD_LINE_EOF, 0);
    fclose(f);
}

#ifndef _WIN32
/* Input with no newline at all: each call returns after one read; reported once. */
static void test_dev_zero(void **state)
{
    (void)state;
    int fd = ad_line_input_open("/dev/zero");
    assert_true(fd >= 0);
    ad_line_reader_init(&rd, fd, line_buf, sizeof(line_buf));
    const char *line;
    size_t len;
    assert_int_equal(ad_line_next(&rd, &line, &len), AD_LINE_TOO_LONG);
    for (int i = 0; i < 100; i++)
        assert_int_equal(ad_line_next(&rd, &line, &len), AD_LINE_AGAIN);
    assert_int_equal(rd.line_no, 1);
    ad_line_input_close(fd);
}

/* A FIFO: opening does not wait for a writer; a silent writer costs one bounded wait a call. */
static void test_fifo(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/ad-line-fifo-%ld", (long)getpid());
    (void)unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    int fd = ad_line_input_open(path);
    assert_true(fd >= 0);
    int wfd = open(path, O_WRONLY | O_NONBLOCK);
    assert_true(wfd >= 0);
    ad_line_reader_init(&rd, fd, line_buf, sizeof(line_buf));
    const char *line;
    size_t len;
    assert_int_equal(write(wfd, "abc", 3), 3);
    uint64_t t0 = ad_time_mono_ns();
    assert_int_equal(ad_line_next(&rd, &line, &len), AD_LINE_AGAIN); /* "abc" read, no '\n' */
    assert_int_equal(ad_line_next(&rd, &line, &len), AD_LINE_AGAIN); /* nothing: one wait */
    assert_true(ad_time_mono_ns() - t0 < 1000000000ull);
    assert_int_equal(write(wfd, "\nde", 3), 3);
    expect_line("abc", 3, 1);
    close(wfd);
    expect_line("de", 2, 2); /* the writer gone: the end, and the last line with it */
    expect_status(AD_LINE_EOF, 2);
    ad_line_input_close(fd);
    unlink(path);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nul_stays_in_its_line),
        cmocka_unit_test(test_overlong_line_is_one_line),
        cmocka_unit_test(test_overlong_across_chunks),
        cmocka_unit_test(test_empty_file),
#ifndef _WIN32
        cmocka_unit_test(test_dev_zero),
        cmocka_unit_test(test_fifo),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

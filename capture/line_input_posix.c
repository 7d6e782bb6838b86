/* asimdns-capture: the line reader's input on POSIX systems (line_reader.h). */
#ifdef AD_PLATFORM_POSIX
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "capture/line_reader.h"

int ad_line_input_open(const char *path)
{
    /* O_NONBLOCK: opening a FIFO must not wait for its writer, nor a read for its data. */
    return open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

long ad_line_input_read(int fd, char *buf, size_t cap)
{
    ssize_t n = read(fd, buf, cap);
    if (n >= 0)
        return (long)n;
    if (errno == EINTR)
        return AD_LINE_INPUT_AGAIN;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        return -1;
    /* Nothing yet (a pipe or FIFO): wait a little, then let the caller check for stop. */
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    (void)poll(&pf, 1, AD_LINE_WAIT_MS);
    return AD_LINE_INPUT_AGAIN;
}

void ad_line_input_close(int fd)
{
    if (fd >= 0)
        close(fd);
}
#endif

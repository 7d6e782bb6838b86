/* asimdns-capture: the line reader's input on Windows (line_reader.h): plain reads of a file. */
#ifdef AD_PLATFORM_WINDOWS
#include <fcntl.h>
#include <io.h>

#include "capture/line_reader.h"

int ad_line_input_open(const char *path)
{
    return _open(path, _O_RDONLY | _O_BINARY);
}

long ad_line_input_read(int fd, char *buf, size_t cap)
{
    return (long)_read(fd, buf, (unsigned)cap);
}

void ad_line_input_close(int fd)
{
    if (fd >= 0)
        _close(fd);
}
#endif

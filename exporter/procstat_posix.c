/* asimdns-exporter: process RSS and CPU time from /proc (Linux). See procstat.h. */
#ifdef AD_PLATFORM_POSIX

#include "exporter/procstat.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
/* Reads a small /proc file into buf (NUL-terminated); AD_ENOENT when it cannot be opened. */
static ad_err read_proc(uint64_t pid, const char *what, char *buf, size_t cap)
{
    char path[64];
    if (pid == 0)
        snprintf(path, sizeof(path), "/proc/self/%s", what);
    else
        snprintf(path, sizeof(path), "/proc/%llu/%s", (unsigned long long)pid, what);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return errno == EACCES ? AD_EPERM : AD_ENOENT;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = '\0';
    return n > 0 ? AD_OK : AD_EIO;
}

ad_err ad_procstat_read(uint64_t pid, ad_procstat *out)
{
    char buf[1024];
    unsigned long long size = 0, resident = 0, utime = 0, stime = 0;
    memset(out, 0, sizeof(*out));
    ad_err err = read_proc(pid, "statm", buf, sizeof(buf));
    if (err != AD_OK)
        return err;
    if (sscanf(buf, "%llu %llu", &size, &resident) != 2)
        return AD_EFORMAT;
    long page = sysconf(_SC_PAGESIZE);
    out->rss_bytes = resident * (unsigned long long)(page > 0 ? page : 4096);

    err = read_proc(pid, "stat", buf, sizeof(buf));
    if (err != AD_OK)
        return err;
    /* The command name (field 2) may hold spaces and parentheses: fields count from the last
       ')'. utime and stime are fields 14 and 15, in clock ticks. */
    const char *p = strrchr(buf, ')');
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                            &stime) != 2)
        return AD_EFORMAT;
    long hz = sysconf(_SC_CLK_TCK);
    out->cpu_seconds = (double)(utime + stime) / (double)(hz > 0 ? hz : 100);
    return AD_OK;
}
#else
ad_err ad_procstat_read(uint64_t pid, ad_procstat *out)
{
    (void)pid;
    memset(out, 0, sizeof(*out));
    return AD_EUNSUPP;
}
#endif

#endif

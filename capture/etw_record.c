/* asimdns-capture: the --record writer (see etw_record.h). */
#include "capture/etw_record.h"

#include <stdlib.h>
#include <string.h>

#include "common/dns_tables.h"
#include "common/log.h"
#include "common/strbuf.h"

/* Writes buf[0..len) out; the caller holds the lock. */
static void write_out(ad_etw_recorder *r)
{
    if (r->len == 0)
        return;
    if (!r->failed && (fwrite(r->buf, 1, r->len, r->file) != r->len || fflush(r->file) != 0)) {
        r->failed = true;
        ad_log_error("--record %s: write failed; the recording is incomplete from here on",
                     r->path);
    }
    if (r->failed) {
        for (size_t i = 0; i < r->len; i++)
            r->lost += r->buf[i] == '\n';
    }
    r->len = 0;
}

ad_err ad_etw_recorder_open(ad_etw_recorder *r, const char *path)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->path, sizeof(r->path), "%s", path);
    r->buf = malloc(AD_ETW_RECORD_BUFFER);
    if (r->buf == NULL || ad_mutex_create(&r->lock) != AD_OK) {
        free(r->buf);
        r->buf = NULL;
        ad_log_error("--record %s: out of memory", path);
        return AD_ENOMEM;
    }
    r->file = fopen(path, "wb");
    if (r->file == NULL) {
        ad_mutex_destroy(r->lock);
        free(r->buf);
        r->buf = NULL;
        ad_log_error("--record %s: cannot create the file", path);
        return AD_EIO;
    }
    /* A comment line: the replay parser skips it (DESIGN.md §4). */
    fprintf(r->file,
            "# asimdns-capture %s --record: TIMESTAMP_NS PROVIDER EVENT_ID VERSION PID "
            "TID HEADER_FLAGS USERDATA_HEX\n",
            ASIMDNS_VERSION);
    return AD_OK;
}

void ad_etw_recorder_add(ad_etw_recorder *r, const ad_etw_event_in *ev)
{
    if (ad_provider_info_get(ev->provider) == NULL) {
        r->skipped++; /* only the callback thread touches it */
        return;
    }
    ad_mutex_lock(r->lock);
    for (int attempt = 0; attempt < 2; attempt++) {
        ad_strbuf sb;
        ad_strbuf_init(&sb, r->buf + r->len, AD_ETW_RECORD_BUFFER - r->len);
        ad_replay_format_line(ev, &sb);
        if (!ad_strbuf_overflowed(&sb)) {
            r->len += sb.len;
            r->lines++;
            break;
        }
        /* Full: write out what is there and format again into the empty buffer, which always
           has room for the longest line. */
        write_out(r);
    }
    ad_mutex_unlock(r->lock);
}

void ad_etw_recorder_flush(ad_etw_recorder *r)
{
    ad_mutex_lock(r->lock);
    write_out(r);
    ad_mutex_unlock(r->lock);
}

ad_err ad_etw_recorder_close(ad_etw_recorder *r)
{
    if (r->buf == NULL)
        return AD_OK;
    ad_etw_recorder_flush(r);
    if (fclose(r->file) != 0 && !r->failed) {
        r->failed = true;
        ad_log_error("--record %s: closing the file failed", r->path);
    }
    ad_log_info("--record %s: %llu events written, %llu of other providers skipped%s", r->path,
                (unsigned long long)(r->lines - r->lost), (unsigned long long)r->skipped,
                r->failed ? " (incomplete: write error)" : "");
    ad_mutex_destroy(r->lock);
    free(r->buf);
    r->buf = NULL;
    r->file = NULL;
    return r->failed ? AD_EIO : AD_OK;
}

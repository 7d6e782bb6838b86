/* asimdns-capture: the replay source (replay text file -> decoders -> ring). */
#include <stdio.h>
#include <string.h>

#include "capture/emit.h"
#include "capture/replay_format.h"
#include "capture/source.h"
#include "common/log.h"

/* Malformed lines logged one by one before only the count is reported. */
#define REPLAY_LOG_LIMIT 20

typedef struct replay_state {
    ad_capture_ctx *ctx;
    FILE *file;
    unsigned long line_no;
    uint64_t events, bad_lines;
    char line[AD_REPLAY_MAX_LINE + 2];
    unsigned char userdata[AD_ETW_MAX_USERDATA];
    ad_decode_scratch scratch;
} replay_state;

/* Reads one line; returns its length, or -1 at end of file. Overlong lines come back as -2
 * after the rest of the line has been skipped. */
static long read_line(replay_state *st)
{
    if (fgets(st->line, sizeof(st->line), st->file) == NULL)
        return -1;
    st->line_no++;
    size_t len = strlen(st->line);
    if (len > 0 && st->line[len - 1] == '\n')
        return (long)(len - 1);
    if (feof(st->file))
        return (long)len; /* last line without newline */
    int c;
    while ((c = fgetc(st->file)) != EOF && c != '\n') {
    }
    return -2;
}

static void bad_line(replay_state *st, const char *why)
{
    st->bad_lines++;
    ad_ring_producer_counter_add(st->ctx->ring, AD_CAP_REPLAY_BAD_LINES, 1);
    if (st->bad_lines <= REPLAY_LOG_LIMIT)
        ad_log_warn("%s:%lu: %s", st->ctx->cfg->source.replay.file, st->line_no, why);
    else if (st->bad_lines == REPLAY_LOG_LIMIT + 1)
        ad_log_warn("%s: more malformed lines; only counting them now",
                    st->ctx->cfg->source.replay.file);
}

/* One pass over the file. Returns AD_OK at end of file, AD_ECLOSED when stopped, AD_EFORMAT
 * on a malformed line in strict mode. */
static ad_err replay_pass(replay_state *st, ad_pacer *pacer)
{
    const ad_capture_source *src = &st->ctx->cfg->source;
    for (;;) {
        if (ad_capture_tick(st->ctx))
            return AD_ECLOSED;
        while (ad_pacer_allow(pacer, 1) == 0) {
            if (ad_capture_tick(st->ctx))
                return AD_ECLOSED;
        }
        long len = read_line(st);
        if (len == -1)
            return AD_OK;
        const char *why = "line longer than the replay format allows";
        ad_etw_event_in in;
        ad_replay_line_kind kind = AD_REPLAY_EVENT;
        ad_err err = AD_ERANGE;
        if (len >= 0)
            err = ad_replay_parse_line(st->line, (size_t)len, &in, st->userdata,
                                       sizeof(st->userdata), &kind, &why);
        if (err != AD_OK) {
            bad_line(st, why);
            if (src->replay.strict)
                return AD_EFORMAT;
            continue;
        }
        if (kind == AD_REPLAY_SKIP)
            continue;
        st->events++;
        (void)ad_capture_etw_event(st->ctx->ring, &in, &st->scratch);
    }
}

ad_err ad_source_replay_run(ad_capture_ctx *ctx)
{
    static replay_state st; /* large buffers: keep them off the stack */
    memset(&st, 0, sizeof(st));
    st.ctx = ctx;
    const ad_capture_source *src = &ctx->cfg->source;
    ad_pacer pacer;
    ad_pacer_init(&pacer, src->replay.rate);
    ad_err err;
    do {
        st.file = fopen(src->replay.file, "r");
        if (st.file == NULL) {
            ad_log_error("replay file %s: cannot open", src->replay.file);
            return AD_ENOENT;
        }
        st.line_no = 0;
        err = replay_pass(&st, &pacer);
        fclose(st.file);
    } while (err == AD_OK && src->replay.loop);
    ad_log_info("replay %s: %llu events, %llu malformed lines", src->replay.file,
                (unsigned long long)st.events, (unsigned long long)st.bad_lines);
    if (err == AD_EFORMAT)
        ad_log_error("%s:%lu: stopping at the malformed line (strict)", src->replay.file,
                     st.line_no);
    return err == AD_ECLOSED ? AD_OK : err;
}

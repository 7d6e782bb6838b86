/* asimdns-capture: the replay source (replay text file -> decoders -> ring). */
#include <errno.h>
#include <string.h>

#include "capture/emit.h"
#include "capture/line_reader.h"
#include "capture/replay_format.h"
#include "capture/source.h"
#include "capture/source_table.h"
#include "common/log.h"

/* Malformed lines logged one by one before only the count is reported. */
#define REPLAY_LOG_LIMIT 20

typedef struct replay_state {
    ad_capture_ctx *ctx;
    ad_line_reader reader;
    uint64_t events, bad_lines;
    char line[AD_REPLAY_MAX_LINE];
    unsigned char userdata[AD_ETW_MAX_USERDATA];
    ad_decode_scratch scratch;
} replay_state;

static void bad_line(replay_state *st, const char *why)
{
    st->bad_lines++;
    ad_ring_producer_counter_add(st->ctx->ring, AD_CAP_REPLAY_BAD_LINES, 1);
    if (st->bad_lines <= REPLAY_LOG_LIMIT)
        ad_log_warn("%s:%lu: %s", st->ctx->cfg->source.replay.file, st->reader.line_no, why);
    else if (st->bad_lines == REPLAY_LOG_LIMIT + 1)
        ad_log_warn("%s: more malformed lines; only counting them now",
                    st->ctx->cfg->source.replay.file);
}

/* One pass over the file. Returns AD_OK at end of file, AD_ECLOSED when stopped, AD_EFORMAT
 * on a malformed line in strict mode, AD_EIO when reading fails. Stop and the heartbeat are
 * checked between lines and between reads of a line that does not end. */
static ad_err replay_pass(replay_state *st, ad_pacer *pacer)
{
    const ad_capture_source *src = &st->ctx->cfg->source;
    for (;;) {
        if (ad_capture_tick(st->ctx))
            return AD_ECLOSED;
        const char *line = NULL;
        size_t len = 0;
        ad_line_status ls = ad_line_next(&st->reader, &line, &len);
        if (ls == AD_LINE_AGAIN)
            continue;
        if (ls == AD_LINE_EOF)
            return AD_OK;
        if (ls == AD_LINE_ERROR) {
            ad_log_error("replay file %s: read error after line %lu", src->replay.file,
                         st->reader.line_no);
            return AD_EIO;
        }
        const char *why = "line longer than the replay format allows";
        ad_etw_event_in in;
        ad_replay_line_kind kind = AD_REPLAY_EVENT;
        ad_err err = AD_ERANGE;
        if (ls == AD_LINE_OK)
            err = ad_replay_parse_line(line, len, &in, st->userdata, sizeof(st->userdata), &kind,
                                       &why);
        if (err != AD_OK) {
            bad_line(st, why);
            if (src->replay.strict)
                return AD_EFORMAT;
            continue;
        }
        if (kind == AD_REPLAY_SKIP)
            continue;
        while (ad_pacer_allow(pacer, 1) == 0) {
            if (ad_capture_tick(st->ctx))
                return AD_ECLOSED;
        }
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
        int fd = ad_line_input_open(src->replay.file);
        if (fd < 0) {
            ad_log_error("replay file %s: cannot open: %s", src->replay.file, strerror(errno));
            return AD_ENOENT;
        }
        ad_line_reader_init(&st.reader, fd, st.line, sizeof(st.line));
        uint64_t events_before = st.events;
        err = replay_pass(&st, &pacer);
        ad_line_input_close(fd);
        /* Looping over a file without events would only spin (or count its bad lines again
         * and again): refused. */
        if (err == AD_OK && src->replay.loop && st.events == events_before) {
            ad_log_error("replay file %s: no events in it to loop over (loop: true)",
                         src->replay.file);
            err = AD_EEMPTY;
            break;
        }
    } while (err == AD_OK && src->replay.loop);
    ad_log_info("replay %s: %llu events, %llu malformed lines", src->replay.file,
                (unsigned long long)st.events, (unsigned long long)st.bad_lines);
    if (err == AD_EFORMAT)
        ad_log_error("%s:%lu: stopping at the malformed line (strict)", src->replay.file,
                     st.reader.line_no);
    return err == AD_ECLOSED ? AD_OK : err;
}

/* The file is opened in run, as the configured user: it needs no privileges. */
static ad_err replay_run(ad_capture_ctx *ctx, void *state)
{
    (void)state;
    return ad_source_replay_run(ctx);
}

const ad_source_desc ad_source_replay = {
    .type = AD_SOURCE_REPLAY,
    .name = "replay",
    .caps = AD_SOURCE_AVAILABLE,
    .run = replay_run,
};

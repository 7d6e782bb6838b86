/* asimdns: leveled text/JSON logger to stderr. */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/timeutil.h"

static struct {
    char tag[32];
    ad_log_level min_level;
    ad_log_format format;
    ad_log_sink_fn sink;
    void *sink_ctx;
} log_state = {"asimdns", AD_LOG_INFO, AD_LOG_TEXT, NULL, NULL};

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void ad_log_init(const char *process_tag, ad_log_level min_level, ad_log_format format)
{
    snprintf(log_state.tag, sizeof(log_state.tag), "%s", process_tag);
    log_state.min_level = min_level;
    log_state.format = format;
}

void ad_log_set_sink(ad_log_sink_fn fn, void *ctx)
{
    log_state.sink = fn;
    log_state.sink_ctx = ctx;
}

bool ad_log_level_parse(const char *name, ad_log_level *out)
{
    for (unsigned i = 0; i < AD_ARRAY_LEN(level_names); i++) {
        if (strcmp(name, level_names[i]) == 0) {
            *out = (ad_log_level)i;
            return true;
        }
    }
    return false;
}

const char *ad_log_level_name(ad_log_level level)
{
    if ((unsigned)level >= AD_ARRAY_LEN(level_names))
        return "?";
    return level_names[level];
}

void ad_log(ad_log_level level, const char *fmt, ...)
{
    if (level < log_state.min_level || level >= AD_LOG_OFF)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t msg_len = n < 0 ? 0 : (size_t)n >= sizeof(msg) ? sizeof(msg) - 1 : (size_t)n;

    char ts[AD_RFC3339_MAX];
    size_t ts_len = ad_time_format_rfc3339(ad_time_now_ns(), ts, sizeof(ts));

    char line[2048];
    ad_strbuf sb;
    ad_strbuf_init(&sb, line, sizeof(line));
    if (log_state.format == AD_LOG_JSON) {
        ad_strbuf_puts(&sb, "{\"time\":");
        ad_strbuf_json_string(&sb, ts, ts_len);
        ad_strbuf_puts(&sb, ",\"level\":\"");
        ad_strbuf_puts(&sb, level_names[level]);
        ad_strbuf_puts(&sb, "\",\"process\":");
        ad_strbuf_json_string(&sb, log_state.tag, strlen(log_state.tag));
        ad_strbuf_puts(&sb, ",\"message\":");
        ad_strbuf_json_string(&sb, msg, msg_len);
        ad_strbuf_putc(&sb, '}');
    } else {
        ad_strbuf_printf(&sb, "%s %s %s: ", ts, log_state.tag, level_names[level]);
        ad_strbuf_append(&sb, msg, msg_len);
    }
    /* A line cut short by the buffer still ends with a newline. */
    if (ad_strbuf_overflowed(&sb))
        sb.len = strlen(line);
    fprintf(stderr, "%.*s\n", (int)sb.len, line);
    if (log_state.sink != NULL) {
        msg[msg_len] = '\0';
        log_state.sink(level, msg, log_state.sink_ctx);
    }
}

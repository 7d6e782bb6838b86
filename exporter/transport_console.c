/*
 * asimdns-exporter: the console transport. The batch already holds ASIM JSON lines; writing
 * and flushing them is the acknowledgement. A write error (stdout closed) cannot be retried
 * into success, so it stops the exporter as before.
 */
#include <stdlib.h>

#include "exporter/transport.h"

typedef struct console_transport {
    ad_xport base;
    FILE *out;
} console_transport;

static ad_err console_send(ad_xport *t, const uint8_t *data, size_t len, ad_send_result *res)
{
    console_transport *c = (console_transport *)t;
    if (len > 0 && fwrite(data, 1, len, c->out) != len)
        return AD_EIO;
    if (fflush(c->out) != 0)
        return AD_EIO;
    res->status = AD_SEND_OK;
    res->wire_bytes = len;
    return AD_OK;
}

static void console_destroy(ad_xport *t)
{
    free(t);
}

static const ad_xport_ops console_ops = {
    .name = "console",
    .send = console_send,
    .destroy = console_destroy,
};

ad_err ad_xport_console_create(FILE *out, ad_xport **out_t)
{
    console_transport *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return AD_ENOMEM;
    c->base.ops = &console_ops;
    c->base.payload = AD_PAYLOAD_JSON_LINES;
    c->out = out;
    *out_t = &c->base;
    return AD_OK;
}

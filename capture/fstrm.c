/* asimdns-capture: Frame Streams reader state machine (fstrm.h). */
#include "capture/fstrm.h"

#include <string.h>

#define CT_LEN (sizeof(AD_FSTRM_CONTENT_TYPE) - 1)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void ad_fstrm_reader_init(ad_fstrm_reader *r, uint8_t *buf, size_t cap)
{
    memset(r, 0, sizeof(*r));
    r->buf = buf;
    r->cap = buf != NULL ? cap : 0;
}

size_t ad_fstrm_control(uint32_t type, const char *content_type, uint8_t *buf, size_t cap)
{
    size_t ct = content_type != NULL ? strlen(content_type) : 0;
    size_t body = 4 + (content_type != NULL ? 8 + ct : 0);
    if (body > AD_FSTRM_CONTROL_MAX || cap < 8 + body)
        return 0;
    put32(buf, 0); /* escape */
    put32(buf + 4, (uint32_t)body);
    put32(buf + 8, type);
    if (content_type != NULL) {
        put32(buf + 12, AD_FSTRM_FIELD_CONTENT_TYPE);
        put32(buf + 16, (uint32_t)ct);
        memcpy(buf + 20, content_type, ct);
    }
    return 8 + body;
}

static ad_err fail(ad_fstrm_reader *r, ad_err err, const char *why)
{
    r->state = AD_FSTRM_S_FAILED;
    r->why = why;
    return err;
}

/*
 * Checks the fields of a control frame body (after its type): well-formed, and the
 * CONTENT_TYPE fields. *count gets how many there were, *match whether one is ours.
 */
static bool scan_fields(const uint8_t *p, size_t len, unsigned *count, bool *match)
{
    *count = 0;
    *match = false;
    size_t off = 0;
    while (off < len) {
        if (len - off < 8)
            return false;
        uint32_t type = get32(p + off);
        uint32_t flen = get32(p + off + 4);
        off += 8;
        if (flen > len - off)
            return false;
        if (type == AD_FSTRM_FIELD_CONTENT_TYPE) {
            (*count)++;
            if (flen == CT_LEN && memcmp(p + off, AD_FSTRM_CONTENT_TYPE, CT_LEN) == 0)
                *match = true;
        }
        /* other field types: unknown to this version, skipped */
        off += flen;
    }
    return true;
}

static ad_err on_control(ad_fstrm_reader *r, ad_fstrm_out *out)
{
    if (r->body_len < 4)
        return fail(r, AD_EFORMAT, "control frame without a type");
    uint32_t type = get32(r->ctrl);
    unsigned count;
    bool match;
    if (!scan_fields(r->ctrl + 4, r->body_len - 4, &count, &match))
        return fail(r, AD_EFORMAT, "malformed control frame field");
    switch (type) {
    case AD_FSTRM_CONTROL_READY:
        if (r->state != AD_FSTRM_S_OPEN)
            return fail(r, AD_EFORMAT, "READY after the handshake began");
        if (!match)
            return fail(r, AD_EUNSUPP, "READY does not offer protobuf:dnstap.Dnstap");
        r->bidirectional = true;
        r->state = AD_FSTRM_S_ACCEPTED;
        out->kind = AD_FSTRM_REPLY;
        out->data = r->reply;
        out->len = ad_fstrm_control(AD_FSTRM_CONTROL_ACCEPT, AD_FSTRM_CONTENT_TYPE, r->reply,
                                    sizeof(r->reply));
        return AD_OK;
    case AD_FSTRM_CONTROL_START:
        if (r->state != AD_FSTRM_S_OPEN && r->state != AD_FSTRM_S_ACCEPTED)
            return fail(r, AD_EFORMAT, "START in the wrong state");
        if (count > 1)
            return fail(r, AD_EFORMAT, "START with more than one content type");
        if (count == 1 && !match)
            return fail(r, AD_EUNSUPP, "START content type is not protobuf:dnstap.Dnstap");
        r->state = AD_FSTRM_S_DATA;
        return AD_OK;
    case AD_FSTRM_CONTROL_STOP:
        if (r->state != AD_FSTRM_S_DATA)
            return fail(r, AD_EFORMAT, "STOP before START");
        r->state = AD_FSTRM_S_DONE;
        out->kind = AD_FSTRM_FINISHED;
        out->data = r->reply;
        out->len = r->bidirectional
                       ? ad_fstrm_control(AD_FSTRM_CONTROL_FINISH, NULL, r->reply, sizeof(r->reply))
                       : 0;
        return AD_OK;
    default:
        /* ACCEPT and FINISH only travel reader -> writer; anything else is unknown. */
        return fail(r, AD_EFORMAT, "unexpected control frame type");
    }
}

ad_err ad_fstrm_feed(ad_fstrm_reader *r, const uint8_t *data, size_t len, size_t *consumed,
                     ad_fstrm_out *out)
{
    size_t used = 0;
    out->kind = AD_FSTRM_NEED_MORE;
    out->data = NULL;
    out->len = 0;
    ad_err err = AD_OK;
    if (r->state == AD_FSTRM_S_FAILED) {
        err = AD_EFORMAT;
        goto done;
    }
    /*
     * The common case: between frames, with a whole data frame (length + payload) in the input.
     * It is handed out as a view into data, without the copy into the reader's buffer; every
     * check of the general path below applies (a zero length is an escape, taken there).
     */
    if (r->state == AD_FSTRM_S_DATA && !r->in_body && r->len_have == 0 && !r->escaped && len >= 4) {
        uint32_t n = get32(data);
        if (n != 0 && n <= r->cap && n <= len - 4) {
            r->frames++;
            out->kind = AD_FSTRM_DATA;
            out->data = data + 4;
            out->len = n;
            *consumed = 4 + (size_t)n;
            return AD_OK;
        }
    }
    while (used < len && out->kind == AD_FSTRM_NEED_MORE) {
        if (r->state == AD_FSTRM_S_DONE) {
            err = fail(r, AD_EFORMAT, "bytes after STOP");
            break;
        }
        if (!r->in_body) {
            size_t take = 4 - r->len_have;
            if (take > len - used)
                take = len - used;
            memcpy(r->len_bytes + r->len_have, data + used, take);
            r->len_have += take;
            used += take;
            if (r->len_have < 4)
                break;
            r->len_have = 0;
            uint32_t n = get32(r->len_bytes);
            if (!r->escaped && n == 0) {
                r->escaped = true; /* control frame: its length follows */
                continue;
            }
            r->control = r->escaped;
            r->escaped = false;
            if (r->control) {
                if (n > AD_FSTRM_CONTROL_MAX) {
                    err = fail(r, AD_ERANGE, "control frame too long");
                    break;
                }
            } else {
                if (r->state != AD_FSTRM_S_DATA) {
                    err = fail(r, AD_EFORMAT, "data frame outside START..STOP");
                    break;
                }
                if (n > r->cap) {
                    err = fail(r, AD_ERANGE, "data frame over the frame size limit");
                    break;
                }
            }
            r->body_len = n;
            r->body_have = 0;
            r->in_body = true;
        }
        if (!r->control && r->body_have == 0 && len - used >= r->body_len) {
            /* The whole body is in the input: a view, as in the fast path above. */
            r->in_body = false;
            r->frames++;
            out->kind = AD_FSTRM_DATA;
            out->data = data + used;
            out->len = r->body_len;
            used += r->body_len;
            break;
        }
        uint8_t *dst = r->control ? r->ctrl : r->buf;
        size_t take = r->body_len - r->body_have;
        if (take > len - used)
            take = len - used;
        if (take > 0) {
            memcpy(dst + r->body_have, data + used, take);
            r->body_have += take;
            used += take;
        }
        if (r->body_have < r->body_len)
            break;
        r->in_body = false;
        if (r->control) {
            err = on_control(r, out);
            if (err != AD_OK)
                break;
        } else {
            r->frames++;
            out->kind = AD_FSTRM_DATA;
            out->data = r->buf;
            out->len = r->body_len;
        }
    }
done:
    if (err != AD_OK)
        out->kind = AD_FSTRM_NEED_MORE;
    *consumed = used;
    return err;
}

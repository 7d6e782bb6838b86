/* asimdns-capture: the dnstap source, Unix socket server (dnstap_source.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "capture/dnstap_decode.h"
#include "capture/dnstap_pair.h"
#include "capture/dnstap_source.h"
#include "capture/emit.h"
#include "capture/fstrm.h"
#include "common/account.h"
#include "common/log.h"
#include "common/timeutil.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* then a writer gone before our reply may raise SIGPIPE */
#endif

/* poll() timeout: how often the stop flag and heartbeat are checked while idle. */
#define POLL_MS 200
/* Bytes read from one writer per poll round (fairness between writers). */
#define READ_CHUNK (64u << 10)
/* Writer problems logged one by one before only the counters tell. */
#define LOG_LIMIT 50

typedef struct writer {
    int fd;
    unsigned long id;
    uint8_t *frame; /* max_frame_size bytes */
    ad_fstrm_reader rd;
} writer;

struct ad_dnstap_source {
    ad_capture_ctx *ctx;
    const char *path;
    int listen_fd;
    writer *writers; /* max_writers slots; fd -1 = free */
    struct pollfd *pfd;
    uint32_t max_writers;
    size_t max_frame;
    unsigned long next_id;
    uint64_t logged;
    ad_dnstap_pair *pair; /* queries waiting for their responses */
    ad_dnstap_event decoded;
    uint8_t chunk[READ_CHUNK];
};

static void count(ad_dnstap_source *st, ad_capture_counter c)
{
    ad_ring_producer_counter_add(st->ctx->ring, c, 1);
}

static bool log_allowed(ad_dnstap_source *st)
{
    if (st->logged < LOG_LIMIT) {
        st->logged++;
        return true;
    }
    if (st->logged == LOG_LIMIT) {
        st->logged++;
        ad_log_warn("dnstap: more writer problems; only counting them now");
    }
    return false;
}

static void close_writer(ad_dnstap_source *st, writer *w)
{
    close(w->fd);
    w->fd = -1;
}

static void drop_writer(ad_dnstap_source *st, writer *w, const char *why)
{
    if (log_allowed(st))
        ad_log_warn("dnstap writer #%lu dropped: %s", w->id, why);
    count(st, AD_CAP_DNSTAP_WRITERS_DROPPED);
    close_writer(st, w);
}

/* Sends a whole control frame (tens of bytes: fits any socket buffer). */
static bool send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

static void on_frame(ad_dnstap_source *st, const uint8_t *p, size_t n)
{
    count(st, AD_CAP_DNSTAP_FRAMES);
    ad_err err = ad_dnstap_decode(p, n, &st->decoded);
    if (err == AD_OK) {
        ad_dnstap_event *d = &st->decoded;
        bool response = (d->ev.hdr.bits & AD_BIT_RESPONSE) != 0;
        /* Before the time fallback below: pairing compares the server's own timestamps. */
        if (ad_dnstap_pair_feed(st->pair, &d->ev, response ? d->response_time_ns : d->query_time_ns,
                                ad_time_mono_ns()) == AD_PAIR_EVICTED)
            count(st, AD_CAP_DNSTAP_PAIR_EVICTIONS);
        if (st->decoded.ev.hdr.time_ns == 0)
            st->decoded.ev.hdr.time_ns = ad_time_now_ns();
        (void)ad_capture_emit(st->ctx->ring, &st->decoded.ev);
    } else if (err != AD_EUNSUPP) {
        count(st, AD_CAP_DNSTAP_BAD_FRAMES);
    }
    /* AD_EUNSUPP: a valid message type without a DNS Server analogue; skipped. */
    ad_dnstap_event_release(&st->decoded);
}

/* Reads what the writer sent and runs it through its Frame Streams reader. */
static void service_writer(ad_dnstap_source *st, writer *w)
{
    ssize_t got;
    do {
        got = recv(w->fd, st->chunk, sizeof(st->chunk), 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (got <= 0) {
        /* Closed (or reset) by the writer: normal when it restarts; it may reconnect. */
        if (got < 0 || w->rd.state != AD_FSTRM_S_DONE)
            ad_log_info("dnstap writer #%lu disconnected", w->id);
        close_writer(st, w);
        return;
    }
    size_t off = 0, len = (size_t)got;
    while (off < len) {
        size_t used = 0;
        ad_fstrm_out out;
        ad_err err = ad_fstrm_feed(&w->rd, st->chunk + off, len - off, &used, &out);
        off += used;
        if (err != AD_OK) {
            drop_writer(st, w, w->rd.why);
            return;
        }
        switch (out.kind) {
        case AD_FSTRM_NEED_MORE:
            break;
        case AD_FSTRM_DATA:
            on_frame(st, out.data, out.len);
            break;
        case AD_FSTRM_REPLY:
            if (!send_all(w->fd, out.data, out.len)) {
                drop_writer(st, w, "cannot send ACCEPT");
                return;
            }
            break;
        case AD_FSTRM_FINISHED:
            if (out.len > 0)
                (void)send_all(w->fd, out.data, out.len);
            ad_log_info("dnstap writer #%lu finished (%llu frames)", w->id,
                        (unsigned long long)w->rd.frames);
            close_writer(st, w);
            return;
        }
    }
}

static void accept_writers(ad_dnstap_source *st)
{
    for (;;) {
        int fd = accept(st->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN, or a transient error: poll again */
        }
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        writer *w = NULL;
        for (uint32_t i = 0; i < st->max_writers && w == NULL; i++)
            if (st->writers[i].fd < 0)
                w = &st->writers[i];
        if (w == NULL) {
            if (log_allowed(st))
                ad_log_warn("dnstap: refusing a writer: already %u connected (max_writers)",
                            st->max_writers);
            count(st, AD_CAP_DNSTAP_WRITERS_DROPPED);
            close(fd);
            continue;
        }
        /* The frame buffer is allocated for a slot's first writer and kept for later ones. */
        if (w->frame == NULL)
            w->frame = malloc(st->max_frame);
        int fl = fcntl(fd, F_GETFL);
        if (w->frame == NULL || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
            if (log_allowed(st))
                ad_log_warn("dnstap: refusing a writer: %s",
                            w->frame == NULL ? "out of memory" : strerror(errno));
            count(st, AD_CAP_DNSTAP_WRITERS_DROPPED);
            close(fd);
            continue;
        }
        w->fd = fd;
        w->id = ++st->next_id;
        ad_fstrm_reader_init(&w->rd, w->frame, st->max_frame);
        ad_log_info("dnstap writer #%lu connected", w->id);
    }
}

/* Creates, binds and sets up the listening socket (path, mode, owner, group). */
static ad_err open_socket(ad_dnstap_source *st)
{
    const ad_capture_source *src = &st->ctx->cfg->source;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    size_t plen = strlen(st->path);
    if (plen == 0 || plen >= sizeof(sa.sun_path)) {
        ad_log_error("dnstap socket path '%s': empty or longer than %zu bytes", st->path,
                     sizeof(sa.sun_path) - 1);
        return AD_ERANGE;
    }
    memcpy(sa.sun_path, st->path, plen);

    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    unsigned long id;
    if (src->dnstap.socket_owner[0] != '\0') {
        if (ad_account_user(src->dnstap.socket_owner, &id, NULL) != AD_OK) {
            ad_log_error("dnstap socket_owner '%s': no such user", src->dnstap.socket_owner);
            return AD_ENOENT;
        }
        uid = (uid_t)id;
    }
    if (src->dnstap.socket_group[0] != '\0') {
        if (ad_account_group(src->dnstap.socket_group, &id) != AD_OK) {
            ad_log_error("dnstap socket_group '%s': no such group", src->dnstap.socket_group);
            return AD_ENOENT;
        }
        gid = (gid_t)id;
    }

    /* A stale socket from an earlier run is replaced; any other file is left alone. */
    struct stat sb;
    if (lstat(st->path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode)) {
            ad_log_error("dnstap socket path %s exists and is not a socket", st->path);
            return AD_EEXIST;
        }
        (void)unlink(st->path);
    }

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        ad_log_error("dnstap socket: %s", strerror(errno));
        return AD_ESYS;
    }
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* Never more open than configured, not even between bind and chmod. */
    mode_t old = umask(0177);
    int rc = bind(fd, (const struct sockaddr *)&sa, sizeof(sa));
    int bind_errno = errno;
    umask(old);
    if (rc != 0) {
        ad_log_error("dnstap socket %s: bind: %s", st->path, strerror(bind_errno));
        close(fd);
        return bind_errno == EACCES ? AD_EPERM : AD_ESYS;
    }
    ad_err err = AD_OK;
    /* Connecting needs write permission on the socket file (facts §1.5). */
    if (chmod(st->path, (mode_t)src->dnstap.socket_mode) != 0) {
        ad_log_error("dnstap socket %s: chmod %04o: %s", st->path, src->dnstap.socket_mode,
                     strerror(errno));
        err = AD_EPERM;
    } else if ((uid != (uid_t)-1 || gid != (gid_t)-1) && chown(st->path, uid, gid) != 0) {
        ad_log_error("dnstap socket %s: chown to %s:%s: %s", st->path, src->dnstap.socket_owner,
                     src->dnstap.socket_group, strerror(errno));
        err = AD_EPERM;
    }
    int fl = fcntl(fd, F_GETFL);
    if (err == AD_OK && (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 ||
                         listen(fd, (int)st->max_writers) != 0)) {
        ad_log_error("dnstap socket %s: listen: %s", st->path, strerror(errno));
        err = AD_ESYS;
    }
    if (err != AD_OK) {
        close(fd);
        (void)unlink(st->path);
        return err;
    }
    st->listen_fd = fd;
    ad_log_info("dnstap: listening on %s (mode %04o, max %u writers, frames up to %zu bytes)",
                st->path, src->dnstap.socket_mode, st->max_writers, st->max_frame);
    return AD_OK;
}

ad_err ad_source_dnstap_serve(ad_dnstap_source *st)
{
    /* Slot i of pfd is writer i; the last slot is the listening socket. */
    for (;;) {
        if (ad_capture_tick(st->ctx))
            return AD_OK;
        nfds_t n = 0;
        writer *ready[1024 + 1];
        for (uint32_t i = 0; i < st->max_writers; i++) {
            if (st->writers[i].fd < 0)
                continue;
            st->pfd[n].fd = st->writers[i].fd;
            st->pfd[n].events = POLLIN;
            st->pfd[n].revents = 0;
            ready[n++] = &st->writers[i];
        }
        st->pfd[n].fd = st->listen_fd;
        st->pfd[n].events = POLLIN;
        st->pfd[n].revents = 0;
        int k = poll(st->pfd, n + 1, POLL_MS);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            ad_log_error("dnstap: poll: %s", strerror(errno));
            return AD_ESYS;
        }
        for (nfds_t i = 0; i < n && k > 0; i++) {
            if (st->pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
                service_writer(st, ready[i]);
        }
        if (st->pfd[n].revents & POLLIN)
            accept_writers(st);
    }
}

ad_err ad_source_dnstap_open(ad_capture_ctx *ctx, ad_dnstap_source **out)
{
    *out = NULL;
    /* Large buffers (the read chunk): on the heap, not the stack. */
    ad_dnstap_source *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        ad_log_error("dnstap: out of memory");
        return AD_ENOMEM;
    }
    st->ctx = ctx;
    st->listen_fd = -1;
    const ad_capture_source *src = &ctx->cfg->source;
    st->path = src->dnstap.socket_path;
    st->max_writers = src->dnstap.max_writers > 0 ? src->dnstap.max_writers : 1;
    if (st->max_writers > 1024)
        st->max_writers = 1024;
    st->max_frame = src->dnstap.max_frame_size > 0 ? (size_t)src->dnstap.max_frame_size : 1;
    st->writers = calloc(st->max_writers, sizeof(*st->writers));
    st->pfd = calloc((size_t)st->max_writers + 1, sizeof(*st->pfd));
    st->pair = ad_dnstap_pair_new(AD_DNSTAP_PAIR_DEFAULT_SLOTS);
    /* Every slot free (fd -1) before anything can fail: close() must not touch fd 0. */
    for (uint32_t i = 0; st->writers != NULL && i < st->max_writers; i++)
        st->writers[i].fd = -1;
    ad_err err = st->writers != NULL && st->pfd != NULL && st->pair != NULL ? AD_OK : AD_ENOMEM;
    if (err == AD_ENOMEM)
        ad_log_error("dnstap: out of memory for %u writers", st->max_writers);
    if (err == AD_OK)
        err = open_socket(st);
    if (err != AD_OK) {
        ad_source_dnstap_close(st);
        return err;
    }
    *out = st;
    return AD_OK;
}

void ad_source_dnstap_close(ad_dnstap_source *st)
{
    if (st == NULL)
        return;
    for (uint32_t i = 0; st->writers != NULL && i < st->max_writers; i++) {
        if (st->writers[i].fd >= 0)
            close(st->writers[i].fd);
        free(st->writers[i].frame);
    }
    free(st->writers);
    free(st->pfd);
    if (st->listen_fd >= 0) {
        close(st->listen_fd);
        /* After the privilege drop the directory may no longer let us (EACCES): the next
         * start replaces the stale socket, so that is only worth a debug line. */
        if (unlink(st->path) != 0 && errno != ENOENT)
            ad_log_debug("dnstap socket %s not removed: %s", st->path, strerror(errno));
    }
    ad_dnstap_pair_free(st->pair);
    ad_dnstap_event_release(&st->decoded);
    free(st);
}

ad_err ad_source_dnstap_run(ad_capture_ctx *ctx)
{
    ad_dnstap_source *st;
    ad_err err = ad_source_dnstap_open(ctx, &st);
    if (err != AD_OK)
        return err;
    err = ad_source_dnstap_serve(st);
    ad_source_dnstap_close(st);
    return err;
}

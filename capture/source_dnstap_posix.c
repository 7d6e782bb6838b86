/* asimdns-capture: the dnstap source, Unix socket server (dnstap_source.h). */
#ifdef AD_PLATFORM_POSIX
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* struct ucred for SO_PEERCRED */
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
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
#include "capture/source_table.h"
#include "common/account.h"
#include "common/log.h"
#include "common/timeutil.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* then a writer gone before our reply may raise SIGPIPE */
#endif

/* poll() timeout: how often the stop flag and heartbeat are checked while idle. */
#define POLL_MS 200
/* Bytes read from one writer per poll round (fairness between writers): more than a Unix
 * socket's default send buffer, so one recv takes all a writer has sent. */
#define READ_CHUNK (256u << 10)
/* Writer problems logged one by one before only the counters tell. */
#define LOG_LIMIT 50

typedef struct writer {
    int fd;
    unsigned long id;
    uid_t uid;                /* the peer's user (SO_PEERCRED): the per-user limit's key */
    long pid;                 /* the peer's process, for the log; 0 when unknown */
    uint64_t connected_mono;  /* handshake_timeout counts from here */
    uint64_t last_frame_mono; /* idle_timeout counts from the last complete frame */
    uint32_t bad_frames;      /* non-dnstap frames on this connection */
    uint8_t *frame;           /* max_frame_size bytes */
    ad_fstrm_reader rd;
} writer;

struct ad_dnstap_source {
    ad_capture_ctx *ctx;
    const char *path;
    int listen_fd;
    writer *writers; /* max_writers slots; fd -1 = free */
    struct pollfd *pfd;
    uint32_t max_writers;
    uint32_t max_per_user;
    uint32_t max_bad_frames; /* 0 = never disconnect for bad frames */
    uint64_t handshake_ns, idle_ns;
    size_t max_frame;
    unsigned long next_id;
    uint64_t logged;
    ad_dnstap_pair *pair; /* queries waiting for their responses */
    ad_dnstap_event decoded;
    uint64_t read_mono;   /* when the chunk was read: the arrival time of its frames */
    uint64_t frames_seen; /* frames of the chunk not yet added to dnstap_frames */
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

/* Every connection the capture closes or refuses counts as dnstap_writers_dropped and once
 * more under its reason, so the reasons add up to the total. */
static void count_drop(ad_dnstap_source *st, ad_capture_counter reason)
{
    count(st, AD_CAP_DNSTAP_WRITERS_DROPPED);
    count(st, reason);
}

static void drop_writer(ad_dnstap_source *st, writer *w, ad_capture_counter reason, const char *why)
{
    if (log_allowed(st))
        ad_log_warn("dnstap writer #%lu (uid %lu, pid %ld) dropped: %s", w->id,
                    (unsigned long)w->uid, w->pid, why);
    count_drop(st, reason);
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

/* Handles one data frame; false when the writer was dropped for too many bad frames. */
static bool on_frame(ad_dnstap_source *st, writer *w, const uint8_t *p, size_t n)
{
    /* dnstap_frames is added once per chunk (service_writer): one atomic add, not one a frame */
    st->frames_seen++;
    ad_err err = ad_dnstap_decode(p, n, &st->decoded);
    if (err == AD_OK) {
        ad_dnstap_event *d = &st->decoded;
        bool response = (d->ev.hdr.bits & AD_BIT_RESPONSE) != 0;
        /* Before the time fallback below: pairing compares the server's own timestamps. */
        if (ad_dnstap_pair_feed(st->pair, &d->ev, response ? d->response_time_ns : d->query_time_ns,
                                st->read_mono) == AD_PAIR_EVICTED)
            count(st, AD_CAP_DNSTAP_PAIR_EVICTIONS);
        if (st->decoded.ev.hdr.time_ns == 0)
            st->decoded.ev.hdr.time_ns = ad_time_now_ns();
        (void)ad_capture_emit(st->ctx->ring, &st->decoded.ev);
    } else if (err != AD_EUNSUPP) {
        count(st, AD_CAP_DNSTAP_BAD_FRAMES);
    }
    /* AD_EUNSUPP: a valid message type without a DNS Server analogue; skipped. */
    ad_dnstap_event_release(&st->decoded);
    /* AD_EFORMAT: not a Dnstap protobuf at all (a broken DNS message inside a valid Dnstap
     * still decodes, marked partial): a writer of something else, not a DNS server. */
    if (err == AD_EFORMAT && st->max_bad_frames > 0 && ++w->bad_frames >= st->max_bad_frames) {
        drop_writer(st, w, AD_CAP_DNSTAP_BAD_FRAME_DISCONNECTS,
                    "too many frames that are not dnstap (max_bad_frames)");
        return false;
    }
    return true;
}

static void run_chunk(ad_dnstap_source *st, writer *w, size_t len);

/* Reads what the writer sent (one recv of up to READ_CHUNK) and runs it through its Frame
 * Streams reader. */
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
    st->read_mono = ad_time_mono_ns();
    st->frames_seen = 0;
    run_chunk(st, w, (size_t)got);
    /* However the chunk ended (a drop included), every frame it delivered is counted. */
    if (st->frames_seen > 0)
        ad_ring_producer_counter_add(st->ctx->ring, AD_CAP_DNSTAP_FRAMES, st->frames_seen);
}

/* Runs chunk[len] through w's Frame Streams reader: frames, replies, the end, or a drop. */
static void run_chunk(ad_dnstap_source *st, writer *w, size_t len)
{
    size_t off = 0;
    while (off < len) {
        size_t used = 0;
        ad_fstrm_out out;
        ad_fstrm_state before = w->rd.state;
        ad_err err = ad_fstrm_feed(&w->rd, st->chunk + off, len - off, &used, &out);
        off += used;
        if (err != AD_OK) {
            drop_writer(st, w, AD_CAP_DNSTAP_PROTOCOL_ERRORS, w->rd.why);
            return;
        }
        /* A complete frame (data, or control: START changes the state without output) is
         * activity; bytes of a frame still incomplete are not. */
        if (out.kind != AD_FSTRM_NEED_MORE || w->rd.state != before)
            w->last_frame_mono = st->read_mono;
        switch (out.kind) {
        case AD_FSTRM_NEED_MORE:
            break;
        case AD_FSTRM_DATA:
            if (!on_frame(st, w, out.data, out.len))
                return;
            break;
        case AD_FSTRM_REPLY:
            if (!send_all(w->fd, out.data, out.len)) {
                drop_writer(st, w, AD_CAP_DNSTAP_PROTOCOL_ERRORS, "cannot send ACCEPT");
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

/* The connecting process's user and pid (the kernel's word, not the writer's); false when
 * the OS cannot tell, then every such writer shares the uid (uid_t)-1. */
static bool peer_credentials(int fd, uid_t *uid, long *pid)
{
    *uid = (uid_t)-1;
    *pid = 0;
#if defined(SO_PEERCRED)
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
        return false;
    *uid = cred.uid;
    *pid = (long)cred.pid;
    return true;
#else
    gid_t gid;
    return getpeereid(fd, uid, &gid) == 0;
#endif
}

static uint32_t writers_of_user(const ad_dnstap_source *st, uid_t uid)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < st->max_writers; i++)
        if (st->writers[i].fd >= 0 && st->writers[i].uid == uid)
            n++;
    return n;
}

static void refuse(ad_dnstap_source *st, int fd, ad_capture_counter reason, const char *why)
{
    if (log_allowed(st))
        ad_log_warn("dnstap: refusing a writer: %s", why);
    count_drop(st, reason);
    close(fd);
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
        uid_t uid;
        long pid;
        (void)peer_credentials(fd, &uid, &pid);
        char why[160];
        writer *w = NULL;
        for (uint32_t i = 0; i < st->max_writers && w == NULL; i++)
            if (st->writers[i].fd < 0)
                w = &st->writers[i];
        if (w == NULL) {
            snprintf(why, sizeof(why), "already %u connected (max_writers; this one uid %lu)",
                     st->max_writers, (unsigned long)uid);
            refuse(st, fd, AD_CAP_DNSTAP_WRITER_LIMIT_REFUSALS, why);
            continue;
        }
        /* One user's connections must not take every slot (the DNS server's user needs one). */
        if (writers_of_user(st, uid) >= st->max_per_user) {
            snprintf(why, sizeof(why),
                     "uid %lu already holds %u connections (max_writers_per_user)",
                     (unsigned long)uid, st->max_per_user);
            refuse(st, fd, AD_CAP_DNSTAP_USER_LIMIT_REFUSALS, why);
            continue;
        }
        /* The frame buffer is allocated for a slot's first writer and kept for later ones. */
        if (w->frame == NULL)
            w->frame = malloc(st->max_frame);
        int fl = fcntl(fd, F_GETFL);
        if (w->frame == NULL || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
            refuse(st, fd, AD_CAP_DNSTAP_PROTOCOL_ERRORS,
                   w->frame == NULL ? "out of memory" : strerror(errno));
            continue;
        }
        w->fd = fd;
        w->id = ++st->next_id;
        w->uid = uid;
        w->pid = pid;
        w->connected_mono = w->last_frame_mono = ad_time_mono_ns();
        w->bad_frames = 0;
        ad_fstrm_reader_init(&w->rd, w->frame, st->max_frame);
        ad_log_info("dnstap writer #%lu connected (uid %lu, pid %ld)", w->id, (unsigned long)uid,
                    pid);
    }
}

/* Disconnects writers that did not finish the handshake in time or went silent after it:
 * connections that send nothing must not hold their slots for ever. */
static void expire_writers(ad_dnstap_source *st)
{
    uint64_t now = ad_time_mono_ns();
    for (uint32_t i = 0; i < st->max_writers; i++) {
        writer *w = &st->writers[i];
        if (w->fd < 0)
            continue;
        if (w->rd.state != AD_FSTRM_S_DATA) {
            if (now - w->connected_mono >= st->handshake_ns)
                drop_writer(st, w, AD_CAP_DNSTAP_HANDSHAKE_TIMEOUTS,
                            "no Frame Streams START within handshake_timeout");
        } else if (now - w->last_frame_mono >= st->idle_ns) {
            drop_writer(st, w, AD_CAP_DNSTAP_IDLE_TIMEOUTS, "no frame within idle_timeout");
        }
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
    ad_log_info("dnstap: listening on %s (mode %04o, max %u writers, %u per user, frames up to "
                "%zu bytes, handshake within %llu ms, idle up to %llu ms)",
                st->path, src->dnstap.socket_mode, st->max_writers, st->max_per_user, st->max_frame,
                (unsigned long long)src->dnstap.handshake_timeout_ms,
                (unsigned long long)src->dnstap.idle_timeout_ms);
    return AD_OK;
}

ad_err ad_source_dnstap_serve(ad_dnstap_source *st)
{
    /*
     * No gathering sleep between rounds, unlike the exporter's trickle sleep: a writer's socket
     * holds only ~280 frames of Unbound's size (each write is one socket buffer, charged with
     * its overhead against the writer's 208 KiB send buffer), and Unbound 1.17 does not keep up
     * once its writes wait: bench/dnstap.sh at 10k queries/s (20k frames/s) had 19 % of its
     * dnstap messages unsent with 5 ms sleeps, 0.7 % with 1 ms, none without. So the loop reads
     * as soon as poll says there is data.
     */
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
        expire_writers(st);
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
    /* The loader keeps these in range (timeouts >= 100 ms, per-user <= max_writers). */
    st->max_per_user =
        src->dnstap.max_writers_per_user > 0 && src->dnstap.max_writers_per_user < st->max_writers
            ? src->dnstap.max_writers_per_user
            : st->max_writers;
    st->max_bad_frames = src->dnstap.max_bad_frames;
    st->handshake_ns = src->dnstap.handshake_timeout_ms * 1000000u;
    st->idle_ns = src->dnstap.idle_timeout_ms * 1000000u;
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

static ad_err dnstap_open(ad_capture_ctx *ctx, void **state)
{
    ad_dnstap_source *st = NULL;
    ad_err err = ad_source_dnstap_open(ctx, &st);
    *state = st;
    return err;
}

static ad_err dnstap_run(ad_capture_ctx *ctx, void *state)
{
    (void)ctx;
    return ad_source_dnstap_serve(state);
}

static void dnstap_close(void *state)
{
    ad_source_dnstap_close(state);
}

/* Opened before the privilege drop: the socket is handed to the DNS server's user (chown). */
const ad_source_desc ad_source_dnstap = {
    .type = AD_SOURCE_DNSTAP,
    .name = "dnstap",
    .caps = AD_SOURCE_AVAILABLE | AD_SOURCE_OPENS_PRIVILEGED,
    .open = dnstap_open,
    .run = dnstap_run,
    .close = dnstap_close,
};
#endif

/*
 * asimdns-capture: the dnstap source (DESIGN.md §1): a Frame Streams server on a Unix socket
 * that BIND, Unbound or Knot Resolver connect to (facts/linux-dnstap-and-windows-cross-build.md
 * §1.3-1.7). POSIX only, and only in builds with protobuf-c (ASIMDNS_HAVE_DNSTAP).
 *
 * Two steps, because giving the socket to the DNS server's user (chown) needs the privileges
 * the capture starts with, while serving it must not: open, then drop privileges, then serve.
 */
#ifndef AD_CAPTURE_DNSTAP_SOURCE_H
#define AD_CAPTURE_DNSTAP_SOURCE_H

#include "capture/source.h"

typedef struct ad_dnstap_source ad_dnstap_source;

/*
 * Step 1: creates cfg->source.dnstap.socket_path (replacing a stale socket, never another
 * kind of file) with the configured mode, owner and group, listening. Returns AD_OK and
 * *out, or the error that kept the socket from being set up (logged; nothing left behind).
 */
ad_err ad_source_dnstap_open(ad_capture_ctx *ctx, ad_dnstap_source **out);

/*
 * Step 2: serves up to max_writers writers at once, at most max_writers_per_user of them from
 * one peer uid (SO_PEERCRED), until stopped. Each data frame is counted (dnstap_frames),
 * decoded (capture/dnstap_decode.h) and emitted; payloads that are not Dnstap count as
 * dnstap_bad_frames, and at max_bad_frames of them (unless 0) their writer is disconnected.
 * So is a writer that breaks the Frame Streams protocol or exceeds max_frame_size, one without
 * START within handshake_timeout of connecting, and one sending no frame for idle_timeout;
 * a connection beyond either limit is refused. Each of these counts as dnstap_writers_dropped
 * and under its reason (dnstap_*_refusals, _timeouts, dnstap_bad_frame_disconnects,
 * dnstap_protocol_errors); writers may reconnect at any time. A response that carries no query
 * time (Unbound 1.17, BIND 9.18 and Knot Resolver 5.6 all send none) gets its elapsed time
 * from the matching query (capture/dnstap_pair.h); a query evicted from that bounded table
 * before its response came counts as dnstap_pair_evictions. Returns AD_OK when stopped.
 */
ad_err ad_source_dnstap_serve(ad_dnstap_source *s);

/*
 * Disconnects the writers, closes the socket and removes its file (when the directory still
 * lets the possibly unprivileged process do so; a socket left behind is replaced by the next
 * start), frees s. s may be NULL.
 */
void ad_source_dnstap_close(ad_dnstap_source *s);

/* Open, serve and close in one call (a process that keeps its privileges, tests). */
ad_err ad_source_dnstap_run(ad_capture_ctx *ctx);

#endif

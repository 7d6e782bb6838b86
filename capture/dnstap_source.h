/*
 * asimdns-capture: the dnstap source (DESIGN.md §1): a Frame Streams server on a Unix socket
 * that BIND, Unbound or Knot Resolver connect to (facts/linux-dnstap-and-windows-cross-build.md
 * §1.3-1.7). POSIX only, and only in builds with protobuf-c (ASIMDNS_HAVE_DNSTAP).
 */
#ifndef AD_CAPTURE_DNSTAP_SOURCE_H
#define AD_CAPTURE_DNSTAP_SOURCE_H

#include "capture/source.h"

/*
 * Creates cfg->source.dnstap.socket_path (replacing a stale socket, never another kind of
 * file) with the configured mode, owner and group, and serves up to max_writers writers at
 * once until stopped. Each data frame is counted (dnstap_frames), decoded (capture/
 * dnstap_decode.h) and emitted; undecodable payloads count as dnstap_bad_frames. A writer
 * that breaks the Frame Streams protocol or exceeds max_frame_size is disconnected and
 * counted (dnstap_writers_dropped), as is a connection beyond max_writers; writers may
 * reconnect at any time. The socket is removed on return. Returns AD_OK when stopped, or the
 * error that kept the socket from being set up.
 */
ad_err ad_source_dnstap_run(ad_capture_ctx *ctx);

#endif

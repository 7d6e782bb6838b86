/*
 * asimdns tests: shared checks for the ETW decoder tests. The expectations here (direction,
 * response bit, required fields) restate the design tables of capture/etw_decode_server.c and
 * capture/etw_decode_client.c independently, so a slip in either shows up as a failure.
 */
#ifndef AD_TESTS_CAPTURE_ETW_TEST_UTIL_H
#define AD_TESTS_CAPTURE_ETW_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/etw_decode.h"
#include "etw_vector_builder.h"
#include "ipc/ring.h"

enum { ETW_DIR_NONE = 0, ETW_DIR_IN, ETW_DIR_OUT };

#define ETW_TEST_TIME 1732528800123456700ull
#define ETW_TEST_PID 2244u
#define ETW_TEST_TID 3100u

/* Expected message direction and response bit of an event. */
int etw_test_dir(ad_provider provider, uint16_t id);
bool etw_test_response(ad_provider provider, uint16_t id);

/* Leading fields a DNS Server analytic/audit template requires (the rest are optional). */
size_t etw_test_required(uint16_t id, size_t nfields);

/* Decodes buf[len] as (provider, id, version, header flags). */
ad_err etw_test_decode(ad_provider provider, uint16_t id, uint8_t version, uint16_t flags,
                       const void *buf, size_t len, ad_event *ev, ad_decode_scratch *s);

/*
 * Checks every field of *ev against the fields of b that end at or before cut (the others
 * must be absent), plus identity, addresses by direction, and the flag bits (PARTIAL when
 * cut < b->len, LEGACY when legacy). Also checks that the record encodes and decodes back.
 */
void etw_test_check(const ad_vb *b, size_t cut, const ad_vb_values *v, ad_provider provider,
                    uint16_t id, uint8_t version, bool legacy, const ad_event *ev);

/* ad_record_encode + ad_record_decode of ev must succeed and give the same fields. */
void etw_test_check_encodes(const ad_event *ev);

/* True when the view equals the NUL-terminated text. */
bool etw_test_str_eq(ad_bytes view, const char *text);

/*
 * The capture's input for a DNS Client event id (version 0, 8-byte pointers) of query qname,
 * type A, status 0, logged by process pid at time_ns: UserData built into vb, which must
 * outlive *in.
 */
void etw_test_client_input(ad_vb *vb, uint16_t id, const char *qname, uint32_t pid,
                           uint64_t time_ns, ad_source source, ad_etw_event_in *in);

/* A fresh ring called name (one left over is removed) of capacity bytes, with a consumer on
   it, for tests of the capture's event path; any failure fails the test. */
void etw_test_ring_open(const char *name, uint64_t capacity, ad_ring_producer **ring,
                        ad_ring_consumer **cons);
void etw_test_ring_close(const char *name, ad_ring_producer *ring, ad_ring_consumer *cons);

#endif

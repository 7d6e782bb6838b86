/*
 * asimdns tests: self-checking ring payloads, portable C (the POSIX ring tests through
 * ring_test_util.h, and tests/windows/ring_peer.c).
 *
 * Test payloads are self-describing so any process can verify any record on its own:
 *   [0, 8)   ring sequence number the producer was given for the record
 *   [8, 12)  payload length
 *   [12, 16) 32-bit checksum of bytes [16, len) mixed with the sequence and the length
 *   [16,len) bytes derived from the sequence
 * The length itself is derived from the sequence (rt_len_for_seq), so a record that arrives
 * with another sequence, length or content is caught.
 */
#ifndef AD_TESTS_IPC_RING_PAYLOAD_H
#define AD_TESTS_IPC_RING_PAYLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define RT_PAYLOAD_MIN 16u

static inline uint64_t rt_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A deterministic length in [lo, hi] for a sequence number. */
static inline uint32_t rt_len_for_seq(uint64_t seq, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rt_mix(seq) % (uint64_t)(hi - lo + 1));
}

static inline uint32_t rt_checksum(const uint8_t *p, uint32_t len, uint64_t seq)
{
    uint64_t acc = seq * 0x9e3779b97f4a7c15ULL ^ len;
    uint32_t i = RT_PAYLOAD_MIN;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc = (acc ^ w) * 0x100000001b3ULL;
    }
    for (; i < len; i++) {
        acc = (acc ^ p[i]) * 0x100000001b3ULL;
    }
    return (uint32_t)(acc ^ (acc >> 32));
}

/* Fills a payload of len >= RT_PAYLOAD_MIN bytes for seq. */
static inline void rt_payload_fill(uint8_t *p, uint32_t len, uint64_t seq)
{
    uint64_t w = rt_mix(seq);
    uint32_t i = RT_PAYLOAD_MIN, sum;
    for (; i + 8 <= len; i += 8) {
        memcpy(p + i, &w, 8);
        w += 0x9e3779b97f4a7c15ULL;
    }
    for (; i < len; i++) {
        p[i] = (uint8_t)(w >> ((i & 7) * 8));
    }
    memcpy(p, &seq, 8);
    memcpy(p + 8, &len, 4);
    sum = rt_checksum(p, len, seq);
    memcpy(p + 12, &sum, 4);
}

/* True when p[len] is the payload rt_payload_fill wrote for seq. */
static inline bool rt_payload_check(const uint8_t *p, uint32_t len, uint64_t seq)
{
    uint64_t s;
    uint32_t l, sum;
    if (len < RT_PAYLOAD_MIN) {
        return false;
    }
    memcpy(&s, p, 8);
    memcpy(&l, p + 8, 4);
    memcpy(&sum, p + 12, 4);
    return s == seq && l == len && sum == rt_checksum(p, len, seq);
}

#endif

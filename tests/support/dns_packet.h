/*
 * asimdns tests: a DNS message writer for hand-built test packets (RFC 1035 §4.1). Header
 * only; include after <cmocka.h> (a write past the buffer fails the test).
 */
#ifndef AD_TESTS_SUPPORT_DNS_PACKET_H
#define AD_TESTS_SUPPORT_DNS_PACKET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pkt {
    uint8_t b[4096];
    size_t n;
} pkt;

static inline void put8(pkt *p, unsigned v)
{
    assert_true(p->n < sizeof(p->b));
    p->b[p->n++] = (uint8_t)v;
}

static inline void put16(pkt *p, unsigned v)
{
    put8(p, v >> 8);
    put8(p, v & 0xff);
}

static inline void put32(pkt *p, unsigned long v)
{
    put16(p, (unsigned)(v >> 16));
    put16(p, (unsigned)(v & 0xffff));
}

static inline void putbytes(pkt *p, const void *d, size_t n)
{
    assert_true(n <= sizeof(p->b) - p->n);
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

/* "www.example.com" -> uncompressed wire name with the root label ("" = the root). */
static inline void putname(pkt *p, const char *dotted)
{
    const char *s = dotted;
    while (*s) {
        const char *dot = strchr(s, '.');
        size_t l = dot ? (size_t)(dot - s) : strlen(s);
        put8(p, (unsigned)l);
        putbytes(p, s, l);
        s += l;
        if (*s == '.')
            s++;
    }
    put8(p, 0);
}

/* Starts p with a header; NSCOUNT and ARCOUNT 0 (set p->b[9] / p->b[11] for others). */
static inline void header(pkt *p, unsigned id, unsigned flags, unsigned qd, unsigned an)
{
    p->n = 0;
    put16(p, id);
    put16(p, flags);
    put16(p, qd);
    put16(p, an);
    put16(p, 0);
    put16(p, 0);
}

/* An RR head owned by the question name (a pointer to offset 12); rdlen bytes follow. */
static inline void rr_head(pkt *p, unsigned type, unsigned rdlen)
{
    put16(p, 0xc00c);
    put16(p, type);
    put16(p, 1);
    put32(p, 300);
    put16(p, rdlen);
}

#endif

/* asimdns-capture: deterministic generator of realistic DNS Server / DNS Client events. */
#include "capture/synthetic.h"

#include <string.h>

#include "common/compiler.h"

/* Event ids from facts/etw-dns-providers.md §2.3 (DNS Server) and §3.3 (DNS Client). */
enum {
    EV_QUERY_RECEIVED = 256,
    EV_RESPONSE_SUCCESS = 257,
    EV_RESPONSE_FAILURE = 258,
    EV_IGNORED_QUERY = 259,
    EV_RECURSE_QUERY_OUT = 260,
    EV_RECURSE_RESPONSE_IN = 261,
    EV_RECURSE_QUERY_TIMEOUT = 262,
    EV_CLIENT_QUERY_CALLED = 3006,
    EV_CLIENT_QUERY_COMPLETED = 3008,
    EV_CLIENT_CACHE_LOOKUP = 3016,
    EV_CLIENT_CACHE_RESULT = 3018,
};

/* DNS RCODEs and Win32 DNS statuses used (facts/asim-dns.md §4.1, §4.2). */
enum { RCODE_NOERROR = 0, RCODE_SERVFAIL = 2, RCODE_NXDOMAIN = 3, RCODE_REFUSED = 5 };
enum { STATUS_OK = 0, STATUS_NAME_ERROR = 9003, STATUS_NO_RECORDS = 9501, STATUS_TIMEOUT = 1460 };

/* Header flag words: RD for queries, QR|RD|RA for answers (facts/asim-dns.md §5.5). */
#define FLAGS_QUERY_RD 0x0100u
#define FLAGS_RESPONSE 0x8180u

static const char *const hosts[] = {"www",    "mail",     "api",          "cdn", "login",
                                    "vpn",    "intranet", "files",        "git", "time",
                                    "update", "wpad",     "_ldap._tcp.dc"};
static const char *const domains[] = {"contoso.com", "fabrikam.net",      "example.org",
                                      "corp.local",  "windowsupdate.com", "azure.net",
                                      "tailspin.io", "woodgrove.bank"};
static const uint16_t qtypes[] = {1, 1, 1, 1, 28, 28, 28, 12, 15, 16, 33, 5, 6, 2, 65, 64, 255};
static const char *const upstreams[] = {"192.0.2.53", "2001:db8::53", "198.51.100.7"};

static uint64_t rng_next(ad_synth *s)
{
    /* xorshift64*: fast, good enough for realistic mixes, fully determined by the seed. */
    uint64_t x = s->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    s->rng = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static unsigned rng_below(ad_synth *s, unsigned n)
{
    return (unsigned)(rng_next(s) % n);
}

/* True with probability percent/100. */
static int chance(ad_synth *s, unsigned percent)
{
    return rng_below(s, 100) < percent;
}

/*
 * Text is built by hand below, not with snprintf: formatting was half the generator's cost
 * (and the generator most of the synthetic source's). Each writer appends at out[*n]; the
 * callers' buffers are sized for the longest result.
 */
static void put_str(char *out, size_t *n, const char *text)
{
    size_t len = strlen(text);
    memcpy(out + *n, text, len);
    *n += len;
}

/* v as exactly digits upper-case hex digits (v has no more). */
static void put_hex(char *out, size_t *n, uint64_t v, unsigned digits)
{
    static const char hex[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < digits; i++)
        out[*n + i] = hex[(v >> (4 * (digits - 1 - i))) & 0xF];
    *n += digits;
}

static void put_uint(char *out, size_t *n, unsigned v)
{
    char digits[10];
    unsigned k = 0;
    do {
        digits[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (k > 0)
        out[(*n)++] = digits[--k];
}

void ad_synth_init(ad_synth *s, uint64_t seed, ad_synth_mix mix)
{
    memset(s, 0, sizeof(*s));
    s->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
    s->mix = mix;
    for (size_t i = 0; i < AD_ARRAY_LEN(upstreams); i++) { /* parsed once, not per event */
        (void)ad_addr_parse(&s->upstreams[i], upstreams[i], strlen(upstreams[i]));
        s->upstreams[i].has_port = 1;
        s->upstreams[i].port = 53;
    }
}

typedef struct txn {
    int ipv6, tcp;
    ad_addr client, server, upstream;
    uint16_t qtype;
    uint32_t xid, pid, tid;
    char qname[96];
    char guid[40];
    uint64_t t0;
} txn;

static void random_addr(ad_synth *s, ad_addr *a, int ipv6, int port)
{
    if (ipv6) {
        uint8_t b[16] = {0xfd, 0x00, 0, 0, 0, 0, 0, 0x10};
        b[14] = (uint8_t)rng_below(s, 256);
        b[15] = (uint8_t)(1 + rng_below(s, 254));
        ad_addr_set_ipv6(a, b, port);
    } else {
        uint8_t b[4] = {10, (uint8_t)(1 + rng_below(s, 20)), (uint8_t)rng_below(s, 256),
                        (uint8_t)(1 + rng_below(s, 254))};
        ad_addr_set_ipv4(a, b, port);
    }
}

static void server_addr(ad_addr *a, int ipv6)
{
    static const uint8_t v4[4] = {10, 0, 0, 53};
    static const uint8_t v6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53};
    if (ipv6)
        ad_addr_set_ipv6(a, v6, 53);
    else
        ad_addr_set_ipv4(a, v4, 53);
}

static void start_txn(ad_synth *s, txn *t, uint64_t now_ns)
{
    memset(t, 0, sizeof(*t));
    t->ipv6 = chance(s, 25);
    t->tcp = chance(s, 5);
    t->t0 = now_ns;
    random_addr(s, &t->client, t->ipv6, 1024 + (int)rng_below(s, 64511));
    server_addr(&t->server, t->ipv6);
    t->upstream = s->upstreams[rng_below(s, AD_ARRAY_LEN(upstreams))];
    t->qtype = qtypes[rng_below(s, AD_ARRAY_LEN(qtypes))];
    if (chance(s, 1))
        t->qtype = (uint16_t)(300 + rng_below(s, 1000)); /* an unassigned type now and then */
    t->xid = rng_below(s, 65536);
    t->pid = 2244;
    t->tid = 3000 + rng_below(s, 16);
    /* "host.domain.": the domain is drawn first (the order the generator always had). */
    const char *domain = domains[rng_below(s, AD_ARRAY_LEN(domains))];
    const char *host = hosts[rng_below(s, AD_ARRAY_LEN(hosts))];
    size_t n = 0;
    put_str(t->qname, &n, host);
    t->qname[n++] = '.';
    put_str(t->qname, &n, domain);
    t->qname[n++] = '.';
    t->qname[n] = '\0';
    /* "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" */
    uint64_t g1 = rng_next(s), g2 = rng_next(s);
    n = 0;
    t->guid[n++] = '{';
    put_hex(t->guid, &n, g1 >> 32, 8);
    t->guid[n++] = '-';
    put_hex(t->guid, &n, (g1 >> 16) & 0xFFFF, 4);
    t->guid[n++] = '-';
    put_hex(t->guid, &n, g1 & 0xFFFF, 4);
    t->guid[n++] = '-';
    put_hex(t->guid, &n, g2 >> 48, 4);
    t->guid[n++] = '-';
    put_hex(t->guid, &n, g2 & 0xFFFFFFFFFFFFULL, 12);
    t->guid[n++] = '}';
    t->guid[n] = '\0';
}

/* Appends one event of the transaction with the fields every server event shares. */
static ad_event *push(ad_synth *s, const txn *t, uint16_t id, uint64_t dt_ns)
{
    ad_synth_pending *p = &s->pending[s->npending++];
    ad_event *ev = &p->ev;
    ad_event_init(ev);
    memcpy(p->qname, t->qname, sizeof(p->qname));
    memcpy(p->guid, t->guid, sizeof(p->guid));
    p->text[0] = '\0';
    ev->hdr.source = AD_SOURCE_SYNTHETIC;
    ev->hdr.event_id = id;
    ev->hdr.time_ns = t->t0 + dt_ns;
    ev->hdr.pid = t->pid;
    ev->hdr.tid = t->tid;
    ad_event_set_str(ev, AD_STR_QNAME, p->qname, strlen(p->qname));
    return ev;
}

static void set_text(ad_synth *s, ad_event *ev, ad_str_slot slot, const char *text)
{
    ad_synth_pending *p = &s->pending[s->npending - 1];
    size_t len = strlen(text);
    if (len >= sizeof(p->text))
        len = sizeof(p->text) - 1;
    memcpy(p->text, text, len);
    p->text[len] = '\0';
    ad_event_set_str(ev, slot, p->text, len);
}

static void server_common(ad_synth *s, ad_event *ev, const txn *t)
{
    ad_synth_pending *p = &s->pending[s->npending - 1];
    ev->hdr.provider = AD_PROVIDER_DNS_SERVER;
    ev->hdr.transport = t->tcp ? AD_TRANSPORT_TCP : AD_TRANSPORT_UDP;
    ev->hdr.present |= AD_HAS_TRANSPORT | AD_HAS_QTYPE | AD_HAS_XID;
    ev->hdr.qtype = t->qtype;
    ev->hdr.xid = t->xid;
    ev->hdr.iface = t->server;
    ev->hdr.iface.has_port = 0;
    ev->hdr.iface.port = 0;
    ad_event_set_str(ev, AD_STR_GUID, p->guid, strlen(p->guid));
}

/* Client -> server query and the server's answer, with optional recursion in between. */
static void gen_server_txn(ad_synth *s, uint64_t now_ns)
{
    txn t;
    start_txn(s, &t, now_ns);
    ad_event *q = push(s, &t, EV_QUERY_RECEIVED, 0);
    server_common(s, q, &t);
    q->hdr.src = t.client;
    q->hdr.dst = t.server;
    q->hdr.dns_flags = FLAGS_QUERY_RD;
    q->hdr.bits |= AD_BIT_RD;
    q->hdr.present |= AD_HAS_DNS_FLAGS | AD_HAS_RD;

    unsigned roll = rng_below(s, 1000);
    if (roll < 10) { /* ignored by policy */
        ad_event *ig = push(s, &t, EV_IGNORED_QUERY, 20000);
        server_common(s, ig, &t);
        ig->hdr.src = t.client;
        ig->hdr.dst = t.server;
        set_text(s, ig, AD_STR_REASON, "Query blocked by policy");
        ad_event_set_str(ig, AD_STR_POLICY, "BlockListPolicy", strlen("BlockListPolicy"));
        return;
    }
    uint32_t elapsed = 1 + rng_below(s, 3);
    uint32_t rcode = RCODE_NOERROR;
    if (roll < 160) { /* recursion to an upstream server */
        elapsed += 5 + rng_below(s, 60);
        /* XID is the server's own id towards the upstream, QXID the client's (facts §2.5). */
        uint32_t upstream_xid = rng_below(s, 65536);
        ad_event *out = push(s, &t, EV_RECURSE_QUERY_OUT, 50000);
        server_common(s, out, &t);
        out->hdr.src = t.server;
        out->hdr.src.port = (uint16_t)(49152 + rng_below(s, 16384));
        out->hdr.dst = t.upstream;
        out->hdr.xid = upstream_xid;
        out->hdr.qxid = t.xid;
        out->hdr.present |= AD_HAS_QXID;
        if (roll < 25) { /* upstream never answered */
            ad_event *to = push(s, &t, EV_RECURSE_QUERY_TIMEOUT, 3000000000ULL);
            server_common(s, to, &t);
            to->hdr.src = out->hdr.src;
            to->hdr.dst = t.upstream;
            to->hdr.xid = upstream_xid;
            to->hdr.qxid = t.xid;
            to->hdr.present |= AD_HAS_QXID;
            rcode = RCODE_SERVFAIL;
            elapsed = 3000 + rng_below(s, 100);
        } else {
            ad_event *in = push(s, &t, EV_RECURSE_RESPONSE_IN, (uint64_t)elapsed * 900000);
            server_common(s, in, &t);
            in->hdr.src = t.upstream;
            in->hdr.dst = out->hdr.src;
            in->hdr.xid = upstream_xid;
            in->hdr.dns_flags = FLAGS_RESPONSE;
            in->hdr.bits |= AD_BIT_RESPONSE;
            in->hdr.present |= AD_HAS_DNS_FLAGS;
            rcode = roll < 60 ? RCODE_NXDOMAIN : RCODE_NOERROR;
        }
    } else if (roll < 260) {
        rcode = RCODE_NXDOMAIN;
    } else if (roll < 275) {
        rcode = RCODE_REFUSED;
    } else if (roll < 285) {
        rcode = RCODE_SERVFAIL;
    }
    uint16_t id = rcode == RCODE_NOERROR ? EV_RESPONSE_SUCCESS : EV_RESPONSE_FAILURE;
    ad_event *r = push(s, &t, id, (uint64_t)elapsed * 1000000);
    server_common(s, r, &t);
    r->hdr.src = t.server;
    r->hdr.dst = t.client;
    r->hdr.rcode = rcode;
    r->hdr.dns_flags = FLAGS_RESPONSE | rcode;
    r->hdr.elapsed_ms = elapsed;
    r->hdr.bits |= AD_BIT_RESPONSE;
    r->hdr.present |= AD_HAS_RCODE | AD_HAS_DNS_FLAGS | AD_HAS_ELAPSED;
    if (id == EV_RESPONSE_SUCCESS) {
        int authoritative = chance(s, 40);
        r->hdr.bits |= authoritative ? AD_BIT_AA : 0;
        r->hdr.present |= AD_HAS_AA | AD_HAS_AD | AD_HAS_DNSSEC;
        if (authoritative) {
            const char *zone = strchr(t.qname, '.') + 1;
            set_text(s, r, AD_STR_ZONE, zone);
        }
    } else if (rcode == RCODE_REFUSED) {
        set_text(s, r, AD_STR_REASON, "Refused by policy");
    }
}

static void client_common(ad_event *ev, const txn *t, uint32_t pid)
{
    ev->hdr.provider = AD_PROVIDER_DNS_CLIENT;
    ev->hdr.qtype = t->qtype;
    ev->hdr.present |= AD_HAS_QTYPE;
    ev->hdr.pid = pid;
}

/* A process resolving a name through the DNS Client service. */
static void gen_client_txn(ad_synth *s, uint64_t now_ns)
{
    static const uint32_t pids[] = {4120, 5512, 7788, 1096};
    txn t;
    start_txn(s, &t, now_ns);
    t.qname[strlen(t.qname) - 1] = '\0'; /* the client logs names without the dot */
    uint32_t pid = pids[rng_below(s, AD_ARRAY_LEN(pids))];
    uint64_t options = chance(s, 50) ? 0x40006000ULL : 0x800040026000ULL;

    ad_event *q = push(s, &t, EV_CLIENT_QUERY_CALLED, 0);
    client_common(q, &t, pid);
    q->hdr.query_options = options;
    q->hdr.present |= AD_HAS_QUERY_OPTIONS | AD_HAS_INTERFACE_INDEX;
    set_text(s, q, AD_STR_SERVERS, "10.0.0.53;fd00::53");

    uint32_t status = STATUS_OK;
    unsigned roll = rng_below(s, 100);
    if (roll < 8)
        status = STATUS_NAME_ERROR;
    else if (roll < 11)
        status = STATUS_NO_RECORDS;
    else if (roll < 13)
        status = STATUS_TIMEOUT;
    ad_event *c = push(s, &t, EV_CLIENT_QUERY_COMPLETED, 2000000 + rng_below(s, 30000000));
    client_common(c, &t, pid);
    c->hdr.query_options = options;
    c->hdr.status = status;
    c->hdr.bits |= AD_BIT_RESPONSE;
    c->hdr.present |= AD_HAS_QUERY_OPTIONS | AD_HAS_STATUS;
    if (status == STATUS_OK) {
        /* "::ffff:10.a.b.c;", drawn c, b, a (the order the generator always had) */
        unsigned d = 1 + rng_below(s, 254), b = rng_below(s, 256), a = 1 + rng_below(s, 20);
        char results[32];
        size_t n = 0;
        put_str(results, &n, "::ffff:10.");
        put_uint(results, &n, a);
        results[n++] = '.';
        put_uint(results, &n, b);
        results[n++] = '.';
        put_uint(results, &n, d);
        results[n++] = ';';
        results[n] = '\0';
        set_text(s, c, AD_STR_RESULTS, results);
    }
    if (chance(s, 30)) { /* a cache hit reported by the resolver cache */
        ad_event *l = push(s, &t, EV_CLIENT_CACHE_LOOKUP, 100000);
        client_common(l, &t, pid);
        l->hdr.event_version = 1;
        l->hdr.client_pid = pid;
        l->hdr.pid = 1400; /* the Dnscache service logs on the client's behalf */
        l->hdr.present |= AD_HAS_CLIENT_PID;
        ad_event *r = push(s, &t, EV_CLIENT_CACHE_RESULT, 150000);
        client_common(r, &t, pid);
        r->hdr.event_version = 1;
        r->hdr.client_pid = pid;
        r->hdr.pid = 1400;
        r->hdr.status = status;
        r->hdr.bits |= AD_BIT_RESPONSE;
        r->hdr.present |= AD_HAS_CLIENT_PID | AD_HAS_STATUS;
    }
}

void ad_synth_next(ad_synth *s, uint64_t now_ns, ad_event *ev)
{
    if (s->next >= s->npending) {
        s->npending = 0;
        s->next = 0;
        int client = s->mix == AD_SYNTH_DNS_CLIENT || (s->mix == AD_SYNTH_BOTH && chance(s, 30));
        if (client)
            gen_client_txn(s, now_ns);
        else
            gen_server_txn(s, now_ns);
        s->transactions++;
    }
    *ev = s->pending[s->next++].ev;
}

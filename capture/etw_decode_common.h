/*
 * asimdns-capture: the template interpreter shared by the DNS Server and DNS Client decoders.
 * Internal to capture/etw_decode_*.c.
 *
 * A template is a table of fields in wire order (facts/etw-dns-providers.md §2.4, §3.3): each
 * field has a wire type (how many bytes, facts §1) and a target (where its value goes in the
 * record). ad__etw_run walks the table once; the first `required` fields must all be present,
 * later ones are optional: when UserData ends before or inside an optional field, that field
 * and all after it are absent and the record gets AD_REC_PARTIAL (facts §1 "Robustness
 * rules", §2.6).
 */
#ifndef AD_CAPTURE_ETW_DECODE_COMMON_H
#define AD_CAPTURE_ETW_DECODE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/etw_decode.h"
#include "common/compiler.h"
#include "common/event_catalog.h"
#include "common/record.h"

/* Wire types (facts §1). */
enum ad__etw_wire {
    AD__W_U8,       /* win:UInt8, 1 byte */
    AD__W_U32,      /* win:UInt32, 4 bytes LE */
    AD__W_U64,      /* win:UInt64 / HexInt64, 8 bytes LE */
    AD__W_BOOL32,   /* win:Boolean, 4 bytes */
    AD__W_GUID,     /* win:GUID, 16 bytes */
    AD__W_FILETIME, /* win:FILETIME, 8 bytes */
    AD__W_PTR,      /* win:Pointer, 4 or 8 bytes by EVENT_HEADER.Flags */
    AD__W_ANSI,     /* win:AnsiString, bytes up to and incl. one 0x00 */
    AD__W_UTF16,    /* win:UnicodeString, UTF-16LE units up to and incl. 0x0000 */
    AD__W_LEN,      /* win:UInt32 giving the length of the next AD__W_BIN */
    AD__W_BIN,      /* win:Binary length="<previous AD__W_LEN>" */
    AD__W_SOCKADDR, /* AddressLength:u32 + Address:bin[AddressLength], outType SocketAddress */
};

/* Targets: where a field's value goes. Slot targets are AD__T_STR + ad_str_slot. */
enum ad__etw_target {
    AD__T_SKIP = 0, /* read for its size only */
    AD__T_TCP,      /* u8: transport UDP (0) / TCP (non-zero), facts §2.5 */
    AD__T_RD,       /* u8 booleans, facts §2.5 */
    AD__T_AA,
    AD__T_AD,
    AD__T_DNSSEC,
    AD__T_SECURE,
    AD__T_QTYPE,            /* u32 */
    AD__T_XID,              /* u32 */
    AD__T_QXID,             /* u32 */
    AD__T_PORT,             /* u32 remote port, applied to the peer address */
    AD__T_FLAGS,            /* u32 DNS header flags word */
    AD__T_RCODE,            /* u32 */
    AD__T_ELAPSED,          /* u32 ms */
    AD__T_RECURSION_DEPTH,  /* u32 */
    AD__T_QUERIES_ATTACHED, /* u32 */
    AD__T_STATUS,           /* u32 Windows status */
    AD__T_CLIENT_PID,       /* u32 */
    AD__T_INTERFACE_INDEX,  /* u32 */
    AD__T_NETWORK_INDEX,    /* u32 */
    AD__T_QUERY_OPTIONS,    /* u64 */
    AD__T_IFACE_IP,         /* ANSI IP text -> iface (strict) */
    AD__T_PEER_IP,          /* ANSI IP text -> peer (strict) */
    AD__T_PACKET,           /* binary -> packet view */
    AD__T_SERVERS_PEER,     /* UTF-16 server text -> AD_STR_SERVERS, first entry -> peer (soft) */
    AD__T_LOCAL_IFACE,      /* UTF-16 address list, first entry -> iface (soft), not kept */
    AD__T_SOCK_PEER,        /* SOCKADDR -> peer (with port) */
    AD__T_SOCK_RESULT,      /* SOCKADDR -> formatted into AD_STR_RESULTS */
    AD__T_STR,              /* + ad_str_slot: the string goes into that slot */
};

#define AD__T_SLOT(slot) ((uint8_t)(AD__T_STR + (slot)))

/* One template field. */
typedef struct ad__etw_field {
    uint8_t wire;     /* enum ad__etw_wire */
    uint8_t target;   /* enum ad__etw_target */
    const char *name; /* manifest field name, for diagnostics */
} ad__etw_field;

/* One template: fields in wire order, the first `required` of them mandatory. */
typedef struct ad__etw_tmpl {
    const ad__etw_field *fields;
    uint8_t count;
    uint8_t required;
} ad__etw_tmpl;

#define AD__TMPL(fields, required)                                                                 \
    {                                                                                              \
        (fields), (uint8_t)AD_ARRAY_LEN(fields), (uint8_t)(required)                               \
    }
#define AD__TMPL_ALL(fields) AD__TMPL(fields, AD_ARRAY_LEN(fields))

/* Decoding state of one event. */
typedef struct ad__etw_ctx {
    const unsigned char *p; /* UserData */
    size_t len;
    size_t off; /* next byte to read */
    ad_event *ev;
    ad_decode_scratch *s;
    unsigned ptr_size; /* 4 or 8; 0 when the header flags give none */
    uint32_t bin_len;  /* value of the last AD__W_LEN */
    uint32_t port;     /* Port field */
    bool has_port;
    ad_addr peer;  /* Source / Destination / DNS server */
    ad_addr iface; /* InterfaceIP / local address */
} ad__etw_ctx;

/*
 * Checks the arguments and prepares c, *ev (identity fields only) and *s (empty, diag
 * cleared) for one decoding attempt. AD_EINVAL for NULL pointers or NULL userdata with a
 * length, AD_ERANGE for userdata_len above AD_ETW_MAX_USERDATA.
 */
ad_err ad__etw_begin(ad__etw_ctx *c, const ad_etw_event_in *in, ad_event *ev, ad_decode_scratch *s);

/*
 * Ends a failed decode: *ev back to the identity fields, scratch emptied, diag.layout NONE
 * (diag.field/offset kept). Returns err.
 */
ad_err ad__etw_fail(const ad_etw_event_in *in, ad_event *ev, ad_decode_scratch *s, ad_err err);

/*
 * Decodes template t from c->off. *partial is set when optional fields were absent.
 * Errors as in etw_decode.h; scratch->diag names the field.
 */
ad_err ad__etw_run(ad__etw_ctx *c, const ad__etw_tmpl *t, bool *partial);

/*
 * Copies peer (with its port) and iface into ev->hdr: iface always; src (the message's
 * sender) and dst (its receiver) by the catalogue's client side and message (event_catalog.h).
 */
void ad__etw_apply_addrs(ad__etw_ctx *c, const ad_event_def *def);

/*
 * Parses IP text (ASCII, optional [brackets] and %scope) into *addr. Empty text leaves the
 * address absent (AD_OK); anything else that is not an address gives AD_EFORMAT.
 */
ad_err ad__etw_parse_ip(const char *text, size_t len, ad_addr *addr);

/* Per-provider lookups behind ad_etw_event_supported / ad_etw_event_name. */
bool ad__etw_server_supported(uint16_t event_id);
const char *ad__etw_server_name(uint16_t event_id);
bool ad__etw_client_supported(uint16_t event_id);
const char *ad__etw_client_name(uint16_t event_id);

#endif

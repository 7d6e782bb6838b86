/*
 * asimdns-capture: Microsoft-Windows-DNSServer {EB79061A-A566-4698-9119-3ED2807060E7}
 * UserData decoder (facts/etw-dns-providers.md §2).
 *
 * Analytic events 256-291 use the 2025 manifest templates of facts §2.4 field by field.
 * Version drift (facts §2.6), with EventDescriptor.Version always 0 (facts §2.1):
 * - Trailing fields are optional. Each template below names how many leading fields are
 *   required: for 256/257/258 and the templates derived from them the core up to PacketData,
 *   which is identical in every known build (facts §2.6 last row); for 259-262 the fields of
 *   the pre-2016 layout; for the others (no drift evidence) the whole template. A missing or
 *   cut optional field makes it and everything after it absent: AD_REC_PARTIAL.
 * - 259-262 had mid-template insertions (Source in 259, QXID in 260/262, RecursionDepth in
 *   261). The 2025 layout is tried first; it is accepted when it reads every field, ends
 *   exactly at the end of UserData and its 16-bit values (XID, QXID, Flags, QTYPE) fit 16 bits.
 *   Otherwise the legacy layout of facts §2.6 is tried with the same test; if it passes, the
 *   record carries AD_REC_LEGACY_LAYOUT. If neither passes, the 2025 decode stands (partial
 *   record or error). Legacy ServerScope goes to AD_STR_RECURSION_SCOPE. Limit: a 2025
 *   payload cut exactly at some field boundaries can read as a complete legacy one (e.g. 262
 *   ending after RecursionScope); ETW delivers whole payloads, so only damaged input does it.
 * - Bytes after the last known field (a newer build appending fields) are ignored and counted
 *   in scratch->diag.trailing.
 *
 * Audit events 512-596 (facts §2.7) are decoded into a generic record: event id, names (the
 * NAME/Name/NodeName/ChildZone field -> AD_STR_QNAME), zone (Zone/ZoneName -> AD_STR_ZONE),
 * scopes, policy, GUID, record type, and the Source of 519/520. Only their first field is
 * required. Audit ids without a template in facts §2.7 (524, 532, 538, 539) and every other
 * id give AD_EUNSUPP.
 *
 * Field -> record (facts §2.5): TCP -> transport (UDP/TCP); RD/AA/AD/DNSSEC/Secure -> bits
 * with presence; QTYPE/RRTYPE -> qtype; XID -> xid; QXID -> qxid; Flags -> dns_flags;
 * RCODE -> rcode; ElapsedTime -> elapsed_ms; RecursionDepth -> recursion_depth;
 * QueriesAttached -> queries_attached; PacketData -> packet (a view, capped by the encoder);
 * QNAME -> AD_STR_QNAME with its trailing dot; Scope/ZoneScope -> AD_STR_ZONE_SCOPE;
 * Zone -> AD_STR_ZONE; PolicyName -> AD_STR_POLICY; Reason/AliasFailureReason ->
 * AD_STR_REASON; RecursionScope/ServerScope -> AD_STR_RECURSION_SCOPE; CacheScope ->
 * AD_STR_CACHE_SCOPE; AdditionalInfo -> AD_STR_ADDITIONAL; GUID/QueryGUID (text) ->
 * AD_STR_GUID. Literal "NULL" values are kept as sent. Not kept (no place in record.h):
 * StaleRecordsPresent, DataTag, EDNS* fields, CacheNodeName.
 *
 * Which template an event id uses, its name, whether its message is a response
 * (AD_BIT_RESPONSE) and which of Source/Destination and InterfaceIP is the DNS client come
 * from the event catalogue (common/event_catalog.h); the record's src is the message's
 * sender and dst its receiver, Port goes with the peer (Source/Destination), and every event
 * with an InterfaceIP also fills iface.
 */
#include "capture/etw_decode.h"

#include "capture/etw_decode_common.h"
#include "common/compiler.h"
#include "common/event_catalog.h"

/* clang-format off */
#define F(w, t, n) {AD__W_##w, AD__T_##t, n}
#define S(w, slot, n) {AD__W_##w, AD__T_SLOT(AD_STR_##slot), n}
/* clang-format on */

/* ---- Analytic templates, 2025 manifest (facts §2.4) ---- */

/* clang-format off */
/* Template 256's first 11 fields, which template 287 repeats before its own. */
#define T256_HEAD \
    F(U8, TCP, "TCP"), \
    F(ANSI, IFACE_IP, "InterfaceIP"), \
    F(ANSI, PEER_IP, "Source"), \
    F(U8, RD, "RD"), \
    S(ANSI, QNAME, "QNAME"), \
    F(U32, QTYPE, "QTYPE"), \
    F(U32, XID, "XID"), \
    F(U32, PORT, "Port"), \
    F(U32, FLAGS, "Flags"), \
    F(LEN, SKIP, "BufferSize"), \
    F(BIN, PACKET, "PacketData"),

static const ad__etw_field f256[] = {
    T256_HEAD
    /* optional (facts §2.6: S7 has none of these) */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
};

/* Template 257's first 18 fields, which template 284 repeats before its own. */
#define T257_HEAD \
    F(U8, TCP, "TCP"), \
    F(ANSI, IFACE_IP, "InterfaceIP"), \
    F(ANSI, PEER_IP, "Destination"), \
    F(U8, AA, "AA"), \
    F(U8, AD, "AD"), \
    S(ANSI, QNAME, "QNAME"), \
    F(U32, QTYPE, "QTYPE"), \
    F(U32, XID, "XID"), \
    F(U8, DNSSEC, "DNSSEC"), \
    F(U32, RCODE, "RCODE"), \
    F(U32, PORT, "Port"), \
    F(U32, FLAGS, "Flags"), \
    S(UTF16, ZONE_SCOPE, "Scope"), \
    S(UTF16, ZONE, "Zone"), \
    S(UTF16, POLICY, "PolicyName"), \
    F(LEN, SKIP, "BufferSize"), \
    F(BIN, PACKET, "PacketData"), \
    /* optional */ \
    S(UTF16, ADDITIONAL, "AdditionalInfo"),

static const ad__etw_field f257[] = {
    T257_HEAD
    F(U32, ELAPSED, "ElapsedTime"),
    S(UTF16, GUID, "GUID"),
    F(UTF16, SKIP, "StaleRecordsPresent"), /* not in 2022 events (facts §2.6) */
};

/* Template 258's first 17 fields, which template 285 repeats before its own. */
#define T258_HEAD \
    F(U8, TCP, "TCP"), \
    F(ANSI, IFACE_IP, "InterfaceIP"), \
    S(UTF16, REASON, "Reason"), \
    F(ANSI, PEER_IP, "Destination"), \
    S(ANSI, QNAME, "QNAME"), \
    F(U32, QTYPE, "QTYPE"), \
    F(U32, XID, "XID"), \
    F(U32, RCODE, "RCODE"), \
    F(U32, PORT, "Port"), \
    F(U32, FLAGS, "Flags"), \
    S(UTF16, ZONE, "Zone"), \
    S(UTF16, POLICY, "PolicyName"), \
    F(LEN, SKIP, "BufferSize"), \
    F(BIN, PACKET, "PacketData"), \
    /* optional */ \
    S(UTF16, ADDITIONAL, "AdditionalInfo"), \
    F(U32, ELAPSED, "ElapsedTime"), \
    S(UTF16, GUID, "GUID"),

static const ad__etw_field f258[] = {
    T258_HEAD
};

static const ad__etw_field f259[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Source"),
    S(UTF16, REASON, "Reason"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, POLICY, "PolicyName"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
};

/* Template 260's first 17 fields, which template 289 repeats before its own. */
#define T260_HEAD \
    F(U8, TCP, "TCP"), \
    F(ANSI, PEER_IP, "Destination"), \
    F(ANSI, IFACE_IP, "InterfaceIP"), \
    F(U8, RD, "RD"), \
    S(ANSI, QNAME, "QNAME"), \
    F(U32, QTYPE, "QTYPE"), \
    F(U32, QXID, "QXID"), \
    F(U32, XID, "XID"), \
    F(U32, PORT, "Port"), \
    F(U32, FLAGS, "Flags"), \
    S(UTF16, RECURSION_SCOPE, "RecursionScope"), \
    S(UTF16, CACHE_SCOPE, "CacheScope"), \
    S(UTF16, POLICY, "PolicyName"), \
    F(LEN, SKIP, "BufferSize"), \
    F(BIN, PACKET, "PacketData"), \
    /* optional */ \
    S(UTF16, ADDITIONAL, "AdditionalInfo"), \
    S(UTF16, GUID, "GUID"),

static const ad__etw_field f260[] = {
    T260_HEAD
};

/* Template 261's first 18 fields, which template 290 repeats before its own. */
#define T261_HEAD \
    F(U8, TCP, "TCP"), \
    F(ANSI, PEER_IP, "Source"), \
    F(ANSI, IFACE_IP, "InterfaceIP"), \
    F(U8, AA, "AA"), \
    F(U8, AD, "AD"), \
    S(ANSI, QNAME, "QNAME"), \
    F(U32, QTYPE, "QTYPE"), \
    F(U32, XID, "XID"), \
    F(U32, RECURSION_DEPTH, "RecursionDepth"), \
    F(U32, PORT, "Port"), \
    F(U32, FLAGS, "Flags"), \
    S(UTF16, RECURSION_SCOPE, "RecursionScope"), \
    S(UTF16, CACHE_SCOPE, "CacheScope"), \
    F(LEN, SKIP, "BufferSize"), \
    F(BIN, PACKET, "PacketData"), \
    /* optional */ \
    S(UTF16, ADDITIONAL, "AdditionalInfo"), \
    S(UTF16, GUID, "GUID"), \
    F(U32, QUERIES_ATTACHED, "QueriesAttached"),

static const ad__etw_field f261[] = {
    T261_HEAD
};

/* Template 262's first 13 fields, which template 291 repeats before its own. */
#define T262_HEAD \
    F(U8, TCP, "TCP"), \
    F(ANSI, IFACE_IP, "InterfaceIP"), \
    F(ANSI, PEER_IP, "Destination"), \
    S(ANSI, QNAME, "QNAME"), \
    F(U32, QTYPE, "QTYPE"), \
    F(U32, QXID, "QXID"), \
    F(U32, XID, "XID"), \
    F(U32, PORT, "Port"), \
    F(U32, FLAGS, "Flags"), \
    S(UTF16, RECURSION_SCOPE, "RecursionScope"), \
    S(UTF16, CACHE_SCOPE, "CacheScope"), \
    /* optional */ \
    S(UTF16, ADDITIONAL, "AdditionalInfo"), \
    S(UTF16, GUID, "GUID"),

static const ad__etw_field f262[] = {
    T262_HEAD
};

static const ad__etw_field f263[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Source"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    F(U8, SECURE, "Secure"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

static const ad__etw_field f264[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(U32, RCODE, "RCODE"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

/* 265, 266 */
static const ad__etw_field f265[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Source"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

/* 267, 268, and 278 (same wire layout; 278's message calls Destination "Source") */
static const ad__etw_field f267[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(U32, RCODE, "RCODE"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

/* 269, 270 */
static const ad__etw_field f269[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

/* 271, 272 */
static const ad__etw_field f271[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(U32, RCODE, "RCODE"),
};

/* 273, 274 (for 274 the Source field is the destination, facts §2.4) */
static const ad__etw_field f273[] = {
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    S(ANSI, QNAME, "QNAME"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

static const ad__etw_field f275[] = {
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

static const ad__etw_field f276[] = {
    F(ANSI, PEER_IP, "Destination"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    S(UTF16, ZONE, "Zone"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

static const ad__etw_field f277[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "ForwardInterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(U32, RCODE, "RCODE"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

/* 279, 280 */
static const ad__etw_field f279[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Source"),
    F(U8, RD, "RD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    F(U32, XID, "XID"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional (not in the S5 doc template) */
    S(UTF16, GUID, "GUID"),
};

/* 281, 282, 283 */
static const ad__etw_field f281[] = {
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, RCODE, "RCODE"),
    F(U32, PORT, "Port"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

/* T284 = T257 fields 1-18, then DataTag, ElapsedTime, GUID, EDNS fields, StaleRecordsPresent */
static const ad__etw_field f284[] = {
    T257_HEAD
    F(U64, SKIP, "DataTag"),
    F(U32, ELAPSED, "ElapsedTime"),
    S(UTF16, GUID, "GUID"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
    F(UTF16, SKIP, "EDNSScopeName"),
    F(UTF16, SKIP, "StaleRecordsPresent"),
};

/* T285 = T258 fields 1-17, then EDNSCorrelationTag, EDNSScopeName */
static const ad__etw_field f285[] = {
    T258_HEAD
    F(GUID, SKIP, "EDNSCorrelationTag"),
    F(UTF16, SKIP, "EDNSScopeName"),
};

static const ad__etw_field f286[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, AA, "AA"),
    F(U8, AD, "AD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "ServerScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, REASON, "AliasFailureReason"),
};

/* T287 = T256 fields 1-11, then GUID and EDNS fields (no AdditionalInfo) */
static const ad__etw_field f287[] = {
    T256_HEAD
    /* optional */
    S(UTF16, GUID, "GUID"),
    F(U8, SKIP, "EDNSExtendedRCodeBits"),
    F(U32, SKIP, "EDNSFlags"),
    F(U32, SKIP, "EDNSUdpPayloadSize"),
    F(UTF16, SKIP, "EDNSScopeName"),
    F(UTF16, SKIP, "EDNSVirtualizationInstance"),
    F(U64, SKIP, "EDNSDataTag"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
};

static const ad__etw_field f288[] = {
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "RRTYPE"),
    S(UTF16, GUID, "QueryGUID"),
    F(U32, QXID, "QXID"),
    F(U32, XID, "XID"),
    F(ANSI, SKIP, "CacheNodeName"),
};

/* T289 = T260 fields 1-17, then EDNSScopeName, EDNSCorrelationTag */
static const ad__etw_field f289[] = {
    T260_HEAD
    F(UTF16, SKIP, "EDNSScopeName"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
};

/* T290 = T261 fields 1-18, then EDNSScopeName, EDNSCorrelationTag */
static const ad__etw_field f290[] = {
    T261_HEAD
    F(UTF16, SKIP, "EDNSScopeName"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
};

/* T291 = T262 fields 1-13, then EDNSScopeName, EDNSCorrelationTag */
static const ad__etw_field f291[] = {
    T262_HEAD
    F(UTF16, SKIP, "EDNSScopeName"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
};

/* ---- Legacy layouts of 259-262 (facts §2.6, from the S5 doc message strings) ---- */

static const ad__etw_field l259[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    S(UTF16, REASON, "Reason"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, POLICY, "PolicyName"),
};

static const ad__etw_field l260[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Destination"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, RD, "RD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "ServerScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

static const ad__etw_field l261[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, AA, "AA"),
    F(U8, AD, "AD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "ServerScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
};

static const ad__etw_field l262[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "ServerScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
};

static const ad__etw_tmpl t256 = AD__TMPL(f256, 11);
static const ad__etw_tmpl t257 = AD__TMPL(f257, 17);
static const ad__etw_tmpl t258 = AD__TMPL(f258, 14);
static const ad__etw_tmpl t259 = AD__TMPL(f259, 9);
static const ad__etw_tmpl t260 = AD__TMPL(f260, 15);
static const ad__etw_tmpl t261 = AD__TMPL(f261, 15);
static const ad__etw_tmpl t262 = AD__TMPL(f262, 11);
static const ad__etw_tmpl t263 = AD__TMPL_ALL(f263);
static const ad__etw_tmpl t264 = AD__TMPL_ALL(f264);
static const ad__etw_tmpl t265 = AD__TMPL_ALL(f265);
static const ad__etw_tmpl t267 = AD__TMPL_ALL(f267);
static const ad__etw_tmpl t269 = AD__TMPL_ALL(f269);
static const ad__etw_tmpl t271 = AD__TMPL_ALL(f271);
static const ad__etw_tmpl t273 = AD__TMPL_ALL(f273);
static const ad__etw_tmpl t275 = AD__TMPL_ALL(f275);
static const ad__etw_tmpl t276 = AD__TMPL_ALL(f276);
static const ad__etw_tmpl t277 = AD__TMPL_ALL(f277);
static const ad__etw_tmpl t279 = AD__TMPL(f279, 11);
static const ad__etw_tmpl t281 = AD__TMPL_ALL(f281);
static const ad__etw_tmpl t284 = AD__TMPL(f284, 17);
static const ad__etw_tmpl t285 = AD__TMPL(f285, 14);
static const ad__etw_tmpl t286 = AD__TMPL(f286, 14);
static const ad__etw_tmpl t287 = AD__TMPL(f287, 11);
static const ad__etw_tmpl t288 = AD__TMPL_ALL(f288);
static const ad__etw_tmpl t289 = AD__TMPL(f289, 15);
static const ad__etw_tmpl t290 = AD__TMPL(f290, 15);
static const ad__etw_tmpl t291 = AD__TMPL(f291, 11);
static const ad__etw_tmpl tl259 = AD__TMPL_ALL(l259);
static const ad__etw_tmpl tl260 = AD__TMPL_ALL(l260);
static const ad__etw_tmpl tl261 = AD__TMPL_ALL(l261);
static const ad__etw_tmpl tl262 = AD__TMPL_ALL(l262);

/* ---- Audit templates (facts §2.7) ---- */

static const ad__etw_field a512[] = {
    S(UTF16, ZONE, "Name"),
    F(UTF16, SKIP, "Type"),
    F(UTF16, SKIP, "Lookup"),
    F(UTF16, SKIP, "ReplicationScope"),
    F(UTF16, SKIP, "ZoneFile"),
    F(UTF16, SKIP, "VirtualizationID"),
};
static const ad__etw_field a513[] = {
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "VirtualizationID"),
};
static const ad__etw_field a514[] = {
    S(UTF16, ZONE, "Zone"),
    F(ANSI, SKIP, "PropertyKey"),
    F(UTF16, SKIP, "NewValue"),
    F(UTF16, SKIP, "VirtualizationID"),
};
/* 515, 516, 521 */
static const ad__etw_field a515[] = {
    F(U32, QTYPE, "Type"),
    S(ANSI, QNAME, "NAME"),
    F(U32, SKIP, "TTL"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, SKIP, "RDATA"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    F(UTF16, SKIP, "VirtualizationID"),
};
static const ad__etw_field a517[] = {
    F(U32, QTYPE, "Type"),
    S(ANSI, QNAME, "NAME"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    F(UTF16, SKIP, "VirtualizationID"),
};
static const ad__etw_field a518[] = {
    S(ANSI, QNAME, "NAME"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    F(UTF16, SKIP, "VirtualizationID"),
};
/* 519, 520 */
static const ad__etw_field a519[] = {
    F(U32, QTYPE, "Type"),
    S(ANSI, QNAME, "NAME"),
    F(U32, SKIP, "TTL"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, SKIP, "RDATA"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    F(ANSI, PEER_IP, "Source"),
};
/* 522, 523 */
static const ad__etw_field a522[] = {
    S(UTF16, ZONE_SCOPE, "ZoneScope"),
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "VirtualizationID"),
};
/* 525, 527 */
static const ad__etw_field a525[] = {
    S(UTF16, ZONE, "ZoneName"),
    F(UTF16, SKIP, "DenialOfExistence"),
    F(UTF16, SKIP, "DistributeTrustAnchor"),
    F(U32, SKIP, "DnsKeyRecordSetTtl"),
    F(UTF16, SKIP, "DSRecordGenerationAlgorithm"),
    F(U32, SKIP, "DSRecordSetTtl"),
    F(UTF16, SKIP, "EnableRfc5011KeyRollover"),
    F(UTF16, SKIP, "IsKeyMasterServer"),
    F(ANSI, SKIP, "KeyMasterServer"),
    F(U32, SKIP, "NSec3HashAlgorithm"),
    F(U32, SKIP, "NSec3Iterations"),
    F(UTF16, SKIP, "NSec3OptOut"),
    F(U32, SKIP, "NSec3RandomSaltLength"),
    F(UTF16, SKIP, "NSec3UserSalt"),
    F(UTF16, SKIP, "ParentHasSecureDelegation"),
    F(U32, SKIP, "PropagationTime"),
    F(U32, SKIP, "SecureDelegationPollingPeriod"),
    F(U32, SKIP, "SignatureInceptionOffset"),
};
static const ad__etw_field a526[] = {
    S(ANSI, ZONE, "Zone"),
};
/* 528-531 */
static const ad__etw_field a528[] = {
    F(UTF16, SKIP, "Type"),
    S(UTF16, GUID, "GUID"),
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a533[] = {
    S(UTF16, GUID, "GUID"),
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a534[] = {
    F(UTF16, SKIP, "WithWithout"),
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a535[] = {
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a536[] = {
    F(U32, QTYPE, "QTYPE"),
    S(ANSI, QNAME, "QNAME"),
    S(UTF16, ZONE_SCOPE, "Scope"),
};
static const ad__etw_field a537[] = {
    S(ANSI, SERVERS, "Forwarders"),
    S(UTF16, ZONE_SCOPE, "Scope"),
};
static const ad__etw_field a541[] = {
    F(ANSI, SKIP, "Setting"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    F(UTF16, SKIP, "NewValue"),
};
/* 542, 543 */
static const ad__etw_field a542[] = {
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
};
static const ad__etw_field a544[] = {
    S(ANSI, QNAME, "Name"),
    F(UTF16, SKIP, "KeyProtocol"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, SKIP, "Base64Data"),
    F(UTF16, SKIP, "CryptoAlgorithm"),
};
static const ad__etw_field a545[] = {
    S(ANSI, QNAME, "Name"),
    F(U32, SKIP, "KeyTag"),
    F(UTF16, SKIP, "DigestType"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, SKIP, "Digest"),
    F(UTF16, SKIP, "CryptoAlgorithm"),
};
static const ad__etw_field a546[] = {
    S(ANSI, QNAME, "Name"),
    F(UTF16, SKIP, "Type"),
};
static const ad__etw_field a549[] = {
    F(UTF16, SKIP, "FilePath"),
};
static const ad__etw_field a553[] = {
    F(UTF16, SKIP, "EventString"),
};
static const ad__etw_field a557[] = {
    F(UTF16, SKIP, "ListenAddresses"),
};
/* 559, 560, 564, 565 */
static const ad__etw_field a559[] = {
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "VirtualizationID"),
};
static const ad__etw_field a561[] = {
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "FilePath"),
    F(UTF16, SKIP, "VirtualizationID"),
};
/* 562, 563 */
static const ad__etw_field a562[] = {
    S(UTF16, ZONE, "Zone"),
    S(UTF16, SERVERS, "MasterServer"),
};
static const ad__etw_field a566[] = {
    S(ANSI, QNAME, "NodeName"),
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "SubTreeAging"),
};
static const ad__etw_field a567[] = {
    S(UTF16, ZONE, "Zone"),
    S(UTF16, SERVERS, "ScavengeServers"),
};
static const ad__etw_field a568[] = {
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "SeizedOrTransfered"),
    F(UTF16, SKIP, "WithNewKeys"),
};
static const ad__etw_field a569[] = {
    F(UTF16, SKIP, "KeyOrZone"),
    F(UTF16, SKIP, "KskOrZsk"),
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "KeyId"),
    F(UTF16, SKIP, "KeyType"),
    F(UTF16, SKIP, "CurrentState"),
    F(UTF16, SKIP, "KeyStorageProvider"),
    F(BOOL32, SKIP, "StoreKeysInAD"),
    F(UTF16, SKIP, "CryptoAlgorithm"),
    F(U32, SKIP, "KeyLength"),
    F(U32, SKIP, "DnsKeySignatureValidityPeriod"),
    F(U32, SKIP, "DSSignatureValidityPeriod"),
    F(U32, SKIP, "ZoneSignatureValidityPeriod"),
    F(U32, SKIP, "InitialRolloverOffset"),
    F(U32, SKIP, "RolloverPeriod"),
    F(UTF16, SKIP, "RolloverType"),
    F(UTF16, SKIP, "NextRolloverAction"),
    F(FILETIME, SKIP, "LastRolloverTime"),
    F(FILETIME, SKIP, "NextRolloverTime"),
    F(UTF16, SKIP, "CurrentRolloverStatus"),
    F(UTF16, SKIP, "ActiveKey"),
    F(UTF16, SKIP, "StandbyKey"),
    F(UTF16, SKIP, "NextKey"),
};
/* 570 = 569 with GUID inserted after KskOrZsk */
static const ad__etw_field a570[] = {
    F(UTF16, SKIP, "KeyOrZone"),
    F(UTF16, SKIP, "KskOrZsk"),
    S(UTF16, GUID, "GUID"),
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "KeyId"),
    F(UTF16, SKIP, "KeyType"),
    F(UTF16, SKIP, "CurrentState"),
    F(UTF16, SKIP, "KeyStorageProvider"),
    F(BOOL32, SKIP, "StoreKeysInAD"),
    F(UTF16, SKIP, "CryptoAlgorithm"),
    F(U32, SKIP, "KeyLength"),
    F(U32, SKIP, "DnsKeySignatureValidityPeriod"),
    F(U32, SKIP, "DSSignatureValidityPeriod"),
    F(U32, SKIP, "ZoneSignatureValidityPeriod"),
    F(U32, SKIP, "InitialRolloverOffset"),
    F(U32, SKIP, "RolloverPeriod"),
    F(UTF16, SKIP, "RolloverType"),
    F(UTF16, SKIP, "NextRolloverAction"),
    F(FILETIME, SKIP, "LastRolloverTime"),
    F(FILETIME, SKIP, "NextRolloverTime"),
    F(UTF16, SKIP, "CurrentRolloverStatus"),
    F(UTF16, SKIP, "ActiveKey"),
    F(UTF16, SKIP, "StandbyKey"),
    F(UTF16, SKIP, "NextKey"),
};
static const ad__etw_field a571[] = {
    F(UTF16, SKIP, "KeyOrZone"),
    F(UTF16, SKIP, "KskOrZsk"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, GUID, "GUID"),
};
static const ad__etw_field a572[] = {
    F(UTF16, SKIP, "KeyOrZone"),
    F(UTF16, SKIP, "KskOrZsk"),
    S(UTF16, GUID, "GUID"),
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "ActiveKey"),
    F(UTF16, SKIP, "StandbyKey"),
    F(UTF16, SKIP, "NextKey"),
};
static const ad__etw_field a573[] = {
    S(ANSI, QNAME, "ChildZone"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    S(UTF16, ZONE, "Zone"),
    F(ANSI, SKIP, "NameServer"),
    F(UTF16, SKIP, "VirtualizationID"),
};
/* 574, 576 */
static const ad__etw_field a574[] = {
    F(UTF16, SKIP, "ClientSubnetRecord"),
    F(ANSI, SKIP, "ClientSubnetList"),
};
static const ad__etw_field a575[] = {
    F(UTF16, SKIP, "ClientSubnetRecord"),
};
static const ad__etw_field a577[] = {
    F(UTF16, SKIP, "Type"),
    F(ANSI, SKIP, "ServerName"),
    F(U32, SKIP, "ProcessingOrder"),
    F(UTF16, SKIP, "Criteria"),
    F(UTF16, SKIP, "Action"),
    S(UTF16, POLICY, "Policy"),
    F(UTF16, SKIP, "Condition"),
    F(UTF16, SKIP, "IsEnabled"),
};
static const ad__etw_field a578[] = {
    F(UTF16, SKIP, "Type"),
    F(ANSI, SKIP, "ServerName"),
    F(U32, SKIP, "ProcessingOrder"),
    F(UTF16, SKIP, "Criteria"),
    F(UTF16, SKIP, "Action"),
    S(UTF16, ZONE, "ZoneName"),
    F(UTF16, SKIP, "Scopes"),
    S(UTF16, POLICY, "Policy"),
    F(UTF16, SKIP, "Condition"),
    F(UTF16, SKIP, "IsEnabled"),
};
static const ad__etw_field a579[] = {
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    F(ANSI, SKIP, "ServerName"),
    F(U32, SKIP, "ProcessingOrder"),
    F(UTF16, SKIP, "Criteria"),
    F(UTF16, SKIP, "Action"),
    S(UTF16, POLICY, "Policy"),
    F(UTF16, SKIP, "Condition"),
    F(UTF16, SKIP, "IsEnabled"),
};
/* 580, 582 */
static const ad__etw_field a580[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
};
static const ad__etw_field a581[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    S(UTF16, ZONE, "Zone"),
};
/* 583, 585 */
static const ad__etw_field a583[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    F(UTF16, SKIP, "OldPropertyValues"),
    F(UTF16, SKIP, "NewPropertyValues"),
};
static const ad__etw_field a584[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    S(UTF16, ZONE, "Zone"),
    F(UTF16, SKIP, "OldPropertyValues"),
    F(UTF16, SKIP, "NewPropertyValues"),
};
static const ad__etw_field a586[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a587[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    F(U32, SKIP, "ScopeWeight"),
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a588[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    F(U32, SKIP, "ScopeWeightNew"),
    F(U32, SKIP, "ScopeWeightOld"),
    S(UTF16, ZONE, "Zone"),
};
static const ad__etw_field a589[] = {
    S(UTF16, POLICY, "Policy"),
    F(ANSI, SKIP, "ServerName"),
    S(UTF16, ZONE_SCOPE, "NewScope"),
    F(UTF16, SKIP, "OldScope"),
};
static const ad__etw_field a590[] = {
    F(ANSI, SKIP, "ServerName"),
    F(U32, SKIP, "ResponsePerSecond"),
    F(U32, SKIP, "ErrorsPerSecond"),
    F(U32, SKIP, "LeakRate"),
    F(U32, SKIP, "TCRate"),
    F(U32, SKIP, "WindowSize"),
    F(U32, SKIP, "TotalResponsesInWindow"),
    F(U32, SKIP, "IPv4PrefixLength"),
    F(U32, SKIP, "IPv6PrefixLength"),
    F(ANSI, SKIP, "Mode"),
};
static const ad__etw_field a591[] = {
    F(UTF16, SKIP, "RRLExceptionlist"),
    F(ANSI, SKIP, "ServerName"),
    F(UTF16, SKIP, "Criteria"),
    F(UTF16, SKIP, "Condition"),
};
static const ad__etw_field a592[] = {
    F(UTF16, SKIP, "RRLExceptionlist"),
    F(ANSI, SKIP, "ServerName"),
};
static const ad__etw_field a593[] = {
    F(UTF16, SKIP, "RRLExceptionlist"),
    F(ANSI, SKIP, "ServerName"),
    F(UTF16, SKIP, "OldPropertyValues"),
    F(UTF16, SKIP, "NewPropertyValues"),
};
static const ad__etw_field a594[] = {
    F(UTF16, SKIP, "VirtualizationID"),
    F(UTF16, SKIP, "FriendlyName"),
};
static const ad__etw_field a595[] = {
    F(UTF16, SKIP, "VirtualizationID"),
};
static const ad__etw_field a596[] = {
    F(UTF16, SKIP, "VirtualizationID"),
    F(UTF16, SKIP, "OldFriendlyName"),
    F(UTF16, SKIP, "NewFriendlyName"),
};
/* clang-format on */

/* Audit templates need only their first field; the rest may be missing (older builds). */
#define AUDIT(f) AD__TMPL(f, 1)
static const ad__etw_tmpl ta512 = AUDIT(a512), ta513 = AUDIT(a513), ta514 = AUDIT(a514),
                          ta515 = AUDIT(a515), ta517 = AUDIT(a517), ta518 = AUDIT(a518),
                          ta519 = AUDIT(a519), ta522 = AUDIT(a522), ta525 = AUDIT(a525),
                          ta526 = AUDIT(a526), ta528 = AUDIT(a528), ta533 = AUDIT(a533),
                          ta534 = AUDIT(a534), ta535 = AUDIT(a535), ta536 = AUDIT(a536),
                          ta537 = AUDIT(a537), ta541 = AUDIT(a541), ta542 = AUDIT(a542),
                          ta544 = AUDIT(a544), ta545 = AUDIT(a545), ta546 = AUDIT(a546),
                          ta549 = AUDIT(a549), ta553 = AUDIT(a553), ta557 = AUDIT(a557),
                          ta559 = AUDIT(a559), ta561 = AUDIT(a561), ta562 = AUDIT(a562),
                          ta566 = AUDIT(a566), ta567 = AUDIT(a567), ta568 = AUDIT(a568),
                          ta569 = AUDIT(a569), ta570 = AUDIT(a570), ta571 = AUDIT(a571),
                          ta572 = AUDIT(a572), ta573 = AUDIT(a573), ta574 = AUDIT(a574),
                          ta575 = AUDIT(a575), ta577 = AUDIT(a577), ta578 = AUDIT(a578),
                          ta579 = AUDIT(a579), ta580 = AUDIT(a580), ta581 = AUDIT(a581),
                          ta583 = AUDIT(a583), ta584 = AUDIT(a584), ta586 = AUDIT(a586),
                          ta587 = AUDIT(a587), ta588 = AUDIT(a588), ta589 = AUDIT(a589),
                          ta590 = AUDIT(a590), ta591 = AUDIT(a591), ta592 = AUDIT(a592),
                          ta593 = AUDIT(a593), ta594 = AUDIT(a594), ta595 = AUDIT(a595),
                          ta596 = AUDIT(a596);
/* Audit events whose template has no fields (540, 547, 548, 550-552, 554-556, 558). */
static const ad__etw_tmpl ta_empty = {NULL, 0, 0};

/* ---- Dispatch: the catalogue (common/event_catalog.h) names each event's template ---- */

static const ad__etw_tmpl *const by_tmpl[AD_TMPL__COUNT] = {
    [AD_TMPL_T256] = &t256,  [AD_TMPL_T257] = &t257,  [AD_TMPL_T258] = &t258,
    [AD_TMPL_T259] = &t259,  [AD_TMPL_T260] = &t260,  [AD_TMPL_T261] = &t261,
    [AD_TMPL_T262] = &t262,  [AD_TMPL_T263] = &t263,  [AD_TMPL_T264] = &t264,
    [AD_TMPL_T265] = &t265,  [AD_TMPL_T267] = &t267,  [AD_TMPL_T269] = &t269,
    [AD_TMPL_T271] = &t271,  [AD_TMPL_T273] = &t273,  [AD_TMPL_T275] = &t275,
    [AD_TMPL_T276] = &t276,  [AD_TMPL_T277] = &t277,  [AD_TMPL_T279] = &t279,
    [AD_TMPL_T281] = &t281,  [AD_TMPL_T284] = &t284,  [AD_TMPL_T285] = &t285,
    [AD_TMPL_T286] = &t286,  [AD_TMPL_T287] = &t287,  [AD_TMPL_T288] = &t288,
    [AD_TMPL_T289] = &t289,  [AD_TMPL_T290] = &t290,  [AD_TMPL_T291] = &t291,
    [AD_TMPL_L259] = &tl259, [AD_TMPL_L260] = &tl260, [AD_TMPL_L261] = &tl261,
    [AD_TMPL_L262] = &tl262,
};

#define AUDIT_FIRST 512
#define AUDIT_LAST 596

#define A(id) [(id)-AUDIT_FIRST]
static const ad__etw_tmpl *const audit[AUDIT_LAST - AUDIT_FIRST + 1] = {
    A(512) = &ta512,    A(513) = &ta513, A(514) = &ta514,    A(515) = &ta515,
    A(516) = &ta515,    A(517) = &ta517, A(518) = &ta518,    A(519) = &ta519,
    A(520) = &ta519,    A(521) = &ta515, A(522) = &ta522,    A(523) = &ta522,
    A(525) = &ta525,    A(526) = &ta526, A(527) = &ta525,    A(528) = &ta528,
    A(529) = &ta528,    A(530) = &ta528, A(531) = &ta528,    A(533) = &ta533,
    A(534) = &ta534,    A(535) = &ta535, A(536) = &ta536,    A(537) = &ta537,
    A(540) = &ta_empty, A(541) = &ta541, A(542) = &ta542,    A(543) = &ta542,
    A(544) = &ta544,    A(545) = &ta545, A(546) = &ta546,    A(547) = &ta_empty,
    A(548) = &ta_empty, A(549) = &ta549, A(550) = &ta_empty, A(551) = &ta_empty,
    A(552) = &ta_empty, A(553) = &ta553, A(554) = &ta_empty, A(555) = &ta_empty,
    A(556) = &ta_empty, A(557) = &ta557, A(558) = &ta_empty, A(559) = &ta559,
    A(560) = &ta559,    A(561) = &ta561, A(562) = &ta562,    A(563) = &ta562,
    A(564) = &ta559,    A(565) = &ta559, A(566) = &ta566,    A(567) = &ta567,
    A(568) = &ta568,    A(569) = &ta569, A(570) = &ta570,    A(571) = &ta571,
    A(572) = &ta572,    A(573) = &ta573, A(574) = &ta574,    A(575) = &ta575,
    A(576) = &ta574,    A(577) = &ta577, A(578) = &ta578,    A(579) = &ta579,
    A(580) = &ta580,    A(581) = &ta581, A(582) = &ta580,    A(583) = &ta583,
    A(584) = &ta584,    A(585) = &ta583, A(586) = &ta586,    A(587) = &ta587,
    A(588) = &ta588,    A(589) = &ta589, A(590) = &ta590,    A(591) = &ta591,
    A(592) = &ta592,    A(593) = &ta593, A(594) = &ta594,    A(595) = &ta595,
    A(596) = &ta596,
};

/* The event's template for version, or NULL when this decoder has none. */
static const ad__etw_tmpl *template_of(const ad_event_def *def, uint16_t id, unsigned version)
{
    if (def == NULL)
        return NULL;
    ad_tmpl t = ad_event_def_tmpl(def, version);
    if (t == AD_TMPL_AUDIT)
        return id >= AUDIT_FIRST && id <= AUDIT_LAST ? audit[id - AUDIT_FIRST] : NULL;
    return (unsigned)t < AD_TMPL__COUNT ? by_tmpl[t] : NULL;
}

bool ad__etw_server_supported(uint16_t event_id)
{
    const ad_event_def *def = ad_event_def_find(AD_PROVIDER_DNS_SERVER, event_id);
    return template_of(def, event_id, 0) != NULL;
}

const char *ad__etw_server_name(uint16_t event_id)
{
    if (!ad__etw_server_supported(event_id))
        return NULL;
    return ad_event_def_find(AD_PROVIDER_DNS_SERVER, event_id)->name;
}

/*
 * One attempt with template t, its converted strings placed from scratch offset `base` on.
 * *clean when every field was read, nothing was left over and the 16-bit header values fit
 * (the layout test of facts §2.6).
 */
static ad_err attempt(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *s,
                      const ad_event_def *def, const ad__etw_tmpl *t, size_t base, bool *partial,
                      bool *clean)
{
    ad__etw_ctx c;
    ad_err err = ad__etw_begin(&c, in, out, s);
    if (err != AD_OK)
        return err;
    s->used = base;
    err = ad__etw_run(&c, t, partial);
    if (err != AD_OK)
        return err;
    ad__etw_apply_addrs(&c, def);
    const ad_record_hdr *h = &out->hdr;
    *clean = !*partial && c.off == c.len && h->xid <= 0xFFFF && h->qxid <= 0xFFFF &&
             h->dns_flags <= 0xFFFF && h->qtype <= 0xFFFF;
    return AD_OK;
}

ad_err ad_etw_decode_server(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch)
{
    if (in == NULL || out == NULL || scratch == NULL)
        return AD_EINVAL;
    const ad_event_def *def = ad_event_def_find(AD_PROVIDER_DNS_SERVER, in->event_id);
    const ad__etw_tmpl *tmpl = template_of(def, in->event_id, in->version);
    if (tmpl == NULL) {
        ad__etw_ctx c;
        ad_err err = ad__etw_begin(&c, in, out, scratch);
        return ad__etw_fail(in, out, scratch, err != AD_OK ? err : AD_EUNSUPP);
    }

    bool partial = false, clean = false;
    uint8_t layout = in->event_id >= AUDIT_FIRST ? AD_ETW_LAYOUT_AUDIT : AD_ETW_LAYOUT_CURRENT;
    ad_err err = attempt(in, out, scratch, def, tmpl, 0, &partial, &clean);
    const ad__etw_tmpl *legacy =
        def->tmpl_legacy != AD_TMPL_NONE ? by_tmpl[def->tmpl_legacy] : NULL;
    if (legacy != NULL && !(err == AD_OK && clean)) {
        /* Keep the 2025 result (record, diag, its strings in scratch) in case legacy fails;
         * the legacy attempt puts its strings after them. */
        ad_event current = *out;
        ad_etw_diag current_diag = scratch->diag;
        size_t current_used = err == AD_OK ? scratch->used : 0;
        bool lpartial = false, lclean = false;
        ad_err lerr = attempt(in, out, scratch, def, legacy, current_used, &lpartial, &lclean);
        if (lerr == AD_OK && lclean) {
            err = AD_OK;
            partial = false;
            layout = AD_ETW_LAYOUT_LEGACY;
            out->hdr.bits |= AD_REC_LEGACY_LAYOUT;
        } else {
            /* Neither layout is clean: the 2025 decode stands (partial record or error). */
            *out = current;
            scratch->diag = current_diag;
            scratch->used = current_used;
        }
    }
    if (err != AD_OK)
        return ad__etw_fail(in, out, scratch, err);
    if (partial)
        out->hdr.bits |= AD_REC_PARTIAL;
    if (def->message == AD_MSG_RESPONSE)
        out->hdr.bits |= AD_BIT_RESPONSE;
    scratch->diag.layout = layout;
    return AD_OK;
}

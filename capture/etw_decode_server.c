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
 * Addresses (facts/asim-dns.md §8 "SrcIpAddr / DstIpAddr", record.h: src = who sent the
 * message the event describes, dst = who received it, iface = InterfaceIP):
 *
 *   id       event                          peer field     dir  src              dst
 *   256,287  QUERY_RECEIVED                 Source         in   Source:Port      InterfaceIP
 *   257,284  RESPONSE_SUCCESS           (R) Destination    out  InterfaceIP      Destination:Port
 *   258,285  RESPONSE_FAILURE           (R) Destination    out  InterfaceIP      Destination:Port
 *   259      IGNORED_QUERY                  Source         in   Source (legacy: -) InterfaceIP
 *   260,289  RECURSE_QUERY_OUT              Destination    out  InterfaceIP      Destination:Port
 *   261,290  RECURSE_RESPONSE_IN        (R) Source         in   Source:Port      InterfaceIP
 *   262,291  RECURSE_QUERY_TIMEOUT          Destination    out  InterfaceIP      Destination:Port
 *   263      DYN_UPDATE_RECV                Source         in   Source:Port      InterfaceIP
 *   264      DYN_UPDATE_RESPONSE        (R) Destination    out  InterfaceIP      Destination
 *   265      IXFR_REQ_OUT                   Source(remote) out  InterfaceIP      Source
 *   266      IXFR_REQ_RECV                  Source         in   Source           InterfaceIP
 *   267      IXFR_RESP_OUT              (R) Destination    out  InterfaceIP      Destination
 *   268      IXFR_RESP_RECV             (R) Destination    in   Destination      InterfaceIP
 *   269      AXFR_REQ_OUT                   Source(remote) out  InterfaceIP      Source
 *   270      AXFR_REQ_RECV                  Source         in   Source           InterfaceIP
 *   271      AXFR_RESP_OUT              (R) Destination    out  InterfaceIP      Destination
 *   272      AXFR_RESP_RECV             (R) Destination    in   Destination      InterfaceIP
 *   273      XFR_NOTIFY_RECV                Source         in   Source           InterfaceIP
 *   274      XFR_NOTIFY_OUT                 Source(remote) out  InterfaceIP      Source
 *   275      XFR_NOTIFY_ACK_IN          (R) Source         in   Source           InterfaceIP
 *   276      XFR_NOTIFY_ACK_OUT         (R) Destination    out  InterfaceIP      Destination
 *   277      DYN_UPDATE_FORWARD             Destination    out  ForwardInterfaceIP Destination
 *   278      DYN_UPDATE_RESPONSE_IN     (R) Destination    in   Destination      InterfaceIP
 *   279,280  INTERNAL_LOOKUP_*              Source         in   Source:Port      InterfaceIP
 *   281-283  RRL_TO_BE_*_RESPONSE       (R) Destination    out  InterfaceIP      Destination:Port
 *   286      RECURSE_ALIAS_FAILURE      (R) Source         in   Source:Port      InterfaceIP
 *   288      DNSSEC_VALIDATION_FAILURE      -              -    -                -
 *   519,520  audit: record by dyn. update   Source         in   Source           -
 *
 * "in" = the message came from the peer to this server, "out" = this server sent it (per
 * facts §2.5 "Direction" for the inbound list). Port is the remote port (facts §2.5), so it
 * goes with the peer; Port 0 (seen for 260/261) means unknown. (R) = the message is a DNS
 * response: AD_BIT_RESPONSE is set. For 257/258 this gives src = server, dst = client; the
 * exporter turns that into ASIM's SrcIpAddr = client (asim-dns.md §8). Every event with an
 * InterfaceIP also fills iface.
 */
#include "capture/etw_decode.h"

#include "capture/etw_decode_common.h"
#include "common/compiler.h"

/* clang-format off */
#define F(w, t, n) {AD__W_##w, AD__T_##t, n}
#define S(w, slot, n) {AD__W_##w, AD__T_SLOT(AD_STR_##slot), n}
/* clang-format on */

/* ---- Analytic templates, 2025 manifest (facts §2.4) ---- */

/* clang-format off */
static const ad__etw_field f256[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Source"),
    F(U8, RD, "RD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional (facts §2.6: S7 has none of these) */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
};

static const ad__etw_field f257[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    F(U8, AA, "AA"),
    F(U8, AD, "AD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U8, DNSSEC, "DNSSEC"),
    F(U32, RCODE, "RCODE"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    F(U32, ELAPSED, "ElapsedTime"),
    S(UTF16, GUID, "GUID"),
    F(UTF16, SKIP, "StaleRecordsPresent"), /* not in 2022 events (facts §2.6) */
};

static const ad__etw_field f258[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    S(UTF16, REASON, "Reason"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, RCODE, "RCODE"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    F(U32, ELAPSED, "ElapsedTime"),
    S(UTF16, GUID, "GUID"),
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

static const ad__etw_field f260[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Destination"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, RD, "RD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, QXID, "QXID"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
};

static const ad__etw_field f261[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, AA, "AA"),
    F(U8, AD, "AD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, RECURSION_DEPTH, "RecursionDepth"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
    F(U32, QUERIES_ATTACHED, "QueriesAttached"),
};

static const ad__etw_field f262[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, QXID, "QXID"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
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
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    F(U8, AA, "AA"),
    F(U8, AD, "AD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U8, DNSSEC, "DNSSEC"),
    F(U32, RCODE, "RCODE"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, ZONE_SCOPE, "Scope"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    F(U64, SKIP, "DataTag"),
    F(U32, ELAPSED, "ElapsedTime"),
    S(UTF16, GUID, "GUID"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
    F(UTF16, SKIP, "EDNSScopeName"),
    F(UTF16, SKIP, "StaleRecordsPresent"),
};

/* T285 = T258 fields 1-17, then EDNSCorrelationTag, EDNSScopeName */
static const ad__etw_field f285[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    S(UTF16, REASON, "Reason"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, RCODE, "RCODE"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, ZONE, "Zone"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    F(U32, ELAPSED, "ElapsedTime"),
    S(UTF16, GUID, "GUID"),
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
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Source"),
    F(U8, RD, "RD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
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
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Destination"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, RD, "RD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, QXID, "QXID"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    S(UTF16, POLICY, "PolicyName"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
    F(UTF16, SKIP, "EDNSScopeName"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
};

/* T290 = T261 fields 1-18, then EDNSScopeName, EDNSCorrelationTag */
static const ad__etw_field f290[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, PEER_IP, "Source"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(U8, AA, "AA"),
    F(U8, AD, "AD"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, XID, "XID"),
    F(U32, RECURSION_DEPTH, "RecursionDepth"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    F(LEN, SKIP, "BufferSize"),
    F(BIN, PACKET, "PacketData"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
    F(U32, QUERIES_ATTACHED, "QueriesAttached"),
    F(UTF16, SKIP, "EDNSScopeName"),
    F(GUID, SKIP, "EDNSCorrelationTag"),
};

/* T291 = T262 fields 1-13, then EDNSScopeName, EDNSCorrelationTag */
static const ad__etw_field f291[] = {
    F(U8, TCP, "TCP"),
    F(ANSI, IFACE_IP, "InterfaceIP"),
    F(ANSI, PEER_IP, "Destination"),
    S(ANSI, QNAME, "QNAME"),
    F(U32, QTYPE, "QTYPE"),
    F(U32, QXID, "QXID"),
    F(U32, XID, "XID"),
    F(U32, PORT, "Port"),
    F(U32, FLAGS, "Flags"),
    S(UTF16, RECURSION_SCOPE, "RecursionScope"),
    S(UTF16, CACHE_SCOPE, "CacheScope"),
    /* optional */
    S(UTF16, ADDITIONAL, "AdditionalInfo"),
    S(UTF16, GUID, "GUID"),
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

/* ---- Dispatch tables ---- */

typedef struct server_event {
    const char *name;           /* facts §2.3 */
    const ad__etw_tmpl *tmpl;   /* 2025 template */
    const ad__etw_tmpl *legacy; /* pre-2016 layout (259-262), or NULL */
    uint8_t dir;                /* enum ad__etw_dir, table in the file comment */
    uint8_t response;           /* the message described is a DNS response */
} server_event;

#define ANALYTIC_FIRST 256
#define ANALYTIC_LAST 291
#define AUDIT_FIRST 512
#define AUDIT_LAST 596

#define D_IN AD__DIR_IN
#define D_OUT AD__DIR_OUT
#define D_NONE AD__DIR_NONE

static const server_event analytic[ANALYTIC_LAST - ANALYTIC_FIRST + 1] = {
    {"QUERY_RECEIVED", &t256, NULL, D_IN, 0},
    {"RESPONSE_SUCCESS", &t257, NULL, D_OUT, 1},
    {"RESPONSE_FAILURE", &t258, NULL, D_OUT, 1},
    {"IGNORED_QUERY", &t259, &tl259, D_IN, 0},
    {"RECURSE_QUERY_OUT", &t260, &tl260, D_OUT, 0},
    {"RECURSE_RESPONSE_IN", &t261, &tl261, D_IN, 1},
    {"RECURSE_QUERY_TIMEOUT", &t262, &tl262, D_OUT, 0},
    {"DYN_UPDATE_RECV", &t263, NULL, D_IN, 0},
    {"DYN_UPDATE_RESPONSE", &t264, NULL, D_OUT, 1},
    {"IXFR_REQ_OUT", &t265, NULL, D_OUT, 0},
    {"IXFR_REQ_RECV", &t265, NULL, D_IN, 0},
    {"IXFR_RESP_OUT", &t267, NULL, D_OUT, 1},
    {"IXFR_RESP_RECV", &t267, NULL, D_IN, 1},
    {"AXFR_REQ_OUT", &t269, NULL, D_OUT, 0},
    {"AXFR_REQ_RECV", &t269, NULL, D_IN, 0},
    {"AXFR_RESP_OUT", &t271, NULL, D_OUT, 1},
    {"AXFR_RESP_RECV", &t271, NULL, D_IN, 1},
    {"XFR_NOTIFY_RECV", &t273, NULL, D_IN, 0},
    {"XFR_NOTIFY_OUT", &t273, NULL, D_OUT, 0},
    {"XFR_NOTIFY_ACK_IN", &t275, NULL, D_IN, 1},
    {"XFR_NOTIFY_ACK_OUT", &t276, NULL, D_OUT, 1},
    {"DYN_UPDATE_FORWARD", &t277, NULL, D_OUT, 0},
    {"DYN_UPDATE_RESPONSE_IN", &t267, NULL, D_IN, 1},
    {"INTERNAL_LOOKUP_CNAME", &t279, NULL, D_IN, 0},
    {"INTERNAL_LOOKUP_ADDITIONAL", &t279, NULL, D_IN, 0},
    {"RRL_TO_BE_DROPPED_RESPONSE", &t281, NULL, D_OUT, 1},
    {"RRL_TO_BE_TRUNCATED_RESPONSE", &t281, NULL, D_OUT, 1},
    {"RRL_TO_BE_LEAKED_RESPONSE", &t281, NULL, D_OUT, 1},
    {"RESPONSE_SUCCESS", &t284, NULL, D_OUT, 1},
    {"RESPONSE_FAILURE", &t285, NULL, D_OUT, 1},
    {"RECURSE_ALIAS_FAILURE", &t286, NULL, D_IN, 1},
    {"QUERY_RECEIVED", &t287, NULL, D_IN, 0},
    {"DNSSEC_VALIDATION_FAILURE", &t288, NULL, D_NONE, 0},
    {"RECURSE_QUERY_OUT", &t289, NULL, D_OUT, 0},
    {"RECURSE_RESPONSE_IN", &t290, NULL, D_IN, 1},
    {"RECURSE_QUERY_TIMEOUT", &t291, NULL, D_OUT, 0},
};

#define A(id) [(id)-AUDIT_FIRST]
static const server_event audit[AUDIT_LAST - AUDIT_FIRST + 1] = {
    A(512) = {"AUDIT", &ta512, NULL, D_NONE, 0},    A(513) = {"AUDIT", &ta513, NULL, D_NONE, 0},
    A(514) = {"AUDIT", &ta514, NULL, D_NONE, 0},    A(515) = {"AUDIT", &ta515, NULL, D_NONE, 0},
    A(516) = {"AUDIT", &ta515, NULL, D_NONE, 0},    A(517) = {"AUDIT", &ta517, NULL, D_NONE, 0},
    A(518) = {"AUDIT", &ta518, NULL, D_NONE, 0},    A(519) = {"AUDIT", &ta519, NULL, D_IN, 0},
    A(520) = {"AUDIT", &ta519, NULL, D_IN, 0},      A(521) = {"AUDIT", &ta515, NULL, D_NONE, 0},
    A(522) = {"AUDIT", &ta522, NULL, D_NONE, 0},    A(523) = {"AUDIT", &ta522, NULL, D_NONE, 0},
    A(525) = {"AUDIT", &ta525, NULL, D_NONE, 0},    A(526) = {"AUDIT", &ta526, NULL, D_NONE, 0},
    A(527) = {"AUDIT", &ta525, NULL, D_NONE, 0},    A(528) = {"AUDIT", &ta528, NULL, D_NONE, 0},
    A(529) = {"AUDIT", &ta528, NULL, D_NONE, 0},    A(530) = {"AUDIT", &ta528, NULL, D_NONE, 0},
    A(531) = {"AUDIT", &ta528, NULL, D_NONE, 0},    A(533) = {"AUDIT", &ta533, NULL, D_NONE, 0},
    A(534) = {"AUDIT", &ta534, NULL, D_NONE, 0},    A(535) = {"AUDIT", &ta535, NULL, D_NONE, 0},
    A(536) = {"AUDIT", &ta536, NULL, D_NONE, 0},    A(537) = {"AUDIT", &ta537, NULL, D_NONE, 0},
    A(540) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(541) = {"AUDIT", &ta541, NULL, D_NONE, 0},
    A(542) = {"AUDIT", &ta542, NULL, D_NONE, 0},    A(543) = {"AUDIT", &ta542, NULL, D_NONE, 0},
    A(544) = {"AUDIT", &ta544, NULL, D_NONE, 0},    A(545) = {"AUDIT", &ta545, NULL, D_NONE, 0},
    A(546) = {"AUDIT", &ta546, NULL, D_NONE, 0},    A(547) = {"AUDIT", &ta_empty, NULL, D_NONE, 0},
    A(548) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(549) = {"AUDIT", &ta549, NULL, D_NONE, 0},
    A(550) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(551) = {"AUDIT", &ta_empty, NULL, D_NONE, 0},
    A(552) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(553) = {"AUDIT", &ta553, NULL, D_NONE, 0},
    A(554) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(555) = {"AUDIT", &ta_empty, NULL, D_NONE, 0},
    A(556) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(557) = {"AUDIT", &ta557, NULL, D_NONE, 0},
    A(558) = {"AUDIT", &ta_empty, NULL, D_NONE, 0}, A(559) = {"AUDIT", &ta559, NULL, D_NONE, 0},
    A(560) = {"AUDIT", &ta559, NULL, D_NONE, 0},    A(561) = {"AUDIT", &ta561, NULL, D_NONE, 0},
    A(562) = {"AUDIT", &ta562, NULL, D_NONE, 0},    A(563) = {"AUDIT", &ta562, NULL, D_NONE, 0},
    A(564) = {"AUDIT", &ta559, NULL, D_NONE, 0},    A(565) = {"AUDIT", &ta559, NULL, D_NONE, 0},
    A(566) = {"AUDIT", &ta566, NULL, D_NONE, 0},    A(567) = {"AUDIT", &ta567, NULL, D_NONE, 0},
    A(568) = {"AUDIT", &ta568, NULL, D_NONE, 0},    A(569) = {"AUDIT", &ta569, NULL, D_NONE, 0},
    A(570) = {"AUDIT", &ta570, NULL, D_NONE, 0},    A(571) = {"AUDIT", &ta571, NULL, D_NONE, 0},
    A(572) = {"AUDIT", &ta572, NULL, D_NONE, 0},    A(573) = {"AUDIT", &ta573, NULL, D_NONE, 0},
    A(574) = {"AUDIT", &ta574, NULL, D_NONE, 0},    A(575) = {"AUDIT", &ta575, NULL, D_NONE, 0},
    A(576) = {"AUDIT", &ta574, NULL, D_NONE, 0},    A(577) = {"AUDIT", &ta577, NULL, D_NONE, 0},
    A(578) = {"AUDIT", &ta578, NULL, D_NONE, 0},    A(579) = {"AUDIT", &ta579, NULL, D_NONE, 0},
    A(580) = {"AUDIT", &ta580, NULL, D_NONE, 0},    A(581) = {"AUDIT", &ta581, NULL, D_NONE, 0},
    A(582) = {"AUDIT", &ta580, NULL, D_NONE, 0},    A(583) = {"AUDIT", &ta583, NULL, D_NONE, 0},
    A(584) = {"AUDIT", &ta584, NULL, D_NONE, 0},    A(585) = {"AUDIT", &ta583, NULL, D_NONE, 0},
    A(586) = {"AUDIT", &ta586, NULL, D_NONE, 0},    A(587) = {"AUDIT", &ta587, NULL, D_NONE, 0},
    A(588) = {"AUDIT", &ta588, NULL, D_NONE, 0},    A(589) = {"AUDIT", &ta589, NULL, D_NONE, 0},
    A(590) = {"AUDIT", &ta590, NULL, D_NONE, 0},    A(591) = {"AUDIT", &ta591, NULL, D_NONE, 0},
    A(592) = {"AUDIT", &ta592, NULL, D_NONE, 0},    A(593) = {"AUDIT", &ta593, NULL, D_NONE, 0},
    A(594) = {"AUDIT", &ta594, NULL, D_NONE, 0},    A(595) = {"AUDIT", &ta595, NULL, D_NONE, 0},
    A(596) = {"AUDIT", &ta596, NULL, D_NONE, 0},
};

static const server_event *lookup(uint16_t id)
{
    if (id >= ANALYTIC_FIRST && id <= ANALYTIC_LAST)
        return &analytic[id - ANALYTIC_FIRST];
    if (id >= AUDIT_FIRST && id <= AUDIT_LAST && audit[id - AUDIT_FIRST].tmpl != NULL)
        return &audit[id - AUDIT_FIRST];
    return NULL;
}

bool ad__etw_server_supported(uint16_t event_id)
{
    return lookup(event_id) != NULL;
}

const char *ad__etw_server_name(uint16_t event_id)
{
    const server_event *e = lookup(event_id);
    return e != NULL ? e->name : NULL;
}

/*
 * One attempt with template t, its converted strings placed from scratch offset `base` on.
 * *clean when every field was read, nothing was left over and the 16-bit header values fit
 * (the layout test of facts §2.6).
 */
static ad_err attempt(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *s,
                      const server_event *e, const ad__etw_tmpl *t, size_t base, bool *partial,
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
    ad__etw_apply_addrs(&c, e->dir);
    const ad_record_hdr *h = &out->hdr;
    *clean = !*partial && c.off == c.len && h->xid <= 0xFFFF && h->qxid <= 0xFFFF &&
             h->dns_flags <= 0xFFFF && h->qtype <= 0xFFFF;
    return AD_OK;
}

ad_err ad_etw_decode_server(const ad_etw_event_in *in, ad_event *out, ad_decode_scratch *scratch)
{
    if (in == NULL || out == NULL || scratch == NULL)
        return AD_EINVAL;
    const server_event *e = lookup(in->event_id);
    if (e == NULL) {
        ad__etw_ctx c;
        ad_err err = ad__etw_begin(&c, in, out, scratch);
        return ad__etw_fail(in, out, scratch, err != AD_OK ? err : AD_EUNSUPP);
    }

    bool partial = false, clean = false;
    uint8_t layout = in->event_id >= AUDIT_FIRST ? AD_ETW_LAYOUT_AUDIT : AD_ETW_LAYOUT_CURRENT;
    ad_err err = attempt(in, out, scratch, e, e->tmpl, 0, &partial, &clean);
    if (e->legacy != NULL && !(err == AD_OK && clean)) {
        /* Keep the 2025 result (record, diag, its strings in scratch) in case legacy fails;
         * the legacy attempt puts its strings after them. */
        ad_event current = *out;
        ad_etw_diag current_diag = scratch->diag;
        size_t current_used = err == AD_OK ? scratch->used : 0;
        bool lpartial = false, lclean = false;
        ad_err lerr = attempt(in, out, scratch, e, e->legacy, current_used, &lpartial, &lclean);
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
    if (e->response)
        out->hdr.bits |= AD_BIT_RESPONSE;
    scratch->diag.layout = layout;
    return AD_OK;
}

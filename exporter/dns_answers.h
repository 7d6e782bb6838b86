/*
 * asimdns-exporter: the answer summary behind DnsResponseName (facts/asim-dns.md §3, §8:
 * "the content of the response"), made from the raw DNS response the capture ships in the
 * record's packet slot. The capture never formats answers (DESIGN.md §1).
 *
 * Text follows the master-file conventions of RFC 1035 §5.1 (common/dns_wire.h): items are
 * ';'-separated RDATA in zone-file form: A/AAAA addresses, CNAME/PTR/NS/DNAME target names,
 * MX "<preference> <name>", SOA "<mname> <rname> <serial> <refresh> <retry> <expire>
 * <minimum>", SRV "<priority> <weight> <port> <target>", TXT its strings joined with spaces
 * (cut to AD_DNS_TXT_SUMMARY_MAX characters with "..."), any other type "TYPE<n>". Only the
 * answer section counts: a negative answer (NXDOMAIN or NODATA, whose SOA sits in the
 * authority section, RFC 2308 §3) has no summary, as Zeek's `answers` (facts/asim-dns.md §3).
 *
 * The input is hostile: the parser's guarantees (bounds, compression loops) hold, and
 * tests/fuzz/fuzz_dns_answers.c checks them.
 */
#ifndef AD_EXPORTER_DNS_ANSWERS_H
#define AD_EXPORTER_DNS_ANSWERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/dns_wire.h"

/* TXT rdata in the summary is cut to this many text characters, then "...". */
#define AD_DNS_TXT_SUMMARY_MAX 64

/*
 * Summarizes the response msg[len], already parsed by ad_dns_parse into *parsed, into
 * buf[cap] (always NUL-terminated when cap > 0). Only whole items are written: when the next
 * item does not fit, the text stops and *truncated is set. A malformed record stops the
 * summary with its error (AD_ETRUNC or AD_EFORMAT, the rule in *why as in dns_wire.h); the
 * items before it stay in buf.
 */
ad_err ad_dns_answers_text(const uint8_t *msg, size_t len, const ad_dns_msg *parsed, char *buf,
                           size_t cap, size_t *out_len, bool *truncated, const char **why);

#endif

/*
 * asimdns-capture: the dnstap row in a build without the dnstap source (source_table.h): on
 * Windows (no Unix-socket server there) and in POSIX builds without protobuf-c, where CMake
 * compiles this file instead of source_dnstap_posix.c.
 */
#include "capture/source_table.h"

const ad_source_desc ad_source_dnstap = {
    .type = AD_SOURCE_DNSTAP,
    .name = "dnstap",
    .caps = 0,
    .unavailable = "is not available in this build",
};

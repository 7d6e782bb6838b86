# libFuzzer target for the exporter's packet mapping (DnsResponseName, flags from the header).
ad_add_fuzz(NAME fuzz_asim_packet SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_asim_packet.c LIBS ad_exporter)

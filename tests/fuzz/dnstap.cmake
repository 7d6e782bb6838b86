# libFuzzer targets for the dnstap source (dnstap decoder, Frame Streams reader) and the DNS
# wire parser with the exporter's answer summary (DnsResponseName).
ad_add_fuzz(NAME fuzz_dns_wire SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_dns_wire.c LIBS ad_exporter)
if(TARGET ad_dnstap_proto)
  ad_add_fuzz(NAME fuzz_dnstap SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_dnstap.c LIBS ad_capture)
endif()
ad_add_fuzz(NAME fuzz_fstrm SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_fstrm.c LIBS ad_capture)

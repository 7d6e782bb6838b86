# libFuzzer target for the wire walk of ExportLogsServiceRequest (exporter/otlp_scan.h) used by
# `asimdns sink --format count` and the test receiver.
if(TARGET ad_exporter)
  ad_add_fuzz(NAME fuzz_otlp_scan SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_otlp_scan.c
              LIBS ad_exporter)
endif()

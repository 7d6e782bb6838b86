# Real Unbound feeding the dnstap source (tests/integration/CMakeLists.txt includes this file).
# Both need unbound, dig and dnsperf (scripts/deps --dns-servers) and exit 77 (skipped) without.
if(NOT WIN32)
  # The README's main job: scripts/demo on this build (its deps/build steps skipped).
  add_test(NAME integration_demo
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/demo_check.sh ${PROJECT_BINARY_DIR})
  # dnsperf for 5 s at up to 2000 queries/s -> Unbound -> capture -> ring -> exporter (nng req)
  # -> asimdns sink: every query Unbound answered arrives as one request and one response.
  add_test(NAME integration_dnstap_load
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/dnstap_load.sh ${PROJECT_BINARY_DIR} 5 2000)
  set_tests_properties(integration_demo integration_dnstap_load PROPERTIES
                       LABELS integration TIMEOUT 180 SKIP_RETURN_CODE 77)
endif()

# Tests whose code under test runs on more than one thread get the label `threaded`; the
# ThreadSanitizer build (scripts/build tsan) runs exactly these: ctest -L threaded. Included at
# the end of each test folder's CMakeLists (a test's properties can only be set in the folder
# that added it); tests registered elsewhere may carry the label themselves (LABELS unit threaded).
#   exporter_test_transport_nng   nng aio callbacks on nng's threads; peer and closer threads
#   exporter_test_transport_http  the HTTP client's aio callbacks next to nng's HTTP server
#   integration_sentinel_lanes_threaded  (TSan build only, tests/integration/sentinel.cmake) four
#                                 sending threads sharing one Logs Ingestion token cache
#   integration_monitoring_metrics  the exporter's /metrics server thread reading live counters
#   exporter_shutdown_threaded    (TSan build only) the shutdown watchdog thread racing nng's
#                                 close: exporter_shutdown_under_load with 6 rounds instead of 30
#                                 (30 take ~200 s under TSan)
# Not here: exporter_kafka_transport (Debian's librdkafka starts its threads with C11
# thrd_create, which gcc 12's TSan does not intercept: the first allocation on such
# a thread crashes the runtime); the dnstap source (one poll loop serves every writer; its
# multi-writer tests fork).
set(ad_threaded_tests exporter_test_transport_nng exporter_test_transport_http
    integration_monitoring_metrics)
if(ASIMDNS_TSAN AND TEST exporter_shutdown_under_load)
  add_test(NAME exporter_shutdown_threaded
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/exporter/sink_shutdown.sh ${PROJECT_BINARY_DIR} 6 5)
  set_tests_properties(exporter_shutdown_threaded PROPERTIES LABELS "integration;threaded" TIMEOUT 240)
endif()
foreach(t ${ad_threaded_tests})
  if(TEST ${t})
    set_property(TEST ${t} APPEND PROPERTY LABELS threaded)
  endif()
endforeach()

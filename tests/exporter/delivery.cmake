# Delivery tests (pipeline, retry, filters, transports): the unit tests are the test_*.c files
# this folder's CMakeLists builds; here the helper programs the integration tests run.

# Scriptable OTLP/HTTP receiver for tests/integration/delivery*.sh.
add_executable(exporter_test_receiver ${CMAKE_CURRENT_SOURCE_DIR}/receiver.c)
target_link_libraries(exporter_test_receiver PRIVATE ad_cli)

# A receiver that answers with a 2 GiB and an endless chunked body: bounded memory, counted,
# retried, then delivered (real exporter and capture processes, a Python peer on loopback).
add_test(NAME exporter_http_response_limit
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/http_response_limit.sh ${PROJECT_BINARY_DIR})
set_tests_properties(exporter_http_response_limit PROPERTIES LABELS integration TIMEOUT 180)

# 30 sinks and 10 exporters SIGTERMed under load: each gone within 5 s (nng 1.5.2's close
# deadlock is bounded by exporter/shutdown_watchdog.h), output flushed.
add_test(NAME exporter_shutdown_under_load
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sink_shutdown.sh ${PROJECT_BINARY_DIR} 30 5)
set_tests_properties(exporter_shutdown_under_load PROPERTIES LABELS integration TIMEOUT 240)

# --max-idle without a ring; the doubled /v1/logs warning; the full URL in refusals.
add_test(NAME exporter_ux COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/exporter_ux.sh ${PROJECT_BINARY_DIR})
set_tests_properties(exporter_ux PROPERTIES LABELS integration TIMEOUT 120)

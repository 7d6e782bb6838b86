# Monitoring: `asimdns status --check` verdicts provoked for real, and the exporter's
# /metrics, /healthz and /readyz during a real run (tests/prom_check.py checks every line).
if(NOT WIN32)
  add_test(NAME integration_monitoring_status
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/monitoring_status.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(integration_monitoring_status PROPERTIES LABELS integration TIMEOUT 300)
  add_test(NAME integration_monitoring_metrics
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/monitoring_metrics.sh ${PROJECT_BINARY_DIR} 6000)
  set_tests_properties(integration_monitoring_metrics PROPERTIES LABELS integration TIMEOUT 300)
endif()

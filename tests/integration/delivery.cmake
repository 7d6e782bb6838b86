# Delivery integration tests (exporter transports, retry, faults) with real processes.
# delivery_faults: the receiver is down for 30 s, then the exporter is SIGKILLed 5 times.
foreach(t http nng)
  add_test(NAME integration_delivery_${t}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_${t}.sh ${PROJECT_BINARY_DIR} 20000)
  set_tests_properties(integration_delivery_${t} PROPERTIES LABELS integration TIMEOUT 300)
endforeach()
add_test(NAME integration_delivery_faults
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_faults.sh ${PROJECT_BINARY_DIR} 30 5)
set_tests_properties(integration_delivery_faults PROPERTIES LABELS integration TIMEOUT 300)
# https with certificates made by openssl at run time (scripts/deps installs openssl).
add_test(NAME integration_delivery_tls
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_tls.sh ${PROJECT_BINARY_DIR} 2000)
set_tests_properties(integration_delivery_tls PROPERTIES LABELS integration TIMEOUT 300)
# nng over tls+tcp:// to `asimdns sink` (nng.tls), certificates made by openssl at run time.
add_test(NAME integration_delivery_nng_tls
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_nng_tls.sh ${PROJECT_BINARY_DIR} 2000)
set_tests_properties(integration_delivery_nng_tls PROPERTIES LABELS integration TIMEOUT 300)
# kafka to librdkafka's mock cluster: every encoding, broker faults, SIGKILL (Linux builds with
# librdkafka only).
if(TARGET exporter_test_kafka)
  add_test(NAME integration_delivery_kafka
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_kafka.sh ${PROJECT_BINARY_DIR} 6000 4)
  set_tests_properties(integration_delivery_kafka PROPERTIES LABELS integration TIMEOUT 300)
endif()
# The disk spool: outage overflowing a small ring ~10x, 10 SIGKILLs, a reboot (spool_outage.sh).
if(NOT WIN32)
  add_test(NAME integration_spool_outage
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/spool_outage.sh ${PROJECT_BINARY_DIR} 20 10)
  set_tests_properties(integration_spool_outage PROPERTIES LABELS integration TIMEOUT 300)
endif()
if(NOT WIN32)
  add_test(NAME integration_spool_transport_switch
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/spool_transport_switch.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(integration_spool_transport_switch PROPERTIES LABELS integration TIMEOUT 300)
  add_test(NAME integration_spool_corrupt
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/spool_corrupt.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(integration_spool_corrupt PROPERTIES LABELS integration TIMEOUT 300)
endif()
# Aggregation: the exporter SIGKILLed mid-window; every event counted in the rows that arrived.
if(NOT WIN32)
  foreach(via ring spool)
    add_test(NAME integration_aggregate_kill_${via}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/aggregate_kill.sh ${PROJECT_BINARY_DIR} 8000 3 ${via})
    set_tests_properties(integration_aggregate_kill_${via} PROPERTIES LABELS integration TIMEOUT 300)
  endforeach()
endif()

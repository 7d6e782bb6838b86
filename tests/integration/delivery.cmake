# Delivery integration tests (exporter transports, retry, faults) with real processes.
# The receiver down-time of delivery_faults is 10 s here; run the script by hand with 30 for
# the long outage: bash tests/integration/delivery_faults.sh BUILD_DIR 30
foreach(t http nng)
  add_test(NAME integration_delivery_${t}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_${t}.sh ${PROJECT_BINARY_DIR} 20000)
  set_tests_properties(integration_delivery_${t} PROPERTIES LABELS integration TIMEOUT 300)
endforeach()
add_test(NAME integration_delivery_faults
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_faults.sh ${PROJECT_BINARY_DIR} 10 5)
set_tests_properties(integration_delivery_faults PROPERTIES LABELS integration TIMEOUT 300)
# https with certificates made by openssl at run time (skipped when openssl is missing).
add_test(NAME integration_delivery_tls
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/delivery_tls.sh ${PROJECT_BINARY_DIR} 2000)
set_tests_properties(integration_delivery_tls PROPERTIES LABELS integration TIMEOUT 300
                     SKIP_RETURN_CODE 77)

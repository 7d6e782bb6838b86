# Microsoft Sentinel Logs Ingestion transport against tests/integration/sentinel_server.py
# (Entra token endpoint, IMDS/Azure Arc and the ingestion API on loopback TLS; openssl and
# python3 come from scripts/deps).
add_test(NAME integration_sentinel
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sentinel.sh ${PROJECT_BINARY_DIR} 3000)
set_tests_properties(integration_sentinel PROPERTIES LABELS integration TIMEOUT 300)
# Four batches in flight: the lanes share one token cache (one token fetched, not one per lane),
# also through expiry and a refused token.
add_test(NAME integration_sentinel_lanes
         COMMAND env IN_FLIGHT=4 bash ${CMAKE_CURRENT_SOURCE_DIR}/sentinel.sh ${PROJECT_BINARY_DIR} 8000
                 secret managed_identity expiry)
set_tests_properties(integration_sentinel_lanes PROPERTIES LABELS integration TIMEOUT 300)
# The TSan build: the shared token cache used by four sending threads (the timing-bound expiry
# cases stay in the plain builds: TSan slows the exporter past their token lifetimes).
if(ASIMDNS_TSAN)
  add_test(NAME integration_sentinel_lanes_threaded
           COMMAND env IN_FLIGHT=4 bash ${CMAKE_CURRENT_SOURCE_DIR}/sentinel.sh ${PROJECT_BINARY_DIR} 8000 secret)
  set_tests_properties(integration_sentinel_lanes_threaded PROPERTIES LABELS "integration;threaded" TIMEOUT 300)
endif()

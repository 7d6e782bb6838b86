# Microsoft Sentinel Logs Ingestion transport against tests/integration/sentinel_server.py
# (Entra token endpoint, IMDS/Azure Arc and the ingestion API on loopback TLS; openssl and
# python3 come from scripts/deps).
add_test(NAME integration_sentinel
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sentinel.sh ${PROJECT_BINARY_DIR} 3000)
set_tests_properties(integration_sentinel PROPERTIES LABELS integration TIMEOUT 300)

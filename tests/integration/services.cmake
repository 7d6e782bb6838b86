# Services and least privilege (issue 7): the systemd units, the exporter's refusal to run as
# root, the privilege split between capture and exporter with real accounts, the capture's
# operational log lines. Scripts exit 77 when they cannot run here (not root, no
# systemd-analyze): ctest shows them as skipped, never as passed.

# The Windows service glue under Wine is registered by tests/windows/CMakeLists.txt in the
# mingw-w64 build (windows_service_wine).

add_test(NAME integration_services_systemd
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/services_systemd.sh ${PROJECT_SOURCE_DIR}
                 ${PROJECT_BINARY_DIR})
add_test(NAME integration_services_root
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/services_root.sh ${PROJECT_BINARY_DIR})
add_test(NAME integration_services_privilege
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/services_privilege.sh ${PROJECT_BINARY_DIR})
add_test(NAME integration_services_logging
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/services_logging.sh ${PROJECT_BINARY_DIR})
set_tests_properties(integration_services_systemd integration_services_root
                     integration_services_privilege integration_services_logging
                     PROPERTIES LABELS integration TIMEOUT 120 SKIP_RETURN_CODE 77)
# Creates and deletes system accounts: never alongside another test doing the same.
set_tests_properties(integration_services_privilege PROPERTIES RUN_SERIAL TRUE)

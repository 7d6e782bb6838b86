# The ring under damage with real processes: cursor truncated and restored, garbage counters,
# a FIFO squatted on a name, --max-idle without a ring. Needs root (exit 77 = skipped).
add_test(NAME integration_ring_recovery
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/ring_recovery.sh ${PROJECT_BINARY_DIR})
set_tests_properties(integration_ring_recovery PROPERTIES LABELS integration TIMEOUT 120
                     SKIP_RETURN_CODE 77)

# Replay delivery: asimdns-capture (replay source, builder-made DNS Server/Client events) ->
# ring -> asimdns-exporter (otlp_http) -> the test receiver (tests/exporter/delivery.cmake).
if(NOT WIN32)
  add_executable(integration_replay_writer ${CMAKE_CURRENT_SOURCE_DIR}/replay_writer.c
                                           ${PROJECT_SOURCE_DIR}/tests/capture/etw_vector_builder.c)
  target_include_directories(integration_replay_writer PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(integration_replay_writer PRIVATE ad_capture_core)
  add_test(NAME integration_replay_delivery
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/replay_delivery.sh ${PROJECT_BINARY_DIR} 30000)
  set_tests_properties(integration_replay_delivery PROPERTIES LABELS integration TIMEOUT 120)
endif()

# Kafka transport tests, where librdkafka is available (not in the Windows build): the unit
# test against librdkafka's in-process mock cluster, and the mock cluster / consumer helper the
# integration test (tests/integration/delivery_kafka.sh) and bench/export_kafka.sh run.
if(TARGET PkgConfig::RDKAFKA)
  add_executable(exporter_test_kafka ${CMAKE_CURRENT_SOURCE_DIR}/kafka_helper.c)
  target_link_libraries(exporter_test_kafka PRIVATE ad_exporter PkgConfig::RDKAFKA)
endif()
if(TARGET PkgConfig::RDKAFKA)
  ad_add_test(NAME exporter_kafka_transport SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/kafka_transport_test.c
              LIBS ad_exporter PkgConfig::RDKAFKA LABELS unit TIMEOUT 120)
endif()

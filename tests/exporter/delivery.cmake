# Delivery tests (pipeline, retry, filters, transports): the unit tests are the test_*.c files
# this folder's CMakeLists builds; here the helper programs the integration tests run.

# Scriptable OTLP/HTTP receiver for tests/integration/delivery*.sh.
add_executable(exporter_test_receiver ${CMAKE_CURRENT_SOURCE_DIR}/receiver.c)
target_link_libraries(exporter_test_receiver PRIVATE ad_exporter)

# The disk spool's unit tests, through the fault-injecting file layer (POSIX files).
if(NOT WIN32)
  ad_add_test(NAME exporter_spool_test
              SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/spool_test.c ${CMAKE_CURRENT_SOURCE_DIR}/spool_fault_fs.c
              LIBS ad_exporter LABELS unit TIMEOUT 300)
  target_include_directories(exporter_spool_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
endif()

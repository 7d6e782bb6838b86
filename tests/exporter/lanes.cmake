# Overlapped delivery: the pipeline on its own thread, four sending lanes, a scripted receiver.
# Labelled threaded so the TSan flavour runs it.
# The spool case uses the spool tests' scratch folder (spool_test_os.h).
if(WIN32)
  set(lanes_spool_os ${CMAKE_CURRENT_LIST_DIR}/spool_test_win32.c)
else()
  set(lanes_spool_os ${CMAKE_CURRENT_LIST_DIR}/spool_test_posix.c)
endif()
ad_add_test(NAME exporter_lanes SOURCES ${CMAKE_CURRENT_LIST_DIR}/lanes_test.c ${lanes_spool_os}
            LIBS ad_exporter ad_test_os LABELS unit threaded TIMEOUT 120)
target_include_directories(exporter_lanes PRIVATE ${CMAKE_CURRENT_LIST_DIR})

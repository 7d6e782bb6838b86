# Overlapped delivery: the pipeline on its own thread, four sending lanes, a scripted receiver.
# Labelled threaded so the TSan flavour runs it.
ad_add_test(NAME exporter_lanes SOURCES ${CMAKE_CURRENT_LIST_DIR}/lanes_test.c
            LIBS ad_exporter ad_test_os LABELS unit threaded TIMEOUT 120)

ad_add_fuzz(NAME fuzz_record SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_record.c LIBS ad_common)

# ETW payload decoders (capture/etw_decode_*.c). Seeds: one valid UserData per supported
# (event, version), written by etw_fuzz_seeds from the test-vector builder in tests/capture/.
set(etw_seed_dir ${CMAKE_CURRENT_BINARY_DIR}/etw-seeds)
ad_add_fuzz(NAME fuzz_etw_server SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_etw.c
            LIBS ad_capture CORPUS ${etw_seed_dir}/server)
ad_add_fuzz(NAME fuzz_etw_client SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_etw.c
            LIBS ad_capture CORPUS ${etw_seed_dir}/client)
if(ASIMDNS_FUZZ)
  target_compile_definitions(fuzz_etw_client PRIVATE FUZZ_ETW_CLIENT)
  add_executable(etw_fuzz_seeds ${PROJECT_SOURCE_DIR}/tests/capture/etw_fuzz_seeds.c
                                ${PROJECT_SOURCE_DIR}/tests/capture/etw_vector_builder.c)
  target_link_libraries(etw_fuzz_seeds PRIVATE ad_common)
  add_custom_command(TARGET etw_fuzz_seeds POST_BUILD
                     COMMAND ${CMAKE_COMMAND} -E make_directory ${etw_seed_dir}/server
                             ${etw_seed_dir}/client
                     COMMAND etw_fuzz_seeds ${etw_seed_dir}/server ${etw_seed_dir}/client)
  add_dependencies(fuzz_etw_server etw_fuzz_seeds)
  add_dependencies(fuzz_etw_client etw_fuzz_seeds)
endif()

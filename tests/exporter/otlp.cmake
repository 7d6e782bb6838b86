# OTLP tests that need more than a plain cmocka program (included by
# tests/exporter/CMakeLists.txt; also run by ctest as a `cmake -P` script, see below).
#
# exporter_otlp_protoc_decode (label unit): otlp_dump_request writes a request built by the
# batch builder; `protoc --decode` with the project's own .proto files must read it and show
# the expected field values (a decoder independent of our writer and of protobuf-c), and its
# OTLP/JSON form must parse with python3's json module.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- script mode: the check itself. Inputs: HELPER PROTOC PROTO_DIR WORK VERSION PYTHON,
  # and for a cross build EMULATOR (the command that runs HELPER, its words joined by "|")
  # and OS_TYPE (the os.type the helper's platform reports).
  string(REPLACE "|" ";" EMULATOR "${EMULATOR}")
  if(NOT OS_TYPE)
    set(OS_TYPE linux)
  endif()
  if(NOT PROTOC)
    message(FATAL_ERROR "protoc not found: apt-get install protobuf-compiler")
  endif()
  set(bin ${WORK}/otlp_dump_request.bin)
  set(json ${WORK}/otlp_dump_request.json)
  execute_process(COMMAND ${EMULATOR} ${HELPER} ${bin} ${json} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "otlp_dump_request failed: ${rc}")
  endif()
  execute_process(
    COMMAND ${PROTOC} --decode=opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest
            -I ${PROTO_DIR} opentelemetry/proto/collector/logs/v1/logs_service.proto
    INPUT_FILE ${bin} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "protoc --decode failed (${rc}): ${err}")
  endif()
  # Field values as protoc's text format prints them (field names: facts/otlp-logs.md §1).
  set(expect
      "key: \"service.name\"[ \n]*value {[ \n]*string_value: \"windows_dns_server\""
      "key: \"service.name\"[ \n]*value {[ \n]*string_value: \"windows_dns_client\""
      "key: \"host.name\"[ \n]*value {[ \n]*string_value: \"dns01.corp.contoso.com\""
      "key: \"os.type\"[ \n]*value {[ \n]*string_value: \"${OS_TYPE}\""
      "key: \"service.version\"[ \n]*value {[ \n]*string_value: \"${VERSION}\""
      "key: \"service.instance.id\"[ \n]*value {[ \n]*string_value: \"6f1c7c1e-0000-4000-8000-000000000001\""
      "key: \"deployment.environment.name\"[ \n]*value {[ \n]*string_value: \"test\""
      "scope {[ \n]*name: \"asim.dns.events\"[ \n]*version: \"${VERSION}\"[ \n]*}"
      "log_records {[ \n]*time_unix_nano: 1732528800123456700[ \n]*severity_number: SEVERITY_NUMBER_INFO[ \n]*severity_text: \"Informational\"[ \n]*body {[ \n]*string_value: \"DNS Server Event: Query request \\(ID: 256\\)\""
      "severity_number: SEVERITY_NUMBER_WARN[ \n]*severity_text: \"Low\"[ \n]*body {[ \n]*string_value: \"DNS Client Event: Query response \\(ID: 3008\\)\""
      "key: \"EventCount\"[ \n]*value {[ \n]*int_value: 1[ \n]*}"
      "key: \"SrcPortNumber\"[ \n]*value {[ \n]*int_value: 53000[ \n]*}"
      "key: \"DnsQuery\"[ \n]*value {[ \n]*string_value: \"www.contoso.com\""
      "key: \"asimdns.record_id\"[ \n]*value {[ \n]*string_value: \"1122334455667788-42\""
      "observed_time_unix_nano: 1732528801000000000")
  foreach(re ${expect})
    if(NOT out MATCHES "${re}")
      message(FATAL_ERROR "protoc output lacks /${re}/:\n${out}")
    endif()
  endforeach()
  # Exactly two ResourceLogs with one record each; no field protoc does not know.
  string(REGEX MATCHALL "resource_logs {" rls "${out}")
  string(REGEX MATCHALL "log_records {" lrs "${out}")
  list(LENGTH rls nrl)
  list(LENGTH lrs nlr)
  if(NOT nrl EQUAL 2 OR NOT nlr EQUAL 2)
    message(FATAL_ERROR "expected 2 resource_logs and 2 log_records, got ${nrl} and ${nlr}")
  endif()
  if(out MATCHES "\n *[0-9]+: ")
    message(FATAL_ERROR "protoc shows unknown fields:\n${out}")
  endif()
  if(PYTHON)
    execute_process(COMMAND ${PYTHON} -c "import json,sys; d=json.load(open(sys.argv[1])); \
r=d['resourceLogs'][0]['scopeLogs'][0]['logRecords'][0]; \
assert r['timeUnixNano']=='1732528800123456700', r; assert r['severityNumber']==9, r; \
assert {'key':'SrcPortNumber','value':{'intValue':'53000'}} in r['attributes'], r"
                    ${json} RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "OTLP/JSON check failed: ${err}")
    endif()
  endif()
  return()
endif()

# ---- include mode: register targets and tests.

# The batch round-trip test also maps realistic events from the synthetic generator.
target_sources(exporter_test_otlp_batch PRIVATE ${PROJECT_SOURCE_DIR}/capture/synthetic.c)

add_executable(otlp_dump_request ${CMAKE_CURRENT_LIST_DIR}/otlp_dump_request.c)
target_link_libraries(otlp_dump_request PRIVATE ad_exporter)

find_program(AD_PROTOC protoc)
find_program(AD_PYTHON3 python3)
if(NOT AD_PROTOC)
  set(AD_PROTOC "")
endif()
if(NOT AD_PYTHON3)
  set(AD_PYTHON3 "")
endif()
set(ad_otlp_emulator "")
set(ad_otlp_os linux)
if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
  # Windows build: the helper runs under Wine (label windows, like the cmocka tests).
  string(REPLACE ";" "|" ad_otlp_emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
  set(ad_otlp_os windows)
endif()
add_test(NAME exporter_otlp_protoc_decode
         COMMAND ${CMAKE_COMMAND} -DHELPER=$<TARGET_FILE:otlp_dump_request> -DPROTOC=${AD_PROTOC}
                 -DEMULATOR=${ad_otlp_emulator} -DOS_TYPE=${ad_otlp_os}
                 -DPROTO_DIR=${PROJECT_SOURCE_DIR}/exporter/proto -DWORK=${CMAKE_CURRENT_BINARY_DIR}
                 -DVERSION=${PROJECT_VERSION} -DPYTHON=${AD_PYTHON3} -P ${CMAKE_CURRENT_LIST_FILE})
set_tests_properties(exporter_otlp_protoc_decode PROPERTIES LABELS unit TIMEOUT 60)
if(ad_otlp_emulator)
  set_property(TEST exporter_otlp_protoc_decode APPEND PROPERTY LABELS windows)
  set_tests_properties(exporter_otlp_protoc_decode PROPERTIES FIXTURES_REQUIRED wine)
endif()
# The batch interface test maps a synthetic event too.
target_sources(exporter_test_batch PRIVATE ${PROJECT_SOURCE_DIR}/capture/synthetic.c)

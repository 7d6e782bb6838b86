# dnstap with real DNS servers (issue 6): Unbound, BIND (named) and Knot Resolver (kresd) on
# 127.0.0.1 write dnstap to asimdns-capture; the records travel through the ring and
# asimdns-exporter to `asimdns sink` and are checked field by field (dnstap_live.sh). Each test
# has its own ring and picks free ports at random from 20000 up (dnstap_live.sh says why). They
# need root and the servers (scripts/deps --dns-servers); without them they report "skipped".
# dnstap_privdrop: the capture sets its socket up as root, then runs unprivileged.
if(NOT WIN32 AND TARGET ad_dnstap_proto)
  foreach(server unbound bind kresd)
    add_test(NAME integration_dnstap_${server}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/dnstap_live.sh ${PROJECT_BINARY_DIR} ${server}
                     20000)
    set_tests_properties(integration_dnstap_${server} PROPERTIES LABELS integration TIMEOUT 120
                         SKIP_RETURN_CODE 77)
  endforeach()
  add_test(NAME integration_dnstap_privdrop
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/dnstap_privdrop.sh ${PROJECT_BINARY_DIR})
  # RUN_SERIAL: it adds and removes system accounts (useradd locks /etc/passwd).
  set_tests_properties(integration_dnstap_privdrop PROPERTIES LABELS integration TIMEOUT 120
                       SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
endif()
# dnstap_bounds: silent connections, another user's and the same user's writer, a writer of
# non-dnstap frames; the drop counters by reason in status and /metrics (real processes).
if(NOT WIN32 AND TARGET ad_dnstap_proto)
  add_test(NAME integration_dnstap_bounds
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/dnstap_bounds.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(integration_dnstap_bounds PROPERTIES LABELS integration TIMEOUT 120
                       SKIP_RETURN_CODE 77)
endif()

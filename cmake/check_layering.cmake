# cmake -DSOURCE_DIR=... -P check_layering.cmake: fails when a folder includes a project folder
# DESIGN.md §2 does not allow it to. Runs on every build (target layering-check), so a stray
# #include fails the build, not a review.
#
# One folder per program, shared folders below them:
#   common/   libc only                        ipc/     the ring; common/
#   config/   YAML loading; common/            health/  health rules over a ring snapshot;
#                                                       ipc/, common/
#   capture/  asimdns-capture (privileged): common/, ipc/, config/ and nothing of the others
#   exporter/ asimdns-exporter: common/, ipc/, config/, health/
#   cli/      asimdns: common/, ipc/, config/, health/, and exporter/ for what its sink shares
#             with the exporter's transports (the OTLP codec, nng's bounded shutdown, PEM
#             reading): the sink is an OTLP receiver and reuses that code instead of a copy.
# No program folder is included by another program folder except that one use: capture/ and
# exporter/ never include each other, and nothing includes cli/ or capture/.
# Besides, ipc/ never includes common/log.h: ring code reports what went wrong as an ad_err
# with a message, and its callers decide what to log.
set(allowed_common common)
set(allowed_ipc common ipc)
set(allowed_config common config)
set(allowed_health common ipc health)
set(allowed_capture common ipc config capture)
set(allowed_exporter common ipc config health exporter)
set(allowed_cli common ipc config health exporter cli)
set(forbidden_headers_ipc common/log.h)
set(project_folders common ipc config health capture exporter cli)
set(bad "")
foreach(folder ${project_folders})
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.c ${SOURCE_DIR}/${folder}/*.h)
  foreach(f ${files})
    file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
    file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"[a-z_]+/")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([a-z_]+)/.*" "\\1" target "${line}")
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\".*" "\\1" header "${line}")
      list(FIND project_folders ${target} is_project)
      list(FIND allowed_${folder} ${target} is_allowed)
      if(is_project GREATER -1 AND is_allowed EQUAL -1)
        string(APPEND bad "  ${rel}: ${line} (${folder}/ may include: ${allowed_${folder}})\n")
      endif()
      if(DEFINED forbidden_headers_${folder})
        list(FIND forbidden_headers_${folder} ${header} is_forbidden)
        if(is_forbidden GREATER -1)
          string(APPEND bad "  ${rel}: ${line} (${folder}/ never includes ${header}: it "
                            "returns an ad_err and a message, its callers log)\n")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "include layering broken (DESIGN.md §2):\n${bad}")
endif()

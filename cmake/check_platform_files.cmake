# cmake -DSOURCE_DIR=... -P check_platform_files.cmake: fails when the README's platform-file
# rule is broken in the program folders:
#   - a *_posix.c / *_win32.c file whose code is not all inside one
#     #ifdef AD_PLATFORM_POSIX / AD_PLATFORM_WINDOWS ... #endif (CMake picks these files by
#     suffix; the guard makes a file compiled for the wrong OS empty, not broken);
#   - any other .c / .h file that asks which OS it is built for (_WIN32, __linux__,
#     __APPLE__, __FreeBSD__, AD_PLATFORM_*). Compiler and byte-order tests are not OS tests.
# Runs on every build (target platform-files-check).
set(folders common ipc config capture exporter cli)
# Known breaches, each to be fixed in its own folder, not added to: the check fails for any
# file not listed here, and for a listed file that no longer breaks the rule (so the list only
# shrinks).
set(known_breaches
    common/record.c             # !defined(_WIN32) as the byte-order fallback
    ipc/ring.h                  # AD_RING_DEFAULT_OWNER per OS
    exporter/otlp_batch.c       # OS_TYPE for the os.type resource attribute
    exporter/azure_auth.c       # the Azure Arc agent's paths per OS
    exporter/secret_mem_posix.c # bodies not inside #ifdef AD_PLATFORM_*
    exporter/secret_mem_win32.c
    exporter/spool_fs_posix.c)
set(os_names "(_WIN32|__linux__|__APPLE__|__FreeBSD__|AD_PLATFORM_POSIX|AD_PLATFORM_WINDOWS)")
# a preprocessor condition naming one of them as a whole word
set(os_test_regex
    "^[ \t]*#[ \t]*(if|ifdef|ifndef|elif)([ \t]|.*[^A-Za-z0-9_])${os_names}([^A-Za-z0-9_].*)?$")

# Sets ${out} to TRUE when the platform file f (guard macro) has all of its code inside one
# #ifdef <guard> ... #endif: the first directive and first code line is that #ifdef, and the
# #if nesting it opens closes only at the file's last code line.
function(guarded f guard out)
  file(STRINGS ${f} lines)
  set(in_comment FALSE)
  set(depth 0)
  set(opened FALSE)
  set(closed FALSE)
  set(ok TRUE)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" t)
    if(in_comment)
      if(t MATCHES "\\*/")
        set(in_comment FALSE)
      endif()
      continue()
    endif()
    if(t STREQUAL "" OR t MATCHES "^//")
      continue()
    endif()
    if(t MATCHES "^/\\*")
      if(NOT t MATCHES "\\*/")
        set(in_comment TRUE)
      endif()
      continue()
    endif()
    # A code line.
    if(closed)
      set(ok FALSE) # code after the guard's #endif
    elseif(NOT opened)
      if(t MATCHES "^#[ \t]*ifdef[ \t]+${guard}$")
        set(opened TRUE)
        set(depth 1)
      else()
        set(ok FALSE) # code before the guard
      endif()
    elseif(t MATCHES "^#[ \t]*if")
      math(EXPR depth "${depth} + 1")
    elseif(t MATCHES "^#[ \t]*endif")
      math(EXPR depth "${depth} - 1")
      if(depth EQUAL 0)
        set(closed TRUE)
      endif()
    endif()
  endforeach()
  if(NOT opened OR NOT closed)
    set(ok FALSE)
  endif()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

set(bad "")
set(breaking "")
foreach(folder ${folders})
  file(GLOB_RECURSE files ${SOURCE_DIR}/${folder}/*.c ${SOURCE_DIR}/${folder}/*.h)
  foreach(f ${files})
    file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
    set(why "")
    if(rel MATCHES "_posix\\.c$")
      guarded(${f} AD_PLATFORM_POSIX ok)
      if(NOT ok)
        set(why "its code is not all inside #ifdef AD_PLATFORM_POSIX ... #endif")
      endif()
    elseif(rel MATCHES "_win32\\.c$")
      guarded(${f} AD_PLATFORM_WINDOWS ok)
      if(NOT ok)
        set(why "its code is not all inside #ifdef AD_PLATFORM_WINDOWS ... #endif")
      endif()
    else()
      file(STRINGS ${f} os_tests REGEX "${os_test_regex}")
      if(os_tests)
        list(GET os_tests 0 first)
        set(why "a portable file tests the OS (${first}); move that code to a *_posix.c / *_win32.c file")
      endif()
    endif()
    list(FIND known_breaches ${rel} known)
    if(why AND known EQUAL -1)
      string(APPEND bad "  ${rel}: ${why}\n")
    elseif(why)
      list(APPEND breaking ${rel})
    endif()
  endforeach()
endforeach()
foreach(rel ${known_breaches})
  list(FIND breaking ${rel} still)
  if(still EQUAL -1 AND EXISTS ${SOURCE_DIR}/${rel})
    string(APPEND bad "  ${rel}: follows the rule now; remove it from known_breaches\n")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "platform-file rule broken (README, Layout):\n${bad}")
endif()

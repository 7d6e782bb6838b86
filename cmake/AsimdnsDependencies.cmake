# Finds the Debian-packaged libraries; a missing one stops configure naming the package.
# ASIMDNS_GZIP picks exporter/gzip.c's compressor: auto (ISA-L if found, else libdeflate),
# isal (ISA-L or fail), libdeflate.
set(ASIMDNS_GZIP "auto" CACHE STRING "gzip compressor: auto, isal or libdeflate")
set_property(CACHE ASIMDNS_GZIP PROPERTY STRINGS auto isal libdeflate)
if(ASIMDNS_CORE_ONLY)
  return()
endif()
if(CMAKE_CROSSCOMPILING AND WIN32)
  # Cross builds for Windows: the libraries are built from Debian's source packages into
  # ASIMDNS_WIN_PREFIX by scripts/windows-deps and linked statically (cmocka as a DLL, like
  # Debian's), zlib is Debian's libz-mingw-w64-dev. The imported targets carry the names the
  # Linux build uses, so the folders' CMakeLists need no platform branches.
  macro(ad_win_static target header library hint)
    find_path(${target}_INCLUDE_DIR ${header})
    find_library(${target}_LIBRARY NAMES ${library})
    if(NOT ${target}_INCLUDE_DIR OR NOT ${target}_LIBRARY)
      message(FATAL_ERROR "${header} / ${library} not found for this target: ${hint}")
    endif()
    add_library(PkgConfig::${target} INTERFACE IMPORTED)
    set_target_properties(PkgConfig::${target} PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES ${${target}_INCLUDE_DIR}
      INTERFACE_LINK_LIBRARIES ${${target}_LIBRARY})
  endmacro()
  ad_win_static(YAML yaml.h libyaml.a "run scripts/windows-deps")
  # Without it yaml.h declares the functions dllimport.
  set_property(TARGET PkgConfig::YAML PROPERTY INTERFACE_COMPILE_DEFINITIONS YAML_DECLARE_STATIC)
  # ctest runs the .exe files under Wine, in a throwaway prefix inside the build folder, with
  # the folder of the dependency DLLs (cmocka.dll, libgcc_s_seh-1.dll) on the Windows PATH.
  get_filename_component(ad_win_lib_dir ${YAML_LIBRARY} DIRECTORY)
  get_filename_component(ASIMDNS_WIN_DLL_DIR ${ad_win_lib_dir}/../bin ABSOLUTE)
  set(ASIMDNS_WINE_PREFIX ${CMAKE_BINARY_DIR}/wineprefix)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/wine-run.sh ${ASIMDNS_WINE_PREFIX}
                                    ${ASIMDNS_WIN_DLL_DIR})
  if(ASIMDNS_CAPTURE_ONLY)
    return()
  endif()
  ad_win_static(PROTOBUFC protobuf-c/protobuf-c.h libprotobuf-c.a "run scripts/windows-deps")
  ad_win_static(ZLIB zlib.h libz.a "apt-get install libz-mingw-w64-dev")
  ad_win_static(DEFLATE libdeflate.h libdeflate.a "run scripts/windows-deps")
  # Intel ISA-L (igzip) for gzip where scripts/windows-deps could build it; libdeflate otherwise.
  if(NOT ASIMDNS_GZIP STREQUAL "libdeflate")
    find_path(ISAL_INCLUDE_DIR isa-l/igzip_lib.h)
    find_library(ISAL_LIBRARY NAMES libisal.a)
    if(ISAL_INCLUDE_DIR AND ISAL_LIBRARY)
      add_library(PkgConfig::ISAL INTERFACE IMPORTED)
      set_target_properties(PkgConfig::ISAL PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES ${ISAL_INCLUDE_DIR}
        INTERFACE_LINK_LIBRARIES ${ISAL_LIBRARY})
    elseif(ASIMDNS_GZIP STREQUAL "isal")
      message(FATAL_ERROR "ASIMDNS_GZIP=isal: isa-l/igzip_lib.h / libisal.a not found for this target")
    endif()
  endif()
  find_package(nng 1.5 CONFIG QUIET)
  if(NOT nng_FOUND)
    message(FATAL_ERROR "nng not found for this target: run scripts/windows-deps")
  endif()
  # mbedTLS (built for nng by scripts/windows-deps): the Logs Ingestion client assertion.
  ad_win_static(MBEDX509 mbedtls/x509_crt.h libmbedx509.a "run scripts/windows-deps")
  ad_win_static(MBEDCRYPTO mbedtls/pk.h libmbedcrypto.a "run scripts/windows-deps")
  add_library(ad::mbedcrypto INTERFACE IMPORTED)
  set_target_properties(ad::mbedcrypto PROPERTIES INTERFACE_LINK_LIBRARIES
    "PkgConfig::MBEDX509;PkgConfig::MBEDCRYPTO;bcrypt")
  if(ASIMDNS_TESTS)
    find_path(CMOCKA_INCLUDE_DIR cmocka.h)
    find_library(CMOCKA_LIBRARY NAMES libcmocka.dll.a cmocka)
    find_file(CMOCKA_DLL cmocka.dll PATH_SUFFIXES bin)
    if(NOT CMOCKA_INCLUDE_DIR OR NOT CMOCKA_LIBRARY OR NOT CMOCKA_DLL)
      message(FATAL_ERROR "cmocka not found for this target: run scripts/windows-deps")
    endif()
    add_library(PkgConfig::CMOCKA INTERFACE IMPORTED)
    set_target_properties(PkgConfig::CMOCKA PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES ${CMOCKA_INCLUDE_DIR}
      INTERFACE_LINK_LIBRARIES ${CMOCKA_LIBRARY})
  endif()
  # protoc-c runs on the build machine (program lookups are not re-rooted).
  find_program(PROTOC_C protoc-c)
  if(NOT PROTOC_C)
    message(FATAL_ERROR "protoc-c not found: apt-get install protobuf-c-compiler")
  endif()
  return()
endif()
if(ASIMDNS_CAPTURE_ONLY)
  # libyaml alone, from the system.
  find_package(PkgConfig)
  pkg_check_modules(YAML REQUIRED IMPORTED_TARGET yaml-0.1)
  return()
endif()
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

find_package(nng 1.5 CONFIG QUIET)
if(NOT nng_FOUND)
  message(FATAL_ERROR "nng not found: apt-get install libnng-dev")
endif()

macro(ad_require_pkg prefix module package)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "${module} not found: apt-get install ${package}")
  endif()
endmacro()

# mbedTLS signs the Logs Ingestion client assertion (RS256); nng's TLS already uses it.
find_path(MBEDTLS_INCLUDE_DIR mbedtls/pk.h)
find_library(MBEDCRYPTO_LIBRARY mbedcrypto)
find_library(MBEDX509_LIBRARY mbedx509)
if(NOT MBEDTLS_INCLUDE_DIR OR NOT MBEDCRYPTO_LIBRARY OR NOT MBEDX509_LIBRARY)
  message(FATAL_ERROR "mbedTLS not found: apt-get install libmbedtls-dev")
endif()
add_library(ad::mbedcrypto INTERFACE IMPORTED)
set_target_properties(ad::mbedcrypto PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES ${MBEDTLS_INCLUDE_DIR}
  INTERFACE_LINK_LIBRARIES "${MBEDX509_LIBRARY};${MBEDCRYPTO_LIBRARY}")
ad_require_pkg(PROTOBUFC libprotobuf-c libprotobuf-c-dev)
ad_require_pkg(YAML yaml-0.1 libyaml-dev)
ad_require_pkg(ZLIB zlib zlib1g-dev)
# gzip request bodies (exporter/gzip.c): Intel ISA-L's igzip where found (several times
# libdeflate's speed on OTLP batches, bench/README.md "gzip"), libdeflate otherwise (it is
# always required: the fallback, and bench_gzip compares both).
ad_require_pkg(DEFLATE libdeflate libdeflate-dev)
if(NOT ASIMDNS_GZIP STREQUAL "libdeflate")
  if(ASIMDNS_GZIP STREQUAL "isal")
    ad_require_pkg(ISAL libisal libisal-dev)
  else()
    pkg_check_modules(ISAL QUIET IMPORTED_TARGET libisal)
  endif()
endif()
# The Kafka transport (exporter.type: kafka); Linux only (docs/CONFIG.md "kafka").
ad_require_pkg(RDKAFKA rdkafka librdkafka-dev)
if(ASIMDNS_TESTS)
  ad_require_pkg(CMOCKA cmocka libcmocka-dev)
endif()

find_program(PROTOC_C protoc-c)
if(NOT PROTOC_C)
  # vcpkg's protobuf-c[tools] ships the generator as a protoc plugin only.
  find_program(AD_PROTOC protoc)
  find_program(AD_PROTOC_GEN_C protoc-gen-c)
  if(AD_PROTOC AND AD_PROTOC_GEN_C)
    set(PROTOC_C ${AD_PROTOC} --plugin=protoc-gen-c=${AD_PROTOC_GEN_C})
  endif()
endif()
if(NOT PROTOC_C)
  message(FATAL_ERROR "protoc-c not found: apt-get install protobuf-c-compiler")
endif()

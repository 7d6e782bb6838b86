# Finds the Debian-packaged libraries; a missing one stops configure naming the package.
if(ASIMDNS_CORE_ONLY)
  return()
endif()
if(ASIMDNS_CAPTURE_ONLY)
  # Cross builds: libyaml built from Debian's source package into ASIMDNS_WIN_PREFIX
  # (scripts/windows-deps), linked statically.
  find_path(YAML_INCLUDE_DIR yaml.h)
  find_library(YAML_LIBRARY NAMES yaml libyaml)
  if(NOT YAML_INCLUDE_DIR OR NOT YAML_LIBRARY)
    message(FATAL_ERROR "libyaml not found for this target: run scripts/windows-deps")
  endif()
  add_library(PkgConfig::YAML INTERFACE IMPORTED)
  set_target_properties(PkgConfig::YAML PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES ${YAML_INCLUDE_DIR}
    INTERFACE_LINK_LIBRARIES ${YAML_LIBRARY}
    INTERFACE_COMPILE_DEFINITIONS YAML_DECLARE_STATIC)
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

ad_require_pkg(PROTOBUFC libprotobuf-c libprotobuf-c-dev)
ad_require_pkg(YAML yaml-0.1 libyaml-dev)
ad_require_pkg(ZLIB zlib zlib1g-dev)
if(ASIMDNS_TESTS)
  ad_require_pkg(CMOCKA cmocka libcmocka-dev)
endif()

find_program(PROTOC_C protoc-c)
if(NOT PROTOC_C)
  message(FATAL_ERROR "protoc-c not found: apt-get install protobuf-c-compiler")
endif()

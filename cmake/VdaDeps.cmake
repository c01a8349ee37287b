# Imported targets for the libraries every tree links:
#   vda::spice_protocol  <spice/vd_agent.h> (as a system include: its zero-length arrays)
#   vda::png             libpng + zlib, static for Windows
#   vda::cmocka          unit-test framework
add_library(vda_spice_protocol INTERFACE)
find_path(VDA_SPICE_PROTOCOL_DIR spice/vd_agent.h PATHS /usr/include/spice-1
          NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH REQUIRED)
target_include_directories(vda_spice_protocol SYSTEM INTERFACE ${VDA_SPICE_PROTOCOL_DIR})
add_library(vda::spice_protocol ALIAS vda_spice_protocol)

if(WIN32)
  # Built from Debian's source packages by scripts/deps.sh.
  set(VDA_DEPS_DIR "$ENV{HOME}/.cache/spice-vdagent-win/deps" CACHE PATH
      "Where scripts/deps.sh put the mingw libraries")
  set(_prefix ${VDA_DEPS_DIR}/${VDA_TRIPLET})
  set(_zlib /usr/${VDA_TRIPLET}/lib/libz.a)
  foreach(_f ${_prefix}/lib/libpng.a ${_prefix}/lib/libcmocka-static.a ${_zlib})
    if(NOT EXISTS ${_f})
      message(FATAL_ERROR "${_f} is missing: run scripts/deps.sh (or scripts/build.sh)")
    endif()
  endforeach()
  add_library(vda::zlib STATIC IMPORTED)
  set_target_properties(vda::zlib PROPERTIES IMPORTED_LOCATION ${_zlib})
  add_library(vda::png STATIC IMPORTED)
  set_target_properties(vda::png PROPERTIES IMPORTED_LOCATION ${_prefix}/lib/libpng.a
    INTERFACE_INCLUDE_DIRECTORIES ${_prefix}/include INTERFACE_LINK_LIBRARIES vda::zlib)
  add_library(vda::cmocka STATIC IMPORTED)
  set_target_properties(vda::cmocka PROPERTIES
    IMPORTED_LOCATION ${_prefix}/lib/libcmocka-static.a
    INTERFACE_INCLUDE_DIRECTORIES ${_prefix}/include
    INTERFACE_COMPILE_DEFINITIONS CMOCKA_STATIC)
else()
  find_package(PNG REQUIRED)
  add_library(vda::png ALIAS PNG::PNG)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)
  add_library(vda::cmocka ALIAS PkgConfig::CMOCKA)
endif()

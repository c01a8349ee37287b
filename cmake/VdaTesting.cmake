# Test helpers shared by every tree. Test names carry VDA_TEST_PREFIX so the four
# trees can run under one ctest (build/CTestTestfile.cmake, written by scripts/build.sh).
#
# Windows trees run test executables under Wine through CMAKE_CROSSCOMPILING_EMULATOR
# (tests/wine/wine-run.sh). They share one Wine prefix and one Xvfb display per tree,
# set up and torn down by the fixture "<prefix>wine" (tests/wine/wine-env.sh).
# Exit code 77 means "not run here": ctest reports it as skipped, never as passed.

if(WIN32 AND CMAKE_CROSSCOMPILING)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_SOURCE_DIR}/tests/wine/wine-run.sh)
  set(VDA_WINE_STATE ${CMAKE_BINARY_DIR}/wine)
  # win32 trees run under a real 32-bit Wine in an i386 chroot (tests/wine/).
  if(CMAKE_SIZEOF_VOID_P EQUAL 4)
    set(VDA_WINE_ARCH win32)
  else()
    set(VDA_WINE_ARCH win64)
  endif()
endif()

# What every Wine test and the fixture need to find the tree's Wine.
set(VDA_WINE_ENV VDA_WINE_STATE=${VDA_WINE_STATE} VDA_WINE_ARCH=${VDA_WINE_ARCH}
    VDA_SOURCE_DIR=${CMAKE_SOURCE_DIR} VDA_BINARY_DIR=${CMAKE_BINARY_DIR})

# Marks test NAME (already prefixed) as a Windows test: Wine prefix + display fixture.
function(vda_windows_test_properties name)
  set_property(TEST ${name} APPEND PROPERTY FIXTURES_REQUIRED ${VDA_TEST_PREFIX}wine)
  set_property(TEST ${name} APPEND PROPERTY ENVIRONMENT ${VDA_WINE_ENV})
endfunction()

# vda_add_test(NAME <name> COMMAND <cmd...> [TIMEOUT s] [LABELS ...])
# A test in this tree; Windows trees get the Wine fixture.
function(vda_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "COMMAND;LABELS" ${ARGN})
  set(name ${VDA_TEST_PREFIX}${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_test(NAME ${name} COMMAND ${T_COMMAND})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT} SKIP_RETURN_CODE 77)
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
  if(WIN32)
    vda_windows_test_properties(${name})
  endif()
endfunction()

# vda_add_unit_test(<source.c>): one cmocka test program linked with common/.
function(vda_add_unit_test src)
  get_filename_component(stem ${src} NAME_WE)
  add_executable(${stem} ${src})
  target_link_libraries(${stem} PRIVATE vda_common vda::cmocka)
  vda_add_test(NAME unit.${stem} COMMAND ${stem} LABELS unit)
endfunction()

# The Wine fixture, added once per Windows tree.
function(vda_add_wine_fixture)
  set(env ${CMAKE_SOURCE_DIR}/tests/wine/wine-env.sh)
  add_test(NAME ${VDA_TEST_PREFIX}wine.setup COMMAND ${env} setup ${VDA_WINE_STATE})
  add_test(NAME ${VDA_TEST_PREFIX}wine.cleanup COMMAND ${env} cleanup ${VDA_WINE_STATE})
  set_tests_properties(${VDA_TEST_PREFIX}wine.setup PROPERTIES
    FIXTURES_SETUP ${VDA_TEST_PREFIX}wine TIMEOUT 180)
  set_tests_properties(${VDA_TEST_PREFIX}wine.cleanup PROPERTIES
    FIXTURES_CLEANUP ${VDA_TEST_PREFIX}wine TIMEOUT 60)
  set_tests_properties(${VDA_TEST_PREFIX}wine.setup ${VDA_TEST_PREFIX}wine.cleanup
    PROPERTIES ENVIRONMENT "${VDA_WINE_ENV}")
endfunction()

# vda_scale_wine32_timeouts(): called last in every CMakeLists.txt that adds
# tests. In a win32 tree it multiplies the TIMEOUT of each test of that directory
# by VDA_WINE32_TIMEOUT_FACTOR (default 3). A ctest timeout is the runner's limit,
# not an assertion: where the kernel runs no 32-bit code, every 32-bit Wine
# process runs under qemu-i386 (scripts/wine32-qemu.sh) and needs several times
# the CPU of a native one (each process translates Wine's start-up code again,
# and the wineserver is emulated too), so prefix creation and MSI installs take
# longer. The deadlines the test programs check themselves are unchanged.
function(vda_scale_wine32_timeouts)
  if(NOT VDA_WINE_ARCH STREQUAL "win32")
    return()
  endif()
  set(factor 3)
  if(DEFINED VDA_WINE32_TIMEOUT_FACTOR)
    set(factor ${VDA_WINE32_TIMEOUT_FACTOR})
  endif()
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(t IN LISTS tests)
    get_test_property(${t} TIMEOUT old)
    if(old)
      math(EXPR new "${old} * ${factor}")
      set_tests_properties(${t} PROPERTIES TIMEOUT ${new})
    endif()
  endforeach()
endfunction()

# vda_scenarios(<file.def> <regex> <command>): a test program's one list of scenarios.
# Calls <command> with the regex's groups for each line of <file.def> that starts
# with "SCENARIO(" (the same file the program #includes); a line the regex does
# not read stops the configure.
function(vda_scenarios def regex command)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${def})
  file(STRINGS ${def} lines REGEX "^SCENARIO\\(")
  foreach(line IN LISTS lines)
    if(NOT line MATCHES "${regex}")
      message(FATAL_ERROR "${def}: cannot read the line: ${line}")
    endif()
    set(fields)
    foreach(i RANGE 1 ${CMAKE_MATCH_COUNT})
      list(APPEND fields "${CMAKE_MATCH_${i}}")
    endforeach()
    cmake_language(CALL ${command} ${fields})
  endforeach()
endfunction()

# The input/display modules of vdagent (mouse, monitors, display settings) and
# their glue to the agent core (input_features): a static library the agent and
# tests/win/input link. Included from
# vdagent/CMakeLists.txt.
add_library(vda_input_win STATIC
  ${CMAKE_CURRENT_LIST_DIR}/mouse_input.c
  ${CMAKE_CURRENT_LIST_DIR}/monitors_win.c
  ${CMAKE_CURRENT_LIST_DIR}/display_config.c
  ${CMAKE_CURRENT_LIST_DIR}/input_features.c)
target_include_directories(vda_input_win PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(vda_input_win PUBLIC vda_common user32 advapi32)

# The one version number is project(VERSION) in the top CMakeLists.txt. This
# module turns it into what the programs and the MSIs show:
#   - ${VDA_GENERATED_DIR}/vda_version.h: VDA_VERSION_STRING "1.2.3", the product
#     name and company (for --version);
#   - vda_add_version_resource(<target> <description>): a VERSIONINFO resource
#     (windres) in a Windows executable, with product name, company, description.
set(VDA_PRODUCT_NAME "SPICE Guest Agent")
set(VDA_COMPANY_NAME "spice-vdagent-win project")
set(VDA_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)

configure_file(${CMAKE_CURRENT_LIST_DIR}/vda_version.h.in ${VDA_GENERATED_DIR}/vda_version.h @ONLY)

if(WIN32)
  enable_language(RC)
endif()

# vda_add_version_resource(<target> <description>): the target also gets the
# generated directory on its include path, so its sources can include vda_version.h.
function(vda_add_version_resource target description)
  target_include_directories(${target} PRIVATE ${VDA_GENERATED_DIR})
  if(NOT WIN32)
    return()
  endif()
  set(VDA_FILE_DESCRIPTION "${description}")
  set(VDA_ORIGINAL_FILENAME "${target}.exe")
  set(VDA_INTERNAL_NAME "${target}")
  set(rc ${CMAKE_CURRENT_BINARY_DIR}/${target}_version.rc)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/vda_version.rc.in ${rc} @ONLY)
  target_sources(${target} PRIVATE ${rc})
endfunction()

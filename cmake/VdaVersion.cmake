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
# installer/CMakeLists.txt calls it for vdservice and vdagent; a second call for the
# same target does nothing (one VERSIONINFO per exe).
function(vda_add_version_resource target description)
  get_target_property(done ${target} VDA_VERSION_RESOURCE)
  if(done)
    return()
  endif()
  set_target_properties(${target} PROPERTIES VDA_VERSION_RESOURCE ON)
  target_include_directories(${target} PRIVATE ${VDA_GENERATED_DIR})
  if(NOT WIN32)
    return()
  endif()
  set(VDA_FILE_DESCRIPTION "${description}")
  set(VDA_ORIGINAL_FILENAME "${target}.exe")
  set(VDA_INTERNAL_NAME "${target}")
  set(rc ${CMAKE_BINARY_DIR}/generated/${target}_version.rc)
  configure_file(${CMAKE_SOURCE_DIR}/cmake/vda_version.rc.in ${rc} @ONLY)
  target_sources(${target} PRIVATE ${rc})
endfunction()

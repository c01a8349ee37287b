# Builds one MSI from installer/spice-vdagent.wxs. Used by the build (installer/
# CMakeLists.txt) and by the installer tests, which build the same binaries under
# other version numbers to test upgrades:
#   cmake -DARCH=x64|x86 -DVERSION=1.2.3 -DSERVICE_EXE=... -DAGENT_EXE=... -DWAIT_EXE=...
#         -DOUTPUT=out.msi -DWORK_DIR=scratch [-DWIXL=wixl -DMSIBUILD=msibuild]
#         -P installer/build-msi.cmake
# The ProductCode is a name-based UUID of (arch, version): the same inputs always
# give the same code, every version (and each architecture) gets its own.
cmake_minimum_required(VERSION 3.25)

foreach(v ARCH VERSION SERVICE_EXE AGENT_EXE WAIT_EXE OUTPUT WORK_DIR)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "build-msi: -D${v}=... is required")
  endif()
endforeach()
if(NOT ARCH MATCHES "^(x64|x86)$")
  message(FATAL_ERROR "build-msi: ARCH must be x64 or x86, not '${ARCH}'")
endif()
# Windows Installer compares MAJOR.MINOR.BUILD with these limits.
if(NOT VERSION MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)$" OR CMAKE_MATCH_1 GREATER 255
   OR CMAKE_MATCH_2 GREATER 255 OR CMAKE_MATCH_3 GREATER 65535)
  message(FATAL_ERROR "build-msi: VERSION must be MAJOR.MINOR.PATCH (<=255.255.65535), not '${VERSION}'")
endif()
if(NOT WIXL)
  set(WIXL wixl)
endif()
if(NOT MSIBUILD)
  set(MSIBUILD msibuild)
endif()

# Never change these two: the namespace makes the ProductCodes, and the
# UpgradeCode (in the .wxs) ties all versions together.
set(product_code_namespace "3E0F4C9A-8B7D-4F21-9C5E-6A1D2B3C4E5F")
string(UUID product_code NAMESPACE ${product_code_namespace}
       NAME "spice-vdagent-win ${ARCH} ${VERSION}" TYPE SHA1 UPPER)
set(upgrade_code "{7B6C1F40-2C55-4E63-9A54-5D3C0E8F2A17}")

# wixl resolves File/@Source against its working directory (absolute paths fail):
# stage the programs under the names the .wxs uses.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
file(COPY_FILE ${SERVICE_EXE} ${WORK_DIR}/vdservice.exe)
file(COPY_FILE ${AGENT_EXE} ${WORK_DIR}/vdagent.exe)
file(COPY_FILE ${WAIT_EXE} ${WORK_DIR}/msi_wait.exe)

get_filename_component(output_abs ${OUTPUT} ABSOLUTE)
set(tmp ${WORK_DIR}/out.msi)
execute_process(
  COMMAND ${WIXL} -a ${ARCH} -D Arch=${ARCH} -D Version=${VERSION} -D ProductCode=${product_code}
          -o ${tmp} ${CMAKE_CURRENT_LIST_DIR}/spice-vdagent.wxs
  WORKING_DIRECTORY ${WORK_DIR}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT EXISTS ${tmp})
  message(FATAL_ERROR "build-msi: wixl failed (${rc})")
endif()

# msi_sql(QUERY): one SQL statement on the MSI wixl wrote (msibuild -q).
function(msi_sql query)
  execute_process(COMMAND ${MSIBUILD} ${tmp} -q "${query}" COMMAND_ERROR_IS_FATAL ANY)
endfunction()

# wixl 0.101 ignores UpgradeVersion/@IncludeMaximum. The upgrade row must include
# this very version: the other architecture's MSI of the same version has another
# ProductCode and has to replace it (one spice-agent service per machine).
# 768 = msidbUpgradeAttributesVersionMinInclusive | ...VersionMaxInclusive.
msi_sql("DELETE FROM `Upgrade` WHERE `ActionProperty`='OLDERFOUND'")
msi_sql("INSERT INTO `Upgrade` (`UpgradeCode`,`VersionMin`,`VersionMax`,`Attributes`,`ActionProperty`) VALUES ('${upgrade_code}','0.0.0','${VERSION}',768,'OLDERFOUND')")
# wixl 0.101 also ignores ServiceInstall/@Vital: a service that fails to install
# must fail the whole install (32768 = msidbServiceInstallErrorControlVital).
msi_sql("UPDATE `ServiceInstall` SET `ErrorControl`=32769 WHERE `Name`='spice-agent'")

# The deferred, elevated (no impersonation), result-ignored EXE custom action that
# runs msi_wait.exe from the Binary table when the product is removed, between
# StopServices and DeleteServices (wixl 0.101 has no BinaryKey+ExeCommand).
# Type 3138 = 2 (exe in Binary) + 64 (ignore exit code) + 1024 (deferred)
#           + 2048 (no impersonation: runs as LocalSystem, like the service).
msi_sql("INSERT INTO `CustomAction` (`Action`,`Type`,`Source`,`Target`) VALUES ('WaitForPrograms',3138,'MsiWait','\"[INSTALLDIR].\"')")
msi_sql("INSERT INTO `InstallExecuteSequence` (`Action`,`Condition`,`Sequence`) VALUES ('WaitForPrograms','REMOVE~=\"ALL\"',1950)")

file(RENAME ${tmp} ${output_abs})
message(STATUS "build-msi: ${output_abs} (ProductCode {${product_code}})")

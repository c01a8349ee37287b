#!/usr/bin/env bash
# msi-test.sh COMMAND WORK_DIR: the installer tests (run by ctest, see CMakeLists.txt).
#   tables       msiinfo: the MSI's tables hold what this architecture needs, and
#                the ProductCode is derived from (arch, version) as promised;
#                build-msi.cmake refuses a bad version or architecture
#   versioninfo  both programs carry the VERSIONINFO resource (version, names)
#   base-prefix  make (once) the clean Wine prefix the MSI tests copy
#   install      msiexec /i: files, service (auto start, running), agent started
#                and connected, registry defaults, Add/Remove Programs, --version
#   upgrade      v1, user changes a setting, v2 (same binaries, marked, higher
#                version) over it: one product, new files, service running, the
#                setting kept; then v1 over v2 is refused and changes nothing
#   uninstall    msiexec /x: service gone, processes gone, files and entry removed
# Every MSI test works in its own copy of the base prefix with its own wineserver,
# stopped at the end. The x86 MSI runs under the 32-bit Wine of the i386 chroot.
# Environment (from CMake): VDA_MSI VDA_MSI_ARCH VDA_MSI_SCRIPT VDA_VERSION
# VDA_SERVICE_EXE VDA_AGENT_EXE VDA_WAIT_EXE VDA_MSI_BASE_PREFIX, and for the Wine
# tests the tree's Wine fixture (VDA_WINE_STATE, VDA_SOURCE_DIR, VDA_BINARY_DIR).
# Exit: 0 pass, 1 fail, 77 not run here.
set -uo pipefail
cmd=$1 work=$2
. "$(cd "$(dirname "$0")/../../wine" && pwd)/wine-common.sh"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
# check "what" command...: passes when the command succeeds.
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() {
  if [ "$failures" -gt 0 ]; then echo "$cmd: $failures check(s) FAILED"; exit 1; fi
  echo "$cmd: all checks passed"; exit 0
}
not_run() { echo "NOT RUN: $*"; exit 77; }
wine_differs() { echo "WINE DIFFERS FROM WINDOWS (not proven here): $*"; }

upgrade_code='{7B6C1F40-2C55-4E63-9A54-5D3C0E8F2A17}'
svc_key='HKLM\System\CurrentControlSet\Services\spice-agent'
uninstall_key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall'
default_device='\\.\Global\com.redhat.spice.0'
default_level=info
arch=$VDA_MSI_ARCH

# The next patch version: the "newer build" of the upgrade test.
next_version() { local IFS=.; set -- $1; echo "$1.$2.$(($3 + 1))"; }

# build_msi VERSION OUT [SERVICE_EXE AGENT_EXE]: the same recipe as the build.
build_msi() {
  cmake -DARCH="$arch" -DVERSION="$1" -DSERVICE_EXE="${3:-$VDA_SERVICE_EXE}" \
    -DAGENT_EXE="${4:-$VDA_AGENT_EXE}" -DWAIT_EXE="$VDA_WAIT_EXE" -DOUTPUT="$2" \
    -DWORK_DIR="$work/stage-$1" \
    -P "$VDA_MSI_SCRIPT" >"$work/build-msi-$1.log" 2>&1 ||
    { cat "$work/build-msi-$1.log"; echo "FAIL: building the $1 MSI"; exit 1; }
}

# refuses ARCH VERSION MESSAGE: build-msi.cmake stops with MESSAGE and writes no MSI.
refuses() {
  local log="$work/refused-$1-$2.log"
  rm -f "$work/refused.msi"
  ! cmake -DARCH="$1" -DVERSION="$2" -DSERVICE_EXE="$VDA_SERVICE_EXE" -DAGENT_EXE="$VDA_AGENT_EXE" \
    -DWAIT_EXE="$VDA_WAIT_EXE" -DOUTPUT="$work/refused.msi" -DWORK_DIR="$work/stage-refused" \
    -P "$VDA_MSI_SCRIPT" >"$log" 2>&1 && grep -qF "$3" "$log" && [ ! -e "$work/refused.msi" ]
}

# table NAME [MSI]: the rows of an MSI table (no header), tab-separated. Run in
# the work directory: exporting a table with streams (Binary) writes them to ./NAME/.
table() { (cd "$work" && msiinfo export "${2:-$VDA_MSI}" "$1") | tr -d '\r' | tail -n +4; }
has_row() { grep -qxF -- "$2" <<<"$1"; }
# field ROWS KEY [N]: column N (default 2) of the row whose first column is KEY.
field() { awk -F'\t' -v k="$2" -v n="${3:-2}" '$1 == k {print $n}' <<<"$1"; }

# ------------------------------------------------------------------ tables
do_tables() {
  rm -rf "$work" && mkdir -p "$work"
  local msi=$VDA_MSI v=$VDA_VERSION rows
  [ -f "$msi" ] || { echo "FAIL: $msi was not built"; exit 1; }
  echo "checking $msi ($arch, version $v)"

  local pf=ProgramFilesFolder comp_attr=0 template="Intel;1033"
  if [ "$arch" = x64 ]; then pf=ProgramFiles64Folder comp_attr=256 template="x64;1033"; fi

  rows=$(table Property)
  check "Property ProductVersion = $v" has_row "$rows" "ProductVersion	$v"
  check "Property UpgradeCode is the fixed one" has_row "$rows" "UpgradeCode	$upgrade_code"
  check "Property ProductName" has_row "$rows" "ProductName	SPICE Guest Agent ($arch)"
  check "Property Manufacturer" has_row "$rows" "Manufacturer	spice-vdagent-win project"
  check "Property ALLUSERS = 1 (per machine)" has_row "$rows" "ALLUSERS	1"
  check "Property DEVICEPATH default" has_row "$rows" "DEVICEPATH	$default_device"
  check "Property LOGLEVEL default" has_row "$rows" "LOGLEVEL	$default_level"
  check "Property SecureCustomProperties has the upgrade properties" \
    has_row "$rows" "SecureCustomProperties	OLDERFOUND;NEWERFOUND"
  local product_code
  product_code=$(field "$rows" ProductCode)

  check "Summary template is $template" grep -qxF "Template: $template" <(msiinfo suminfo "$msi")

  rows=$(table Directory)
  check "Directory INSTALLDIR under $pf" has_row "$rows" "INSTALLDIR	$pf	SPICE Guest Agent"

  rows=$(table Component)
  check "two components" test "$(wc -l <<<"$rows")" -eq 2
  check "Component ServiceComponent: INSTALLDIR, attributes $comp_attr, key vdservice.exe" \
    grep -qE "^ServiceComponent	\{[0-9A-F-]{36}\}	INSTALLDIR	$comp_attr		VdserviceExe$" <<<"$rows"
  check "Component AgentComponent: INSTALLDIR, attributes $comp_attr, key vdagent.exe" \
    grep -qE "^AgentComponent	\{[0-9A-F-]{36}\}	INSTALLDIR	$comp_attr		VdagentExe$" <<<"$rows"

  rows=$(table File)
  check "two files" test "$(wc -l <<<"$rows")" -eq 2
  check "File vdservice.exe with the built size" grep -qE \
    "^VdserviceExe	ServiceComponent	vdservice.exe	$(stat -c %s "$VDA_SERVICE_EXE")	" <<<"$rows"
  check "File vdagent.exe with the built size" grep -qE \
    "^VdagentExe	AgentComponent	vdagent.exe	$(stat -c %s "$VDA_AGENT_EXE")	" <<<"$rows"

  rows=$(table ServiceInstall)
  # 16 own process, 2 automatic start, 32769 = normal error control + vital.
  check "ServiceInstall spice-agent: own process, auto start, vital, LocalSystem" \
    grep -qE "^ServiceInstall	spice-agent	SPICE Guest Agent	16	2	32769	(	){5}ServiceComponent	" <<<"$rows"
  rows=$(table ServiceControl)
  # 163 = start on install (1) + stop on install (2) + stop (32) and delete (128) on uninstall.
  check "ServiceControl spice-agent: start on install, stop both, remove on uninstall, wait" \
    has_row "$rows" "ServiceControl	spice-agent	163		1	ServiceComponent"

  rows=$(table Upgrade)
  check "Upgrade: versions 0.0.0..$v inclusive are removed (OLDERFOUND, 768)" \
    has_row "$rows" "$upgrade_code	0.0.0	$v		768		OLDERFOUND"
  check "Upgrade: newer than $v only detected (NEWERFOUND, 2)" \
    has_row "$rows" "$upgrade_code	$v			2		NEWERFOUND"
  check "exactly two Upgrade rows" test "$(wc -l <<<"$rows")" -eq 2
  rows=$(table LaunchCondition)
  check "LaunchCondition refuses a downgrade with a clear message" grep -qE \
    "^NOT NEWERFOUND	A newer version of SPICE Guest Agent is already installed\. Uninstall it first" <<<"$rows"
  rows=$(table InstallExecuteSequence)
  local iv rep ii
  iv=$(field "$rows" InstallValidate 3)
  rep=$(field "$rows" RemoveExistingProducts 3)
  ii=$(field "$rows" InstallInitialize 3)
  check "RemoveExistingProducts between InstallValidate and InstallInitialize ($iv < $rep < $ii)" \
    test -n "$rep" -a "${rep:-0}" -gt "${iv:-0}" -a "${rep:-0}" -lt "${ii:-0}"

  local ss wp rf
  ss=$(field "$rows" StopServices 3)
  wp=$(awk -F'\t' '$1 == "WaitForPrograms" && $2 == "REMOVE~=\"ALL\"" {print $3}' <<<"$rows")
  rf=$(field "$rows" RemoveFiles 3)
  check "WaitForPrograms runs on removal between StopServices and RemoveFiles ($ss < $wp < $rf)" \
    test -n "$wp" -a "${wp:-0}" -gt "${ss:-0}" -a "${wp:-0}" -lt "${rf:-0}"
  check "CustomAction WaitForPrograms: msi_wait.exe from Binary, deferred, no impersonation" \
    grep -qE '^WaitForPrograms	3138	MsiWait	"\[INSTALLDIR\]\."	?$' <(table CustomAction)
  check "Binary MsiWait is there" grep -qE '^MsiWait	' <(table Binary)

  rows=$(table Registry)
  check "Registry DevicePath = [DEVICEPATH]" grep -qE \
    "^reg[0-9A-F]+	2	SYSTEM\\\\CurrentControlSet\\\\Services\\\\spice-agent\\\\Parameters	DevicePath	\[DEVICEPATH\]	ServiceComponent$" <<<"$rows"
  check "Registry LogLevel = [LOGLEVEL]" grep -qE \
    "^reg[0-9A-F]+	2	SYSTEM\\\\CurrentControlSet\\\\Services\\\\spice-agent\\\\Parameters	LogLevel	\[LOGLEVEL\]	ServiceComponent$" <<<"$rows"
  rows=$(table AppSearch)
  check "AppSearch reads the existing settings back" \
    test "$(sort <<<"$rows" | tr '\n' ' ')" = "DEVICEPATH	FindDevicePath LOGLEVEL	FindLogLevel "

  # The ProductCode: the same for the same (arch, version), new for a new version.
  build_msi "$v" "$work/again.msi"
  build_msi "$(next_version "$v")" "$work/next.msi"
  local again next
  again=$(field "$(table Property "$work/again.msi")" ProductCode)
  next=$(field "$(table Property "$work/next.msi")" ProductCode)
  check "ProductCode $product_code is a UUID" grep -qE '^\{[0-9A-F-]{36}\}$' <<<"$product_code"
  check "ProductCode is reproducible ($again)" test "$again" = "$product_code"
  check "next version gets a new ProductCode ($next)" test -n "$next" -a "$next" != "$product_code"

  # Bad inputs to the recipe: a version Windows Installer cannot compare, an
  # unknown architecture.
  check "build-msi refuses VERSION 256.0.0" refuses "$arch" 256.0.0 "build-msi: VERSION must be"
  check "build-msi refuses VERSION 1.2" refuses "$arch" 1.2 "build-msi: VERSION must be"
  check "build-msi refuses ARCH arm64" refuses arm64 "$v" "build-msi: ARCH must be"
  finish
}

# ------------------------------------------------------------------ versioninfo
# The VERSIONINFO resource of both programs (UTF-16 strings: each key is followed
# by its value).
resource_value() { strings -el "$1" | grep -A1 -xF "$2" | sed -n 2p; }
do_versioninfo() {
  local exe name desc v=$VDA_VERSION
  for exe in "$VDA_SERVICE_EXE" "$VDA_AGENT_EXE"; do
    name=$(basename "$exe")
    check "$name ProductName = SPICE Guest Agent" test "$(resource_value "$exe" ProductName)" = "SPICE Guest Agent"
    check "$name ProductVersion = $v" test "$(resource_value "$exe" ProductVersion)" = "$v"
    check "$name FileVersion = $v" test "$(resource_value "$exe" FileVersion)" = "$v"
    check "$name CompanyName = spice-vdagent-win project" \
      test "$(resource_value "$exe" CompanyName)" = "spice-vdagent-win project"
    check "$name OriginalFilename = $name" test "$(resource_value "$exe" OriginalFilename)" = "$name"
    desc=$(resource_value "$exe" FileDescription)
    check "$name has a FileDescription [$desc]" test -n "$desc"
  done
  finish
}

# ------------------------------------------------------------------ Wine
# This tree's Wine: wine64 on the host for x64; for x86 the 32-bit Wine in the
# i386 chroot that the tree's Wine fixture found (tests/wine/wine-env.sh), entered
# through tests/wine/wine32-exec.sh (build and source trees are visible inside at
# the same paths). WINE and WINESERVER are the command prefixes; the environment
# and the choice of Wine are those of every Windows test (tests/wine/wine-common.sh),
# but the prefix is this test's own (start_prefix, do_base_prefix).
wine_env() {
  local state=${VDA_WINE_STATE:?VDA_WINE_STATE is not set: run this through ctest} root
  vda_wine_env "$state"
  if [ "$arch" = x64 ]; then
    vda_wine_commands win64
  elif root=$(vda_wine32_root "$state"); then
    vda_wine_commands win32 "$root"
  else
    not_run "the x86 MSI installs 32-bit programs, which need a 32-bit Wine (wine64" \
      "would 'run' them by exiting 0), and this machine has none: $(vda_wine32_missing "$state")"
  fi
  WINE=("${VDA_WINE[@]}") WINESERVER=("${VDA_WINESERVER[@]}")
}

do_base_prefix() {
  wine_env
  local base=$work stamp
  stamp="$("${WINE[@]}" --version 2>/dev/null) $arch"
  if [ -f "$base/system.reg" ] && [ "$(cat "$base/.vda-stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "base prefix $base is ready"; exit 0
  fi
  rm -rf "$base" && mkdir -p "$base"
  export WINEPREFIX=$base
  # Plain wineboot (not -i: that starts a second service manager). Its wineserver
  # exits once Wine's own processes are gone, and saves the registry then.
  timeout 120 "${WINE[@]}" wineboot >"$base.wineboot.log" 2>&1 </dev/null ||
    { cat "$base.wineboot.log"; echo "FAIL: wineboot"; exit 1; }
  timeout 60 "${WINESERVER[@]}" -w ||
    { "${WINESERVER[@]}" -k; echo "FAIL: wineserver did not exit"; exit 1; }
  echo "$stamp" >"$base/.vda-stamp"
  echo "base prefix $base created"
}

# Own copy of the base prefix and own wineserver. The copy hard-links Wine's
# program files (never rewritten) and really copies everything else: Wine rewrites
# the registry files in place, which would otherwise change the base.
start_prefix() {
  wine_env
  local base=${VDA_MSI_BASE_PREFIX:?}
  [ -f "$base/system.reg" ] || { echo "FAIL: no base prefix at $base"; exit 1; }
  if [ -d "$work/prefix" ]; then WINEPREFIX=$work/prefix "${WINESERVER[@]}" -k 2>/dev/null; fi
  rm -rf "$work" && mkdir -p "$work"
  cp -al "$base" "$work/prefix" || { echo "FAIL: copying the prefix"; exit 1; }
  find "$work/prefix" -type f ! -regex \
    '.*/windows/\(system32\|syswow64\)/.*\.\(dll\|exe\|drv\|sys\|nls\|cpl\|ocx\|acm\|tlb\|ax\|ds\|com\|mui\)' \
    -print0 | xargs -0 -r sh -c 'for f; do cp -p "$f" "$f.copy" && mv -f "$f.copy" "$f"; done' _
  export WINEPREFIX=$work/prefix
  "${WINESERVER[@]}" -p >"$work/wineserver.log" 2>&1 </dev/null ||
    { cat "$work/wineserver.log"; echo "FAIL: wineserver"; exit 1; }
  trap stop_prefix EXIT
  set_install_dir
  echo "prefix $WINEPREFIX, display ${DISPLAY:-none}"
}
# Ends this prefix's Wine; then makes sure, by PID, that none of its processes
# (service, agent, Wine's own) outlives the test.
stop_prefix() {
  "${WINESERVER[@]}" -k >/dev/null 2>&1 || true
  local pids
  for _ in $(seq 50); do
    pids=$(prefix_pids)
    [ -z "$pids" ] && return 0
    sleep 0.1
  done
  echo "killing leftover Wine processes of $WINEPREFIX: $pids"
  kill -9 $pids 2>/dev/null || true
}

w() { "${WINE[@]}" "$@" </dev/null 2>>"$work/wine-stderr.log"; }
winpath() { local p=${1//\//\\}; echo "Z:$p"; }
# reg_value KEY NAME: the data of a value ("" if absent).
reg_value() {
  w reg query "$1" /v "$2" | tr -d '\r' |
    awk -v n="$2" '$1 == n { sub(/^[ \t]*[^ \t]+[ \t]+[^ \t]+[ \t]+/, ""); print; exit }'
}
reg_key_absent() { ! w reg query "$1" >/dev/null 2>&1; }

# Where the MSI installs: the x86 MSI goes to the 32-bit Program Files, which in
# a 64-bit prefix is "Program Files (x86)" (a 32-bit-only prefix has just one).
set_install_dir() {
  if [ "$arch" = x86 ] && [ -d "$WINEPREFIX/drive_c/Program Files (x86)" ]; then
    install_dir_rel="drive_c/Program Files (x86)/SPICE Guest Agent"
    install_dir_win='C:\Program Files (x86)\SPICE Guest Agent'
  else
    install_dir_rel="drive_c/Program Files/SPICE Guest Agent"
    install_dir_win='C:\Program Files\SPICE Guest Agent'
  fi
}

# msiexec ARGS... LOGNAME: runs it with a verbose log; prints and returns the
# Windows Installer result (the Linux exit status only keeps it modulo 256).
msiexec_run() {
  local log=$1; shift
  w msiexec "$@" /qn /l*v "$(winpath "$work/$log")" >>"$work/msiexec.out"
  local rc=$?
  local rv
  rv=$(tr -d '\r' <"$work/$log" 2>/dev/null | sed -n 's/.*Action ended .*: INSTALL\. Return value \([0-9]*\)\..*/\1/p' | tail -1)
  echo "msiexec $*: exit status $rc (mod 256), INSTALL return value ${rv:-none}" >&2
  echo "$rc"
}

# PIDs of the processes of this prefix running the program NAME (argv[0] is its
# Windows path: ...\NAME); without NAME, all of them.
prefix_pids() {
  local p a0
  for p in /proc/[0-9]*; do
    if [ -n "${1:-}" ]; then
      # The program's own name: the first argument after qemu-i386 (a 32-bit
      # process where the kernel runs no i386 code) and Wine's loader.
      a0=$(tr '\0' '\n' 2>/dev/null <"$p/cmdline" |
           grep -vE '(^|/)(qemu-i386|wine|wine64|wine-preloader|wine64-preloader)$' | head -n 1)
      a0=${a0##*\\}; a0=${a0##*/}
      [ "${a0,,}" = "${1,,}" ] || continue
    fi
    tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "WINEPREFIX=$WINEPREFIX" || continue
    echo "${p#/proc/}"
  done
}
# wait_for SECONDS command...: polls until the command succeeds.
wait_for() {
  local n=$(($1 * 5)); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done
  return 1
}
service_state() { w sc query spice-agent | tr -d '\r' | awk '$1 == "STATE" {print $4}'; }
service_running() { [ "$(service_state)" = RUNNING ]; }
agent_running() { [ -n "$(prefix_pids vdagent.exe)" ]; }
no_programs_running() { [ -z "$(prefix_pids vdservice.exe)$(prefix_pids vdagent.exe)" ]; }
# Add/Remove Programs entries of this product (any version): "DisplayName|DisplayVersion|Publisher".
arp_entries() {
  w reg query "$uninstall_key" /s | tr -d '\r' | awk '
    /^HKEY/ { if (n != "") print n "|" v "|" p; n = v = p = "" }
    $1 == "DisplayName" && /SPICE Guest Agent/ { sub(/^[ \t]*DisplayName[ \t]+REG_SZ[ \t]+/, ""); n = $0 }
    $1 == "DisplayVersion" { v = $3 }
    $1 == "Publisher" { sub(/^[ \t]*Publisher[ \t]+REG_SZ[ \t]+/, ""); p = $0 }
    END { if (n != "") print n "|" v "|" p }'
}
service_log() { find "$WINEPREFIX/drive_c" -name vdservice.log -print -quit; }
# The user's %TEMP% as Wine's cmd expands it (the service expands it the same
# way, from the user's environment block), then the agent's log in it.
agent_log() {
  local t; t=$(w cmd /c 'echo %TEMP%' | tr -d '\r')
  [ -n "$t" ] && echo "$(w winepath -u "$t\\vdagent.log" | tr -d '\r')"
}
agent_log_started() { local l; l=$(agent_log); [ -f "$l" ] && grep -q 'connected to pipe' "$l"; }
# Both roles of the agent said HELLO: "system role process N is ready" and "user role ...".
agent_ready() {
  local l; l=$(service_log)
  [ -n "$l" ] && grep -qE 'system role process [0-9]+ is ready' "$l" &&
    grep -qE 'user role process [0-9]+ is ready' "$l"
}
show_diagnostics() {
  echo "---- diagnostics"
  local l; l=$(service_log)
  [ -n "$l" ] && { echo "-- $l"; tail -20 "$l"; }
  for l in "$work"/*.log; do echo "-- $l (end)"; tr -d '\r' <"$l" | grep -a -iE 'error|return value [03]|failed' | tail -15; done
}

# The checks shared by install and upgrade: MSI version V installed from the
# given exe files (whose own version is always VDA_VERSION: the upgrade test
# repackages the same programs).
check_installed() {
  local v=$1 service_exe=$2 agent_exe=$3 pv=$VDA_VERSION
  check "vdservice.exe installed in $install_dir_win (same bytes as built)" \
    cmp -s "$service_exe" "$WINEPREFIX/$install_dir_rel/vdservice.exe"
  check "vdagent.exe installed in $install_dir_win (same bytes as built)" \
    cmp -s "$agent_exe" "$WINEPREFIX/$install_dir_rel/vdagent.exe"
  check "service start type is automatic (Start = 0x2)" test "$(reg_value "$svc_key" Start)" = 0x2
  check "service type is own process (Type = 0x10)" test "$(reg_value "$svc_key" Type)" = 0x10
  check "service runs the installed vdservice.exe (ImagePath)" \
    grep -qiF "$install_dir_win\\vdservice.exe" <<<"$(reg_value "$svc_key" ImagePath)"
  check "service spice-agent is RUNNING (sc query)" wait_for 10 service_running
  check "the service started vdagent.exe (a process of this prefix)" wait_for 15 agent_running
  check "exactly one vdservice.exe process" test "$(prefix_pids vdservice.exe | wc -l)" -eq 1
  local arp; arp=$(arp_entries)
  check "one Add/Remove Programs entry: SPICE Guest Agent ($arch) $v [$arp]" \
    test "$arp" = "SPICE Guest Agent ($arch)|$v|spice-vdagent-win project"
  local out
  out=$(w "$install_dir_win\\vdservice.exe" --version | tr -d '\r')
  check "vdservice.exe --version prints $pv [$out]" grep -qE "(^| )$pv\$" <<<"$out"
  out=$(w "$install_dir_win\\vdagent.exe" --version | tr -d '\r')
  check "vdagent.exe --version prints $pv [$out]" grep -qE "(^| )$pv\$" <<<"$out"
}

do_install() {
  start_prefix
  local rc
  rc=$(msiexec_run install.log /i "$(winpath "$VDA_MSI")")
  check "msiexec /i succeeded" test "$rc" = 0
  check_installed "$VDA_VERSION" "$VDA_SERVICE_EXE" "$VDA_AGENT_EXE"
  # The installed pair works together: both roles of the agent reached the service
  # over their pipes and said HELLO (vdservice logs "... role process N is ready").
  check "both agent roles connected to the service (service log: system/user role process N is ready)" \
    wait_for 20 agent_ready
  check "the agent logs to the user's %TEMP%\\vdagent.log (it has no console): $(agent_log)" \
    wait_for 10 agent_log_started
  check "registry default DevicePath = $default_device" \
    test "$(reg_value "$svc_key\\Parameters" DevicePath)" = "$default_device"
  check "registry default LogLevel = $default_level" \
    test "$(reg_value "$svc_key\\Parameters" LogLevel)" = "$default_level"
  wine_differs "restart on failure: Wine's service manager ignores failure actions" \
    "(ChangeServiceConfig2 FAILURE_ACTIONS is a FIXME stub there; its sc has no qfailure)," \
    "so neither that they are set nor that a crashed service restarts is checked here."
  wine_differs "Wine runs everything in session 1 as one user; starting the agent for a" \
    "real logged-on user's session is not proven here."
  [ "$failures" -gt 0 ] && show_diagnostics
  finish
}

do_upgrade() {
  start_prefix
  local v1=$VDA_VERSION v2 rc
  v2=$(next_version "$v1")
  # The newer build: the same programs with a marker appended (the PE loader
  # ignores trailing bytes), so "the new binaries are installed" can be seen.
  mkdir -p "$work/v2bin"
  cp "$VDA_SERVICE_EXE" "$work/v2bin/vdservice.exe" && cp "$VDA_AGENT_EXE" "$work/v2bin/vdagent.exe"
  printf 'vda-test-build %s\n' "$v2" | tee -a "$work/v2bin/vdservice.exe" >>"$work/v2bin/vdagent.exe"
  build_msi "$v2" "$work/v2.msi" "$work/v2bin/vdservice.exe" "$work/v2bin/vdagent.exe"

  rc=$(msiexec_run install-v1.log /i "$(winpath "$VDA_MSI")")
  check "v$v1 installed" test "$rc" = 0
  check "v$v1 service RUNNING" wait_for 10 service_running
  local old_pid; old_pid=$(prefix_pids vdservice.exe)
  # The user changes a setting; the upgrade must keep it.
  w reg add "$svc_key\\Parameters" /v LogLevel /d debug /f >/dev/null
  check "user set LogLevel = debug" test "$(reg_value "$svc_key\\Parameters" LogLevel)" = debug

  rc=$(msiexec_run install-v2.log /i "$(winpath "$work/v2.msi")")
  check "v$v2 installed over v$v1" test "$rc" = 0
  check_installed "$v2" "$work/v2bin/vdservice.exe" "$work/v2bin/vdagent.exe"
  check "the old vdservice.exe process (pid $old_pid) is gone" \
    test -z "$old_pid" -o ! -e "/proc/$old_pid/cmdline" -o "$(prefix_pids vdservice.exe)" != "$old_pid"
  check "user's LogLevel = debug kept over the upgrade" \
    test "$(reg_value "$svc_key\\Parameters" LogLevel)" = debug
  check "unchanged DevicePath still the default" \
    test "$(reg_value "$svc_key\\Parameters" DevicePath)" = "$default_device"

  # An older MSI over the newer one is refused (1603: LaunchConditions, NEWERFOUND)
  # and leaves the installed product alone.
  rc=$(msiexec_run downgrade.log /i "$(winpath "$VDA_MSI")")
  check "v$v1 over v$v2 refused (exit status 1603 mod 256 = 67, got $rc)" test "$rc" = 67
  check "the refusal came from the downgrade check (NEWERFOUND set)" \
    grep -aq 'NEWERFOUND = {' <(tr -d '\r' <"$work/downgrade.log")
  local arp; arp=$(arp_entries)
  check "still one product, v$v2 [$arp]" test "$arp" = "SPICE Guest Agent ($arch)|$v2|spice-vdagent-win project"
  check "v$v2 files still installed" cmp -s "$work/v2bin/vdservice.exe" "$WINEPREFIX/$install_dir_rel/vdservice.exe"
  check "service still RUNNING" service_running
  wine_differs "with /qn Wine's msiexec does not log the LaunchCondition message text;" \
    "the message itself is checked in the MSI (installer.msi_tables)."
  [ "$failures" -gt 0 ] && show_diagnostics
  finish
}

do_uninstall() {
  start_prefix
  local rc
  rc=$(msiexec_run install.log /i "$(winpath "$VDA_MSI")")
  check "installed" test "$rc" = 0
  check "service RUNNING before uninstall" wait_for 10 service_running
  check "agent running before uninstall" wait_for 15 agent_running

  rc=$(msiexec_run uninstall.log /x "$(winpath "$VDA_MSI")")
  check "msiexec /x succeeded" test "$rc" = 0
  check "service spice-agent is gone (sc query fails)" test -z "$(service_state)"
  check "service registry key is gone" reg_key_absent "$svc_key"
  check "vdservice.exe and vdagent.exe processes ended" wait_for 10 no_programs_running
  check "vdservice.exe removed" test ! -e "$WINEPREFIX/$install_dir_rel/vdservice.exe"
  check "vdagent.exe removed" test ! -e "$WINEPREFIX/$install_dir_rel/vdagent.exe"
  check "install directory removed" test ! -e "$WINEPREFIX/$install_dir_rel"
  check "no Add/Remove Programs entry left" test -z "$(arp_entries)"
  [ "$failures" -gt 0 ] && show_diagnostics
  finish
}

case "$cmd" in
tables) do_tables ;;
versioninfo) do_versioninfo ;;
base-prefix) do_base_prefix ;;
install) do_install ;;
upgrade) do_upgrade ;;
uninstall) do_uninstall ;;
*) echo "usage: $0 tables|versioninfo|base-prefix|install|upgrade|uninstall WORK_DIR" >&2; exit 2 ;;
esac

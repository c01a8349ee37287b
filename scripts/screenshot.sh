#!/usr/bin/env bash
# Makes README's picture again (docs/try-it.png): scripts/try-it.sh, remote-viewer
# on an Xvfb of its own, a line typed into the guest's notepad, the viewer resized
# (the guest follows), and a PNG of the viewer's window. Needs a finished
# ./scripts/build.sh and the Debian packages virt-viewer and xdotool.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exec /usr/bin/python3 "$top/tests/e2e/screenshot.py" "$top/docs/try-it.png" "$@"

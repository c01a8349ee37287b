#!/bin/sh
# Checks that each folder of common/ includes only itself and the folders below it
# (common/CMakeLists.txt draws the layers). Prints every offending line.
root=${1:?usage: lint_common_layers.sh COMMON_DIR}
allowed() {
  case $1 in
    base) echo "base" ;;
    wire) echo "base wire" ;;
    image) echo "base image" ;;
    service) echo "base wire service" ;;
    agent) echo "base wire agent" ;;
    *) echo "" ;;
  esac
}
bad=0
tmp=$(mktemp)
for dir in "$root"/*/; do
  layer=$(basename "$dir")
  ok=$(allowed "$layer")
  if [ -z "$ok" ]; then echo "lint: unknown layer folder common/$layer"; bad=1; continue; fi
  for f in "$dir"*.[ch]; do
    grep -nE '^#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
      inc=$(printf '%s\n' "$line" | sed -E 's/.*include[[:space:]]*"([^"]*)".*/\1/')
      case $inc in
        */*) to=${inc%%/*} ;;
        *) echo "lint: $f: include without its folder: $line"; echo x >>"$tmp" ; continue ;;
      esac
      case " $ok " in
        *" $to "*) ;;
        *) echo "lint: $f: $layer may not include $inc"; echo x >>"$tmp" ;;
      esac
    done
  done
done
[ -s "$tmp" ] && bad=1
rm -f "$tmp"
exit $bad

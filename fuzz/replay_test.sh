#!/usr/bin/env bash
# ctest's fuzz smoke: writes the seeds (fuzz/make-seeds) and replays them, and
# any past crashes kept in fuzz/regressions/<target>/, through each target
# built with GCC (fuzz/replay_main.cc). Seconds, not a fuzzing session; that
# is tools/fuzz.
#
#   fuzz/replay_test.sh SOURCE_DIR SHARED_DIR BINARY_DIR TARGET...
set -euo pipefail
root=$1 shared=$2 bin=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/fuzz/make-seeds" "$shared" "$work"
for target in "$@"; do
  inputs=("$work/$target")
  if [[ -d $root/fuzz/regressions/$target ]]; then inputs+=("$root/fuzz/regressions/$target"); fi
  printf '%s: ' "$target"
  "$bin/${target}_replay" "${inputs[@]}" 2>"$work/$target.log" ||
    { echo "FAILED on the last input listed:"; tail -n 5 "$work/$target.log"; exit 1; }
done

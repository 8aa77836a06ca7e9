#!/usr/bin/env bash
# docs/scrapewatch.1 is generated from the binary's --help by tools/make-man:
# regenerated here into a temporary file, it must equal the checked-in page
# (else the diff is printed: run tools/make-man and commit the page), and man
# must render it without a warning.
#   man_up_to_date_test.sh SCRAPEWATCH_BINARY SOURCE_DIR
set -euo pipefail
binary=$1 root=$2
page="$root/docs/scrapewatch.1"
fresh=$(mktemp)
trap 'rm -f "$fresh"' EXIT
"$root/tools/make-man" "$binary" "$fresh"
diff -u "$page" "$fresh" || {
  echo "docs/scrapewatch.1 is stale: run tools/make-man $binary and commit it" >&2
  exit 1
}
# Each renderer must succeed and print nothing on standard error.
quiet() {
  local warnings
  warnings=$("$@" 2>&1 >/dev/null) && [[ -z $warnings ]] ||
    { echo "$*: ${warnings:-failed}" >&2; exit 1; }
}
quiet env LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page"
quiet env LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$page"

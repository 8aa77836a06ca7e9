#!/usr/bin/env bash
# End to end: serve the demo site with nginx on 127.0.0.1, audit it with the
# real binary, and check the reports (tests/e2e/check_report.py).
#   demo_audit_test.sh SCRAPEWATCH_BINARY SOURCE_DIR
set -euo pipefail
binary=$1 root=$2
source "$root/tools/lib/common.sh"
source "$root/tools/lib/nginx.sh"

work=$(mktemp -d)
trap 'stop_site "$work/server"; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
"$root/tools/make-demo-site" "$work/site"
start_site "$work/site" "$work/server"
url="http://127.0.0.1:$SITE_PORT/"

"$binary" audit "$url" --allow-private-addresses --precise-locations --delay 0 \
  --store "$work/store" --out "$work/out" --quiet
reports="$work/out/127.0.0.1_$SITE_PORT"
for format in json html csv md; do
  "$binary" report --store "$work/store" --site "$url" --format "$format" --out "$work/report.$format"
done
# A second audit of the same store adds a run and keeps the first.
"$binary" audit "$url" --allow-private-addresses --max-pages 1 --delay 0 \
  --store "$work/store" --out "$work/out2" --quiet

/usr/bin/python3 "$root/tests/e2e/check_report.py" \
  --schema "$root/reports/report.schema.json" --site-dir "$work/site" \
  --report "$reports/report.json" --html "$reports/report.html" \
  --rounded "$work/report.json" --csv "$work/report.csv" --md "$work/report.md" \
  --second "$work/out2/127.0.0.1_$SITE_PORT/report.json"
echo "e2e demo audit: all checks passed"

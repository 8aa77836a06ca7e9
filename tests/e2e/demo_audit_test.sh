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
# The audit writes all four formats itself.
for file in report.json report.html images.csv report.md; do
  [[ -s "$reports/$file" ]] || { echo "audit did not write $reports/$file" >&2; exit 1; }
done
for format in json html csv md; do
  "$binary" report --store "$work/store" --site "$url" --format "$format" --out "$work/report.$format"
done
# The evidence bundle verifies with sha256sum.
"$binary" evidence --store "$work/store" --site "$url" --out "$work/evidence" >/dev/null
(cd "$work/evidence" && sha256sum --quiet -c SHA256SUMS)
test -s "$work/evidence/manifest.json" && ls "$work/evidence"/robots/*.txt >/dev/null

# The site leaks a new location: a second audit with --fail-on exits 3 and
# diff names the image. (The first audit's files are kept for the checks.)
cp -R "$work/site" "$work/site-first"
exiv2 -q -M"set Exif.GPSInfo.GPSLatitudeRef S" -M"set Exif.GPSInfo.GPSLatitude 33/1 51/1 0/1" \
  -M"set Exif.GPSInfo.GPSLongitudeRef E" -M"set Exif.GPSInfo.GPSLongitude 151/1 12/1 0/1" \
  "$work/site/images/festival.jpg"
status=0
"$binary" audit "$url" --allow-private-addresses --delay 0 --fail-on new-exposure \
  --store "$work/store" --out "$work/out-changed" --quiet 2>"$work/fail-on.txt" || status=$?
if [[ $status != 3 ]]; then
  echo "FAIL: --fail-on new-exposure exited $status, want 3" >&2
  cat "$work/fail-on.txt" >&2
  exit 1
fi
"$binary" diff --store "$work/store" --site "$url" --format json >"$work/diff.json"

# A third audit of the same store adds a run and keeps the others; it uses
# the YuNet face detector from the shared model folder.
"$binary" audit "$url" --allow-private-addresses --max-pages 1 --delay 0 \
  --face-backend yunet --face-model "$root/../shared/models/face_detection_yunet_2022mar.onnx" \
  --store "$work/store" --out "$work/out2" --quiet

# extract: references with context and page signals, from a saved page.
"$binary" extract "$work/site/team.html" --base-url "${url}team.html" | /usr/bin/python3 -c '
import json, sys
page = json.load(sys.stdin)
director = [i for i in page["images"] if i["url"].endswith("/images/director.jpg")]
assert director and director[0]["context"]["names"] == ["Dana Whitfield"], director
assert "since 2015" in director[0]["context"]["caption"], director
assert page["title"].startswith("Our team") and page["charset"] == "UTF-8", page
'

/usr/bin/python3 "$root/tests/e2e/check_report.py" \
  --schema "$root/reports/report.schema.json" --site-dir "$work/site-first" \
  --report "$reports/report.json" --html "$reports/report.html" \
  --rounded "$work/report.json" --csv "$work/report.csv" --md "$work/report.md" \
  --second "$work/out2/127.0.0.1_$SITE_PORT/report.json" --diff "$work/diff.json"
echo "e2e demo audit: all checks passed"

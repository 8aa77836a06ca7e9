#!/usr/bin/env bash
# A full disk during an audit, simulated with a file-size limit (ulimit -f,
# SIGXFSZ ignored, so writes fail with EFBIG as they would with ENOSPC):
# the audit must fail with an error naming the store and the cause, leave a
# consistent, resumable store, and — once "space returns" — the same command
# must finish the same run with the same results as an audit that never hit
# the limit.
#   disk_full_test.sh SCRAPEWATCH_BINARY SOURCE_DIR
set -euo pipefail
binary=$1 root=$2
source "$root/tools/lib/common.sh"
source "$root/tools/lib/nginx.sh"

work=$(mktemp -d)
trap 'stop_site "$work/server"; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
"$root/tools/make-demo-site" "$work/site" >/dev/null
sed -i '/Crawl-delay/d' "$work/site/robots.txt"
start_site "$work/site" "$work/server"
url="http://127.0.0.1:$SITE_PORT/"
audit=("$binary" audit "$url" --allow-private-addresses --delay 0 --quiet)

fail() { echo "FAIL: $*" >&2; exit 1; }

"${audit[@]}" --store "$work/clean" --out "$work/clean-out"

status=0
bash -c 'trap "" XFSZ; ulimit -f 32; exec "$@"' _ "${audit[@]}" --store "$work/full" \
  --out "$work/full-out" 2>"$work/full.err" || status=$?
[[ $status == 1 ]] || fail "an audit on a full disk exited $status, not 1"
grep -q "store '$work/full'" "$work/full.err" || fail "the error does not name the store: $(cat "$work/full.err")"
grep -q "File too large" "$work/full.err" || fail "the error does not say why: $(cat "$work/full.err")"
"$binary" status --store "$work/full" | grep -q "unfinished run" ||
  fail "no unfinished run left to resume"
run_before=$("$binary" status --store "$work/full" | sed -n 's/.*unfinished run \([^,]*\),.*/\1/p')

"${audit[@]}" --store "$work/full" --out "$work/full-out" || fail "the rerun after space returned failed"
for store in clean full; do
  "$binary" report --store "$work/$store" --site "$url" --format json --out "$work/$store.json"
done
/usr/bin/python3 - "$work/clean.json" "$work/full.json" "$run_before" <<'PY'
import json, sys
clean, full = (json.load(open(path)) for path in sys.argv[1:3])
def images(report):
    return {i["url"]: (i["sha256"], len(i["faces"]), i["gps"] is not None) for i in report["images"]}
assert full["run"]["id"] == sys.argv[3], (full["run"]["id"], sys.argv[3])
assert full["run"]["finished_at"], "the resumed run did not finish"
assert images(clean) == images(full), (images(clean), images(full))
assert full["pages"]["fetched"] == clean["pages"]["fetched"] == 5, full["pages"]
PY
echo "disk-full test: the audit failed cleanly and the same run finished once space returned"

#!/usr/bin/env bash
# End to end: batch audits (`scrapewatch audit --sites-file`) as cron would run
# them. One nginx serves the demo site on 50 loopback ports, i.e. 50 sites, and
# the real binary audits them with a clean environment (env -i, no TERM), stdin
# closed and no terminal. Checked: JSON log lines, bad lines of the sites file
# reported with their line numbers, OUT/index.json, SIGTERM (mid-crawl and
# mid-analysis: only whole records stored) and kill -9 followed by a rerun that
# resumes the same runs, --max-runtime, the store lock, --shard.
#   batch_test.sh SCRAPEWATCH_BINARY SOURCE_DIR     (KEEP=1 keeps the work folder)
set -euo pipefail
binary=$1 root=$2
source "$root/tools/lib/common.sh"
py=/usr/bin/python3

work=$(mktemp -d)
server="$work/server"
background=()  # PIDs this test started and may have to end
cleanup() {
  local pid
  for pid in "${background[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [[ ! -f $server/nginx.conf ]] || stop_site "$server"
  if [[ -n ${KEEP:-} ]]; then say "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
fail() { say "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
elapsed_since() { $py -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$(now)"; }

# --- The demo site on 50 ports ------------------------------------------------
"$root/tools/make-demo-site" "$work/site"
# The demo's robots.txt asks a 1 s Crawl-delay, which would make 50 sites take
# minutes; here the pace is set with --delay instead.
sed -i '/^Crawl-delay:/d' "$work/site/robots.txt"
grep -q '^Disallow: /private/' "$work/site/robots.txt" || fail "demo robots.txt changed; revisit this test"

# 50 distinct free ports (all bound at once, so no two are the same).
mapfile -t ports < <($py -c '
import socket
socks = [socket.socket() for _ in range(50)]
for s in socks: s.bind(("127.0.0.1", 0))
for s in socks: print(s.getsockname()[1])
for s in socks: s.close()')
(( ${#ports[@]} == 50 )) || fail "expected 50 free ports, got ${#ports[@]}"

mkdir -p "$work/home"
source "$root/tools/lib/nginx.sh"
start_site "$work/site" "$server" "${ports[@]}" || fail "nginx did not start"
$py - "${ports[@]}" <<'PY'
import sys, urllib.request
for port in sys.argv[1:]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=5).read()
    assert b"Disallow: /private/" in body, port
PY

# --- Sites files --------------------------------------------------------------
all_sites="$work/sites.txt"   # the 50 sites, comments, blank lines and two bad lines
{
  echo "# Sites audited every night"
  echo
  for i in "${!ports[@]}"; do
    url="http://127.0.0.1:${ports[$i]}/"
    case $i in
      10) echo "not a url" ;;          # bad line
      20) echo "   $url   # trailing comment, surrounding blanks" ; continue ;;
      30) echo "ftp://x/" ;;           # bad line: not http(s)
      40) echo; echo "   # an indented comment" ;;
    esac
    echo "$url"
  done
} >"$all_sites"
bad_line_numbers=$(grep -n -e '^not a url$' -e '^ftp://x/$' "$all_sites" | cut -d: -f1 | tr '\n' ' ')
[[ $(wc -w <<<"$bad_line_numbers") == 2 ]] || fail "sites file has not two bad lines"
clean_sites="$work/sites-clean.txt"   # the 50 sites only
printf 'http://127.0.0.1:%s/\n' "${ports[@]}" >"$clean_sites"
slow_sites="$work/sites-slow.txt"     # 16 sites, for the runs that are stopped
{ echo "# 16 sites"; printf 'http://127.0.0.1:%s/\n' "${ports[@]:0:16}"; } >"$slow_sites"
kill_sites="$work/sites-kill.txt"     # 4 sites, analysed, for kill -9
printf 'http://127.0.0.1:%s/\n' "${ports[@]:16:4}" >"$kill_sites"

# The checks on logs, index.json and `scrapewatch status`.
cat >"$work/check.py" <<'PY'
import json, os, re, sys

def fail(message):
    sys.exit(f"FAIL: {message}")

def logs(path):
    """Every stderr line is one JSON object with the five fields; returns them."""
    raw = open(path, "rb").read()
    if b"\r" in raw or b"\x1b" in raw:
        fail(f"{path}: carriage return or escape sequence (progress line?) in the log: {raw[:300]!r}")
    entries = []
    for number, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            fail(f"{path}:{number}: not JSON: {line!r}")
        if not isinstance(entry, dict) or sorted(entry) != ["event", "level", "message", "site", "time"]:
            fail(f"{path}:{number}: want fields time, level, event, site, message: {line!r}")
        if not all(isinstance(entry[k], str) for k in entry):
            fail(f"{path}:{number}: a field is not a string: {line!r}")
        if entry["level"] not in ("error", "warning", "info"):
            fail(f"{path}:{number}: level {entry['level']!r}")
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", entry["time"]):
            fail(f"{path}:{number}: time {entry['time']!r} is not UTC ISO 8601")
        if not entry["event"]:
            fail(f"{path}:{number}: empty event")
        entries.append(entry)
    return entries

def index(out_dir):
    data = json.load(open(f"{out_dir}/index.json"))
    fields = {"site", "run", "status", "message", "report", "pages_fetched", "images",
              "images_with_faces", "faces", "images_with_gps", "images_possible_minor"}
    sites = {}
    for entry in data["sites"]:
        if set(entry) != fields:
            fail(f"{out_dir}/index.json: entry fields {sorted(entry)}, want {sorted(fields)}")
        if entry["status"] not in ("done", "new-exposure", "stopped", "failed"):
            fail(f"{out_dir}/index.json: status {entry['status']!r}")
        if entry["site"] in sites:
            fail(f"{out_dir}/index.json: {entry['site']} listed twice")
        sites[entry["site"]] = entry
    return sites

def origins(sites_file):
    return {line.split("#")[0].strip().rstrip("/") for line in open(sites_file)
            if line.split("#")[0].strip()}

def status(path):
    """`scrapewatch status` output: {site: number of runs}, and the unfinished runs."""
    runs, unfinished = {}, []
    for line in open(path):
        match = re.match(r"(http\S+)  (\d+) runs?", line)
        if match:
            runs[match.group(1)] = int(match.group(2))
        match = re.match(r"  unfinished run (\S+),", line)
        if match:
            unfinished.append(match.group(1).rstrip(","))
    return runs, unfinished

def all_done(out_dir, sites_file, pages=5):
    """Every site of the file is in the index, done, with all its pages."""
    sites, want = index(out_dir), origins(sites_file)
    if set(sites) != want:
        fail(f"{out_dir}/index.json sites differ from {sites_file}: "
             f"missing {sorted(want - set(sites))}, extra {sorted(set(sites) - want)}")
    for site, entry in sites.items():
        if entry["status"] != "done" or entry["pages_fetched"] != pages or not entry["run"]:
            fail(f"{out_dir}/index.json: want done with {pages} pages and a run id: {entry}")
    return sites

def one_finished_run_each(status_file, sites_file):
    """Each site has exactly one run in the store and none is unfinished:
    an interrupted run was resumed, not begun again."""
    runs, unfinished = status(status_file)
    want = origins(sites_file)
    if set(runs) != want:
        fail(f"{status_file}: sites {sorted(runs)} != {sorted(want)}")
    several = {site: n for site, n in runs.items() if n != 1}
    if several:
        fail(f"{status_file}: sites with more than one run (not resumed?): {several}")
    if unfinished:
        fail(f"{status_file}: unfinished runs left: {unfinished}")

command, args = sys.argv[1], sys.argv[2:]

if command == "first-batch":   # err out sites_file clean_sites_file status bad_line_numbers...
    err, out, sites_file, clean_file, status_file, *bad = args
    entries = logs(err)
    bad_logged = [e for e in entries if e["event"] == "bad_site"]
    for number in bad:
        where = f"{sites_file}:{number}:"
        if not any(where in e["message"] and e["level"] == "error" for e in bad_logged):
            fail(f"bad line {number} not reported as an error naming {where}: {bad_logged}")
    if len(bad_logged) != len(bad):
        fail(f"want {len(bad)} bad_site lines, got {bad_logged}")
    errors = [e for e in entries if e["level"] == "error" and e["event"] != "bad_site"]
    if errors:
        fail(f"unexpected errors: {errors}")
    sites = all_done(out, clean_file)
    if len(sites) != 50:
        fail(f"want 50 sites, got {len(sites)}")
    for site, entry in sites.items():   # --analysis none: images counted, faces unknown
        if entry["images"] == 0 or entry["faces"] is not None or entry["images_with_gps"] is not None:
            fail(f"{out}/index.json: {site} without analysis: {entry}")
    html = open(f"{out}/index.html").read()
    if html.count("<tr><td>") != 50:
        fail(f"{out}/index.html: want 50 rows, got {html.count('<tr><td>')}")
    runs, unfinished = status(status_file)
    if len(runs) != 50 or set(runs.values()) != {1} or unfinished:
        fail(f"{status_file}: want 50 sites with one finished run each")

elif command == "stopped":     # err out sites_file event ids_file: the batch was cut short
    err, out, sites_file, event, ids_file = args
    entries = logs(err)
    stop_lines = [e for e in entries if e["event"] == event]
    if len(stop_lines) != 1:
        fail(f"{err}: want one {event!r} line, got {stop_lines} in {entries}")
    if event == "max_runtime" and "--max-runtime" not in stop_lines[0]["message"]:
        fail(f"{err}: the max_runtime line does not mention --max-runtime: {stop_lines[0]}")
    if event == "interrupted" and stop_lines[0]["level"] != "error":
        fail(f"{err}: the interrupted line is not an error: {stop_lines[0]}")
    sites = index(out)
    if set(sites) != origins(sites_file):
        fail(f"{out}/index.json: sites differ from {sites_file}")
    stopped = {s: e for s, e in sites.items() if e["status"] == "stopped"}
    begun = {s: e["run"] for s, e in stopped.items() if e["run"]}
    if not begun:
        fail(f"{out}/index.json: no site stopped in the middle of its run: {sites}")
    failed = [e for e in sites.values() if e["status"] == "failed"]
    if failed:
        fail(f"{out}/index.json: failed sites: {failed}")
    json.dump(begun, open(ids_file, "w"))
    print(f"{len(stopped)} of {len(sites)} sites stopped, {len(begun)} in the middle of a run")

elif command == "resumed":     # err out sites_file ids_file status: the rerun finished them
    err, out, sites_file, ids_file, status_file = args
    entries = logs(err)
    problems = [e for e in entries if e["level"] != "info"]
    if problems:
        fail(f"{err}: the rerun logged {problems}")
    sites = all_done(out, sites_file)
    for site, run in json.load(open(ids_file)).items():
        if sites[site]["run"] != run:
            fail(f"{site} was stopped in run {run} but finished in run {sites[site]['run']}")
    resumed = {e["site"] for e in entries if e["event"] == "run_resumed"}
    if resumed != set(json.load(open(ids_file))):
        fail(f"run_resumed logged for {sorted(resumed)}, want {sorted(json.load(open(ids_file)))}")
    one_finished_run_each(status_file, sites_file)

elif command == "quiet-logs":  # err: valid JSON lines, no error or warning
    problems = [e for e in logs(args[0]) if e["level"] != "info"]
    if problems:
        fail(f"{args[0]}: {problems}")

elif command == "one-run-each":  # status sites_file
    one_finished_run_each(*args)

elif command == "same-results":  # out reference_out sites_file
    out, reference, sites_file = args
    sites, ref = all_done(out, sites_file), all_done(reference, sites_file)
    for site in sites:
        for key in ("pages_fetched", "images", "images_with_faces", "faces", "images_with_gps",
                    "images_possible_minor"):
            if sites[site][key] != ref[site][key]:
                fail(f"{site}: {key} {sites[site][key]} after kill -9 and resume, "
                     f"{ref[site][key]} uninterrupted")
        if ref[site]["images"] == 0 or ref[site]["faces"] == 0 or ref[site]["images_with_gps"] != 1:
            fail(f"{site}: the uninterrupted audit found no images, faces or GPS: {ref[site]}")
        for out_dir, entry in ((out, sites[site]), (reference, ref[site])):
            if not entry["report"] or not os.path.isfile(f"{out_dir}/{entry['report']}"):
                fail(f"{out_dir}/index.json: {site}'s report {entry['report']!r} is not there")

elif command == "same-report":   # report.json reference report.json: the stored runs agree
    mine, ref = (json.load(open(path)) for path in args)
    def images(report):
        return sorted((i["url"], i["fetch"]["sha256"], i["fetch"]["http_status"], len(i["faces"]),
                       i["gps"] is not None, len(i["found_on"])) for i in report["images"])
    if images(mine) != images(ref):
        fail(f"{args[0]}: images differ from the uninterrupted run's:\n{images(mine)}\n{images(ref)}")
    if mine["summary"] != ref["summary"]:
        fail(f"{args[0]}: summary {mine['summary']} != uninterrupted {ref['summary']}")

elif command == "whole-records":  # report.json of a run stopped during analysis
    report = json.load(open(args[0]))
    fetched = [i for i in report["images"] if i["fetch"] and i["fetch"]["http_status"] == 200]
    half = [i["url"] for i in fetched if i["metadata"] is None or not i["face_backend"]]
    if half:
        fail(f"{args[0]}: fetched images stored without their analysis: {half}")
    print(len(fetched))

elif command == "shards":      # sites_file out1 out2 out3
    sites_file, *outs = args
    want = origins(sites_file)
    shards = [set(index(out)) for out in outs]
    for out, shard in zip(outs, shards):
        if not shard:
            fail(f"{out}: empty shard")
        for site, entry in index(out).items():
            if entry["status"] != "done" or entry["pages_fetched"] != 5:
                fail(f"{out}/index.json: {entry}")
    for i in range(len(shards)):
        for j in range(i + 1, len(shards)):
            if shards[i] & shards[j]:
                fail(f"shards {i + 1} and {j + 1} share {sorted(shards[i] & shards[j])}")
    union = set().union(*shards)
    if union != want:
        fail(f"the shards cover {len(union)} sites, not the {len(want)}: "
             f"missing {sorted(want - union)}, extra {sorted(union - want)}")
    print("shard sizes:", [len(s) for s in shards])

elif command == "max-runtime":  # out sites_file ids_file all_err status attempts
    out, sites_file, ids_file, all_err, status_file, attempts = args
    for entry in logs(all_err):
        if entry["level"] != "info" and entry["event"] not in ("max_runtime", "site_stopped"):
            fail(f"{all_err}: {entry}")
    runs, unfinished = status(status_file)
    redone = {site: n for site, n in runs.items() if n > 1}
    if redone:
        fail(f"after {attempts} runs of the same --max-runtime command, {len(redone)} sites were "
             f"audited more than once ({redone}): the reruns began new runs for sites they had "
             "finished in an earlier window. So a list longer than one --max-runtime window re-audits its head "
             "and never reaches its tail. The rerun should carry the batch on: resume the stopped "
             "runs, begin the sites not yet begun, and leave the ones finished in this batch alone")
    sites = all_done(out, sites_file)
    for site, run in json.load(open(ids_file)).items():
        if sites[site]["run"] != run:
            fail(f"{site}: stopped by --max-runtime in run {run}, finished in {sites[site]['run']}")
    one_finished_run_each(status_file, sites_file)
else:
    fail(f"unknown check {command}")
PY
check() { $py "$work/check.py" "$@"; }

# Runs scrapewatch as cron would: empty environment (no TERM, no NO_COLOR),
# stdin closed. Callers redirect stdout and stderr to files. In the background
# the command line is used as is, so that $! is scrapewatch's own PID.
cron_env=(env -i PATH=/usr/bin:/bin HOME="$work/home")
cron() { "${cron_env[@]}" "$binary" "$@" </dev/null; }
common=(--allow-private-addresses --analysis none --max-concurrent-sites 8 --log-format json)

# Waits for background PID at most SECONDS; sets rc and took. A process still
# running then is killed and the test fails.
wait_for() {
  local pid=$1 seconds=$2 started=$3 watchdog
  (sleep "$seconds"; kill -KILL "$pid" 2>/dev/null) & watchdog=$!
  rc=0; wait "$pid" || rc=$?
  took=$(elapsed_since "$started")
  kill "$watchdog" 2>/dev/null || true; wait "$watchdog" 2>/dev/null || true
  [[ $rc != 137 ]] || fail "PID $pid still running ${seconds} s later (killed)"
}

# --- 1. The 50 sites, under cron conditions, with two bad lines -----------------
started=$(now)
rc=0
"${cron_env[@]}" setsid -w "$binary" audit --sites-file "$all_sites" \
  --store "$work/s-all" --out "$work/o-all" --delay 0 "${common[@]}" --quiet \
  </dev/null >"$work/all.out" 2>"$work/all.err" || rc=$?
say "50 sites: exit $rc in $(elapsed_since "$started") s"
[[ $rc == 1 ]] || { cat "$work/all.err" >&2; fail "batch with two bad lines exited $rc, want 1"; }
[[ ! -s $work/all.out ]] || fail "--quiet, yet stdout has: $(head -c 500 "$work/all.out")"
"$binary" status --store "$work/s-all" >"$work/all.status"
# shellcheck disable=SC2086  # the line numbers are separate arguments
check first-batch "$work/all.err" "$work/o-all" "$all_sites" "$clean_sites" "$work/all.status" \
  $bad_line_numbers

# Usage errors exit 2 and name the flag.
for bad in "--shard 0/3" "--shard 4/3" "--shard x" "--max-runtime soon" "--max-runtime -5m"; do
  rc=0
  # shellcheck disable=SC2086
  cron audit --sites-file "$clean_sites" --store "$work/s-usage" --out "$work/o-usage" $bad \
    --log-format json >/dev/null 2>"$work/usage.err" || rc=$?
  [[ $rc == 2 ]] || fail "audit $bad exited $rc, want 2: $(cat "$work/usage.err")"
  grep -q -- "${bad%% *}" "$work/usage.err" || fail "audit $bad: the error does not name ${bad%% *}"
done

# --- 2. SIGTERM mid-batch, and the store lock while it runs --------------------
slow=(audit --sites-file "$slow_sites" --store "$work/s-term" --out "$work/o-term" --delay 0.3 "${common[@]}")
started=$(now)
"${cron_env[@]}" "$binary" "${slow[@]}" --quiet </dev/null >"$work/term.out" 2>"$work/term.err" &
pid=$!
background+=("$pid")
sleep 1
# A second audit on the same store is refused and names the holder.
rc=0
cron audit "http://127.0.0.1:${ports[49]}/" --store "$work/s-term" --out "$work/o-lock" \
  --allow-private-addresses --delay 0 --analysis none >"$work/lock.out" 2>"$work/lock.err" || rc=$?
[[ $rc == 1 ]] || fail "a second audit on a store in use exited $rc, want 1: $(cat "$work/lock.err")"
grep -q "PID $pid\b" "$work/lock.err" || fail "the lock message does not name PID $pid: $(cat "$work/lock.err")"
[[ ! -e $work/o-lock/index.json ]] || fail "the refused audit wrote an index"
# `status` reads the store beside the running audit and names the holder too.
"$binary" status --store "$work/s-term" >"$work/term-live.status" ||
  fail "status beside a running audit failed"
grep -q "PID $pid\b" "$work/term-live.status" || fail "status does not name the holder: $(head -1 "$work/term-live.status")"
sleep 1
kill -0 "$pid" 2>/dev/null || fail "the slow batch finished within 2 s; nothing left to interrupt"
signalled=$(now)
kill -TERM "$pid"
wait_for "$pid" 5 "$signalled"
say "SIGTERM: exit $rc $took s after the signal"
[[ $rc == 1 ]] || { cat "$work/term.err" >&2; fail "SIGTERM'd batch exited $rc, want 1"; }
[[ ! -s $work/term.out ]] || fail "--quiet, yet stdout has: $(head -c 500 "$work/term.out")"
check stopped "$work/term.err" "$work/o-term" "$slow_sites" interrupted "$work/term.ids"
"$binary" status --store "$work/s-term" >"$work/term.status"
grep -q "unfinished run" "$work/term.status" || fail "no unfinished run after SIGTERM: $(cat "$work/term.status")"
# The same command again (without --quiet, to see the info lines) finishes
# every site; the interrupted ones under their run ids.
rc=0
cron "${slow[@]}" >"$work/term2.out" 2>"$work/term2.err" || rc=$?
[[ $rc == 0 ]] || { cat "$work/term2.err" >&2; fail "the rerun after SIGTERM exited $rc, want 0"; }
"$binary" status --store "$work/s-term" >"$work/term2.status"
check resumed "$work/term2.err" "$work/o-term" "$slow_sites" "$work/term.ids" "$work/term2.status"
say "SIGTERM and resume: $(elapsed_since "$started") s"

# --- 3. kill -9 mid-batch, then the same command: the results of an
#        uninterrupted batch. These 4 sites are analysed (faces, GPS).
kill_args=(--sites-file "$kill_sites" --allow-private-addresses --analysis full --max-concurrent-sites 4
           --log-format json --quiet)
started=$(now)
rc=0
cron audit "${kill_args[@]}" --delay 0 --store "$work/s-ref" --out "$work/o-ref" \
  >/dev/null 2>"$work/ref.err" || rc=$?
[[ $rc == 0 ]] || { cat "$work/ref.err" >&2; fail "uninterrupted analysed batch exited $rc"; }
check quiet-logs "$work/ref.err"
say "4 analysed sites, uninterrupted: $(elapsed_since "$started") s"
"${cron_env[@]}" "$binary" audit "${kill_args[@]}" --delay 0.1 --store "$work/s-kill" \
  --out "$work/o-kill" </dev/null >/dev/null 2>"$work/kill.err" &
pid=$!
background+=("$pid")
# Killed once `status` (which reads the store beside the audit) shows a crawl
# under way, so the kill lands in the middle of runs.
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null || fail "the batch ended before it could be killed: $(cat "$work/kill.err")"
  "$binary" status --store "$work/s-kill" >"$work/kill-live.status" 2>/dev/null || true
  grep -Eq "unfinished run .*: ([3-9]|[1-9][0-9]+) URLs seen" "$work/kill-live.status" && break
  sleep 0.1
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
say "kill -9 after $(elapsed_since "$started") s"
"$binary" status --store "$work/s-kill" >"$work/kill.status"
grep -Eq "unfinished run .*: [1-9][0-9]* URLs seen, .*([1-9][0-9]* queued|[1-9][0-9]* in flight)" \
  "$work/kill.status" || fail "kill -9 did not land in a crawl: $(cat "$work/kill.status")"
rc=0
cron audit "${kill_args[@]}" --delay 0.1 --store "$work/s-kill" --out "$work/o-kill" \
  >/dev/null 2>"$work/kill2.err" || rc=$?
[[ $rc == 0 ]] || { cat "$work/kill2.err" >&2; fail "the rerun after kill -9 exited $rc, want 0"; }
check quiet-logs "$work/kill2.err"
say "rerun after kill -9 done at $(elapsed_since "$started") s"
check same-results "$work/o-kill" "$work/o-ref" "$kill_sites"
# The stored runs agree image by image (URL, SHA-256, faces, GPS, pages).
while read -r url; do
  for store in s-kill s-ref; do
    "$binary" report --store "$work/$store" --site "$url" --format json --precise-locations \
      --out "$work/$store.report.json"
  done
  check same-report "$work/s-kill.report.json" "$work/s-ref.report.json"
done <"$kill_sites"
"$binary" status --store "$work/s-kill" >"$work/kill2.status"
check one-run-each "$work/kill2.status" "$kill_sites"
say "kill -9 and resume: $(elapsed_since "$started") s"

# --- 3b. SIGTERM while images are being analysed: exit within 5 s, every
#         image stored is whole (fetched and analysed, or not stored at all:
#         those are still in flight and fetched again), and the same command
#         then gives the uninterrupted results.
started=$(now)
"${cron_env[@]}" "$binary" audit "${kill_args[@]}" --delay 0.1 --store "$work/s-term-a" \
  --out "$work/o-term-a" </dev/null >/dev/null 2>"$work/term-a.err" &
pid=$!
background+=("$pid")
for _ in $(seq 100); do
  kill -0 "$pid" 2>/dev/null ||
    fail "the analysed batch ended before SIGTERM: $(cat "$work/term-a.err" "$work/term-a-live.status")"
  "$binary" status --store "$work/s-term-a" >"$work/term-a-live.status" 2>/dev/null || true
  # Images in flight (being fetched or analysed) and some already stored.
  grep -Eq "unfinished run .* [1-9][0-9]* in flight; .* [1-9][0-9]* images stored" \
    "$work/term-a-live.status" && break
  sleep 0.1
done
signalled=$(now)
kill -TERM "$pid"
wait_for "$pid" 5 "$signalled"
say "SIGTERM during analysis: exit $rc $took s after the signal"
[[ $rc == 1 ]] || { cat "$work/term-a.err" >&2; fail "SIGTERM'd analysed batch exited $rc, want 1"; }
stored=0
while read -r site run; do
  [[ -n $run ]] || continue
  "$binary" report --store "$work/s-term-a" --site "$site" --run "$run" --format json \
    --out "$work/term-a.report.json" || fail "no report of the stopped run $run of $site"
  stored=$((stored + $(check whole-records "$work/term-a.report.json")))
done < <($py -c 'import json, sys
for s in json.load(open(sys.argv[1]))["sites"]: print(s["site"], s["run"] if s["status"] == "stopped" else "")' \
  "$work/o-term-a/index.json")
say "stopped runs held $stored whole image records"
((stored > 0)) || fail "SIGTERM landed before any image was analysed: $(cat "$work/term-a-live.status")"
rc=0
cron audit "${kill_args[@]}" --delay 0.1 --store "$work/s-term-a" --out "$work/o-term-a" \
  >/dev/null 2>"$work/term-a2.err" || rc=$?
[[ $rc == 0 ]] || { cat "$work/term-a2.err" >&2; fail "the rerun after SIGTERM during analysis exited $rc"; }
check same-results "$work/o-term-a" "$work/o-ref" "$kill_sites"
"$binary" status --store "$work/s-term-a" >"$work/term-a2.status"
check one-run-each "$work/term-a2.status" "$kill_sites"
say "SIGTERM during analysis and resume: $(elapsed_since "$started") s"

# --- 4. --shard K/3 over the 50 sites: each site in exactly one shard --------
started=$(now)
for k in 1 2 3; do
  rc=0
  cron audit --sites-file "$clean_sites" --shard "$k/3" --store "$work/s-shard$k" --out "$work/o-shard$k" \
    --delay 0 "${common[@]}" --quiet >/dev/null 2>"$work/shard$k.err" || rc=$?
  [[ $rc == 0 ]] || { cat "$work/shard$k.err" >&2; fail "--shard $k/3 exited $rc"; }
  check quiet-logs "$work/shard$k.err"
done
check shards "$clean_sites" "$work/o-shard1" "$work/o-shard2" "$work/o-shard3"
# Merged, the shard stores hold what the single batch of part 1 holds: one
# finished run per site, and for a sample of sites the same pages and images.
"$binary" merge --into "$work/s-merged" "$work/s-shard1" "$work/s-shard2" "$work/s-shard3" ||
  fail "merge of the shard stores failed"
"$binary" status --store "$work/s-merged" >"$work/merged.status"
check one-run-each "$work/merged.status" "$clean_sites"
grep -v '^#' "$clean_sites" | grep . | head -5 | while read -r site; do
  "$binary" report --store "$work/s-merged" --site "$site" --format json --out "$work/merged.report.json"
  "$binary" report --store "$work/s-all" --site "$site" --format json --out "$work/all.report.json"
  check same-report "$work/merged.report.json" "$work/all.report.json"
done
say "shards: $(elapsed_since "$started") s"

# --- 5. --max-runtime: a clean stop with exit 0; the same command, run again
#        as cron would, carries the batch on until every site is done, each
#        site audited once (stopped runs resumed, finished sites not redone).
runtime=(audit --sites-file "$slow_sites" --store "$work/s-rt" --out "$work/o-rt" --delay 0.2
         --max-runtime 2s "${common[@]}" --quiet)
started=$(now)
rc=0
cron "${runtime[@]}" >/dev/null 2>"$work/rt.err" || rc=$?
took=$(elapsed_since "$started")
say "--max-runtime 2s: exit $rc after $took s"
[[ $rc == 0 ]] || { cat "$work/rt.err" >&2; fail "--max-runtime stop exited $rc, want 0"; }
$py -c 'import sys; sys.exit(float(sys.argv[1]) > 4.5)' "$took" || fail "--max-runtime 2s took $took s"
check stopped "$work/rt.err" "$work/o-rt" "$slow_sites" max_runtime "$work/rt.ids"
# 16 sites of ~2.6 s each, 8 at a time: about 6 s of work, three 2 s windows.
: >"$work/rt-all.err"
for attempt in $(seq 6); do
  rc=0
  cron "${runtime[@]}" >/dev/null 2>"$work/rt-again.err" || rc=$?
  cat "$work/rt-again.err" >>"$work/rt-all.err"
  [[ $rc == 0 ]] || { cat "$work/rt-again.err" >&2; fail "--max-runtime rerun $attempt exited $rc"; }
  $py -c 'import json, sys; sys.exit(any(s["status"] != "done" for s in json.load(open(sys.argv[1]))["sites"]))' \
    "$work/o-rt/index.json" && break
done
say "--max-runtime: $attempt more runs, $(elapsed_since "$started") s in all"
"$binary" status --store "$work/s-rt" >"$work/rt.status"
check max-runtime "$work/o-rt" "$slow_sites" "$work/rt.ids" "$work/rt-all.err" "$work/rt.status" "$attempt"

echo "e2e batch: all checks passed"

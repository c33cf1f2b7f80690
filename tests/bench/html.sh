#!/usr/bin/env bash
# html.sh - the HTML audit report at audit scale: a saved report of 10,000
# findings over 1,000 labelled targets (made from the golden report with
# jq) is rendered with `exposure report --html`, and headless Chromium
# loads it (--dump-dom waits for the load and the script). Prints the file
# size, exposure's time to write it, Chromium's time to render it and its
# time for an empty page (the browser's own start-up), all from one run.
# PASS: the file is under 10 MB and Chromium renders it in under 3 s
# beyond its own start-up (report minus empty page, same run).
# No network: the page is a local file; Chromium resolves no name.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
N=${N:-10000}
TARGETS=${TARGETS:-1000}
for t in jq chromium; do
	command -v $t >/dev/null || { echo "html.sh: $t is missing" >&2; exit 2; }
done
work=$(mktemp -d /tmp/expo-bench-html.XXXXXX)
trap 'rm -rf "$work"' EXIT

jq --argjson n "$N" --argjson nt "$TARGETS" '
  .findings[0] as $f | .targets[0] as $t
  | .targets = [range($nt) as $i | $t
      | .id = "aws:i-\($i)" | .name = "web-\($i)"
      | .labels = {team: "team-\($i % 7)", env: (if $i % 3 == 0 then "prod" else "dev" end)}]
  | .findings = [range($n) as $i | $f
      | .rank = $i + 1
      | .fingerprint = ("\($i)" + "0" * 32)[0:32]
      | .target.id = "aws:i-\($i % $nt)" | .target.name = "web-\($i % $nt)"
      | .port = 22 + ($i % 50)]
  | .summary.findings.critical = $n | .summary.findings.medium = 0
  | del(.baseline) | del(.warnings) | del(.shard) | del(.run_id)
' "$ROOT/tests/fixtures/gate/golden.json" >"$work/big.json"

chrome() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--user-data-dir="$work/profile-$1" --dump-dom "file://$2" 2>/dev/null
}
now() { date +%s.%N; }

t0=$(now)
"$EXPOSURE" report "$work/big.json" --html "$work/big.html" -q --fail-on none
t1=$(now)
bytes=$(stat -c %s "$work/big.html")
printf '<!DOCTYPE html><p>empty' >"$work/empty.html"
chrome warm "$work/empty.html" >/dev/null # first start fills caches
t2=$(now)
chrome empty "$work/empty.html" >/dev/null
t3=$(now)
chrome big "$work/big.html" >"$work/dom.html"
t4=$(now)
rows=$(grep -o 'role="row" data-sev=' "$work/dom.html" | wc -l)

write_s=$(echo "$t1 - $t0" | bc -l)
empty_s=$(echo "$t3 - $t2" | bc -l)
render_s=$(echo "$t4 - $t3" | bc -l)
printf 'findings            %d (%d targets)\n' "$N" "$TARGETS"
printf 'file size           %.2f MB\n' "$(echo "$bytes / 1000000" | bc -l)"
printf 'exposure writes it  %.2f s\n' "$write_s"
printf 'chromium, empty     %.2f s (browser start-up)\n' "$empty_s"
page_s=$(echo "$render_s - $empty_s" | bc -l)
printf 'chromium, report    %.2f s (rows rendered: %d)\n' "$render_s" "$rows"
printf 'rendering the page  %.2f s (report minus empty)\n' "$page_s"
ok=1
[ "$bytes" -lt 10000000 ] || { echo "FAIL: the file is over 10 MB"; ok=0; }
[ "$rows" -eq "$N" ] || { echo "FAIL: $rows rows rendered, $N expected"; ok=0; }
awk -v s="$page_s" 'BEGIN { exit !(s < 3.0) }' || { echo "FAIL: rendering took 3 s or more"; ok=0; }
[ $ok = 1 ] && echo "PASS: under 10 MB and rendered in under 3 s"
[ $ok = 1 ]

#!/usr/bin/env bash
# baseline.sh - the cost of calling findings fixed: a --baseline and a
# --history over a fleet where every finding of the earlier run is gone,
# before and after, in one run.
#
# build/bench/fleetd (tests/bench/fleetd.c) serves N instances on
# 127.112.0.0/12; exposure scans them once on issue 16's 20 ports (--json).
# The earlier run is that report with every fingerprint changed, so each of
# its findings is missing from the scan, and each must be proved fixed
# from the scan's records (its target scanned, its port open with its
# check run to the end). Per fleet size N, for each binary:
#   baseline  `exposure report SCAN --baseline EARLIER --json OUT`: wall,
#             peak RSS, and the fixed count, which must be every finding
#   writers   the same with every file writer on (--json --sarif
#             --defectdojo --junit --markdown --html): wall and peak RSS
#   history   a --history DIR with RUNS runs: EARLIER on RUNS-1 days,
#             then SCAN; `exposure history --history DIR`: wall, peak RSS
#             and the last run's fixed count, which must be every finding
#             too
# Target: both verdicts exact; the after binary's wall time linear in N
# (the largest row's s/target at most 1.5 x the smallest's), and its
# writers' and history's peak RSS at most 64 MB (issue 16's bound for an
# estate; history holds two runs at a time, whatever RUNS is). A before
# binary that runs past --limit-s is ended and reported as such.
#
# Traffic goes only to 127.112.0.0/12 on the host's loopback. Run as root
# (descriptor limits). Options:
#   --sizes "10000 40000"   fleet sizes, one row each
#   --before PATH           a binary from before (no verdict)
#   --limit-s S             wall limit of each command (600)
#   --runs K                runs in the history folder, 2 to 28 (6)
#   --keep                  keep the work directory
# EXPOSURE=path and FLEETD=path override the binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
FLEETD=${FLEETD:-$ROOT/build/bench/fleetd}
BASE=127.112.0.0
SIZES="10000 40000"
BEFORE=
LIMIT_S=600
RUNS=6
KEEP=0
PORTS20=22,6379,11211,2375,2376,10250,10255,6443,2379,27017,8888,9200,8500,8088,8265,4444,5432,3306,3389,445

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--sizes) SIZES=${2:?}; shift ;;
	--before) BEFORE=${2:?}; shift ;;
	--limit-s) LIMIT_S=${2:?}; shift ;;
	--runs) RUNS=${2:?}; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage ;;
	*) echo "baseline.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
case "$LIMIT_S$RUNS${SIZES// /}" in *[!0-9]*|"") echo "baseline.sh: numbers only" >&2; exit 2 ;; esac
[ "$LIMIT_S" -gt 0 ] || { echo "baseline.sh: --limit-s must be above 0" >&2; exit 2; }
RUNS=$((10#$RUNS))	# 08 is eight, not a bad octal number
[ "$RUNS" -ge 2 ] && [ "$RUNS" -le 28 ] || { echo "baseline.sh: --runs from 2 to 28" >&2; exit 2; }
# each report is its own run: a run id from outside would make the two
# history entries one run's shard saved twice
unset EXPOSURE_RUN_ID
MAX=0
for n in $SIZES; do
	[ "$n" -ge 200 ] && [ "$n" -le 1000000 ] ||
		{ echo "baseline.sh: sizes from 200 to 1000000" >&2; exit 2; }
	[ "$n" -gt "$MAX" ] && MAX=$n
done
if [ "$(id -u)" != 0 ]; then
	echo "baseline.sh: run as root (fleetd binds 2.5 sockets per instance)" >&2
	exit 2
fi
[ -x /usr/bin/time ] || { echo "baseline.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }
[ -x "$EXPOSURE" ] || { echo "baseline.sh: $EXPOSURE not found (make exposure)" >&2; exit 2; }
[ -x "$FLEETD" ] || { echo "baseline.sh: $FLEETD not found (make build/bench/fleetd)" >&2; exit 2; }
[ -z "$BEFORE" ] || [ -x "$BEFORE" ] || { echo "baseline.sh: --before $BEFORE is not an executable" >&2; exit 2; }

ME=baseline
# shellcheck source=tests/bench/fleet-lib.sh
. "$ROOT/tests/bench/fleet-lib.sh"
trap 'fleet_stop; work_done' EXIT
trap 'exit 130' INT TERM
fleet_start "$MAX"

# timed NAME CMD...: WALL (s, or "killed") and RSS (KB) of CMD, ended
# after LIMIT_S
timed() {
	local name=$1
	shift
	echo "  running $name ..." >&2
	/usr/bin/time -o "$WORK/$name.time" -f '%e %M' \
		timeout -s KILL "$LIMIT_S" "$@" >"$WORK/$name.log" 2>&1 || :
	read -r WALL RSS < <(tail -n 1 "$WORK/$name.time")
	grep -qE 'terminated by signal|status 137' "$WORK/$name.time" && WALL=killed
	return 0
}

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# fixed findings in a JSON report's baseline section
fixed_in() {
	[ -f "$1" ] || { echo 0; return; }
	awk '/"fixed":/ { on = 1 } on && /"fingerprint":/ { n++ } END { print n + 0 }' "$1"
}

ROWS=()
for n in $SIZES; do
	addrs 0 "$n" >"$WORK/list-$n"
	scan=$WORK/scan-$n.json
	echo "scanning $n instances ..." >&2
	"$EXPOSURE" scan "$WORK/list-$n" --ports "$PORTS20" --timeout 2000 -q \
		--json "$scan" >"$WORK/scan-$n.log" 2>&1 || :
	[ -s "$scan" ] || { echo "baseline.sh: the scan of $n wrote no report" >&2; tail -n 5 "$WORK/scan-$n.log" >&2; exit 1; }
	nf=$(grep -c '"fingerprint":' "$scan" || true)
	# every fingerprint's last hex digit changed to another: the same
	# findings, none of them in the scan; the run started earlier, so the
	# history lists it first
	earlier=$WORK/earlier-$n.json
	awk '{
		sub(/"started_at":[ \t]*"[^"]*"/, "\"started_at\":\t\"2000-01-01T00:00:00Z\"")
		if (match($0, /"fingerprint":[ \t]*"[0-9a-f]+"/)) {
			s = substr($0, RSTART, RLENGTH)
			c = substr(s, length(s) - 1, 1)
			d = c == "0" ? "1" : "0"
			$0 = substr($0, 1, RSTART + RLENGTH - 3) d substr($0, RSTART + RLENGTH - 1)
		}
		print
	}' "$scan" >"$earlier"
	for bin in after before; do
		exe=$EXPOSURE
		if [ "$bin" = before ]; then
			[ -n "$BEFORE" ] || continue
			exe=$BEFORE
		fi
		out=$WORK/$bin-$n-baseline.json
		timed "$bin-$n-baseline" "$exe" report "$scan" --baseline "$earlier" --json "$out" -q
		bw=$WALL brss=$RSS bfix=$(fixed_in "$out")
		w=$WORK/$bin-$n-w
		timed "$bin-$n-writers" "$exe" report "$scan" --baseline "$earlier" -q \
			--json "$w.json" --sarif "$w.sarif" --defectdojo "$w.dd.json" \
			--junit "$w.xml" --markdown "$w.md" --html "$w.html"
		ww=$WALL wrss=$RSS
		rm -f "$w".*
		hist=$WORK/$bin-$n-history
		mkdir -p "$hist"
		# the earlier findings on day 1 .. RUNS-1, then the scan
		for day in $(seq 1 $((RUNS - 1))); do
			sed "s/\"2000-01-01T00:00:00Z\"/\"2000-01-$(printf %02d "$day")T00:00:00Z\"/" \
				"$earlier" >"$WORK/day.json"
			"$exe" report "$WORK/day.json" --history "$hist" -q >/dev/null 2>&1 || :
		done
		rm -f "$WORK/day.json"
		"$exe" report "$scan" --history "$hist" -q >/dev/null 2>&1 || :
		timed "$bin-$n-history" "$exe" history --history "$hist"
		hw=$WALL hrss=$RSS
		hfix=$(awk 'NF >= 10 { last = $(NF - 1) } END { print last + 0 }' "$WORK/$bin-$n-history.log")
		ROWS+=("$n $bin $nf $bw $brss $bfix $hw $hrss $hfix $ww $wrss")
		if [ "$bin" = after ]; then
			verdict "$n: --baseline calls every finding fixed ($bfix of $nf)" \
				"$([ "$bfix" = "$nf" ] && echo 0 || echo 1)"
			verdict "$n: history calls every finding fixed ($hfix of $nf)" \
				"$([ "$hfix" = "$nf" ] && echo 0 || echo 1)"
			verdict "$n: every writer with the baseline in at most 64 MB ($(mb "$wrss") MB)" \
				"$([ "$ww" != killed ] && [ "$wrss" -le 65536 ] && echo 0 || echo 1)"
			verdict "$n: history of $RUNS runs in at most 64 MB ($(mb "$hrss") MB)" \
				"$([ "$hw" != killed ] && [ "$hrss" -le 65536 ] && echo 0 || echo 1)"
		fi
	done
done

echo
echo "a baseline, its writers and a history where every finding is fixed (fleet of 20 ports)"
printf '%-8s %-7s %9s | %10s %9s %8s | %10s %9s | %10s %9s %8s\n' \
	instances binary findings "baseline" "peak MB" fixed "writers" "peak MB" "history $RUNS" "peak MB" fixed
for row in "${ROWS[@]}"; do
	read -r n bin nf bw brss bfix hw hrss hfix ww wrss <<<"$row"
	printf '%-8s %-7s %9s | %9ss %9s %8s | %9ss %9s | %9ss %9s %8s\n' \
		"$n" "$bin" "$nf" "$bw" "$(mb "$brss")" "$bfix" "$ww" "$(mb "$wrss")" \
		"$hw" "$(mb "$hrss")" "$hfix"
done
# linear: s per instance of the after binary, largest row against smallest
lin=$(for row in "${ROWS[@]}"; do echo "$row"; done | awk '$2 == "after" && $4 != "killed" {
	r = $4 / $1; if (!seen++ || $1 < minn) { minn = $1; small = r } if ($1 >= maxn) { maxn = $1; large = r } }
	END { if (small > 0) printf "%.2f", large / small; else print "n/a" }')
verdict "--baseline wall time linear in the fleet (largest/smallest s per instance: $lin, at most 1.5)" \
	"$(awk -v l="$lin" 'BEGIN { print (l != "n/a" && l <= 1.5) ? 0 : 1 }')"
echo
for v in "${VERDICTS[@]}"; do echo "$v"; done
[ "$FAILS" = 0 ]

#!/usr/bin/env bash
# fleet.sh - exposure's checks against a fleet of live services, and nmap
# -sV with the matching scripts on a sample of it, in the same run.
#
# build/bench/fleetd (tests/bench/fleetd.c) binds every address of
# 127.112.0.1 .. 127.112.0.0 + MAX itself (never a wildcard), per instance i:
# SSH on 22 (a quarter weak, one in 200 silent), Redis on 6379 (a fifth
# without AUTH), the Docker API on 2375 for even i (a third of those open,
# the rest 403). For each fleet size N (one row each) exposure scans the
# first N instances from a plain list, with
#   20       today's 20 ports, named with --ports (the default set before
#            issues 13-15 grew it)
#   default  the default port set of the day (no --ports)
# and its findings are counted against what fleetd planted (exact: every
# rule's count must match), its checked services per second (open ports
# that a check probed / wall), peak RSS and RSS per instance. nmap -sV
# -Pn -n with ssh2-enum-algos, redis-info and docker-version scans the
# first SAMPLE instances on the same 20 ports; its wall time is scaled to
# N (x N / SAMPLE). Every row writes the JSON report (the findings are
# counted from it). Targets: >= 5,000 checked services/s, wall time linear
# in N (the largest row's s/instance at most 1.5 x the smallest's), exact
# findings, peak RSS at most 64 MB (issue 16's bound for the estate).
#
# Traffic goes only to 127.112.0.0/12 on the host's loopback. Run as root
# (descriptor limits: about 2.5 listeners per instance). Options:
#   --sizes "10000 20000 40000"   fleet sizes, one row each
#   --ports 20|default|both       which port sets (both)
#   --sample N                    nmap's sample (20: -sV waits out its
#                                 probes on Redis with AUTH, ~15 s an
#                                 instance); 0 skips nmap
#   --timeout MS                  exposure's --timeout (2000)
#   --repeat N                    runs of each row, the median shown and
#                                 judged, every run's findings checked
#                                 (3: one run of a 10k row varies by 15 %
#                                 on a shared 2-core machine)
#   --limit MB                    also run each row inside a memory
#                                 cgroup of MB (64; 0: not) where one can
#                                 be made (cgroup v1 or v2, as root): a CI
#                                 runner's memory limit; the verdict is
#                                 that the run completes, exact findings,
#                                 within 120 s (a thrashing run is ended)
#   --before PATH                 a binary from before, run inside the
#                                 same limit on the largest row (no
#                                 verdict: what it did is reported)
#   --keep                        keep the work directory
# EXPOSURE=path and FLEETD=path override the binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
FLEETD=${FLEETD:-$ROOT/build/bench/fleetd}
BASE=127.112.0.0
SIZES="10000 20000 40000"
PORTSETS=both
SAMPLE=20
TIMEOUT_MS=2000
REPEAT=3
LIMIT_MB=64
LIMIT_S=120
BEFORE=
KEEP=0
PORTS20=22,6379,11211,2375,2376,10250,10255,6443,2379,27017,8888,9200,8500,8088,8265,4444,5432,3306,3389,445

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--sizes) SIZES=${2:?}; shift ;;
	--ports) PORTSETS=${2:?}; shift ;;
	--sample) SAMPLE=${2:?}; shift ;;
	--timeout) TIMEOUT_MS=${2:?}; shift ;;
	--repeat) REPEAT=${2:?}; shift ;;
	--limit) LIMIT_MB=${2:?}; shift ;;
	--before) BEFORE=${2:?}; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage ;;
	*) echo "fleet.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
case $PORTSETS in 20) SETS="20" ;; default) SETS="default" ;; both) SETS="20 default" ;;
*) echo "fleet.sh: --ports takes 20, default or both" >&2; exit 2 ;; esac
case "$SAMPLE$TIMEOUT_MS$LIMIT_MB$REPEAT${SIZES// /}" in *[!0-9]*|"") echo "fleet.sh: numbers only" >&2; exit 2 ;; esac
REPEAT=$((10#$REPEAT))	# 08 is eight, not a bad octal number
[ "$REPEAT" -ge 1 ] || { echo "fleet.sh: --repeat must be at least 1" >&2; exit 2; }
MAX=0
for n in $SIZES; do
	[ "$n" -ge 200 ] && [ "$n" -le 1000000 ] ||
		{ echo "fleet.sh: sizes from 200 to 1000000" >&2; exit 2; }
	[ "$n" -gt "$MAX" ] && MAX=$n
done
[ "$SAMPLE" -le "$MAX" ] || { echo "fleet.sh: --sample above the fleet" >&2; exit 2; }

if [ "$(id -u)" != 0 ]; then
	echo "fleet.sh: run as root (fleetd binds 2.5 sockets per instance)" >&2
	exit 2
fi
for t in awk sort; do
	command -v "$t" >/dev/null || { echo "fleet.sh: $t is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "fleet.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }
[ "$SAMPLE" = 0 ] || command -v nmap >/dev/null ||
	{ echo "fleet.sh: nmap is missing (or --sample 0)" >&2; exit 2; }
[ -x "$EXPOSURE" ] || { echo "fleet.sh: $EXPOSURE not found (make exposure)" >&2; exit 2; }
[ -x "$FLEETD" ] || { echo "fleet.sh: $FLEETD not found (make build/bench/fleetd)" >&2; exit 2; }

ME=fleet
# shellcheck source=tests/bench/fleet-lib.sh
. "$ROOT/tests/bench/fleet-lib.sh"

CG=
cleanup() {
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
	fleet_stop
	work_done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# what fleetd planted in the first N instances (its header comment):
# "rule count" lines, sorted, and the silent SSH count
planted() {
	awk -v n="$1" 'BEGIN {
		for (i = 0; i < n; i++) {
			if (i % 200 != 199 && i % 4 == 0) weak++
			if (i % 5 == 0) redis++
			if (i % 6 == 0) docker++
		}
		split("ssh.terrapin ssh.vulnerable_version ssh.weak_cipher ssh.weak_hostkey ssh.weak_kex ssh.weak_mac", r, " ")
		for (k in r) print r[k], weak
		print "redis.no_auth", redis
		print "docker.api_no_auth", docker
	}' | sort
}
silent() { awk -v n="$1" 'BEGIN { print int((n + 1) / 200) }'; }
services() { awk -v n="$1" 'BEGIN { print n + n + int((n + 1) / 2) }'; }

fleet_start "$MAX"

# a memory cgroup of LIMIT_MB (v2: memory.max; v1: the memory controller's
# limit_in_bytes, swap included where the kernel counts it); CG stays
# empty where none can be made
cg_make() {
	local own
	[ "$LIMIT_MB" -gt 0 ] || return 0
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
		CG=/sys/fs/cgroup${own%/}/expo-fleet.$$
		mkdir "$CG" 2>/dev/null &&
			echo $((LIMIT_MB << 20)) >"$CG/memory.max" 2>/dev/null &&
			{ echo 0 >"$CG/memory.swap.max" 2>/dev/null || :; } && return 0
	elif [ -d /sys/fs/cgroup/memory ]; then
		own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
		CG=/sys/fs/cgroup/memory${own%/}/expo-fleet.$$
		mkdir "$CG" 2>/dev/null &&
			echo $((LIMIT_MB << 20)) >"$CG/memory.limit_in_bytes" 2>/dev/null &&
			{ echo $((LIMIT_MB << 20)) >"$CG/memory.memsw.limit_in_bytes" 2>/dev/null || :; } &&
			return 0
	fi
	rmdir "$CG" 2>/dev/null
	CG=
	echo "fleet.sh: no memory cgroup could be made: rows run without a limit only" >&2
}
cg_make

declare -A WALL RSS CPU ANON

# the largest RssAnon (KB) of PID's child while PID runs: anonymous
# memory, which no memory limit can take back (file-backed pages can be)
anon_peak() {
	local pid=$1 child= peak=0 v
	while kill -0 "$pid" 2>/dev/null; do
		[ -n "$child" ] || child=$(pgrep -P "$pid" | head -n 1)
		if [ -n "$child" ]; then
			v=$(awk '/^RssAnon:/ { print $2 }' "/proc/$child/status" 2>/dev/null)
			[ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v
		fi
		sleep 0.1
	done
	echo "$peak"
}

measure() {	# measure NAME CMD...: wall s, peak RSS and RssAnon KB; rc in RC
	local name=$1 tpid
	shift
	echo "  running $name ..." >&2
	RC=0
	/usr/bin/time -o "$WORK/$name.time" -f '%e %M %U %S' "$@" >"$WORK/$name.log" 2>&1 &
	tpid=$!
	ANON[$name]=$(anon_peak "$tpid")
	wait "$tpid" || RC=$?
	read -r WALL[$name] RSS[$name] u s < <(tail -n 1 "$WORK/$name.time")
	CPU[$name]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
}

# the rule counts of a JSON report, "rule count" lines, sorted
found() {
	[ -f "$1" ] || return 0
	tr -d ' \t\n' <"$1" 2>/dev/null | grep -o '"rule":"[^"]*"' |
		sed 's/.*"\([^"]*\)"$/\1/' | sort | uniq -c |
		awk '{ print $2, $1 }' | sort || true
}

# limited NAME CMD...: CMD inside the memory cgroup; LIM_RC, LIM_RSS, LIM_WALL
limited() {
	local name=$1
	shift
	echo "  running $name inside $LIMIT_MB MB ..." >&2
	LIM_RC=0
	# a run that thrashes (anonymous memory near the limit, the page
	# cache squeezed) is ended after LIMIT_S, and counts as killed
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$CG" \
		/usr/bin/time -o "$WORK/$name.time" -f '%e %M %x' \
		timeout -s KILL "$LIMIT_S" "$@" >"$WORK/$name.log" 2>&1 || LIM_RC=$?
	read -r LIM_WALL LIM_RSS _ < <(tail -n 1 "$WORK/$name.time")
	grep -qE 'terminated by signal|status 137' "$WORK/$name.time" && LIM_RC=killed
	return 0
}

ROWS=()
RANGES=()
LIMROWS=()
for n in $SIZES; do
	addrs 0 "$n" >"$WORK/fleet-$n.list"
	planted "$n" >"$WORK/planted-$n.txt"
	for set in $SETS; do
		name=expo-$n-$set
		opts=(--timeout "$TIMEOUT_MS" -q --ports-out "$WORK/$name.tsv")
		[ "$set" = 20 ] && opts+=(--ports "$PORTS20")
		# the findings are counted from the JSON report, the source of
		# truth: every row writes it, so peak RSS includes its writer
		opts+=(--json "$WORK/$name.json")
		NSVC=$(services "$n")
		NSIL=$(silent "$n")
		# REPEAT runs, the median's figures shown; every run's findings
		# must be exact: the largest difference and a run's open and
		# timed-out counts that differ are the ones reported
		: >"$WORK/$name.reps"
		BAD=0 DIFF=0 NOPEN=$NSVC NTO=$NSIL
		for rep in $(seq "$REPEAT"); do
			# a run that writes nothing is not judged on the last one's
			rm -f "$WORK/$name.json" "$WORK/$name.tsv"
			measure "$name" "$EXPOSURE" scan "$WORK/fleet-$n.list" "${opts[@]}"
			if [ "$RC" -ge 2 ]; then
				echo "fleet.sh: $name exited $RC" >&2
				tail -n 5 "$WORK/$name.log" >&2
				BAD=1
			fi
			# one line, no layout whitespace: the same patterns for
			# a pretty-printed and a compact report
			tr -d ' \t\n' <"$WORK/$name.json" >"$WORK/$name.flat" 2>/dev/null || :
			found "$WORK/$name.json" >"$WORK/$name.found"
			d=$(diff "$WORK/planted-$n.txt" "$WORK/$name.found" | grep -c '^[<>]' || true)
			o=$(awk -F'\t' '$3 == "open"' "$WORK/$name.tsv" 2>/dev/null | wc -l || true)
			t=$(grep -o '"check":"ssh","status":"timeout"' "$WORK/$name.flat" | wc -l || true)
			rm -f "$WORK/$name.flat"
			[ "$d" -gt "$DIFF" ] && DIFF=$d
			[ "$o" != "$NSVC" ] && NOPEN=$o
			[ "$t" != "$NSIL" ] && NTO=$t
			echo "${WALL[$name]} ${RSS[$name]} ${CPU[$name]} ${ANON[$name]}" >>"$WORK/$name.reps"
		done
		read -r wall rss cpu anon < <(sort -n "$WORK/$name.reps" | sed -n "$(((REPEAT + 1) / 2))p")
		RANGES+=("$n x $set ports: $(sort -n "$WORK/$name.reps" | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 } END { print " s" }')")
		ROWS+=("$n $set $wall $rss $NSVC $cpu $DIFF $NTO $NSIL $anon")
		verdict "$n x $set ports: exact findings in $REPEAT runs ($DIFF rule counts differ from the plant at most)" \
			"$([ "$BAD" = 0 ] && [ "$DIFF" = 0 ] && echo 0 || echo 1)"
		verdict "$n x $set ports: every service found open ($NOPEN of $NSVC), $NTO of $NSIL silent ones timed out" \
			"$([ "$NOPEN" = "$NSVC" ] && [ "$NTO" = "$NSIL" ] && echo 0 || echo 1)"
		if [ -n "$CG" ]; then
			lim_opts=("${opts[@]}")
			lim_opts[$((${#lim_opts[@]} - 1))]=$WORK/$name-lim.json
			rm -f "$WORK/$name-lim.json"
			limited "$name-lim" "$EXPOSURE" scan "$WORK/fleet-$n.list" "${lim_opts[@]}"
			LDIFF=$(found "$WORK/$name-lim.json" | diff "$WORK/planted-$n.txt" - | grep -c '^[<>]' || true)
			LIMROWS+=("$n $set $LIM_WALL $LIM_RSS $LIM_RC $LDIFF")
			verdict "$n x $set ports: inside a $LIMIT_MB MB memory limit: completes with exact findings (exit $LIM_RC, $LDIFF rule counts differ, ${LIM_WALL} s)" \
				"$([ "$LIM_RC" != killed ] && [ "$LIM_RC" -lt 2 ] && [ "$LDIFF" = 0 ] && echo 0 || echo 1)"
		fi
	done
done
BEFORE_ROW=
if [ -n "$CG" ] && [ -n "$BEFORE" ]; then
	n=$MAX
	set=${SETS%% *}
	bopts=(--timeout "$TIMEOUT_MS" -q --json "$WORK/before.json")
	[ "$set" = 20 ] && bopts+=(--ports "$PORTS20")
	rm -f "$WORK/before.json"
	limited before "$BEFORE" scan "$WORK/fleet-$n.list" "${bopts[@]}"
	BDIFF=$(found "$WORK/before.json" | diff "$WORK/planted-$n.txt" - | grep -c '^[<>]' || true)
	BEFORE_ROW="before ($BEFORE) inside $LIMIT_MB MB, $n x $set ports: exit $LIM_RC, ${LIM_WALL} s, $BDIFF rule counts differ from the plant"
fi

NMAP_ROW=
if [ "$SAMPLE" -gt 0 ]; then
	addrs 0 "$SAMPLE" >"$WORK/sample.list"
	measure nmap nmap -sV -Pn -n -p "$PORTS20" \
		--script ssh2-enum-algos,redis-info,docker-version \
		-iL "$WORK/sample.list" -oX "$WORK/nmap.xml"
	N_OPEN=$(grep -c 'state="open"' "$WORK/nmap.xml" || true)
	N_REDIS=$(grep -c 'id="redis-info" output="[^"]*Version' "$WORK/nmap.xml" || true)
	N_DOCKER=$(grep -c 'id="docker-version"' "$WORK/nmap.xml" || true)
	N_SSH=$(grep -c 'id="ssh2-enum-algos"' "$WORK/nmap.xml" || true)
	NMAP_ROW="nmap -sV + ssh2-enum-algos,redis-info,docker-version on $SAMPLE instances: ${WALL[nmap]} s, ${RSS[nmap]} KB; $N_OPEN open ports, algorithm lists of $N_SSH SSH servers, INFO of $N_REDIS Redis, $N_DOCKER Docker versions; no verdict"
fi
fleetd_stats=
fleet_stop
fleetd_stats=$(tail -n 1 "$WORK/fleetd.err")

echo
# CPU s is exposure's user + system time: with other work on the cores,
# services per CPU second says what the wall time cannot
printf '%-7s %-7s %8s %7s %9s %9s %12s %11s %9s %10s %12s\n' size ports "wall s" "CPU s" services "svc/s" "svc/CPU-s" "peak RSS MB" "anon MB" "KB/inst" "nmap scaled"
for r in "${ROWS[@]}"; do
	read -r n set wall rss nsvc cpu _ _ _ anon <<<"$r"
	nm=-
	[ -n "$NMAP_ROW" ] && nm=$(awk -v w="${WALL[nmap]}" -v n="$n" -v s="$SAMPLE" 'BEGIN { printf "%.0f s", w * n / s }')
	printf '%-7s %-7s %8s %7s %9s %9.0f %12.0f %11.1f %9.1f %10.2f %12s\n' "$n" "$set" "$wall" "$cpu" "$nsvc" \
		"$(awk -v a="$nsvc" -v b="$wall" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		"$(awk -v a="$nsvc" -v b="$cpu" 'BEGIN { print (b > 0 ? a / b : 0) }')" \
		"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="$anon" 'BEGIN { print k / 1024 }')" \
		"$(awk -v k="$rss" -v n="$n" 'BEGIN { print k / n }')" "$nm"
done
echo "wall of each row's $REPEAT runs (the median is shown above):"
printf '  %s\n' "${RANGES[@]}"
for r in "${LIMROWS[@]}"; do
	read -r n set wall rss rc diff <<<"$r"
	echo "inside $LIMIT_MB MB: $n x $set ports: ${wall} s, peak RSS $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') MB (shared libraries charged elsewhere count here), exit $rc, $diff rule counts differ"
done
[ -n "$BEFORE_ROW" ] && echo "$BEFORE_ROW"
[ -n "$NMAP_ROW" ] && echo "$NMAP_ROW"
echo "fleetd: $fleetd_stats; listening after $BIND_S s"
echo

# rates, linearity and memory per port set
for set in $SETS; do
	first= last=
	for r in "${ROWS[@]}"; do
		read -r n s wall rss nsvc _ _ _ _ <<<"$r"
		[ "$s" = "$set" ] || continue
		verdict "$n x $set ports: >= 5000 checked services/s" \
			"$(awk -v a="$nsvc" -v b="$wall" 'BEGIN { exit !(b > 0 && a / b >= 5000) }' && echo 0 || echo 1)"
		[ -z "$first" ] && first="$n $wall $rss"
		last="$n $wall $rss"
	done
	read -r n1 w1 r1 <<<"$first"
	read -r n2 w2 r2 <<<"$last"
	if [ "$n1" != "$n2" ]; then
		verdict "$set ports: wall linear (s per instance at $n2 / at $n1 = $(awk -v a="$w1" -v b="$w2" -v n="$n1" -v m="$n2" 'BEGIN { printf "%.2f", (b / m) / (a / n) }') <= 1.5)" \
			"$(awk -v a="$w1" -v b="$w2" -v n="$n1" -v m="$n2" 'BEGIN { exit !((b / m) <= 1.5 * (a / n)) }' && echo 0 || echo 1)"
	fi
	verdict "$set ports: peak RSS at $n2 instances <= 64 MB ($(awk -v k="$r2" 'BEGIN { printf "%.1f", k / 1024 }') MB)" \
		"$(awk -v k="$r2" 'BEGIN { exit !(k <= 65536) }' && echo 0 || echo 1)"
done
case $fleetd_stats in
*"dropped 0 "*) verdict "fleetd dropped no connection ($fleetd_stats)" 0 ;;
*) verdict "fleetd dropped no connection ($fleetd_stats)" 1 ;;
esac
printf '%s\n' "${VERDICTS[@]}"
[ "$FAILS" = 0 ]

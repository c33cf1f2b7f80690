# fleet-lib.sh - what fleet.sh and baseline.sh share, sourced: fleetd's
# addresses, starting and stopping it, the work directory and the verdict
# lines. The caller sets ME (its name), FLEETD, BASE and KEEP first.

# fleetd raises its own limit; exposure gets room for its --concurrency
ulimit -Hn 1048576 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"

WORK=$(mktemp -d "/tmp/expo-$ME.XXXXXX")
FPID=
BIND_S=

fleet_stop() {
	if [ -n "$FPID" ]; then
		kill "$FPID" 2>/dev/null || true
		wait "$FPID" 2>/dev/null || true
		FPID=
	fi
}

work_done() {
	if [ "$KEEP" = 1 ]; then
		echo "work files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}

# instance i -> 127.112.0.0 + 1 + i
addrs() {	# addrs FIRST COUNT
	awk -v f="$1" -v n="$2" 'BEGIN {
		for (i = f; i < f + n; i++) {
			a = 1 + i
			printf "127.%d.%d.%d\n", 112 + int(a / 65536), int(a / 256) % 256, a % 256
		}
	}'
}

# fleet_start MAX: fleetd serving instances 0 .. MAX-1, listening (BIND_S:
# the seconds that took)
fleet_start() {
	local t0
	echo "starting fleetd with $1 instances ..." >&2
	t0=$(date +%s.%N)
	"$FLEETD" "$BASE" "$1" --lifetime 3600 >"$WORK/fleetd.out" 2>"$WORK/fleetd.err" &
	FPID=$!
	for _ in $(seq 600); do
		grep -q '^ready' "$WORK/fleetd.out" && break
		kill -0 "$FPID" 2>/dev/null || break
		sleep 0.5
	done
	grep -q '^ready' "$WORK/fleetd.out" || {
		echo "$ME.sh: fleetd did not start:" >&2; cat "$WORK/fleetd.err" >&2; exit 1; }
	BIND_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "fleetd: $(cat "$WORK/fleetd.out") (listening after ${BIND_S} s)" >&2
}

FAILS=0
VERDICTS=()
verdict() {	# verdict TEXT 0|1
	local v=PASS
	[ "$2" = 0 ] || { v=FAIL; FAILS=$((FAILS + 1)); }
	VERDICTS+=("$(printf '%-4s %s' "$v" "$1")")
}

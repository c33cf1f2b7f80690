# tests/bench/classic-lib.sh - what the classic family's part benchmarks
# (classic-*.sh) share, sourced after `set -euo pipefail`: the checks
# before a run, a work directory, the lab (reused or started), measure and
# the closing verdict. Defines ME, ROOT, EXPOSURE, WORK, LAB.
ME=$(basename "$0")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
# measure's NAMEs whose exit code 2 and above is the tool's own report of
# what it found (hydra), not a failure of the run
MEASURE_MAY_FAIL=${MEASURE_MAY_FAIL:-}

classic_cleanup() {
	[ -n "$OWN_LAB" ] && "$ROOT/tests/lab/lab.sh" stop "$OWN_LAB" >/dev/null 2>&1 || true
	# KEEP=1 keeps the tools' outputs to read
	if [ -n "${KEEP:-}" ]; then echo "$ME: kept $WORK" >&2; else rm -rf "$WORK"; fi
}

# classic_setup TAG "PLUGIN ..." "EXPO_LAB_X=1 ..." TOOL ...: as root, with
# every tool, a work directory /tmp/expo-bench-TAG.*, and a lab: the one in
# EXPO_LAB_DIR when its lab.env has every flag, else our own with those
# plugins, stopped on exit
classic_setup() {
	local tag=$1 plugins=$2 need=$3 t k have=1
	shift 3
	[ "$(id -u)" = 0 ] || { echo "$ME: run as root (the lab)" >&2; exit 2; }
	for t in "$@"; do
		command -v "$t" >/dev/null || { echo "$ME: $t is missing" >&2; exit 2; }
	done
	[ -x /usr/bin/time ] || { echo "$ME: /usr/bin/time is missing (package time)" >&2; exit 2; }
	[ -x "$EXPOSURE" ] || { echo "$ME: $EXPOSURE missing (make exposure)" >&2; exit 2; }

	WORK=$(mktemp -d "/tmp/expo-bench-$tag.XXXXXX")
	# the lab's daemons that drop to their own users (RabbitMQ, Tomcat,
	# mosquitto, ZooKeeper) read their files under it
	chmod 755 "$WORK"
	OWN_LAB=""
	trap classic_cleanup EXIT
	trap 'exit 130' INT TERM

	LAB=${EXPO_LAB_DIR:-}
	[ -n "$LAB" ] || have=0
	for k in $need; do
		[ "$have" = 1 ] && ! grep -qx "$k" "$LAB/lab.env" 2>/dev/null && have=0
	done
	if [ "$have" = 0 ]; then
		OWN_LAB=$WORK/lab
		LAB=$OWN_LAB
		echo "$ME: starting a lab ($plugins) in $LAB" >&2
		LAB_ONLY="$plugins" "$ROOT/tests/lab/lab.sh" start "$LAB" >&2 ||
			{ echo "$ME: the lab did not start" >&2; exit 2; }
	fi
}

envv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }

measure() {	# measure NAME CMD...: wall seconds of CMD
	local name=$1 rc=0
	shift
	echo "  running $name ..." >&2
	/usr/bin/time -o "$WORK/$name.time" -f '%e' "$@" >"$WORK/$name.log" 2>&1 || rc=$?
	if [ "$rc" -ge 2 ]; then
		case " $MEASURE_MAY_FAIL " in
		*" $name "*) ;;
		*)
			echo "$ME: $name exited $rc" >&2
			tail -n 5 "$WORK/$name.log" >&2
			exit 1
			;;
		esac
	fi
	tail -n 1 "$WORK/$name.time"
}

# classic_verdict EXPO_S PEERS_S OK PASS_TEXT FAIL_TEXT: the line classic.sh
# adds the family up from, the ratio, and the two verdicts (findings: OK is
# 0 when every finding check of the part held); exits 0 or 1
classic_verdict() {
	local expo=$1 peers=$2 ok=$3 ratio fail=0
	ratio=$(awk -v a="$expo" -v b="$peers" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 99) }')
	echo "classic-part exposure=$expo peers=$peers missed=$MISS unexpected=$FALSE"
	echo "ratio exposure/(nmap + hydra): $ratio (target <= 0.200)"
	if [ "$ok" = 0 ]; then
		echo "PASS findings: $4"
	else
		echo "FAIL findings: $5"
		fail=1
	fi
	if awk -v r="$ratio" 'BEGIN { exit !(r <= 0.2) }'; then
		echo "PASS wall time: exposure <= 1/5 of nmap + hydra"
	else
		echo "FAIL wall time: exposure > 1/5 of nmap + hydra"
		fail=1
	fi
	exit $fail
}

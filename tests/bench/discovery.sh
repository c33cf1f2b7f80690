#!/usr/bin/env bash
# discovery.sh - exposure's port discovery against nmap's connect scan.
#
# Same addresses, same ports (22,445,3389,5432), same timeout; wall time
# and peak RSS from /usr/bin/time, and every (address, port) must be
# classified the same by both tools.
#   (a) 127.1.0.0/16 x 4 ports, all closed, vs nmap -sT -Pn -n
#       target: exposure wall <= 0.25 x nmap (issue 16: both cores),
#       peak RSS <= nmap
#   (b) 127.2.0.0/22 x 4 ports inside a network namespace whose nftables
#       drop the SYNs (filtered, as a cloud firewall does), vs nmap -T4 and
#       nmap tuned to the same timeout with no retries (-T5 --max-retries 0
#       --min-rate 5000, and min = initial = max RTT timeout = the timeout,
#       so that nmap, too, waits exactly that long for each answer)
#       target: exposure wall <= 0.01 x nmap -T4 and <= tuned nmap
#   (c) 127.3.0.0/24 x 4 ports in the namespace: hostile silent listeners
#       (open), drop rules (filtered), the rest closed
#       target: identical classifications (and the expected counts)
#
# Traffic goes only to 127.0.0.0/8: (a) on the host's loopback, (b) and (c)
# on the loopback of a namespace this script creates and deletes on exit.
# Run as root. Options: --quick (skip nmap -T4, ~7 min in (b)),
# --timeout MS (1000), --concurrency N (4096), --keep (keep the work dir).
# EXPOSURE=path and HOSTILE=path override the binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
HOSTILE=${HOSTILE:-$ROOT/build/lab/hostile}
PORTS=22,445,3389,5432
TIMEOUT_MS=1000
CONC=4096
QUICK=0
KEEP=0

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--keep) KEEP=1 ;;
	--timeout) TIMEOUT_MS=${2:?}; shift ;;
	--concurrency) CONC=${2:?}; shift ;;
	-h|--help) usage ;;
	*) echo "discovery.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
case $TIMEOUT_MS$CONC in *[!0-9]*) echo "discovery.sh: numbers only" >&2; exit 2 ;; esac

if [ "$(id -u)" != 0 ]; then
	echo "discovery.sh: run as root (network namespaces, nftables)" >&2
	exit 2
fi
for t in nmap nft ip awk sort; do
	command -v "$t" >/dev/null || { echo "discovery.sh: $t is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "discovery.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/expo-bench.XXXXXX)
NS=expo-bench-$$
NS_MADE=0
HPIDS=()

cleanup() {
	local p
	for p in "${HPIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${HPIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	[ "$NS_MADE" = 1 ] && ip netns del "$NS" 2>/dev/null || true
	if [ "$KEEP" = 1 ]; then
		echo "work files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ ! -x "$HOSTILE" ]; then
	HOSTILE=$WORK/hostile
	cc -std=c11 -O2 -o "$HOSTILE" "$ROOT/tests/lab/hostile.c"
fi
HAVE_EXPO=1
if [ ! -x "$EXPOSURE" ]; then
	echo "discovery.sh: $EXPOSURE not found (make exposure); its rows will FAIL" >&2
	HAVE_EXPO=0
fi

declare -A WALL RSS OK
FAILS=0

# measure NAME NETNS|- CMD...: wall seconds and peak RSS (KB) of CMD
measure() {
	local name=$1 ns=$2 rc=0
	shift 2
	echo "  running $name ..." >&2
	if [ "$ns" = - ]; then
		/usr/bin/time -o "$WORK/$name.time" -f '%e %M' "$@" \
			>"$WORK/$name.log" 2>&1 || rc=$?
	else
		ip netns exec "$ns" /usr/bin/time -o "$WORK/$name.time" -f '%e %M' "$@" \
			>"$WORK/$name.log" 2>&1 || rc=$?
	fi
	read -r WALL[$name] RSS[$name] < <(tail -n 1 "$WORK/$name.time")
	OK[$name]=1
	# exposure exits 1 when its gate fails; only >= 2 is "did not run"
	if [ "$rc" -ge 2 ] || { [ "$rc" = 1 ] && [[ $name != expo* ]]; }; then
		echo "discovery.sh: $name exited $rc; see below" >&2
		tail -n 5 "$WORK/$name.log" >&2
		OK[$name]=0
	fi
}

nmap_run() {	# nmap_run NAME NETNS LIST EXTRA-OPTIONS...
	local name=$1 ns=$2 list=$3
	shift 3
	measure "$name" "$ns" nmap -sT -Pn -n -p "$PORTS" "$@" -iL "$list" \
		-oG "$WORK/$name.gnmap"
	# "Host: A ()\tPorts: 22/closed/tcp//ssh///, ..." -> A TAB port TAB state
	awk -F'\t' '/\tPorts: / {
		split($1, h, " "); sub(/^Ports: /, "", $2)
		n = split($2, p, ", ")
		for (i = 1; i <= n; i++) { split(p[i], f, "/"); print h[2] "\t" f[1] "\t" f[2] }
	}' "$WORK/$name.gnmap" | sort >"$WORK/$name.tsv"
}

expo_run() {	# expo_run NAME NETNS LIST
	local name=$1 ns=$2 list=$3
	if [ "$HAVE_EXPO" = 0 ]; then
		WALL[$name]=nan RSS[$name]=nan OK[$name]=0
		: >"$WORK/$name.tsv"
		return
	fi
	measure "$name" "$ns" "$EXPOSURE" scan "$list" --discover-only \
		--ports "$PORTS" --timeout "$TIMEOUT_MS" --concurrency "$CONC" \
		--ports-out "$WORK/$name.out" -q
	cut -f1-3 "$WORK/$name.out" 2>/dev/null | sort >"$WORK/$name.tsv" || true
}

# mismatches A.tsv B.tsv: pairs classified differently or missing on a side
mismatches() {
	awk -F'\t' 'NR == FNR { s[$1 "\t" $2] = $3; next }
		{ k = $1 "\t" $2; if (!(k in s)) miss++; else if (s[k] != $3) diff++; delete s[k] }
		END { for (k in s) miss++; print diff + miss }' "$1" "$2"
}

counts() {	# "closed N filtered N open N", sorted by status
	awk -F'\t' '{ c[$3]++ } END { for (s in c) print s, c[s] }' "$1" |
		sort | paste -sd' ' -
}

# expected count of pairs, to catch two tools that agree on a short list
expect_pairs() { awk -v n="$1" 'END { exit !(NR == n) }' "$2"; }

le() { awk -v a="$1" -v b="$2" -v f="${3:-1}" 'BEGIN { exit !(a != "nan" && b != "nan" && a + 0 <= f * b) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "-"; else printf "%.3f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "nan") print "-"; else printf "%.1f", k / 1024 }'; }

VERDICTS=()
verdict() {	# verdict TEXT CONDITION-RESULT(0/1/skip)
	local v=PASS
	case $2 in 1) v=FAIL; FAILS=$((FAILS + 1)) ;; skip) v=SKIP ;; esac
	VERDICTS+=("$(printf '%-4s %s' "$v" "$1")")
}
check() { if "$@"; then echo 0; else echo 1; fi; }

ns_nft() { ip netns exec "$NS" nft "$1"; }

# ---- (a) 65,536 closed loopback addresses, host namespace ----------------
echo "(a) 127.1.0.0/16 x $PORTS, all closed" >&2
echo 127.1.0.0/16 >"$WORK/a.list"
nmap_run a-nmap - "$WORK/a.list"
expo_run expo-a - "$WORK/a.list"
MA=$(mismatches "$WORK/a-nmap.tsv" "$WORK/expo-a.tsv")

# ---- (b) 1,024 filtered addresses in a namespace -------------------------
echo "(b) 127.2.0.0/22 x $PORTS, filtered by nftables in netns $NS" >&2
ip netns add "$NS"
NS_MADE=1
ip -n "$NS" link set lo up
ns_nft "add table inet expo_bench"
ns_nft "add chain inet expo_bench in { type filter hook input priority 0; policy accept; }"
ns_nft "add rule inet expo_bench in ip daddr 127.2.0.0/22 tcp dport { $PORTS } drop"
echo 127.2.0.0/22 >"$WORK/b.list"
NMAP_TUNED=(-T5 --max-retries 0 --min-rate 5000 --min-rtt-timeout "${TIMEOUT_MS}ms"
	--initial-rtt-timeout "${TIMEOUT_MS}ms" --max-rtt-timeout "${TIMEOUT_MS}ms")
if [ "$QUICK" = 0 ]; then
	nmap_run b-nmap-T4 "$NS" "$WORK/b.list" -T4
fi
nmap_run b-nmap-tuned "$NS" "$WORK/b.list" "${NMAP_TUNED[@]}"
expo_run expo-b "$NS" "$WORK/b.list"
MB_T=$(mismatches "$WORK/b-nmap-tuned.tsv" "$WORK/expo-b.tsv")
MB_4=-
[ "$QUICK" = 0 ] && MB_4=$(mismatches "$WORK/b-nmap-T4.tsv" "$WORK/expo-b.tsv")

# ---- (c) open, closed and filtered together ------------------------------
echo "(c) 127.3.0.0/24 x $PORTS: silent listeners, drops, closed" >&2
ns_nft "flush chain inet expo_bench in"
# whole hosts dropped, and 3389 dropped on a further 64 hosts
ns_nft "add rule inet expo_bench in ip daddr 127.3.0.64/27 tcp dport { $PORTS } drop"
ns_nft "add rule inet expo_bench in ip daddr 127.3.0.128/26 tcp dport 3389 drop"
LISTEN=(127.3.0.10:22 127.3.0.10:5432 127.3.0.11:445 127.3.0.12:3389
	127.3.0.200:22 127.3.0.201:445 127.3.0.250:5432)
for l in "${LISTEN[@]}"; do
	ip netns exec "$NS" "$HOSTILE" silent "${l%:*}" "${l#*:}" --lifetime 1800 \
		>"$WORK/hostile-$l.out" 2>&1 &
	HPIDS+=($!)
done
for l in "${LISTEN[@]}"; do
	for _ in $(seq 50); do
		grep -q '^ready$' "$WORK/hostile-$l.out" && break
		sleep 0.1
	done
	grep -q '^ready$' "$WORK/hostile-$l.out" || {
		echo "discovery.sh: hostile on $l did not start" >&2; exit 1; }
done
echo 127.3.0.0/24 >"$WORK/c.list"
if [ "$QUICK" = 0 ]; then
	nmap_run c-nmap-T4 "$NS" "$WORK/c.list" -T4
fi
nmap_run c-nmap-tuned "$NS" "$WORK/c.list" "${NMAP_TUNED[@]}"
expo_run expo-c "$NS" "$WORK/c.list"
MC_T=$(mismatches "$WORK/c-nmap-tuned.tsv" "$WORK/expo-c.tsv")
MC_4=-
[ "$QUICK" = 0 ] && MC_4=$(mismatches "$WORK/c-nmap-T4.tsv" "$WORK/expo-c.tsv")
# expected: 7 open; 32 hosts x 4 + 64 hosts x 1 filtered; the rest closed
C_EXPECT="closed 825 filtered 192 open 7"
C_GOT=$(counts "$WORK/expo-c.tsv")

# ---- report ---------------------------------------------------------------
row() {	# row SCENARIO TOOL NAME [REF]
	local r=-
	[ -n "${4:-}" ] && r=$(ratio "${WALL[$3]:-nan}" "${WALL[$4]:-nan}")
	printf '%-4s %-22s %9s %12s %14s\n' "$1" "$2" "${WALL[$3]:-nan}" \
		"$(mb "${RSS[$3]:-nan}")" "$r"
}
echo
printf '%-4s %-22s %9s %12s %14s\n' scen tool "wall s" "peak RSS MB" "expo/nmap wall"
row a "nmap -sT" a-nmap
row a exposure expo-a a-nmap
if [ "$QUICK" = 0 ]; then
	row b "nmap -sT -T4" b-nmap-T4
	row b exposure expo-b b-nmap-T4
fi
row b "nmap -sT tuned" b-nmap-tuned
row b exposure expo-b b-nmap-tuned
[ "$QUICK" = 0 ] && row c "nmap -sT -T4" c-nmap-T4
row c "nmap -sT tuned" c-nmap-tuned
row c exposure expo-c c-nmap-tuned
echo
echo "classifications: (a) nmap: $(counts "$WORK/a-nmap.tsv") | exposure: $(counts "$WORK/expo-a.tsv")"
echo "                 (b) tuned nmap: $(counts "$WORK/b-nmap-tuned.tsv") | exposure: $(counts "$WORK/expo-b.tsv")"
echo "                 (c) tuned nmap: $(counts "$WORK/c-nmap-tuned.tsv") | exposure: $(counts "$WORK/expo-c.tsv")"
echo "mismatches: (a) $MA   (b) vs tuned $MB_T, vs -T4 $MB_4   (c) vs tuned $MC_T, vs -T4 $MC_4"
echo

E=${OK[expo-a]:-0}${OK[expo-b]:-0}${OK[expo-c]:-0}
verdict "(a) exposure ran and listed all 262144 pairs" \
	"$(check eval '[ "$E" = 111 ] && expect_pairs 262144 "$WORK/expo-a.tsv"')"
verdict "(a) wall <= 0.25 x nmap ($(ratio "${WALL[expo-a]}" "${WALL[a-nmap]}"))" \
	"$(check le "${WALL[expo-a]}" "${WALL[a-nmap]}" 0.25)"
verdict "(a) peak RSS <= nmap" "$(check le "${RSS[expo-a]}" "${RSS[a-nmap]}")"
verdict "(a) identical classifications ($MA mismatches)" \
	"$(check eval '[ "$MA" = 0 ] && expect_pairs 262144 "$WORK/a-nmap.tsv"')"
if [ "$QUICK" = 0 ]; then
	verdict "(b) wall <= 0.01 x nmap -T4 ($(ratio "${WALL[expo-b]}" "${WALL[b-nmap-T4]}"))" \
		"$(check le "${WALL[expo-b]}" "${WALL[b-nmap-T4]}" 0.01)"
	verdict "(b) identical classifications to nmap -T4 ($MB_4 mismatches)" \
		"$(check eval '[ "$MB_4" = 0 ]')"
else
	verdict "(b) wall <= 0.01 x nmap -T4 (--quick: not run)" skip
fi
verdict "(b) wall <= tuned nmap ($(ratio "${WALL[expo-b]}" "${WALL[b-nmap-tuned]}"))" \
	"$(check le "${WALL[expo-b]}" "${WALL[b-nmap-tuned]}")"
verdict "(b) identical classifications to tuned nmap ($MB_T mismatches)" \
	"$(check eval '[ "$MB_T" = 0 ] && expect_pairs 4096 "$WORK/expo-b.tsv"')"
verdict "(c) identical classifications to tuned nmap ($MC_T mismatches)" \
	"$(check eval '[ "$MC_T" = 0 ] && expect_pairs 1024 "$WORK/expo-c.tsv"')"
[ "$QUICK" = 0 ] && verdict "(c) identical classifications to nmap -T4 ($MC_4 mismatches)" \
	"$(check eval '[ "$MC_4" = 0 ]')"
verdict "(c) expected counts ($C_EXPECT)" "$(check eval '[ "$C_GOT" = "$C_EXPECT" ]')"
printf '%s\n' "${VERDICTS[@]}"
[ "$FAILS" = 0 ]

#!/usr/bin/env bash
# api.sh - exposure's unauthenticated-API checks against nmap's scripts
# (redis-info, memcached-info, docker-version, mongodb-info, http-title)
# in one run, on the same lab servers and the same (address, port) pairs.
#
# Servers: the httpapi lab (tests/lab/lab.d/httpapi.sh: Jupyter open and
# with a token, etcd, dockerd when it can start, the replayed kubelet,
# Kubernetes API, Elasticsearch, Consul, YARN, Ray, Selenium and their
# protected twins, a word-matching decoy, a slow-drip HTTP server) and,
# when it runs, the rawapi lab (Redis open/with a password, memcached,
# MongoDB open, MariaDB with an empty root password: lab.env keys
# EXPO_LAB_REDIS_OPEN, EXPO_LAB_REDIS_AUTH, EXPO_LAB_MEMCACHED,
# EXPO_LAB_MONGODB_OPEN, EXPO_LAB_MARIADB_WEAK). The lab in $EXPO_LAB_DIR
# is used if it runs the httpapi plugin; otherwise this script starts its
# own (LAB_ONLY="httpapi rawapi") and stops it on exit.
# Both tools get the same host list and the same port list (the union of
# the servers' ports): nmap -sT -Pn -n -sV with the five scripts (service
# detection is what lets http-title and docker-version run on these
# ports), exposure with the API checks and --timeout TIMEOUT_MS.
# The slow-drip server (one header byte a second, forever) is measured on
# its own: nmap -sV keeps reading it for as long as bytes come, so it gets
# --host-timeout NMAP_SLOW_S there (else the run would not end); exposure
# is run on all servers with and without it.
# Prints wall times, what each found per (address, port), the ratio.
# PASS: exposure wall <= 1/3 of nmap's on the same servers, and the
# slow-drip server adds no more than the timeout to exposure's wall
# (margin 0.5 s). Traffic goes only to 127.0.0.0/8. Run as root.
# EXPOSURE_BEFORE=path (an older build, e.g. build/bench-before/exposure):
# the same exposure scan without the slow-drip server is also run with it,
# BEFORE_RUNS times each, alternating; PASS when the median wall time of
# this build is at most 10% (and 0.05 s) above the older one's, with the
# same findings (issue 14: reading compromise signs must not slow a clean
# scan).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
TIMEOUT_MS=${TIMEOUT_MS:-2000}
NMAP_SLOW_S=${NMAP_SLOW_S:-60}
EXPOSURE_BEFORE=${EXPOSURE_BEFORE:-}
BEFORE_RUNS=${BEFORE_RUNS:-5}
CHECKS=docker,kubelet,kubernetes,etcd,jupyter,elasticsearch,consul,yarn,ray,selenium,redis,memcached,mongodb,mysql
SCRIPTS=redis-info,memcached-info,docker-version,mongodb-info,http-title

[ "$(id -u)" = 0 ] || { echo "api.sh: run as root (the lab)" >&2; exit 2; }
for t in nmap jq awk; do
	command -v $t >/dev/null || { echo "api.sh: $t is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "api.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }
[ -x "$EXPOSURE" ] || { echo "api.sh: $EXPOSURE missing (make exposure)" >&2; exit 2; }
[ -z "$EXPOSURE_BEFORE" ] || [ -x "$EXPOSURE_BEFORE" ] ||
	{ echo "api.sh: EXPOSURE_BEFORE=$EXPOSURE_BEFORE is not an executable (build the older tree's exposure)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/expo-bench-api.XXXXXX)
chmod 755 "$WORK"	# lab servers run as their own users (mysql)
OWN_LAB=""
cleanup() {
	[ -n "$OWN_LAB" ] && "$ROOT/tests/lab/lab.sh" stop "$OWN_LAB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LAB=${EXPO_LAB_DIR:-}
if [ -z "$LAB" ] || ! grep -qx 'EXPO_LAB_HTTPAPI=1' "$LAB/lab.env" 2>/dev/null; then
	OWN_LAB=$WORK/lab
	LAB=$OWN_LAB
	echo "api.sh: starting a lab (httpapi rawapi) in $LAB" >&2
	LAB_ONLY="httpapi rawapi" "$ROOT/tests/lab/lab.sh" start "$LAB" >&2 ||
		{ echo "api.sh: the lab did not start" >&2; exit 2; }
fi
envv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }

# the servers, as ADDR:PORT
N=$(envv EXPO_LAB_HTTPAPI_REPLAY_NET)
SERVERS=(
	"$(envv EXPO_LAB_JUPYTER_OPEN)" "$(envv EXPO_LAB_JUPYTER_TOKEN)"
	"$(envv EXPO_LAB_ETCD_OPEN)"
	"$N.10:10250" "$N.10:10255" "$N.11:10250" "$N.12:10250"
	"$N.13:6443" "$N.14:6443" "$N.15:9200" "$N.16:9200"
	"$N.17:8500" "$N.18:8500" "$N.19:8088" "$N.20:8088"
	"$N.21:8265" "$N.22:8265" "$N.23:4444" "$N.24:4444"
	"$N.25:2375" "$N.25:8888" "$N.25:9200"
)
[ "$(envv EXPO_LAB_DOCKER)" = 1 ] && SERVERS+=("$(envv EXPO_LAB_DOCKER_OPEN)")
RAW=0
for k in EXPO_LAB_REDIS_OPEN EXPO_LAB_REDIS_AUTH EXPO_LAB_MEMCACHED \
	EXPO_LAB_MONGODB_OPEN EXPO_LAB_MARIADB_WEAK; do
	v=$(envv $k)
	if [ -n "$v" ]; then
		SERVERS+=("$v")
		RAW=$((RAW + 1))
	fi
done
[ "$RAW" = 0 ] && echo "api.sh: the rawapi lab is not running: Redis, memcached, MongoDB and MariaDB left out" >&2
SLOW="$N.30:2375"

hosts_ports() {	# hosts_ports LISTFILE ADDR:PORT...: hosts to LISTFILE, ports printed
	local list=$1
	shift
	printf '%s\n' "$@" | cut -d: -f1 | sort -u >"$list"
	printf '%s\n' "$@" | cut -d: -f2 | sort -un | paste -sd, -
}
PORTS=$(hosts_ports "$WORK/all.list" "${SERVERS[@]}" "$SLOW")
hosts_ports "$WORK/noslow.list" "${SERVERS[@]}" >/dev/null

measure() {	# measure NAME CMD...: wall seconds of CMD into WALL_NAME
	local name=$1 rc=0
	shift
	echo "  running $name ..." >&2
	/usr/bin/time -o "$WORK/$name.time" -f '%e' "$@" >"$WORK/$name.log" 2>&1 || rc=$?
	# exposure exits 1 when its gate fails; that is not a failure here
	if [ "$rc" -ge 2 ]; then
		echo "api.sh: $name exited $rc" >&2
		tail -n 5 "$WORK/$name.log" >&2
		exit 1
	fi
	tail -n 1 "$WORK/$name.time"
}

expo() {	# expo NAME LIST [BINARY]
	measure "$1" "${3:-$EXPOSURE}" scan "$2" --checks "$CHECKS" --ports "$PORTS" \
		--timeout "$TIMEOUT_MS" --json "$WORK/$1.json" --fail-on none -q
}

median() {	# median NUMBER...
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

T_NMAP=$(measure nmap nmap -sT -Pn -n -sV --script "$SCRIPTS" -p "$PORTS" \
	-iL "$WORK/noslow.list" -oN "$WORK/nmap.txt")
T_NMAP_SLOW=$(measure nmap-slow nmap -sT -Pn -n -sV --script "$SCRIPTS" \
	-p "${SLOW#*:}" --host-timeout "${NMAP_SLOW_S}s" "${SLOW%:*}" \
	-oN "$WORK/nmap-slow.txt")
NMAP_SLOW_NOTE=done
grep -q "host timeout" "$WORK/nmap-slow.txt" && NMAP_SLOW_NOTE="gave up at --host-timeout ${NMAP_SLOW_S}s"
T_EXPO_NOSLOW=$(expo expo-noslow "$WORK/noslow.list")
T_EXPO=$(expo expo "$WORK/all.list")

# what each found, per ADDR:PORT
jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/expo.json" |
	sort >"$WORK/expo.found"
awk '/^Nmap scan report for / { h = $5 }
	/^[0-9]+\/tcp/ { split($1, a, "/"); p = a[1] }
	/^\|[ _]?[a-z-]+:/ { s = $0; sub(/^\|[ _]?/, "", s); print h ":" p "\t" substr(s, 1, 70) }' \
	"$WORK/nmap.txt" "$WORK/nmap-slow.txt" | sort >"$WORK/nmap.found"

echo
printf '%-22s %-34s %s\n' "server" "exposure" "nmap (scripts, first line)"
for s in "${SERVERS[@]}" "$SLOW"; do
	e=$(awk -F'\t' -v k="$s" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	m=$(awk -F'\t' -v k="$s" '$1 == k { printf "%s%s", sep, $2; sep = " | " }' "$WORK/nmap.found")
	printf '%-22s %-34s %s\n' "$s" "${e:--}" "${m:--}"
done
NE=$(wc -l <"$WORK/expo.found")
NM=$(wc -l <"$WORK/nmap.found")
EXPO_ERR=$(jq -r '"\(.summary.statuses.timeout) timeout, \(.summary.statuses.error) error"' "$WORK/expo.json")
echo
echo "servers: ${#SERVERS[@]} + 1 slow-drip; ports: $PORTS"
echo "exposure: ${T_EXPO}s wall, $NE findings (proven access), $EXPO_ERR (the slow-drip server)"
echo "exposure without the slow-drip server: ${T_EXPO_NOSLOW}s wall"
echo "nmap -sV + $SCRIPTS: ${T_NMAP}s wall, $NM script outputs (information, no verdict on authentication)"
echo "nmap on the slow-drip server alone: ${T_NMAP_SLOW}s ($NMAP_SLOW_NOTE)"
RATIO=$(awk -v a="$T_EXPO_NOSLOW" -v b="$T_NMAP" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 99) }')
ADDED=$(awk -v a="$T_EXPO" -v b="$T_EXPO_NOSLOW" 'BEGIN { printf "%.2f", a - b }')
echo "ratio exposure/nmap on the same servers: $RATIO (target <= 0.333)"
echo "slow-drip adds ${ADDED}s to exposure (target <= timeout $((TIMEOUT_MS / 1000)).$(printf '%03d' $((TIMEOUT_MS % 1000)))s + 0.5s)"
FAIL=0
if [ -n "$EXPOSURE_BEFORE" ]; then
	TB=() TA=()
	for i in $(seq "$BEFORE_RUNS"); do
		TB+=("$(expo before-$i "$WORK/noslow.list" "$EXPOSURE_BEFORE")")
		TA+=("$(expo after-$i "$WORK/noslow.list")")
	done
	MB=$(median "${TB[@]}")
	MA=$(median "${TA[@]}")
	echo "this build vs $EXPOSURE_BEFORE, $BEFORE_RUNS runs each without the slow-drip server:"
	echo "  before: ${TB[*]} s (median $MB s); after: ${TA[*]} s (median $MA s)"
	for w in before-1 after-1; do
		jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/$w.json" | sort >"$WORK/$w.found"
	done
	if awk -v a="$MA" -v b="$MB" 'BEGIN { exit !(a <= b * 1.10 || a <= b + 0.05) }'; then
		echo "PASS before/after: at most 10% more wall time"
	else
		echo "FAIL before/after: more than 10% more wall time"
		FAIL=1
	fi
	if cmp -s "$WORK/before-1.found" "$WORK/after-1.found"; then
		echo "PASS before/after: the same findings"
	else
		echo "FAIL before/after: the findings differ:"
		diff "$WORK/before-1.found" "$WORK/after-1.found" || true
		FAIL=1
	fi
fi
if awk -v r="$RATIO" 'BEGIN { exit !(r <= 1 / 3) }'; then
	echo "PASS wall time: exposure <= 1/3 of nmap"
else
	echo "FAIL wall time: exposure > 1/3 of nmap"
	FAIL=1
fi
if awk -v d="$ADDED" -v t="$TIMEOUT_MS" 'BEGIN { exit !(d <= t / 1000 + 0.5) }'; then
	echo "PASS slow-drip: adds no more than the timeout"
else
	echo "FAIL slow-drip: adds more than the timeout"
	FAIL=1
fi
exit $FAIL

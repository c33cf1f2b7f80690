#!/usr/bin/env bash
# classic.sh - the whole classic family of issue 13 in one run: one lab
# with every classic server (Debian's vsftpd, inetutils telnetd, TigerVNC,
# mosquitto, ZooKeeper, docker-registry, RabbitMQ, Tomcat, InfluxDB 1.x and
# snmpd, and the replayed SQL Server, Grafana, CouchDB, Portainer, InfluxDB
# 2 and MinIO, each with its twins and hostile servers), then each part
# (tests/bench/classic-*.sh: exposure, nmap's scripts and hydra on the same
# servers, with the same credential lists) against that one lab.
# Adds up the wall times: exposure's against nmap's and hydra's together.
# PASS: every part proves every planted door with no finding on a twin, and
# exposure's total is at most 1/5 of the peers' total. Every part's own
# table is printed as it runs. Traffic goes only to 127.0.0.0/8. Root.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PARTS=(classic-ftp-telnet classic-vnc-mqtt-zk classic-http classic-snmp classic-replay)
PLUGINS="classic ftp telnet vnc mqtt zookeeper registry rabbitmq tomcat influxdb snmp"

[ "$(id -u)" = 0 ] || { echo "classic.sh: run as root (the lab)" >&2; exit 2; }
WORK=$(mktemp -d /tmp/expo-bench-family.XXXXXX)
# the lab's daemons that drop to their own users (RabbitMQ, Tomcat,
# mosquitto, ZooKeeper) read their files under it
chmod 755 "$WORK"
cleanup() {
	"$ROOT/tests/lab/lab.sh" stop "$WORK/lab" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "classic.sh: starting one lab ($PLUGINS) in $WORK/lab" >&2
LAB_ONLY="$PLUGINS" "$ROOT/tests/lab/lab.sh" start "$WORK/lab" >&2 ||
	{ echo "classic.sh: the lab did not start" >&2; exit 2; }

FAIL=0
: >"$WORK/parts"
for p in "${PARTS[@]}"; do
	[ -x "$ROOT/tests/bench/$p.sh" ] || { echo "classic.sh: tests/bench/$p.sh is missing" >&2; FAIL=1; continue; }
	echo "=== $p"
	EXPO_LAB_DIR=$WORK/lab "$ROOT/tests/bench/$p.sh" | tee "$WORK/$p.out"
	line=$(grep '^classic-part ' "$WORK/$p.out" | tail -n 1)
	[ -n "$line" ] || { echo "classic.sh: $p ended without its figures" >&2; FAIL=1; continue; }
	echo "$p ${line#classic-part }" >>"$WORK/parts"
done

echo
echo "=== the family, one lab, one run of each tool per part"
printf '%-22s %12s %12s %8s %10s\n' part "exposure s" "peers s" missed unexpected
awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	printf "%-22s %12.2f %12.2f %8d %10d\n", $1, v["exposure"], v["peers"], v["missed"], v["unexpected"]
	e += v["exposure"]; p += v["peers"]; m += v["missed"]; u += v["unexpected"] }
	END { printf "%-22s %12.2f %12.2f %8d %10d\n", "total", e, p, m, u
		printf "ratio exposure/(nmap + hydra), whole family: %.4f (target <= 0.200)\n", (p > 0 ? e / p : 99)
		exit !(m == 0 && u == 0 && p > 0 && e / p <= 0.2) }' "$WORK/parts" || FAIL=1
[ "$(wc -l <"$WORK/parts")" -eq "${#PARTS[@]}" ] || FAIL=1
if [ $FAIL = 0 ]; then
	echo "PASS: every planted door proven, none on a twin, at most 1/5 of the peers' wall time"
else
	echo "FAIL: see the parts above"
fi
exit $FAIL

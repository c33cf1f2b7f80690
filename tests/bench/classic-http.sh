#!/usr/bin/env bash
# classic-http.sh - exposure's docker_registry, rabbitmq, tomcat and
# influxdb checks against nmap's scripts and hydra, in one run each, on the
# same lab servers (Debian's real ones: tests/lab/lab.d/registry.sh,
# rabbitmq.sh, tomcat.sh, influxdb.sh; each weak server and its twin).
#
# nmap: nmap -sV -Pn -n --script http-default-accounts,amqp-info,http-title
# -p PORTS on the addresses (http-default-accounts knows the Tomcat
# manager's default logins; amqp-info reads RabbitMQ's Connection.Start;
# http-title and -sV name the registry and InfluxDB).
# hydra: http-get on each Tomcat manager (/manager/html), -t 4, with
# exposure's built-in Tomcat list (users tomcat admin manager role1 both;
# -e ns for the empty password and the user name, then the passwords).
# exposure: the same addresses, the four checks, --timeout TIMEOUT_MS.
# Hydra runs last: it passes Tomcat's LockOutRealm threshold (5 failures)
# on the strong twin, which locks its user for 5 minutes; nothing the
# tests assert depends on that user.
# Prints wall times, per server what each tool found, and the ratio.
# PASS: exposure finds every weak server (the expected findings), none
# on a twin, and its wall time is at most a fifth of nmap + hydra.
# Traffic goes only to 127.0.0.0/8. Run as root, holding
# /tmp/exposure-lab.lock (the lab and the benchmarks take turns).
set -euo pipefail

TIMEOUT_MS=${TIMEOUT_MS:-2000}
SCRIPTS=http-default-accounts,amqp-info,http-title

# shellcheck source=tests/bench/classic-lib.sh
. "$(dirname "$0")/classic-lib.sh"
MEASURE_MAY_FAIL="hydra1 hydra2"
classic_setup classic-http "registry rabbitmq tomcat influxdb" "EXPO_LAB_REGISTRY=1 EXPO_LAB_RABBITMQ=1 EXPO_LAB_TOMCAT=1 EXPO_LAB_INFLUXDB=1" nmap hydra jq awk

R=$(envv EXPO_LAB_REGISTRY_NET)
Q=$(envv EXPO_LAB_RABBITMQ_NET)
T=$(envv EXPO_LAB_TOMCAT_NET)
I=$(envv EXPO_LAB_INFLUXDB_NET)
# ADDR:PORT=EXPECTED ("" = no finding: the twin)
SERVERS=(
	"$R.1:5000=docker_registry.no_auth" "$R.2:5000="
	"$Q.1:5672=rabbitmq.default_credentials" "$Q.1:15672=rabbitmq.default_credentials"
	"$Q.2:5672=" "$Q.2:15672="
	"$T.1:8080=tomcat.default_credentials" "$T.2:8080="
	"$I.1:8086=influxdb.no_auth" "$I.2:8086="
)
CHECKS=docker_registry,rabbitmq,tomcat,influxdb
PORTS=5000,5672,8080,8086,15672
printf '%s\n' "$R.1" "$R.2" "$Q.1" "$Q.2" "$T.1" "$T.2" "$I.1" "$I.2" >"$WORK/hosts"
printf '%s\n' tomcat admin manager role1 both >"$WORK/users"
printf '%s\n' s3cret tomcat admin password changethis >"$WORK/passwords"

T_EXPO=$(measure expo "$EXPOSURE" scan "$WORK/hosts" --checks "$CHECKS" \
	--ports "$PORTS" --timeout "$TIMEOUT_MS" --json "$WORK/expo.json" \
	--fail-on none -q)
T_NMAP=$(measure nmap nmap -sV -Pn -n --script "$SCRIPTS" -p "$PORTS" \
	-iL "$WORK/hosts" -oN "$WORK/nmap.txt")
T_H1=$(measure hydra1 hydra -L "$WORK/users" -P "$WORK/passwords" -e ns -t 4 \
	-s 8080 -o "$WORK/hydra1.txt" "$T.1" http-get /manager/html)
T_H2=$(measure hydra2 hydra -L "$WORK/users" -P "$WORK/passwords" -e ns -t 4 \
	-s 8080 -o "$WORK/hydra2.txt" "$T.2" http-get /manager/html)

jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/expo.json" |
	sort >"$WORK/expo.found"
# nmap: per ADDR:PORT its service column, default accounts, AMQP product
awk '/^Nmap scan report for / { h = $5 }
	/^[0-9]+\/tcp +open/ { split($1, a, "/"); p = a[1]; v = $3; for (i = 4; i <= NF && i < 6; i++) v = v " " $i; print h ":" p "\tsvc\t" v; acc = 0 }
	/^\|[ _]?http-default-accounts:/ { acc = 1; next }
	acc && /^\|[ _]+[^ ]+:[^ ]*$/ { s = $0; sub(/^\|[ _]+/, "", s); print h ":" p "\tcred\t" s; next }
	/^\|[ _]?http-title:/ { s = $0; sub(/^\|[ _]?http-title: */, "", s); print h ":" p "\ttitle\t" substr(s, 1, 30) }
	/^\|[ _]+version: / { s = $0; sub(/^\|[ _]+version: */, "", s); print h ":" p "\tamqp\t" s }' \
	"$WORK/nmap.txt" | sort >"$WORK/nmap.found"
cat "$WORK/hydra1.txt" "$WORK/hydra2.txt" 2>/dev/null |
	awk '/host:/ { for (i = 1; i <= NF; i++) { if ($i == "host:") h = $(i + 1); if ($i == "login:") u = $(i + 1); if ($i == "password:") p = $(i + 1) } print h ":8080\t" u ":" p }' |
	sort >"$WORK/hydra.found"

echo
printf '%-17s %-30s %-30s %-30s %s\n' "server" "expected" "exposure" "nmap (svc | accounts/amqp/title)" "hydra"
MISS=0
FALSE=0
for s in "${SERVERS[@]}"; do
	hp=${s%%=*}
	want=${s#*=}
	e=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	m=$(awk -F'\t' -v k="$hp" '$1 == k && $2 == "svc" { s = $3 } $1 == k && $2 != "svc" { x = x (x != "" ? "," : "") $2 "=" $3 } END { printf "%s%s", s, (x != "" ? " | " x : "") }' "$WORK/nmap.found")
	hy=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/hydra.found")
	[ "$e" = "$want" ] || { [ -n "$want" ] && MISS=$((MISS + 1)) || FALSE=$((FALSE + 1)); }
	printf '%-17s %-30s %-30s %-30s %s\n' "$hp" "${want:--}" "${e:--}" "${m:--}" "${hy:--}"
done
NE=$(wc -l <"$WORK/expo.found")
NC=$(awk -F'\t' '$2 == "cred"' "$WORK/nmap.found" | wc -l)
NH=$(wc -l <"$WORK/hydra.found")
EXPO_ERR=$(jq -r '"\(.summary.statuses.timeout) timeout, \(.summary.statuses.error) error"' "$WORK/expo.json")
T_PEERS=$(awk -v a="$T_NMAP" -v b="$T_H1" -v c="$T_H2" 'BEGIN { printf "%.2f", a + b + c }')
echo
echo "servers: ${#SERVERS[@]}; hosts: $(wc -l <"$WORK/hosts"); ports: $PORTS"
echo "exposure: ${T_EXPO}s wall, $NE findings (proven access), $MISS missed, $FALSE unexpected; $EXPO_ERR"
echo "nmap -sV + $SCRIPTS: ${T_NMAP}s wall, $NC default accounts stated"
echo "hydra http-get -t 4 (Tomcat manager, $(wc -l <"$WORK/users") users x $(($(wc -l <"$WORK/passwords") + 2)) passwords): ${T_H1}s + ${T_H2}s wall, $NH logins stated"
FINDINGS_OK=1
[ "$MISS" = 0 ] && [ "$FALSE" = 0 ] && FINDINGS_OK=0
classic_verdict "$T_EXPO" "$T_PEERS" "$FINDINGS_OK" \
	"every weak server proven, no finding on a twin" \
	"$MISS missed, $FALSE unexpected"

#!/usr/bin/env bash
# classic-replay.sh - the classic doors neither Debian nor npm ships
# (issue 13): SQL Server, Grafana, CouchDB, Portainer, InfluxDB 2 and
# MinIO, on the replayed lab (tests/lab/lab.d/classic.sh: tdsfake in clear,
# with TLS forced and with TLS for the login only, refusing and locked
# twins, a junk TLS handshake; the HTTP replays and their twins, a decoy),
# in one run each:
#   exposure   the six checks, --timeout TIMEOUT_MS
#   nmap       -sV with http-default-accounts, couchdb-databases,
#              ms-sql-empty-password, ms-sql-info on the same ports
#   hydra      mssql, -t 4, sa with the passwords exposure tries within its
#              default cap of 3 ("", "sa", "password"); hydra 9.4's mssql
#              module sends a pre-TDS 7 login (packet type 2), which the
#              stand-in, speaking TDS 7.4 as current drivers do, does not
#              answer: hydra reports connection errors there. nmap 7.93's
#              ms-sql-* scripts fail before they connect ("attempt to index
#              a nil value" at mssql.lua:3334, nmap/nmap#2622, seen against
#              real SQL Server 2019 too): -sV names the version, nothing more
# The lab in $EXPO_LAB_DIR is used if it runs the classic plugin; otherwise
# this script starts its own (LAB_ONLY=classic) and stops it on exit.
# Prints per server what each proved, wall times and the ratio
# exposure / (nmap + hydra).
# PASS: exposure proves every open door, none on a twin or decoy, finds
# every finding the peers state, and takes at most 1/5 of their combined
# wall time. Traffic goes only to 127.0.0.0/8. Run as root.
set -euo pipefail

TIMEOUT_MS=${TIMEOUT_MS:-2000}
SCRIPTS=http-default-accounts,couchdb-databases,ms-sql-empty-password,ms-sql-info

# shellcheck source=tests/bench/classic-lib.sh
. "$(dirname "$0")/classic-lib.sh"
MEASURE_MAY_FAIL="hydra"
classic_setup classic "classic" "EXPO_LAB_CLASSIC=1" nmap hydra jq awk
N=$(sed -n 's/^EXPO_LAB_CLASSIC_NET=//p' "$LAB/lab.env" | tail -n 1)

# ADDR:PORT=EXPECTED ("" = no finding: a twin, a decoy, a hostile server)
SERVERS=(
	"$N.1:3000=grafana.default_credentials" "$N.2:3000="
	"$N.3:5984=couchdb.no_auth" "$N.4:5984="
	"$N.5:9000=portainer.no_admin" "$N.6:9000="
	"$N.7:8086=influxdb.no_auth" "$N.8:8086="
	"$N.9:9000=minio.default_credentials" "$N.10:9000="
	"$N.11:3000=" "$N.11:5984=" "$N.11:9000=" "$N.11:8086="
	"$N.20:1433=mssql.default_credentials" "$N.21:1433=" "$N.22:1433="
	"$N.23:1433=mssql.default_credentials" "$N.24:1433=mssql.default_credentials"
	"$N.25:1433=" "$N.26:1433="
)
CHECKS=grafana,couchdb,portainer,influxdb,minio,mssql
PORTS=3000,5984,9000,8086,1433
: >"$WORK/hosts"
for s in "${SERVERS[@]}"; do
	h=${s%%:*}
	grep -qx "$h" "$WORK/hosts" || echo "$h" >>"$WORK/hosts"
done
printf '%s\n' "" sa password >"$WORK/passwords"

# hydra on every SQL Server, one after the other, as a user would (a
# script: /usr/bin/time runs programs, not shell functions)
for s in "${SERVERS[@]}"; do
	case $s in *:1433=*) ;; *) continue ;; esac
	h=${s%%:*}
	echo "echo '== $h'; timeout 120 hydra -t 4 -l sa -P '$WORK/passwords' -e n 'mssql://$h' 2>&1 || true"
done >"$WORK/hydra.sh"

T_NMAP=$(measure nmap nmap -sV -Pn -n --script "$SCRIPTS" -p "$PORTS" \
	-iL "$WORK/hosts" -oN "$WORK/nmap.txt")
T_HYDRA=$(measure hydra bash "$WORK/hydra.sh")
T_EXPO=$(measure expo "$EXPOSURE" scan "$WORK/hosts" --checks "$CHECKS" \
	--ports "$PORTS" --timeout "$TIMEOUT_MS" --json "$WORK/expo.json" \
	--fail-on none -q)

jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/expo.json" |
	sort >"$WORK/expo.found"
# nmap: a default login found (http-default-accounts), databases listed
# without credentials (couchdb-databases), sa with an empty password
awk '/^Nmap scan report for / { h = $5 }
	/^[0-9]+\/tcp +open/ { split($1, a, "/"); p = a[1] }
	/^\|[ _]*\[.*\] at / { print h ":" p "\tdefault-account" }
	/couchdb-databases:/ { c = 1 } c && /^\|[ _]+[0-9]+ = / { print h ":" p "\tdatabases"; c = 0 }
	/sa:<empty> => Login Success/ { print h ":1433\tsa-empty" }' \
	"$WORK/nmap.txt" | sort -u >"$WORK/nmap.found"
awk '/^== / { h = $2 } /login: sa/ { print h ":1433\tsa-login" }' \
	"$WORK/hydra.log" | sort -u >"$WORK/hydra.found"

echo
printf '%-20s %-30s %-30s %-18s %s\n' server expected exposure nmap hydra
MISS=0
FALSE=0
PEER_MISSED=0
for s in "${SERVERS[@]}"; do
	hp=${s%%=*}
	want=${s#*=}
	e=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	m=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/nmap.found")
	y=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/hydra.found")
	[ "$e" = "$want" ] || { [ -n "$want" ] && MISS=$((MISS + 1)) || FALSE=$((FALSE + 1)); }
	# a door a peer states that exposure does not (on this server)
	if { [ -n "$m" ] || [ -n "$y" ]; } && [ -z "$e" ]; then
		[ -z "$want" ] && echo "  (a peer's claim on $hp, where nothing is planted: a false positive of theirs)"
		[ -n "$want" ] && PEER_MISSED=$((PEER_MISSED + 1))
	fi
	printf '%-20s %-30s %-30s %-18s %s\n' "$hp" "${want:--}" "${e:--}" "${m:--}" "${y:--}"
done
NE=$(wc -l <"$WORK/expo.found")
NM=$(wc -l <"$WORK/nmap.found")
NH=$(wc -l <"$WORK/hydra.found")
EXPO_ERR=$(jq -r '"\(.summary.statuses.timeout) timeout, \(.summary.statuses.error) error"' "$WORK/expo.json")
echo
echo "servers: ${#SERVERS[@]}; hosts: $(wc -l <"$WORK/hosts"); ports: $PORTS"
echo "exposure: ${T_EXPO}s wall, $NE findings, $MISS missed, $FALSE unexpected; $EXPO_ERR"
echo "nmap -sV + $SCRIPTS: ${T_NMAP}s wall, $NM stated"
echo "hydra mssql -t 4 (sa; empty, sa, password): ${T_HYDRA}s wall, $NH stated"
FINDINGS_OK=1
[ "$MISS" = 0 ] && [ "$FALSE" = 0 ] && [ "$PEER_MISSED" = 0 ] && FINDINGS_OK=0
classic_verdict "$T_EXPO" "$(awk -v b="$T_NMAP" -v c="$T_HYDRA" 'BEGIN { printf "%.2f", b + c }')" "$FINDINGS_OK" \
	"every open door proven, every peer finding found, none on a twin or decoy" \
	"$MISS missed, $FALSE unexpected, $PEER_MISSED peer findings not found"

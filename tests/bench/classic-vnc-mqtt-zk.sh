#!/usr/bin/env bash
# classic-vnc-mqtt-zk.sh - exposure's vnc, mqtt and zookeeper checks
# against nmap's scripts and hydra, in one run each, on the same lab
# servers and ports.
#
# Servers: the lab's TigerVNC (tests/lab/lab.d/vnc.sh: None, a weak and a
# strong VNC password, one that blacklists after a failure), mosquitto
# (mqtt.sh: anonymous, refusing, anonymous without $SYS) and ZooKeeper
# (zookeeper.sh: open, enforcing authentication). The lab in $EXPO_LAB_DIR
# is used if it runs all three plugins; otherwise this script starts its
# own (LAB_ONLY="vnc mqtt zookeeper") and stops it on exit.
# nmap: nmap -sV -Pn -n --script vnc-info,realvnc-auth-bypass,mqtt-subscribe
# -p 5900,1883,2181 on the addresses (ZooKeeper: -sV only, nmap has no
# script for it). hydra: vnc, -t 4, on every VNC server that asks for a
# password, with exposure's built-in list (the same 6 passwords), one run
# per server capped at HYDRA_CAP seconds (hydra 9.4 does not stop on
# TigerVNC's blacklist); exposure
# gets --max-attempts 6 so that both try the same list (its default is 3).
# exposure: the same addresses and ports, --timeout TIMEOUT_MS.
# Prints wall times, per server what each found, and the ratio
# exposure/(nmap + hydra).
# PASS: exposure finds every expected finding, none on a twin, everything
# nmap and hydra state (a None VNC, an anonymous broker, a VNC password),
# and its wall time is at most 1/5 of theirs combined. Traffic goes only
# to 127.0.0.0/8. Run as root.
set -euo pipefail

TIMEOUT_MS=${TIMEOUT_MS:-2000}
HYDRA_CAP=${HYDRA_CAP:-60}
SCRIPTS=vnc-info,realvnc-auth-bypass,mqtt-subscribe
PORTS=5900,1883,2181
# exposure's built-in VNC list (checks/raw/vnc.c, vnc_passwords)
PASSWORDS="password 123456 vnc 12345678 admin 1234"

# shellcheck source=tests/bench/classic-lib.sh
. "$(dirname "$0")/classic-lib.sh"
classic_setup vmz "vnc mqtt zookeeper" "EXPO_LAB_VNC=1 EXPO_LAB_MQTT=1 EXPO_LAB_ZOOKEEPER=1" nmap hydra jq awk timeout

V=$(envv EXPO_LAB_VNC_NET)
M=$(envv EXPO_LAB_MQTT_NET)
Z=$(envv EXPO_LAB_ZOOKEEPER_NET)
# ADDR:PORT=EXPECTED ("" = no finding: a twin); the lockout server .4 has
# a strong password: no finding, and it blacklists after one failure
SERVERS=(
	"$V.1:5900=vnc.no_auth" "$V.2:5900=vnc.weak_password" "$V.3:5900="
	"$V.4:5900="
	"$M.1:1883=mqtt.no_auth" "$M.2:1883=" "$M.3:1883=mqtt.no_auth"
	"$Z.1:2181=zookeeper.no_auth" "$Z.2:2181="
)
HYDRA_VNC=("$V.2" "$V.3" "$V.4")

: >"$WORK/hosts"
for s in "${SERVERS[@]}"; do
	h=${s%%:*}
	grep -qx "$h" "$WORK/hosts" || echo "$h" >>"$WORK/hosts"
done
printf '%s\n' $PASSWORDS >"$WORK/passwords"

# hydra: one run per VNC server, each capped at HYDRA_CAP seconds: on a
# server that blacklists it (.4), hydra 9.4 retries for ever
hydra_all() {
	local h rc
	: >"$WORK/hydra.txt"
	: >"$WORK/hydra.capped"
	for h in "${HYDRA_VNC[@]}"; do
		rc=0
		# in WORK: a hydra cut short leaves ./hydra.restore behind
		(cd "$WORK" && timeout "$HYDRA_CAP" hydra -t 4 -P "$WORK/passwords" \
			-s 5900 -o "$WORK/hydra.$h.txt" "$h" vnc) \
			>"$WORK/hydra.$h.log" 2>&1 || rc=$?
		[ "$rc" = 124 ] && echo "$h" >>"$WORK/hydra.capped"
		cat "$WORK/hydra.$h.txt" >>"$WORK/hydra.txt" 2>/dev/null || true
	done
}
T_EXPO=$(measure expo "$EXPOSURE" scan "$WORK/hosts" --checks vnc,mqtt,zookeeper \
	--ports "$PORTS" --max-attempts 6 --timeout "$TIMEOUT_MS" \
	--json "$WORK/expo.json" --fail-on none -q)
T_NMAP=$(measure nmap nmap -sV -Pn -n --script "$SCRIPTS" -p "$PORTS" \
	-iL "$WORK/hosts" -oN "$WORK/nmap.txt")
echo "  running hydra ..." >&2
T0=$(date +%s.%N)
hydra_all
T_HYDRA=$(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')

jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/expo.json" |
	sort >"$WORK/expo.found"
# what nmap states per ADDR:PORT: its service, and a verdict where a
# script gives one (vnc-info's "does not require authentication",
# mqtt-subscribe's topic list, realvnc-auth-bypass's VULNERABLE)
awk '/^Nmap scan report for / { h = $5 }
	/^[0-9]+\/tcp +open/ { split($1, a, "/"); p = a[1]; v = $3; for (i = 4; i <= NF && i < 7; i++) v = v " " $i; print h ":" p "\tsvc\t" v }
	/does not require authentication/ { print h ":" p "\tverdict\tno auth (vnc-info)" }
	/^\| mqtt-subscribe:/ { m = 1; next }
	m && /\$SYS|Topics and their most recent payloads/ { print h ":" p "\tverdict\tanonymous subscribe (mqtt-subscribe)"; m = 0 }
	/^[^|]/ { m = 0 }
	/VULNERABLE/ { print h ":" p "\tverdict\tauth bypass (realvnc-auth-bypass)" }' \
	"$WORK/nmap.txt" | sort -u >"$WORK/nmap.found"
# hydra: "[5900][vnc] host: ADDR   password: X"
awk '/\[vnc\] host:/ { print $3 ":5900\tpassword" }' "$WORK/hydra.txt" 2>/dev/null |
	sort -u >"$WORK/hydra.found" || true

echo
printf '%-18s %-24s %-24s %-30s %s\n' "server" "expected" "exposure" "nmap (service | verdict)" "hydra"
MISS=0
FALSE=0
THEIRS_MISSED=0
for s in "${SERVERS[@]}"; do
	hp=${s%%=*}
	want=${s#*=}
	e=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	m=$(awk -F'\t' -v k="$hp" '$1 == k && $2 == "svc" { s = $3 } $1 == k && $2 == "verdict" { t = t (t ? "; " : "") $3 } END { printf "%s%s", s, (t != "" ? " | " t : "") }' "$WORK/nmap.found")
	hy=$(awk -F'\t' -v k="$hp" '$1 == k { print "password found" }' "$WORK/hydra.found")
	[ "$e" = "$want" ] || { [ -n "$want" ] && MISS=$((MISS + 1)) || FALSE=$((FALSE + 1)); }
	# what they state that we must state too
	case "$m" in *"no auth"*) [ "$e" = vnc.no_auth ] || THEIRS_MISSED=$((THEIRS_MISSED + 1)) ;; esac
	case "$m" in *"anonymous subscribe"*) [ "$e" = mqtt.no_auth ] || THEIRS_MISSED=$((THEIRS_MISSED + 1)) ;; esac
	[ -z "$hy" ] || [ "$e" = vnc.weak_password ] || THEIRS_MISSED=$((THEIRS_MISSED + 1))
	printf '%-18s %-24s %-24s %-30s %s\n' "$hp" "${want:--}" "${e:--}" "${m:--}" "${hy:--}"
done
NE=$(wc -l <"$WORK/expo.found")
NV=$(awk -F'\t' '$2 == "verdict"' "$WORK/nmap.found" | wc -l)
NH=$(wc -l <"$WORK/hydra.found")
EXPO_ERR=$(jq -r '"\(.summary.statuses.timeout) timeout, \(.summary.statuses.error) error"' "$WORK/expo.json")
HYDRA_TRIES=$(grep -c "" "$WORK/passwords")
echo
echo "servers: ${#SERVERS[@]}; hosts: $(wc -l <"$WORK/hosts"); ports: $PORTS"
echo "exposure: ${T_EXPO}s wall, $NE findings, $MISS missed, $FALSE unexpected; $EXPO_ERR"
echo "nmap -sV + $SCRIPTS: ${T_NMAP}s wall, $NV verdicts"
echo "hydra vnc -t 4 ($HYDRA_TRIES passwords x ${#HYDRA_VNC[@]} servers): ${T_HYDRA}s wall, $NH passwords found; capped at ${HYDRA_CAP}s: $(paste -sd' ' "$WORK/hydra.capped" | sed 's/^$/none/')"
FINDINGS_OK=1
[ "$MISS" = 0 ] && [ "$FALSE" = 0 ] && [ "$THEIRS_MISSED" = 0 ] && FINDINGS_OK=0
classic_verdict "$T_EXPO" "$(awk -v b="$T_NMAP" -v c="$T_HYDRA" 'BEGIN { printf "%.2f", b + c }')" "$FINDINGS_OK" \
	"every expected finding and everything nmap and hydra state, none on a twin" \
	"$MISS missed, $FALSE unexpected, $THEIRS_MISSED of theirs not found"

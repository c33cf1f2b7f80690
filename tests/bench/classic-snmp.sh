#!/usr/bin/env bash
# classic-snmp.sh - exposure's snmp check (161/udp) against nmap -sU with
# snmp-sysdescr and snmp-brute, and hydra's snmp module (-t 4), in one
# run, on the same lab agents with the same community list.
#
# Servers: the SNMP lab (tests/lab/lab.d/snmp.sh): Debian's snmpd with
# public, with private only, and the twin with a long random community;
# the hostile agents (silent, garbage, oversized answer, answers from
# another port and address, stale request id). The lab in $EXPO_LAB_DIR is
# used if it runs the snmp plugin; otherwise this script starts its own
# (LAB_ONLY=snmp) and stops it on exit.
# The community list (COMMUNITIES, default public,private,community,
# manager,admin,snmpd) goes to every tool: exposure --creds (":community"
# lines) --max-attempts N, nmap snmp-brute.communitiesdb, hydra -P; all
# three use SNMPv2c where they can (hydra -m 2; nmap's snmp-brute sends
# v1, its snmp-sysdescr v1 with public).
# Prints wall times, per agent what each tool found, and the ratio.
# PASS: exposure finds every default community (and none on the twin or
# the hostile agents), no other tool finds one exposure missed, and its
# wall time is at most 1/5 of the others' combined. Traffic goes only to
# 127.0.0.0/8. Run as root.
set -euo pipefail

TIMEOUT_MS=${TIMEOUT_MS:-1500}
COMMUNITIES=${COMMUNITIES:-public,private,community,manager,admin,snmpd}

# shellcheck source=tests/bench/classic-lib.sh
. "$(dirname "$0")/classic-lib.sh"
MEASURE_MAY_FAIL="hydra"
classic_setup snmp "snmp" "EXPO_LAB_SNMP=1" nmap hydra jq awk

# ADDR=EXPECTED community ("" = none: the twin, the hostile agents);
# HOSTILE: the agents whose "communities" are only false positives
N=$(envv EXPO_LAB_SNMP_NET)
SERVERS=(
	"$N.1=public" "$N.2=private" "$N.3="
	"$N.10=" "$N.11=" "$N.12=" "$N.13=" "$N.14="
)
HOSTILE=" $N.10 $N.11 $N.12 $N.13 $N.14 "
: >"$WORK/hosts"
for s in "${SERVERS[@]}"; do echo "${s%%=*}" >>"$WORK/hosts"; done
tr , '\n' <<<"$COMMUNITIES" >"$WORK/communities"
sed 's/^/:/' "$WORK/communities" >"$WORK/creds"
NC=$(wc -l <"$WORK/communities")

T_EXPO=$(measure expo "$EXPOSURE" scan "$WORK/hosts" --checks snmp \
	--creds "$WORK/creds" --max-attempts "$NC" --timeout "$TIMEOUT_MS" \
	--show-secrets --json "$WORK/expo.json" --fail-on none -q)
T_NMAP=$(measure nmap nmap -sU -Pn -n -p 161 \
	--script snmp-sysdescr,snmp-brute \
	--script-args "snmp-brute.communitiesdb=$WORK/communities" \
	-iL "$WORK/hosts" -oN "$WORK/nmap.txt")
T_HYDRA=$(measure hydra hydra -t 4 -P "$WORK/communities" -m 2 \
	-M "$WORK/hosts" -o "$WORK/hydra.txt" snmp)

jq -r '.findings[] | select(.rule == "snmp.default_community") | "\(.target.address)\t\(.secret)"' \
	"$WORK/expo.json" | sort >"$WORK/expo.found"
# nmap: "ADDR<TAB>community" per "Valid credentials" line of snmp-brute,
# and whether snmp-sysdescr printed a description
awk '/^Nmap scan report for / { h = $5 }
	/Valid credentials/ { c = $0; sub(/^\|[ _]*/, "", c); sub(/ - Valid credentials.*/, "", c); print h "\t" c }' \
	"$WORK/nmap.txt" | sort >"$WORK/nmap.found"
awk '/^Nmap scan report for / { h = $5 } /snmp-sysdescr: ./ { print h }' \
	"$WORK/nmap.txt" | sort -u >"$WORK/nmap.sysdescr"
# hydra: "[161][snmp] host: ADDR   password: COMMUNITY"
sed -n 's/.*host: \([0-9.]*\) .*password: \(.*\)$/\1\t\2/p' "$WORK/hydra.txt" 2>/dev/null |
	sort >"$WORK/hydra.found"

echo
printf '%-14s %-10s %-12s %-22s %s\n' "agent" "expected" "exposure" "nmap snmp-brute" "hydra snmp"
MISS=0
FALSE=0
OTHER=0
FP_NMAP=0
FP_HYDRA=0
for s in "${SERVERS[@]}"; do
	h=${s%%=*}
	want=${s#*=}
	e=$(awk -F'\t' -v k="$h" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	m=$(awk -F'\t' -v k="$h" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/nmap.found")
	y=$(awk -F'\t' -v k="$h" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/hydra.found")
	[ "$e" = "$want" ] || { [ -n "$want" ] && MISS=$((MISS + 1)) || FALSE=$((FALSE + 1)); }
	# a community another tool found on a real agent that exposure did
	# not (on a hostile agent, what they "found" is a false positive)
	for c in $(echo "$m,$y" | tr , ' '); do
		[ -n "$c" ] || continue
		case "$HOSTILE" in
		*" $h "*) ;;
		*) grep -qx "$c" <<<"${e//,/$'\n'}" || OTHER=$((OTHER + 1)) ;;
		esac
	done
	case "$HOSTILE" in
	*" $h "*)
		[ -n "$m" ] && FP_NMAP=$((FP_NMAP + $(tr , '\n' <<<"$m" | wc -l)))
		[ -n "$y" ] && FP_HYDRA=$((FP_HYDRA + $(tr , '\n' <<<"$y" | wc -l)))
		;;
	esac
	grep -qx "$h" "$WORK/nmap.sysdescr" && m="$m${m:+ }(sysdescr)"
	printf '%-14s %-10s %-12s %-22s %s\n' "$h" "${want:--}" "${e:--}" "${m:--}" "${y:--}"
done
EXPO_ST=$(jq -r '.summary.statuses | "\(.open) open, \(.["no answer"]) no answer, \(.error) error, \(.timeout) timeout"' "$WORK/expo.json")
echo
echo "agents: ${#SERVERS[@]}; communities: $NC ($COMMUNITIES)"
echo "exposure: ${T_EXPO}s wall, $(wc -l <"$WORK/expo.found") findings, $MISS missed, $FALSE unexpected; ports: $EXPO_ST"
echo "nmap -sU snmp-sysdescr,snmp-brute: ${T_NMAP}s wall, $(wc -l <"$WORK/nmap.found") communities found, $FP_NMAP of them false (hostile agents)"
echo "hydra -t 4 snmp (-m 2): ${T_HYDRA}s wall, $(wc -l <"$WORK/hydra.found") communities found, $FP_HYDRA of them false (hostile agents)"
FINDINGS_OK=1
[ "$MISS" = 0 ] && [ "$FALSE" = 0 ] && [ "$OTHER" = 0 ] && FINDINGS_OK=0
classic_verdict "$T_EXPO" "$(awk -v b="$T_NMAP" -v c="$T_HYDRA" 'BEGIN { printf "%.2f", b + c }')" "$FINDINGS_OK" \
	"every default community found, none on the twin or the hostile agents, none the others found missed" \
	"$MISS missed, $FALSE unexpected, $OTHER found only by nmap or hydra"

#!/usr/bin/env bash
# ai.sh - exposure's AI and automation checks against nmap -sV with its HTTP
# scripts (http-title, http-headers, http-methods), in one run each, on the
# same lab servers and the same ports.
#
# Servers: the npm lab (tests/lab/lab.d/ainpm.sh: real Node-RED 4.1.8 open
# and with adminAuth, n8n 1.123.81 without and with an owner, the MCP
# everything server over Streamable HTTP, HTTP+SSE, behind a bearer
# token, and on a port only the inventory names, the decoy page) and,
# when the lab runs it, the replayed AI lab (tests/lab/lab.d/aiapi.sh:
# Ollama, OpenAI-compatible servers, Open WebUI, ComfyUI, Langflow,
# Jenkins, Nomad, Ray and their twins). The lab in $EXPO_LAB_DIR is used
# if it runs the ainpm plugin; otherwise this script starts its own
# (LAB_ONLY="ainpm aiapi") and stops it on exit.
# nmap: nmap -sV -Pn -n --script http-title,http-headers,http-methods -p
# PORTS on the addresses; exposure: the same addresses and PORTS, the AI
# checks, --timeout TIMEOUT_MS (the MCP server on 9400 is named by its
# inventory line, "ADDR:9400 check=mcp", the way a user would).
# Prints wall times, per server what exposure proved and what nmap named
# (its service name and the first script line), and the ratio.
# PASS: exposure proves every open door (the expected findings) and its
# wall time is at most 1/20 of nmap's. Traffic goes only to 127.0.0.0/8.
# Run as root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
TIMEOUT_MS=${TIMEOUT_MS:-2000}
SCRIPTS=http-title,http-headers,http-methods

[ "$(id -u)" = 0 ] || { echo "ai.sh: run as root (the lab)" >&2; exit 2; }
for t in nmap jq awk; do
	command -v $t >/dev/null || { echo "ai.sh: $t is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "ai.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }
[ -x "$EXPOSURE" ] || { echo "ai.sh: $EXPOSURE missing (make exposure)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/expo-bench-ai.XXXXXX)
OWN_LAB=""
cleanup() {
	[ -n "$OWN_LAB" ] && "$ROOT/tests/lab/lab.sh" stop "$OWN_LAB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LAB=${EXPO_LAB_DIR:-}
if [ -z "$LAB" ] || ! grep -qx 'EXPO_LAB_AINPM=1' "$LAB/lab.env" 2>/dev/null; then
	OWN_LAB=$WORK/lab
	LAB=$OWN_LAB
	echo "ai.sh: starting a lab (ainpm aiapi) in $LAB" >&2
	LAB_ONLY="ainpm aiapi" "$ROOT/tests/lab/lab.sh" start "$LAB" >&2 ||
		{ echo "ai.sh: the lab did not start" >&2; exit 2; }
	grep -qx 'EXPO_LAB_AINPM=1' "$LAB/lab.env" ||
		{ echo "ai.sh: the npm servers are not installed (make lab-npm)" >&2; exit 2; }
fi
envv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }

# ADDR:PORT=EXPECTED ("" = no finding: a refusing twin or a decoy)
N=$(envv EXPO_LAB_AINPM_NET)
SERVERS=(
	"$N.1:1880=nodered.no_auth" "$N.2:1880="
	"$N.3:5678=n8n.no_owner" "$N.4:5678="
	"$N.5:3001=mcp.no_auth" "$N.6:3001=mcp.no_auth" "$N.7:3001="
	"$N.8:9400=mcp.no_auth" "$N.9:8000=mcp.no_auth"
	"$N.26:1880=" "$N.26:5678=" "$N.26:3001="
)
CHECKS=n8n,nodered,mcp
if [ "$(envv EXPO_LAB_AIAPI)" = 1 ]; then
	A=$(envv EXPO_LAB_AIAPI_NET)
	SERVERS+=(
		"$A.1:11434=ollama.no_auth" "$A.2:11434="
		"$A.3:8000=openai_api.no_auth" "$A.4:8000="
		"$A.5:8080=openai_api.no_auth" "$A.6:4000="
		"$A.7:3000=open_webui.no_auth" "$A.8:8080=open_webui.open_signup"
		"$A.9:3000=open_webui.open_signup" "$A.10:8080="
		"$A.11:8188=comfyui.no_auth" "$A.12:8188="
		"$A.13:7860=langflow.no_auth" "$A.14:7860="
		"$A.15:8080=jenkins.anonymous_admin" "$A.16:8080=jenkins.anonymous_read"
		"$A.17:8080=" "$A.18:4646=nomad.no_auth" "$A.19:4646="
		"$A.20:8265=ray.no_auth" "$A.21:8265="
		"$A.22:11434=" "$A.22:8080=" "$A.23:8080="
	)
	CHECKS=$CHECKS,ollama,openai_api,open_webui,comfyui,langflow,jenkins,nomad,ray
else
	echo "ai.sh: the replayed AI lab (aiapi) is not running: Ollama, OpenAI-compatible, Open WebUI, ComfyUI, Langflow, Jenkins, Nomad and Ray left out" >&2
fi

# hosts and ports: the same for both tools; 9400 is named by the inventory
: >"$WORK/hosts"
: >"$WORK/expo.list"
PORTS=""
for s in "${SERVERS[@]}"; do
	hp=${s%%=*}
	h=${hp%:*}
	p=${hp#*:}
	grep -qx "$h" "$WORK/hosts" || echo "$h" >>"$WORK/hosts"
	if [ "$p" = 9400 ]; then
		echo "$hp check=mcp" >>"$WORK/expo.list"
	else
		grep -qx "$h" "$WORK/expo.list" || echo "$h" >>"$WORK/expo.list"
		PORTS="$PORTS,$p"
	fi
done
PORTS=$(echo "${PORTS#,}" | tr , '\n' | sort -un | paste -sd, -)
NMAP_PORTS=$PORTS,9400

measure() {	# measure NAME CMD...: wall seconds of CMD
	local name=$1 rc=0
	shift
	echo "  running $name ..." >&2
	/usr/bin/time -o "$WORK/$name.time" -f '%e' "$@" >"$WORK/$name.log" 2>&1 || rc=$?
	if [ "$rc" -ge 2 ]; then
		echo "ai.sh: $name exited $rc" >&2
		tail -n 5 "$WORK/$name.log" >&2
		exit 1
	fi
	tail -n 1 "$WORK/$name.time"
}

T_NMAP=$(measure nmap nmap -sV -Pn -n --script "$SCRIPTS" -p "$NMAP_PORTS" \
	-iL "$WORK/hosts" -oN "$WORK/nmap.txt")
T_EXPO=$(measure expo "$EXPOSURE" scan "$WORK/expo.list" --checks "$CHECKS" \
	--ports "$PORTS" --timeout "$TIMEOUT_MS" --json "$WORK/expo.json" \
	--fail-on none -q)

jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/expo.json" |
	sort >"$WORK/expo.found"
# nmap: per ADDR:PORT its service column, then the first script line
awk '/^Nmap scan report for / { h = $5 }
	/^[0-9]+\/tcp +open/ { split($1, a, "/"); p = a[1]; v = $3; for (i = 4; i <= NF && i < 7; i++) v = v " " $i; print h ":" p "\tsvc\t" v }
	/^\|[ _]?http-title:/ { s = $0; sub(/^\|[ _]?/, "", s); print h ":" p "\ttitle\t" substr(s, 1, 44) }' \
	"$WORK/nmap.txt" | sort >"$WORK/nmap.found"

echo
printf '%-20s %-26s %-26s %s\n' "server" "expected" "exposure" "nmap -sV (service | title)"
MISS=0
FALSE=0
for s in "${SERVERS[@]}"; do
	hp=${s%%=*}
	want=${s#*=}
	e=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	m=$(awk -F'\t' -v k="$hp" '$1 == k && $2 == "svc" { s = $3 } $1 == k && $2 == "title" { t = $3 } END { printf "%s%s", s, (t != "" ? " | " t : "") }' "$WORK/nmap.found")
	[ "$e" = "$want" ] || { [ -n "$want" ] && MISS=$((MISS + 1)) || FALSE=$((FALSE + 1)); }
	printf '%-20s %-26s %-26s %s\n' "$hp" "${want:--}" "${e:--}" "${m:--}"
done
NE=$(wc -l <"$WORK/expo.found")
NS=$(awk -F'\t' '$2 == "svc"' "$WORK/nmap.found" | wc -l)
NT=$(awk -F'\t' '$2 == "title"' "$WORK/nmap.found" | wc -l)
EXPO_ERR=$(jq -r '"\(.summary.statuses.timeout) timeout, \(.summary.statuses.error) error"' "$WORK/expo.json")
echo
echo "servers: ${#SERVERS[@]}; hosts: $(wc -l <"$WORK/hosts"); ports: $NMAP_PORTS"
echo "exposure: ${T_EXPO}s wall, $NE findings (proven access), $MISS missed, $FALSE unexpected; $EXPO_ERR"
echo "nmap -sV + $SCRIPTS: ${T_NMAP}s wall, $NS open ports named, $NT titles (information, no verdict on authentication)"
RATIO=$(awk -v a="$T_EXPO" -v b="$T_NMAP" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 99) }')
echo "ratio exposure/nmap: $RATIO (target <= 0.050)"
FAIL=0
if [ "$MISS" = 0 ] && [ "$FALSE" = 0 ]; then
	echo "PASS findings: every open door proven, no finding on a twin or decoy"
else
	echo "FAIL findings: $MISS missed, $FALSE unexpected"
	FAIL=1
fi
if awk -v r="$RATIO" 'BEGIN { exit !(r <= 0.05) }'; then
	echo "PASS wall time: exposure <= 1/20 of nmap"
else
	echo "FAIL wall time: exposure > 1/20 of nmap"
	FAIL=1
fi
exit $FAIL

#!/usr/bin/env bash
# rdp.sh - exposure's RDP check against nmap's rdp-enum-encryption and
# rdp-ntlm-info, in one run, on the same lab servers.
#
# Servers: the rdp lab (tests/lab/lab.d/rdp.sh): xrdp "legacy" (standard
# RDP security, 40-bit, level Low), xrdp "tls" (TLS without NLA), and
# FreeRDP's shadow server with NLA enforced. The lab in $EXPO_LAB_DIR is
# used if it runs the rdp plugin; otherwise this script starts its own
# (LAB_ONLY=rdp) and stops it on exit.
# Per host, each tool alone (so wall time is per host): exposure
# --checks rdp --no-login (nmap's scripts try no password either), and
# nmap -Pn -n -p 3389 --script rdp-enum-encryption,rdp-ntlm-info. Then
# exposure once more on the NLA server with logins, for information.
# Prints each tool's wall time and what it found (exposure: rule ids and
# the NLA verdict; nmap: its security layers, encryption level and NTLM
# names). PASS: on every host exposure <= 1/5 of nmap's wall time, and
# exposure states the NLA verdict of every host.
# Traffic goes only to 127.0.50.0/24. Run as root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}

[ "$(id -u)" = 0 ] || { echo "rdp.sh: run as root (the lab)" >&2; exit 2; }
for t in nmap python3; do
	command -v $t >/dev/null || { echo "rdp.sh: $t is missing" >&2; exit 2; }
done
[ -x "$EXPOSURE" ] || { echo "rdp.sh: $EXPOSURE missing (make exposure)" >&2; exit 2; }
case $("$EXPOSURE" checks 2>/dev/null) in
*rdp.nla_not_required*) ;;
*) echo "rdp.sh: $EXPOSURE has no rdp check (build with freerdp2 winpr2)" >&2; exit 2 ;;
esac

WORK=$(mktemp -d /tmp/expo-bench-rdp.XXXXXX)
OWN_LAB=0
cleanup() {
	if [ "$OWN_LAB" = 1 ]; then
		"$ROOT/tests/lab/lab.sh" stop "$WORK/lab" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

LAB=${EXPO_LAB_DIR:-}
if [ -z "$LAB" ] || ! grep -q '^EXPO_LAB_RDP_NLA=' "$LAB/lab.env" 2>/dev/null; then
	LAB=$WORK/lab
	LAB_ONLY=rdp "$ROOT/tests/lab/lab.sh" start "$LAB" >/dev/null || {
		echo "rdp.sh: cannot start the rdp lab" >&2; exit 2; }
	OWN_LAB=1
fi
getenv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }
HOSTS="legacy:$(getenv EXPO_LAB_RDP_LEGACY) tls:$(getenv EXPO_LAB_RDP_TLS) nla:$(getenv EXPO_LAB_RDP_NLA)"

now() { date +%s.%N; }

# what exposure found on one host: rule ids, and the NLA verdict
expo_found() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rules = sorted(f["rule"] if "rule" in f else f.get("rule_id", "?")
               for f in d.get("findings", []))
nla = "NLA NOT required" if "rdp.nla_not_required" in rules else None
st = [p for t in d.get("targets", []) for p in t.get("ports", [])
      if p.get("check") == "rdp"]
ok = st and st[0].get("status") == "open"
if nla is None:
    nla = "NLA required" if ok else "no verdict (%s)" % (st[0].get("reason") if st else "no record")
enc = ""
for f in d.get("findings", []):
    ev = f.get("evidence", "")
    if "encryption method" in ev:
        enc = "; " + ev[ev.index("encryption method"):].split(";")[0]
print("%s; %s%s" % (nla, ",".join(rules) or "(no findings)", enc))
PY
}

# what nmap found: the security layers that succeeded, the encryption
# level, the NetBIOS name
nmap_found() {
	awk '
	/SUCCESS/ { gsub(/^[|_ ]+/, ""); sub(/: SUCCESS/, ""); ok = ok (ok ? "," : "") $0 }
	/RDP Encryption level/ { sub(/.*level: /, ""); lvl = $0 }
	/NetBIOS_Computer_Name/ { sub(/.*Name: /, ""); nb = $0 }
	END { printf "layers=%s; level=%s; netbios=%s\n", ok ? ok : "-", lvl ? lvl : "-", nb ? nb : "-" }' "$1"
}

pass=1
printf '%-7s %-15s %9s %9s %7s\n' host address exposure nmap ratio
for h in $HOSTS; do
	name=${h%%:*}
	addr=${h#*:}
	echo "$addr" >"$WORK/t_$name"
	t0=$(now)
	"$EXPOSURE" scan "$WORK/t_$name" --checks rdp --no-login --fail-on none -q \
		--json "$WORK/e_$name.json" >/dev/null 2>"$WORK/e_$name.err" || true
	t1=$(now)
	nmap -Pn -n -p 3389 --script rdp-enum-encryption,rdp-ntlm-info "$addr" \
		>"$WORK/n_$name.txt" 2>&1 || true
	t2=$(now)
	e=$(echo "$t1 - $t0" | bc -l)
	n=$(echo "$t2 - $t1" | bc -l)
	r=$(echo "$e / $n" | bc -l)
	printf '%-7s %-15s %8.2fs %8.2fs %7.3f\n' "$name" "$addr" "$e" "$n" "$r"
	printf '        exposure: %s\n' "$(expo_found "$WORK/e_$name.json")"
	printf '        nmap:     %s\n' "$(nmap_found "$WORK/n_$name.txt")"
	if [ "$(echo "$r > 0.2" | bc -l)" = 1 ]; then
		echo "        MISSED: exposure > 1/5 of nmap's wall time"
		pass=0
	fi
	case $(expo_found "$WORK/e_$name.json") in
	"NLA NOT required"*|"NLA required"*) ;;
	*) echo "        MISSED: no NLA verdict"; pass=0 ;;
	esac
done

# logins over NLA (built-in list, 3 attempts per account), for the record
addr=$(getenv EXPO_LAB_RDP_NLA)
echo "$addr" >"$WORK/t_login"
t0=$(now)
"$EXPOSURE" scan "$WORK/t_login" --checks rdp --fail-on none -q \
	--json "$WORK/e_login.json" >/dev/null 2>&1 || true
t1=$(now)
printf 'nla with logins (built-in list): %.2fs: %s\n' "$(echo "$t1 - $t0" | bc -l)" \
	"$(expo_found "$WORK/e_login.json")"
echo "(nmap's scripts test no credentials; hydra's rdp module is not compared: without NLA it reports every password valid, and its CredSSP support is what FreeRDP gives us)"

if [ $pass = 1 ]; then
	echo "rdp: PASS (exposure <= 1/5 of nmap's wall time on every host, NLA verdict stated)"
else
	echo "rdp: FAIL"
	exit 1
fi

#!/usr/bin/env bash
# classic-ftp-telnet.sh - exposure's ftp and telnet checks against nmap's
# scripts (ftp-anon, telnet-brute) and hydra (ftp, telnet; -t 4), in one
# run each, on the same lab servers.
#
# Servers: the lab's vsftpd (tests/lab/lab.d/ftp.sh: anonymous read,
# anonymous write twice, the refusing twin) and inetutils telnetd
# (tests/lab/lab.d/telnet.sh: admin/admin, the twin with a random
# password). The lab in $EXPO_LAB_DIR is used if it runs both plugins;
# otherwise this script starts its own (LAB_ONLY="ftp telnet") and stops
# it on exit.
# The same credentials for all: exposure's built-in telnet list as its
# default cap (3 per account) tries it, the six pairs root:, admin:,
# root:root, admin:admin, root:password, admin:password: hydra -C gets
# exactly these; nmap's telnet-brute gets users root, admin and passwords
# root, admin, password with brute.emptypass (eight pairs: those six and
# root:admin, admin:root). FTP: anonymous with an e-mail password for
# hydra (what exposure sends); ftp-anon logs in as anonymous itself.
# exposure runs without --intrusive (it never writes by default).
# Prints wall times, per server what each tool found, and the ratio
# exposure / (nmap + hydra). PASS: exposure states every finding the
# others state on the weak servers, none on the twins, and its wall time
# is at most 1/5 of theirs combined. Traffic goes only to 127.0.0.0/8.
# Run as root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
TIMEOUT_MS=${TIMEOUT_MS:-2000}

[ "$(id -u)" = 0 ] || { echo "classic-ftp-telnet.sh: run as root (the lab)" >&2; exit 2; }
for t in nmap hydra jq awk; do
	command -v $t >/dev/null || { echo "classic-ftp-telnet.sh: $t is missing" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "classic-ftp-telnet.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }
[ -x "$EXPOSURE" ] || { echo "classic-ftp-telnet.sh: $EXPOSURE missing (make exposure)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/expo-bench-ftptel.XXXXXX)
# the lab's daemons that drop to their own users (RabbitMQ, Tomcat,
# mosquitto, ZooKeeper) read their files under it
chmod 755 "$WORK"
OWN_LAB=""
cleanup() {
	[ -n "$OWN_LAB" ] && "$ROOT/tests/lab/lab.sh" stop "$OWN_LAB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LAB=${EXPO_LAB_DIR:-}
if [ -z "$LAB" ] || ! grep -qx 'EXPO_LAB_FTP=1' "$LAB/lab.env" 2>/dev/null ||
	! grep -qx 'EXPO_LAB_TELNET=1' "$LAB/lab.env"; then
	OWN_LAB=$WORK/lab
	LAB=$OWN_LAB
	echo "classic-ftp-telnet.sh: starting a lab (ftp telnet) in $LAB" >&2
	LAB_ONLY="ftp telnet" "$ROOT/tests/lab/lab.sh" start "$LAB" >&2 ||
		{ echo "classic-ftp-telnet.sh: the lab did not start" >&2; exit 2; }
fi
envv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }

F=$(envv EXPO_LAB_FTP_NET)
T=$(envv EXPO_LAB_TELNET_NET)
# ADDR:PORT=EXPECTED (exposure's rules, comma-joined; "" = the twin)
SERVERS=(
	"$F.1:21=ftp.anonymous_login" "$F.2:21=ftp.anonymous_login"
	"$F.4:21=ftp.anonymous_login" "$F.3:21="
	"$T.1:23=telnet.cleartext_login,telnet.default_credentials"
	"$T.2:23=telnet.cleartext_login"
)
printf '%s\n' "$F.1" "$F.2" "$F.4" "$F.3" >"$WORK/ftp.hosts"
printf '%s\n' "$T.1" "$T.2" >"$WORK/telnet.hosts"
cat "$WORK/ftp.hosts" "$WORK/telnet.hosts" >"$WORK/hosts"
printf '%s\n' root: admin: root:root admin:admin root:password admin:password >"$WORK/pairs"
printf '%s\n' root admin >"$WORK/users"
printf '%s\n' root admin password >"$WORK/passwords"

measure() {	# measure NAME CMD...: wall seconds of CMD
	local name=$1 rc=0
	shift
	echo "  running $name ..." >&2
	/usr/bin/time -o "$WORK/$name.time" -f '%e' "$@" >"$WORK/$name.log" 2>&1 || rc=$?
	if [ "$rc" -ge 2 ] && [ "$name" != hydra-ftp ] && [ "$name" != hydra-telnet ]; then
		echo "classic-ftp-telnet.sh: $name exited $rc" >&2
		tail -n 5 "$WORK/$name.log" >&2
		exit 1
	fi
	tail -n 1 "$WORK/$name.time"
}

T_NMAP_FTP=$(measure nmap-ftp nmap -Pn -n -p 21 --script ftp-anon \
	-iL "$WORK/ftp.hosts" -oN "$WORK/nmap-ftp.txt")
T_NMAP_TEL=$(measure nmap-telnet nmap -Pn -n -p 23 --script telnet-brute \
	--script-args "userdb=$WORK/users,passdb=$WORK/passwords,brute.emptypass=true,telnet-brute.timeout=8s" \
	-iL "$WORK/telnet.hosts" -oN "$WORK/nmap-telnet.txt")
T_HYDRA_FTP=$(measure hydra-ftp hydra -t 4 -l anonymous -p exposure@example.com \
	-M "$WORK/ftp.hosts" -o "$WORK/hydra-ftp.txt" ftp)
T_HYDRA_TEL=$(measure hydra-telnet hydra -t 4 -C "$WORK/pairs" -W 1 \
	-M "$WORK/telnet.hosts" -o "$WORK/hydra-telnet.txt" telnet)
T_EXPO=$(measure expo "$EXPOSURE" scan "$WORK/hosts" --checks ftp,telnet \
	--timeout "$TIMEOUT_MS" --json "$WORK/expo.json" --fail-on none -q)

jq -r '.findings[] | "\(.target.address):\(.port)\t\(.rule)"' "$WORK/expo.json" |
	sort >"$WORK/expo.found"
# nmap: "Anonymous FTP login allowed" per host; telnet-brute's "Valid
# credentials" lines
awk '/^Nmap scan report for / { h = $5 }
	/Anonymous FTP login allowed/ { print h ":21\tanonymous" }
	/ - Valid credentials/ { s = $0; sub(/^\|[ _]*/, "", s); sub(/ - Valid credentials.*/, "", s); print h ":23\t" s }' \
	"$WORK/nmap-ftp.txt" "$WORK/nmap-telnet.txt" | sort >"$WORK/nmap.found"
# hydra: "[21][ftp] host: ADDR   login: L   password: P"
sed -n 's/^\[\([0-9]*\)\]\[[a-z]*\] host: \([0-9.]*\) *login: \([^ ]*\) *password: *\(.*\)$/\2:\1\t\3:\4/p' \
	"$WORK/hydra-ftp.txt" "$WORK/hydra-telnet.txt" 2>/dev/null | sort >"$WORK/hydra.found"

echo
printf '%-16s %-50s %-22s %s\n' "server" "exposure" "nmap" "hydra"
MISS=0
FALSE=0
for s in "${SERVERS[@]}"; do
	hp=${s%%=*}
	want=${s#*=}
	e=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/expo.found")
	n=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/nmap.found")
	h=$(awk -F'\t' -v k="$hp" '$1 == k { printf "%s%s", sep, $2; sep = "," }' "$WORK/hydra.found")
	[ "$e" = "$want" ] || { [ -n "$want" ] && MISS=$((MISS + 1)) || FALSE=$((FALSE + 1)); }
	# what the others state, exposure must state too
	if [ -n "$n$h" ]; then
		case $hp in
		*:21) [[ $e == *ftp.anonymous_login* ]] || MISS=$((MISS + 1)) ;;
		*:23) [[ $e == *telnet.default_credentials* ]] || MISS=$((MISS + 1)) ;;
		esac
	fi
	printf '%-16s %-50s %-22s %s\n' "$hp" "${e:--}" "${n:--}" "${h:--}"
done
EXPO_ERR=$(jq -r '"\(.summary.statuses.timeout) timeout, \(.summary.statuses.error) error"' "$WORK/expo.json")
T_THEIRS=$(awk -v a="$T_NMAP_FTP" -v b="$T_NMAP_TEL" -v c="$T_HYDRA_FTP" -v d="$T_HYDRA_TEL" 'BEGIN { printf "%.2f", a + b + c + d }')
echo
echo "exposure (ftp,telnet): ${T_EXPO}s wall; $MISS missed, $FALSE unexpected; $EXPO_ERR"
echo "nmap ftp-anon: ${T_NMAP_FTP}s; nmap telnet-brute: ${T_NMAP_TEL}s; hydra ftp: ${T_HYDRA_FTP}s; hydra telnet -t 4: ${T_HYDRA_TEL}s; combined ${T_THEIRS}s"
RATIO=$(awk -v a="$T_EXPO" -v b="$T_THEIRS" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 99) }')
# one line for classic.sh, which adds the family up
echo "classic-part exposure=$T_EXPO peers=$T_THEIRS missed=$MISS unexpected=$FALSE"
echo "ratio exposure/(nmap + hydra): $RATIO (target <= 0.200)"
FAIL=0
if [ "$MISS" = 0 ] && [ "$FALSE" = 0 ]; then
	echo "PASS findings: every finding of nmap and hydra stated, none on a twin"
else
	echo "FAIL findings: $MISS missed, $FALSE unexpected"
	FAIL=1
fi
if awk -v r="$RATIO" 'BEGIN { exit !(r <= 0.2) }'; then
	echo "PASS wall time: exposure <= 1/5 of nmap + hydra"
else
	echo "FAIL wall time: exposure > 1/5 of nmap + hydra"
	FAIL=1
fi
exit $FAIL

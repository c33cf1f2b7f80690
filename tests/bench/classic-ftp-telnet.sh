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

TIMEOUT_MS=${TIMEOUT_MS:-2000}

# shellcheck source=tests/bench/classic-lib.sh
. "$(dirname "$0")/classic-lib.sh"
MEASURE_MAY_FAIL="hydra-ftp hydra-telnet"
classic_setup ftptel "ftp telnet" "EXPO_LAB_FTP=1 EXPO_LAB_TELNET=1" nmap hydra jq awk

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
FINDINGS_OK=1
[ "$MISS" = 0 ] && [ "$FALSE" = 0 ] && FINDINGS_OK=0
classic_verdict "$T_EXPO" "$T_THEIRS" "$FINDINGS_OK" \
	"every finding of nmap and hydra stated, none on a twin" \
	"$MISS missed, $FALSE unexpected"

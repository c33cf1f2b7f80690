#!/usr/bin/env bash
# pg.sh - exposure's PostgreSQL logins against hydra's postgres module and
# nmap's pgsql-brute, in one run, same credential list, same servers.
#
# Servers: the pg lab (tests/lab/lab.d/pg.sh): trust, md5 (postgres/
# postgres), SCRAM non-superuser (admin/password), SCRAM superuser over
# TLS (root/123456), hardened (SCRAM over TLS, random password). The lab
# in $EXPO_LAB_DIR is used if it runs the pg plugin; otherwise this script
# starts its own (LAB_ONLY=pg) and stops it on exit.
# Credentials: USERS x PASSWORDS below, the same file for every tool;
# USERS is the pg check's built-in user list, so that exposure, after
# --creds with --max-attempts = the list length, tries nothing more.
# Each tool runs with its defaults otherwise (hydra: 16 tasks per target;
# nmap: pgsql-brute's own engine; exposure: one connection per server).
# exposure runs twice: with its own login for guesses (pg_wire.c, the
# default) and as before with libpq for every guess (EXPOSURE_PG_LIBPQ=1,
# the row "exposure-libpq").
# Prints wall time, attempts per second and the (server, user) pairs each
# tool found. PASS: exposure wall <= 0.3 x hydra wall, and exposure found
# every pair that hydra or nmap found (nmap cannot do SCRAM), the same as
# exposure-libpq.
# Traffic goes only to 127.0.20.0/24. Run as root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
USERS="postgres admin root user pgsql postgresql dbadmin test"
PASSWORDS="qwerty letmein changeme secret 12345678 abc123 welcome dbpass
master 111111 iloveyou monkey dragon trustno1 postgres password 123456
admin root test"

[ "$(id -u)" = 0 ] || { echo "pg.sh: run as root (the lab)" >&2; exit 2; }
for t in hydra nmap python3; do
	command -v $t >/dev/null || { echo "pg.sh: $t is missing" >&2; exit 2; }
done
[ -x "$EXPOSURE" ] || { echo "pg.sh: $EXPOSURE missing (make exposure)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/expo-bench-pg.XXXXXX)
# the lab runs PostgreSQL as the postgres user: it must reach the lab dir
chmod 755 "$WORK"
OWN_LAB=0
cleanup() {
	[ "$OWN_LAB" = 1 ] && "$ROOT/tests/lab/lab.sh" stop "$WORK/lab" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT

LAB=${EXPO_LAB_DIR:-}
if [ -z "$LAB" ] || ! grep -q '^EXPO_LAB_PG_MD5=' "$LAB/lab.env" 2>/dev/null; then
	LAB=$WORK/lab
	LAB_ONLY=pg "$ROOT/tests/lab/lab.sh" start "$LAB" >/dev/null || {
		echo "pg.sh: cannot start the pg lab" >&2; exit 2; }
	OWN_LAB=1
fi
getenv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }
TARGETS="$(getenv EXPO_LAB_PG_TRUST) $(getenv EXPO_LAB_PG_MD5) $(getenv EXPO_LAB_PG_SCRAMUSER) $(getenv EXPO_LAB_PG_SCRAMSUPER) $(getenv EXPO_LAB_PG_HARDENED)"

printf '%s\n' $USERS >"$WORK/users"
printf '%s\n' $PASSWORDS >"$WORK/passwords"
printf '%s\n' $TARGETS >"$WORK/targets"
: >"$WORK/creds"
for u in $USERS; do
	for p in $PASSWORDS; do
		echo "$u:$p" >>"$WORK/creds"
	done
done
NU=$(wc -l <"$WORK/users")
NP=$(wc -l <"$WORK/passwords")
NT=$(wc -l <"$WORK/targets")
PAIRS=$((NU * NP * NT))

now() { date +%s.%N; }

# exposure: --creds first; --max-attempts = the list length per account
t0=$(now)
"$EXPOSURE" scan "$WORK/targets" --checks pg --creds "$WORK/creds" \
	--max-attempts "$NP" --show-secrets --fail-on none -q \
	--json "$WORK/exposure.json" >/dev/null 2>"$WORK/exposure.err" || true
t1=$(now)
found() {
python3 - "$1" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
for f in d.get("findings", []):
    addr = f.get("address") or f.get("target", {}).get("address")
    if f["rule"] == "pg.default_credentials" and f.get("secret"):
        for pair in f["secret"].split(", "):
            print("%s %s" % (addr, pair.split(":", 1)[0]))
    elif f["rule"] == "pg.trust_auth":
        m = re.search(r"asked for as (.*)$", f["evidence"])
        for u in (m.group(1).split(", ") if m else []):
            print("%s %s" % (addr, u.split(" ")[0]))
PY
}
found "$WORK/exposure.json" | sort -u >"$WORK/exposure.found"

# the same with libpq for every guess (the row before the own login)
t6=$(now)
EXPOSURE_PG_LIBPQ=1 "$EXPOSURE" scan "$WORK/targets" --checks pg \
	--creds "$WORK/creds" --max-attempts "$NP" --show-secrets \
	--fail-on none -q --json "$WORK/libpq.json" >/dev/null \
	2>"$WORK/libpq.err" || true
t7=$(now)
found "$WORK/libpq.json" | sort -u >"$WORK/exposure-libpq.found"

t2=$(now)
hydra -L "$WORK/users" -P "$WORK/passwords" -M "$WORK/targets" -I \
	-o "$WORK/hydra.out" postgres >"$WORK/hydra.log" 2>&1 || true
t3=$(now)
sed -n 's/.*host: \([0-9.]*\) *login: \([^ ]*\) .*/\1 \2/p' "$WORK/hydra.out" |
	sort -u >"$WORK/hydra.found"

t4=$(now)
nmap -n -Pn -p5432 --script pgsql-brute --script-args \
	"userdb=$WORK/users,passdb=$WORK/passwords,unpwdb.timelimit=0,brute.firstonly=false" \
	$TARGETS -oN "$WORK/nmap.out" >/dev/null 2>&1 || true
t5=$(now)
awk '/^Nmap scan report for/ { h = $NF }
     /Valid credentials/ { sub(/^\|[_ ]*/, ""); split($1, a, ":"); print h, a[1] }' \
	"$WORK/nmap.out" | sort -u >"$WORK/nmap.found"

python3 - "$PAIRS" "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$t6" "$t7" "$WORK" <<'PY'
import sys
pairs = int(sys.argv[1])
t = [float(x) for x in sys.argv[2:10]]
work = sys.argv[10]
wall = {"exposure": t[1] - t[0], "hydra": t[3] - t[2], "nmap": t[5] - t[4],
        "exposure-libpq": t[7] - t[6]}
found = {k: set(l.strip() for l in open("%s/%s.found" % (work, k)) if l.strip())
         for k in wall}
print("pg logins: %d (server, user, password) triples in the list" % pairs)
print("%-14s %9s %12s  %s" % ("tool", "wall s", "list/s", "found (server user)"))
for k in ("exposure", "exposure-libpq", "hydra", "nmap"):
    print("%-14s %9.2f %12.1f  %s" % (k, wall[k], pairs / wall[k],
          ", ".join(sorted(found[k])) or "-"))
r_h = wall["exposure"] / wall["hydra"]
r_n = wall["exposure"] / wall["nmap"]
r_l = wall["exposure-libpq"] / wall["hydra"]
print("ratio exposure/hydra wall: %.3f (target <= 0.3)" % r_h)
print("ratio exposure-libpq/hydra wall: %.3f (the libpq row)" % r_l)
print("ratio exposure/nmap wall:  %.3f" % r_n)
missing = (found["hydra"] | found["nmap"]) - found["exposure"]
common = found["hydra"] & found["nmap"]
print("found by all three: %s" % (", ".join(sorted(common & found["exposure"])) or "-"))
print("found by exposure only: %s" % (", ".join(sorted(found["exposure"] - found["hydra"] - found["nmap"])) or "-"))
print("found by a peer but not by exposure: %s" % (", ".join(sorted(missing)) or "-"))
same = found["exposure"] == found["exposure-libpq"]
print("own login and libpq found the same: %s" % ("yes" if same else "NO"))
ok = r_h <= 0.3 and not missing and found["exposure"] and same
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY

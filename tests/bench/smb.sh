#!/usr/bin/env bash
# smb.sh - exposure's SMB check against hydra (smb) and nmap (smb-brute,
# smb2-security-mode, smb-protocols, smb-enum-shares), in one run, same
# credential list, same servers.
#
# Servers: the smb lab (tests/lab/lab.d/smb.sh): open (SMB1, signing not
# required, null session, guest, a public share), hardened, weak
# (admin/admin). The lockout server is left out (brute forcing it would
# lock its account for the tests). The lab in $EXPO_LAB_DIR is used if it
# runs the smb plugin; otherwise this script starts its own (LAB_ONLY=smb)
# and stops it on exit.
# Credentials: USERS x ("" + PASSWORDS), the same lists for every tool;
# exposure gets them with --creds and --max-attempts = passwords per user.
# hydra: Debian's hydra 9.4 is built without libsmbclient, so its smb2
# module is not available ("Compiled without LIBSMBCLIENT support"); its
# smb module (SMB1, NTLM) runs instead, with -e n for the empty password.
# Prints wall time and the findings of each tool, as exposure rule ids
# per server. PASS: exposure wall <= 0.5 x (hydra + nmap wall), and
# exposure found everything hydra or nmap found.
# Traffic goes only to 127.0.40.0/24. Run as root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
USERS="administrator admin user backup test"
PASSWORDS="password 123456 admin Password1 P@ssw0rd letmein"

[ "$(id -u)" = 0 ] || { echo "smb.sh: run as root (the lab)" >&2; exit 2; }
for t in hydra nmap python3; do
	command -v $t >/dev/null || { echo "smb.sh: $t is missing" >&2; exit 2; }
done
[ -x "$EXPOSURE" ] || { echo "smb.sh: $EXPOSURE missing (make exposure)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/expo-bench-smb.XXXXXX)
OWN_LAB=0
cleanup() {
	if [ "$OWN_LAB" = 1 ]; then
		"$ROOT/tests/lab/lab.sh" stop "$WORK/lab" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

LAB=${EXPO_LAB_DIR:-}
if [ -z "$LAB" ] || ! grep -q '^EXPO_LAB_SMB_OPEN=' "$LAB/lab.env" 2>/dev/null; then
	LAB=$WORK/lab
	LAB_ONLY=smb "$ROOT/tests/lab/lab.sh" start "$LAB" >/dev/null || {
		echo "smb.sh: cannot start the smb lab" >&2; exit 2; }
	OWN_LAB=1
fi
getenv() { sed -n "s/^$1=//p" "$LAB/lab.env" | tail -n 1; }
TARGETS="$(getenv EXPO_LAB_SMB_OPEN) $(getenv EXPO_LAB_SMB_HARDENED) $(getenv EXPO_LAB_SMB_WEAK)"

printf '%s\n' $USERS >"$WORK/users"
printf '%s\n' $PASSWORDS >"$WORK/passwords"
printf '%s\n' $TARGETS >"$WORK/targets"
: >"$WORK/creds"
for u in $USERS; do
	echo "$u:" >>"$WORK/creds"
	for p in $PASSWORDS; do
		echo "$u:$p" >>"$WORK/creds"
	done
done
NP=$(($(wc -l <"$WORK/passwords") + 1))

now() { date +%s.%N; }

# exposure
t0=$(now)
"$EXPOSURE" scan "$WORK/targets" --checks smb --creds "$WORK/creds" \
	--max-attempts "$NP" --show-secrets --fail-on none -q \
	--json "$WORK/exposure.json" >/dev/null 2>"$WORK/exposure.err" || true
t1=$(now)
python3 - "$WORK/exposure.json" >"$WORK/exposure.found" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
addr = {}
for t in d.get("targets", []):
    for a in t.get("addresses", []):
        addr[t["id"]] = a["address"]
for f in d.get("findings", []):
    a = f.get("address") or addr.get(f.get("target", {}).get("id")
                                     if isinstance(f.get("target"), dict)
                                     else f.get("target"), "?")
    print(a, f["rule"])
PY

# hydra: smb (SMB1) module, one run over every server
t2=$(now)
hydra -L "$WORK/users" -P "$WORK/passwords" -e n -I -M "$WORK/targets" \
	smb >"$WORK/hydra.out" 2>&1 || true
t3=$(now)
# "[445][smb] host: ADDR   login: U   password: P"
awk '/\[smb\] host:/ { print $3, "smb.weak_credentials" }' \
	"$WORK/hydra.out" | sort -u >"$WORK/hydra.found"

# nmap: the four scripts, same user and password lists
t4=$(now)
nmap -Pn -n -p445 --script smb-brute,smb2-security-mode,smb-protocols,smb-enum-shares \
	--script-args "userdb=$WORK/users,passdb=$WORK/passwords" \
	-oN "$WORK/nmap.out" $TARGETS >/dev/null 2>&1 || true
t5=$(now)
python3 - "$WORK/nmap.out" >"$WORK/nmap.found" <<'PY'
import re, sys
host = None
share = None
found = set()
for line in open(sys.argv[1]):
    m = re.match(r"Nmap scan report for (\S+)", line)
    if m:
        host = m.group(1)
        continue
    if host is None:
        continue
    if "(SMBv1)" in line:
        found.add((host, "smb.smbv1"))
    if "signing enabled but not required" in line or "signing disabled" in line:
        found.add((host, "smb.signing_not_required"))
    if "account_used: guest" in line:
        found.add((host, "smb.guest_access"))
    m = re.search(r"\\\\[^\\]+\\(\S+?):\s*$", line)
    if m:
        share = m.group(1)
    m = re.search(r"Anonymous access: (\S+)", line)
    if m and share and m.group(1) != "<none>":
        found.add((host, "smb.null_session" if share == "IPC$"
                   else "smb.anonymous_share_read"))
    if re.search(r"Valid credentials", line):
        found.add((host, "smb.weak_credentials"))
for h, r in sorted(found):
    print(h, r)
PY

python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$t5" "$WORK" <<'PY'
import sys
t = [float(x) for x in sys.argv[1:7]]
work = sys.argv[7]
ex, hy, nm = t[1] - t[0], t[3] - t[2], t[5] - t[4]
def load(name):
    return set(tuple(l.split()) for l in open(f"{work}/{name}.found") if l.strip())
e, h, n = load("exposure"), load("hydra"), load("nmap")
print(f"{'tool':10} {'wall s':>7}  findings (server rule)")
for name, w, s in (("exposure", ex, e), ("hydra", hy, h), ("nmap", nm, n)):
    print(f"{name:10} {w:7.2f}  {len(s)}")
    for a, r in sorted(s):
        print(f"{'':20}{a} {r}")
missed = (h | n) - e
ratio = ex / (hy + nm) if hy + nm > 0 else float("inf")
print(f"exposure / (hydra + nmap) wall = {ratio:.2f} (target <= 0.50)")
print(f"found by a peer, not by exposure: {sorted(missed) if missed else 'none'}")
print(f"found only by exposure: {sorted(e - h - n)}")
ok = ratio <= 0.5 and not missed
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY

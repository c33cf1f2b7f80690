# tests/lab/lab.d/snmp.sh - SNMP agents for the snmp check, the first UDP
# one (sourced by tests/lab/lab.sh; block 127.0.93.0/24, port 161/udp).
# Debian's net-snmp snmpd, one per address, each started with its own
# config only (-C -c), `agentaddress udp:ADDR:161` and `-I -smux` (else it
# opens SMUX, 199/tcp, on 0.0.0.0: LAB-NOTES.md):
#
#   .1:161/udp  rocommunity public           (weak: the default)
#   .2:161/udp  rwcommunity private only     (weak: the read-write default)
#   .3:161/udp  rocommunity of 32 random letters (the hardened twin; the
#               community is in lab.env so a test can prove it answers)
#   hostile (build/lab/udpfake): .10 silent, .11 garbage, .12 a Response
#   larger than asked (8000-byte sysDescr), .13 a Response from another
#   port and from 127.0.93.99, .14 a Response with another request id
#
# The debs: tests/lab/debs.d/classic.list (snmpd, snmp).

SNMP_NET=127.0.93
LAB_PROCS="$LAB_PROCS|snmpd|udpfake"

# a UDP socket bound to addr:port (snmpd has no "ready" line)
snmp_bound() {
	ss -Hlun 2>/dev/null | awk '{print $4}' | grep -qxE "($1|0\.0\.0\.0|\*|\[::\]):$2"
}

snmp_agent() {
	local name=$1 addr=$2 line=$3 d=$dir/snmp/$1
	mkdir -p "$d/persist" || return 1
	cat >"$d/snmpd.conf" <<CONF
agentaddress udp:$addr:161
$line
sysLocation exposure lab $name
sysContact nobody@example.invalid
CONF
	# SNMP_PERSISTENT_DIR and MIBDIRS keep it out of /var/lib/snmp and
	# quiet about MIB files it does not need
	SNMP_PERSISTENT_DIR=$d/persist MIBS= MIBDIRS=/nonexistent \
		/usr/sbin/snmpd -f -C -c "$d/snmpd.conf" -I -smux \
		-Lf "$d/snmpd.log" -p "$d/snmpd.pid" \
		</dev/null >>"$d/out.log" 2>&1 &
	pid_add $!
	SNMP_WAIT="$SNMP_WAIT $addr"
}

snmp_hostile() {
	local mode=$1 addr=$2
	shift 2
	"$top/build/lab/udpfake" "$mode" "$addr" 161 --lifetime 86400 "$@" \
		</dev/null >>"$dir/snmp/udpfake_$mode.log" 2>&1 &
	pid_add $!
	SNMP_WAIT="$SNMP_WAIT $addr"
}

lab_snmp_start() {
	local n=$SNMP_NET a strong
	SNMP_WAIT=""
	[ -x /usr/sbin/snmpd ] || { echo "lab: snmp: /usr/sbin/snmpd missing (apt-get install snmpd)" >&2; return 1; }
	[ -x "$top/build/lab/udpfake" ] || { echo "lab: snmp: build/lab/udpfake not built (make build/lab/udpfake)" >&2; return 1; }
	for a in 1 2 3 10 11 12 13 14 99; do
		snmp_bound "$n.$a" 161 && { echo "lab: snmp: already bound: $n.$a:161/udp" >&2; return 1; }
	done
	mkdir -p "$dir/snmp" || return 1
	strong=$(tr -dc 'A-Za-z' </dev/urandom | head -c 32)

	snmp_agent weak $n.1 "rocommunity public"
	snmp_agent private $n.2 "rwcommunity private"
	snmp_agent hardened $n.3 "rocommunity $strong"
	snmp_hostile silent $n.10
	snmp_hostile garbage $n.11
	snmp_hostile big $n.12
	snmp_hostile spoof $n.13 --other $n.99
	snmp_hostile stale $n.14

	for a in $SNMP_WAIT; do
		for i in $(seq 100); do
			snmp_bound "$a" 161 && break
			sleep 0.1
		done
		snmp_bound "$a" 161 || { echo "lab: snmp: nothing bound on $a:161/udp after 10 s" >&2; return 1; }
	done
	env_add "EXPO_LAB_SNMP=1"
	env_add "EXPO_LAB_SNMP_NET=$n"
	env_add "EXPO_LAB_SNMP_STRONG=$strong"
	echo "lab: snmp: snmpd public, private-only and a strong twin, hostile UDP agents on $n.0/24"
}

# tests/lab/lab.d/vnc.sh - TigerVNC (Xvnc, Debian's tigervnc-standalone-
# server) for the vnc check (sourced by tests/lab/lab.sh; block
# 127.0.86.0/24). Each Xvnc listens on one address (-interface), has no X11
# TCP listener (-nolisten tcp) and a free display number of its own (from
# :186 up, x_display in lab.sh).
#
#   .1:5900  SecurityTypes None                         (vnc.no_auth)
#   .2:5900  VncAuth, password 123456 (the built-in list's second)
#   .3:5900  VncAuth, a random 8-character password     (the twin)
#   .4:5900  VncAuth, random password, BlacklistThreshold 1: blacklists
#            the client after one failure ("Too many security failures")
#   hostile on 5900: .30 silent, .31 garbage, .32 drip
# .1-.3 never blacklist (BlacklistThreshold 1000000): TigerVNC's default
# (5 failures) would make repeated test runs see refusals that are not
# wrong passwords (LAB-NOTES). .4 is the lockout guard's test server.
# Password files: VNC's obfuscation (DES, the fixed key e84ad660c4721ae0,
# as vncpasswd writes them) through openssl's legacy provider.

VNC_NET=127.0.86
LAB_PROCS="$LAB_PROCS|Xvnc"

vnc_passfile() {
	local pw=$1 out=$2
	printf '%s' "$pw" | head -c 8 | {
		cat
		head -c 8 /dev/zero
	} | head -c 8 |
		openssl enc -des-ecb -nopad -K e84ad660c4721ae0 \
			-provider legacy -provider default >"$out" 2>/dev/null &&
		[ "$(stat -c %s "$out")" = 8 ]
}

vnc_server() {
	local addr=$1 disp=$2 name=$3
	shift 3
	Xvnc ":$disp" -interface "$addr" -rfbport 5900 -nolisten tcp \
		-geometry 640x480 -depth 16 -desktop "$name" "$@" \
		</dev/null >>"$dir/vnc/xvnc_$addr.log" 2>&1 &
	pid_add $!
}

vnc_hostile() {
	local mode=$1 addr=$2 port=$3
	"$HOSTILE" "$mode" "$addr" "$port" --lifetime 86400 \
		</dev/null >>"$dir/vnc/hostile_${mode}_$port.out" 2>&1 &
	pid_add $!
}

lab_vnc_start() {
	local n=$VNC_NET a strong d disp_open disp_weak disp_strong disp_lockout
	command -v Xvnc >/dev/null || { echo "lab: vnc: Xvnc missing (apt-get install tigervnc-standalone-server)" >&2; return 1; }
	[ -x "$HOSTILE" ] || { echo "lab: vnc: $HOSTILE not built (make build/lab/hostile)" >&2; return 1; }
	for a in 1 2 3 4 30 31 32; do
		listening "$n.$a" 5900 && { echo "lab: vnc: already listening on $n.$a:5900" >&2; return 1; }
	done
	d=186
	for a in open weak strong lockout; do
		d=$(x_display "$d") || return 1
		eval "disp_$a=$d"
		d=$((d + 1))
	done
	mkdir -p "$dir/vnc" || return 1
	strong=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 8)
	vnc_passfile 123456 "$dir/vnc/weak.pw" &&
		vnc_passfile "$strong" "$dir/vnc/strong.pw" || {
		echo "lab: vnc: cannot write a VNC password file (openssl legacy provider)" >&2; return 1; }
	chmod 600 "$dir/vnc/"*.pw

	vnc_server $n.1 "$disp_open" lab-open -SecurityTypes None
	vnc_server $n.2 "$disp_weak" lab-weak -SecurityTypes VncAuth \
		-PasswordFile "$dir/vnc/weak.pw" -BlacklistThreshold 1000000
	vnc_server $n.3 "$disp_strong" lab-strong -SecurityTypes VncAuth \
		-PasswordFile "$dir/vnc/strong.pw" -BlacklistThreshold 1000000
	vnc_server $n.4 "$disp_lockout" lab-lockout -SecurityTypes VncAuth \
		-PasswordFile "$dir/vnc/strong.pw" -BlacklistThreshold 1 \
		-BlacklistTimeout 600
	vnc_hostile silent $n.30 5900
	vnc_hostile garbage $n.31 5900
	vnc_hostile drip $n.32 5900
	for a in 1 2 3 4 30 31 32; do
		wait_port "$n.$a" 5900 || return 1
	done
	env_add "EXPO_LAB_VNC=1"
	env_add "EXPO_LAB_VNC_NET=$n"
	echo "lab: vnc: Xvnc None, VncAuth weak, strong and lockout, hostile on $n.0/24"
}

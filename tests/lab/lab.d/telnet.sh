# tests/lab/lab.d/telnet.sh - Debian's inetutils telnetd for the telnet
# check (sourced by tests/lab/lab.sh; block 127.0.85.0/24).
#
#   .1:23   weak: account admin/admin (on the built-in list)
#   .2:23   the twin: the same account with a long random password
#   hostile on 23: .30 silent, .31 garbage, .32 drip,
#           .33 telnet-negotiate (negotiates for ever, no prompt)
#
# inetutils telnetd has no standalone mode: socat listens on the one
# address and, per connection, execs telnetd with the socket as its stdin
# and stdout (nofork), as inetd would. telnetd runs login(1), with
# Debian's PAM (a failed login answers after 3 s, pam_faildelay). Lab
# accounts live only in private copies of passwd and shadow, bind-mounted
# in socat's own mount namespace (make_accounts, as the sshd lab does);
# root's password there is random in both.

TELNET_NET=127.0.85
LAB_PROCS="$LAB_PROCS|socat|telnetd|hostile|unshare"

telnet_start_one() {
	local name=$1 addr=$2
	unshare --mount --propagation private -- /bin/sh -c \
		'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow &&
		 exec socat "TCP-LISTEN:23,bind=$3,reuseaddr,fork,backlog=64" \
			EXEC:/usr/sbin/telnetd,nofork' lab-telnet \
		"$dir/passwd_$name" "$dir/shadow_$name" "$addr" \
		</dev/null >>"$dir/telnet/$name.log" 2>&1 &
	pid_add $!
	TELNET_WAIT="$TELNET_WAIT $addr"
}

telnet_hostile() {
	local mode=$1 addr=$2
	"$HOSTILE" "$mode" "$addr" 23 --lifetime 86400 \
		</dev/null >>"$dir/telnet/hostile_$mode.out" 2>&1 &
	pid_add $!
	TELNET_WAIT="$TELNET_WAIT $addr"
}

lab_telnet_start() {
	local n=$TELNET_NET a twin_pw
	TELNET_WAIT=""
	[ -x /usr/sbin/telnetd ] || { echo "lab: telnet: /usr/sbin/telnetd missing (apt-get install inetutils-telnetd)" >&2; return 1; }
	command -v socat >/dev/null || { echo "lab: telnet: socat missing (apt-get install socat)" >&2; return 1; }
	[ -x "$HOSTILE" ] || { echo "lab: telnet: $HOSTILE not built (make build/lab/hostile)" >&2; return 1; }
	for a in 1 2 30 31 32 33; do
		listening "$n.$a" 23 && { echo "lab: telnet: already listening on $n.$a:23" >&2; return 1; }
	done
	mkdir -p "$dir/telnet" || return 1
	twin_pw=$(openssl rand -base64 33 | tr -d '\n/+=') || return 1
	make_accounts telnet_weak admin admin 60111 \
		root "$(openssl rand -base64 33)" 0 || return 1
	make_accounts telnet_twin admin "$twin_pw" 60111 \
		root "$(openssl rand -base64 33)" 0 || return 1
	telnet_start_one telnet_weak $n.1
	telnet_start_one telnet_twin $n.2
	telnet_hostile silent $n.30
	telnet_hostile garbage $n.31
	telnet_hostile drip $n.32
	telnet_hostile telnet-negotiate $n.33
	for a in $TELNET_WAIT; do
		wait_port "$a" 23 || { tail -n 5 "$dir"/telnet/*.log >&2; return 1; }
	done
	env_add "EXPO_LAB_TELNET=1"
	env_add "EXPO_LAB_TELNET_NET=$n"
	echo "lab: telnet: inetutils telnetd weak (admin/admin) and its twin, hostile telnet on $n.0/24"
}

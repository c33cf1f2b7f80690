#!/usr/bin/env bash
# tests/lab/lab.sh start DIR | stop DIR
#
# The test lab: real servers from Debian's packages, and hostile ones, on
# loopback addresses only (127.0.10.0/24), started once for the whole suite.
#
#   127.0.10.1:22   sshd "weak": password and keyboard-interactive on, root
#                   login on, accounts test/test and root/toor, legacy
#                   algorithms added (group1/group14-sha1, CBC, hmac-md5,
#                   ssh-rsa)
#   127.0.10.2:22   sshd "hardened": public key only, curve25519/sntrup,
#                   ed25519 host key, AEAD ciphers, EtM MACs
#   127.0.10.3:22   sshd "strong": password on, modern algorithms, no root
#                   login, one account with a long random password
#   127.0.10.11:22  hostile silent     127.0.10.12:22  hostile garbage
#   127.0.10.13:22  hostile reset      127.0.10.14:22  hostile drip
#                   (only if build/lab/hostile was built)
#
# Lab accounts never touch the real /etc/passwd or /etc/shadow: each sshd
# runs in its own mount namespace (unshare) where lab copies of both files
# are bind-mounted over the real ones. Every PID goes to DIR/pids, and
# `stop` kills exactly those. DIR/lab.env holds the addresses as shell
# variables. Needs root (unshare, mount, sshd on port 22).
#
# Other services plug in as tests/lab/lab.d/NAME.sh, sourced here: each
# defines lab_NAME_start (and optionally lab_NAME_stop, and lab_NAME_finish,
# called once every plugin has started: waits for slow servers), uses its own
# 127.0.X.0/24 block, records its PIDs with pid_add, its addresses with
# env_add, waits with wait_port, and adds its process names to LAB_PROCS
# (so that `stop` recognises them). Plugins start after sshd, in name order.
# LAB_ONLY="pg redis" starts only those plugins ("ssh" = the sshd and
# hostile servers), so that one part can be tried alone.
set -u

usage() {
	echo "usage: $0 start DIR | stop DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
SSHD=/usr/sbin/sshd
HOSTILE=$top/build/lab/hostile
MARK=.exposure-lab

SSH_WEAK=127.0.10.1
SSH_HARDENED=127.0.10.2
SSH_STRONG=127.0.10.3
HOSTILE_SILENT=127.0.10.11
HOSTILE_GARBAGE=127.0.10.12
HOSTILE_RESET=127.0.10.13
HOSTILE_DRIP=127.0.10.14
LAB_ADDRS="$SSH_WEAK $SSH_HARDENED $SSH_STRONG $HOSTILE_SILENT $HOSTILE_GARBAGE $HOSTILE_RESET $HOSTILE_DRIP"

# a listener on addr:port, or on the wildcard address of that port
listening() {
	local addr=$1 port=$2
	ss -Hltn 2>/dev/null | awk '{print $4}' |
		grep -qxE "($addr|0\.0\.0\.0|\*|\[::\]):$port"
}

LAB_PROCS="sshd|hostile|unshare"

# our own process still under that PID (PIDs are reused)
ours() {
	local pid=$1
	[ -r "/proc/$pid/cmdline" ] &&
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE "$LAB_PROCS"
}

# for plugins: record a PID to stop, a line for lab.env, wait for a port
pid_add() {
	echo "$1" >>"$dir/pids"
}
env_add() {
	echo "$1" >>"$dir/lab.env"
}
wait_port() {
	local addr=$1 port=$2 tries=${3:-100} i
	for i in $(seq "$tries"); do
		listening "$addr" "$port" && return 0
		sleep 0.1
	done
	echo "lab: nothing listens on $addr:$port after $((tries / 10)) s" >&2
	return 1
}

# X displays for Xvnc and Xvfb: the first free number from $1 up, recorded
# in DIR/xdisplays so that `stop` removes what a killed server leaves. A
# lock whose process is gone (a server killed hard, or a machine image taken
# while a lab ran) is stale: it is removed rather than failing the lab.
x_display() {
	local n pid
	for n in $(seq "$1" 299); do
		grep -qx "$n" "$dir/xdisplays" 2>/dev/null && continue
		if [ -e "/tmp/.X$n-lock" ]; then
			pid=$(tr -dc 0-9 2>/dev/null <"/tmp/.X$n-lock")
			[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && continue
			rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"
		fi
		ss -Hxl 2>/dev/null | grep -qE "@?/tmp/\.X11-unix/X$n( |$)" && continue
		echo "$n" >>"$dir/xdisplays"
		echo "$n"
		return 0
	done
	echo "lab: no free X display from :$1 to :299" >&2
	return 1
}

# after the servers are gone: their locks and sockets, when left behind
x_release_all() {
	local n pid
	[ -f "$dir/xdisplays" ] || return 0
	while read -r n; do
		[ -n "$n" ] || continue
		pid=$(tr -dc 0-9 2>/dev/null <"/tmp/.X$n-lock")
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && continue
		rm -f "/tmp/.X$n-lock" "/tmp/.X11-unix/X$n"
	done <"$dir/xdisplays"
}

PLUGINS=()
for plugin in "$top"/tests/lab/lab.d/*.sh; do
	[ -e "$plugin" ] || continue
	# shellcheck source=/dev/null
	. "$plugin"
	name=$(basename "$plugin" .sh)
	case " ${LAB_ONLY:-$name} " in *" $name "*) PLUGINS+=("$name") ;; esac
done

lab_stop() {
	local pid i alive p
	if [ ! -f "$dir/$MARK" ]; then
		[ -e "$dir" ] && { echo "lab: $dir is not a lab directory; not touching it" >&2; return 1; }
		return 0
	fi
	for p in "${PLUGINS[@]}"; do
		if declare -F "lab_${p}_stop" >/dev/null; then
			"lab_${p}_stop" || true
		fi
	done
	if [ -f "$dir/pids" ]; then
		while read -r pid; do
			[ -n "$pid" ] && ours "$pid" && kill -TERM "$pid" 2>/dev/null
		done <"$dir/pids"
		for i in $(seq 50); do
			alive=0
			while read -r pid; do
				[ -n "$pid" ] && ours "$pid" && alive=1
			done <"$dir/pids"
			[ $alive = 0 ] && break
			sleep 0.1
		done
		while read -r pid; do
			[ -n "$pid" ] && ours "$pid" && kill -KILL "$pid" 2>/dev/null
		done <"$dir/pids"
	fi
	x_release_all
	rm -rf -- "$dir"
	echo "lab: stopped ($dir)"
}

# lab copies of passwd and shadow: the real ones plus the lab accounts
# (name, password, uid), and root's password replaced when "root" is given
make_accounts() {
	local name=$1
	shift
	local passwd=$dir/passwd_$name shadow=$dir/shadow_$name
	cp /etc/passwd "$passwd"
	cp /etc/shadow "$shadow"
	chmod 644 "$passwd"
	chmod 600 "$shadow"
	while [ $# -ge 3 ]; do
		local user=$1 pw=$2 uid=$3 hash
		shift 3
		hash=$(openssl passwd -6 -stdin <<<"$pw") || return 1
		if [ "$user" = root ]; then
			awk -F: -v OFS=: -v h="$hash" '$1 == "root" { $2 = h } { print }' \
				"$shadow" >"$shadow.tmp" && mv "$shadow.tmp" "$shadow"
		else
			mkdir -p "$dir/home/$user"
			chown "$uid:$uid" "$dir/home/$user"
			echo "$user:x:$uid:$uid:exposure lab:$dir/home/$user:/bin/sh" >>"$passwd"
			echo "$user:$hash:19000:0:99999:7:::" >>"$shadow"
		fi
	done
	chmod 600 "$shadow"
}

write_common() {
	local name=$1 addr=$2
	cat <<EOF
# exposure lab: sshd "$name" on $addr:22 (generated by tests/lab/lab.sh)
ListenAddress $addr:22
PidFile $dir/sshd_$name.pid
UsePAM no
LogLevel VERBOSE
LoginGraceTime 30
MaxAuthTries 6
MaxStartups 100:30:200
StrictModes yes
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
EOF
}

write_configs() {
	{
		write_common weak $SSH_WEAK
		cat <<EOF
HostKey $dir/weak_rsa_key
HostKey $dir/weak_ed25519_key
PasswordAuthentication yes
KbdInteractiveAuthentication yes
PermitRootLogin yes
PermitEmptyPasswords no
KexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group14-sha1
Ciphers +aes128-cbc,3des-cbc
MACs +hmac-sha1,hmac-md5
HostKeyAlgorithms +ssh-rsa
EOF
	} >"$dir/sshd_weak.conf"
	{
		write_common hardened $SSH_HARDENED
		cat <<EOF
HostKey $dir/hardened_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
HostKeyAlgorithms ssh-ed25519
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
EOF
	} >"$dir/sshd_hardened.conf"
	{
		write_common strong $SSH_STRONG
		cat <<EOF
HostKey $dir/strong_ed25519_key
PasswordAuthentication yes
KbdInteractiveAuthentication no
PermitRootLogin no
PermitEmptyPasswords no
KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
HostKeyAlgorithms ssh-ed25519
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com
MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
EOF
	} >"$dir/sshd_strong.conf"
}

start_sshd() {
	local name=$1
	"$SSHD" -t -f "$dir/sshd_$name.conf" || {
		echo "lab: sshd_$name.conf is invalid" >&2
		return 1
	}
	# the bind mounts exist in this process's namespace only
	unshare --mount --propagation private -- /bin/sh -c \
		'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow &&
		 exec "$3" -D -e -f "$4" -E "$5"' lab-sshd \
		"$dir/passwd_$name" "$dir/shadow_$name" "$SSHD" \
		"$dir/sshd_$name.conf" "$dir/sshd_$name.log" \
		</dev/null >>"$dir/sshd_$name.log" 2>&1 &
	echo $! >>"$dir/pids"
}

start_hostile() {
	local mode=$1 addr=$2
	"$HOSTILE" "$mode" "$addr" 22 --lifetime 86400 \
		</dev/null >"$dir/hostile_$mode.out" 2>&1 &
	echo $! >>"$dir/pids"
}

wait_ready() {
	local addr i
	for addr in "$@"; do
		for i in $(seq 100); do
			listening "$addr" 22 && break
			sleep 0.1
		done
		listening "$addr" 22 || {
			echo "lab: nothing listens on $addr:22 after 10 s" >&2
			return 1
		}
	done
}

lab_ssh_start() {
	local addr busy="" strong_pw ready hostile=0
	[ -x "$SSHD" ] || { echo "lab: $SSHD missing (apt-get install openssh-server)" >&2; return 1; }
	for addr in $LAB_ADDRS; do
		listening "$addr" 22 && busy="$busy $addr:22"
	done
	if [ -n "$busy" ]; then
		echo "lab: already listening on$busy" >&2
		echo "lab: a lab is running? stop it with: make lab-stop (or $0 stop DIR)" >&2
		return 3
	fi
	# sshd's privilege separation directory
	mkdir -p /run/sshd && chmod 755 /run/sshd
	ssh-keygen -q -t rsa -b 2048 -N '' -f "$dir/weak_rsa_key" &&
		ssh-keygen -q -t ed25519 -N '' -f "$dir/weak_ed25519_key" &&
		ssh-keygen -q -t ed25519 -N '' -f "$dir/hardened_ed25519_key" &&
		ssh-keygen -q -t ed25519 -N '' -f "$dir/strong_ed25519_key" || return 1
	strong_pw=$(openssl rand -base64 33 | tr -d '\n/+=') || return 1
	make_accounts weak test test 60101 root toor 0 || return 1
	make_accounts hardened labkey "$(openssl rand -base64 33)" 60102 || return 1
	make_accounts strong deploy "$strong_pw" 60103 || return 1
	printf '%s\n' "$strong_pw" >"$dir/strong_password"
	chmod 600 "$dir/strong_password"
	write_configs
	start_sshd weak && start_sshd hardened && start_sshd strong || return 1
	ready="$SSH_WEAK $SSH_HARDENED $SSH_STRONG"
	if [ -x "$HOSTILE" ]; then
		start_hostile silent $HOSTILE_SILENT
		start_hostile garbage $HOSTILE_GARBAGE
		start_hostile reset $HOSTILE_RESET
		start_hostile drip $HOSTILE_DRIP
		ready="$ready $HOSTILE_SILENT $HOSTILE_GARBAGE $HOSTILE_RESET $HOSTILE_DRIP"
		hostile=1
	else
		echo "lab: $HOSTILE not built; no hostile servers (make build/lab/hostile)" >&2
	fi
	wait_ready $ready || return 1
	cat >>"$dir/lab.env" <<EOF
# exposure lab addresses (tests/lab/lab.sh); source this file
EXPO_LAB_SSH_WEAK=$SSH_WEAK
EXPO_LAB_SSH_HARDENED=$SSH_HARDENED
EXPO_LAB_SSH_STRONG=$SSH_STRONG
EXPO_LAB_SSH_WEAK_LOG=$dir/sshd_weak.log
EXPO_LAB_SSH_STRONG_LOG=$dir/sshd_strong.log
EXPO_LAB_SSH_WEAK_USERS="test root"
EXPO_LAB_SSH_STRONG_USER=deploy
EXPO_LAB_HOSTILE=$hostile
EXPO_LAB_HOSTILE_SILENT=$HOSTILE_SILENT
EXPO_LAB_HOSTILE_GARBAGE=$HOSTILE_GARBAGE
EXPO_LAB_HOSTILE_RESET=$HOSTILE_RESET
EXPO_LAB_HOSTILE_DRIP=$HOSTILE_DRIP
EOF
}

lab_start() {
	[ "$(id -u)" = 0 ] || { echo "lab: must run as root (unshare, mount, port 22)" >&2; return 1; }
	mkdir -p "$dir" || return 1
	: >"$dir/$MARK"
	: >"$dir/pids"
	: >"$dir/lab.env"
	case " ${LAB_ONLY:-ssh} " in
	*" ssh "*) lab_ssh_start || return $? ;;
	esac
	for p in "${PLUGINS[@]}"; do
		"lab_${p}_start" || { echo "lab: $p did not start" >&2; return 1; }
	done
	# slow servers (n8n) come up while the other plugins start
	for p in "${PLUGINS[@]}"; do
		if declare -F "lab_${p}_finish" >/dev/null; then
			"lab_${p}_finish" || { echo "lab: $p did not start" >&2; return 1; }
		fi
	done
	echo "lab: started in $dir ($(wc -l <"$dir/pids") servers)"
}

case $cmd in
start)
	# idempotent: a previous lab in DIR is stopped first
	if [ -f "$dir/pids" ]; then
		lab_stop || exit 1
	fi
	lab_start
	rc=$?
	[ $rc = 3 ] && exit 1	# busy: nothing of ours to clean up
	if [ $rc != 0 ]; then
		echo "lab: start failed; logs in $dir, stopping" >&2
		tail -n 5 "$dir"/sshd_*.log 2>/dev/null >&2
		lab_stop >/dev/null
		exit 1
	fi
	;;
stop)
	lab_stop || exit 1
	;;
*)
	usage
	;;
esac

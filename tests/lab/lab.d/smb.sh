# tests/lab/lab.d/smb.sh - Samba servers for the SMB check (sourced by
# tests/lab/lab.sh). Block 127.0.40.0/24, port 445, smbd run directly (no
# nmbd, no winbind), each with its own smb.conf and every path under
# DIR/smb_NAME; the addresses are added to lo (smbd binds only to
# addresses on an interface) and removed again in lab_smb_stop.
#
#   127.0.40.1  open:     SMB1 (NT1) on, signing not required, null
#                         session, unknown users mapped to guest, a
#                         guest-readable share "public"
#   127.0.40.2  hardened: SMB2_10 minimum, signing mandatory, no guest,
#                         restrict anonymous = 2, one user with a long
#                         random password
#   127.0.40.3  weak:     like hardened, but the user "admin" has the
#                         password "admin"
#   127.0.40.4  lockout:  like hardened, user "backup" (random password),
#                         account lockout after 2 bad passwords
#   127.0.40.11 hostile silent     127.0.40.12 hostile reset (port 445)
#
# Samba needs a Unix account per user: smbd and pdbedit run in a mount
# namespace where a lab copy of /etc/passwd (and /etc/group) is
# bind-mounted over the real one, so the machine's accounts are never
# touched. Failed logins are logged (auth_audit:3) to DIR/smb_NAME/log.smbd.

SMB_NET=127.0.40
SMB_SMBD=/usr/sbin/smbd
LAB_PROCS="$LAB_PROCS|smbd|samba-dcerpcd|rpcd_"

# smb_conf NAME ADDR EXTRA: writes DIR/smb_NAME.conf
smb_conf() {
	local name=$1 addr=$2 extra=$3 d
	d=$dir/smb_$name
	mkdir -p "$d/lock" "$d/state" "$d/cache" "$d/private" "$d/run" \
		"$d/ncalrpc" "$d/public" "$d/usershares" || return 1
	chmod 755 "$d" "$d/public"
	echo "exposure lab file" >"$d/public/readme.txt"
	cat >"$dir/smb_$name.conf" <<EOF
# exposure lab: smbd "$name" on $addr:445 (tests/lab/lab.d/smb.sh)
[global]
	netbios name = EXPOLAB$name
	workgroup = WORKGROUP
	server role = standalone server
	interfaces = $addr/32
	bind interfaces only = yes
	smb ports = 445
	disable netbios = yes
	lock directory = $d/lock
	state directory = $d/state
	cache directory = $d/cache
	private dir = $d/private
	pid directory = $d/run
	ncalrpc dir = $d/ncalrpc
	usershare path = $d/usershares
	usershare max shares = 0
	passdb backend = tdbsam:$d/private/passdb.tdb
	log file = $d/log.smbd
	max log size = 0
	log level = 1 auth_audit:3
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	registry shares = no
	config backend = file
	obey pam restrictions = no
	unix password sync = no
	kernel oplocks = no
$extra
EOF
}

smb_open_conf() {
	smb_conf open "$SMB_NET.1" "	server min protocol = NT1
	server signing = disabled
	map to guest = Bad User
	guest account = nobody
	restrict anonymous = 0

[public]
	path = $dir/smb_open/public
	read only = yes
	guest ok = yes
	browseable = yes"
}

smb_closed_conf() {
	local name=$1 addr=$2 extra=$3
	smb_conf "$name" "$addr" "	server min protocol = SMB2_10
	server signing = mandatory
	map to guest = Never
	restrict anonymous = 2
	ntlm auth = ntlmv2-only
$extra
[data]
	path = $dir/smb_$name/public
	read only = yes
	guest ok = no
	browseable = yes"
}

# smb_user NAME USER PASSWORD UID: the user in the lab passwd copy and in
# the server's tdbsam
smb_user() {
	local name=$1 user=$2 pw=$3 uid=$4 passwd
	passwd=$dir/smb_$name.passwd
	echo "$user:x:$uid:$uid:exposure lab:/nonexistent:/usr/sbin/nologin" >>"$passwd"
	echo "$user:x:$uid:" >>"$dir/smb_$name.group"
	printf '%s\n%s\n' "$pw" "$pw" |
		smb_ns "$name" /usr/bin/smbpasswd -c "$dir/smb_$name.conf" -s -a "$user" \
			>>"$dir/smb_$name.setup.log" 2>&1
}

# runs a command in a mount namespace where the lab passwd/group copies
# of server NAME hide the real ones
smb_ns() {
	local name=$1
	shift
	unshare --mount --propagation private -- /bin/sh -c \
		'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
		 shift 2 && exec "$@"' lab-smb \
		"$dir/smb_$name.passwd" "$dir/smb_$name.group" "$@"
}

smb_start_one() {
	local name=$1 addr=$2
	# setsid, then unshare exec sh, which execs smbd: $! is smbd's PID.
	# Its own session: when smbd stops it signals its whole process group
	# (kill(0, SIGTERM)), which must not be the caller's (make check).
	setsid unshare --mount --propagation private -- /bin/sh -c \
		'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
		 exec "$3" --foreground --no-process-group -s "$4"' lab-smbd \
		"$dir/smb_$name.passwd" "$dir/smb_$name.group" "$SMB_SMBD" \
		"$dir/smb_$name.conf" </dev/null >>"$dir/smb_$name/smbd.out" 2>&1 &
	pid_add $!
}

lab_smb_start() {
	local n addr busy="" strong
	[ -x "$SMB_SMBD" ] || { echo "lab: $SMB_SMBD missing (apt-get install samba)" >&2; return 1; }
	for n in 1 2 3 4 11 12; do
		listening "$SMB_NET.$n" 445 && busy="$busy $SMB_NET.$n:445"
	done
	if [ -n "$busy" ]; then
		echo "lab: already listening on$busy" >&2
		return 1
	fi
	for n in 1 2 3 4; do
		ip addr add "$SMB_NET.$n/32" dev lo 2>/dev/null
		echo "$SMB_NET.$n" >>"$dir/smb_addrs"
	done
	smb_open_conf || return 1
	smb_closed_conf hardened "$SMB_NET.2" "" || return 1
	smb_closed_conf weak "$SMB_NET.3" "" || return 1
	smb_closed_conf lockout "$SMB_NET.4" "" || return 1
	for n in open hardened weak lockout; do
		cp /etc/passwd "$dir/smb_$n.passwd" && cp /etc/group "$dir/smb_$n.group" || return 1
		chmod 644 "$dir/smb_$n.passwd" "$dir/smb_$n.group"
	done
	strong=$(openssl rand -base64 30 | tr -d '\n/+=') || return 1
	printf '%s\n' "$strong" >"$dir/smb_strong_password"
	chmod 600 "$dir/smb_strong_password"
	smb_user hardened labadmin "$strong" 60401 || return 1
	smb_user weak admin admin 60402 || return 1
	smb_user lockout backup "$strong" 60403 || return 1
	# lockout after 2 bad passwords, for 30 minutes (account policy is
	# per passdb: this server's only)
	smb_ns lockout /usr/bin/pdbedit -s "$dir/smb_lockout.conf" \
		-P "bad lockout attempt" -C 2 >>"$dir/smb_lockout.setup.log" 2>&1 || return 1
	smb_ns lockout /usr/bin/pdbedit -s "$dir/smb_lockout.conf" \
		-P "lockout duration" -C 30 >>"$dir/smb_lockout.setup.log" 2>&1 || return 1
	smb_start_one open "$SMB_NET.1" &&
		smb_start_one hardened "$SMB_NET.2" &&
		smb_start_one weak "$SMB_NET.3" &&
		smb_start_one lockout "$SMB_NET.4" || return 1
	if [ -x "$HOSTILE" ]; then
		"$HOSTILE" silent "$SMB_NET.11" 445 --lifetime 86400 \
			</dev/null >"$dir/smb_hostile_silent.out" 2>&1 &
		pid_add $!
		"$HOSTILE" reset "$SMB_NET.12" 445 --lifetime 86400 \
			</dev/null >"$dir/smb_hostile_reset.out" 2>&1 &
		pid_add $!
	fi
	for n in 1 2 3 4; do
		wait_port "$SMB_NET.$n" 445 150 || return 1
	done
	if [ -x "$HOSTILE" ]; then
		wait_port "$SMB_NET.11" 445 && wait_port "$SMB_NET.12" 445 || return 1
	fi
	env_add "EXPO_LAB_SMB_OPEN=$SMB_NET.1"
	env_add "EXPO_LAB_SMB_HARDENED=$SMB_NET.2"
	env_add "EXPO_LAB_SMB_WEAK=$SMB_NET.3"
	env_add "EXPO_LAB_SMB_LOCKOUT=$SMB_NET.4"
	env_add "EXPO_LAB_SMB_SILENT=$SMB_NET.11"
	env_add "EXPO_LAB_SMB_RESET=$SMB_NET.12"
	env_add "EXPO_LAB_SMB_HOSTILE=$([ -x "$HOSTILE" ] && echo 1 || echo 0)"
	env_add "EXPO_LAB_SMB_WEAK_USER=admin"
	env_add "EXPO_LAB_SMB_LOCKOUT_USER=backup"
	env_add "EXPO_LAB_SMB_HARDENED_USER=labadmin"
	env_add "EXPO_LAB_SMB_STRONG_PASSWORD_FILE=$dir/smb_strong_password"
	env_add "EXPO_LAB_SMB_LOG_DIR=$dir"
}

# smbd starts samba-dcerpcd and rpcd_* helpers for RPC (share listing);
# they are not in DIR/pids: stop exactly those whose command line names
# one of our configuration files, then remove our addresses.
lab_smb_stop() {
	local pid cmd a
	for pid in $(ls /proc | grep -E '^[0-9]+$'); do
		cmd=$(tr "\0" " " 2>/dev/null <"/proc/$pid/cmdline") || continue
		case $cmd in
		*"$dir/smb_"*.conf*)
			echo "$cmd" | grep -qE "$LAB_PROCS" && kill -TERM "$pid" 2>/dev/null ;;
		esac
	done
	if [ -f "$dir/smb_addrs" ]; then
		while read -r a; do
			[ -n "$a" ] && ip addr del "$a/32" dev lo 2>/dev/null
		done <"$dir/smb_addrs"
	fi
	return 0
}

# tests/lab/lab.d/mqtt.sh - mosquitto (Debian's 2.0) for the mqtt check
# (sourced by tests/lab/lab.sh; block 127.0.87.0/24), each on one address
# (listener 1883 ADDR), no persistence, run as root (user root: the
# configuration lives under DIR).
#
#   .1:1883  allow_anonymous true             (mqtt.no_auth, $SYS readable)
#   .2:1883  allow_anonymous false, a password file   (the refusing twin)
#   .3:1883  allow_anonymous true, an empty acl_file: $SYS not delivered
#            (mosquitto grants the SUBSCRIBE, then sends nothing)
#   hostile on 1883: .30 silent, .31 garbage, .32 drip

MQTT_NET=127.0.87
LAB_PROCS="$LAB_PROCS|mosquitto"

mqtt_broker() {
	local addr=$1 name=$2
	shift 2
	{
		echo "listener 1883 $addr"
		echo "persistence false"
		echo "log_dest stdout"
		echo "user root"
		printf '%s\n' "$@"
	} >"$dir/mqtt/$name.conf"
	mosquitto -c "$dir/mqtt/$name.conf" </dev/null \
		>>"$dir/mqtt/$name.log" 2>&1 &
	pid_add $!
}

lab_mqtt_start() {
	local n=$MQTT_NET a m
	command -v mosquitto >/dev/null || { echo "lab: mqtt: mosquitto missing (apt-get install mosquitto)" >&2; return 1; }
	[ -x "$HOSTILE" ] || { echo "lab: mqtt: $HOSTILE not built (make build/lab/hostile)" >&2; return 1; }
	for a in 1 2 3 30 31 32; do
		listening "$n.$a" 1883 && { echo "lab: mqtt: already listening on $n.$a:1883" >&2; return 1; }
	done
	mkdir -p "$dir/mqtt" || return 1
	# one lab user with a random password: nobody logs in as it
	printf 'lab:%s\n' "$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)" \
		>"$dir/mqtt/passwd"
	: >"$dir/mqtt/acl"
	chmod 600 "$dir/mqtt/passwd" "$dir/mqtt/acl"
	mqtt_broker $n.1 open "allow_anonymous true"
	mqtt_broker $n.2 closed "allow_anonymous false" \
		"password_file $dir/mqtt/passwd"
	mqtt_broker $n.3 nosys "allow_anonymous true" "acl_file $dir/mqtt/acl"
	for m in silent garbage drip; do
		case $m in silent) a=30 ;; garbage) a=31 ;; drip) a=32 ;; esac
		"$HOSTILE" "$m" "$n.$a" 1883 --lifetime 86400 </dev/null \
			>>"$dir/mqtt/hostile_$m.out" 2>&1 &
		pid_add $!
	done
	for a in 1 2 3 30 31 32; do
		wait_port "$n.$a" 1883 || return 1
	done
	env_add "EXPO_LAB_MQTT=1"
	env_add "EXPO_LAB_MQTT_NET=$n"
	echo "lab: mqtt: mosquitto anonymous, refusing, anonymous without \$SYS, hostile on $n.0/24"
}

# tests/lab/lab.d/zookeeper.sh - Apache ZooKeeper 3.8 (Debian's zookeeper
# package, standalone QuorumPeerMain) for the zookeeper check (sourced by
# tests/lab/lab.sh; block 127.0.88.0/24); clientPortAddress binds each to
# one address, the AdminServer (Jetty, 8080) is off, no JMX port.
#
#   .1:2181  open: world:anyone on /, 4lw whitelist srvr,mntr (the finding)
#   .2:2181  enforce.auth.enabled with the digest scheme: a client that
#            has not authenticated is refused (the twin); srvr only
#   hostile on 2181: .30 silent, .31 garbage, .32 drip
# Java takes seconds to start: both start in the background here, and
# lab_zookeeper_finish waits for them once every plugin has started.

ZK_NET=127.0.88
ZK_CP=/etc/zookeeper/conf:/usr/share/java/zookeeper.jar
LAB_PROCS="$LAB_PROCS|QuorumPeerMain"

zk_server() {
	local addr=$1 name=$2
	shift 2
	mkdir -p "$dir/zookeeper/$name/data"
	{
		echo "tickTime=2000"
		echo "dataDir=$dir/zookeeper/$name/data"
		echo "clientPortAddress=$addr"
		echo "clientPort=2181"
		echo "admin.enableServer=false"
		printf '%s\n' "$@"
	} >"$dir/zookeeper/$name/zoo.cfg"
	java -Xmx96m -XX:TieredStopAtLevel=1 -Xshare:auto \
		-Djava.net.preferIPv4Stack=true \
		-Dzookeeper.jmx.log4j.disable=true \
		-Dzookeeper.log.dir="$dir/zookeeper/$name" -cp "$ZK_CP" \
		org.apache.zookeeper.server.quorum.QuorumPeerMain \
		"$dir/zookeeper/$name/zoo.cfg" </dev/null \
		>>"$dir/zookeeper/$name.log" 2>&1 &
	pid_add $!
}

lab_zookeeper_start() {
	local n=$ZK_NET a m
	[ -r /usr/share/java/zookeeper.jar ] || { echo "lab: zookeeper: /usr/share/java/zookeeper.jar missing (apt-get install zookeeper)" >&2; return 1; }
	command -v java >/dev/null || { echo "lab: zookeeper: java missing" >&2; return 1; }
	[ -x "$HOSTILE" ] || { echo "lab: zookeeper: $HOSTILE not built (make build/lab/hostile)" >&2; return 1; }
	for a in 1 2 30 31 32; do
		listening "$n.$a" 2181 && { echo "lab: zookeeper: already listening on $n.$a:2181" >&2; return 1; }
	done
	mkdir -p "$dir/zookeeper" || return 1
	zk_server $n.1 open "4lw.commands.whitelist=srvr,mntr"
	zk_server $n.2 enforced "enforce.auth.enabled=true" \
		"enforce.auth.schemes=digest"
	for m in silent garbage drip; do
		case $m in silent) a=30 ;; garbage) a=31 ;; drip) a=32 ;; esac
		"$HOSTILE" "$m" "$n.$a" 2181 --lifetime 86400 </dev/null \
			>>"$dir/zookeeper/hostile_$m.out" 2>&1 &
		pid_add $!
	done
}

# srvr answers with the version once the server serves clients
zk_serving() {
	local r
	r=$(timeout 2 bash -c "exec 3<>/dev/tcp/$1/2181; printf srvr >&3; cat <&3" 2>/dev/null)
	case $r in *"Zookeeper version"*) return 0 ;; esac
	return 1
}

lab_zookeeper_finish() {
	local n=$ZK_NET a i
	for a in 1 2; do
		wait_port "$n.$a" 2181 600 || { tail -n 5 "$dir/zookeeper/"*.log >&2; return 1; }
	done
	# the port opens before the database is loaded: wait for srvr
	for i in $(seq 100); do
		zk_serving $n.1 && zk_serving $n.2 && break
		sleep 0.1
	done
	for a in 30 31 32; do
		wait_port "$n.$a" 2181 || return 1
	done
	env_add "EXPO_LAB_ZOOKEEPER=1"
	env_add "EXPO_LAB_ZOOKEEPER_NET=$n"
	echo "lab: zookeeper: ZooKeeper open and enforcing authentication, hostile on $n.0/24"
}

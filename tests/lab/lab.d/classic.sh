# tests/lab/lab.d/classic.sh - replayed classic consoles for the grafana,
# couchdb, portainer, influxdb and minio checks (sourced by
# tests/lab/lab.sh; block 127.0.83.0/24). Neither Debian nor npm ships
# Grafana, CouchDB, Portainer, InfluxDB 2 or MinIO: build/lab/replay
# serves the recorded answers of tests/fixtures/replay/<product>/<variant>
# (each routes file names the version and the source of every answer).
#
#   .1:3000   Grafana 10.4.1, admin/admin  .2:3000   Grafana, password set
#   .3:5984   CouchDB 2.3.1 admin party    .4:5984   CouchDB 3.3.3 secured
#   .5:9000   Portainer 2.19.4, no admin   .6:9000   Portainer with admin
#   .7:8086   InfluxDB 2.7.4, not set up   .8:8086   InfluxDB 2.7.4 set up
#   .9:9000   MinIO, minioadmin keys       .10:9000  MinIO, own root keys
#   .11       decoy JSON naming the products, on every port above
#   .20:1433  SQL Server (build/lab/tdsfake open): sa, empty password
#   .21:1433  tdsfake refuse: 18456 for every login (the twin)
#   .22:1433  tdsfake locked: 18486 (locked out) for sa
#   .23:1433  tdsfake tls: encryption forced (REQ): TLS throughout, sa empty
#   .24:1433  tdsfake tlslogin: TLS for the LOGIN7 packet only (OFF), sa empty
#   .25:1433  tdsfake tlsrefuse: TLS throughout, 18456 for every login (twin)
#   .26:1433  tdsfake tlsgarbage: answers the ClientHello with junk (hostile)
#   hostile on 3000, 9000 and 1433: .30 silent, .31 garbage
# Port 9000 is shared by Portainer and MinIO: both checks probe it.
# SQL Server is not in Debian either; FreeTDS is a client only: tdsfake
# speaks the server side of PRELOGIN and LOGIN7 from [MS-TDS].

CLASSIC_NET=127.0.83
CLASSIC_PORTS="3000 5984 9000 8086 1433"
LAB_PROCS="$LAB_PROCS|replay|hostile|tdsfake"

classic_replay() {
	local addr=$1 port=$2 fix=$3
	"$top/build/lab/replay" "$addr" "$port" \
		"$top/tests/fixtures/replay/$fix" --lifetime 86400 \
		</dev/null >>"$dir/classic/replay_${addr}_$port.log" 2>&1 &
	pid_add $!
	CLASSIC_WAIT="$CLASSIC_WAIT $addr:$port"
}

classic_tds() {
	local mode=$1 addr=$2
	"$top/build/lab/tdsfake" "$mode" "$addr" 1433 --lifetime 86400 \
		--cert "$dir/classic/tds-cert.pem" --key "$dir/classic/tds-key.pem" \
		</dev/null >>"$dir/classic/tds_${addr}.log" 2>&1 &
	pid_add $!
	CLASSIC_WAIT="$CLASSIC_WAIT $addr:1433"
}

classic_hostile() {
	local mode=$1 addr=$2 port=$3
	"$HOSTILE" "$mode" "$addr" "$port" --lifetime 86400 \
		</dev/null >>"$dir/classic/hostile_${mode}_$port.out" 2>&1 &
	pid_add $!
	CLASSIC_WAIT="$CLASSIC_WAIT $addr:$port"
}

lab_classic_start() {
	local n=$CLASSIC_NET p a
	CLASSIC_WAIT=""
	[ -x "$top/build/lab/replay" ] || { echo "lab: classic: build/lab/replay not built (make build/lab/replay)" >&2; return 1; }
	[ -x "$HOSTILE" ] || { echo "lab: classic: $HOSTILE not built (make build/lab/hostile)" >&2; return 1; }
	[ -x "$top/build/lab/tdsfake" ] || { echo "lab: classic: build/lab/tdsfake not built (make build/lab/tdsfake)" >&2; return 1; }
	for a in $(seq 1 11) $(seq 20 26) 30 31; do
		for p in $CLASSIC_PORTS; do
			listening "$n.$a" "$p" && { echo "lab: classic: already listening on $n.$a:$p" >&2; return 1; }
		done
	done
	mkdir -p "$dir/classic" || return 1
	# the stand-in's own self-signed certificate, as SQL Server makes one
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 7 -subj /CN=tdsfake -keyout "$dir/classic/tds-key.pem" \
		-out "$dir/classic/tds-cert.pem" >/dev/null 2>&1 || {
		echo "lab: classic: openssl could not make the SQL Server stand-in's certificate" >&2; return 1; }

	classic_replay $n.1 3000 grafana/default
	classic_replay $n.2 3000 grafana/changed
	classic_replay $n.3 5984 couchdb/party
	classic_replay $n.4 5984 couchdb/secured
	classic_replay $n.5 9000 portainer/fresh
	classic_replay $n.6 9000 portainer/claimed
	classic_replay $n.7 8086 influxdb/v2fresh
	classic_replay $n.8 8086 influxdb/v2done
	classic_replay $n.9 9000 minio/default
	classic_replay $n.10 9000 minio/changed
	for p in 3000 5984 9000 8086; do
		classic_replay $n.11 "$p" decoy/classic
	done
	classic_tds open $n.20
	classic_tds refuse $n.21
	classic_tds locked $n.22
	classic_tds tls $n.23
	classic_tds tlslogin $n.24
	classic_tds tlsrefuse $n.25
	classic_tds tlsgarbage $n.26
	for p in 3000 9000 1433; do
		classic_hostile silent $n.30 "$p"
		classic_hostile garbage $n.31 "$p"
	done

	for a in $CLASSIC_WAIT; do
		wait_port "${a%:*}" "${a##*:}" || return 1
	done
	env_add "EXPO_LAB_CLASSIC=1"
	env_add "EXPO_LAB_CLASSIC_NET=$n"
	echo "lab: classic: replayed Grafana, CouchDB, Portainer, InfluxDB 2, MinIO, SQL Server (tdsfake), a decoy and hostile HTTP on $n.0/24"
}

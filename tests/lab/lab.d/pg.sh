# tests/lab/lab.d/pg.sh - PostgreSQL servers for the pg check (sourced by
# tests/lab/lab.sh). Block 127.0.20.0/24, port 5432, all from Debian's
# postgresql-15, run as the `postgres` system user with every file under
# DIR/pg (never /etc/postgresql, /var/lib/postgresql or pg_ctlcluster):
#
#   127.0.20.1  trust      host connections trusted, ssl off
#   127.0.20.2  md5        md5, postgres/postgres, ssl off
#   127.0.20.3  scramuser  SCRAM; non-superuser admin/password, ssl off
#   127.0.20.4  scramsuper SCRAM; superuser root/123456, ssl on
#   127.0.20.5  hardened   SCRAM over TLS only, long random postgres
#                          password, self-signed certificate
#   127.0.20.6  reject     pg_hba.conf admits only 127.0.20.99/32: the
#                          scanner (source 127.0.0.1) gets "no pg_hba.conf
#                          entry" (SQLSTATE 28000), ssl off
#   127.0.20.21 hostile garbage, 127.0.20.22 hostile silent (port 5432)
#
# One data directory is made by initdb and copied for each server (initdb
# is the slow part). Roles are set over each server's own Unix socket in
# DIR/pg/NAME, where pg_hba.conf trusts local connections.

PG_BIN=/usr/lib/postgresql/15/bin
PG_NAMES="trust md5 scramuser scramsuper hardened reject"
LAB_PROCS="$LAB_PROCS|$PG_BIN/postgres"

pg_addr() {
	case $1 in
	trust) echo 127.0.20.1 ;;
	md5) echo 127.0.20.2 ;;
	scramuser) echo 127.0.20.3 ;;
	scramsuper) echo 127.0.20.4 ;;
	hardened) echo 127.0.20.5 ;;
	reject) echo 127.0.20.6 ;;
	esac
}

pg_as() {
	setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
}

pg_hba() {
	local name=$1
	echo "# exposure lab: $name (tests/lab/lab.d/pg.sh)"
	echo "local all all trust"
	case $name in
	trust) echo "host all all 0.0.0.0/0 trust" ;;
	md5) echo "host all all 0.0.0.0/0 md5" ;;
	scramuser | scramsuper) echo "host all all 0.0.0.0/0 scram-sha-256" ;;
	hardened)
		echo "hostssl all all 0.0.0.0/0 scram-sha-256"
		echo "hostnossl all all 0.0.0.0/0 reject"
		;;
	reject) echo "host all all 127.0.20.99/32 scram-sha-256" ;;
	esac
}

pg_psql() {
	local name=$1
	shift
	pg_as "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/pg/$name" \
		-p 5432 -U postgres -d postgres "$@" >/dev/null
}

# the SQL that sets a server's roles, on stdin of psql
pg_roles_sql() {
	local name=$1 strong=$2
	case $name in
	md5)
		echo "SET password_encryption = 'md5';"
		echo "ALTER ROLE postgres PASSWORD 'postgres';"
		;;
	scramuser)
		echo "ALTER ROLE postgres PASSWORD '$strong';"
		echo "CREATE ROLE admin LOGIN NOSUPERUSER PASSWORD 'password';"
		;;
	scramsuper)
		echo "ALTER ROLE postgres PASSWORD '$strong';"
		echo "CREATE ROLE root LOGIN SUPERUSER PASSWORD '123456';"
		;;
	hardened | reject)
		echo "ALTER ROLE postgres PASSWORD '$strong';"
		;;
	esac
}

pg_start_one() {
	local name=$1 addr d ssl=off
	addr=$(pg_addr "$name")
	d=$dir/pg/$name
	cp -a "$dir/pg/template" "$d/data" || return 1
	pg_hba "$name" >"$d/data/pg_hba.conf"
	case $name in scramsuper | hardened) ssl=on ;; esac
	{
		echo "# exposure lab: $name"
		echo "listen_addresses = '$addr'"
		echo "port = 5432"
		echo "unix_socket_directories = '$d'"
		echo "max_connections = 20"
		echo "shared_buffers = 8MB"
		echo "fsync = off"
		echo "log_connections = on"
		echo "lc_messages = 'C'"
		echo "password_encryption = 'scram-sha-256'"
		echo "ssl = $ssl"
		if [ $ssl = on ]; then
			echo "ssl_cert_file = '$dir/pg/server.crt'"
			echo "ssl_key_file = '$dir/pg/server.key'"
			echo "ssl_min_protocol_version = 'TLSv1.2'"
		fi
	} >>"$d/data/postgresql.conf"
	chown -R postgres:postgres "$d"
	# setpriv execs, and is not run through a shell function (whose
	# subshell PID would be recorded): the PID is the postmaster's
	setpriv --reuid=postgres --regid=postgres --init-groups -- \
		"$PG_BIN/postgres" -D "$d/data" </dev/null >"$d/server.log" 2>&1 &
	pid_add $!
	echo $! >>"$dir/pg/pids"
}

lab_pg_start() {
	local name strong i
	[ -x "$PG_BIN/postgres" ] || { echo "lab: $PG_BIN/postgres missing (apt-get install postgresql)" >&2; return 1; }
	id postgres >/dev/null 2>&1 || { echo "lab: no postgres system user" >&2; return 1; }
	for name in $PG_NAMES; do
		if listening "$(pg_addr "$name")" 5432; then
			echo "lab: already listening on $(pg_addr "$name"):5432" >&2
			return 1
		fi
	done
	mkdir -p "$dir/pg" || return 1
	chmod 755 "$dir" "$dir/pg"
	: >"$dir/pg/pids"
	for name in $PG_NAMES; do
		mkdir -p "$dir/pg/$name"
	done
	chown -R postgres:postgres "$dir/pg"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3 -subj /CN=exposure-lab \
		-keyout "$dir/pg/server.key" -out "$dir/pg/server.crt" \
		>/dev/null 2>&1 || return 1
	chown postgres:postgres "$dir/pg/server.key" "$dir/pg/server.crt"
	chmod 600 "$dir/pg/server.key"
	pg_as "$PG_BIN/initdb" -D "$dir/pg/template" -U postgres --auth=trust \
		-E UTF8 --locale=C >"$dir/pg/initdb.log" 2>&1 || {
		echo "lab: initdb failed:" >&2; tail -n 5 "$dir/pg/initdb.log" >&2; return 1; }
	for name in $PG_NAMES; do
		pg_start_one "$name" || return 1
	done
	strong=$(openssl rand -base64 33 | tr -d '\n/+=') || return 1
	printf '%s\n' "$strong" >"$dir/pg/strong_password"
	chmod 600 "$dir/pg/strong_password"
	for name in $PG_NAMES; do
		wait_port "$(pg_addr "$name")" 5432 150 || return 1
		# the socket may come a moment after the TCP listener
		for i in $(seq 50); do
			[ -S "$dir/pg/$name/.s.PGSQL.5432" ] && break
			sleep 0.1
		done
		pg_roles_sql "$name" "$strong" | pg_psql "$name" || {
			echo "lab: setting roles of $name failed" >&2; return 1; }
	done
	if [ -x "$HOSTILE" ]; then
		"$HOSTILE" garbage 127.0.20.21 5432 --lifetime 86400 \
			</dev/null >"$dir/pg/hostile_garbage.out" 2>&1 &
		pid_add $!
		"$HOSTILE" silent 127.0.20.22 5432 --lifetime 86400 \
			</dev/null >"$dir/pg/hostile_silent.out" 2>&1 &
		pid_add $!
		wait_port 127.0.20.21 5432 && wait_port 127.0.20.22 5432 || return 1
		env_add EXPO_LAB_PG_HOSTILE=1
	else
		echo "lab: $HOSTILE not built; no hostile pg servers" >&2
		env_add EXPO_LAB_PG_HOSTILE=0
	fi
	env_add "# pg (tests/lab/lab.d/pg.sh)"
	for name in $PG_NAMES; do
		env_add "EXPO_LAB_PG_$(echo "$name" | tr a-z A-Z)=$(pg_addr "$name")"
	done
	env_add EXPO_LAB_PG_GARBAGE=127.0.20.21
	env_add EXPO_LAB_PG_SILENT=127.0.20.22
	env_add "EXPO_LAB_PG_DIR=$dir/pg"
	env_add "EXPO_LAB_PG_STRONG_PASSWORD_FILE=$dir/pg/strong_password"
}

# fast shutdown (SIGINT) first: SIGTERM would wait for clients
lab_pg_stop() {
	local pid
	[ -f "$dir/pg/pids" ] || return 0
	while read -r pid; do
		[ -n "$pid" ] && ours "$pid" && kill -INT "$pid" 2>/dev/null
	done <"$dir/pg/pids"
	return 0
}

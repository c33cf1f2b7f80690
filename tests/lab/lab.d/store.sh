# tests/lab/lab.d/store.sh - the PostgreSQL server of the --store tests
# (sourced by tests/lab/lab.sh; block 127.0.60.0/24).
#
#   127.0.60.1:5432  postgresql-15, trust authentication for the role
#                    `exposure` (owner of database `exposure`, CREATEDB so
#                    that each test makes its own database), listening on
#                    that address only; unix socket under DIR/store
#
# Run as the `postgres` system user (the server refuses root) with every
# file under DIR/store: initdb makes a fresh cluster there, so the
# machine's own clusters (/var/lib/postgresql, pg_ctlcluster) are never
# touched. setpriv execs, so the recorded PID is the postmaster itself;
# stop is a fast shutdown (a plain TERM would wait for clients).
# Exports EXPO_LAB_STORE_URL for tests/integration/test_store_lab.c.

STORE_BIN=/usr/lib/postgresql/15/bin
STORE_ADDR=127.0.60.1
STORE_PORT=5432
LAB_PROCS="$LAB_PROCS|$STORE_BIN/postgres"

store_as_postgres() {
	setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
}

lab_store_start() {
	local d=$dir/store
	[ -x "$STORE_BIN/postgres" ] || { echo "lab: store: $STORE_BIN/postgres missing (apt-get install postgresql)" >&2; return 1; }
	id postgres >/dev/null 2>&1 || { echo "lab: store: no postgres system user" >&2; return 1; }
	if listening "$STORE_ADDR" "$STORE_PORT"; then
		echo "lab: store: $STORE_ADDR:$STORE_PORT is taken" >&2
		return 1
	fi
	mkdir -p "$d"
	chown postgres:postgres "$d"
	chmod 700 "$d"
	store_as_postgres "$STORE_BIN/initdb" -D "$d/data" -U postgres \
		--auth=trust -E UTF8 --locale=C --no-sync \
		>"$d/initdb.log" 2>&1 || {
		echo "lab: store: initdb failed:" >&2; tail -n 5 "$d/initdb.log" >&2; return 1; }
	cat >>"$d/data/postgresql.conf" <<CONF
# exposure lab (tests/lab/lab.d/store.sh)
listen_addresses = '$STORE_ADDR'
port = $STORE_PORT
unix_socket_directories = '$d'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 40
logging_collector = off
CONF
	cat >"$d/data/pg_hba.conf" <<HBA
# exposure lab: trust from loopback (the server listens on the lab address
# only) and on the lab socket
local all all trust
host all all 127.0.0.0/8 trust
HBA
	store_as_postgres "$STORE_BIN/postgres" -D "$d/data" \
		</dev/null >"$d/server.log" 2>&1 &
	pid_add $!
	wait_port "$STORE_ADDR" "$STORE_PORT" 150 || { tail -n 5 "$d/server.log" >&2; return 1; }
	store_as_postgres psql -qX -h "$d" -p "$STORE_PORT" -U postgres \
		-d postgres -v ON_ERROR_STOP=1 >"$d/setup.log" 2>&1 <<SQL || {
CREATE ROLE exposure LOGIN CREATEDB;
CREATE DATABASE exposure OWNER exposure;
SQL
		echo "lab: store: setup failed:" >&2; tail -n 5 "$d/setup.log" >&2; return 1; }
	env_add "EXPO_LAB_STORE_URL=postgresql://exposure@$STORE_ADDR:$STORE_PORT/exposure"
	env_add "EXPO_LAB_STORE_ADDR=$STORE_ADDR"
}

lab_store_stop() {
	local d=$dir/store
	[ -f "$d/data/postmaster.pid" ] || return 0
	store_as_postgres "$STORE_BIN/pg_ctl" -D "$d/data" -m fast -w -t 20 \
		stop >/dev/null 2>&1 || true
}

# tests/lab/lab.d/rawapi.sh - raw-protocol API servers for the redis,
# memcached, mongodb and mysql checks (sourced by tests/lab/lab.sh).
# Block 127.0.31.0/24; every file under DIR/rawapi, never the system
# instances or their configuration (/etc/redis, /etc/mysql, /var/lib/mysql):
#
#   127.0.31.1:6379   redis-server, no password, protected-mode no
#   127.0.31.2:6379   redis-server with requirepass (long random password)
#   127.0.31.3:6379   redis-server --sentinel (no password), monitoring .1
#   127.0.31.4:11211  memcached, no authentication (UDP off)
#   127.0.31.5:27017  mongoreplay open: MongoDB 7.0 replies, auth off
#   127.0.31.6:27017  mongoreplay auth: listDatabases -> Unauthorized (13)
#   127.0.31.7:3306   MariaDB, root@'%' without a password
#   127.0.31.8:3306   MariaDB, root@'%' (and root@localhost) with a long
#                     random password; the install's passwordless
#                     root@127.0.0.1/::1/HOSTNAME and anonymous users are
#                     dropped on both servers
#   127.0.31.11       hostile silent   } on 6379, 11211, 27017 and 3306
#   127.0.31.12       hostile garbage  }
#   127.0.31.13       hostile reset    }
#
# MariaDB: mariadb-install-db --no-defaults with
# --auth-root-authentication-method=normal into DIR/rawapi/mariadb_NAME,
# then mariadbd --no-defaults --user=mysql with its socket, pid file and
# tmpdir there, --skip-name-resolve (the scanner's source 127.0.0.1 then
# matches only '%' or IP accounts); the accounts are set over that socket.
# Redis and memcached run as their Debian system users; MongoDB has no
# Debian package, so build/lab/mongoreplay replays tests/fixtures/mongodb/7.0.

RAWAPI_REDIS_OPEN=127.0.31.1
RAWAPI_REDIS_AUTH=127.0.31.2
RAWAPI_REDIS_SENTINEL=127.0.31.3
RAWAPI_MEMCACHED=127.0.31.4
RAWAPI_MONGO_OPEN=127.0.31.5
RAWAPI_MONGO_AUTH=127.0.31.6
RAWAPI_MARIADB_WEAK=127.0.31.7
RAWAPI_MARIADB_STRONG=127.0.31.8
RAWAPI_HOSTILE_SILENT=127.0.31.11
RAWAPI_HOSTILE_GARBAGE=127.0.31.12
RAWAPI_HOSTILE_RESET=127.0.31.13
RAWAPI_PORTS="6379 11211 27017 3306"
LAB_PROCS="$LAB_PROCS|redis-server|redis-sentinel|memcached|mongoreplay|mariadbd"

rawapi_busy() {
	local a p
	for a in $RAWAPI_REDIS_OPEN $RAWAPI_REDIS_AUTH $RAWAPI_REDIS_SENTINEL; do
		listening "$a" 6379 && { echo "$a:6379"; return 0; }
	done
	listening $RAWAPI_MEMCACHED 11211 && { echo "$RAWAPI_MEMCACHED:11211"; return 0; }
	for a in $RAWAPI_MONGO_OPEN $RAWAPI_MONGO_AUTH; do
		listening "$a" 27017 && { echo "$a:27017"; return 0; }
	done
	for a in $RAWAPI_MARIADB_WEAK $RAWAPI_MARIADB_STRONG; do
		listening "$a" 3306 && { echo "$a:3306"; return 0; }
	done
	for a in $RAWAPI_HOSTILE_SILENT $RAWAPI_HOSTILE_GARBAGE $RAWAPI_HOSTILE_RESET; do
		for p in $RAWAPI_PORTS; do
			listening "$a" "$p" && { echo "$a:$p"; return 0; }
		done
	done
	return 1
}

rawapi_redis() {
	local name=$1 addr=$2 extra=$3 d=$dir/rawapi/redis_$1
	mkdir -p "$d" && chown redis:redis "$d" || return 1
	{
		echo "# exposure lab: redis $name (tests/lab/lab.d/rawapi.sh)"
		echo "bind $addr"
		echo "port 6379"
		echo "daemonize no"
		echo "dir $d"
		echo "pidfile $d/redis.pid"
		echo "logfile $d/redis.log"
		echo "save \"\""
		echo "appendonly no"
		printf '%s\n' "$extra"
	} >"$d/redis.conf"
	chown redis:redis "$d/redis.conf"
	setpriv --reuid=redis --regid=redis --init-groups -- \
		/usr/bin/redis-server "$d/redis.conf" ${4:-} \
		</dev/null >>"$d/stdout.log" 2>&1 &
	pid_add $!
}

rawapi_mariadb() {
	local name=$1 addr=$2 d=$dir/rawapi/mariadb_$1 i
	mkdir -p "$d/data" "$d/tmp" && chown -R mysql:mysql "$d" || return 1
	mariadb-install-db --no-defaults --datadir="$d/data" --user=mysql \
		--auth-root-authentication-method=normal --skip-test-db \
		>"$d/install.log" 2>&1 || {
		echo "lab: mariadb-install-db failed (see $d/install.log)" >&2
		return 1
	}
	/usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$d/data" \
		--socket="$d/mysqld.sock" --pid-file="$d/mysqld.pid" \
		--tmpdir="$d/tmp" --log-error="$d/error.log" \
		--bind-address="$addr" --port=3306 --skip-name-resolve \
		--innodb-buffer-pool-size=16M --performance-schema=OFF \
		</dev/null >>"$d/stdout.log" 2>&1 &
	pid_add $!
}

rawapi_sql() {
	local name=$1
	shift
	mariadb --no-defaults --socket="$dir/rawapi/mariadb_$name/mysqld.sock" \
		-uroot "$@"
}

lab_rawapi_start() {
	local busy a p strong_redis strong_db mongo_fx i
	local hostile=$top/build/lab/hostile replay=$top/build/lab/mongoreplay
	busy=$(rawapi_busy) && {
		echo "lab: rawapi: already listening on $busy" >&2
		return 1
	}
	[ -x "$replay" ] || { echo "lab: $replay not built (make build/lab/mongoreplay)" >&2; return 1; }
	[ -x "$hostile" ] || { echo "lab: $hostile not built (make build/lab/hostile)" >&2; return 1; }
	mkdir -p "$dir/rawapi" || return 1
	chmod 755 "$dir" "$dir/rawapi"
	strong_redis=$(openssl rand -hex 24) || return 1
	strong_db=$(openssl rand -hex 24) || return 1

	rawapi_redis open $RAWAPI_REDIS_OPEN "protected-mode no" || return 1
	rawapi_redis auth $RAWAPI_REDIS_AUTH "requirepass $strong_redis" || return 1
	mkdir -p "$dir/rawapi/redis_sentinel" || return 1
	rawapi_redis sentinel $RAWAPI_REDIS_SENTINEL \
		"protected-mode no
sentinel monitor labmaster $RAWAPI_REDIS_OPEN 6379 1" --sentinel || return 1

	setpriv --reuid=memcache --regid=memcache --init-groups -- \
		/usr/bin/memcached -l $RAWAPI_MEMCACHED -p 11211 -U 0 -m 16 -c 256 \
		</dev/null >"$dir/rawapi/memcached.log" 2>&1 &
	pid_add $!

	mongo_fx=$top/tests/fixtures/mongodb/7.0
	"$replay" open $RAWAPI_MONGO_OPEN 27017 "$mongo_fx" --lifetime 86400 \
		</dev/null >"$dir/rawapi/mongo_open.log" 2>&1 &
	pid_add $!
	"$replay" auth $RAWAPI_MONGO_AUTH 27017 "$mongo_fx" --lifetime 86400 \
		</dev/null >"$dir/rawapi/mongo_auth.log" 2>&1 &
	pid_add $!

	for p in $RAWAPI_PORTS; do
		"$hostile" silent $RAWAPI_HOSTILE_SILENT "$p" --lifetime 86400 \
			</dev/null >/dev/null 2>&1 &
		pid_add $!
		"$hostile" garbage $RAWAPI_HOSTILE_GARBAGE "$p" --lifetime 86400 \
			</dev/null >/dev/null 2>&1 &
		pid_add $!
		"$hostile" reset $RAWAPI_HOSTILE_RESET "$p" --lifetime 86400 \
			</dev/null >/dev/null 2>&1 &
		pid_add $!
	done

	rawapi_mariadb weak $RAWAPI_MARIADB_WEAK || return 1
	rawapi_mariadb strong $RAWAPI_MARIADB_STRONG || return 1

	wait_port $RAWAPI_REDIS_OPEN 6379 && wait_port $RAWAPI_REDIS_AUTH 6379 &&
		wait_port $RAWAPI_REDIS_SENTINEL 6379 &&
		wait_port $RAWAPI_MEMCACHED 11211 &&
		wait_port $RAWAPI_MONGO_OPEN 27017 &&
		wait_port $RAWAPI_MONGO_AUTH 27017 || return 1
	for a in $RAWAPI_HOSTILE_SILENT $RAWAPI_HOSTILE_GARBAGE $RAWAPI_HOSTILE_RESET; do
		for p in $RAWAPI_PORTS; do
			wait_port "$a" "$p" || return 1
		done
	done
	wait_port $RAWAPI_MARIADB_WEAK 3306 300 &&
		wait_port $RAWAPI_MARIADB_STRONG 3306 300 || {
		tail -n 5 "$dir"/rawapi/mariadb_*/error.log >&2
		return 1
	}
	# one cached item, so that memcached's evidence counts something
	printf 'set exposure-lab 0 0 2\r\nok\r\nquit\r\n' |
		timeout 5 bash -c "cat >/dev/tcp/$RAWAPI_MEMCACHED/11211" 2>/dev/null

	# mariadb-install-db also makes root@127.0.0.1, root@::1 and
	# root@HOSTNAME without a password, and anonymous users: drop all
	# but root@localhost, then add the one remote root of each server
	for i in weak strong; do
		rawapi_sql $i -N -e "SELECT CONCAT('DROP USER ', QUOTE(User), '@',
QUOTE(Host), ';') FROM mysql.user WHERE Host <> 'localhost' OR User = ''" |
			rawapi_sql $i || return 1
	done
	rawapi_sql weak -e "CREATE USER 'root'@'%' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;" || return 1
	rawapi_sql strong -e "CREATE USER 'root'@'%' IDENTIFIED BY '$strong_db';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$strong_db';" || return 1
	# for checks by hand (Access_denied_errors over the socket)
	(umask 077 && printf '%s\n' "$strong_db" >"$dir/rawapi/mariadb_strong/root_password")

	env_add "EXPO_LAB_REDIS_OPEN=$RAWAPI_REDIS_OPEN:6379"
	env_add "EXPO_LAB_REDIS_AUTH=$RAWAPI_REDIS_AUTH:6379"
	env_add "EXPO_LAB_REDIS_SENTINEL=$RAWAPI_REDIS_SENTINEL:6379"
	env_add "EXPO_LAB_MEMCACHED=$RAWAPI_MEMCACHED:11211"
	env_add "EXPO_LAB_MONGODB_OPEN=$RAWAPI_MONGO_OPEN:27017"
	env_add "EXPO_LAB_MONGODB_AUTH=$RAWAPI_MONGO_AUTH:27017"
	env_add "EXPO_LAB_MARIADB_WEAK=$RAWAPI_MARIADB_WEAK:3306"
	env_add "EXPO_LAB_MARIADB_STRONG=$RAWAPI_MARIADB_STRONG:3306"
	env_add "EXPO_LAB_MARIADB_STRONG_SOCKET=$dir/rawapi/mariadb_strong/mysqld.sock"
	env_add "EXPO_LAB_MARIADB_STRONG_PWFILE=$dir/rawapi/mariadb_strong/root_password"
	env_add "EXPO_LAB_RAWAPI_HOSTILE_SILENT=$RAWAPI_HOSTILE_SILENT"
	env_add "EXPO_LAB_RAWAPI_HOSTILE_GARBAGE=$RAWAPI_HOSTILE_GARBAGE"
	env_add "EXPO_LAB_RAWAPI_HOSTILE_RESET=$RAWAPI_HOSTILE_RESET"
}

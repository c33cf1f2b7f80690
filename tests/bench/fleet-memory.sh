#!/usr/bin/env bash
# fleet-memory.sh - peak memory of a scan of a whole estate, its reports
# and what reads them back, before (the main branch) and after, in one run.
#
# N closed loopback addresses (127.240.0.0/14: nothing listens there, so
# every port answers RST at once) from a plain list:
#   (a) N x the 20 ports of issue 16 (--ports), no report file
#   (b) the same with every writer on (--json --sarif --junit --markdown
#       --defectdojo --html --ports-out --github-annotations, and the text
#       report on standard output)
#   (c) `exposure report` of (b)'s JSON to SARIF
#   (d) `exposure merge` of two shard reports (--shard 1/2 and 2/2)
#   (e) a scan with --baseline (b)'s JSON and --json
#   (f) (b) with the default port set of the day (no --ports)
#   (g) nmap -oX input of H hosts (`exposure targets`, sends nothing)
#   (h) an AWS describe-instances file of K instances: bytes per instance
#       and the largest file that loads in 64 MB
# Peak RSS and wall time from /usr/bin/time -v. Target: every "after" row
# of (b)-(e) under 64 MB; nmap input under 4x its size.
#
# Options: --targets N (100000), --hosts H (100000), --instances K
# (100000), --quick (N = H = K = 20000), --no-before (skip the main
# binary), --keep (keep the work dir).
# EXPOSURE=path (after) and BEFORE=path (the main binary; default
# build/bench-before/exposure, built from `git merge-base HEAD main` when
# missing) override the binaries. Only 127.x addresses are scanned.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
BEFORE=${BEFORE:-$ROOT/build/bench-before/exposure}
N=100000
H=100000
K=100000
RUN_BEFORE=1
KEEP=0
LIMIT_KB=$((64 * 1024))
PORTS20=22,445,1433,2375,2376,2379,3306,3389,5432,5984,6379,6443,8080,8086,8500,9200,10250,11211,11434,27017

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--targets) N=${2:?}; shift ;;
	--hosts) H=${2:?}; shift ;;
	--instances) K=${2:?}; shift ;;
	--quick) N=20000; H=20000; K=20000 ;;
	--no-before) RUN_BEFORE=0 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage ;;
	*) echo "fleet-memory.sh: unknown option $1" >&2; usage ;;
	esac
	shift
done
case $N$H$K in *[!0-9]*) echo "fleet-memory.sh: numbers only" >&2; exit 2 ;; esac
if [ "$N" -gt 262000 ] || [ "$N" -lt 2 ]; then
	echo "fleet-memory.sh: --targets 2 to 262000 (one /14 of loopback)" >&2
	exit 2
fi
[ -x /usr/bin/time ] || { echo "fleet-memory.sh: /usr/bin/time is missing (package time)" >&2; exit 2; }
[ -x "$EXPOSURE" ] || { echo "fleet-memory.sh: $EXPOSURE is missing: run make" >&2; exit 2; }

if [ "$RUN_BEFORE" = 1 ] && [ ! -x "$BEFORE" ]; then
	base=$(git -C "$ROOT" merge-base HEAD main 2>/dev/null || true)
	if [ -z "$base" ]; then
		echo "fleet-memory.sh: no main branch to build the before binary from; give BEFORE=path or --no-before" >&2
		exit 2
	fi
	echo "building the before binary ($base) in $ROOT/build/bench-before"
	rm -rf "$ROOT/build/bench-before"
	mkdir -p "$ROOT/build/bench-before"
	git -C "$ROOT" archive "$base" | tar -x -C "$ROOT/build/bench-before"
	make -C "$ROOT/build/bench-before" -j2 exposure >/dev/null
fi

WORK=$(mktemp -d /tmp/expo-fleet.XXXXXX)
cleanup() {
	if [ "$KEEP" = 1 ]; then
		echo "work files kept in $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

# N addresses from 127.240.0.1, skipping .0 and .255
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) {
	b = int(i / 254); printf "127.%d.%d.%d\n", 240 + int(b / 256), b % 256, i % 254 + 1 } }' >"$WORK/targets.txt"

MISSED=()
ROWS=()

# run LABEL BUILD LIMIT_KB CMD...: one row from /usr/bin/time -v; LIMIT_KB
# 0 means no target
run() {
	local label=$1 build=$2 limit=$3 rss wall rc
	shift 3
	set +e
	/usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/stdout.txt" 2>"$WORK/stderr.txt"
	rc=$?
	set -e
	rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time.txt")
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { print $2 }' "$WORK/time.txt" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
	if [ "$rc" -gt 1 ]; then
		echo "fleet-memory.sh: $label ($build) exited $rc:" >&2
		head -c 2000 "$WORK/stderr.txt" | tr -c '[:print:]\n' '?' >&2
		MISSED+=("$label/$build: exit $rc")
	fi
	ROWS+=("$(printf '%-44s %-7s %9.1f %8s' "$label" "$build" "$(echo "$rss" | awk '{ print $1 / 1024 }')" "$wall")")
	if [ "$limit" -gt 0 ] && [ "$rss" -gt "$limit" ]; then
		MISSED+=("$label/$build: $((rss / 1024)) MB > $((limit / 1024)) MB")
	fi
	LAST_RSS=$rss
}

size_mb() {
	awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'
}

WRITERS=(--json J --sarif "$WORK/r.sarif" --junit "$WORK/r.junit" --markdown "$WORK/r.md"
	--defectdojo "$WORK/r.dojo" --html "$WORK/r.html" --ports-out "$WORK/r.tsv"
	--github-annotations)

writers() { # writers PREFIX: the writer flags with files under WORK/PREFIX.*
	local a out=()
	for a in "${WRITERS[@]}"; do
		case $a in
		J) out+=("$WORK/$1.json") ;;
		"$WORK"/r.*) out+=("$WORK/$1.${a##*.}") ;;
		*) out+=("$a") ;;
		esac
	done
	printf '%s\n' "${out[@]}"
}

builds=(after)
[ "$RUN_BEFORE" = 1 ] && builds=(before after)
declare -A JSON_MB
for build in "${builds[@]}"; do
	bin=$EXPOSURE
	[ "$build" = before ] && bin=$BEFORE
	p=$WORK/$build
	mapfile -t W < <(writers "$build")
	run "(a) $N x 20 ports, no report" "$build" 0 \
		"$bin" scan "$WORK/targets.txt" --ports "$PORTS20" -q
	run "(b) $N x 20 ports, every writer" "$build" $([ $build = after ] && echo $LIMIT_KB || echo 0) \
		"$bin" scan "$WORK/targets.txt" --ports "$PORTS20" "${W[@]}"
	JSON_MB[$build]=$(size_mb "$p.json")
	run "(c) report JSON -> SARIF" "$build" $([ $build = after ] && echo $LIMIT_KB || echo 0) \
		"$bin" report "$p.json" --sarif "$p.re.sarif" -q
	"$bin" scan "$WORK/targets.txt" --ports "$PORTS20" -q --shard 1/2 --json "$p.s1.json"
	"$bin" scan "$WORK/targets.txt" --ports "$PORTS20" -q --shard 2/2 --json "$p.s2.json"
	run "(d) merge 2 shards -> JSON" "$build" $([ $build = after ] && echo $LIMIT_KB || echo 0) \
		"$bin" merge "$p.s1.json" "$p.s2.json" --json "$p.m.json" -q
	run "(e) scan --baseline (b) --json" "$build" $([ $build = after ] && echo $LIMIT_KB || echo 0) \
		"$bin" scan "$WORK/targets.txt" --ports "$PORTS20" -q --baseline "$p.json" --json "$p.b.json"
	mapfile -t W < <(writers "$build.d")
	run "(f) $N x default ports, every writer" "$build" 0 \
		"$bin" scan "$WORK/targets.txt" "${W[@]}"
	rm -f "$p".*
done

# (g) nmap -oX of H hosts, 3 open ports each
awk -v n="$H" 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>"
	print "<nmaprun scanner=\"nmap\" args=\"nmap -oX -\" version=\"7.93\" xmloutputversion=\"1.05\">"
	for (i = 0; i < n; i++) {
		b = int(i / 254); a = sprintf("127.%d.%d.%d", 240 + int(b / 256), b % 256, i % 254 + 1)
		printf "<host starttime=\"1700000001\" endtime=\"1700000005\"><status state=\"up\" reason=\"syn-ack\" reason_ttl=\"0\"/>\n"
		printf "<address addr=\"%s\" addrtype=\"ipv4\"/>\n<hostnames><hostname name=\"h%d.example.test\" type=\"PTR\"/></hostnames>\n", a, i
		printf "<ports><extraports state=\"closed\" count=\"997\"/>\n"
		printf "<port protocol=\"tcp\" portid=\"22\"><state state=\"open\" reason=\"syn-ack\"/><service name=\"ssh\" method=\"table\" conf=\"3\"/></port>\n"
		printf "<port protocol=\"tcp\" portid=\"5432\"><state state=\"open\" reason=\"syn-ack\"/><service name=\"postgresql\" method=\"table\" conf=\"3\"/></port>\n"
		printf "<port protocol=\"tcp\" portid=\"8080\"><state state=\"open\" reason=\"syn-ack\"/><service name=\"http-proxy\" method=\"table\" conf=\"3\"/></port>\n"
		printf "</ports>\n<times srtt=\"50\" rttvar=\"50\" to=\"100000\"/>\n</host>\n"
	}
	print "<runstats><finished time=\"1700000009\"/><hosts up=\"" n "\" down=\"0\" total=\"" n "\"/></runstats>\n</nmaprun>"
}' >"$WORK/hosts.xml"
XML_KB=$(($(stat -c %s "$WORK/hosts.xml") / 1024))
declare -A XML_RSS
for build in "${builds[@]}"; do
	bin=$EXPOSURE
	[ "$build" = before ] && bin=$BEFORE
	run "(g) nmap XML, $H hosts ($((XML_KB / 1024)) MB)" "$build" $([ $build = after ] && echo $((XML_KB * 4)) || echo 0) \
		"$bin" targets "$WORK/hosts.xml" --format nmap
	XML_RSS[$build]=$LAST_RSS
done

# (h) AWS describe-instances: K and K/2 instances, the slope is the cost
# of one instance, the intercept what a run needs before any
aws_json() {
	awk -v n="$1" 'BEGIN {
		print "{\"Reservations\": ["
		for (i = 0; i < n; i++) {
			b = int(i / 254); a = sprintf("127.%d.%d.%d", 240 + int(b / 256), b % 256, i % 254 + 1)
			printf "%s{\"OwnerId\": \"111122223333\", \"ReservationId\": \"r-%08x\", \"Instances\": [{", (i ? "," : ""), i
			printf "\"InstanceId\": \"i-%017x\", \"State\": {\"Code\": 16, \"Name\": \"running\"}, ", i
			printf "\"Placement\": {\"AvailabilityZone\": \"us-east-1a\"}, \"PrivateIpAddress\": \"%s\", ", a
			printf "\"PublicDnsName\": \"\", \"Tags\": [{\"Key\": \"Name\", \"Value\": \"web-%d\"}, {\"Key\": \"env\", \"Value\": \"prod\"}, {\"Key\": \"team\", \"Value\": \"payments\"}], ", i
			printf "\"SecurityGroups\": [{\"GroupId\": \"sg-0web\", \"GroupName\": \"web\"}], "
			printf "\"NetworkInterfaces\": [{\"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"%s\"}], \"Groups\": [{\"GroupId\": \"sg-0web\"}]}]}]}\n", a
		}
		print "]}"
	}'
}
aws_json "$K" >"$WORK/aws.json"
aws_json $((K / 2)) >"$WORK/aws-half.json"
AWS_B=$(stat -c %s "$WORK/aws.json")
run "(h) AWS JSON, $K instances ($((AWS_B / 1048576)) MB)" after 0 \
	"$EXPOSURE" targets "$WORK/aws.json" --format aws
R1=$LAST_RSS
run "(h) AWS JSON, $((K / 2)) instances" after 0 \
	"$EXPOSURE" targets "$WORK/aws-half.json" --format aws
R2=$LAST_RSS

echo
echo "fleet-memory: $N closed loopback targets; 20 ports = $PORTS20"
printf '%-44s %-7s %9s %8s\n' "row" "build" "peak MB" "wall s"
printf '%s\n' "${ROWS[@]}"
for build in "${builds[@]}"; do
	echo "JSON report of (b), $build: ${JSON_MB[$build]} MB"
done
for build in "${builds[@]}"; do
	awk -v r="${XML_RSS[$build]}" -v x="$XML_KB" -v b="$build" \
		'BEGIN { printf "nmap XML (%s): peak RSS %.1f x the file size\n", b, r / x }'
done
awk -v r1="$R1" -v r2="$R2" -v k="$K" -v bytes="$AWS_B" -v lim="$LIMIT_KB" 'BEGIN {
	per = (r1 - r2) * 1024 / (k - k / 2); base = r1 * 1024 - per * k
	fileper = bytes / k
	n = (lim * 1024 - base) / per
	printf "AWS JSON: %.0f bytes of memory per instance (%.0f bytes of file each, %.0f KB before any); ", per, fileper, base / 1024
	printf "the largest file that loads in 64 MB: about %.0f instances, %.0f MB\n", n, n * fileper / 1048576
}'
if [ ${#MISSED[@]} -gt 0 ]; then
	printf 'fleet-memory: missed: %s\n' "${MISSED[@]}"
	exit 1
fi

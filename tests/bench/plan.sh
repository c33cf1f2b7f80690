#!/usr/bin/env bash
# plan.sh - the pre-release gate at estate scale: a generated `terraform
# show -json` plan of INSTANCES aws_instance resources (one in ten a GPU
# type, one in five without metadata_options) and SGS security groups
# (one in four opening SSH or Ollama to 0.0.0.0/0 or ::/0), each instance
# referring to one group through configuration references, judged with
# `exposure scan PLAN --offline`. No competitor runs here (Checkov and
# Trivy are not packaged for Debian); the figures stand alone.
# PASS: judged in under 2 s and under 200 MB peak RSS, and the number of
# world-open findings is the one the generator planted.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EXPOSURE=${EXPOSURE:-$ROOT/exposure}
INSTANCES=${INSTANCES:-10000}
SGS=${SGS:-2000}
work=$(mktemp -d /tmp/expo-bench-plan.XXXXXX)
trap 'rm -rf "$work"' EXIT

awk -v n="$INSTANCES" -v g="$SGS" 'BEGIN {
	print "{\"format_version\": \"1.2\", \"terraform_version\": \"1.9.5\","
	print "\"resource_changes\": ["
	for (s = 0; s < g; s++) {
		open_port = (s % 4 == 0) ? ((s % 8 == 0) ? 22 : 11434) : 0
		cidr = (s % 8 == 0) ? "\"cidr_blocks\": [\"0.0.0.0/0\"]" : "\"ipv6_cidr_blocks\": [\"::/0\"]"
		if (!open_port) { open_port = 22; cidr = "\"cidr_blocks\": [\"10.0.0.0/8\"]" }
		printf "{\"address\": \"aws_security_group.sg[%d]\", \"mode\": \"managed\", \"type\": \"aws_security_group\", \"name\": \"sg\", \"index\": %d, \"change\": {\"actions\": [\"create\"], \"after\": {\"ingress\": [{\"from_port\": %d, \"to_port\": %d, \"protocol\": \"tcp\", %s}]}, \"after_unknown\": {\"id\": true}}},\n", s, s, open_port, open_port, cidr
	}
	for (i = 0; i < n; i++) {
		type = (i % 10 == 0) ? "g5.xlarge" : "t3.small"
		mo = (i % 5 == 0) ? "[]" : "[{\"http_tokens\": \"required\"}]"
		printf "{\"address\": \"module.m%d.aws_instance.vm[%d]\", \"mode\": \"managed\", \"type\": \"aws_instance\", \"name\": \"vm\", \"index\": %d, \"module_address\": \"module.m%d\", \"change\": {\"actions\": [\"create\"], \"after\": {\"instance_type\": \"%s\", \"metadata_options\": %s}, \"after_unknown\": {\"id\": true, \"vpc_security_group_ids\": true}}}%s\n", i % g, int(i / g), int(i / g), i % g, type, mo, (i < n - 1) ? "," : ""
	}
	print "],"
	print "\"configuration\": {\"root_module\": {\"resources\": [], \"module_calls\": {"
	for (s = 0; s < g; s++)
		printf "\"m%d\": {\"module\": {\"resources\": [{\"address\": \"aws_instance.vm\", \"mode\": \"managed\", \"type\": \"aws_instance\", \"name\": \"vm\", \"expressions\": {\"vpc_security_group_ids\": {\"references\": [\"aws_security_group.sg[%d].id\"]}}}]}}%s\n", s, s, (s < g - 1) ? "," : ""
	print "}}}}"
}' >"$work/plan.json"
# Module m<k> holds group sg[k] and the instances vm[0..] that use it
# (count = INSTANCES / SGS): the groups' addresses are moved into the
# modules so that the references resolve as Terraform's would.
sed -i 's/\"address\": \"aws_security_group.sg\[\([0-9]*\)\]\"/"address": "module.m\1.aws_security_group.sg[\1]", "module_address": "module.m\1"/' "$work/plan.json"
size=$(stat -c %s "$work/plan.json")

/usr/bin/time -f '%e %M' -o "$work/time" "$EXPOSURE" scan "$work/plan.json" \
	--offline -q --fail-on none --json "$work/out.json"
read -r secs kb <"$work/time"
world=$(jq '[.findings[] | select(.rule == "cloud.port_open_to_world")] | length' "$work/out.json")
gpu=$(jq '[.findings[] | select(.rule == "cloud.gpu_instance_exposed")] | length' "$work/out.json")
imds=$(jq '[.findings[] | select(.rule == "aws.imdsv1_allowed")] | length' "$work/out.json")
# planted: instance i uses group i % SGS, open when (i % SGS) % 4 == 0
want_world=$(awk -v n="$INSTANCES" -v g="$SGS" 'BEGIN { c = 0; for (i = 0; i < n; i++) if ((i % g) % 4 == 0) c++; print c }')
want_gpu=$(awk -v n="$INSTANCES" -v g="$SGS" 'BEGIN { c = 0; for (i = 0; i < n; i++) if ((i % g) % 4 == 0 && i % 10 == 0) c++; print c }')
want_imds=$((INSTANCES / 5))
printf 'plan                %d instances, %d security groups, %.1f MB\n' "$INSTANCES" "$SGS" "$(echo "$size / 1000000" | bc -l)"
printf 'judged in           %s s, peak RSS %.0f MB\n' "$secs" "$(echo "$kb / 1024" | bc -l)"
printf 'findings            %d world-open (planted %d), %d GPU (planted %d), %d IMDSv1 (planted %d)\n' \
	"$world" "$want_world" "$gpu" "$want_gpu" "$imds" "$want_imds"
ok=1
[ "$world" -eq "$want_world" ] && [ "$gpu" -eq "$want_gpu" ] && [ "$imds" -eq "$want_imds" ] || { echo "FAIL: findings differ from what was planted"; ok=0; }
awk -v s="$secs" 'BEGIN { exit !(s < 2.0) }' || { echo "FAIL: 2 s or more"; ok=0; }
[ "$kb" -lt $((200 * 1024)) ] || { echo "FAIL: 200 MB or more"; ok=0; }
[ $ok = 1 ] && echo "PASS: under 2 s and 200 MB, exact findings"
[ $ok = 1 ]

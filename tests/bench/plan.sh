#!/usr/bin/env bash
# plan.sh - the pre-release gate at estate scale: a generated `terraform
# show -json` plan of INSTANCES aws_instance resources (one in ten a GPU
# type, one in five without metadata_options) and SGS security groups
# (one in four opening SSH or Ollama to 0.0.0.0/0 or ::/0), each instance
# referring to one group through configuration references, judged with
# `exposure scan PLAN --offline`; then AZURE_VMS Azure VMs joined by id
# (NIC, NSG, associations, rules by group name). No competitor runs here (Checkov and
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

# The same at Azure's shape, joined by id as a plan of resources that
# already exist (and a state) joins: AZURE_VMS VMs, each with its NIC, an
# NSG and the NIC's association to it; every other NSG opens SSH to "*",
# the rest a private range, and every fourth VM's subnet association adds
# an NSG whose separate rule (joined by the group's name) opens RDP.
AZURE_VMS=${AZURE_VMS:-8000}
awk -v n="$AZURE_VMS" 'BEGIN {
	print "{\"format_version\": \"1.2\", \"resource_changes\": ["
	print "{\"address\": \"azurerm_network_security_group.subnet\", \"mode\": \"managed\", \"type\": \"azurerm_network_security_group\", \"name\": \"subnet\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"id\": \"/nsg/subnet\", \"name\": \"subnet-nsg\"}}},"
	print "{\"address\": \"azurerm_network_security_rule.rdp\", \"mode\": \"managed\", \"type\": \"azurerm_network_security_rule\", \"name\": \"rdp\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"name\": \"rdp\", \"network_security_group_name\": \"subnet-nsg\", \"direction\": \"Inbound\", \"access\": \"Allow\", \"protocol\": \"Tcp\", \"destination_port_range\": \"3389\", \"source_address_prefix\": \"*\"}}},"
	print "{\"address\": \"azurerm_subnet.dmz\", \"mode\": \"managed\", \"type\": \"azurerm_subnet\", \"name\": \"dmz\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"id\": \"/subnet/dmz\"}}},"
	print "{\"address\": \"azurerm_subnet_network_security_group_association.dmz\", \"mode\": \"managed\", \"type\": \"azurerm_subnet_network_security_group_association\", \"name\": \"dmz\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"subnet_id\": \"/subnet/dmz\", \"network_security_group_id\": \"/nsg/subnet\"}}},"
	for (i = 0; i < n; i++) {
		src = (i % 2 == 0) ? "*" : "10.0.0.0/8"
		subnet = (i % 4 == 0) ? "/subnet/dmz" : "/subnet/other"
		printf "{\"address\": \"azurerm_network_security_group.g[%d]\", \"mode\": \"managed\", \"type\": \"azurerm_network_security_group\", \"name\": \"g\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"id\": \"/nsg/%d\", \"name\": \"g%d\", \"security_rule\": [{\"name\": \"ssh\", \"direction\": \"Inbound\", \"access\": \"Allow\", \"protocol\": \"Tcp\", \"destination_port_range\": \"22\", \"source_address_prefix\": \"%s\"}]}}},\n", i, i, i, src
		printf "{\"address\": \"azurerm_network_interface.n[%d]\", \"mode\": \"managed\", \"type\": \"azurerm_network_interface\", \"name\": \"n\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"id\": \"/nic/%d\", \"ip_configuration\": [{\"subnet_id\": \"%s\"}]}}},\n", i, i, subnet
		printf "{\"address\": \"azurerm_network_interface_security_group_association.a[%d]\", \"mode\": \"managed\", \"type\": \"azurerm_network_interface_security_group_association\", \"name\": \"a\", \"change\": {\"actions\": [\"no-op\"], \"after\": {\"network_interface_id\": \"/nic/%d\", \"network_security_group_id\": \"/nsg/%d\"}}},\n", i, i, i
		printf "{\"address\": \"azurerm_linux_virtual_machine.v[%d]\", \"mode\": \"managed\", \"type\": \"azurerm_linux_virtual_machine\", \"name\": \"v\", \"change\": {\"actions\": [\"update\"], \"after\": {\"size\": \"Standard_B2s\", \"network_interface_ids\": [\"/nic/%d\"]}}}%s\n", i, i, (i < n - 1) ? "," : ""
	}
	print "]}"
}' >"$work/azure.json"
/usr/bin/time -f '%e %M' -o "$work/time" "$EXPOSURE" scan "$work/azure.json" \
	--offline -q --fail-on none --json "$work/azure-out.json"
read -r asecs akb <"$work/time"
ssh_open=$(jq '[.findings[] | select(.rule == "cloud.port_open_to_world" and .port == 22)] | length' "$work/azure-out.json")
rdp_open=$(jq '[.findings[] | select(.rule == "cloud.port_open_to_world" and .port == 3389)] | length' "$work/azure-out.json")
want_ssh=$(((AZURE_VMS + 1) / 2))
want_rdp=$(((AZURE_VMS + 3) / 4))
printf 'azure plan          %d VMs joined by id (NIC, NSG, associations, rules by name)\n' "$AZURE_VMS"
printf 'judged in           %s s, peak RSS %.0f MB\n' "$asecs" "$(echo "$akb / 1024" | bc -l)"
printf 'findings            %d SSH world-open (planted %d), %d RDP (planted %d)\n' "$ssh_open" "$want_ssh" "$rdp_open" "$want_rdp"
[ "$ssh_open" -eq "$want_ssh" ] && [ "$rdp_open" -eq "$want_rdp" ] || { echo "FAIL: Azure findings differ from what was planted"; ok=0; }
awk -v s="$asecs" 'BEGIN { exit !(s < 2.0) }' || { echo "FAIL: Azure plan took 2 s or more"; ok=0; }
[ "$akb" -lt $((200 * 1024)) ] || { echo "FAIL: Azure plan took 200 MB or more"; ok=0; }
[ $ok = 1 ] && echo "PASS: under 2 s and 200 MB each, exact findings"
[ $ok = 1 ]

# tests/lab/lab.d/signs.sh - servers that show (or only seem to show) the
# signs of a running miner, for the CHECK.compromise_indicator rules read
# through the doors already open (issue 14; sourced by tests/lab/lab.sh;
# block 127.0.94.0/24). Each product has a compromised twin, a clean twin
# and a decoy (indicator words only where they are no sign).
#
#   127.0.94.1:8888   jupyter-notebook without token, a terminal named
#                     "xmrig" opened at lab start (/terminals/new/xmrig)
#   127.0.94.2:8888   Jupyter decoy (replay jupyter/decoy: a notebook path
#                     names a miner)
#   127.0.94.3:1880   Node-RED without adminAuth, an exec node running a
#                     miner command line (never triggered)
#   127.0.94.4:1880   Node-RED decoy: words in a comment, info, a node name
#                     and function code; a clean exec command
#   replay (tests/fixtures/replay/<product>/<variant>):
#   127.0.94.10:8265  ray/miner       .11 ray/decoy       .12 ray/disabled
#   127.0.94.13:4646  nomad/miner     .14 nomad/decoy     .15 nomad/open
#   127.0.94.16:8500  consul/miner    .17 consul/decoy    .18 consul/open
#   127.0.94.19:8088  yarn/miner      .20 yarn/decoy      .21 yarn/open
#   127.0.94.22:6443  kubernetes/miner, .23 kubernetes/decoy,
#                     .24 kubernetes/anonymous (HTTPS, self-signed)
# The clean twins of Jupyter and Node-RED are httpapi.sh's 127.0.30.1 and
# ainpm.sh's 127.0.70.1. Node-RED needs build/lab-npm (EXPO_LAB_SIGNS_NODERED
# says whether it runs). Nothing here mines: the signs are what is read.

LAB_PROCS="$LAB_PROCS|replay|jupyter|node-red"

SIGNS_NET=127.0.94

lab_signs_start() {
	local n=$SIGNS_NET cert key a v fix=$top/tests/fixtures/ainpm/nodered
	# httpapi_replay (httpapi.sh) logs each server's requests there
	mkdir -p "$dir/signs" "$dir/httpapi" || return 1
	[ -x "$top/build/lab/replay" ] || { echo "lab: signs: build/lab/replay not built (make build/lab/replay)" >&2; return 1; }
	cert=$dir/signs/cert.pem
	key=$dir/signs/key.pem
	httpapi_cert "$dir/signs" || return 1

	httpapi_jupyter $n.1 jupyter_signs ''
	httpapi_replay $n.2 8888 jupyter/decoy
	SIGNS_NODERED=0
	if [ -f "$(ainpm_nm)/.exposure-lock" ]; then
		ainpm_nodered $n.3 nodered_miner "" "$fix/miner/flows.http"
		ainpm_nodered $n.4 nodered_decoy "" "$fix/decoy/flows.http"
		SIGNS_NODERED=1
	else
		echo "lab: signs: build/lab-npm is not installed; Node-RED twins skipped" >&2
	fi
	for v in "10 8265 ray/miner" "11 8265 ray/decoy" "12 8265 ray/disabled" \
		"13 4646 nomad/miner" "14 4646 nomad/decoy" "15 4646 nomad/open" \
		"16 8500 consul/miner" "17 8500 consul/decoy" "18 8500 consul/open" \
		"19 8088 yarn/miner" "20 8088 yarn/decoy" "21 8088 yarn/open"; do
		# shellcheck disable=SC2086
		set -- $v
		httpapi_replay $n.$1 "$2" "$3"
	done
	httpapi_replay $n.22 6443 kubernetes/miner --tls "$cert" "$key"
	httpapi_replay $n.23 6443 kubernetes/decoy --tls "$cert" "$key"
	httpapi_replay $n.24 6443 kubernetes/anonymous --tls "$cert" "$key"
	for a in "2 8888" "10 8265" "11 8265" "12 8265" "13 4646" "14 4646" \
		"15 4646" "16 8500" "17 8500" "18 8500" "19 8088" "20 8088" \
		"21 8088" "22 6443" "23 6443" "24 6443"; do
		# shellcheck disable=SC2086
		set -- $a
		wait_port $n.$1 "$2" || return 1
	done
}

# Jupyter and Node-RED take seconds: waited for once every plugin started
lab_signs_finish() {
	local n=$SIGNS_NET
	wait_port $n.1 8888 300 || {
		tail -n 5 "$dir/httpapi/jupyter_signs/jupyter.log" >&2
		return 1
	}
	# the compromised twin's sign: a terminal named like the miner (a
	# bash, through the notebook's own named-terminal page)
	curl -s --noproxy '*' -m 20 -o /dev/null "http://$n.1:8888/terminals/new/xmrig" &&
		curl -s --noproxy '*' -m 5 "http://$n.1:8888/api/terminals" |
		grep -q '"name": *"xmrig"' || {
		echo "lab: signs: Jupyter on $n.1 did not open the terminal" >&2
		return 1
	}
	if [ "$SIGNS_NODERED" = 1 ]; then
		wait_port $n.3 1880 300 && wait_port $n.4 1880 300 || {
			tail -n 5 "$dir"/ainpm/nodered_{miner,decoy}/node-red.log >&2
			return 1
		}
	fi
	env_add "EXPO_LAB_SIGNS=1"
	env_add "EXPO_LAB_SIGNS_NET=$n"
	env_add "EXPO_LAB_SIGNS_NODERED=$SIGNS_NODERED"
	echo "lab: signs: compromised, clean and decoy twins on $n.0/24 (Node-RED: $SIGNS_NODERED)"
}

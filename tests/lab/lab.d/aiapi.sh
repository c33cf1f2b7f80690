# tests/lab/lab.d/aiapi.sh - replayed AI and automation control planes
# for the ollama, openai_api, open_webui, comfyui, langflow, jenkins, nomad
# and ray checks (sourced by tests/lab/lab.sh; block 127.0.46.0/24). None
# of these products is in Debian or npm: build/lab/replay serves the
# recorded answers of tests/fixtures/replay/<product>/<variant> (each
# routes file names the version and the source of every answer).
#
#   .1:11434  Ollama 0.5.7 open            .2:11434  Ollama behind a 401 proxy
#   .3:8000   vLLM 0.6.4, no --api-key     .4:8000   vLLM with --api-key (401)
#   .5:8080   llama.cpp server, no key     .6:4000   LiteLLM with master_key
#   .7:3000   Open WebUI WEBUI_AUTH=False  .8:8080   Open WebUI, no user yet
#   .9:3000   Open WebUI, open sign-up     .10:8080  Open WebUI hardened
#   .11:8188  ComfyUI + Manager, CUDA GPU  .12:8188  ComfyUI behind a proxy
#   .13:7860  Langflow auto-login          .14:7860  Langflow auto-login off
#   .15:8080  Jenkins unsecured            .16:8080  Jenkins anonymous read
#   .17:8080  Jenkins secured              .18:4646  Nomad, ACLs off
#   .19:4646  Nomad, ACLs on (403)         .20:8265  Ray 2.52, auth disabled
#   .21:8265  Ray 2.52, RAY_AUTH_MODE=token (401)
#   .22       decoy HTML page naming the products, on every port above
#   .23       decoy JSON with the products' keys in wrong shapes, same ports
#   .24:18080 vLLM on an unusual port (nmap says "http")
#   hostile on 11434 and 8080: .30 silent, .31 garbage, .32 slow drip
#   (slowloris-http), .33 a 1 GB body, .34 a redirect to .99:11434, where
#   an Ollama replay counts the requests that must never come.
# Ports 8080, 8000, 3000 are shared: every check that claims one probes it.

AIAPI_NET=127.0.46
AIAPI_PORTS="11434 8000 8080 4000 3000 8188 7860 4646 8265"
LAB_PROCS="$LAB_PROCS|replay|hostile"

aiapi_replay() {
	local addr=$1 port=$2 fix=$3
	"$top/build/lab/replay" "$addr" "$port" \
		"$top/tests/fixtures/replay/$fix" --lifetime 86400 \
		</dev/null >>"$dir/aiapi/replay_${addr}_$port.log" 2>&1 &
	pid_add $!
	AIAPI_WAIT="$AIAPI_WAIT $addr:$port"
}

aiapi_hostile() {
	local mode=$1 addr=$2 port=$3
	"$HOSTILE" "$mode" "$addr" "$port" --lifetime 86400 \
		</dev/null >>"$dir/aiapi/hostile_${mode}_$port.out" 2>&1 &
	pid_add $!
	AIAPI_WAIT="$AIAPI_WAIT $addr:$port"
}

lab_aiapi_start() {
	local n=$AIAPI_NET p a
	AIAPI_WAIT=""
	[ -x "$top/build/lab/replay" ] || { echo "lab: aiapi: build/lab/replay not built (make build/lab/replay)" >&2; return 1; }
	[ -x "$HOSTILE" ] || { echo "lab: aiapi: $HOSTILE not built (make build/lab/hostile)" >&2; return 1; }
	for a in $(seq 1 34) 99; do
		for p in $AIAPI_PORTS 18080; do
			listening "$n.$a" "$p" && { echo "lab: aiapi: already listening on $n.$a:$p" >&2; return 1; }
		done
	done
	mkdir -p "$dir/aiapi" || return 1

	aiapi_replay $n.1 11434 ollama/open
	aiapi_replay $n.2 11434 ollama/proxy
	aiapi_replay $n.3 8000 openai/vllm
	aiapi_replay $n.4 8000 openai/vllm_key
	aiapi_replay $n.5 8080 openai/llamacpp
	aiapi_replay $n.6 4000 openai/litellm_key
	aiapi_replay $n.7 3000 open_webui/noauth
	aiapi_replay $n.8 8080 open_webui/onboarding
	aiapi_replay $n.9 3000 open_webui/signup
	aiapi_replay $n.10 8080 open_webui/closed
	aiapi_replay $n.11 8188 comfyui/open
	aiapi_replay $n.12 8188 comfyui/proxy
	aiapi_replay $n.13 7860 langflow/autologin
	aiapi_replay $n.14 7860 langflow/locked
	aiapi_replay $n.15 8080 jenkins/open
	aiapi_replay $n.16 8080 jenkins/read
	aiapi_replay $n.17 8080 jenkins/secured
	aiapi_replay $n.18 4646 nomad/open
	aiapi_replay $n.19 4646 nomad/acl
	aiapi_replay $n.20 8265 ray/disabled
	aiapi_replay $n.21 8265 ray/token
	for p in $AIAPI_PORTS; do
		aiapi_replay $n.22 "$p" decoy/ai
		aiapi_replay $n.23 "$p" decoy/aijson
	done
	aiapi_replay $n.24 18080 openai/vllm
	for p in 11434 8080; do
		aiapi_hostile silent $n.30 "$p"
		aiapi_hostile garbage $n.31 "$p"
		aiapi_hostile slowloris-http $n.32 "$p"
		aiapi_replay $n.33 "$p" hostile/hugebody
		aiapi_replay $n.34 "$p" hostile/redirect
	done
	aiapi_replay $n.99 11434 ollama/open

	for a in $AIAPI_WAIT; do
		wait_port "${a%:*}" "${a##*:}" || return 1
	done
	env_add "EXPO_LAB_AIAPI=1"
	env_add "EXPO_LAB_AIAPI_NET=$n"
	echo "lab: aiapi: replayed AI/automation control planes, decoys and hostile HTTP on $n.0/24"
}

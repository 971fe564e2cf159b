#!/usr/bin/env bash
# Cold start of the production Slack artifact (chatops/target/cairn-chatops.jar), the way Lambda
# runs it: a fresh JVM with AWS's runtime interface client acks a signed `/infra status prod`
# (our signature check, Bolt's parsing, the repo's manifests read, the run and lock stores), then
# BENCH_WARM more of the same request in the warm instance. The Web API (Bolt's lazy auth.test) is
# a local stub; the stores are the local ones (status reads them the same way in AWS).
# Needs python3 and the lambda-cold-start tool (LAMBDA_COLD_START, default
# ../shared/tools/lambda-cold-start next to the checkout). Env: BENCH_WARM (50), BENCH_JVM_ARGS
# (-XX:TieredStopAtLevel=1, as template.yaml's JAVA_TOOL_OPTIONS). Prints the tool's JSON.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk
# shellcheck source=lib/lambda.sh
. "$ROOT/bench/lib/lambda.sh"
lambda_bench_prepare slack-cold-start chatops cairn-chatops.jar

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 - "$PORT" >"$WORK/webapi.log" 2>&1 <<'PY' &
import http.server, sys
class Api(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"ok":true,"user_id":"UBOT","team_id":"T0CAIRN","bot_id":"B1","channel":"C0INFRA","ts":"1.2"}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Api).serve_forever()
PY
API=$!
trap 'kill $API 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/repo/infrastructures"
printf 'apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\n' >"$WORK/repo/cairn.yaml"
for infra in dev staging prod; do
  printf 'apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata: { name: %s }\nspec:\n  policy: { apply: approval, approvers: [U0PLATFORM], destroy: forbidden }\n' "$infra" \
    >"$WORK/repo/infrastructures/$infra.yaml"
done
cp "$ROOT/events/slack-infra-status.json" "$WORK/event.json"
python3 "$ROOT/events/resign-slack.py" "$WORK/event.json" >/dev/null

JVM_ARGS=(--jvm-arg=--enable-native-access=ALL-UNNAMED)
for arg in ${BENCH_JVM_ARGS--XX:TieredStopAtLevel=1}; do JVM_ARGS+=("--jvm-arg=$arg"); done
python3 "$TOOL" --cp "$JAR:$RIC:$SER" --handler dev.cairn.chatops.SlackFunction::handleRequest \
  --event "$WORK/event.json" --warm "${BENCH_WARM:-50}" "${JVM_ARGS[@]}" \
  --env CAIRN_SLACK_SIGNING_SECRET=cairn-dev-slack-signing-secret --env CAIRN_SLACK_BOT_TOKEN=xoxb-bench \
  --env "CAIRN_SLACK_API_URL=http://127.0.0.1:$PORT/api/" --env "CAIRN_REPO_DIR=$WORK/repo" \
  --env "CAIRN_STATE_DIR=$WORK/state" 2>"$WORK/function.log" || { cat "$WORK/function.log" >&2; exit 1; }

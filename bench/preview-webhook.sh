#!/usr/bin/env bash
# Webhook -> preview started, on the production webhook artifact (functions/target/cairn-functions.jar)
# the way Lambda runs it: a fresh JVM with AWS's runtime interface client handles a signed GitHub
# pull_request "opened" (verify, dedupe, fetch base and refs/pull/7/head, merge base, change detection
# over 100 infrastructures, one preview execution started on moto: the handler returns once
# StartExecution answered), then BENCH_WARM more deliveries of the same event (duplicates: verify +
# dedupe), then BENCH_WARM new deliveries of it in one warm instance (bench/WebhookWarm.java: each
# verified, recorded, fetched with nothing new, compared and launched; the deterministic preview name
# finds the execution the first one started). The pull_request sibling of webhook-cold-start.sh.
# Needs python3 with moto[server], git, and the lambda-cold-start tool (LAMBDA_COLD_START, default
# ../shared/tools/lambda-cold-start). Env: BENCH_WARM (20), BENCH_JVM_ARGS (-XX:TieredStopAtLevel=1).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk
# shellcheck source=lib/lambda.sh
. "$ROOT/bench/lib/lambda.sh"
lambda_bench_prepare preview-webhook functions cairn-functions.jar

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break; sleep 0.2; done
SM="$(python3 "$ROOT/bench/preview-fixture.py" "$WORK" "http://127.0.0.1:$PORT" "$ROOT")"

JVM_ARGS=(--jvm-arg=--enable-native-access=ALL-UNNAMED)
for arg in ${BENCH_JVM_ARGS--XX:TieredStopAtLevel=1}; do JVM_ARGS+=("--jvm-arg=$arg"); done
python3 "$TOOL" --cp "$JAR:$RIC:$SER" --handler dev.cairn.functions.GitWebhookFunction::handleRequest \
  --event "$WORK/event.json" --warm "${BENCH_WARM:-20}" "${JVM_ARGS[@]}" \
  --env CAIRN_TABLE=cairn-bench --env "CAIRN_STATE_MACHINE_ARN=$SM" --env "AWS_ENDPOINT_URL=http://127.0.0.1:$PORT" \
  --env AWS_ACCESS_KEY_ID=test --env AWS_SECRET_ACCESS_KEY=test --env AWS_REGION=us-east-1 \
  --env CAIRN_GITHUB_WEBHOOK_SECRET=cairn-dev-webhook-secret --env "CAIRN_GIT_CACHE_DIR=$WORK/git-cache" \
  2>"$WORK/function.log"

# Warm deliveries that are not duplicates (the tool repeats one event, which dedupe answers at once).
env CAIRN_TABLE=cairn-bench "CAIRN_STATE_MACHINE_ARN=$SM" "AWS_ENDPOINT_URL=http://127.0.0.1:$PORT" \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  CAIRN_GITHUB_WEBHOOK_SECRET=cairn-dev-webhook-secret "CAIRN_GIT_CACHE_DIR=$WORK/git-cache" \
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$JAR" "$ROOT/bench/WebhookWarm.java" "$WORK/event.json" "${BENCH_WARM:-20}" \
  2>>"$WORK/function.log" | grep '^{"warm_new_delivery_ms"'

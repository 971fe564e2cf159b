#!/usr/bin/env bash
# Cold start of ScheduleFunction on the production artifact (functions/target/cairn-functions.jar),
# the way Lambda runs it: a fresh JVM with AWS's runtime interface client handles events/schedule.json
# against a repo of 100 infrastructures (bench/webhook-fixture.py) with the AWS wiring on moto:
# fetch of the branch, 100 lock and run-store reads, change detection, 100 executions started
# (nothing was reconciled before: 100 catch-ups). Then BENCH_WARM more ticks of the same event in
# that instance (a retried tick: every run already started). Needs what webhook-cold-start.sh needs.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk
# shellcheck source=lib/lambda.sh
. "$ROOT/bench/lib/lambda.sh"
lambda_bench_prepare schedule-cold-start functions cairn-functions.jar

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO=$!
trap 'kill $MOTO 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/moto-api/" && break; sleep 0.2; done
SM="$(python3 "$ROOT/bench/webhook-fixture.py" "$WORK" "http://127.0.0.1:$PORT" "$ROOT")"

JVM_ARGS=(--jvm-arg=--enable-native-access=ALL-UNNAMED)
for arg in ${BENCH_JVM_ARGS--XX:TieredStopAtLevel=1}; do JVM_ARGS+=("--jvm-arg=$arg"); done
python3 "$TOOL" --cp "$JAR:$RIC:$SER" --handler dev.cairn.functions.schedule.ScheduleFunction::handleRequest \
  --event "$ROOT/events/schedule.json" --warm "${BENCH_WARM:-5}" "${JVM_ARGS[@]}" \
  --env CAIRN_TABLE=cairn-bench --env "CAIRN_STATE_MACHINE_ARN=$SM" --env "AWS_ENDPOINT_URL=http://127.0.0.1:$PORT" \
  --env AWS_ACCESS_KEY_ID=test --env AWS_SECRET_ACCESS_KEY=test --env AWS_REGION=us-east-1 \
  --env "CAIRN_REPO_URL=file://$WORK/origin.git" --env "CAIRN_GIT_CACHE_DIR=$WORK/git-cache" \
  2>"$WORK/function.log" > "$WORK/result.json"
python3 - "$WORK/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
resp = r.get("response")
body = json.loads(resp) if isinstance(resp, str) else resp
if isinstance(body, dict) and "started" in body:
    r["response"] = {"started": len(body["started"]), "skipped": len(body["skipped"]), "commit": body["commit"],
                     "alreadyStarted": sum(1 for s in body["started"] if s["alreadyStarted"])}
print(json.dumps(r))
PY
python3 -c "
import boto3,sys
sfn=boto3.client('stepfunctions',endpoint_url='http://127.0.0.1:$PORT',region_name='us-east-1',aws_access_key_id='test',aws_secret_access_key='test')
print('executions on the state machine:', sum(len(p['executions']) for p in sfn.get_paginator('list_executions').paginate(stateMachineArn='$SM')))"

#!/usr/bin/env bash
# A reconcile as the state machine runs it, on one machine (bench/StageBuilds.java): the task
# function in-process on local stores, each stage's build as its own `cairn stage` process in a
# fresh work dir (plan, then apply of the saved plan). Twice on one copy: the first run applies
# everything, the second is a no-change reconcile. Figures feed the AWS wall-time model in
# docs/benchmarks.md.
#
#   bench/stage-builds.sh [quickstart|aws-emulated] [INFRA]     (aws-emulated needs AWS_ENDPOINT_URL: moto)
#   BENCH_PLAN_AHEAD=0 bench/stage-builds.sh ...                 (no plan-ahead build: one build per stage, as before)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXAMPLE=${1:-quickstart}
INFRA=${2:-dev}
JAR=${CAIRN_JAR:-$ROOT/infra-bootstrap/target/cairn.jar}
[ -f "$JAR" ] || { echo "no $JAR: build it with ./mvnw -B -q -pl infra-bootstrap -am package -DskipTests" >&2; exit 2; }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
WORK=$(mktemp -d)
trap '[ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
git -C "$ROOT" ls-files -z "examples/$EXAMPLE" | (cd "$ROOT" && xargs -0 cp --parents -t "$WORK")
REPO="$WORK/examples/$EXAMPLE"
git -C "$REPO" init -q -b main
git -C "$REPO" add -A
git -C "$REPO" -c user.name=bench -c user.email=bench@cairn.dev commit -q -m bench
COMMIT=$(git -C "$REPO" rev-parse HEAD)
export CAIRN_STATE_DIR="$WORK/state" CAIRN_REPO_URL="file://$REPO" CAIRN_GIT_CACHE_DIR="$WORK/git-cache"
for pass in first no-change; do
  echo "== $EXAMPLE/$INFRA: $pass" >&2
  "$JAVA" -XX:TieredStopAtLevel=1 -cp "$JAR" "$ROOT/bench/StageBuilds.java" "$INFRA" "$COMMIT" "$JAR" "$CAIRN_STATE_DIR"
done

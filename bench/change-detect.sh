#!/usr/bin/env bash
# Times change detection between two commits (ChangeDetector.between) on a generated repo of
# BENCH_INFRAS (default 100) infrastructures, read from a bare clone as the webhook does: the
# first call in a fresh JVM (cold) and the median of BENCH_RUNS (default 20) warm calls per scenario.
# Goal: well under 300 ms warm for 100 infrastructures with one changed.
#
# Env: BENCH_INFRAS, BENCH_RUNS, CAIRN_JAVA_OPTS (extra JVM flags, e.g. "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC").
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
read -r -a JAVA_OPTS <<<"${CAIRN_JAVA_OPTS:-}"
die() { echo "change-detect: $*" >&2; exit 1; }

. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk >/dev/null || die "no JDK 21+ found (set JAVA_HOME)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

CP_FILE=$(mktemp "${TMPDIR:-/tmp}/cairn-change-cp.XXXXXX")
trap 'rm -f "$CP_FILE"' EXIT
# compile the reconciler and its tests in this checkout (no install), and get the test classpath
(cd "$ROOT" && ./mvnw -B -q -pl reconciler test-compile dependency:build-classpath \
    -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test) >/dev/null || die "the build failed"
CP="$ROOT/reconciler/target/test-classes:$ROOT/reconciler/target/classes:$(cat "$CP_FILE")"

"$JAVA" "${JAVA_OPTS[@]}" -cp "$CP" dev.cairn.reconciler.change.ChangeDetectionBench "${BENCH_INFRAS:-100}" "${BENCH_RUNS:-20}"

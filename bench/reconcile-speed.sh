#!/usr/bin/env bash
# Steady-state reconcile speed (issue 10), measured from the run records Cairn writes:
#
#  1. no-change `cairn apply --yes` on examples/aws-emulated (moto): run wall time against the
#     slowest single stage's plan in the same run (goal: wall <= 1.3 x that plan);
#  2. first `cairn apply --yes` on it: run wall time against the run's critical path, the longest
#     chain of dependent stage work by recorded terraform times (goal: wall <= 1.1 x the path);
#  3. examples/quickstart: bench/apply-vs-loop.sh (Cairn against a bash loop of `terraform init &&
#     terraform apply` per stage; goals: fresh Cairn <= the loop, no-change Cairn <= 0.5 x the loop).
#
# Each aws-emulated run gets its own moto server (one EKS cluster per emulator) and a fresh copy of
# the example. The figures come from `cairn status REPO --infra dev --run ID -o json`: the run's
# wall time (startedAt to finishedAt), its critical path, each stage's terraform command times.
# The process wall time (JVM start included) is printed beside it.
#
# Needs: a JDK 21+, terraform >= 1.10, python3 with moto[server], the AWS provider (registry or a
# filesystem mirror: CAIRN_PROVIDER_MIRROR, else one found on this machine).
# Env: BENCH_RUNS (default 3), BENCH_ONLY=aws|quickstart, CAIRN_JAR (default: this checkout's
# jar, built with `./mvnw -o package` when missing), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=${BENCH_RUNS:-3}
ONLY=${BENCH_ONLY:-}
die() { echo "reconcile-speed: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$RUNS'"

. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk
JAVA="$JAVA_HOME/bin/java"
JAR=${CAIRN_JAR:-$ROOT/infra-bootstrap/target/cairn.jar}
if [[ ! -f "$JAR" ]]; then
  echo "reconcile-speed: building $JAR (./mvnw -o -q package -pl infra-bootstrap -am -DskipTests)" >&2
  (cd "$ROOT" && ./mvnw -o -q -B package -pl infra-bootstrap -am -DskipTests) || die "the build failed"
fi
command -v terraform >/dev/null || die "terraform is not on PATH"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-reconcile-speed.XXXXXX")
MOTO_PID=""
stop_moto() { if [[ -n "$MOTO_PID" ]]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; MOTO_PID=""; fi; }
cleanup() {
  stop_moto
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# The same JVM flags as bin/cairn: C1 only, the serial GC, a class-data archive made on first use.
JAVA_FLAGS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$WORK/cairn.jsa"
  -Xlog:cds=off -Xlog:cds+dynamic=off)
cairn() { "$JAVA" "${JAVA_FLAGS[@]}" -jar "$JAR" "$@"; }
now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'; }

# Reads `cairn status --run ID -o json` on stdin; prints: wall_s path_s slowest_plan_s slowest_stage planning path_stages
figures() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
run, path = d["run"], d["criticalPath"]
wall = d["wallMillis"] / 1000.0
def plan_time(s):
    c = (s.get("timings") or {}).get("commands") or {}
    # a stage with no upstream plans and applies in one command (--yes): that apply is its plan
    if s.get("planning") == "DIRECT":
        return c.get("apply", 0)
    return c.get("plan", 0) + c.get("show", 0)
stages = run["stages"].values()
slowest = max(stages, key=plan_time)
plans = {}
for s in stages:
    plans[s.get("planning") or "none"] = plans.get(s.get("planning") or "none", 0) + 1
print("%.2f %.2f %.2f %s %s %s" % (wall, path["millis"] / 1000.0, plan_time(slowest) / 1000.0, slowest["stage"],
      ",".join("%s=%d" % kv for kv in sorted(plans.items())), "->".join(path["stages"])))
'
}

# Per stage: planning, status, each command time, wait: for the log
stage_table() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
for name, s in d["run"]["stages"].items():
    t = s.get("timings") or {}
    cmds = " ".join("%s=%.2f" % (k, v / 1000.0) for k, v in (t.get("commands") or {}).items())
    print("      %-12s %-11s %-15s %s wait=%.2f ahead=%.2f" % (name, s["status"], s.get("planning") or "-", cmds,
          t.get("waitMillis", 0) / 1000.0, t.get("aheadMillis", 0) / 1000.0))
'
}

apply_run() { # repo log [extra args] -> prints the run id
  local out repo=$1 log=$2
  shift 2
  out=$(cairn apply "$repo" --infra dev --yes -o json "$@" 2>>"$log") || { tail -n 40 "$2" >&2; die "cairn apply failed on $1 (log: $2)"; }
  python3 -c 'import json, sys; d = json.loads(sys.stdin.read()); assert d["status"] == "SUCCEEDED", d.get("error"); print(d["id"])' <<<"$out"
}

echo "Steady-state reconcile speed, $RUNS runs each"
echo "  jar:       $JAR"
echo "  java:      $("$JAVA" -version 2>&1 | head -n 1)"
echo "  terraform: $(terraform version 2>/dev/null | head -n 1)"
echo "  cpus:      $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- 1 and 2: examples/aws-emulated on moto -----------------------------------------------------
if [[ -z "$ONLY" || "$ONLY" == aws ]]; then
  python3 -c 'import moto.server' 2>/dev/null || die "moto is missing: pip install 'moto[server]'"
  . "$ROOT/bin/lib/mirror.sh"
  cairn_find_provider_mirror
  export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
  export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  unset CAIRN_STATE_DIR AWS_PROFILE
  echo "examples/aws-emulated (moto), cairn apply --yes: first apply, then a no-change apply"
  for (( r = 1; r <= RUNS; r++ )); do
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    MOTO_IAM_LOAD_MANAGED_POLICIES=true python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$WORK/moto-$r.log" 2>&1 &
    MOTO_PID=$!
    for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null || die "moto did not start (see $WORK/moto-$r.log)"
    export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
    repo="$WORK/aws-$r"
    mkdir -p "$repo"
    tar -C "$ROOT/examples/aws-emulated" --exclude=.cairn --exclude=.terraform -cf - . | tar -C "$repo" -xf -

    t0=$(now); first=$(apply_run "$repo" "$WORK/aws-$r.log"); t1=$(now)
    second=$(apply_run "$repo" "$WORK/aws-$r.log"); t2=$(now)
    # the same at --parallelism 5 (5 stages, all at once; the default, 8, covers them too)
    third=$(apply_run "$repo" "$WORK/aws-$r.log" --parallelism 5); t3=$(now)
    read -r w1 p1 s1 n1 k1 c1 < <(cairn status "$repo" --infra dev --run "$first" -o json | figures)
    read -r w2 p2 s2 n2 k2 c2 < <(cairn status "$repo" --infra dev --run "$second" -o json | figures)
    read -r w3 p3 s3 n3 k3 c3 < <(cairn status "$repo" --infra dev --run "$third" -o json | figures)
    printf '  run %d  first apply:     wall %6.2f s (process %6.2f s), critical path %6.2f s  -> wall/path %.2f   [%s] path %s\n' \
      "$r" "$w1" "$(secs "$t0" "$t1")" "$p1" "$(awk -v a="$w1" -v b="$p1" 'BEGIN { print a / b }')" "$k1" "$c1"
    printf '  run %d  no-change apply: wall %6.2f s (process %6.2f s), slowest plan %6.2f s (%s) -> wall/plan %.2f   [%s]\n' \
      "$r" "$w2" "$(secs "$t1" "$t2")" "$s2" "$n2" "$(awk -v a="$w2" -v b="$s2" 'BEGIN { print a / b }')" "$k2"
    cairn status "$repo" --infra dev --run "$second" -o json | stage_table
    printf '  run %d  no-change, --parallelism 5: wall %6.2f s (process %6.2f s), slowest plan %6.2f s (%s) -> wall/plan %.2f\n' \
      "$r" "$w3" "$(secs "$t2" "$t3")" "$s3" "$n3" "$(awk -v a="$w3" -v b="$s3" 'BEGIN { print a / b }')"
    cairn status "$repo" --infra dev --run "$third" -o json | stage_table
    echo "$w1 $p1 $w2 $s2 $w3 $s3" >>"$WORK/aws.figures"
    stop_moto
    [[ "${BENCH_KEEP:-0}" == 1 ]] || rm -rf "$repo"
  done
  awk '{ f += $1 / $2; n += $3 / $4; w += $5 / $6 } END { printf "  mean   first apply wall/critical path %.2f (goal <= 1.10); no-change wall/slowest plan %.2f, with --parallelism 5 %.2f (goal <= 1.30)\n", f / NR, n / NR, w / NR }' "$WORK/aws.figures"
  echo
fi

# --- 3: examples/quickstart against the bash loop -----------------------------------------------
if [[ -z "$ONLY" || "$ONLY" == quickstart ]]; then
  CAIRN_JAR="$JAR" CAIRN_JAVA_OPTS="${JAVA_FLAGS[*]}" BENCH_RUNS="$RUNS" "$HERE/apply-vs-loop.sh" | tee "$WORK/quickstart.txt"
  c=$(sed -n 's/^median  cairn apply (fresh): *\([0-9.]*\) s/\1/p' "$WORK/quickstart.txt")
  l=$(sed -n 's/^median  bash loop (fresh): *\([0-9.]*\) s/\1/p' "$WORK/quickstart.txt")
  c2=$(sed -n 's/^median  cairn apply, no changes: *\([0-9.]*\) s/\1/p' "$WORK/quickstart.txt")
  awk -v c="$c" -v l="$l" -v c2="$c2" 'BEGIN { printf "  quickstart: cairn/loop %.2f (goal <= 1.00); no-change cairn/loop %.2f (goal <= 0.50)\n", c / l, c2 / l }'
fi

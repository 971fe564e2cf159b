#!/usr/bin/env bash
# Wall time of `cairn apply REPO --infra dev --yes` on a fresh copy of examples/quickstart against
# the plain bash loop a person would write without Cairn: `terraform init && terraform apply
# -auto-approve` per stage, in a hard-coded topological order, the variables written out by hand
# and upstream outputs piped in with `terraform output -raw/-json`.
# Each side runs BENCH_RUNS times (default 3) on its own fresh copy, alternating which goes first;
# prints per-run seconds, the medians and the ratio loop/cairn. Also times a second, no-change run
# of each (Cairn's steady-state reconcile; the loop's re-run).
#
# Env: BENCH_RUNS (default 3), CAIRN_JAR (default: the jar of this checkout), CAIRN_JAVA_OPTS (extra JVM flags, e.g. "-XX:TieredStopAtLevel=1
# -XX:+UseSerialGC"), TF_PLUGIN_CACHE_DIR (shared by both sides; a temp dir when unset),
# TF_CLI_CONFIG_FILE (dropped when it names a missing file; the quickstart needs no providers),
# BENCH_KEEP=1 keeps the temp dirs.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${CAIRN_JAR:-$ROOT/infra-bootstrap/target/cairn.jar}   # CAIRN_JAR: measure another build
QUICKSTART="$ROOT/examples/quickstart"
RUNS=${BENCH_RUNS:-3}
read -r -a JAVA_OPTS <<<"${CAIRN_JAVA_OPTS:-}"

die() { echo "apply-vs-loop: $*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$RUNS'"

# --- tools ----------------------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=$(command -v java || true); fi
[[ -n "$JAVA" ]] || die "no java: set JAVA_HOME to a JDK 21+ or put java on PATH"
JAVA_MAJOR=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
(( ${JAVA_MAJOR:-0} >= 21 )) || die "$JAVA is Java ${JAVA_MAJOR:-?}; Cairn needs 21+ (set JAVA_HOME)"
TERRAFORM=$(command -v terraform || true)
[[ -n "$TERRAFORM" ]] || die "terraform is not on PATH: install Terraform >= 1.10 (both sides of the benchmark run it)"
if [[ ! -f "$JAR" ]]; then
  echo "apply-vs-loop: $JAR is missing, building it (bin/cairn builds the CLI)" >&2
  "$ROOT/bin/cairn" --version >/dev/null || die "the build failed"
  [[ -f "$JAR" ]] || die "the build did not produce $JAR"
fi
[[ -f "$QUICKSTART/cairn.yaml" ]] || die "$QUICKSTART is not the quickstart repo"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-apply-vs-loop.XXXXXX")
cleanup() { if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# --- Terraform environment, the same for both sides ------------------------------------------
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0   # Cairn sets these for its own terraform runs
export TF_PLUGIN_CACHE_DIR=${TF_PLUGIN_CACHE_DIR:-$WORK/plugin-cache}
mkdir -p "$TF_PLUGIN_CACHE_DIR"
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then
  unset TF_CLI_CONFIG_FILE   # a missing config only adds warnings to every terraform run
fi
unset CAIRN_STATE_DIR   # state goes to each copy's own .cairn

# shellcheck source=lib/quickstart.sh
. "$HERE/lib/quickstart.sh"

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# --- Cairn -------------------------------------------------------------------------------------
cairn_apply() { # repo log
  "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" apply "$1" --infra dev --yes --no-color >>"$2" 2>&1 \
    || { tail -n 30 "$2" >&2; die "cairn apply failed on $1 (log: $2)"; }
}

# --- checks (outside the timed part) ------------------------------------------------------------
check_cairn() { # repo
  local n
  n=$(find "$1/.cairn/outputs/dev" -name '*.json' 2>/dev/null | wc -l)
  (( n == 6 )) || die "cairn: expected outputs of 6 stages in $1/.cairn/outputs/dev, found $n"
}
check_loop() { # repo
  local m=$1/modules stage
  for stage in backend network domain kubernetes app-db addons; do
    terraform -chdir="$m/$stage" state list 2>/dev/null | grep -qx 'terraform_data.this' \
      || die "loop: stage $stage has no terraform_data.this in its state"
  done
  [[ $(terraform -chdir="$m/kubernetes" output -raw subnet_count) == 3 ]] || die "loop: kubernetes did not get the 3 subnets"
}

echo "cairn apply --infra dev vs. a bash loop of terraform init && apply, on fresh copies of examples/quickstart"
echo "  jar:       $JAR"
echo "  java:      $JAVA ($("$JAVA" -version 2>&1 | head -n 1))${CAIRN_JAVA_OPTS:+, flags: $CAIRN_JAVA_OPTS}"
echo "  terraform: $TERRAFORM ($(terraform version 2>/dev/null | head -n 1))"
echo "  plugins:   TF_PLUGIN_CACHE_DIR=$TF_PLUGIN_CACHE_DIR (both sides)"
echo "  cpus:      $(nproc); runs: $RUNS, alternating which side goes first"
echo

: >"$WORK/cairn.times"; : >"$WORK/cairn2.times"; : >"$WORK/loop.times"; : >"$WORK/loop2.times"
run_cairn() { # r
  local repo="$WORK/cairn-$1" log="$WORK/cairn-$1.log" t0 t1 t2
  fresh_copy "$repo"
  t0=$(now); cairn_apply "$repo" "$log"; t1=$(now)
  check_cairn "$repo"
  cairn_apply "$repo" "$log.2"; t2=$(now)   # steady state: nothing to change
  grep -q "No changes" "$log.2" || { tail -n 20 "$log.2" >&2; die "the second cairn apply was expected to change nothing"; }
  echo "$(secs "$t0" "$t1")" >>"$WORK/cairn.times"
  echo "$(secs "$t1" "$t2")" >>"$WORK/cairn2.times"
  printf '  run %d  cairn apply: %6.3f s   (second, no-change apply: %6.3f s)\n' "$1" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")"
  [[ "${BENCH_KEEP:-0}" == 1 ]] || rm -rf "$repo"
}
run_loop() { # r
  local repo="$WORK/loop-$1" log="$WORK/loop-$1.log" t0 t1 t2
  fresh_copy "$repo"
  t0=$(now); loop_apply "$repo" "$log"; t1=$(now)
  check_loop "$repo"
  loop_apply "$repo" "$log.2"; t2=$(now)    # the same loop again: nothing to change
  grep -c "No changes" "$log.2" | grep -qx 6 || die "the loop's second run was expected to change nothing in all 6 stages"
  echo "$(secs "$t0" "$t1")" >>"$WORK/loop.times"
  echo "$(secs "$t1" "$t2")" >>"$WORK/loop2.times"
  printf '  run %d  bash loop:   %6.3f s   (second, no-change loop:  %6.3f s)\n' "$1" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")"
  [[ "${BENCH_KEEP:-0}" == 1 ]] || rm -rf "$repo"
}

for (( r = 1; r <= RUNS; r++ )); do
  if (( r % 2 )); then run_cairn "$r"; run_loop "$r"; else run_loop "$r"; run_cairn "$r"; fi
done

c=$(grep . "$WORK/cairn.times" | median); c2=$(grep . "$WORK/cairn2.times" | median)
l=$(grep . "$WORK/loop.times" | median); l2=$(grep . "$WORK/loop2.times" | median)
echo
printf 'median  cairn apply (fresh):          %6.3f s\n' "$c"
printf 'median  bash loop (fresh):            %6.3f s\n' "$l"
printf 'ratio   loop / cairn:                 %6.2f\n' "$(awk -v l="$l" -v c="$c" 'BEGIN { print l / c }')"
printf 'median  cairn apply, no changes:      %6.3f s\n' "$c2"
printf 'median  bash loop, no changes:        %6.3f s\n' "$l2"

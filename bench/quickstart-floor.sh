#!/usr/bin/env bash
# The floor under `cairn apply` of examples/quickstart (no-change and first): what any run of it must spend,
# measured piece by piece on this machine, beside the run itself and the bash loop it is compared
# with in issue 10 (bench/apply-vs-loop.sh). Each figure is the median of BENCH_RUNS (default 5).
#
#   jvm+cli     `cairn --version` with bin/cairn's JVM flags and class-data archive: the JVM's start,
#               the jar, picocli (the least a JVM CLI costs before it reads a file)
#   validate    `cairn validate REPO`: that plus loading and checking the repository
#   terraform   the terraform commands a no-change apply runs (a plan per stage, no init: the work
#               dirs are reused), started from bash at most 2 at a time (this machine's cores), in
#               Cairn's own work dirs: the least the plans cost, with no JVM beside them
#   fresh tf    a first apply's terraform work (init + apply per stage, the DAG's waves, 2 at a
#               time) in copies of those work dirs, each with its own local state
#   cairn       the no-change `cairn apply REPO --infra dev --yes` itself, and a first one on a fresh copy
#   loop        the bash loop of `terraform init && terraform apply` per stage on a fresh copy
#
# The floor of a run is validate + its terraform part (a no-change run: the plans; a first apply:
# init + apply per stage in the DAG's waves). The goals of issue 10: no-change <= 0.5 x loop, first <= 1 x loop.
#
# Env: BENCH_RUNS (default 5), CAIRN_JAR (default: this checkout's jar).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=${BENCH_RUNS:-5}
die() { echo "quickstart-floor: $*" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$RUNS'"
command -v terraform >/dev/null || die "terraform is not on PATH"
# shellcheck source=../bin/lib/jdk.sh
. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk
JAR=${CAIRN_JAR:-$ROOT/infra-bootstrap/target/cairn.jar}
[[ -f "$JAR" ]] || { "$ROOT/bin/cairn" --version >/dev/null || die "cannot build the CLI"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-floor.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
[[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]] && unset TF_CLI_CONFIG_FILE
unset CAIRN_STATE_DIR
# bin/cairn's JVM flags, with an archive of this script's own (made by the first, untimed, run)
JAVA_FLAGS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$WORK/cairn.jsa"
  -Xlog:cds=off -Xlog:cds+dynamic=off)
cairn() { "$JAVA_HOME/bin/java" "${JAVA_FLAGS[@]}" -jar "$JAR" "$@"; }

QUICKSTART="$ROOT/examples/quickstart"
# shellcheck source=lib/quickstart.sh
. "$HERE/lib/quickstart.sh"
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
time_of() { # name command...   appends one measurement in ms to $WORK/NAME
  local name=$1 t0 t1; shift
  t0=$(now); "$@" >/dev/null 2>&1 || die "$name failed: $*"; t1=$(now)
  ms "$t0" "$t1" >>"$WORK/$name"
}

REPO="$WORK/repo"
fresh_copy "$REPO"
cairn apply "$REPO" --infra dev --yes --no-color >"$WORK/first.log" 2>&1 || { tail -20 "$WORK/first.log" >&2; die "the first apply failed"; }
cairn apply "$REPO" --infra dev --yes --no-color >/dev/null 2>&1   # warms the archive and the work dirs
[[ -f "$REPO/.cairn/terraform.rc" ]] && export TF_CLI_CONFIG_FILE="$REPO/.cairn/terraform.rc"
STAGES=("$REPO"/.cairn/work/dev/*/)
(( ${#STAGES[@]} == 6 )) || die "expected 6 stage work dirs, found ${#STAGES[@]}"

plans() { # the no-change plans, 2 at a time, in Cairn's work dirs (state is read, never written: -lock=false, no apply)
  printf '%s\n' "${STAGES[@]}" | xargs -P 2 -I{} terraform -chdir={} plan -input=false -no-color -lock=false \
    -detailed-exitcode -out="$WORK/floor.tfplan.$RANDOM"
}
fresh_tf() { # a fresh apply's terraform work: init + apply per stage in the DAG's waves, 2 at a time, no JVM
  local copy="$WORK/fresh-$RANDOM" wave
  mkdir -p "$copy"
  cp -r "${STAGES[@]}" "$copy/"
  rm -rf "$copy"/*/.terraform "$copy"/*/cairn_backend.tf.json "$copy"/*/*.tfplan   # local default state in each dir
  for wave in "backend network domain" "kubernetes app_db" "addons"; do
    printf "$copy/%s\n" $wave | xargs -P 2 -I{} sh -c 'terraform -chdir="$1" init -input=false -no-color >/dev/null &&
      terraform -chdir="$1" apply -auto-approve -input=false -no-color >/dev/null' _ {} || return 1
  done
  rm -rf "$copy"
}
loop() { # the bash loop on a fresh copy (bench/apply-vs-loop.sh's)
  local copy="$WORK/loop-$RANDOM"
  fresh_copy "$copy"
  loop_apply "$copy" "$WORK/loop.log"
  rm -rf "$copy"
}

for (( r = 1; r <= RUNS; r++ )); do
  time_of jvm cairn --version
  time_of validate cairn validate "$REPO"
  time_of terraform plans
  time_of cairn cairn apply "$REPO" --infra dev --yes --no-color
  time_of fresh_tf fresh_tf
  fresh_copy "$WORK/fresh-cairn"; time_of fresh_cairn cairn apply "$WORK/fresh-cairn" --infra dev --yes --no-color; rm -rf "$WORK/fresh-cairn"
  time_of loop loop
done

jvm=$(median <"$WORK/jvm"); validate=$(median <"$WORK/validate"); tf=$(median <"$WORK/terraform")
c=$(median <"$WORK/cairn"); l=$(median <"$WORK/loop")
floor=$(( validate + tf ))
ftf=$(median <"$WORK/fresh_tf"); fc=$(median <"$WORK/fresh_cairn"); ffloor=$(( validate + ftf ))
echo "examples/quickstart, no-change apply: the floor under it (medians of $RUNS, ms; $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-44s %6d\n' "jvm + cli (cairn --version)" "$jvm" "load + validate (cairn validate - the above)" $(( validate - jvm )) \
  "terraform: 6 plans, 2 at a time, no JVM" "$tf" "floor (validate + terraform)" "$floor" \
  "cairn apply, no changes" "$c" "bash loop, fresh (init && apply x 6)" "$l" "goal: 0.5 x loop" $(( l / 2 ))
awk -v f="$floor" -v c="$c" -v l="$l" 'BEGIN { printf "  floor / loop %.2f, cairn / loop %.2f, cairn / floor %.2f\n", f / l, c / l, c / f }'
echo "examples/quickstart, first apply (fresh copy)"
printf '  %-44s %6d\n' "terraform: init + apply per stage, DAG waves, 2 at a time" "$ftf" "floor (validate + terraform)" "$ffloor" \
  "cairn apply, fresh" "$fc" "goal: 1 x loop" "$l"
awk -v f="$ffloor" -v c="$fc" -v l="$l" 'BEGIN { printf "  floor / loop %.2f, cairn / loop %.2f, cairn / floor %.2f\n", f / l, c / l, c / f }'

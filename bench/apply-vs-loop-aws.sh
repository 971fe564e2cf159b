#!/usr/bin/env bash
# Wall time of `cairn apply` against a plain bash loop of `terraform init && terraform apply` per
# stage, on a 6-stage DAG whose stages use the real AWS provider against the moto emulator:
#
#   s1 -> s2, s3 ; s2 -> s4 ; s3 -> s5 ; s4, s5 -> s6      (4 waves, 6 stages)
#
# Each stage writes SSM parameters with values from its upstream stages. This is where the
# provider's weight shows: every terraform command loads the 600 MB AWS provider, and every
# `init` without a plugin cache may copy it. Cairn runs the waves in parallel, initializes each
# stage as early as it can, and plans and applies a stage in one terraform command. The loop is
# timed twice: as written plainly (no plugin cache) and tuned (TF_PLUGIN_CACHE_DIR set).
#
# Needs: a JDK 21+, terraform >= 1.10, python3 with moto[server], and the AWS provider (from the
# registry, or a filesystem mirror: CAIRN_PROVIDER_MIRROR, else one found on this machine).
# Env: BENCH_RUNS (default 3), BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=${BENCH_RUNS:-3}
die() { echo "apply-vs-loop-aws: $*" >&2; exit 1; }
command -v terraform >/dev/null || die "terraform is not on PATH"
python3 -c 'import moto.server' 2>/dev/null || die "moto is missing: pip install 'moto[server]'"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-bench-aws.XXXXXX")
MOTO_PID=""
cleanup() {
  [[ -n "$MOTO_PID" ]] && kill "$MOTO_PID" 2>/dev/null || true
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- environment: emulator, credentials, providers -------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PORT/moto-api/" >/dev/null || die "moto did not start (see $WORK/moto.log)"
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
. "$ROOT/bin/lib/mirror.sh"
cairn_find_provider_mirror
MIRROR=${CAIRN_PROVIDER_MIRROR:-}
if [[ -n "$MIRROR" ]]; then
  printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$MIRROR" >"$WORK/terraform.rc"
  export TF_CLI_CONFIG_FILE="$WORK/terraform.rc"
elif [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "$TF_CLI_CONFIG_FILE" ]]; then
  unset TF_CLI_CONFIG_FILE
fi
unset TF_PLUGIN_CACHE_DIR CAIRN_STATE_DIR
CACHE="$WORK/plugin-cache"; mkdir -p "$CACHE"

# --- the repo ----------------------------------------------------------------------------------
REPO="$WORK/repo"
mkdir -p "$REPO/modules/param" "$REPO/infrastructures"
cat >"$REPO/modules/param/main.tf" <<'TF'
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "name" {
  type = string
}

variable "upstream" {
  type    = list(string)
  default = []
}

resource "aws_ssm_parameter" "this" {
  count = 3
  name  = "/bench/${var.name}/${count.index}"
  type  = "String"
  value = join(",", concat([var.name], var.upstream))
}

output "value" {
  value = "${var.name}:${aws_ssm_parameter.this[0].version}"
}
TF
cat >"$REPO/infrastructures/bench.yaml" <<'YAML'
apiVersion: cairn.dev/v1
kind: Infrastructure
metadata:
  name: bench
spec:
  provider: { cloud: aws, region: us-east-1, emulator: true }
  modules:
    - { name: s1, source: ./modules/param, inputs: { name: s1 } }
    - { name: s2, source: ./modules/param, inputs: { name: s2, upstream: ["{{ outputs.s1.value }}"] } }
    - { name: s3, source: ./modules/param, inputs: { name: s3, upstream: ["{{ outputs.s1.value }}"] } }
    - { name: s4, source: ./modules/param, inputs: { name: s4, upstream: ["{{ outputs.s2.value }}"] } }
    - { name: s5, source: ./modules/param, inputs: { name: s5, upstream: ["{{ outputs.s3.value }}"] } }
    - { name: s6, source: ./modules/param, inputs: { name: s6, upstream: ["{{ outputs.s4.value }}", "{{ outputs.s5.value }}"] } }
YAML

# --- the two sides ------------------------------------------------------------------------------
reset_moto() { curl -fs -X POST "http://127.0.0.1:$PORT/moto-api/reset" >/dev/null; }

run_cairn() {
  rm -rf "$REPO/.cairn"
  "$ROOT/bin/cairn" apply "$REPO" --infra bench --yes >"$WORK/cairn.out" 2>&1 \
    || { cat "$WORK/cairn.out" >&2; die "cairn apply failed"; }
}

# What a person writes without Cairn: a hard-coded order, provider and tfvars by hand.
run_loop() {
  local dir="$WORK/loop" upstream
  rm -rf "$dir"
  for s in s1 s2 s3 s4 s5 s6; do
    mkdir -p "$dir/$s"
    cp "$REPO/modules/param/main.tf" "$dir/$s/"
    cat >"$dir/$s/provider.tf" <<'TF'
provider "aws" {
  region                      = "us-east-1"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
TF
    case $s in
      s1) upstream='[]' ;;
      s2|s3) upstream="[\"$(terraform -chdir="$dir/s1" output -raw value)\"]" ;;
      s4) upstream="[\"$(terraform -chdir="$dir/s2" output -raw value)\"]" ;;
      s5) upstream="[\"$(terraform -chdir="$dir/s3" output -raw value)\"]" ;;
      s6) upstream="[\"$(terraform -chdir="$dir/s4" output -raw value)\", \"$(terraform -chdir="$dir/s5" output -raw value)\"]" ;;
    esac
    printf 'name = "%s"\nupstream = %s\n' "$s" "$upstream" >"$dir/$s/terraform.tfvars"
    (cd "$dir/$s" && terraform init -input=false -no-color >/dev/null && terraform apply -auto-approve -input=false -no-color >/dev/null) \
      || die "the loop failed at $s"
  done
}

seconds() { local start=$1 end; end=$(date +%s.%N); echo "$end - $start" | bc; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

"$ROOT/bin/cairn" validate "$REPO" >/dev/null   # builds the CLI if needed, outside the timing
: >"$WORK/cairn.t"; : >"$WORK/plain.t"; : >"$WORK/tuned.t"
for i in $(seq 1 "$RUNS"); do
  reset_moto; t=$(date +%s.%N); run_cairn; c=$(seconds "$t"); echo "$c" >>"$WORK/cairn.t"
  reset_moto; t=$(date +%s.%N); run_loop; p=$(seconds "$t"); echo "$p" >>"$WORK/plain.t"
  reset_moto; t=$(date +%s.%N); TF_PLUGIN_CACHE_DIR="$CACHE" run_loop; u=$(seconds "$t"); echo "$u" >>"$WORK/tuned.t"
  printf 'run %d: cairn %.2f s, loop %.2f s, loop with plugin cache %.2f s\n' "$i" "$c" "$p" "$u"
done
reset_moto; run_cairn
t=$(date +%s.%N); run_cairn_again() { "$ROOT/bin/cairn" apply "$REPO" --infra bench --yes >"$WORK/again.out" 2>&1; }
run_cairn_again; again=$(seconds "$t")
grep -q "No changes" "$WORK/again.out" || die "the second apply was not a no-change run"

C=$(median <"$WORK/cairn.t"); P=$(median <"$WORK/plain.t"); U=$(median <"$WORK/tuned.t")
echo
printf 'medians of %d runs (6 stages, 18 SSM parameters, AWS provider against moto):\n' "$RUNS"
printf '  cairn apply                    %6.2f s\n' "$C"
printf '  loop (init && apply)           %6.2f s   loop/cairn = %.2f\n' "$P" "$(echo "$P / $C" | bc -l)"
printf '  loop with TF_PLUGIN_CACHE_DIR  %6.2f s   loop/cairn = %.2f\n' "$U" "$(echo "$U / $C" | bc -l)"
printf '  cairn apply, no changes        %6.2f s\n' "$again"

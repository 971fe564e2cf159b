#!/usr/bin/env bash
# Emulated smoke test of Cairn's built-in AWS stages.
#
# Applies backend -> network -> domain -> kubernetes -> addons/modules/irsa against an AWS
# emulator (moto), each stage fed with the outputs of the ones before it, every stage but
# `backend` keeping its state in the S3 bucket the backend stage created (use_lockfile = true).
# Then re-plans every stage and requires "no changes" (-detailed-exitcode = 0), and destroys
# everything in reverse order.
#
# It renders each stage the way Cairn does: a copy of the module plus cairn_provider.tf.json,
# cairn_backend.tf.json and cairn.auto.tfvars.json.
#
# Usage: AWS_ENDPOINT_URL=http://127.0.0.1:5000 terraform-modules/tests/emulated-smoke.sh
#   The emulator must already run (python3 -m moto.server -p 5000); this script starts nothing.
#   Optional: TF_CLI_CONFIG_FILE (when it names an existing file; else a provider mirror is
#   looked for, see find_mirror),
#   TF_PLUGIN_MIRROR (a filesystem mirror root), SMOKE_KEEP_WORKDIR=1 (keep the scratch dir).
# Exits non-zero on the first failure, after a best-effort destroy of what was applied.
set -euo pipefail

: "${AWS_ENDPOINT_URL:?set AWS_ENDPOINT_URL to the emulator URL, e.g. http://127.0.0.1:5000}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-test}"
export AWS_REGION="${AWS_REGION:-us-east-1}"
export TF_IN_AUTOMATION=1 TF_INPUT=0

command -v terraform >/dev/null || { echo "terraform is not on PATH" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is not on PATH" >&2; exit 1; }

MODULES="$(cd "$(dirname "${BASH_SOURCE[0]}")/../aws" && pwd)"
INFRA="smoke"
REGION="$AWS_REGION"
BUCKET="cairn-${INFRA}-state"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cairn-smoke.XXXXXX")"
APPLIED=()   # stages applied so far, in order
STATUS=1

log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# A filesystem mirror of providers, for machines without registry access: TF_PLUGIN_MIRROR,
# else a search of the usual places. Nothing found means the registry is used as normal.
find_mirror() {
  if [[ -n "${TF_PLUGIN_MIRROR:-}" ]]; then echo "$TF_PLUGIN_MIRROR"; return; fi
  local hit
  hit="$(find /opt /usr/local/share /usr/share "$HOME/.terraform.d" -xdev -type f \
    -path '*/registry.terraform.io/hashicorp/aws/*' -name 'terraform-provider-aws_*' \
    -print -quit 2>/dev/null || true)"
  [[ -n "$hit" ]] && echo "${hit%%/registry.terraform.io/*}"
}

# A TF_CLI_CONFIG_FILE that names a missing file counts as unset.
if [[ -z "${TF_CLI_CONFIG_FILE:-}" || ! -f "${TF_CLI_CONFIG_FILE}" ]]; then
  mirror="$(find_mirror || true)"
  if [[ -n "$mirror" ]]; then
    printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" > "$WORK/cli.tfrc"
    export TF_CLI_CONFIG_FILE="$WORK/cli.tfrc"
    log "using provider mirror $mirror"
  fi
fi
export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$WORK/plugin-cache}"
mkdir -p "$TF_PLUGIN_CACHE_DIR"

# Every Terraform call is bounded: an emulator bug must fail the run, not hang it.
tf() { timeout "${SMOKE_STEP_TIMEOUT:-900}" terraform -chdir="$WORK/$1" "$2" -no-color "${@:3}"; }
tf_state() { terraform -chdir="$WORK/$1" state "${@:2}"; }

# moto only knows AWS managed policies (AmazonEKSClusterPolicy, ...) when started with
# MOTO_IAM_LOAD_MANAGED_POLICIES=true. Check before spending minutes on the first stages.
iam_get_policy() {
  curl -fsS -o /dev/null \
    -H "Authorization: AWS4-HMAC-SHA256 Credential=$AWS_ACCESS_KEY_ID/20250101/$REGION/iam/aws4_request, SignedHeaders=host, Signature=0" \
    "$AWS_ENDPOINT_URL/?Action=GetPolicy&Version=2010-05-08&PolicyArn=arn:aws:iam::aws:policy/$1"
}
if ! iam_get_policy AmazonEKSClusterPolicy; then
  echo "the emulator at $AWS_ENDPOINT_URL does not know AWS managed IAM policies:" >&2
  echo "start moto with MOTO_IAM_LOAD_MANAGED_POLICIES=true" >&2
  exit 1
fi

destroy_stage() {
  local stage="$1" t0=$SECONDS
  log "destroy $stage"
  if [[ "$stage" == backend ]] && tf_state "$stage" list 2>/dev/null | grep -qx 'aws_s3_bucket_versioning.this\[0\]'; then
    # moto 5.2.1 bug: once versioning is suspended (what destroying aws_s3_bucket_versioning
    # does), deleting a key that has a delete marker (every released .tflock) raises
    # AttributeError, and force_destroy retries forever. Forget the versioning resource so the
    # bucket is emptied while versioning is still on.
    tf_state "$stage" rm 'aws_s3_bucket_versioning.this[0]' > /dev/null
  fi
  tf "$stage" destroy -auto-approve -input=false > "$WORK/$stage.destroy.log" 2>&1 \
    || { tail -n 40 "$WORK/$stage.destroy.log" >&2; return 1; }
  log "destroy $stage ok ($((SECONDS - t0))s)"
}

cleanup() {
  local rc=$?
  if [[ $STATUS -ne 0 && ${#APPLIED[@]} -gt 0 ]]; then
    log "failed: best-effort destroy of ${APPLIED[*]}"
    for ((i = ${#APPLIED[@]} - 1; i >= 0; i--)); do destroy_stage "${APPLIED[i]}" || true; done
  fi
  if [[ "${SMOKE_KEEP_WORKDIR:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT

TAGS="$(jq -nc --arg i "$INFRA" '{team: "platform", "cairn:infrastructure": $i}')"
EMULATOR='{"s3_use_path_style": true, "skip_credentials_validation": true, "skip_requesting_account_id": true, "skip_metadata_api_check": true}'

# render STAGE MODULE STATE(local|s3) VARS_JSON: lay the stage out as Cairn does.
render() {
  local stage="$1" module="$2" state="$3" vars="$4" dir="$WORK/$1"
  mkdir -p "$dir"
  cp -R "$MODULES/$module/." "$dir/"
  jq -n --arg r "$REGION" --argjson t "$TAGS" --argjson e "$EMULATOR" \
    '{provider: {aws: ({region: $r, default_tags: {tags: $t}} + $e)}}' > "$dir/cairn_provider.tf.json"
  if [[ "$state" == s3 ]]; then
    jq -n --arg b "$BUCKET" --arg k "$INFRA/$stage.tfstate" --arg r "$REGION" \
      '{terraform: {backend: {s3: {bucket: $b, key: $k, region: $r, encrypt: true, use_lockfile: true,
        use_path_style: true, skip_credentials_validation: true, skip_requesting_account_id: true,
        skip_metadata_api_check: true, skip_region_validation: true}}}}' > "$dir/cairn_backend.tf.json"
  fi
  jq -n --arg n "$INFRA" --argjson t "$TAGS" --argjson v "$vars" '{name: $n, tags: $t} + $v' \
    > "$dir/cairn.auto.tfvars.json"
}

# apply STAGE: init, apply, then a re-plan that must find no changes.
apply_stage() {
  local stage="$1" t0=$SECONDS rc=0
  log "init $stage"
  tf "$stage" init -input=false > "$WORK/$stage.init.log" 2>&1 || { cat "$WORK/$stage.init.log" >&2; return 1; }
  log "apply $stage"
  APPLIED+=("$stage")
  tf "$stage" apply -auto-approve -input=false > "$WORK/$stage.apply.log" 2>&1 \
    || { tail -n 60 "$WORK/$stage.apply.log" >&2; return 1; }
  local t1=$SECONDS
  tf "$stage" plan -detailed-exitcode -input=false > "$WORK/$stage.replan.log" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    log "re-plan of $stage is not clean (exit $rc):"
    grep -v 'Refreshing state\|Reading\.\.\.\|Read complete' "$WORK/$stage.replan.log" >&2 || true
    return 1
  fi
  tf "$stage" output -json > "$WORK/$stage.outputs.json"
  log "apply $stage ok ($((t1 - t0))s), re-plan clean ($((SECONDS - t1))s)"
}

out() { jq -c ".$2.value" "$WORK/$1.outputs.json"; }

# 0. backend with the TLS-only bucket policy, on its own bucket: moto then refuses every object
#    request (see README), so the state bucket below is applied with enforce_tls = false.
render backend-tls backend local '{"bucket_name": "cairn-smoke-tls", "force_destroy": true, "enforce_tls": true, "secrets": "ssm", "noncurrent_version_expiration_days": 0}'
apply_stage backend-tls
destroy_stage backend-tls
APPLIED=()

# 1. backend (local state: it creates the bucket every other stage keeps its state in)
render backend backend local "$(jq -nc --arg b "$BUCKET" '{bucket_name: $b, force_destroy: true, enforce_tls: false, secrets: "secretsmanager"}')"
apply_stage backend
[[ "$(jq -r .state_bucket.value "$WORK/backend.outputs.json")" == "$BUCKET" ]]

# 2. network and 3. domain (independent)
render network network s3 '{"cidr": "10.20.0.0/16", "azs": ["us-east-1a", "us-east-1b"], "nat_gateway": "single", "interface_endpoints": ["ecr.api", "ecr.dkr", "sts"]}'
apply_stage network
render domain domain s3 '{"domain_name": "smoke.cairn.test", "certificate": true, "force_destroy": true}'
apply_stage domain

# 4. kubernetes, wired to the network
render kubernetes kubernetes s3 "$(jq -nc --argjson vpc "$(out network vpc_id)" --argjson subnets "$(out network private_subnet_ids)" \
  '{cluster_name: "cairn-smoke", kubernetes_version: "1.31", vpc_id: $vpc, subnet_ids: $subnets,
    node_groups: [{name: "default", instance_types: ["t3.large"], min_size: 1, max_size: 3, desired_size: 2},
                  {name: "spot", instance_types: ["m6i.large", "m5.large"], min_size: 0, max_size: 5, desired_size: 1, capacity_type: "SPOT"}]}')"
apply_stage kubernetes

# 5. addons, AWS side only (the in-cluster half needs a real cluster)
render irsa addons/modules/irsa s3 "$(jq -nc \
  --argjson cluster "$(out kubernetes cluster_name)" --argjson oidc "$(out kubernetes oidc_provider_arn)" \
  --argjson zone "$(out domain zone_id)" --argjson domain "$(out domain domain_name)" \
  --argjson kms "$(out backend kms_key_arn)" --argjson prefix "$(out backend secrets_prefix)" \
  '{cluster_name: $cluster, oidc_provider_arn: $oidc, zone_id: $zone, domain_name: $domain,
    kms_key_arn: $kms, secrets_prefix: $prefix, secret_recovery_window_in_days: 0,
    cert_manager: {enabled: true, email: "ops@cairn.test"}, external_dns: {enabled: true},
    keycloak: {enabled: true, admin_user: "admin", realm: "cairn"}}')"
apply_stage irsa
[[ "$(jq -r '.irsa_role_arns.value | length' "$WORK/irsa.outputs.json")" == 3 ]]
[[ "$(jq -r .keycloak_admin_secret_arn.value "$WORK/irsa.outputs.json")" == arn:* ]]

# Tear down in reverse order.
for ((i = ${#APPLIED[@]} - 1; i >= 0; i--)); do
  destroy_stage "${APPLIED[i]}"
  unset 'APPLIED[i]'
done
STATUS=0
log "all stages applied, re-planned clean and destroyed"

# Shared by bench/apply-vs-loop.sh and bench/quickstart-floor.sh: a fresh copy of
# examples/quickstart and the bash loop a person writes without Cairn. Needs QUICKSTART set and
# die() defined by the caller.
# shellcheck shell=bash

# A fresh copy of the example: the tracked files only, no .cairn, no .terraform, no state.
fresh_copy() { # dest
  mkdir -p "$1"
  tar -C "$QUICKSTART" --exclude=.cairn --exclude=.terraform --exclude='*.tfstate' --exclude='*.tfstate.backup' \
    --exclude=.terraform.lock.hcl --exclude='*.tfplan' -cf - . | tar -C "$1" -xf -
}

# --- The loop a person writes without Cairn ---------------------------------------------------
# Values from examples/quickstart/cairn.yaml + infrastructures/dev.yaml, written out by hand.
# Order: backend; network; domain; kubernetes (needs network); app_db (needs network);
# addons (needs kubernetes and domain).
loop_apply() { # repo log
  local m=$1/modules log=$2
  tf() { # dir args...  (init && apply, as a person types it)
    local dir=$1; shift
    { terraform -chdir="$dir" init -input=false -no-color && terraform -chdir="$dir" apply -auto-approve -input=false -no-color "$@"; } >>"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; die "the loop failed in $dir (log: $log)"; }
  }
  out() { terraform -chdir="$m/$1" output "$2" "$3"; }   # stage, -raw|-json, name

  tf "$m/backend" -var name=dev -var bucket_name=acme-dev-state \
    -var 'tags={ owner = "platform-team", environment = "dev" }'
  tf "$m/network" -var name=dev -var cidr=10.10.0.0/16 -var nat_gateway=single \
    -var 'azs=["eu-west-1a", "eu-west-1b", "eu-west-1c"]'
  tf "$m/domain" -var domain_name=dev.acme.example

  local vpc_id private_subnets db_subnets
  vpc_id=$(out network -raw vpc_id)
  private_subnets=$(out network -json private_subnet_ids)
  db_subnets=$(out network -json database_subnet_ids)
  tf "$m/kubernetes" -var cluster_name=acme-dev -var kubernetes_version=1.31 \
    -var 'node_groups=[{ name = "default", instance_types = ["t3.large"], min_size = 1, max_size = 3, desired_size = 2 }]' \
    -var "vpc_id=$vpc_id" -var "subnet_ids=$private_subnets"
  tf "$m/app-db" -var name=dev-acme-app -var "vpc_id=$vpc_id" -var "subnet_ids=$db_subnets" \
    -var 'settings={ engine = "postgres", size = "micro" }'

  tf "$m/addons" -var "cluster_name=$(out kubernetes -raw cluster_name)" \
    -var "cluster_endpoint=$(out kubernetes -raw cluster_endpoint)" \
    -var "zone_id=$(out domain -raw zone_id)" -var "domain_name=$(out domain -raw domain_name)" \
    -var 'cert_manager={ enabled = true, email = "ops@acme.example" }' \
    -var 'keycloak={ enabled = true, admin_user = "admin", realm = "acme" }' \
    -var 'argocd_applications=[{ metadata = { name = "podinfo" } }, { metadata = { name = "guestbook" } }]'
}


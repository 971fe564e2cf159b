# Sourced by .ci/run and the bench scripts: sets CAIRN_PROVIDER_MIRROR, when it is unset, to a
# Terraform provider filesystem mirror found on this machine (the folder above a
# registry.terraform.io tree that holds a provider binary), for machines with no registry access.
cairn_find_provider_mirror() {
  [ -n "${CAIRN_PROVIDER_MIRROR:-}" ] && return 0
  local hit
  hit="$(find / -xdev \( -path /proc -o -path /tmp -o -path '*/.cache' -o -path '*/.terraform' -o -path '*/.cairn' \) -prune \
          -o -type f -name 'terraform-provider-*' -path '*/registry.terraform.io/*' -print 2>/dev/null | head -1 || true)"
  if [ -n "$hit" ]; then
    export CAIRN_PROVIDER_MIRROR="${hit%%/registry.terraform.io/*}"
  fi
  return 0
}

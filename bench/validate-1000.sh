#!/usr/bin/env bash
# Generates a repo of 1,000 infrastructures (BENCH_INFRAS) from the quickstart's modules and times
# `cairn validate` on it: wall time and peak RSS per run, then the medians.
# Goals: under 3 s wall, under 512 MB peak RSS.
# A second variant has one error in every 10th manifest: it must exit 2 and report every error.
#
# Env: BENCH_RUNS (default 3), CAIRN_JAR (default: the jar of this checkout), BENCH_INFRAS (default 1000), CAIRN_JAVA_OPTS (extra JVM flags,
# e.g. "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"), BENCH_KEEP=1 keeps the generated repos.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
JAR=${CAIRN_JAR:-$ROOT/infra-bootstrap/target/cairn.jar}   # CAIRN_JAR: measure another build
QUICKSTART="$ROOT/examples/quickstart"
RUNS=${BENCH_RUNS:-3}
COUNT=${BENCH_INFRAS:-1000}
GOAL_WALL=3.0
GOAL_RSS_MB=512
read -r -a JAVA_OPTS <<<"${CAIRN_JAVA_OPTS:-}"

die() { echo "validate-1000: $*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$RUNS'"
[[ "$COUNT" =~ ^[1-9][0-9]+$ ]] || die "BENCH_INFRAS must be an integer >= 10, got '$COUNT'"

# --- tools ----------------------------------------------------------------------------------
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=$(command -v java || true); fi
[[ -n "$JAVA" ]] || die "no java: set JAVA_HOME to a JDK 21+ or put java on PATH"
JAVA_MAJOR=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
(( ${JAVA_MAJOR:-0} >= 21 )) || die "$JAVA is Java ${JAVA_MAJOR:-?}; Cairn needs 21+ (set JAVA_HOME)"
# validate itself never runs Terraform, but the benchmarks are meant for a machine that can run Cairn.
command -v terraform >/dev/null || die "terraform is not on PATH (Cairn needs it; install Terraform >= 1.10)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is needed for peak RSS: apt-get install -y time"
if [[ ! -f "$JAR" ]]; then
  echo "validate-1000: $JAR is missing, building it (bin/cairn builds the CLI)" >&2
  "$ROOT/bin/cairn" --version >/dev/null || die "the build failed"
  [[ -f "$JAR" ]] || die "the build did not produce $JAR"
fi
[[ -d "$QUICKSTART/modules" ]] || die "$QUICKSTART/modules not found"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cairn-validate-1000.XXXXXX")
cleanup() { if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

# --- the repo -------------------------------------------------------------------------------
# One manifest per infrastructure: all five built-in stages on the quickstart's stand-in modules,
# 3 or 4 custom modules with dependsOn chains and templated inputs (single references that keep
# their type, mixed strings that go through Pebble, outputs of built-in and custom stages),
# an application with a templated value, per-infra variables and tags.
# bad=1: the manifest gets one error, of one of five kinds (rotating).
write_infra() { # file index bad
  local file=$1 i=$2 bad=$3
  local name team region cidr azs size engine k8s nodes kind natgw
  printf -v name 'svc-%04d' "$i"
  local teams=(payments search identity billing ledger risk growth data)
  local regions=(eu-west-1 eu-central-1 us-east-1 us-west-2 ap-southeast-2)
  local sizes=(micro small medium large)
  team=${teams[i % 8]}; region=${regions[i % 5]}; size=${sizes[i % 4]}
  engine=postgres; (( i % 7 == 3 )) && engine=mysql
  if (( i % 3 == 0 )); then cidr="172.$((16 + i % 16)).$(( (i / 16) % 256 )).0/24"
  else cidr="10.$(( (i / 16) % 256 )).$(( (i % 16) * 16 )).0/20"; fi
  if (( i % 2 == 0 )); then azs="[${region}a, ${region}b, ${region}c]"; else azs="[${region}a, ${region}b]"; fi
  natgw=single; (( i % 5 == 0 )) && natgw=per_az
  k8s="1.3$(( i % 2 ))"; nodes=$(( 1 + i % 4 ))
  local net_extra="" k8s_version="\"$k8s\"" dep_reports="app_db" vpc_ref="outputs.network.vpc_id"
  if (( bad )); then
    kind=$(( (i / 10) % 5 ))
    case $kind in
      0) cidr="10.$(( (i / 16) % 256 )).$(( (i % 16) * 16 + 1 )).0/20" ;;   # host bits set -> cidr
      1) net_extra="    natGateways: single" ;;                            # unknown key
      2) dep_reports="app_dbb" ;;                                          # unknown dependency
      3) vpc_ref="outputs.network.vpc_idd" ;;                              # unknown output reference
      4) k8s_version="$k8s" ;;                                             # number, not a string
    esac
  fi
  {
    echo "apiVersion: cairn.dev/v1"
    echo "kind: Infrastructure"
    echo "metadata:"
    echo "  name: $name"
    echo "  description: \"Benchmark infrastructure $i for team $team\""
    echo "  labels: { team: $team, tier: t$(( i % 3 )) }"
    echo "spec:"
    echo "  tags:"
    echo "    team: $team"
    echo "    cost-center: cc-$(( 1000 + i % 97 ))"
    echo "  variables:"
    echo "    db_size: $size"
    echo "    engine: $engine"
    echo "    team: $team"
    echo "  backend:"
    echo "    source: ./modules/backend"
    echo "    bucketName: acme-$name-state"
    echo "  network:"
    echo "    source: ./modules/network"
    echo "    cidr: $cidr"
    echo "    azs: $azs"
    echo "    natGateway: $natgw"
    [[ -n "$net_extra" ]] && echo "$net_extra"
    echo "  domain:"
    echo "    source: ./modules/domain"
    echo "    domainName: $name.$team.acme.example"
    echo "  kubernetes:"
    echo "    source: ./modules/kubernetes"
    echo "    clusterName: acme-$name"
    echo "    kubernetesVersion: $k8s_version"
    echo "    nodeGroups:"
    echo "      - name: default"
    echo "        instanceTypes: [t3.large]"
    echo "        minSize: 1"
    echo "        maxSize: $(( nodes + 2 ))"
    echo "        desiredSize: $nodes"
    echo "  addons:"
    echo "    source: ./modules/addons"
    echo "    certManager: { enabled: true, email: ops-$team@acme.example }"
    echo "    keycloak: { enabled: $( (( i % 2 )) && echo true || echo false ), adminUser: admin, realm: $team }"
    echo "  modules:"
    echo "    - name: app_db"
    echo "      source: app-db"
    echo "      dependsOn: [network]"
    echo "      inputs:"
    echo "        name: \"{{ infra.name }}-{{ vars.org }}-app\""
    echo "        vpc_id: \"{{ $vpc_ref }}\""
    echo "        subnet_ids: \"{{ outputs.network.database_subnet_ids }}\""
    echo "        settings:"
    echo "          engine: \"{{ vars.engine }}\""
    echo "          size: \"{{ vars.db_size }}\""
    echo "    - name: reports_db"
    echo "      source: ./modules/app-db"
    echo "      dependsOn: [$dep_reports]"
    echo "      inputs:"
    echo "        name: \"reports-{{ outputs.app_db.size }}-{{ infra.name }}\""
    echo "        vpc_id: \"{{ outputs.network.vpc_id }}\""
    echo "        subnet_ids: \"{{ outputs.network.database_subnet_ids }}\""
    echo "        settings: { engine: \"{{ vars.engine }}\", size: \"{% if vars.db_size == 'large' %}large{% else %}small{% endif %}\" }"
    echo "    - name: internal_zone"
    echo "      source: domain"
    echo "      dependsOn: [domain]"
    echo "      inputs:"
    echo "        domain_name: \"internal.{{ spec.domain.domainName }}\""
    if (( i % 2 == 0 )); then
      echo "    - name: audit_db"
      echo "      source: app-db"
      echo "      dependsOn: [reports_db, kubernetes]"
      echo "      inputs:"
      echo "        name: \"audit-{{ vars.team }}-{{ infra.name }}\""
      echo "        vpc_id: \"{{ outputs.kubernetes.cluster_name }}-{{ outputs.network.vpc_id }}\""
      echo "        subnet_ids: \"{{ outputs.network.private_subnet_ids }}\""
      echo "        settings: { engine: \"{{ vars.engine }}\", size: \"{{ vars.db_size }}\" }"
    fi
    echo "  applications:"
    echo "    - name: api-$team"
    echo "      namespace: $team"
    echo "      source:"
    echo "        repoURL: https://charts.acme.example"
    echo "        chart: api"
    echo "        targetRevision: 1.$(( i % 10 )).0"
    echo "        helm:"
    echo "          values:"
    echo "            ingress:"
    echo "              hosts:"
    echo "                - host: \"api.{{ spec.domain.domainName }}\""
    echo "  policy:"
    echo "    apply: $( (( i % 4 == 0 )) && echo approval || echo auto )"
    (( i % 4 == 0 )) && echo "    approvers: [U0$(( 100000 + i ))]"
    true
  } >"$file"
}

generate() { # dir errors(0|1)
  local dir=$1 errors=$2 i bad
  mkdir -p "$dir/infrastructures" "$dir/applications"
  cp -R "$QUICKSTART/modules" "$dir/modules"
  find "$dir/modules" \( -name .terraform -o -name '*.tfstate*' -o -name .terraform.lock.hcl \) -prune -exec rm -rf {} +
  cp "$QUICKSTART/cairn.yaml" "$dir/cairn.yaml"
  # a shared application that goes to every infrastructure
  printf '%s\n' "name: guestbook" "namespace: guestbook" "source:" \
    "  repoURL: https://github.com/argoproj/argocd-example-apps" "  path: guestbook" "  targetRevision: HEAD" \
    >"$dir/applications/guestbook.yaml"
  for (( i = 0; i < COUNT; i++ )); do
    bad=0; (( errors && i % 10 == 9 )) && bad=1
    write_infra "$(printf '%s/infrastructures/svc-%04d.yaml' "$dir" "$i")" "$i" "$bad"
  done
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run_validate REPO EXPECTED_EXIT LABEL -> appends "seconds rss_mb cpu_seconds" to $WORK/LABEL.times
run_validate() {
  local repo=$1 expected=$2 label=$3 start end code secs rss cpu
  start=$(date +%s%N)
  set +e
  /usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" validate "$repo" --no-color \
    >"$WORK/$label.out" 2>"$WORK/$label.err"
  code=$?
  set -e
  end=$(date +%s%N)
  # GNU time appends "Command exited with non-zero status N" before the figure; keep the figure
  read -r rss cpu < <(tail -n 1 "$WORK/rss" | awk '{ print $1, $2 + $3 }')
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  if [[ "$code" != "$expected" ]]; then
    echo "--- stdout" >&2; tail -n 20 "$WORK/$label.out" >&2
    echo "--- stderr" >&2; tail -n 20 "$WORK/$label.err" >&2
    die "$label: cairn validate exited $code, expected $expected"
  fi
  printf '%s %s %s\n' "$secs" "$(( rss / 1024 ))" "$cpu" >>"$WORK/$label.times"
  printf '  %-8s run %d: %6.3f s wall  %5.2f s CPU  %5d MB peak RSS  (exit %d)\n' "$label" "$(wc -l <"$WORK/$label.times")" "$secs" "$cpu" "$(( rss / 1024 ))" "$code"
}

echo "cairn validate on $COUNT generated infrastructures, $RUNS runs each"
echo "  jar:  $JAR"
echo "  java: $JAVA ($("$JAVA" -version 2>&1 | head -n 1))${CAIRN_JAVA_OPTS:+, flags: $CAIRN_JAVA_OPTS}"
echo "  cpus: $(nproc)"

generate "$WORK/valid" 0
generate "$WORK/broken" 1
echo "  generated $(ls "$WORK/valid/infrastructures" | wc -l) manifests ($(du -sh "$WORK/valid/infrastructures" | cut -f1)) per repo in $WORK"

# Correctness first (untimed): the valid repo is valid, the broken one reports exactly the errors we put in.
"$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" validate "$WORK/valid" --no-color >"$WORK/check.out" 2>&1 \
  || { tail -n 30 "$WORK/check.out" >&2; die "the generated repo does not validate"; }
grep -q "$COUNT infrastructures valid" "$WORK/check.out" || { cat "$WORK/check.out" >&2; die "unexpected validate output"; }
set +e
"$JAVA" "${JAVA_OPTS[@]}" -jar "$JAR" validate "$WORK/broken" --no-color >"$WORK/check.out" 2>"$WORK/check.err"
code=$?
set -e
(( code == 2 )) || { tail -n 30 "$WORK/check.err" >&2; die "broken repo: exit $code, expected 2"; }
expected_errors=$(( COUNT / 10 ))
# diagnostics are "FILE:LINE:COL: RULE: message"; one per broken file, none elsewhere
grep -oE '/infrastructures/svc-[0-9]{4}\.yaml:[0-9]+:[0-9]+: [a-z-]+' "$WORK/check.err" | sort >"$WORK/diags" || true
reported=$(wc -l <"$WORK/diags")
files=$(sed -E 's/:.*//' "$WORK/diags" | sort -u | wc -l)
wrong=$(sed -E 's|.*/svc-([0-9]{4})\.yaml.*|\1|' "$WORK/diags" | awk '$1 % 10 != 9' | wc -l)
grep -q "^$expected_errors problems found\.$" "$WORK/check.err" \
  && (( reported == expected_errors && files == expected_errors && wrong == 0 )) \
  || { tail -n 12 "$WORK/check.err" >&2; die "broken repo: $reported diagnostics in $files files ($wrong in files without an error), expected $expected_errors in $expected_errors"; }
echo "  checks: valid repo exits 0; broken repo exits 2 with all $expected_errors errors, one per broken file ($(awk '{print $2}' "$WORK/diags" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}'))"

for (( r = 1; r <= RUNS; r++ )); do
  run_validate "$WORK/valid" 0 valid
  run_validate "$WORK/broken" 2 broken
done

echo
for label in valid broken; do
  wall=$(awk '{ print $1 }' "$WORK/$label.times" | median)
  rss=$(awk '{ print $2 }' "$WORK/$label.times" | median)
  cpu=$(awk '{ print $3 }' "$WORK/$label.times" | median)
  printf '%-7s median: %6.3f s wall, %5.2f s CPU (user+sys), %5d MB peak RSS' "$label" "$wall" "$cpu" "$rss"
  if awk -v w="$wall" -v m="$rss" -v gw="$GOAL_WALL" -v gm="$GOAL_RSS_MB" 'BEGIN { exit !(w < gw && m < gm) }'; then
    printf '  (goal < %s s, < %s MB: met)\n' "$GOAL_WALL" "$GOAL_RSS_MB"
  else
    printf '  (goal < %s s, < %s MB: MISSED)\n' "$GOAL_WALL" "$GOAL_RSS_MB"
  fi
done
echo "(wall time is what the goal is about; CPU time moves less when other processes share the machine)"

#!/usr/bin/env bash
# A plan preview's wall time beside `cairn plan` of the same infrastructure, on examples/quickstart
# with real Terraform. Under `cairn serve` (docs/serve.md) on a fresh copy of the quickstart as a
# repository of its own: dev is applied first by a signed push (so both sides plan against the same
# applied state); then BENCH_RUNS (3) times a PR branch changing dev's network cidr is kept at
# refs/pull/N/head and a signed `pull_request opened` for it is delivered: the preview's wall time is
# its run record's startedAt..finishedAt (the local executor running the template's state machine,
# every stage planned, no lock, no state written), and the webhook's answer time is printed beside it.
# Then BENCH_RUNS times `cairn plan REPO --infra dev` on that PR head checked out (a fresh JVM each,
# flags as bin/cairn sets them): its wall time end to end, and its run record's startedAt..finishedAt.
# Needs Terraform on PATH, python3, git, curl. Env: BENCH_RUNS (3), CAIRN_JAR (default the jar of
# this checkout, built with `./mvnw -pl infra-bootstrap -am package` when missing), BENCH_KEEP=1.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
. "$ROOT/bin/lib/jdk.sh"
cairn_select_jdk
JAR=${CAIRN_JAR:-$ROOT/infra-bootstrap/target/cairn.jar}
RUNS=${BENCH_RUNS:-3}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "preview-vs-plan: BENCH_RUNS must be a positive integer" >&2; exit 1; }
command -v terraform >/dev/null || { echo "preview-vs-plan: terraform is not on PATH" >&2; exit 1; }
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q -pl infra-bootstrap -am package -DskipTests)

WORK="$(mktemp -d)"
SERVE=""
cleanup() { [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null; wait 2>/dev/null || true; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-$WORK/plugins}"; mkdir -p "$TF_PLUGIN_CACHE_DIR"
REPO="$WORK/infra"
cp -r "$ROOT/examples/quickstart" "$REPO" && rm -rf "$REPO/.cairn" && printf '.cairn/\n.terraform/\n' > "$REPO/.gitignore"
git -C "$REPO" init -q -b main
git -C "$REPO" add -A && git -C "$REPO" -c user.name=b -c user.email=b@x commit -qm quickstart
cairn() { "$JAVA_HOME/bin/java" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" "$@"; }

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export CAIRN_GITHUB_WEBHOOK_SECRET=bench-preview-secret CAIRN_SLACK_SIGNING_SECRET=bench-slack-secret
cairn serve "$REPO" --port "$PORT" --state-dir "$WORK/state" --slack-stub >"$WORK/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.2; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { echo "preview-vs-plan: cairn serve did not start:" >&2; tail -20 "$WORK/serve.log" >&2; exit 1; }

python3 - "$REPO" "$WORK/state" "$PORT" "$RUNS" <<'PY' >"$WORK/previews.json"
import hashlib, hmac, json, os, pathlib, subprocess, sys, time, urllib.request, uuid
repo, state, port, runs = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
secret = os.environ["CAIRN_GITHUB_WEBHOOK_SECRET"].encode()
def git(*a): return subprocess.run(["git", "-C", repo, *a], check=True, capture_output=True, text=True).stdout.strip()
def commit(msg): git("-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qam", msg); return git("rev-parse", "HEAD")
def edit(old, new):
    p = pathlib.Path(repo, "infrastructures/dev.yaml"); t = p.read_text(); assert old in t, old; p.write_text(t.replace(old, new))
def deliver(event, body):
    data = json.dumps(body).encode()
    sig = "sha256=" + hmac.new(secret, data, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/github", data=data, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": sig})
    t0 = time.monotonic()
    with urllib.request.urlopen(req, timeout=120) as r:
        answer = json.loads(r.read())
    return answer, (time.monotonic() - t0) * 1000
def run_of(trigger_prefix, revision, limit=900):
    deadline = time.time() + limit
    while time.time() < deadline:
        for f in sorted((state / "runs" / "dev").glob("*.json")) if (state / "runs" / "dev").is_dir() else []:
            r = json.loads(f.read_text())
            if r.get("revision") == revision and r.get("trigger", "").startswith(trigger_prefix) and r.get("finishedAt"):
                return r
        time.sleep(0.5)
    sys.exit(f"no finished run {trigger_prefix} {revision} in {limit}s")
def secs(r):
    from datetime import datetime
    p = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
    return (p(r["finishedAt"]) - p(r["startedAt"])).total_seconds()
url = pathlib.Path(repo).as_uri()
repository = {"full_name": "acme/infra", "clone_url": url}
first = git("rev-parse", "HEAD")
edit("db_size: micro", "db_size: tiny"); applied = commit("dev: tiny")
answer, _ = deliver("push", {"ref": "refs/heads/main", "before": first, "after": applied, "created": False, "deleted": False,
                             "repository": repository, "pusher": {"name": "bench"}})
assert answer.get("outcome") == "started", answer
apply = run_of("github:push", applied)
assert apply["status"] == "SUCCEEDED", apply["status"]
out = {"apply_s": secs(apply), "previews": []}
cidr = "cidr: 10.10.0.0/16"
for i in range(runs):
    number = 7 + i
    git("checkout", "-q", "-B", f"pr-{number}", "main")
    new = f"cidr: 10.{20 + i}.0.0/16"; edit(cidr, new); head = commit(f"dev: cidr {i}")
    git("update-ref", f"refs/pull/{number}/head", head); git("checkout", "-q", "main")
    body = {"action": "opened", "number": number, "pull_request": {"number": number, "state": "open", "merged": False,
            "head": {"ref": f"pr-{number}", "sha": head, "repo": repository}, "base": {"ref": "main", "sha": applied, "repo": repository}},
            "repository": repository, "sender": {"login": "bench"}}
    answer, ms = deliver("pull_request", body)
    assert answer.get("outcome") == "started", answer
    run = run_of("github:preview", head)
    assert run["status"] == "SUCCEEDED", (run["status"], run.get("error"))
    out["previews"].append({"pr": number, "head": head, "webhook_answer_ms": round(ms, 1), "preview_s": secs(run),
                            "stages": {k: v["status"] for k, v in run["stages"].items()}})
out["last_head"] = head
print(json.dumps(out))
PY
kill "$SERVE"; wait "$SERVE" 2>/dev/null || true; SERVE=""

# cairn plan of the same infrastructure at the last PR head, against the state the push applied
LAST_HEAD="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_head"])' "$WORK/previews.json")"
git -C "$REPO" checkout -q "$LAST_HEAD"
PLANS=()
for i in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  cairn plan "$REPO" --infra dev --state-dir "$WORK/state" --no-color >"$WORK/plan-$i.log" 2>&1 || { tail -20 "$WORK/plan-$i.log" >&2; exit 1; }
  end=$(date +%s.%N)
  PLANS+=("$(python3 -c "print(round($end - $start, 2))")")
done
python3 - "$WORK/previews.json" "$WORK/state" "${PLANS[@]}" <<'PY'
import json, pathlib, statistics, sys
from datetime import datetime
previews = json.load(open(sys.argv[1])); state = pathlib.Path(sys.argv[2]); walls = [float(x) for x in sys.argv[3:]]
p = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
plans = sorted((json.loads(f.read_text()) for f in (state / "runs" / "dev").glob("*.json")), key=lambda r: r["startedAt"])
cli = [r for r in plans if r["action"] == "PLAN" and not r["trigger"].startswith("github:")][-len(walls):]
pv = [x["preview_s"] for x in previews["previews"]]
print(json.dumps({"apply_dev_s": round(previews["apply_s"], 2),
                  "preview_run_s": [round(x, 2) for x in pv], "preview_run_median_s": round(statistics.median(pv), 2),
                  "preview_webhook_answer_ms": [x["webhook_answer_ms"] for x in previews["previews"]],
                  "cairn_plan_wall_s": walls, "cairn_plan_wall_median_s": round(statistics.median(walls), 2),
                  "cairn_plan_run_s": [round((p(r["finishedAt"]) - p(r["startedAt"])).total_seconds(), 2) for r in cli],
                  "preview_stages": previews["previews"][-1]["stages"]}, indent=1))
PY

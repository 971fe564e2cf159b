"""Fixture of preview-webhook.sh: the repo of 100 infrastructures of webhook-fixture.py, with a PR branch that changes
infra-042 kept at refs/pull/7/head of the bare origin (as GitHub keeps a PR's head), Cairn's table and a Pass state
machine on moto, and a signed GitHub pull_request opened event (events/github-pull-request.json) for it.
Usage: preview-fixture.py DIR MOTO_ENDPOINT CHECKOUT; prints the state machine's ARN."""
import json, hmac, hashlib, os, subprocess, sys, boto3
root = sys.argv[1]; endpoint = sys.argv[2]; checkout = sys.argv[3]
work = os.path.join(root, "work"); bare = os.path.join(root, "origin.git")
def git(*args, cwd=work):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()
os.makedirs(os.path.join(work, "infrastructures"), exist_ok=True)
os.makedirs(os.path.join(work, "modules/network"), exist_ok=True)
open(os.path.join(work, "cairn.yaml"), "w").write("apiVersion: cairn.dev/v1\nkind: Repository\nbranch: main\ndefaults:\n  provider: { cloud: none }\n")
open(os.path.join(work, "modules/network/main.tf"), "w").write('variable "cidr" {}\nresource "terraform_data" "vpc" { input = var.cidr }\n')
def manifest(i, cidr):
    return f"apiVersion: cairn.dev/v1\nkind: Infrastructure\nmetadata:\n  name: infra-{i:03d}\nspec:\n  modules:\n    - name: network\n      source: ./modules/network\n      inputs:\n        cidr: \"{cidr}\"\n"
for i in range(100):
    open(os.path.join(work, f"infrastructures/infra-{i:03d}.yaml"), "w").write(manifest(i, f"10.{i}.0.0/16"))
git("init", "-q", "-b", "main"); git("add", "."); git("-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qm", "base")
base = git("rev-parse", "HEAD")
git("checkout", "-q", "-b", "feature")
open(os.path.join(work, "infrastructures/infra-042.yaml"), "w").write(manifest(42, "10.142.0.0/16"))
git("-c", "user.name=b", "-c", "user.email=b@x", "commit", "-qam", "infra-042")
head = git("rev-parse", "HEAD")
git("clone", "-q", "--bare", work, bare, cwd=root)
git("update-ref", "refs/pull/7/head", head, cwd=bare)
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
ddb = boto3.client("dynamodb", **kw)
ddb.create_table(TableName="cairn-bench", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
sm = boto3.client("stepfunctions", **kw).create_state_machine(name="cairn-bench", roleArn="arn:aws:iam::123456789012:role/x",
    definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
event = json.load(open(os.path.join(checkout, "events/github-pull-request.json")))
body = json.loads(event["body"]); body["action"] = "opened"; body["number"] = 7
pr = body["pull_request"]; pr["number"] = 7; pr["base"]["ref"] = "main"; pr["base"]["sha"] = base; pr["head"]["sha"] = head
for repo in (body["repository"], pr["base"]["repo"], pr["head"]["repo"]):
    repo["clone_url"] = "file://" + bare
pr["head"]["repo"]["full_name"] = body["repository"]["full_name"]
event["body"] = json.dumps(body, separators=(",", ":"))
event["headers"]["content-length"] = str(len(event["body"]))
event["headers"]["x-hub-signature-256"] = "sha256=" + hmac.new(b"cairn-dev-webhook-secret", event["body"].encode(), hashlib.sha256).hexdigest()
json.dump(event, open(os.path.join(root, "event.json"), "w"))
print(sm)

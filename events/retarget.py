#!/usr/bin/env python3
"""Points a webhook event at your own repository and commits, then re-signs it (standard library only).

Usage: python3 events/retarget.py EVENT --repo URL [--base SHA] [--head SHA] [--before SHA] [--merge SHA]
                                  [--secret SECRET] [-o OUT]
The checked-in events name https://github.com/acme/infra.git and commits that exist nowhere, so
GitWebhookFunction ignores them (not the configured repository) or cannot fetch them. This sets
every clone URL the payload carries to URL (give the same as RepoUrl / CAIRN_REPO_URL) and the
commits to yours:
  GitHub push / GitLab push:          --base is `before`, --head is `after`
  GitHub pull_request:                --base is pull_request.base.sha, --head pull_request.head.sha (and
                                      `after` of a synchronize), --before `before` of a synchronize,
                                      --merge pull_request.merge_commit_sha of a merged PR
  GitLab Merge Request Hook:          --head is object_attributes.last_commit.id, --before its oldrev
                                      (an update), --merge its merge_commit_sha (a merge); GitLab
                                      sends no base commit (the target branch's tip is fetched)
It gives the event a new delivery id (x-github-delivery / x-gitlab-event-uuid), so a state dir
that already handled the file (ignored, say, before RepoUrl was set) handles it again rather than
answering "duplicate". Then it re-signs as events/resign.py does (default: the test secret cairn-dev-webhook-secret) and
writes the event to OUT (default: standard output). The event file itself is left as it is.
"""
import argparse, hashlib, hmac, json, sys, uuid

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("event")
parser.add_argument("--repo", required=True, help="the repository URL, as RepoUrl / CAIRN_REPO_URL names it")
parser.add_argument("--base")
parser.add_argument("--head")
parser.add_argument("--before")
parser.add_argument("--merge")
parser.add_argument("--secret", default="cairn-dev-webhook-secret")
parser.add_argument("-o", "--output")
args = parser.parse_args()

with open(args.event) as f:
    event = json.load(f)
headers = event["headers"]
body = json.loads(event["body"])


def put(node, key, value):
    if value is not None and isinstance(node, dict):
        node[key] = value


kind = headers.get("x-github-event") or headers.get("x-gitlab-event")
if kind == "push":
    put(body.get("repository"), "clone_url", args.repo)
    put(body, "before", args.base)
    put(body, "after", args.head)
elif kind == "pull_request":
    pr = body["pull_request"]
    for repo in (body.get("repository"), pr["base"].get("repo"), pr["head"].get("repo")):
        put(repo, "clone_url", args.repo)
    put(pr["base"], "sha", args.base)
    put(pr["head"], "sha", args.head)
    if body.get("action") == "synchronize":
        put(body, "before", args.before)
        put(body, "after", args.head)
    if pr.get("merged"):
        put(pr, "merge_commit_sha", args.merge)
elif kind == "Push Hook":
    put(body.get("project"), "git_http_url", args.repo)
    put(body, "before", args.base)
    put(body, "after", args.head)
elif kind == "Merge Request Hook":
    attributes = body["object_attributes"]
    for project in (body.get("project"), attributes.get("source"), attributes.get("target")):
        put(project, "git_http_url", args.repo)
    put(attributes.get("last_commit"), "id", args.head)
    if attributes.get("action") == "update":
        put(attributes, "oldrev", args.before)
    if attributes.get("action") == "merge":
        put(attributes, "merge_commit_sha", args.merge)
else:
    sys.exit("retarget.py: %s is not a GitHub or GitLab push or pull/merge request event" % args.event)

for header in ("x-github-delivery", "x-gitlab-event-uuid"):
    if header in headers:
        headers[header] = str(uuid.uuid4())
text = json.dumps(body, separators=(",", ":"))
event["body"] = text
headers["content-length"] = str(len(text.encode()))
if "x-github-event" in headers:
    headers["x-hub-signature-256"] = "sha256=" + hmac.new(args.secret.encode(), text.encode(), hashlib.sha256).hexdigest()
else:
    headers["x-gitlab-token"] = args.secret
out = open(args.output, "w") if args.output else sys.stdout
json.dump(event, out, indent=2)
out.write("\n")

#!/usr/bin/env python3
"""Re-signs webhook events after their body was edited (standard library only).

Usage: python3 events/resign.py [--secret SECRET] FILE...
For each API Gateway v2 event: GitHub events get X-Hub-Signature-256 = HMAC-SHA256(SECRET, body);
GitLab events get X-Gitlab-Token = SECRET. content-length follows the body. The default secret is
the documented test secret cairn-dev-webhook-secret (never a real one).
"""
import argparse, hashlib, hmac, json

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--secret", default="cairn-dev-webhook-secret")
parser.add_argument("files", nargs="+")
args = parser.parse_args()
for name in args.files:
    with open(name) as f:
        event = json.load(f)
    body = event.get("body") or ""
    headers = event["headers"]
    headers["content-length"] = str(len(body.encode()))
    if "x-github-event" in headers:
        headers["x-hub-signature-256"] = "sha256=" + hmac.new(args.secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    elif "x-gitlab-event" in headers:
        headers["x-gitlab-token"] = args.secret
    with open(name, "w") as f:
        json.dump(event, f, indent=2)
        f.write("\n")
    print("re-signed", name)

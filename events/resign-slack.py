#!/usr/bin/env python3
"""Re-signs the Slack events (events/slack-*.json) for the test signing secret at the current time.

Slack signs `v0:TIMESTAMP:BODY` with HMAC-SHA256, and Cairn refuses a timestamp more than 300 s
away from its clock, so a stored Slack event verifies only within five minutes of signing. Run
this just before `cairn invoke SlackFunction --event events/slack-infra-status.json`:

    python3 events/resign-slack.py [--secret S] [FILE...]

The secret defaults to the documented test secret `cairn-dev-slack-signing-secret`
(export CAIRN_SLACK_SIGNING_SECRET=cairn-dev-slack-signing-secret). Never configure it on a real app.
"""
import argparse, glob, hashlib, hmac, json, os, time

parser = argparse.ArgumentParser()
parser.add_argument("--secret", default="cairn-dev-slack-signing-secret")
parser.add_argument("files", nargs="*")
args = parser.parse_args()
files = args.files or sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "slack-*.json")))
now = str(int(time.time()))
for path in files:
    with open(path) as f:
        event = json.load(f)
    body = event["body"]
    signature = "v0=" + hmac.new(args.secret.encode(), f"v0:{now}:{body}".encode(), hashlib.sha256).hexdigest()
    event["headers"]["X-Slack-Request-Timestamp"] = now
    event["headers"]["X-Slack-Signature"] = signature
    with open(path, "w") as f:
        json.dump(event, f, indent=2)
        f.write("\n")
    print(f"{path}: signed at {now}")

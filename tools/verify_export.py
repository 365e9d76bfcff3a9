#!/usr/bin/env python3
"""Verify an exported complaint history (docs/audit.md), with nothing but the standard library.

python3 tools/verify_export.py history.ndjson      # exit 0: verified; 1: what is broken
"""

import base64
import hashlib
import json
import sys

previous, expected, problems = "0" * 64, 1, []
with open(sys.argv[1], encoding="utf-8") as lines:
    for number, line in enumerate(lines, 1):
        event = json.loads(line)
        if event["version"] != expected:
            problems.append(f"line {number}: version {event['version']}, expected {expected}")
        if event["previous_hash"] != previous:
            problems.append(f"version {event['version']}: previous_hash does not link")
        head = f"{previous}\n{event['aggregate']}\n{event['version']}\n{event['topic']}\n"
        content = b"complaints/audit/v1\n" + head.encode() + base64.b64decode(event["state"])
        if hashlib.sha256(content).hexdigest() != event["hash"]:
            problems.append(f"version {event['version']}: hash does not match its content")
        previous, expected = event["hash"], event["version"] + 1
print("\n".join(problems) or f"verified: {expected - 1} events, last hash {previous}")
sys.exit(1 if problems else 0)

#!/usr/bin/env python3
"""Verify an exported complaint history (docs/audit.md, docs/transparency.md) on your own.

python3 tools/verify_export.py history.ndjson [--key VKEY]    # exit 0: verified; 1: what is broken

The hash chain and the inclusion proofs (RFC 9162 2.1.3.2) need the standard library only. The
checkpoint's Ed25519 signature needs the `cryptography` package and the log's verifier key
(`--key`, as the log publishes it: GraphQL `logKey`); without `--key` it is not checked.
"""

import base64
import hashlib
import json
import sys


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def included(index, size, leaf, path, root):
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def signed(note, vkey):
    # Only with --key: the chain and the proofs need nothing but the standard library.
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # noqa: PLC0415

    name, key_hash, key = vkey.split("+", 2)
    raw = base64.b64decode(key)
    text, _, lines = note.rpartition("\n\n")
    for line in lines.splitlines():
        blob = base64.b64decode(line.rpartition(" ")[2])
        if line.startswith(f"\u2014 {name} ") and blob[:4].hex() == key_hash:
            try:
                Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], (text + "\n").encode())
                return True
            except InvalidSignature:
                return False
    return False


key = sys.argv[sys.argv.index("--key") + 1] if "--key" in sys.argv else None
previous, expected, problems, proven, checkpoint = "0" * 64, 1, [], 0, None
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
        proof, checkpoint = event.get("log"), event.get("checkpoint") or checkpoint
        if proof and checkpoint:
            size, root = checkpoint.split("\n")[1:3]
            leaf = f"{event['aggregate']}:{event['version']}:{event['hash']}".encode()
            path = [bytes.fromhex(h) for h in proof["audit_path"]]
            leaf_hash, root = hashlib.sha256(b"\x00" + leaf).digest(), base64.b64decode(root)
            if proof["tree_size"] != int(size) or not included(
                proof["leaf_index"], int(size), leaf_hash, path, root
            ):
                problems.append(f"version {event['version']}: not proven in the checkpoint's tree")
            proven += 1
        previous, expected = event["hash"], event["version"] + 1
if checkpoint and key and not signed(checkpoint, key):
    problems.append("the checkpoint is not signed by the key given")
if not problems:
    print(f"verified: {expected - 1} events, last hash {previous}")
    if checkpoint:
        size = checkpoint.split("\n")[1]
        print(f"{proven} events proven in the checkpoint's tree of {size} leaves")
        print("checkpoint signature " + ("verified" if key else "not checked: pass --key VKEY"))
if problems:
    print("\n".join(problems))
sys.exit(1 if problems else 0)

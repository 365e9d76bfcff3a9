"""The README's tour of the API, run as written against a real server."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from tests.e2e.conftest import ROOT, SECRET, Server, free_port


def tour() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A tour of the API", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return block.group(1)


def test_every_command_of_the_readme_tour_works(tmp_path: Path) -> None:
    server = Server(f"sqlite:///{tmp_path / 'tour.db'}", tmp_path, WEBHOOK_ALLOW_PRIVATE="true")
    try:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", tour()],
            cwd=ROOT,
            env={
                **os.environ,
                "API": server.url,
                "JWT_SECRET": SECRET,
                "HOOK_PORT": str(free_port()),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr + result.stdout
    out = result.stdout
    assert '{"data":{"registerSeller":{"__typename":"Seller","shopId":"acme"}}}' in out
    assert '"fileComplaint":{"__typename":"Complaint"' in out
    assert '"acceptComplaint":{"__typename":"Complaint","status":"NEGOTIATING"}' in out
    assert '"allowedActions":["makeOffer","acceptOffer","declineOffer"' in out
    assert '"escalated":false,"offers":[{"by":"CONSUMER"' in out
    assert '"kind":"seller_response"' in out
    assert '"evidenceRequests":[],"ruling":null,"fulfilment":null' in out
    assert '"requestedRemedy":{"amount":"199.00","currency":"CNY","type":"REFUND"}' in out
    heard = [json.loads(line) for line in out.splitlines() if line.startswith('{"position"')]
    assert [u["entry"]["type"] for u in heard] == ["Filed", "Accepted", "OfferMade"]
    assert "errors" not in out
    (hook,) = [json.loads(line) for line in out.splitlines() if line.startswith('{"webhookId"')]
    assert hook["type"] == "complaint.Filed"
    assert hook["webhookId"].startswith("msg_")
    assert hook["data"]["complaint"]["reference"].startswith("C-")

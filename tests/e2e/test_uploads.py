"""Evidence files over the wire: `POST /uploads` and `GET /uploads/{sha256}` on a real server,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

import httpx
import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import SUPERVISOR, Server, token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
AUDITOR = Actor(Role.AUDITOR, "auditor-1")
AGENT = Actor(Role.AGENT, "agent-1")
FILE = """mutation($shop: String!, $evidence: [EvidenceFileInput!]) {
  fileComplaint(input: {shopId: $shop, orderId: "order-1", category: DAMAGED,
    description: "The vase arrived in pieces; the box was crushed.",
    requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}},
    evidence: $evidence}) {
    __typename
    ... on Complaint {
      id evidence { kind description requestId file { sha256 mediaType size url } } }
    ... on ValidationFailed { code fields { field message } } } }"""
MINE = "{ complaints { totalCount } }"


def upload(
    server: Server, actor: Actor | None, content: bytes, name: str = "photo.png"
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
    return httpx.post(
        f"{server.url}/uploads", files={"file": (name, content)}, headers=headers, timeout=30
    )


def fetch(server: Server, actor: Actor | None, path: str, **headers: str) -> httpx.Response:
    if actor is not None:
        headers["Authorization"] = f"Bearer {token(actor)}"
    return httpx.get(f"{server.url}{path}", headers=headers, timeout=30)


def photo(marker: str) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + marker.encode() * 50


def stored_files(server: Server) -> list[bytes]:
    return [p.read_bytes() for p in (server.workdir / "uploads").rglob("*") if p.is_file()]


def cast() -> tuple[str, Actor, Actor]:
    """A shop of its own, its staff and a consumer, for each test."""
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    return shop, Actor(Role.SELLER, f"staff-{shop}", shop), Actor(Role.CONSUMER, f"u-{shop}")


def register(server: Server, shop: str) -> None:
    registered = server.data(
        'mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",'
        ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    assert registered["registerSeller"]["__typename"] == "Seller"


def file_with(server: Server, shop: str, consumer: Actor, evidence: list[dict[str, Any]]) -> Any:
    server.record_order("order-1", shop=shop, consumer=consumer)
    return server.data(FILE, {"shop": shop, "evidence": evidence}, consumer)["fileComplaint"]


def test_an_upload_is_sealed_under_its_uploader(server: Server) -> None:
    marker = f"ZQX-upload-{uuid.uuid4().hex}"
    content = photo(marker)
    response = upload(server, Actor(Role.CONSUMER, "u-uploader"), content)
    assert response.status_code == 201, response.text
    sha256 = hashlib.sha256(content).hexdigest()
    assert response.json() == {"sha256": sha256, "size": len(content), "mediaType": "image/png"}
    assert response.headers["location"] == f"/uploads/{sha256}"
    files = stored_files(server)
    assert files, "the upload is on disk"
    assert all(f.startswith(b"CPF1 ") for f in files)
    assert not any(marker.encode() in f for f in files)


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"just some text", 415, "MEDIA_TYPE_NOT_ALLOWED"),
        (b"", 415, "MEDIA_TYPE_NOT_ALLOWED"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 120_000, 413, "TOO_LARGE"),
    ],
)
def test_uploads_hold_their_limits(server: Server, content: bytes, status: int, code: str) -> None:
    response = upload(server, Actor(Role.CONSUMER, "u-uploader"), content)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_uploads_need_a_signed_in_author(server: Server) -> None:
    assert upload(server, None, PNG).status_code == 401
    assert upload(server, Actor(Role.AUDITOR, "a-1"), PNG).status_code == 403
    form = httpx.post(
        f"{server.url}/uploads", content=b"x", headers={"Authorization": f"Bearer {token(AGENT)}"}
    )
    assert form.status_code == 415


def test_a_file_goes_to_those_who_may_see_a_case_that_cites_it(server: Server) -> None:
    shop, seller, consumer = cast()
    register(server, shop)
    content = photo("the crushed box")
    sha256 = upload(server, consumer, content).json()["sha256"]
    path = f"/uploads/{sha256}"
    # Before any case cites it, only its uploader gets it back.
    assert fetch(server, consumer, path).content == content
    assert fetch(server, seller, path).status_code == 404
    filed = file_with(server, shop, consumer, [{"sha256": sha256, "kind": "photo"}])
    assert filed["__typename"] == "Complaint", filed
    assert filed["evidence"] == [
        {
            "kind": "photo",
            "description": None,
            "requestId": None,
            "file": {"sha256": sha256, "mediaType": "image/png", "size": len(content), "url": path},
        }
    ]
    other_shop = Actor(Role.SELLER, "staff-elsewhere", "shop-elsewhere")
    for viewer in (consumer, seller, SUPERVISOR, AGENT, AUDITOR):
        response = fetch(server, viewer, path)
        assert response.status_code == 200, (viewer, response.text)
        assert response.content == content
    not_found = fetch(server, None, f"/uploads/{'0' * 64}")
    assert not_found.status_code == 404
    outsiders: list[Actor | None] = [other_shop, Actor(Role.CONSUMER, "u-someone-else"), None]
    for outsider in outsiders:
        response = fetch(server, outsider, path)
        assert response.status_code == 404, outsider
        # Exactly what a file that does not exist gets: nothing tells them apart.
        assert response.content == not_found.content
        assert response.headers["content-type"] == not_found.headers["content-type"]
    assert fetch(server, consumer, "/uploads/not-a-hash").status_code == 404
    bad = httpx.get(f"{server.url}{path}", headers={"Authorization": "Bearer nonsense"}, timeout=30)
    assert bad.status_code == 401


def test_a_file_is_shown_never_run(server: Server) -> None:
    consumer = Actor(Role.CONSUMER, f"u-{uuid.uuid4().hex[:8]}")
    image = upload(server, consumer, photo("headers")).json()["sha256"]
    response = fetch(server, consumer, f"/uploads/{image}")
    headers = response.headers
    assert headers["content-type"] == "image/png"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["content-disposition"] == f'inline; filename="{image}.png"'
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "script-src" not in policy
    assert headers["cache-control"] == "private, no-cache"
    assert headers["etag"] == f'"{image}"'
    assert headers["accept-ranges"] == "bytes"
    again = fetch(server, consumer, f"/uploads/{image}", **{"If-None-Match": f'"{image}"'})
    assert again.status_code == 304
    assert again.content == b""
    pdf = upload(server, consumer, b"%PDF-1.7\n" + b"x" * 100, "terms.pdf").json()["sha256"]
    response = fetch(server, consumer, f"/uploads/{pdf}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="{pdf}.pdf"'


def test_a_video_is_served_in_ranges(server: Server) -> None:
    consumer = Actor(Role.CONSUMER, f"u-{uuid.uuid4().hex[:8]}")
    video = b"\x00\x00\x00\x18ftypmp42" + os.urandom(90_000)
    size = len(video)
    path = f"/uploads/{upload(server, consumer, video, 'clip.mp4').json()['sha256']}"

    def ranged(value: str, **more: str) -> httpx.Response:
        return fetch(server, consumer, path, Range=value, **more)

    for value, first, last in [
        ("bytes=0-9", 0, 9),
        ("bytes=65530-65545", 65530, 65545),  # across two sealed chunks
        ("bytes=70000-", 70000, size - 1),
        ("bytes=-100", size - 100, size - 1),
        ("bytes=89990-999999", 89990, size - 1),
    ]:
        response = ranged(value)
        assert response.status_code == 206, value
        assert response.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert response.headers["content-type"] == "video/mp4"
        assert int(response.headers["content-length"]) == last - first + 1
        assert response.content == video[first : last + 1], value
    unsatisfiable = ranged(f"bytes={size}-")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable.headers["content-range"] == f"bytes */{size}"
    for whole in (
        ranged("bytes=0-1, 5-6"),
        ranged("lines=1-2"),
        ranged("bytes=0-9", **{"If-Range": '"old"'}),
    ):
        assert whole.status_code == 200
        assert whole.content == video
    head = httpx.head(f"{server.url}{path}", headers={"Authorization": f"Bearer {token(consumer)}"})
    assert head.status_code == 200
    assert head.headers["content-length"] == str(size)
    assert head.content == b""


def test_evidence_must_cite_an_upload_of_ones_own(server: Server) -> None:
    shop, _, consumer = cast()
    register(server, shop)
    theirs = upload(server, Actor(Role.CONSUMER, "u-another"), photo("theirs")).json()["sha256"]
    refused = file_with(
        server,
        shop,
        consumer,
        [{"sha256": theirs, "kind": "photo"}, {"sha256": "ab" * 32, "kind": "photo"}],
    )
    assert refused["__typename"] == "ValidationFailed"
    assert [f["field"] for f in refused["fields"]] == ["evidence.0.sha256", "evidence.1.sha256"]
    assert server.data(MINE, actor=consumer)["complaints"]["totalCount"] == 0


RETURN = """mutation($id: ID!) { returnComplaintForInfo(input: {complaintId: $id,
  reason: "Show us the damage.", missing: ["photo of the box"], ruleCodes: ["R-1.4"]}) {
  __typename } }"""
RESUBMIT = """mutation($id: ID!, $evidence: [EvidenceFileInput!]) {
  resubmitComplaint(input: {complaintId: $id,
    description: "Photos attached: the left side of the box is crushed.",
    evidence: $evidence}) {
    __typename
    ... on Complaint { status evidence { kind description requestId file { sha256 url } }
      intake { returnedFor missing rules { code } resubmissions } }
    ... on ValidationFailed { code fields { field message } } } }"""


def test_files_the_agent_asked_for_come_with_the_resubmission(server: Server) -> None:
    shop, seller, consumer = cast()
    register(server, shop)
    filed = file_with(server, shop, consumer, [])
    assert filed["__typename"] == "Complaint", filed
    returned = server.data(RETURN, {"id": filed["id"]}, AGENT)["returnComplaintForInfo"]
    assert returned["__typename"] == "Complaint"
    content = photo("the box, resubmitted")
    sha256 = upload(server, consumer, content).json()["sha256"]
    theirs = upload(server, Actor(Role.CONSUMER, "u-another"), photo("not theirs")).json()
    refused = server.data(
        RESUBMIT,
        {"id": filed["id"], "evidence": [{"sha256": theirs["sha256"], "kind": "photo"}]},
        consumer,
    )["resubmitComplaint"]
    assert refused["__typename"] == "ValidationFailed"
    assert [f["field"] for f in refused["fields"]] == ["evidence.0.sha256"]
    evidence = [{"sha256": sha256, "kind": "photo", "description": "The crushed side"}]
    resubmitted = server.data(RESUBMIT, {"id": filed["id"], "evidence": evidence}, consumer)[
        "resubmitComplaint"
    ]
    assert resubmitted == {
        "__typename": "Complaint",
        "status": "SUBMITTED",
        "evidence": [
            {
                "kind": "photo",
                "description": "The crushed side",
                "requestId": None,
                "file": {"sha256": sha256, "url": f"/uploads/{sha256}"},
            }
        ],
        "intake": {
            "returnedFor": "Show us the damage.",
            "missing": ["photo of the box"],
            "rules": [{"code": "R-1.4"}],
            "resubmissions": 1,
        },
    }
    # Cited by the case, the file goes to those who may see it.
    for viewer in (consumer, seller, AGENT):
        assert fetch(server, viewer, f"/uploads/{sha256}").content == content


def test_after_erasure_a_file_is_gone_for_everyone(server: Server) -> None:
    shop, seller, consumer = cast()
    register(server, shop)
    marker = f"ZQX-erase-{uuid.uuid4().hex}"
    sha256 = upload(server, consumer, photo(marker)).json()["sha256"]
    filed = file_with(server, shop, consumer, [{"sha256": sha256, "kind": "photo"}])
    assert filed["__typename"] == "Complaint", filed
    path = f"/uploads/{sha256}"
    assert fetch(server, seller, path).status_code == 200
    erased = server.data(
        "mutation($s: String!) { eraseSubject(input: {subjectId: $s}) { __typename } }",
        {"s": consumer.id},
        SUPERVISOR,
    )
    assert erased["eraseSubject"]["__typename"] == "ErasureReceipt"
    for viewer in (consumer, seller, SUPERVISOR, AUDITOR):
        assert fetch(server, viewer, path).status_code == 404
    assert not any(marker.encode() in f for f in stored_files(server))

"""The users' language over the wire, on SQLite and PostgreSQL: the same server answers in
English, Simplified and Traditional Chinese as each request asks (Accept-Language, the socket's
`locale`, the webhook endpoint's), names the language it answered in, and never serves one
language's cached answer to another."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from complaints.domain.values import Actor, Role
from complaints.graphql.persisted import QUERIES
from tests.e2e.conftest import PROTOCOL, SUPERVISOR, Server, Subscriber, token, until
from tests.e2e.test_graphql import ACCEPT, AGENT, UPDATES, open_case
from tests.webhook_receiver import Receiver

TIMELINE = next(q for q in QUERIES if q.name == "CaseTimeline")
#: Each language, a header that asks for it, and what it calls things.
LANGUAGES = {
    "en": "en-GB,en;q=0.9",
    "zh-Hans": "zh-CN,zh;q=0.9,en;q=0.5",
    "zh-Hant": "zh-TW,zh;q=0.9,en;q=0.5",
}
ACCEPTED = {
    "en": "Accepted for handling; the parties may now negotiate.",
    "zh-Hans": "已受理；双方现在可以进行协商。",
    "zh-Hant": "已受理；雙方現在可以進行協商。",
}
FILED = {
    "en": ("Complaint ", " filed about damaged goods on order order-1;"),
    "zh-Hans": ("投诉 ", " 已提交：订单 order-1 的商品问题为“商品损坏”；"),
    "zh-Hant": ("投訴 ", " 已提交：訂單 order-1 的商品問題為「商品損壞」；"),
}
EMPTY_MESSAGE = {
    "en": ("Invalid input: text: must not be empty", "must not be empty"),
    "zh-Hans": ("输入无效：text：不能为空", "不能为空"),
    "zh-Hant": ("輸入無效：text：不能為空", "不能為空"),
}
DAMAGE_RULE = {
    "en": ("Damage in transit", "Until the goods are delivered, the seller bears the risk"),
    "zh-Hans": ("运输途中的损坏", "商品送达之前，运输途中的损坏风险由卖家承担"),
    "zh-Hant": ("運輸途中的損壞", "商品送達之前，運輸途中的損壞風險由賣家承擔"),
}
POST = """mutation($id: ID!, $text: String!) { postMessage(input: {complaintId: $id,
  text: $text}) { __typename ... on ValidationFailed { code message fields { field message } }
  ... on Error { code message } } }"""
REGISTER = """mutation($shop: String!, $url: String!, $locale: String) {
  registerWebhook(input: {shopId: $shop, url: $url, locale: $locale}) {
    __typename
    ... on WebhookEndpointCreated { secret endpoint { id locale } }
    ... on ValidationFailed { code message fields { field message } } } }"""


@pytest.fixture(scope="module")
def server(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store, tmp_path_factory.mktemp("language"), WEBHOOK_ALLOW_PRIVATE="true")
    yield running
    running.stop()


def ask(
    server: Server,
    query: str,
    variables: dict[str, Any] | None,
    actor: Actor | None,
    language: str | None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
    if language is not None:
        headers["Accept-Language"] = language
    return httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )


def accepted_case(server: Server) -> tuple[Actor, Actor, dict[str, Any]]:
    _shop, seller, consumer, filed = open_case(server)
    assert server.data(ACCEPT, {"id": filed["id"]}, AGENT)["acceptComplaint"]["status"] == (
        "NEGOTIATING"
    )
    return seller, consumer, filed


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_a_refusal_is_said_in_the_language_asked_and_keeps_its_code(
    server: Server, tag: str
) -> None:
    _seller, consumer, filed = accepted_case(server)
    response = ask(server, POST, {"id": filed["id"], "text": "  "}, consumer, LANGUAGES[tag])
    assert response.headers["content-language"] == tag
    refused = response.json()["data"]["postMessage"]
    message, field_message = EMPTY_MESSAGE[tag]
    assert refused["code"] == "VALIDATION_FAILED"
    assert refused["message"] == message
    assert refused["fields"] == [{"field": "text", "message": field_message}]


AUDIT_REFUSED = {
    "en": "Only staff and auditors read audit trails.",
    "zh-Hans": "只有工作人员和审计员可以查阅审计记录。",
    "zh-Hant": "只有工作人員和審計員可以查閱審計記錄。",
}


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_a_query_s_refusal_is_said_in_the_language_asked(server: Server, tag: str) -> None:
    _seller, consumer, filed = accepted_case(server)
    response = ask(
        server,
        "query($id: ID!) { auditTrail(complaintId: $id) { verified } }",
        {"id": filed["id"]},
        consumer,
        LANGUAGES[tag],
    )
    error = response.json()["errors"][0]
    assert (error["extensions"]["code"], error["message"]) == ("NOT_ALLOWED", AUDIT_REFUSED[tag])


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_the_timeline_is_said_in_the_language_asked(server: Server, tag: str) -> None:
    seller, _consumer, filed = accepted_case(server)
    response = ask(server, TIMELINE.document, {"id": filed["id"]}, seller, LANGUAGES[tag])
    assert response.headers["content-language"] == tag
    edges = response.json()["data"]["complaint"]["timeline"]["edges"]
    summaries = {e["node"]["type"]: e["node"]["summary"] for e in edges}
    before, after = FILED[tag]
    assert summaries["Filed"].startswith(before + filed["reference"] + after)
    assert summaries["Accepted"] == ACCEPTED[tag]


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_a_rule_and_its_guides_are_said_in_the_language_asked(server: Server, tag: str) -> None:
    response = ask(
        server,
        '{ locale rule(code: "R-3.2") { code title text } guides(category: DAMAGED) { title } }',
        None,
        None,
        LANGUAGES[tag],
    )
    data = response.json()["data"]
    title, text = DAMAGE_RULE[tag]
    assert data["locale"] == tag
    assert data["rule"]["code"] == "R-3.2"
    assert (data["rule"]["title"], data["rule"]["text"][: len(text)]) == (title, text)
    assert len(data["guides"]) == 2


def test_every_answer_names_its_language_and_an_unspoken_one_falls_to_the_next(
    server: Server,
) -> None:
    answers = {
        "graphql": ask(server, "{ locale }", None, None, "fr-FR, zh-HK;q=0.7, en;q=0.3"),
        "no header": ask(server, "{ locale }", None, None, None),
        "nothing spoken": ask(server, "{ locale }", None, None, "fr, de;q=0.5"),
        "bare zh": ask(server, "{ locale }", None, None, "zh"),
        "zh-Hant refused": ask(server, "{ locale }", None, None, "zh-TW;q=0, zh-SG;q=0.2"),
    }
    assert {name: r.json()["data"]["locale"] for name, r in answers.items()} == {
        "graphql": "zh-Hant",
        "no header": "en",
        "nothing spoken": "en",
        "bare zh": "zh-Hans",
        "zh-Hant refused": "zh-Hans",
    }
    assert {name: r.headers["content-language"] for name, r in answers.items()} == {
        name: r.json()["data"]["locale"] for name, r in answers.items()
    }
    assert all(r.headers["vary"] == "Accept-Language" for r in answers.values())
    others = {
        "health": httpx.get(f"{server.url}/healthz", headers={"Accept-Language": "zh-MO"}),
        "console": httpx.get(f"{server.url}/", headers={"Accept-Language": "zh-Hans"}),
        "unauthorized": httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ locale }"},
            headers={"Authorization": "Bearer nope", "Accept-Language": "zh-TW"},
        ),
    }
    assert {name: r.headers["content-language"] for name, r in others.items()} == {
        "health": "zh-Hant",
        "console": "zh-Hans",
        "unauthorized": "zh-Hant",
    }
    assert others["unauthorized"].status_code == 401
    assert others["unauthorized"].json()["errors"][0]["message"].startswith("未授權：")
    upload = httpx.post(
        f"{server.url}/uploads",
        files={"file": ("a.png", b"x", "image/png")},
        headers={"Accept-Language": "zh-Hans"},
    )
    assert (upload.status_code, upload.json()["error"]["message"]) == (401, "请登录后上传证据。")
    assert upload.headers["vary"] == "Accept-Language"
    assert "vary" not in others["health"].headers
    locales = ask(server, "{ locales { tag name } }", None, None, None).json()["data"]
    assert locales["locales"] == [
        {"tag": "en", "name": "English"},
        {"tag": "zh-Hans", "name": "简体中文"},
        {"tag": "zh-Hant", "name": "繁體中文"},
    ]


def persisted(server: Server, complaint_id: str, actor: Actor, language: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/graphql",
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": TIMELINE.sha256}},
            "variables": {"id": complaint_id},
        },
        headers={"Authorization": f"Bearer {token(actor)}", "Accept-Language": language},
        timeout=30,
    )


def summaries(response: httpx.Response) -> dict[str, str]:
    edges = response.json()["data"]["complaint"]["timeline"]["edges"]
    return {e["node"]["type"]: e["node"]["summary"] for e in edges}


def test_the_same_persisted_query_read_in_two_languages_gets_each_its_own_text(
    server: Server,
) -> None:
    seller, _consumer, filed = accepted_case(server)
    hans = [persisted(server, filed["id"], seller, LANGUAGES["zh-Hans"]) for _ in range(2)]
    english = [persisted(server, filed["id"], seller, LANGUAGES["en"]) for _ in range(2)]
    hant = persisted(server, filed["id"], seller, LANGUAGES["zh-Hant"])
    assert [r.headers.get("cache-status") for r in (*hans, *english, hant)] == [
        None,
        "complaints; hit",
        None,
        "complaints; hit",
        None,
    ]
    assert summaries(hans[1])["Accepted"] == ACCEPTED["zh-Hans"]
    assert summaries(english[1])["Accepted"] == ACCEPTED["en"]
    assert summaries(hant)["Accepted"] == ACCEPTED["zh-Hant"]
    for response, tag in ((hans[1], "zh-Hans"), (english[1], "en"), (hant, "zh-Hant")):
        assert response.headers["content-language"] == tag
        assert response.headers["vary"] == "Accept-Language"


def test_a_subscription_speaks_the_sockets_language(server: Server) -> None:
    seller, _consumer, filed = accepted_case(server)

    async def first_frame(payload: dict[str, Any], header: str | None) -> dict[str, Any]:
        subscriber = Subscriber(server, seller)
        if header is None:
            await subscriber.connect(payload)
        else:  # no `locale` in the payload: the upgrade request's Accept-Language
            subscriber.ws = await websockets.connect(
                server.ws_url,
                subprotocols=[PROTOCOL],
                additional_headers={"Accept-Language": header},
            )
            init = {
                "type": "connection_init",
                "payload": {"Authorization": f"Bearer {token(seller)}"},
            }
            await subscriber.ws.send(json.dumps(init))
            await asyncio.wait_for(subscriber.ws.recv(), 10)
        await subscriber.subscribe(UPDATES, {"id": filed["id"], "after": 0})
        frame = await subscriber.next()
        await subscriber.close()
        return frame

    bearer = {"Authorization": f"Bearer {token(seller)}"}
    hant = asyncio.run(first_frame({**bearer, "locale": "zh-Hant"}, None))
    hans = asyncio.run(first_frame({}, LANGUAGES["zh-Hans"]))
    english = asyncio.run(first_frame({**bearer, "locale": "en"}, None))
    said = [f["payload"]["data"]["complaintUpdates"]["entry"]["summary"] for f in (hant, hans)]
    assert said[0].startswith(FILED["zh-Hant"][0] + filed["reference"] + FILED["zh-Hant"][1])
    assert said[1].startswith(FILED["zh-Hans"][0] + filed["reference"] + FILED["zh-Hans"][1])
    summary = english["payload"]["data"]["complaintUpdates"]["entry"]["summary"]
    assert summary.startswith("Complaint ")


def test_a_subscription_s_refusal_speaks_the_sockets_language(server: Server) -> None:
    _seller, _consumer, filed = accepted_case(server)
    stranger = Actor(Role.CONSUMER, f"u-{uuid.uuid4().hex[:8]}")

    async def refused() -> dict[str, Any]:
        subscriber = Subscriber(server, stranger)
        await subscriber.connect(
            {"Authorization": f"Bearer {token(stranger)}", "locale": "zh-Hant"}
        )
        await subscriber.subscribe(UPDATES, {"id": filed["id"], "after": 0})
        frame = await subscriber.next()
        await subscriber.close()
        return frame

    frame = asyncio.run(refused())
    errors = frame["payload"] if frame["type"] == "error" else frame["payload"]["errors"]
    assert (errors[0]["extensions"]["code"], errors[0]["message"]) == (
        "NOT_ALLOWED",
        "您的投訴中沒有這一件。",
    )


def test_a_webhook_is_delivered_in_its_endpoints_language(server: Server) -> None:
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    seller = Actor(Role.SELLER, f"staff-{shop}", shop)
    consumer = Actor(Role.CONSUMER, f"u-{shop}")
    server.data(
        'mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",'
        ' deposit: {amount: "500", currency: "CNY"}}) { __typename } }',
        {"shop": shop},
        SUPERVISOR,
    )
    receiver = Receiver()
    try:
        refused = ask(
            server, REGISTER, {"shop": shop, "url": receiver.url, "locale": "fr"}, seller, "zh-CN"
        ).json()["data"]["registerWebhook"]
        assert refused["code"] == "VALIDATION_FAILED"
        assert refused["fields"] == [
            {"field": "locale", "message": "必须是以下之一：en, zh-Hans, zh-Hant"}
        ]
        created = server.data(
            REGISTER, {"shop": shop, "url": receiver.url, "locale": "zh-Hant"}, seller
        )["registerWebhook"]
        assert created["endpoint"]["locale"] == "zh-Hant"
        receiver.secret = created["secret"]
        server.record_order("order-1", shop=shop, consumer=consumer)
        filed = server.data(
            """mutation($shop: String!) { fileComplaint(input: {shopId: $shop,
              orderId: "order-1", category: DAMAGED, description: "The vase arrived broken.",
              requestedRemedy: {type: REFUND, amount: {amount: "199", currency: "CNY"}}}) {
              ... on Complaint { id reference } } }""",
            {"shop": shop},
            consumer,
        )["fileComplaint"]
        receiver.wait_for(lambda got: any(r.type == "Filed" for r in got))
        delivered = next(r for r in receiver.received if r.type == "Filed")
        entry = delivered.payload["data"]["entry"]
        assert entry["summary"].startswith(
            FILED["zh-Hant"][0] + filed["reference"] + FILED["zh-Hant"][1]
        )
        assert entry["text"] == "The vase arrived broken."  # the consumer's own words
        listed = until(
            lambda: server.data(
                "query($shop: String!) { webhookEndpoints(shopId: $shop) { locale } }",
                {"shop": shop},
                seller,
            )["webhookEndpoints"],
            "the endpoint listed",
        )
        assert listed == [{"locale": "zh-Hant"}]
    finally:
        receiver.close()

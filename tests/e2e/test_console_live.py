"""The case page follows the case from its subscription's frames alone: each frame carries the
case as it now stands (`ComplaintUpdate.complaint`, the selection the page draws from), so another
person's action redraws the page with no GraphQL request at all, and one's own action is drawn
from the mutation's answer. Only a frame that cannot stand for the case (it carries none, or it
was refused) makes the page read the case again. Requests are told apart by their
`operationName`, which the console sends beside every document or hash."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.browser import (
    CONSUMER,
    WAIT,
    Person,
    console_server,
    negotiating_case,
)
from tests.e2e.conftest import Server

__all__ = ["console_server"]  # the module's server, shared with this file's tests

#: What the page shows of the seller's offer, in each language tested.
OFFERED = {"en": "The seller offered partial refund", "zh-CN": "卖家提出了部分退款"}
OFFER = """mutation($id: ID!) { makeOffer(input: {complaintId: $id, remedy: {type: PARTIAL_REFUND,
           amount: {amount: "120.00", currency: "CNY"}}}) { __typename } }"""


def operations(page: Any) -> Counter[str]:
    """Every GraphQL request the page sends from now on, counted by its operation's name."""
    seen: Counter[str] = Counter()

    def note(request: Any) -> None:
        if request.resource_type not in ("fetch", "xhr"):
            return
        url = urlsplit(request.url)
        if not url.path.endswith("/graphql"):
            return
        if request.method == "POST":
            body = request.post_data_json or {}
            name = body.get("operationName")
        else:
            name = parse_qs(url.query).get("operationName", [None])[0]
        seen[name or "(unnamed)"] += 1

    page.on("request", note)
    return seen


def opened(person: Person, case_id: str, language: str) -> None:
    if language != "en":
        person.page.select_option("#language", language)
    person.go(f"case/{case_id}")
    person.page.locator(".live[data-state=live]").wait_for(timeout=WAIT)


def settle(person: Person) -> None:
    """Long enough for a re-read the page would make to have been sent."""
    person.page.wait_for_timeout(700)


@pytest.mark.parametrize("language", list(OFFERED))
def test_another_persons_action_redraws_the_case_page_without_reading_it_again(
    browser: Any, console_server: Server, language: str
) -> None:
    shop = f"live-{language.lower()}"
    case_id = negotiating_case(console_server, shop, f"order-live-{language}")
    consumer = Person(browser, console_server, "CONSUMER", CONSUMER.id)
    reads = operations(consumer.page)
    opened(consumer, case_id, language)
    assert "Console_Case" in reads, reads  # (twice, when the server first meets its hash)
    assert "acceptOffer" not in consumer.allowed()
    assert consumer.page.locator("[data-offer]", has_text="120").count() == 0
    # The consumer has begun a message when the offer arrives.
    consumer.page.locator('button[data-action="postMessage"]').click()
    draft = consumer.page.locator('form[data-form="postMessage"] [name="text"]')
    draft.fill("Half a thought")
    reads.clear()

    # The seller, in a browser of their own, makes an offer through the page.
    seller = Person(browser, console_server, "SELLER", f"s-{shop}", shop)
    sent = operations(seller.page)
    opened(seller, case_id, language)
    sent.clear()
    seller.act("makeOffer", {"remedy.type": "PARTIAL_REFUND", "remedy.amount": "120.00"})
    seller.page.locator("[data-offer]", has_text="120").wait_for(timeout=WAIT)

    # The consumer's page shows the offer, the entry, and the move it now allows.
    page = consumer.page
    page.locator('button[data-action="acceptOffer"]').wait_for(timeout=WAIT)
    page.locator("[data-offer]", has_text="120").wait_for(timeout=WAIT)
    page.locator('.timeline li[data-type="OfferMade"]', has_text=OFFERED[language]).wait_for(
        timeout=WAIT
    )
    settle(consumer)
    settle(seller)
    assert reads == Counter(), "the frame alone redrew the page: no request at all"
    # The open form was left as it was: what was typed, and the focus in it.
    assert draft.input_value() == "Half a thought"
    assert draft.evaluate("e => e === document.activeElement")
    # The seller's own page drew the case from the mutation's answer, and from the frame after.
    assert set(sent) == {"Console_makeOffer"}, sent
    consumer.shoot(f"case-live-{language}")
    for person in (seller, consumer):
        person.close()


def tampering(person: Person) -> dict[str, str | None]:
    """Route the page's socket through the test; `mode` set, the next frame the server sends
    reaches the page without its case ("no case"), with a case older than the page shows
    ("older": version 1, nothing allowed), or refused ("refused")."""
    tamper: dict[str, str | None] = {"mode": None}

    def proxy(ws: Any) -> None:
        server = ws.connect_to_server()

        def to_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "next" and tamper["mode"] == "no case":
                del frame["payload"]["data"]["complaintUpdates"]["complaint"]
                tamper["mode"] = None
            elif frame.get("type") == "next" and tamper["mode"] == "older":
                case = frame["payload"]["data"]["complaintUpdates"]["complaint"]
                case["version"], case["allowedActions"] = 1, []
                tamper["mode"] = None
            elif frame.get("type") == "next" and tamper["mode"] == "refused":
                error = {"message": "No case to read.", "extensions": {"code": "NOT_FOUND"}}
                frame["payload"] = {"data": None, "errors": [error]}
                tamper["mode"] = None
            ws.send(json.dumps(frame))

        server.on_message(to_page)

    person.page.route_web_socket(re.compile(r"/graphql$"), proxy)
    return tamper


@pytest.mark.parametrize("language", list(OFFERED))
def test_a_frame_that_cannot_stand_for_the_case_makes_the_page_read_it_again(
    browser: Any, console_server: Server, language: str
) -> None:
    shop = f"stale-{language.lower()}"
    case_id = negotiating_case(console_server, shop, f"order-stale-{language}")
    seller = Actor(Role.SELLER, f"s-{shop}", shop)
    consumer = Person(browser, console_server, "CONSUMER", CONSUMER.id)
    tamper = tampering(consumer)
    reads = operations(consumer.page)
    opened(consumer, case_id, language)
    page = consumer.page
    reads.clear()

    # A frame without its case: the entry is drawn from it, the case read again.
    tamper["mode"] = "no case"
    console_server.data(OFFER, {"id": case_id}, actor=seller)
    page.locator('button[data-action="acceptOffer"]').wait_for(timeout=WAIT)
    page.locator('.timeline li[data-type="OfferMade"]', has_text=OFFERED[language]).wait_for(
        timeout=WAIT
    )
    settle(consumer)
    assert set(reads) == {"Console_Case"}, reads
    reads.clear()

    # A frame refused: its entry is lost with it, so the case and its timeline are read again.
    tamper["mode"] = "refused"
    console_server.data(
        """mutation($id: ID!) { postMessage(input: {complaintId: $id,
           text: "Here is a better offer coming."}) { __typename } }""",
        {"id": case_id},
        actor=seller,
    )
    page.get_by_text("Here is a better offer coming.").wait_for(timeout=WAIT)
    settle(consumer)
    assert set(reads) == {"Console_Case", "Console_Timeline"}, reads
    positions = page.locator(".timeline li").evaluate_all(
        "items => items.map(i => Number(i.dataset.position))"
    )
    assert positions == sorted(set(positions)), "nothing doubled, in order"
    page.locator(".live[data-state=live]").wait_for(timeout=WAIT)
    assert "No case to read." not in page.locator(".live").inner_text(), "the page recovered"
    reads.clear()

    # A frame whose case is older than the one shown adds its entry and leaves the case be.
    tamper["mode"] = "older"
    console_server.data(
        """mutation($id: ID!) { postMessage(input: {complaintId: $id,
           text: "An older picture."}) { __typename } }""",
        {"id": case_id},
        actor=seller,
    )
    page.get_by_text("An older picture.").wait_for(timeout=WAIT)
    settle(consumer)
    assert "acceptOffer" in consumer.allowed()
    assert reads == Counter(), reads

    # Frames as the server sends them redraw the page by themselves again.
    console_server.data(
        """mutation($id: ID!) { postMessage(input: {complaintId: $id,
           text: "And one more thing."}) { __typename } }""",
        {"id": case_id},
        actor=seller,
    )
    page.get_by_text("And one more thing.").wait_for(timeout=WAIT)
    settle(consumer)
    assert reads == Counter(), reads
    consumer.close()

"""The web console in a real browser (Debian's chromium): whole cases run through its pages, each
person in a browser context of their own, signed in through the development form, with every
request that leaves the server refused. Screenshots of each page, at desktop and phone width,
go to var/screenshots/."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.browser import (
    CONSUMER,
    DESKTOP,
    OTHER_SUPERVISOR,
    SHOP_STAFF,
    SUPERVISOR,
    WAIT,
    Person,
    console_server,
    negotiating_case,
    photo,
    register_shops,
    registered,
    shop_offers_what_the_api_allows,
    shows_image,
    violations_offer_what_the_api_allows,
)
from tests.e2e.conftest import MARKETPLACE, RECORD_ORDER, Server, token, until

__all__ = ["console_server"]  # the module's server, shared by this file's tests


def test_a_case_from_filing_to_rating_in_two_browsers(browser: Any, console_server: Server) -> None:
    register_shops(browser, console_server, "acme", "globex")
    console_server.record_order("order-7001", shop="acme", consumer=Actor(Role.CONSUMER, "u-alice"))
    seller = Person(browser, console_server, "SELLER", "s-acme", "acme")
    consumer = Person(browser, console_server, "CONSUMER", "u-alice")
    seller.go("cases")
    seller.page.get_by_text("0 cases").wait_for(timeout=WAIT)

    # The consumer files, with a photo.
    consumer.go("file")
    consumer.shoot("file")
    form = consumer.page.locator("form")
    form.locator('[data-order="order-7001"] input[type=radio]').check()
    form.locator('[name="category"]').select_option("DAMAGED")
    form.locator('[name="description"]').fill("The kettle arrived with a cracked base.")
    form.locator('[name="remedy.type"]').select_option("REFUND")
    form.locator('[name="remedy.amount"]').fill("199.00")
    form.locator("#photos").set_input_files([photo()])
    form.locator("button[type=submit]").click()
    consumer.page.wait_for_url(re.compile(r"#/case/"), timeout=WAIT)
    shows_image(consumer.page)
    case_hash = consumer.page.url.split("#/", 1)[1]

    # The seller's open list shows the filing arrive, without a reload.
    seller.page.locator(".count", has_text="1 cases").wait_for(timeout=WAIT)
    seller.shoot("cases-seller")
    seller.page.locator("tbody a").first.click()
    seller.page.wait_for_selector('main[data-shown^="#/case/"]', timeout=WAIT)
    seller.page.locator(".live[data-state=live]").wait_for(timeout=WAIT)
    shows_image(seller.page)

    # An agent accepts it; the seller's page follows live, and offers the seller its moves.
    agent = Person(browser, console_server, "AGENT", "agent-1")
    agent.go("intake")
    agent.shoot("intake")
    agent.page.locator("tbody a").first.click()
    agent.page.wait_for_selector('main[data-shown^="#/case/"]', timeout=WAIT)
    agent.act("acceptComplaint")
    agent.close()
    seller.page.locator('.timeline li[data-type="Accepted"]').wait_for(timeout=WAIT)
    seller.page.locator('button[data-action="makeOffer"]').wait_for(timeout=WAIT)

    # The seller counter-offers; the consumer's open page shows it, and the consumer accepts.
    seller.act("makeOffer", {"remedy.type": "PARTIAL_REFUND", "remedy.amount": "120.00"})
    consumer.page.locator('button[data-action="acceptOffer"]').wait_for(timeout=WAIT)
    consumer.shoot("case-consumer")
    consumer.act("acceptOffer")

    # The seller confirms the refund; the consumer confirms it and rates the handling.
    seller.act("confirmRefund")
    consumer.act("confirmRemedyReceived")
    consumer.act("rateHandling", {"score": 5, "comment": "Quick and fair."})
    consumer.page.locator(".badge.status-CLOSED").wait_for(timeout=WAIT)
    consumer.page.get_by_text("★★★★★").wait_for(timeout=WAIT)
    consumer.go("cases")
    consumer.page.locator("tbody .badge.status-CLOSED").wait_for(timeout=WAIT)
    consumer.shoot("cases-consumer")
    seller.page.locator(".badge.status-CLOSED").wait_for(timeout=WAIT)
    seller.shoot("case-seller")
    assert "rateHandling" in seller.allowed()  # the seller may rate too, once

    # A seller of another shop sees none of it: not in the list, not by its address.
    other = Person(browser, console_server, "SELLER", "s-globex", "globex")
    other.go("cases")
    other.page.get_by_text("0 cases").wait_for(timeout=WAIT)
    other.go(case_hash)
    other.page.get_by_text("No such case, or it is not yours to see.").wait_for(timeout=WAIT)
    for person in (seller, consumer, other):
        person.close()


def test_the_console_speaks_chinese(browser: Any, console_server: Server) -> None:
    visitor = Person(browser, console_server, "CONSUMER", "u-bob")
    visitor.page.select_option("#language", "zh-CN")
    visitor.page.get_by_role("link", name="发起投诉").wait_for(timeout=WAIT)
    assert visitor.page.evaluate("document.documentElement.lang") == "zh-CN"
    visitor.go("file")
    visitor.page.get_by_role("button", name="提交投诉").wait_for(timeout=WAIT)
    visitor.shoot("file-zh")
    visitor.close()


#: For each of the console's Chinese languages: what the server says on a case page.
SAID = {
    "zh-CN": {
        "accepted": "已受理；双方现在可以进行协商。",
        "filed": "投诉 {reference} 已提交",
        "category": "商品损坏",
        "empty": "不能为空",
        "offered": "卖家提出了部分退款",
    },
    "zh-TW": {
        "accepted": "已受理；雙方現在可以進行協商。",
        "filed": "投訴 {reference} 已提交",
        "category": "商品損壞",
        "empty": "不能為空",
        "offered": "賣家提出了部分退款",
    },
}


@pytest.mark.parametrize("language", list(SAID))
def test_a_case_page_in_chinese_speaks_the_servers_sentences_in_chinese_too(
    browser: Any, console_server: Server, language: str
) -> None:
    """The console asks the API for the page's language (Accept-Language, and `locale` on its
    socket): the timeline's summaries and a refusal read in the page's script, like its labels."""
    said = SAID[language]
    shop = f"peony-{language.lower()}"
    consumer = Actor(Role.CONSUMER, f"u-mei-{language.lower()}")
    console_server.data(
        """mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "牡丹茶庄",
           deposit: {amount: "500.00", currency: "CNY"}}) { __typename } }""",
        {"shop": shop},
        actor=Actor(Role.SUPERVISOR, "sup-1"),
    )
    console_server.record_order("order-8801", shop=shop, consumer=consumer)
    filed = console_server.data(
        """mutation($shop: String!) { fileComplaint(input: {shopId: $shop,
           orderId: "order-8801", category: DAMAGED,
           description: "茶壶到货时壶嘴已经摔断，外箱也被压扁了。",
           requestedRemedy: {type: REFUND, amount: {amount: "268.00", currency: "CNY"}}}) {
           ... on Complaint { id reference } } }""",
        {"shop": shop},
        actor=consumer,
    )["fileComplaint"]
    console_server.data(
        "mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) { __typename } }",
        {"id": filed["id"]},
        actor=Actor(Role.AGENT, "agent-1"),
    )
    mei = Person(browser, console_server, "CONSUMER", consumer.id)
    mei.page.select_option("#language", language)
    mei.go(f"case/{filed['id']}")
    timeline = mei.page.locator(".timeline")
    timeline.locator('li[data-type="Accepted"]', has_text=said["accepted"]).wait_for(timeout=WAIT)
    filed_entry = timeline.locator('li[data-type="Filed"]').inner_text()
    assert said["filed"].format(reference=filed["reference"]) in filed_entry
    assert said["category"] in filed_entry
    mei.page.locator(".live[data-state=live]").wait_for(timeout=WAIT)
    # A refusal the server writes: a message of blanks is not a message.
    mei.page.locator('button[data-action="postMessage"]').click(timeout=WAIT)
    form = mei.page.locator('form[data-form="postMessage"]')
    form.locator('[name="text"]').fill("   ")
    form.locator("button[type=submit]").click()
    error = form.locator('[data-field="text"] .field-error')
    error.wait_for(timeout=WAIT)
    assert error.inner_text().strip() == said["empty"]
    form.locator('[name="text"]').fill("请尽快处理，谢谢。")
    form.locator("button[type=submit]").click()
    form.wait_for(state="detached", timeout=WAIT)
    # The seller's offer arrives over the page's socket, summarised in the page's script.
    console_server.data(
        """mutation($id: ID!) { makeOffer(input: {complaintId: $id, remedy: {type: PARTIAL_REFUND,
           amount: {amount: "120.00", currency: "CNY"}}}) { __typename } }""",
        {"id": filed["id"]},
        actor=Actor(Role.SELLER, f"s-{shop}", shop),
    )
    timeline.locator('li[data-type="OfferMade"]', has_text=said["offered"]).wait_for(timeout=WAIT)
    mei.shoot("case-zh" if language == "zh-CN" else "case-zh-tw")
    mei.close()


def test_a_refused_action_shows_its_error_beside_the_field(
    browser: Any, console_server: Server
) -> None:
    # The shop and the order exist (whichever test ran first), so that the description is what
    # is refused.
    registered(console_server, "acme")
    console_server.record_order("order-7002", shop="acme", consumer=Actor(Role.CONSUMER, "u-carol"))
    consumer = Person(browser, console_server, "CONSUMER", "u-carol")
    consumer.go("file")
    form = consumer.page.locator("form")
    form.locator('input[name="order"][value="acme/order-7002"]').check()
    form.locator('[name="category"]').select_option("DAMAGED")
    form.locator('[name="description"]').fill("x")  # too short to describe a problem
    form.locator('[name="remedy.type"]').select_option("REFUND")
    form.locator("button[type=submit]").click()
    error = form.locator('[data-field="description"] .field-error')
    error.wait_for(timeout=WAIT)
    assert error.inner_text().strip()
    assert form.locator('[name="description"]').get_attribute("aria-invalid") == "true"
    consumer.close()


def test_the_page_allows_no_inline_script(console_server: Server) -> None:
    response = httpx.get(f"{console_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text
    assert 'type="module" src="/console/app.js"' in response.text


def test_the_development_sign_in_exists_only_in_development(
    console_server: Server, tmp_path: Path
) -> None:
    minted = httpx.post(
        f"{console_server.url}/console/session",
        json={"role": "SELLER", "id": "s-1", "shopId": "acme"},
    )
    assert minted.status_code == 200
    assert minted.headers["cache-control"] == "no-store"
    refused = httpx.post(
        f"{console_server.url}/console/session", json={"role": "SELLER", "id": "s"}
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"][0]["field"] == "shopId"
    for bad in ({"role": "SYSTEM", "id": "x"}, {"role": "CONSUMER", "id": ""}, ["role"]):
        answer = httpx.post(f"{console_server.url}/console/session", json=bad)
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] in {"VALIDATION_FAILED", "BAD_REQUEST"}
    production = Server(
        f"sqlite:///{tmp_path / 'complaints.db'}",
        tmp_path,
        ENVIRONMENT="production",
        APQ_REGISTRATION="true",
    )
    try:
        answer = httpx.post(
            f"{production.url}/console/session", json={"role": "CONSUMER", "id": "u"}
        )
        assert answer.status_code in {404, 405}
        assert httpx.get(f"{production.url}/console/config").json() == {"developmentSignIn": False}
        assert httpx.get(f"{production.url}/").status_code == 200
    finally:
        production.stop()


def test_the_staff_path_from_intervention_to_the_appeal(
    browser: Any, console_server: Server
) -> None:
    case_id = negotiating_case(console_server)
    case = f"case/{case_id}"
    consumer = Person(browser, console_server, "CONSUMER", CONSUMER.id)
    consumer.go(case)
    consumer.act("requestIntervention")

    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    supervisor.go("supervision")
    supervisor.shoot("supervision")
    supervisor.go(case)
    supervisor.act("assignComplaint", {"arbiterId": "arb-1"})
    supervisor.act("postMessage", {"text": "Courier report requested.", "visibility": "STAFF"})

    arbiter = Person(browser, console_server, "ARBITER", "arb-1")
    arbiter.go("assignments")
    arbiter.page.locator("tbody a").first.wait_for(timeout=WAIT)
    arbiter.shoot("assignments")
    arbiter.go(case)
    arbiter.page.get_by_text("Courier report requested.").wait_for(timeout=WAIT)
    arbiter.act("requestEvidence", {"party": "CONSUMER", "kinds": "photo", "note": "The label."})

    # The consumer's open page shows the request as it is made, and the upload answers it; the
    # staff note is not theirs to see. (Evidence may be volunteered, so the upload is offered
    # before the request too: wait for the request itself, not for the button.)
    consumer.page.get_by_text("The label.", exact=True).wait_for(timeout=WAIT)
    consumer.act(
        "submitEvidence",
        {
            "kind": "photo",
            "description": "The label says waterproof.",
            "sha256": [photo("label.png", (60, 120, 220))],
        },
    )
    shows_image(consumer.page)
    assert consumer.page.get_by_text("Courier report requested.").count() == 0

    shows_image(arbiter.page)
    arbiter.act("recordFinding", {"finding": "The label claims waterproofing."})
    arbiter.act(
        "issueRuling",
        {
            "outcome": "CONSUMER_FAVOUR_FULL",
            "rationale": "The goods do not match their description.",
            "remedy.type": "REFUND",
            "remedy.amount": "80.00",
            "ruleCodes": ["R-3.2"],
        },
    )
    rule = arbiter.page.locator('.rule[data-rule="R-3.2"]')
    rule.wait_for(timeout=WAIT)
    assert len(rule.inner_text()) > 40  # the rule's text, not only its code
    arbiter.page.locator(".findings, #section-findings").first.wait_for(timeout=WAIT)
    arbiter.shoot("case-staff")

    seller = Person(browser, console_server, "SELLER", "s-initech", "initech")
    seller.go(case)
    seller.act("fileAppeal", {"grounds": "The label was a supplier's error."})
    seller.go("sanctions")
    assert shop_offers_what_the_api_allows(seller, SHOP_STAFF, "initech") == [
        "setAfterSalesPolicy",
        "topUpDeposit",
        "appealSanction",
        "registerWebhook",
    ]
    seller.page.locator('button:has-text("Appeal the sanction")').click(timeout=WAIT)
    seller.page.locator('.form-slot [name="grounds"]').fill("The listing was corrected at once.")
    seller.page.locator(".form-slot button[type=submit]").click()
    seller.page.get_by_text("waiting for a decision").wait_for(timeout=WAIT)
    assert "appealSanction" not in shop_offers_what_the_api_allows(seller, SHOP_STAFF, "initech")
    seller.shoot("sanctions")
    seller.go("webhooks")
    seller.shoot("webhooks")

    # The arbiter who ruled, signed in as a supervisor, is not offered the appeal's decision.
    same = Person(browser, console_server, "SUPERVISOR", "arb-1")
    same.go(case)
    same.page.locator(".case-header").wait_for(timeout=WAIT)
    assert "decideAppeal" not in same.allowed()
    assert "postMessage" in same.allowed()
    supervisor.page.locator('button[data-action="decideAppeal"]').wait_for(timeout=WAIT)
    supervisor.act("decideAppeal", {"rationale": "The description is the seller's to get right."})
    supervisor.page.get_by_text("refused").first.wait_for(timeout=WAIT)

    # A violation: the consumer reports it, the shop answers, a supervisor confirms it.
    consumer.go("violations")
    report = consumer.page.locator('form[data-form="reportViolation"]')
    report.locator('[name="shopId"]').fill("initech")
    report.locator('[name="violationKind"]').select_option("MISREPRESENTATION")
    report.locator('[name="description"]').fill("Every jacket in this shop claims waterproofing.")
    report.locator("button[type=submit]").click()
    consumer.page.get_by_text("The report was sent").wait_for(timeout=WAIT)
    seller.go("violations")
    assert violations_offer_what_the_api_allows(seller, SHOP_STAFF) == [["respondToViolation"]]
    seller.act("respondToViolation", {"response": "We are relabelling the range."})
    assert violations_offer_what_the_api_allows(seller, SHOP_STAFF) == [[]]
    supervisor.go("violations")
    supervisor.page.get_by_text("We are relabelling the range.").wait_for(timeout=WAIT)
    assert violations_offer_what_the_api_allows(supervisor, SUPERVISOR) == [
        ["confirmViolation", "dismissViolation"]
    ]
    supervisor.act(
        "confirmViolation",
        {"rationale": "No test backs the waterproofing claim.", "ruleCodes": "R-3.1"},
    )
    supervisor.page.locator(".badge", has_text="confirmed").wait_for(timeout=WAIT)
    supervisor.page.get_by_text("No test backs the waterproofing claim.").wait_for(timeout=WAIT)
    supervisor.page.get_by_text("R-3.1 Goods as described").wait_for(timeout=WAIT)
    supervisor.shoot("violations")

    # The shop's sanction appeal, decided by a supervisor who did not impose it.
    same.go("shops")
    lookup = same.page.locator("form").first
    lookup.locator('[name="shopId"]').fill("initech")
    lookup.locator("button[type=submit]").click()
    same.page.locator('[data-shop="initech"]').wait_for(timeout=WAIT)
    assert "decideSanctionAppeal" in shop_offers_what_the_api_allows(
        same, OTHER_SUPERVISOR, "initech"
    )
    same.act("decideSanctionAppeal", {"rationale": "Corrected within the day."})
    same.page.locator('button[data-action="liftSanction"]').first.wait_for(timeout=WAIT)
    assert shop_offers_what_the_api_allows(same, OTHER_SUPERVISOR, "initech") == [
        "topUpDeposit",
        "recordSpotCheck",
        "sanctionSeller",
        "liftSanction",
        "registerWebhook",
    ]
    same.shoot("shop")

    auditor = Person(browser, console_server, "AUDITOR", "aud-1")
    auditor.go(f"audit/{case_id}")
    auditor.page.locator('[data-verified="true"]').wait_for(timeout=WAIT)
    auditor.page.locator("#as-of").fill("1")
    auditor.page.locator(".view .card h2", has_text="v1").wait_for(timeout=WAIT)
    auditor.page.get_by_text("Submitted").first.wait_for(timeout=WAIT)
    auditor.shoot("audit")
    for person in (consumer, supervisor, arbiter, seller, same, auditor):
        person.close()


def test_the_public_pages(browser: Any, console_server: Server) -> None:
    negotiating_case(console_server, "hooli", "order-9003")  # a sanctioned shop, and a figure
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{console_server.url}/")
    page.wait_for_selector('main[data-shown="#/signin"]', timeout=WAIT)
    page.get_by_role("link", name="Continue without signing in").click()
    page.wait_for_selector('main[data-shown="#/sanctioned"]', timeout=WAIT)
    visitor = Person.__new__(Person)
    visitor.page, visitor.context, visitor.problems, visitor.server = (
        page,
        context,
        problems,
        console_server,
    )
    visitor.shoot("sanctioned")
    visitor.go("statistics")
    page.locator(".chart svg rect").first.wait_for(timeout=WAIT)
    visitor.shoot("statistics")
    visitor.go("signin")
    visitor.shoot("signin")

    # Queries go as automatic persisted queries: once the server knows a hash, the hash alone.
    answered_by_hash: list[Any] = []

    def by_hash(response: Any) -> None:
        body = json.loads(response.request.post_data or "{}")
        if "persistedQuery" in body.get("extensions", {}) and "query" not in body:
            answered_by_hash.append(response.json())

    page.on("response", lambda r: by_hash(r) if r.url.endswith("/graphql") else None)
    page.reload()
    visitor.go("sanctioned")
    assert any("data" in answer and "errors" not in answer for answer in answered_by_hash)
    visitor.close()


def test_the_case_page_resumes_after_a_dropped_connection(
    browser: Any, console_server: Server
) -> None:
    """The socket drops; while it is down the seller writes; the page reconnects with `after` set
    to the last position it showed, and the message arrives with nothing lost or doubled."""
    case_id = negotiating_case(console_server, "umbrella", "order-9002")
    consumer = Person(browser, console_server, "CONSUMER", CONSUMER.id)
    sockets: list[Any] = []
    subscribed: list[dict[str, Any]] = []
    up = {"allowed": True}

    def proxy(ws: Any) -> None:
        if not up["allowed"]:
            ws.close()
            return
        server = ws.connect_to_server()

        def to_server(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("type") == "subscribe":
                subscribed.append(frame["payload"]["variables"])
            server.send(message)

        ws.on_message(to_server)
        sockets.append(ws)

    consumer.page.route_web_socket(re.compile(r"/graphql$"), proxy)
    consumer.go(f"case/{case_id}")
    consumer.page.locator(".live[data-state=live]").wait_for(timeout=WAIT)
    shown = [
        int(p)
        for p in consumer.page.locator(".timeline li").evaluate_all(
            "items => items.map(i => i.dataset.position)"
        )
    ]
    up["allowed"] = False
    sockets[-1].close()
    consumer.page.locator(".live[data-state=reconnecting]").wait_for(timeout=WAIT)
    console_server.data(
        """mutation($id: ID!) { postMessage(input: {complaintId: $id,
           text: "We can send a replacement."}) { __typename } }""",
        {"id": case_id},
        actor=Actor(Role.SELLER, "s-umbrella", "umbrella"),
    )
    up["allowed"] = True
    consumer.page.get_by_text("We can send a replacement.").wait_for(timeout=WAIT)
    assert subscribed[-1]["after"] == max(shown)
    positions = consumer.page.locator(".timeline li").evaluate_all(
        "items => items.map(i => Number(i.dataset.position))"
    )
    assert positions == sorted(set(positions)), "nothing doubled, in order"
    consumer.close()


def test_from_nothing_to_a_filed_complaint_through_the_marketplace_page(
    browser: Any, console_server: Server
) -> None:
    """A supervisor registers the shop; the marketplace records the order and its delivery on
    its page; the consumer picks the order from their list and files; the case page shows the
    order and what intake decided, and takes the files the agent said were missing."""
    register_shops(browser, console_server, "wonka")

    market = Person(browser, console_server, "MARKETPLACE", "market-1")
    market.page.wait_for_selector('main[data-shown="#/marketplace"]', timeout=WAIT)
    record = market.page.locator('form[data-form="recordOrder"]')
    record.locator('[name="shopId"]').fill("wonka")
    record.locator('[name="orderId"]').fill("order-8001")
    record.locator('[name="consumerId"]').fill("u-erin")
    record.locator('[name="amount"]').fill("88.00")
    record.locator("button[type=submit]").click()
    market.page.get_by_text("Order order-8001 at wonka is recorded").wait_for(timeout=WAIT)
    item = market.page.locator('[data-order="order-8001"]')
    item.get_by_text("not delivered yet").wait_for(timeout=WAIT)
    # The same order again with other facts is refused, and changes nothing.
    record.locator('[name="amount"]').fill("99.00")
    record.locator("button[type=submit]").click()
    record.locator(".error", has_text="Recorded otherwise").wait_for(timeout=WAIT)
    # The delivery, through the action the order allows.
    offered = console_server.data(
        '{ order(shopId: "wonka", orderId: "order-8001") { allowedActions } }', actor=MARKETPLACE
    )["order"]["allowedActions"]
    on_order = [b.get_attribute("data-action") for b in item.locator("button[data-action]").all()]
    assert on_order == offered == ["recordDelivery"]
    market.act("recordDelivery", {"carrier": "SF Express", "trackingNumber": "SF1234567890"})
    item.get_by_text("SF Express SF1234567890").wait_for(timeout=WAIT)
    # What the marketplace must do for the shop now.
    standing = market.page.locator('form[data-form="sellerStanding"]')
    standing.locator('[name="shopId"]').fill("wonka")
    standing.locator("button[type=submit]").click()
    market.page.locator('[data-standing="wonka"] [data-can="takeOrders"]', has_text="yes").wait_for(
        timeout=WAIT
    )
    market.page.locator('button[data-action="registerMarketplaceWebhook"]').wait_for(timeout=WAIT)
    market.shoot("marketplace")
    market.close()

    consumer = Person(browser, console_server, "CONSUMER", "u-erin")
    consumer.go("file")
    form = consumer.page.locator("form")
    choice = form.locator('[data-order="order-8001"]')
    choice.wait_for(timeout=WAIT)
    assert "wonka" in choice.inner_text()
    assert "88.00" in choice.inner_text()
    assert form.locator("details.unlisted").get_attribute("open") is None
    choice.locator("input[type=radio]").check()
    assert form.locator('[name="shopId"]').input_value() == "wonka"
    assert form.locator('[name="orderId"]').input_value() == "order-8001"
    assert form.locator('[name="remedy.amount"]').input_value() == "88.00"
    form.locator('[data-hint="amount"]', has_text="88.00").wait_for(timeout=WAIT)
    form.locator('[name="category"]').select_option("NOT_AS_DESCRIBED")
    form.locator('[name="description"]').fill("The chocolate is not the one in the photos.")
    form.locator('[name="remedy.type"]').select_option("REFUND")
    consumer.shoot("file-orders")
    # More than the order cost is refused beside the amount; the order's amount is accepted.
    form.locator('[name="remedy.amount"]').fill("100.00")
    form.locator("button[type=submit]").click()
    form.locator('[data-field="requestedRemedy"] .field-error').wait_for(timeout=WAIT)
    form.locator('[name="remedy.amount"]').fill("88.00")
    form.locator("button[type=submit]").click()
    consumer.page.wait_for_url(re.compile(r"#/case/"), timeout=WAIT)
    case_hash = consumer.page.url.split("#/", 1)[1]
    order = consumer.page.locator('[data-section="orderDetails"]')
    order.get_by_text("SF1234567890").wait_for(timeout=WAIT)
    assert "SF Express" in order.inner_text()

    # The agent asks for more; the consumer's open page shows what intake decided.
    agent = Person(browser, console_server, "AGENT", "agent-3")
    agent.go(case_hash)
    agent.act(
        "returnComplaintForInfo",
        {"reason": "Show the wrapper beside the listing.", "missing": "photo of the wrapper"},
    )
    intake = consumer.page.locator('[data-section="intake"]')
    intake.get_by_text("photo of the wrapper").wait_for(timeout=WAIT)
    assert "Show the wrapper beside the listing." in intake.inner_text()
    consumer.act(
        "resubmitComplaint",
        {
            "description": "The wrapper says dark chocolate; the listing said milk chocolate.",
            "evidence": [photo("wrapper.png", (120, 70, 40))],
        },
    )
    intake.get_by_text("1 time(s)").wait_for(timeout=WAIT)
    shows_image(consumer.page)
    consumer.shoot("case-order")

    # Accepted; the consumer volunteers evidence that no request asked for.
    agent.page.locator('button[data-action="acceptComplaint"]').wait_for(timeout=WAIT)
    agent.act("acceptComplaint")
    agent.close()
    consumer.page.locator('button[data-action="submitEvidence"]').wait_for(timeout=WAIT)
    consumer.act(
        "submitEvidence",
        {
            "kind": "receipt",
            "description": "The shop's receipt names milk chocolate.",
            "sha256": [photo("receipt.png", (240, 240, 200))],
        },
    )
    volunteered = consumer.page.locator(
        ".evidence li", has_text="The shop's receipt names milk chocolate."
    )
    volunteered.wait_for(timeout=WAIT)
    assert volunteered.get_attribute("data-request") is None
    (complaint,) = [
        e["node"]
        for e in console_server.data(
            "{ complaints { edges { node { evidence { kind requestId } } } } }",
            actor=Actor(Role.CONSUMER, "u-erin"),
        )["complaints"]["edges"]
    ]
    assert {"kind": "receipt", "requestId": None} in complaint["evidence"]
    consumer.close()


def test_a_consumer_with_no_order_in_its_window_is_told_why(
    browser: Any, console_server: Server
) -> None:
    """An order paid long ago, never delivered, is past its window: it is not listed, the page
    says why, and naming it by hand is refused citing R-1.2."""
    long_ago = (datetime.now(UTC) - timedelta(days=40)).isoformat()
    recorded = console_server.data(
        RECORD_ORDER,
        {
            "input": {
                "orderId": "order-old",
                "shopId": registered(console_server, "stark"),
                "consumerId": "u-gus",
                "amount": {"amount": "50.00", "currency": "CNY"},
                "paidAt": long_ago,
            }
        },
        MARKETPLACE,
    )["recordOrder"]
    assert recorded["__typename"] == "Order", recorded
    consumer = Person(browser, console_server, "CONSUMER", "u-gus")
    consumer.go("file")
    empty = consumer.page.locator('[data-empty="orders"]')
    empty.wait_for(timeout=WAIT)
    assert "No order of yours is inside its filing window." in empty.inner_text()
    assert "R-1.2" in empty.inner_text()
    consumer.shoot("file-no-orders")
    form = consumer.page.locator("form")
    assert form.locator("details.unlisted").get_attribute("open") is not None
    form.locator('[name="shopId"]').fill("stark")
    form.locator('[name="orderId"]').fill("order-old")
    form.locator('[name="category"]').select_option("NOT_RECEIVED")
    form.locator('[name="description"]').fill("The parcel never arrived at all.")
    form.locator('[name="remedy.type"]').select_option("REFUND")
    form.locator('[name="remedy.amount"]').fill("50.00")
    form.locator("button[type=submit]").click()
    refused = form.locator(".error[role=alert]")
    refused.wait_for(timeout=WAIT)
    assert "Too late to complain" in refused.inner_text()
    assert "R-1.2" in refused.inner_text()
    consumer.close()


def test_the_consumer_s_orders_come_a_page_at_a_time(browser: Any, console_server: Server) -> None:
    shop = registered(console_server, "tyrell")
    for n in range(12):
        console_server.record_order(
            f"order-5{n:03}", shop=shop, consumer=Actor(Role.CONSUMER, "u-hana")
        )
    consumer = Person(browser, console_server, "CONSUMER", "u-hana")
    consumer.go("file")
    listed = consumer.page.locator(".orders li")
    listed.first.wait_for(timeout=WAIT)
    assert listed.count() == 10
    consumer.page.locator('button[data-more="orders"]').click()
    consumer.page.locator('.orders li[data-order="order-5000"]').wait_for(timeout=WAIT)
    assert listed.count() == 12
    assert consumer.page.locator('button[data-more="orders"]').is_hidden()
    consumer.close()


def test_the_marketplace_page_exists_in_development_only(browser: Any, tmp_path: Path) -> None:
    """Outside development the console offers no page that records orders (the marketplace's
    own systems record them through the API): not in the marketplace's menu, not by address."""
    production = Server(
        f"sqlite:///{tmp_path / 'complaints.db'}",
        tmp_path,
        ENVIRONMENT="production",
        APQ_REGISTRATION="true",
    )
    try:
        context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        page = context.new_page()
        page.goto(f"{production.url}/#/signin")
        page.wait_for_selector('main[data-shown="#/signin"]', timeout=WAIT)
        assert page.locator("#dev-title").count() == 0
        page.locator("textarea[name=token]").fill(token(MARKETPLACE))
        page.locator("button[type=submit]").click()
        page.wait_for_selector('.who[data-role="MARKETPLACE"]', timeout=WAIT)
        page.goto(f"{production.url}/#/marketplace")
        page.wait_for_selector('main[data-shown="#/sanctioned"]', timeout=WAIT)
        assert page.locator('nav a[href="#/marketplace"]').count() == 0
        context.close()
    finally:
        production.stop()


def test_without_order_checks_the_consumer_names_the_order(browser: Any, tmp_path: Path) -> None:
    """A server with ORDER_CHECK=off records no orders: the filing page lists none, keeps the
    shop and order fields open, and the complaint is filed about the order named there."""
    unchecked = Server(
        f"sqlite:///{tmp_path / 'complaints.db'}",
        tmp_path,
        ENVIRONMENT="development",
        ORDER_CHECK="off",
    )
    try:
        registered(unchecked, "initech")
        consumer = Person(browser, unchecked, "CONSUMER", "u-ivy")
        consumer.go("file")
        consumer.page.locator('[data-empty="orders"]').wait_for(timeout=WAIT)
        form = consumer.page.locator("form")
        form.locator('[name="shopId"]').fill("initech")
        form.locator('[name="orderId"]').fill("order-claimed")
        form.locator('[name="category"]').select_option("WRONG_ITEM")
        form.locator('[name="description"]').fill("A stapler came instead of the printer.")
        form.locator('[name="remedy.type"]').select_option("EXCHANGE")
        form.locator("button[type=submit]").click()
        consumer.page.wait_for_url(re.compile(r"#/case/"), timeout=WAIT)
        consumer.page.locator(".case-header", has_text="order-claimed").wait_for(timeout=WAIT)
        assert consumer.page.locator('[data-section="orderDetails"]').count() == 0
        consumer.close()
    finally:
        unchecked.stop()


def test_the_auditor_sees_the_case_proven_in_the_log_and_checked_in_the_browser(
    browser: Any, tmp_path: Path
) -> None:
    """The auditor's page fetches every event's inclusion proof against the latest signed
    checkpoint and verifies it with Web Crypto (SHA-256, and Ed25519 where the browser has it);
    a checkpoint that does not match what the page computes is marked unverified."""
    server = Server(
        f"sqlite:///{tmp_path / 'complaints.db'}",
        tmp_path,
        ENVIRONMENT="development",
        LOG_CHECKPOINT_EVERY="0.2",
    )
    try:
        case_id = negotiating_case(server, "umbrella", "order-9301")
        events = len(
            server.data(
                "query($id: ID!) { auditTrail(complaintId: $id) { events { version } } }",
                {"id": case_id},
                actor=Actor(Role.AUDITOR, "aud-1"),
            )["auditTrail"]["events"]
        )

        def proven() -> bool:
            proof = server.post(
                """query($id: ID!, $v: Int!) { inclusionProof(complaintId: $id, version: $v)
                   { leafIndex } }""",
                {"id": case_id, "v": events},
                Actor(Role.AUDITOR, "aud-1"),
            ).json()
            return bool(proof.get("data", {}).get("inclusionProof"))

        until(proven, "the whole case in a signed checkpoint")
        auditor = Person(browser, server, "AUDITOR", "aud-1")
        auditor.go(f"audit/{case_id}")
        verdict = auditor.page.locator("[data-log-verified]")
        verdict.wait_for(timeout=WAIT)
        assert verdict.get_attribute("data-log-verified") == "true", verdict.inner_text()
        assert "verified in this browser" in verdict.inner_text()
        has_ed25519 = auditor.page.evaluate(
            """() => crypto.subtle.importKey("raw", new Uint8Array(32), {name: "Ed25519"},
                 false, ["verify"]).then(() => true, () => false)"""
        )
        signature = auditor.page.locator("[data-signature]")
        assert signature.get_attribute("data-signature") == (
            "true" if has_ed25519 else "unsupported"
        )
        assert (
            auditor.page.locator("#log-proof pre.note")
            .inner_text()
            .startswith("complaints.localhost/log\n")
        )
        auditor.shoot("audit-log")

        # A checkpoint whose root is not the tree's: the page's own check fails.
        def forged(route: Any) -> None:
            response = route.fetch()
            body = response.json()
            checkpoint = (body.get("data") or {}).get("logCheckpoint")
            if checkpoint:
                lines = checkpoint["note"].split("\n")
                lines[2] = "A" * 43 + "="
                checkpoint["note"] = "\n".join(lines)
            route.fulfill(response=response, json=body)

        auditor.page.route("**/graphql", forged)
        auditor.page.reload()
        verdict = auditor.page.locator("[data-log-verified]")
        verdict.wait_for(timeout=WAIT)
        assert verdict.get_attribute("data-log-verified") == "false"
        auditor.close()
    finally:
        server.stop()

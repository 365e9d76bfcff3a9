"""The console's pages for what no page showed before, in Chromium, in English and in Chinese: a
webhook endpoint's deliveries, a shop's history and standing, a violation report's page, the
auditor's check that the log only grows, a supervisor's erasure of a data subject, and the guides
on the filing page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.browser import (
    SUPERVISOR,
    WAIT,
    Person,
    negotiating_case,
    registered,
)
from tests.e2e.conftest import Server, free_port, until

AUDITOR = Actor(Role.AUDITOR, "aud-1")


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The console's development server, which may send webhooks to loopback (where nothing
    listens here, so that deliveries fail and are retried) and signs a checkpoint every second."""
    workdir = tmp_path_factory.mktemp("pages")
    running = Server(
        f"sqlite:///{workdir / 'complaints.db'}",
        workdir,
        ENVIRONMENT="development",
        WEBHOOK_ALLOW_PRIVATE="true",
        WEBHOOK_RETRY_BASE="1s",
        LOG_CHECKPOINT_EVERY="1",
    )
    yield running
    running.stop()


def chinese(person: Person, language: str = "zh-CN") -> None:
    person.page.select_option("#language", language)
    person.page.wait_for_selector(f'html[lang="{language}"]', state="attached", timeout=WAIT)


# ------------------------------------------------------------------------------- webhooks
DELIVERIES = """query($id: ID!) { webhookDeliveries(endpointId: $id, first: 50) {
  edges { node { id status attempts } } } }"""


def failing_endpoint(server: Server, shop: str, staff: Actor) -> str:
    """An endpoint on a loopback port where nothing listens, and six decisions sent to it
    (sanctions imposed and lifted: a shop's endpoint is sent its case entries and the
    decisions about it)."""
    url = f"http://127.0.0.1:{free_port()}/hook"
    created = server.data(
        """mutation($shop: String!, $url: String!) { registerWebhook(input: {shopId: $shop,
           url: $url}) { ... on WebhookEndpointCreated { endpoint { id } } } }""",
        {"shop": shop, "url": url},
        actor=staff,
    )["registerWebhook"]["endpoint"]["id"]
    for round in range(3):
        server.data(
            """mutation($shop: String!, $reason: String!) { sanctionSeller(input: {shopId: $shop,
               kind: WARNING, reason: $reason}) { __typename } }""",
            {"shop": shop, "reason": f"Late shipping, round {round + 1}."},
            actor=SUPERVISOR,
        )
        server.data(
            """mutation($shop: String!) { liftSanction(input: {shopId: $shop, kind: WARNING,
               reason: "Shipping is on time again."}) { __typename } }""",
            {"shop": shop},
            actor=SUPERVISOR,
        )

    def tried() -> bool:
        edges = server.data(DELIVERIES, {"id": created}, actor=staff)["webhookDeliveries"]["edges"]
        # Sent in order: the oldest is retried, the others wait behind it.
        return len(edges) >= 6 and edges[-1]["node"]["attempts"] >= 1

    until(tried, "a delivery tried")
    return str(created)


def test_a_seller_sees_each_endpoint_s_deliveries_and_may_redeliver(
    browser: Any, console_server: Server
) -> None:
    shop = registered(console_server, "hooks-shop")
    staff = Actor(Role.SELLER, "s-hooks", shop)
    endpoint = failing_endpoint(console_server, shop, staff)
    seller = Person(browser, console_server, "SELLER", staff.id, shop)
    seller.go("webhooks")
    page = seller.page
    deliveries = page.locator(f'[data-deliveries="{endpoint}"]')
    items = deliveries.locator("li[data-delivery]")
    items.first.wait_for(timeout=WAIT)
    assert items.count() == 5, "a page of five"
    assert items.first.get_attribute("data-status") == "PENDING", "waiting behind the oldest"
    assert "seller.SanctionLifted" in items.first.inner_text()
    deliveries.locator('button[data-more="deliveries"]').click()
    items.nth(5).wait_for(timeout=WAIT)
    oldest = items.last
    assert oldest.get_attribute("data-status") in {"RETRYING", "FAILED"}
    said = oldest.inner_text()
    assert "seller.SanctionImposed" in said, said
    assert "Connection refused" in said, said
    assert "last tried" in said
    seller.shoot("webhook-deliveries")
    assert "redeliverWebhooks" in seller.allowed()
    seller.act("redeliverWebhooks", {"after": 0})
    page.locator(f'[data-deliveries="{endpoint}"] li[data-delivery]').first.wait_for(timeout=WAIT)

    chinese(seller)
    seller.go("webhooks")
    page.get_by_role("heading", name="最近的投递").wait_for(timeout=WAIT)
    assert "尝试" in page.locator(f'[data-deliveries="{endpoint}"] li').first.inner_text()
    seller.shoot("webhook-deliveries-zh")
    seller.close()


# ----------------------------------------------------------------------------------- shops
def test_the_shop_page_shows_its_history_standing_and_sanction_windows(
    browser: Any, console_server: Server
) -> None:
    shop = "history-shop"
    negotiating_case(console_server, shop=shop, order="order-history-1")
    staff = Actor(Role.SELLER, "s-history", shop)
    console_server.data(
        """mutation($shop: String!) { sanctionSeller(input: {shopId: $shop,
           kind: TRADING_RESTRICTED, reason: "Fake reviews."}) { __typename } }""",
        {"shop": shop},
        actor=SUPERVISOR,
    )
    console_server.data(
        """mutation($shop: String!) { appealSanction(input: {shopId: $shop, sanctionId: "s2",
           grounds: "The reviews are genuine."}) { __typename } }""",
        {"shop": shop},
        actor=staff,
    )
    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    supervisor.go("shops")
    page = supervisor.page
    page.locator('input[name="shopId"]').first.fill(shop)
    page.locator("form button[type=submit]").first.click()
    history = page.locator('[data-history="shop"]')
    history.wait_for(timeout=WAIT)
    assert history.locator('[data-verified="true"]').count() == 1
    rows = history.locator("tbody tr")
    types = [rows.nth(i).get_attribute("data-event") for i in range(rows.count())]
    assert types[:4] == ["Registered", "SanctionImposed", "SanctionImposed", "SanctionAppealed"]
    text = history.inner_text()
    assert "Sanction imposed" in text
    assert "Trading restricted (s2) · until" in text, "the sanction's window, in the history"
    assert "The reviews are genuine." in text
    card = page.locator(f'[data-shop="{shop}"]')
    assert card.locator('[data-standing="restricted"]').count() == 1
    assert "Lists products: no" in card.inner_text()
    restricted = card.locator('[data-sanction="s2"]').inner_text()
    assert "until" in restricted, "the sanction's window"
    assert "due" in restricted.lower(), "the appeal's deadline"
    supervisor.shoot("shop-history")

    chinese(supervisor)
    supervisor.go("shops")
    page.locator('input[name="shopId"]').first.fill(shop)
    page.locator("form button[type=submit]").first.click()
    page.get_by_role("heading", name="店铺历史").wait_for(timeout=WAIT)
    assert "实施处罚" in page.locator('[data-history="shop"]').inner_text()
    supervisor.shoot("shop-history-zh")
    supervisor.close()

    # The shop's own staff see its standing, not the history (staff and auditors read that).
    seller = Person(browser, console_server, "SELLER", staff.id, shop)
    seller.go("sanctions")
    seller.page.locator(f'[data-shop="{shop}"] [data-standing]').wait_for(timeout=WAIT)
    assert seller.page.locator("[data-history]").count() == 0
    seller.close()

    # An auditor finds the shops page in the menu, and reads the history without any action.
    auditor = Person(browser, console_server, "AUDITOR", AUDITOR.id)
    auditor.page.get_by_role("link", name="Shops").click()
    auditor.page.locator('input[name="shopId"]').first.fill(shop)
    auditor.page.locator("form button[type=submit]").first.click()
    auditor.page.locator('[data-history="shop"]').wait_for(timeout=WAIT)
    assert auditor.allowed() == []
    auditor.close()


# ------------------------------------------------------------------------------ violations
def test_a_violation_report_has_a_page_with_its_history(
    browser: Any, console_server: Server
) -> None:
    shop = registered(console_server, "violation-shop")
    reported = console_server.data(
        """mutation($shop: String!) { reportViolation(input: {shopId: $shop, kind: COUNTERFEIT,
           description: "The handbag's logo is printed crooked."}) {
           __typename ... on Violation { id } ... on Error { message } } }""",
        {"shop": shop},
        actor=Actor(Role.CONSUMER, "u-violet"),
    )["reportViolation"]
    assert reported["__typename"] == "Violation", reported
    violation = reported["id"]
    console_server.data(
        """mutation($id: ID!) { respondToViolation(input: {violationId: $id,
           response: "Our handbags are genuine."}) { __typename } }""",
        {"id": violation},
        actor=Actor(Role.SELLER, "s-violet", shop),
    )
    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    supervisor.go("violations")
    page = supervisor.page
    page.locator(f'[data-violation="{violation}"] a[href^="#/violation/"]').click()
    page.wait_for_selector('main[data-shown^="#/violation/"]', timeout=WAIT)
    history = page.locator('[data-history="violation"]')
    history.wait_for(timeout=WAIT)
    events = history.locator("tbody tr")
    assert [events.nth(i).get_attribute("data-event") for i in range(events.count())] == [
        "Reported",
        "Responded",
    ]
    assert "Our handbags are genuine." in history.inner_text()
    supervisor.shoot("violation-history")

    chinese(supervisor, "zh-TW")
    supervisor.page.reload()
    page.get_by_role("heading", name="檢舉歷史").wait_for(timeout=WAIT)
    assert "店鋪已答覆" in history.inner_text()
    supervisor.shoot("violation-history-zh")
    supervisor.close()

    # The shop's staff read the report on its page, not its history.
    seller = Person(browser, console_server, "SELLER", "s-violet", shop)
    seller.go(f"violation/{violation}")
    seller.page.locator(f'[data-violation="{violation}"]').wait_for(timeout=WAIT)
    assert seller.page.locator("[data-history]").count() == 0
    seller.close()


# -------------------------------------------------------------------------------- the log
def signed(server: Server) -> bool:
    """Whether the log has signed a checkpoint yet."""
    answer = httpx.post(f"{server.url}/graphql", json={"query": "{ logCheckpoint { treeSize } }"})
    return "errors" not in answer.json()


def latest_size(server: Server) -> int:
    return int(server.data("{ logCheckpoint { treeSize } }")["logCheckpoint"]["treeSize"])


def test_an_auditor_checks_that_the_log_extends_a_checkpoint_noted_earlier(
    browser: Any, console_server: Server
) -> None:
    registered(console_server, "log-shop")
    until(lambda: signed(console_server), "a signed checkpoint")
    auditor = Person(browser, console_server, "AUDITOR", AUDITOR.id)
    auditor.go("audit")
    page = auditor.page
    noted = int(page.locator("[data-checkpoint]").get_attribute("data-checkpoint") or 0)
    assert noted >= 1
    # The log grows; the page, visited again, offers the checkpoint it noted.
    for shop in ("log-shop-2", "log-shop-3"):
        registered(console_server, shop)
    until(lambda: latest_size(console_server) > noted, "a larger checkpoint")
    auditor.go("statistics")
    auditor.go("audit")
    form = page.locator('form[data-form="consistency"]')
    assert form.locator('[name="firstSize"]').input_value() == str(noted)
    form.locator("button[type=submit]").click()
    verdict = page.locator("[data-consistency]")
    verdict.wait_for(timeout=WAIT)
    assert verdict.get_attribute("data-consistency") == "true", verdict.inner_text()
    auditor.shoot("log-consistency")

    # A root that is not the tree's does not verify; one that is no hash is refused beside it.
    form.locator('[name="rootHash"]').fill("ab" * 32)
    form.locator("button[type=submit]").click()
    page.locator('[data-consistency="false"]').wait_for(timeout=WAIT)
    form.locator('[name="rootHash"]').fill("not a hash")
    form.locator("button[type=submit]").click()
    refusal = form.locator('[data-field="rootHash"] .field-error')
    refusal.get_by_text("64 hexadecimal digits").wait_for(timeout=WAIT)
    # A size past the latest checkpoint: the API's refusal, beside the size.
    form.locator('[name="rootHash"]').fill("ab" * 32)
    form.locator('[name="firstSize"]').fill("999999")
    form.locator("button[type=submit]").click()
    form.locator('[data-field="firstSize"] .field-error').get_by_text("must not exceed").wait_for(
        timeout=WAIT
    )

    chinese(auditor)
    auditor.go("audit")
    page.get_by_role("heading", name="日志是否只增不改").wait_for(timeout=WAIT)
    page.locator('form[data-form="consistency"] button[type=submit]').click()
    page.locator('[data-consistency="true"]').get_by_text("已在本浏览器中验证").wait_for(
        timeout=WAIT
    )
    auditor.shoot("log-consistency-zh")
    auditor.close()


# ---------------------------------------------------------------------------- personal data
def test_a_supervisor_erases_a_data_subject_after_confirming(
    browser: Any, console_server: Server
) -> None:
    negotiating_case(console_server, shop="erasure-shop", order="order-erasure-1")
    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    page = supervisor.page
    page.get_by_role("link", name="Personal data").click()
    page.wait_for_selector('main[data-shown="#/privacy"]', timeout=WAIT)
    form = page.locator('form[data-form="eraseSubject"]')
    # Nobody by that id: the API's refusal, and nothing erased.
    form.locator('[name="subjectId"]').fill("u-nobody")
    form.locator("button[type=submit]").click()
    page.locator('form[data-form="confirmErasure"] button[type=submit]').click()
    page.locator('form[data-form="confirmErasure"] [role="alert"]').get_by_text(
        "No personal data"
    ).wait_for(timeout=WAIT)
    page.locator('form[data-form="confirmErasure"]').get_by_role("button", name="Cancel").click()

    form.locator('[name="subjectId"]').fill("u-dan")
    form.locator("button[type=submit]").click()
    confirm = page.locator('form[data-form="confirmErasure"]')
    confirm.wait_for(timeout=WAIT)
    assert "cannot be undone" in page.locator(".form-slot").inner_text()
    supervisor.shoot("erase-confirm")
    confirm.locator("button[type=submit]").click()
    page.locator('[data-erased="u-dan"]').wait_for(timeout=WAIT)
    supervisor.shoot("erased")

    chinese(supervisor)
    supervisor.go("privacy")
    page.locator('form[data-form="eraseSubject"] [name="subjectId"]').fill("u-dan")
    page.locator('form[data-form="eraseSubject"] button[type=submit]').click()
    page.get_by_text("无法撤销").wait_for(timeout=WAIT)
    supervisor.shoot("erase-confirm-zh")
    supervisor.close()

    # An agent has no such page in the menu, and is not offered the form at its address.
    agent = Person(browser, console_server, "AGENT", "agent-9")
    assert agent.page.get_by_role("link", name="Personal data").count() == 0
    agent.go("privacy")
    assert agent.page.locator('form[data-form="eraseSubject"]').count() == 0
    agent.close()


# ------------------------------------------------------------------------------- filing
def test_the_filing_page_shows_the_guides_for_the_category(
    browser: Any, console_server: Server
) -> None:
    consumer = Person(browser, console_server, "CONSUMER", "u-guided")
    consumer.go("file")
    page = consumer.page
    guides = page.locator("aside[data-guides]")
    page.locator('aside[data-guides="NOT_RECEIVED"]').wait_for(timeout=WAIT)
    assert "tracking" in guides.inner_text()
    page.locator('select[name="category"]').select_option("DAMAGED")
    page.locator('aside[data-guides="DAMAGED"]').wait_for(timeout=WAIT)
    assert guides.locator(".guide").count() >= 1
    consumer.shoot("file-guides")

    chinese(consumer)
    consumer.go("file")
    page.get_by_role("heading", name="此类问题的建议").wait_for(timeout=WAIT)
    consumer.shoot("file-guides-zh")
    consumer.close()

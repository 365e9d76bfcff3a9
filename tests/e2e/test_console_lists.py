"""The console's lists in Chromium: each pages on with "more" (the API's keyset cursors), the
seller's and staff's lists keep their page in the route across a reload, with a link back to the
first page, and a mediator's menu opens their own queue."""

from __future__ import annotations

from typing import Any

from complaints.domain.values import Actor, Role
from tests.e2e.browser import (
    CONSUMER,
    SUPERVISOR,
    WAIT,
    Person,
    console_server,
    negotiating_case,
    registered,
)
from tests.e2e.conftest import MARKETPLACE, PAID_AT, Server, until

__all__ = ["console_server"]  # the module's server, shared by this file's tests

#: A page of every list (paging.js's PAGE_SIZE).
PAGE = 25

#: How many aliases a document may hold (complaints/graphql/shape.py's MAX_ALIASES).
ALIASES = 15


def batch(
    server: Server,
    actor: Actor,
    field: str,
    kind: str,
    inputs: list[dict[str, Any]],
    selection: str = "",
) -> list[dict[str, Any]]:
    """One mutation per input, up to 15 to a request (set up fast); their answers, each its
    __typename, an error's code and `selection`."""
    answers: list[dict[str, Any]] = []
    for start in range(0, len(inputs), ALIASES):
        chunk = inputs[start : start + ALIASES]
        params = ", ".join(f"$i{n}: {kind}!" for n in range(len(chunk)))
        fields = " ".join(
            f"m{n}: {field}(input: $i{n}) {{ __typename ... on Error {{ code }} {selection} }}"
            for n in range(len(chunk))
        )
        variables = {f"i{n}": value for n, value in enumerate(chunk)}
        data = server.data(f"mutation({params}) {{ {fields} }}", variables, actor)
        answers += [data[f"m{n}"] for n in range(len(chunk))]
    assert not [a for a in answers if "code" in a], answers
    return answers


def file_cases(server: Server, shop: str, n: int, first: int = 0) -> list[str]:
    """`n` complaints against the shop, filed over the API; their references."""
    orders = [f"order-{shop}-{i}" for i in range(first, first + n)]
    batch(
        server,
        MARKETPLACE,
        "recordOrder",
        "RecordOrderInput",
        [
            {
                "orderId": order,
                "shopId": shop,
                "consumerId": CONSUMER.id,
                "amount": {"amount": "100.00", "currency": "CNY"},
                "paidAt": PAID_AT,
            }
            for order in orders
        ],
    )
    filed = batch(
        server,
        CONSUMER,
        "fileComplaint",
        "FileComplaintInput",
        [
            {
                "shopId": shop,
                "orderId": order,
                "category": "NOT_RECEIVED",
                "description": "The parcel never came.",
                "requestedRemedy": {
                    "type": "REFUND",
                    "amount": {"amount": "20.00", "currency": "CNY"},
                },
            }
            for order in orders
        ],
        "... on Complaint { reference }",
    )
    return [f["reference"] for f in filed]


def queued(server: Server) -> set[str]:
    """The shops that something waits for in the supervision queue."""
    edges = server.data(
        "{ supervisionQueue(first: 100) { edges { node { shopId } } } }", actor=SUPERVISOR
    )["supervisionQueue"]["edges"]
    return {e["node"]["shopId"] for e in edges}


def pages_on(person: Person, route: str, items: str, name: str, total: int) -> None:
    """The list shows its first page; "more" appends the next, and is gone once the list is
    whole; a reload shows the page the route kept, and the first-page link returns to the
    start. (25 < total <= 50: two pages.)"""
    page = person.page
    person.go(route)
    listed = page.locator(items)
    more = page.locator(f'button[data-more="{name}"]')
    first = page.locator(f'a[data-first="{name}"]')
    listed.nth(PAGE - 1).wait_for(timeout=WAIT)
    assert listed.count() == PAGE
    assert first.is_hidden()
    assert "?after=" not in page.url
    more.click()
    listed.nth(total - 1).wait_for(timeout=WAIT)
    assert listed.count() == total
    assert more.is_hidden()
    assert f"#/{route}?after=" in page.url  # the cursor, and never the token
    assert "token" not in page.url
    page.reload()
    page.wait_for_selector(f'main[data-shown^="#/{route}?after="]', timeout=WAIT)
    assert listed.count() == total - PAGE
    assert first.is_visible()
    assert more.is_hidden()
    first.click()
    page.wait_for_selector(f'main[data-shown="#/{route}"]', timeout=WAIT)
    assert listed.count() == PAGE
    assert more.is_visible()
    assert first.is_hidden()


def test_the_seller_s_cases_page_on_and_keep_their_place(
    browser: Any, console_server: Server
) -> None:
    shop = registered(console_server, "lists-acme")
    references = file_cases(console_server, shop, PAGE + 5)
    seller = Person(browser, console_server, "SELLER", "s-lists-acme", shop)
    pages_on(seller, "cases", "tbody tr[data-reference]", "cases", PAGE + 5)
    page = seller.page
    assert page.get_by_text(f"{PAGE + 5} cases").is_visible()
    page.locator('button[data-more="cases"]').click()
    page.locator("tbody tr").nth(PAGE + 4).wait_for(timeout=WAIT)
    # The list is whole: the keyboard goes on from the first case the last page added.
    added = page.locator("tbody tr").nth(PAGE).get_attribute("data-reference")
    assert page.evaluate("document.activeElement.textContent") == added

    # Back on the second page; a new filing comes over the seller's socket: the live list starts
    # again from its first page, and the route says so.
    page.reload()
    page.wait_for_selector('main[data-shown^="#/cases?after="]', timeout=WAIT)
    assert page.locator("tbody tr").count() == 5
    seller.shoot("list-cases-second-page")
    (late,) = file_cases(console_server, shop, 1, first=PAGE + 5)
    page.get_by_text(f"{PAGE + 6} cases").wait_for(timeout=WAIT)
    page.locator("tbody tr").nth(PAGE - 1).wait_for(timeout=WAIT)
    assert page.locator("tbody tr").count() == PAGE
    assert page.locator('a[data-first="cases"]').is_hidden()
    assert page.url.endswith("#/cases")
    assert {late, *references} >= {
        r or ""
        for r in page.locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.reference)")
    }
    seller.close()


def test_staff_queues_and_the_public_list_page_on_in_chinese(
    browser: Any, console_server: Server
) -> None:
    """Supervision, violations and sanctioned sellers, the supervisor reading Chinese."""
    shops = [f"lists-shop-{n:02}" for n in range(PAGE + 3)]
    deposit = {"amount": "500.00", "currency": "CNY"}
    registering = [{"shopId": s, "name": "Shop", "deposit": deposit} for s in shops]
    batch(console_server, SUPERVISOR, "registerSeller", "RegisterSellerInput", registering)
    reason = "Listings overstate what the goods do."
    sanctions = [{"shopId": s, "kind": "WARNING", "reason": reason} for s in shops]
    batch(console_server, SUPERVISOR, "sanctionSeller", "SanctionSellerInput", sanctions)
    description = "The handbag's logo is printed crooked."
    reports = [{"shopId": s, "kind": "COUNTERFEIT", "description": description} for s in shops]
    batch(console_server, CONSUMER, "reportViolation", "ReportViolationInput", reports)
    count = "{ %s(first: 1) { totalCount } }"

    def total(field: str) -> int:
        found: int = console_server.data(count % field, actor=SUPERVISOR)[field]["totalCount"]
        return found

    # (The queue is a read model: each report waits in it once it is projected.)
    until(lambda: set(shops) <= queued(console_server), "the reports in the queue")
    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    page = supervisor.page
    page.select_option("#language", "zh-CN")
    page.get_by_role("link", name="违规").wait_for(timeout=WAIT)

    waiting = total("supervisionQueue")
    pages_on(supervisor, "supervision", "ul.items > li", "supervision", waiting)
    page.get_by_text(f"{waiting} 项待处理").wait_for(timeout=WAIT)
    page.get_by_role("button", name="显示更多").wait_for(timeout=WAIT)
    assert page.locator('a[data-first="supervision"]').text_content() == "第一页"
    supervisor.shoot("list-supervision-zh")

    reported = total("violations")
    pages_on(supervisor, "violations", "li[data-violation]", "violations", reported)
    page.get_by_text(f"{reported} 份举报").wait_for(timeout=WAIT)
    supervisor.shoot("list-violations-zh")

    sanctioned = total("sanctionedSellers")
    pages_on(supervisor, "sanctioned", "li[data-sanctioned]", "sanctioned", sanctioned)
    page.get_by_text(f"{sanctioned} 家店铺").wait_for(timeout=WAIT)
    supervisor.shoot("list-sanctioned-zh")
    supervisor.close()


def test_a_refused_cursor_in_the_route_is_said_and_the_list_starts_over(
    browser: Any, console_server: Server
) -> None:
    agent = Person(browser, console_server, "AGENT", "agent-lists")
    page = agent.page
    page.goto(f"{console_server.url}/#/intake?after=not-a-cursor")
    page.wait_for_selector('main[data-shown^="#/intake"]', timeout=WAIT)
    assert "is not a cursor from this list" in page.locator("main [role=alert]").inner_text()
    assert page.url.endswith("#/intake")
    assert page.locator('a[data-first="cases"]').is_hidden()
    agent.close()


def test_a_mediator_s_menu_opens_their_own_queue(browser: Any, console_server: Server) -> None:
    mine = negotiating_case(console_server, shop="lists-med-1", order="order-med-1")
    theirs = negotiating_case(console_server, shop="lists-med-2", order="order-med-2")
    mediator = Actor(Role.MEDIATOR, "med-lists")
    for case, who in ((mine, mediator.id), (theirs, "med-other")):
        console_server.data(
            "mutation($id: ID!) { requestIntervention(input: {complaintId: $id}) { __typename } }",
            {"id": case},
            CONSUMER,
        )
        assigned = console_server.data(
            """mutation($id: ID!, $who: String!) { assignMediator(input: {complaintId: $id,
               mediatorId: $who}) { __typename ... on Error { code message } } }""",
            {"id": case, "who": who},
            SUPERVISOR,
        )["assignMediator"]
        assert assigned == {"__typename": "Complaint"}, assigned
    queue = (
        '{ complaints(filter: {assignedMediatorId: "med-lists"}) { edges { node { reference } } } }'
    )
    (edge,) = until(
        lambda: console_server.data(queue, actor=mediator)["complaints"]["edges"],
        "the case in the mediator's queue",
    )
    reference = edge["node"]["reference"]
    # (Neither waits for a mediator in the supervision queue any more, once that is projected.)
    until(
        lambda: not {"lists-med-1", "lists-med-2"} & queued(console_server),
        "the assignments out of the supervision queue",
    )
    person = Person(browser, console_server, "MEDIATOR", mediator.id)
    page = person.page
    # Their home: the queue, first in their menu.
    page.wait_for_selector('main[data-shown="#/mediation"]', timeout=WAIT)
    assert page.locator("nav a").first.inner_text() == "My mediations"
    assert page.locator("nav a[aria-current=page]").inner_text() == "My mediations"
    page.locator(f'tr[data-reference="{reference}"]').wait_for(timeout=WAIT)
    assert page.locator("tbody tr").count() == 1
    assert page.get_by_role("heading", name="My mediations").is_visible()
    person.shoot("list-mediation")
    # In Traditional Chinese: the same queue under its own name.
    page.select_option("#language", "zh-TW")
    page.locator("nav a").first.filter(has_text="我的調解").wait_for(timeout=WAIT)
    page.get_by_role("heading", name="我的調解").wait_for(timeout=WAIT)
    page.locator(f'tr[data-reference="{reference}"]').wait_for(timeout=WAIT)
    assert page.locator("tbody tr").count() == 1
    person.shoot("list-mediation-zh-tw")
    person.close()

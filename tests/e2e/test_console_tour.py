"""The README's walk through the console ("A walk through the console"), followed step by step in
Chromium: each person in a browser context of their own, signed in through the development form,
opening the menu entries the walk names, filling the fields it names and pressing its buttons,
with a screenshot at each milestone (var/screenshots/tour-*). And the walk itself, read from the
README: every name it quotes in italics is one the English console shows (a value of en.json),
every route it quotes is one app.js routes, and every button, menu entry and field the browser
test uses is quoted there, so that the walk cannot drift from the console."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote

from complaints.domain.values import Actor, Role
from tests.e2e.browser import WAIT, Person, console_server, photo, shows_image
from tests.e2e.conftest import ROOT, Server

__all__ = ["console_server"]  # the module's server, for this file's test

TITLE = "### A walk through the console"
CONSOLE = ROOT / "complaints" / "web" / "console"
EN: dict[str, str] = json.loads((CONSOLE / "en.json").read_text())

ALICE = Actor(Role.CONSUMER, "u-alice")
SHOP = "acme"


# ------------------------------------------------------------------------- the walk, as written
def walk() -> str:
    """The README's walk: its subsection, up to the next heading."""
    readme = (ROOT / "README.md").read_text()
    assert TITLE in readme, f"the README has no {TITLE!r}"
    section = readme.split(TITLE, 1)[1]
    return re.split(r"\n#{2,3} ", section, maxsplit=1)[0]


def steps(text: str) -> list[tuple[int, str]]:
    """The numbered steps, each with its number and its text on one line."""
    found: list[tuple[int, str]] = []
    for line in text.splitlines():
        item = re.match(r"(\d+)\. (.*)", line)
        if item:
            found.append((int(item.group(1)), item.group(2)))
        elif found and line.startswith(" ") and line.strip():
            number, words = found[-1]
            found[-1] = (number, f"{words} {line.strip()}")
    return found


def routes(text: str) -> set[str]:
    """The hash routes the walk quotes (`#/file`, `#/case/<id>`, ...)."""
    return set(re.findall(r"`(#/[^`\s]*)`", text))


def quoted(text: str) -> set[str]:
    """What the walk names in italics (not bold, not inside code), its line breaks undone."""
    plain = re.sub(r"`[^`]*`", "", text)
    return {
        " ".join(name.split())
        for name in re.findall(r"(?<![\w*])\*(?![\s*])([^*]+?)(?<!\s)\*(?![\w*])", plain)
    }


def routed() -> set[str]:
    """The pages app.js's router shows: the cases of its `show()`."""
    app = (CONSOLE / "app.js").read_text()
    router = app.split("async function show(", 1)[1].split("\nasync function ", 1)[0]
    return set(re.findall(r'case "([\w-]+)":', router))


def test_the_walk_names_only_what_the_console_shows() -> None:
    text = walk()
    numbered = steps(text)
    assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1)), "numbered 1, 2, 3 ..."
    assert 15 <= len(numbered) <= 25, "a walk a new user can follow"
    names = quoted(text)
    assert len(names) > 50
    shown = set(EN.values())
    assert sorted(names - shown) == [], "quoted in the walk, but no label of the English console"
    pages = {route.removeprefix("#/").split("/")[0].split("?")[0] for route in routes(text)}
    assert {"signin", "file", "case", "violation"} <= pages
    assert sorted(pages - routed()) == [], "quoted in the walk, but no route of app.js"


# ----------------------------------------------------------------------- the walk, in a browser
#: The fields of the action forms this test fills, by the key of their label (a field's label
#: is `field.<its name>` unless its form names another).
LABELLED = {("sanctionSeller", "kind"): "field.sanctionKind"}


#: What the development sign-in's form shows, which step 1 names once for every sign-in.
SIGN_IN = ("signin.development", "field.role", "field.id", "app.signIn")


class Walk:
    """The walk in the browser: which step of the README's it is at, and the console's English
    labels it went by at each step (each must be quoted in that step)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.step = 0
        self.used: dict[int, set[str]] = {}
        self.routes: set[str] = set()

    def at(self, step: int) -> None:
        self.step = step

    def say(self, key: str, step: int | None = None) -> str:
        """The English label `key`, noted as one the walk must quote at this step."""
        self.used.setdefault(self.step if step is None else step, set()).add(EN[key])
        return EN[key]

    def shoot(self, person: Person, step: int, name: str) -> None:
        """The page at a milestone, named by the walk's step (tour-05-accepted-desktop.png)."""
        person.shoot(f"tour-{step:02}-{name}")

    def sign_in(self, browser: Any, role: str, user: str, shop: str | None = None) -> Person:
        for key in SIGN_IN:
            self.say(key, step=1)
        self.say(f"role.{role}")
        if shop:
            self.say("field.shopId")
        return Person(browser, self.server, role, user, shop)

    def menu(self, person: Person, page: str) -> None:
        """Open a menu entry, as a person clicks it."""
        nav = person.page.locator("#nav")
        nav.get_by_role("link", name=self.say(f"nav.{page}"), exact=True).click()
        person.page.wait_for_selector(f'main[data-shown="#/{page}"]', timeout=WAIT)
        self.routes.add(f"#/{page}")

    def lands_on(self, person: Person, page: str) -> None:
        """The page a person's sign-in opens: the first entry of their menu."""
        person.page.wait_for_selector(f'main[data-shown="#/{page}"]', timeout=WAIT)
        self.routes.add(f"#/{page}")
        first = person.page.locator("#nav a").first
        assert first.inner_text() == self.say(f"nav.{page}")

    def form_under(self, person: Person, key: str) -> Any:
        """The form under the page's heading `key` (the shops page has two)."""
        heading = person.page.locator("h2", has_text=self.say(key))
        return heading.locator("xpath=following-sibling::form[1]")

    def look_up(self, person: Person, shop: str) -> None:
        """Look a shop up on the Shops page: its card, with what the API allows on it."""
        lookup = self.form_under(person, "shops.lookUp")
        self.field(lookup, "field.shopId").fill(shop)
        lookup.get_by_role("button", name=self.say("shops.lookUp")).click()
        person.page.locator(f'[data-shop="{shop}"]').wait_for(timeout=WAIT)

    def field(self, form: Any, key: str) -> Any:
        """A form's control, found by the label the walk names (a required one's ends in *)."""
        name = self.say(key)
        return form.get_by_label(re.compile(rf"^{re.escape(name)}( \*)?$"))

    def press(self, person: Person, action: str, fill: dict[str, Any] | None = None) -> None:
        """An allowed action's button, its form filled by field and sent (Person.act)."""
        self.say(f"action.{action}")
        for name in fill or {}:
            self.say(LABELLED.get((action, name), f"field.{name.split('.')[0]}"))
        person.act(action, fill)

    def status(self, person: Person, status: str) -> None:
        """The case page's header says the case's status, as the walk names it."""
        badge = person.page.locator(".case-header .badge")
        badge.filter(has_text=self.say(f"status.{status}")).wait_for(timeout=WAIT)

    def listed(self, person: Person, item: Any) -> None:
        """`item` is on the person's list; read models follow the log, so the list is read
        again while it is not."""
        for _ in range(20):
            person.page.wait_for_selector("main[data-shown]", timeout=WAIT)  # drawn
            if item.count():
                return
            person.page.wait_for_timeout(500)
            person.page.reload()
        item.wait_for(timeout=WAIT)

    def open_case(self, person: Person, reference: str, within: Any = None) -> None:
        """Open a case from the list on the person's page (or `within` one of its items), by
        its reference."""
        place = person.page if within is None else within
        link = place.get_by_role("link", name=reference, exact=True)
        self.listed(person, link.first)
        link.first.click()
        person.page.wait_for_selector('main[data-shown^="#/case/"]', timeout=WAIT)
        self.routes.add("#/case/<id>")
        person.page.locator(".case-header").wait_for(timeout=WAIT)

    def supervision_item(self, person: Person, kind: str) -> Any:
        """The supervision queue's item of `kind` (its label, as the walk names it)."""
        return person.page.locator(".view li").filter(has_text=self.say(f"supervision.{kind}"))


def test_the_walk_from_sign_in_to_a_decided_sanction_appeal(
    browser: Any, console_server: Server
) -> None:
    w = Walk(console_server)

    # 1. A supervisor signs in.
    w.at(1)
    supervisor = w.sign_in(browser, "SUPERVISOR", "sup-1")
    w.lands_on(supervisor, "supervision")

    # 2. They register the shop.
    w.at(2)
    w.menu(supervisor, "shops")
    register = w.form_under(supervisor, "shops.register")
    w.field(register, "field.shopId").fill(SHOP)
    w.field(register, "field.name").fill("Acme Kettles")
    w.field(register, "field.deposit").fill("1000.00")
    register.get_by_role("button", name=w.say("shops.register")).click()
    supervisor.page.get_by_text(f"Acme Kettles ({SHOP}) is registered.").wait_for(timeout=WAIT)
    w.shoot(supervisor, 2, "shop-registered")

    # 3. The marketplace records the consumer's order.
    w.at(3)
    market = w.sign_in(browser, "MARKETPLACE", "market-1")
    w.lands_on(market, "marketplace")
    record = market.page.locator('form[data-form="recordOrder"]')
    market.page.get_by_role("heading", name=w.say("market.record")).wait_for(timeout=WAIT)
    w.field(record, "field.shopId").fill(SHOP)
    w.field(record, "field.orderId").fill("order-1")
    w.field(record, "field.consumerId").fill(ALICE.id)
    w.field(record, "field.amount").fill("199.00")
    assert w.field(record, "field.paidAt").input_value()  # now, filled in
    record.get_by_role("button", name=w.say("action.recordOrder")).click()
    market.page.get_by_text(f"Order order-1 at {SHOP} is recorded").wait_for(timeout=WAIT)
    w.shoot(market, 3, "order-recorded")
    market.close()

    # 4. The consumer files a complaint about it, with a photo.
    w.at(4)
    consumer = w.sign_in(browser, "CONSUMER", ALICE.id)
    w.menu(consumer, "file")
    form = consumer.page.locator("form")
    orders = form.get_by_role("group", name=w.say("file.pick"))
    orders.get_by_role("radio", name=re.compile(r"^order-1\b")).check()
    w.field(form, "field.category").select_option(label=w.say("category.DAMAGED"))
    w.field(form, "field.description").fill("The kettle arrived with its base cracked through.")
    w.field(form, "field.requestedRemedy").select_option(label=w.say("remedy.REFUND"))
    assert w.field(form, "field.amount").input_value() == "199.00"  # the order's amount
    w.field(form, "field.photos").set_input_files([photo("kettle.png")])
    form.get_by_role("button", name=w.say("action.fileComplaint")).click()
    consumer.page.wait_for_url(re.compile(r"#/case/"), timeout=WAIT)
    w.status(consumer, "SUBMITTED")
    consumer.page.get_by_role("heading", name=w.say("case.timeline")).wait_for(timeout=WAIT)
    shows_image(consumer.page)
    case_id = unquote(consumer.page.url.split("#/case/", 1)[1])
    reference = console_server.data(
        "query($id: ID!) { complaint(id: $id) { reference } }", {"id": case_id}, actor=ALICE
    )["complaint"]["reference"]
    w.shoot(consumer, 4, "complaint-filed")

    # 5. An agent accepts it from intake: the consumer's request is the first offer.
    w.at(5)
    agent = w.sign_in(browser, "AGENT", "agent-1")
    w.lands_on(agent, "intake")
    w.open_case(agent, reference)
    w.press(agent, "acceptComplaint")
    w.status(agent, "NEGOTIATING")
    offers = agent.page.locator('[data-section="offers"]')
    offers.get_by_role("heading", name=w.say("case.offers")).wait_for(timeout=WAIT)
    assert offers.locator("li").count() == 1
    assert EN["role.CONSUMER"] in offers.inner_text()
    w.shoot(agent, 5, "accepted")
    agent.close()

    # 6. The seller counter-offers.
    w.at(6)
    seller = w.sign_in(browser, "SELLER", "s-acme", SHOP)
    w.lands_on(seller, "cases")
    w.open_case(seller, reference)
    w.press(
        seller,
        "makeOffer",
        {
            "remedy.type": "PARTIAL_REFUND",
            "remedy.amount": "120.00",
            "message": "A crack like that is rare; we offer 120.",
        },
    )
    w.say("remedy.PARTIAL_REFUND")
    w.shoot(seller, 6, "counter-offer")

    # 7. The consumer, whose page shows the offer arrive, declines it and asks for help.
    w.at(7)
    consumer.page.locator("[data-offer]", has_text="120.00").wait_for(timeout=WAIT)
    w.press(consumer, "declineOffer", {"reason": "The kettle cannot be used at all."})
    w.press(consumer, "requestIntervention")
    w.status(consumer, "UNDER_REVIEW")
    w.shoot(consumer, 7, "intervention-requested")

    # 8. The supervisor finds it on the supervision queue and assigns an arbiter.
    w.at(8)
    w.menu(supervisor, "supervision")
    needed = w.supervision_item(supervisor, "mediator_needed")
    w.listed(supervisor, needed)
    w.shoot(supervisor, 8, "supervision")
    w.open_case(supervisor, reference, needed)
    w.press(supervisor, "assignComplaint", {"arbiterId": "arb-1"})
    supervisor.page.locator(".case-header", has_text="arb-1").wait_for(timeout=WAIT)

    # 9. The arbiter asks the consumer for a photo.
    w.at(9)
    arbiter = w.sign_in(browser, "ARBITER", "arb-1")
    w.lands_on(arbiter, "assignments")
    w.open_case(arbiter, reference)
    w.press(
        arbiter,
        "requestEvidence",
        {"party": "CONSUMER", "kinds": "photo", "note": "The cracked base, beside the box."},
    )

    # 10. The consumer's page shows the request; the photo answers it.
    w.at(10)
    evidence = consumer.page.locator('[data-section="evidence"]')
    evidence.get_by_text("The cracked base, beside the box.").wait_for(timeout=WAIT)
    assert evidence.get_by_role("heading", name=w.say("case.evidence")).is_visible()
    w.press(
        consumer,
        "submitEvidence",
        {
            "description": "The base, cracked, beside the box it came in.",
            "sha256": [photo("base.png", (60, 120, 220))],
        },
    )
    evidence.locator(".requests .badge", has_text=w.say("request.FULFILLED")).wait_for(timeout=WAIT)
    answer = evidence.locator(".evidence li", has_text="The base, cracked, beside the box")
    assert f"{EN['role.CONSUMER']} · photo" in answer.inner_text()  # the kind asked for
    w.shoot(consumer, 10, "evidence-submitted")

    # 11. The arbiter records a finding and rules for the consumer.
    w.at(11)
    shows_image(arbiter.page)
    w.press(arbiter, "recordFinding", {"finding": "The base is cracked through; the box is not."})
    w.press(
        arbiter,
        "issueRuling",
        {
            "outcome": "CONSUMER_FAVOUR_FULL",
            "rationale": "The kettle was damaged before it was delivered.",
            "remedy.type": "REFUND",
            "remedy.amount": "199.00",
            "ruleCodes": ["R-3.2"],
        },
    )
    w.status(arbiter, "RULED")
    arbiter.page.locator(".case-header").get_by_text(
        w.say("outcome.CONSUMER_FAVOUR_FULL")
    ).wait_for(timeout=WAIT)
    w.say("deadline.appeal_window")
    arbiter.page.locator(".deadlines", has_text=EN["deadline.appeal_window"]).wait_for(timeout=WAIT)
    w.shoot(arbiter, 11, "ruling")

    # 12. The consumer acknowledges the ruling.
    w.at(12)
    w.press(consumer, "acknowledgeRuling")

    # 13. The seller appeals it.
    w.at(13)
    w.press(seller, "fileAppeal", {"grounds": "The courier dropped the parcel, not us."})
    w.status(seller, "APPEAL_REVIEW")

    # 14. The supervisor refuses the appeal: the ruling is final and carried out.
    w.at(14)
    w.menu(supervisor, "supervision")
    w.open_case(supervisor, reference, w.supervision_item(supervisor, "appeal_waiting"))
    w.press(supervisor, "decideAppeal", {"rationale": "Until delivery the risk is the seller's."})
    w.status(supervisor, "FULFILLING")
    w.shoot(supervisor, 14, "appeal-decided")

    # 15. The seller refunds, the consumer confirms it: closed; the consumer rates the handling.
    w.at(15)
    w.press(seller, "confirmRefund")
    w.press(consumer, "confirmRemedyReceived")
    w.status(consumer, "CLOSED")
    w.press(consumer, "rateHandling", {"score": 5, "comment": "Fair, and quick."})
    consumer.page.get_by_text("★★★★★").wait_for(timeout=WAIT)
    w.shoot(consumer, 15, "case-closed")

    # 16. A violation: the consumer reports the shop.
    w.at(16)
    w.menu(consumer, "violations")
    report = consumer.page.locator('form[data-form="reportViolation"]')
    w.field(report, "field.shopId").fill(SHOP)
    w.field(report, "field.violationKind").select_option(label=w.say("violation.MISREPRESENTATION"))
    w.field(report, "field.description").fill(
        "Every kettle is listed as steel; the bases are plastic."
    )
    report.get_by_role("button", name=w.say("violations.report")).click()
    consumer.page.get_by_text("The report was sent").wait_for(timeout=WAIT)

    # 17. The shop responds.
    w.at(17)
    w.menu(seller, "violations")
    w.listed(seller, seller.page.locator("[data-violation]").first)
    w.press(seller, "respondToViolation", {"response": "The listings now say what the base is."})

    # 18. The supervisor confirms it, and opens its page.
    w.at(18)
    w.menu(supervisor, "violations")
    w.listed(supervisor, supervisor.page.get_by_text("The listings now say what the base is."))
    w.press(
        supervisor,
        "confirmViolation",
        {"rationale": "The bases are plastic, as the photos show.", "ruleCodes": "R-3.1"},
    )
    violation = supervisor.page.locator("[data-violation]").first
    violation.locator(".badge", has_text=w.say("violationStatus.CONFIRMED")).wait_for(timeout=WAIT)
    violation.get_by_role("link", name=w.say("violations.history")).click()
    supervisor.page.wait_for_selector('main[data-shown^="#/violation/"]', timeout=WAIT)
    w.routes.add("#/violation/<id>")
    w.shoot(supervisor, 18, "violation-confirmed")

    # 19. A sanction: the supervisor looks the shop up and warns it.
    w.at(19)
    w.menu(supervisor, "shops")
    w.look_up(supervisor, SHOP)
    w.press(
        supervisor,
        "sanctionSeller",
        {"kind": "WARNING", "reason": "Listings that misstate what the goods are made of."},
    )
    w.say("sanction.WARNING")
    supervisor.page.locator("[data-sanction]", has_text=EN["sanction.WARNING"]).wait_for(
        timeout=WAIT
    )
    w.shoot(supervisor, 19, "sanctioned")

    # 20. The shop appeals the sanction from its own page.
    w.at(20)
    w.menu(seller, "sanctions")
    w.press(seller, "appealSanction", {"grounds": "Every listing was corrected the same day."})
    seller.page.locator("[data-sanction]", has_text=w.say("case.appealWaiting")).wait_for(
        timeout=WAIT
    )
    w.shoot(seller, 20, "sanction-appealed")

    # 21. Another supervisor grants the appeal: the sanction is lifted.
    w.at(21)
    other = w.sign_in(browser, "SUPERVISOR", "sup-2")
    w.lands_on(other, "supervision")
    w.listed(other, w.supervision_item(other, "sanction_appeal"))
    w.menu(other, "shops")
    w.look_up(other, SHOP)
    w.press(other, "decideSanctionAppeal", {"grant": True, "rationale": "Corrected at once."})
    sanction = other.page.locator("[data-sanction]")
    sanction.filter(has_text=w.say("case.appealGranted")).wait_for(timeout=WAIT)
    assert w.say("seller.lifted") in sanction.inner_text()
    w.shoot(other, 21, "sanction-appeal-granted")

    # The end state, as the API has it.
    case = console_server.data(
        """query($id: ID!) { complaint(id: $id) { status outcome remedy { type }
           ruling { rationale } appeal { granted } ratings { score } } }""",
        {"id": case_id},
        actor=ALICE,
    )["complaint"]
    assert case == {
        "status": "CLOSED",
        "outcome": "CONSUMER_FAVOUR_FULL",
        "remedy": {"type": "REFUND"},
        "ruling": {"rationale": "The kettle was damaged before it was delivered."},
        "appeal": {"granted": False},
        "ratings": [{"score": 5}],
    }
    staff = Actor(Role.SUPERVISOR, "sup-2")
    (report_node,) = [
        e["node"]
        for e in console_server.data("{ violations { edges { node { status } } } }", actor=staff)[
            "violations"
        ]["edges"]
    ]
    assert report_node == {"status": "CONFIRMED"}
    (warning,) = console_server.data(
        "query($shop: String!) { seller(shopId: $shop) { sanctions { kind liftedAt "
        "appeal { granted } } } }",
        {"shop": SHOP},
        actor=staff,
    )["seller"]["sanctions"]
    assert warning["kind"] == "WARNING"
    assert warning["appeal"] == {"granted": True}
    assert warning["liftedAt"] is not None

    # Every name the test went by at a step is one the walk quotes in that step.
    written = dict(steps(walk()))
    unquoted = {n: sorted(names - quoted(written.get(n, ""))) for n, names in w.used.items()}
    assert {n: names for n, names in unquoted.items() if names} == {}, "not named in the walk"
    assert sorted(w.routes - routes(walk())) == [], "opened here, but not quoted in the walk"
    for person in (supervisor, consumer, seller, arbiter, other):
        person.close()

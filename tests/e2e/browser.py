"""What the console's browser tests share: a person signed in through the development form in a
browser context of their own (every request that leaves the server refused), screenshots at
desktop and phone width under var/screenshots/, each page checked by axe-core at both widths and
for sideways scrolling on the phone, and cases and shops set up over the API to start from."""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from complaints.domain.values import Actor, Role
from tests.e2e.conftest import ROOT, Server

SHOTS = ROOT / "var" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT = 20_000
#: axe-core, vendored (tests/e2e/vendor/axe-core/README.md).
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
#: The impacts that fail a page; "moderate" and "minor" do not.
BLOCKING = ("serious", "critical")


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("console")
    running = Server(f"sqlite:///{workdir / 'complaints.db'}", workdir, ENVIRONMENT="development")
    yield running
    running.stop()


def save(name: str, png: bytes) -> None:
    """Write one screenshot whole: written beside it under a name of this process's own, then
    renamed, so that a reader, or another test process writing the same page, never meets half a
    file."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    partial = SHOTS / f".{name}.{os.getpid()}"
    partial.write_bytes(png)
    partial.replace(SHOTS / name)


class Person:
    """One browser context, signed in through the console's development form."""

    def __init__(
        self, browser: Any, server: Server, role: str, user: str, shop: str | None = None
    ) -> None:
        self.server = server
        self.context = browser.new_context(viewport=DESKTOP, locale="en-GB")
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.route("**/*", self._only_this_server)
        self.page.on(
            "console", lambda m: self.problems.append(m.text) if m.type == "error" else None
        )
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))
        self.page.goto(f"{server.url}/#/signin")
        development = self.page.locator("section", has=self.page.locator("#dev-title"))
        development.locator("select[name=role]").select_option(role)
        development.locator("input[name=id]").fill(user)
        if shop:
            development.locator("input[name=shopId]").fill(shop)
        development.locator("button[type=submit]").click()
        self.page.wait_for_selector(f'.who[data-role="{role}"]', timeout=WAIT)

    def _only_this_server(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((self.server.url, "blob:", "data:")):
            route.continue_()
        else:
            self.problems.append(f"left the server: {url}")
            route.abort()

    def go(self, hash_route: str) -> None:
        self.page.goto(f"{self.server.url}/#/{hash_route}")
        self.page.wait_for_selector(f'main[data-shown="#/{hash_route}"]', timeout=WAIT)

    def act(self, action: str, fill: dict[str, Any] | None = None) -> None:
        """Open the form of an allowed action, fill it, send it, and wait until it is done."""
        self.page.locator(f'button[data-action="{action}"]').click(timeout=WAIT)
        form = self.page.locator(f'form[data-form="{action}"]')
        form.wait_for(timeout=WAIT)
        for name, value in (fill or {}).items():
            control = form.locator(f'[name="{name}"]').first
            tag = control.evaluate("e => e.tagName")
            if tag == "SELECT":
                control.select_option(value)
            elif control.get_attribute("type") == "checkbox":
                control.set_checked(bool(value))
            elif control.get_attribute("type") == "radio" or name == "score":
                form.locator(f'input[type=radio][value="{value}"]').check()
            elif control.get_attribute("type") == "file":
                control.set_input_files(value)
            else:
                control.fill(str(value))
        form.locator("button[type=submit]").click()
        form.wait_for(state="detached", timeout=WAIT)

    def allowed(self) -> list[str]:
        return [
            b.get_attribute("data-action") or ""
            for b in self.page.locator("button[data-action]").all()
        ]

    def shoot(self, name: str) -> None:
        """The page as it is, at desktop and at phone width; at each, axe-core finds no serious
        or critical violation, and on the phone nothing makes the page scroll sideways."""
        save(f"{name}-desktop.png", self.page.screenshot(full_page=True))
        blocking = accessibility_violations(self.page)
        self.page.set_viewport_size(PHONE)
        try:
            save(f"{name}-phone.png", self.page.screenshot(full_page=True))
            blocking += [
                f"(at {PHONE['width']} px) {v}" for v in accessibility_violations(self.page)
            ]
            overflow = sideways_overflow(self.page)
        finally:
            self.page.set_viewport_size(DESKTOP)
        if blocking:
            pytest.fail(f"{name}: axe-core finds, serious or worse:\n" + "\n".join(blocking))
        if overflow:
            pytest.fail(f"{name}: at {PHONE['width']} px the page scrolls sideways: {overflow}")

    def close(self) -> None:
        self.context.close()
        assert self.problems == []


@cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


#: axe's verdict, only what a failure message needs: rule, impact, help, each node's target.
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}"""


def run_axe(page: Any) -> list[dict[str, Any]]:
    """Every violation axe-core finds on the page as it is.

    axe goes in through the DevTools protocol (`page.evaluate`), which the page's
    Content-Security-Policy does not govern: the console is served and tested under its own policy
    (no inline script, no eval), and axe itself needs neither."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(f"() => {{\n{axe_source()}\n}}")
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return violations


def accessibility_violations(page: Any) -> list[str]:
    """The serious and critical violations, one line each: rule, impact, help, targets."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {'; '.join(v['targets'])}"
        for v in run_axe(page)
        if v["impact"] in BLOCKING
    ]


#: The widest element past the right edge, and the page's scroll width, if it is past it.
OVERFLOW = """() => {
  const limit = window.innerWidth + 1;
  const width = document.scrollingElement.scrollWidth;
  if (width <= limit) return null;
  let widest = null;
  for (const e of document.body.querySelectorAll("*")) {
    const right = e.getBoundingClientRect().right;
    if (right > limit && (!widest || right >= widest.right)) widest = { e, right };
  }
  if (!widest) return `scrollWidth ${width}`;
  const e = widest.e;
  const name = e.tagName.toLowerCase() + (e.id ? `#${e.id}` : "") +
    [...e.classList].map((c) => `.${c}`).join("");
  const text = (e.textContent || "").trim().slice(0, 40);
  const right = Math.round(widest.right);
  return `scrollWidth ${width}; widest: ${name} reaching ${right} px ("${text}")`;
}"""


def sideways_overflow(page: Any) -> str | None:
    found: str | None = page.evaluate(OVERFLOW)
    return found


def real_png(rgb: tuple[int, int, int], size: int = 64) -> bytes:
    """A real PNG image: a square of one colour with a darker frame."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    dark = bytes(c // 2 for c in rgb)
    rows = b"".join(
        b"\x00"
        + b"".join(
            dark if min(x, y, size - 1 - x, size - 1 - y) < 4 else bytes(rgb) for x in range(size)
        )
        for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def photo(name: str = "parcel.png", rgb: tuple[int, int, int] = (230, 140, 60)) -> dict[str, Any]:
    return {"name": name, "mimeType": "image/png", "buffer": real_png(rgb)}


def shows_image(page: Any) -> None:
    """An evidence thumbnail, fetched with the token, decoded and drawn."""
    image = page.locator(".evidence img[src^='blob:']").first
    image.wait_for(timeout=WAIT)
    # (Polled from here: a waiting function in the page would need 'unsafe-eval'.)
    for _ in range(200):
        if image.evaluate("i => i.complete && i.naturalWidth > 0"):
            return
        page.wait_for_timeout(100)
    pytest.fail("the evidence thumbnail was not drawn")


def register_shops(browser: Any, server: Server, *shops: str) -> None:
    supervisor = Person(browser, server, "SUPERVISOR", "sup-1")
    supervisor.go("shops")
    register = supervisor.page.locator("form").nth(1)
    for shop in shops:
        register.locator('[name="shopId"]').fill(shop)
        register.locator('[name="name"]').fill(f"{shop.title()} 旗舰店")
        register.locator('[name="deposit"]').fill("1000.00")
        register.locator("button[type=submit]").click()
        supervisor.page.get_by_text(f"({shop}) is registered").wait_for(timeout=WAIT)
    supervisor.shoot("shops")
    supervisor.close()


SUPERVISOR = Actor(Role.SUPERVISOR, "sup-1")
CONSUMER = Actor(Role.CONSUMER, "u-dan")
AGENT = Actor(Role.AGENT, "agent-2")
SHOP_STAFF = Actor(Role.SELLER, "s-initech", "initech")
#: A supervisor other than the one who sanctioned the shop (and the arbiter who ruled its case).
OTHER_SUPERVISOR = Actor(Role.SUPERVISOR, "arb-1")
SANCTION_ACTIONS = {"liftSanction", "appealSanction", "decideSanctionAppeal"}


def offered_in(person: Person, scope: str) -> list[str]:
    return [
        b.get_attribute("data-action") or ""
        for b in person.page.locator(f"{scope} button[data-action]").all()
    ]


def shop_offers_what_the_api_allows(person: Person, actor: Actor, shop: str) -> list[str]:
    """The shop page offers exactly the shop's and each sanction's allowedActions, in order."""
    allowed = person.server.data(
        """query($shop: String!) { seller(shopId: $shop) {
           allowedActions sanctions { id allowedActions } } }""",
        {"shop": shop},
        actor=actor,
    )["seller"]
    person.page.locator(f'[data-shop="{shop}"]').wait_for(timeout=WAIT)
    assert offered_in(person, '[data-actions="shop"]') == [
        name for name in allowed["allowedActions"] if name not in SANCTION_ACTIONS
    ]
    for sanction in allowed["sanctions"]:
        scope = f'[data-sanction="{sanction["id"]}"]'
        assert offered_in(person, scope) == sanction["allowedActions"], sanction["id"]
    assert set(person.allowed()) == set(allowed["allowedActions"])
    return list(allowed["allowedActions"])


def violations_offer_what_the_api_allows(person: Person, actor: Actor) -> list[list[str]]:
    """Each violation on the page offers exactly its allowedActions, in order."""
    edges = person.server.data(
        "{ violations { edges { node { id allowedActions } } } }", actor=actor
    )["violations"]["edges"]
    offered = []
    for edge in edges:
        node = edge["node"]
        scope = f'[data-violation="{node["id"]}"]'
        person.page.locator(scope).wait_for(timeout=WAIT)
        assert offered_in(person, scope) == node["allowedActions"], node["id"]
        offered.append(offered_in(person, scope))
    assert [name for names in offered for name in names] == person.allowed()
    return offered


def negotiating_case(server: Server, shop: str = "initech", order: str = "order-9001") -> str:
    """A case filed and accepted over the API, with the shop sanctioned, to start from."""
    server.data(
        """mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Initech",
           deposit: {amount: "500.00", currency: "CNY"}}) { __typename } }""",
        {"shop": shop},
        actor=SUPERVISOR,
    )
    server.record_order(order, shop=shop, consumer=CONSUMER)
    filed = server.data(
        """mutation($shop: String!, $order: String!) { fileComplaint(input: {shopId: $shop,
           orderId: $order, category: NOT_AS_DESCRIBED,
           description: "The jacket is not waterproof as advertised.",
           requestedRemedy: {type: REFUND, amount: {amount: "80.00", currency: "CNY"}}}) {
           ... on Complaint { id } } }""",
        {"shop": shop, "order": order},
        actor=CONSUMER,
    )["fileComplaint"]["id"]
    server.data(
        "mutation($id: ID!) { acceptComplaint(input: {complaintId: $id}) { __typename } }",
        {"id": filed},
        actor=AGENT,
    )
    server.data(
        """mutation($shop: String!) { sanctionSeller(input: {shopId: $shop, kind: WARNING,
           reason: "Listings overstate what the goods do."}) { __typename } }""",
        {"shop": shop},
        actor=SUPERVISOR,
    )
    return str(filed)


def registered(server: Server, shop: str) -> str:
    """The shop, registered over the API (again: changes nothing)."""
    server.data(
        """mutation($shop: String!) { registerSeller(input: {shopId: $shop, name: "Shop",
           deposit: {amount: "500.00", currency: "CNY"}}) { __typename } }""",
        {"shop": shop},
        actor=SUPERVISOR,
    )
    return shop

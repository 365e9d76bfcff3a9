"""The supervisor's policy what-if page in Chromium: the period's cases replayed under their own
policy (every decision reproduced), then under a proposal, and a proposal it cannot read refused
beside the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.browser import (
    SUPERVISOR,
    WAIT,
    Person,
    console_server,
    negotiating_case,
)
from tests.e2e.conftest import Server

__all__ = ["console_server"]  # the module's server, shared with this file's test


def local(moment: datetime) -> str:
    """A moment as a datetime-local field takes it (the browser runs in UTC here)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def test_a_supervisor_replays_the_period_under_a_proposal(
    browser: Any, console_server: Server
) -> None:
    negotiating_case(console_server, shop="whatif-shop", order="order-whatif-1")
    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    supervisor.go("whatif")
    page = supervisor.page
    form = page.locator("form.action-form")
    now = datetime.now(UTC)
    form.locator('[name="from"]').fill(local(now - timedelta(hours=1)))
    form.locator('[name="to"]').fill(local(now + timedelta(hours=1)))
    form.locator("button[type=submit]").click()
    result = page.locator("#whatif-result")
    result.get_by_text("every case reproduces every recorded decision").wait_for(timeout=WAIT)
    replayed = int(result.locator('[data-figure="replayed"]').inner_text())
    assert replayed >= 1
    assert result.locator('[data-figure="undetermined"]').inner_text() == "0"
    supervisor.shoot("whatif")

    # A proposal: the same cases, the seller's answer due within a day instead.
    form.locator('[name="settings"]').fill("DEADLINES=seller_response=1d")
    form.locator("button[type=submit]").click()
    result.locator("table").wait_for(timeout=WAIT)
    assert int(result.locator('[data-figure="replayed"]').inner_text()) == replayed

    # A setting the what-if cannot vary: refused, said beside the form, nothing replayed.
    form.locator('[name="settings"]').fill("WEBHOOK_RETRY_BASE=1s")
    form.locator("button[type=submit]").click()
    alert = form.locator('[role="alert"]')
    alert.wait_for(timeout=WAIT)
    assert "a what-if can vary only" in alert.inner_text()
    assert result.inner_text() == ""
    supervisor.close()


def test_a_large_period_shows_the_workers_progress_until_the_report(
    browser: Any, console_server: Server
) -> None:
    """The server replays this small period at once; the first two answers are rewritten into
    a worker job's (the shape tests/api/test_whatif.py checks the API gives), so the page must
    show the progress, ask again, and draw the report when it comes."""
    negotiating_case(console_server, shop="whatif-shop-2", order="order-whatif-2")
    supervisor = Person(browser, console_server, "SUPERVISOR", SUPERVISOR.id)
    page = supervisor.page
    progress = [
        {"status": "queued", "job": "j1", "progress": {"phase": "queued", "done": 0, "total": 0}},
        {
            "status": "running",
            "job": "j1",
            "progress": {"phase": "replaying", "done": 1, "total": 2},
        },
    ]
    asked: list[str] = []

    def as_a_job(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        answer = (body.get("data") or {}).get("policyWhatIf")
        if answer is None:
            route.fulfill(response=response)
            return
        asked.append("whatif")
        if progress:
            route.fulfill(response=response, json={"data": {"policyWhatIf": progress.pop(0)}})
        else:
            report = {"status": "done", "job": "j1", "report": answer}
            route.fulfill(response=response, json={"data": {"policyWhatIf": report}})

    page.route("**/graphql**", as_a_job)
    supervisor.go("whatif")
    form = page.locator("form.action-form")
    now = datetime.now(UTC)
    form.locator('[name="from"]').fill(local(now - timedelta(hours=1)))
    form.locator('[name="to"]').fill(local(now + timedelta(hours=1)))
    form.locator("button[type=submit]").click()
    result = page.locator("#whatif-result")
    result.get_by_text("Queued for the worker").wait_for(timeout=WAIT)
    result.get_by_text("Replaying cases: 1 of 2").wait_for(timeout=WAIT)
    result.get_by_text("every case reproduces every recorded decision").wait_for(timeout=WAIT)
    assert int(result.locator('[data-figure="replayed"]').inner_text()) >= 1
    assert asked == ["whatif"] * 3
    supervisor.close()

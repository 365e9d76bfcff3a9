"""The real stores: SQLite (the embedded default) and PostgreSQL, each tested the same way."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from complaints.application import Changes, ComplaintsApp
from complaints.clock import ManualClock
from complaints.domain.complaint import Complaint
from complaints.domain.deadlines import DeadlineKind
from complaints.domain.errors import ConcurrentUpdate, DuplicateComplaint
from complaints.domain.seller import AfterSalesPolicy
from complaints.domain.values import (
    Category,
    Outcome,
    Remedy,
    RemedyType,
    Role,
    ViolationKind,
    Visibility,
)
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings, Store
from tests.scenario import (
    AGENT,
    ARBITER,
    CONSUMER,
    MEDIATOR,
    REFUND,
    SELLER,
    SUPERVISOR,
    Scenario,
    cny,
    png,
    posted_messages,
)

#: One marker per personal field; none may ever reach the store in plaintext.
MARKERS = {
    "description": "ZQX-description-marker",
    "resubmission": "ZQX-resubmission-marker",
    "offer": "ZQX-offer-message-marker",
    "decline": "ZQX-decline-reason-marker",
    "message": "ZQX-message-marker",
    "evidence": "ZQX-evidence-marker",
    "photo": "ZQX-evidence-file-marker",
    "grounds": "ZQX-appeal-grounds-marker",
    "tracking": "ZQX-tracking-marker",
    "issue": "ZQX-execution-issue-marker",
    "comment": "ZQX-rating-comment-marker",
    "violation": "ZQX-violation-report-marker",
}


def reopen(app: ComplaintsApp, url: str) -> ComplaintsApp:
    assert isinstance(app.clock, ManualClock)
    settings = Settings(database_url=url, key_cache_seconds=0, upload_dir=app.settings.upload_dir)
    return ComplaintsApp(settings, clock=app.clock)


def full_life(world: Scenario) -> Complaint:
    """A case that passes through almost every step, with every personal field filled in."""
    app = world.app
    complaint = world.file(
        description=f"{MARKERS['description']}: the kettle leaks from its base.",
        remedy=Remedy(RemedyType.RETURN_AND_REFUND, cny("88.00")),
    )
    cid = complaint.id
    app.return_complaint_for_info(AGENT, cid, "Photos please", ["photo of the base"])
    app.resubmit_complaint(CONSUMER, cid, f"{MARKERS['resubmission']}: photos attached.")
    app.accept_complaint(AGENT, cid)
    app.make_offer(SELLER, cid, Remedy(RemedyType.PARTIAL_REFUND, cny("20")), MARKERS["offer"])
    app.decline_offer(CONSUMER, cid, "o2", MARKERS["decline"])
    app.post_message(CONSUMER, cid, MARKERS["message"])
    app.request_intervention(CONSUMER, cid)
    app.assign_complaint(SUPERVISOR, cid, ARBITER.id)
    app.request_evidence(ARBITER, cid, Role.CONSUMER, ["photo"])
    photo = world.upload(CONSUMER, png(MARKERS["photo"]))
    app.submit_evidence(CONSUMER, cid, "photo", MARKERS["evidence"], photo)
    app.record_finding(ARBITER, cid, "Leak confirmed on photos.")
    app.issue_ruling(
        ARBITER,
        cid,
        Outcome.CONSUMER_FAVOUR_PARTIAL,
        "Partly",
        Remedy(RemedyType.RETURN_AND_REFUND, cny("60")),
        ["R-3.1"],
    )
    app.acknowledge_ruling(SELLER, cid)
    app.file_appeal(CONSUMER, cid, f"{MARKERS['grounds']}: the whole price is due.")
    app.decide_appeal(
        SUPERVISOR,
        cid,
        True,
        "Full refund is due.",
        Outcome.CONSUMER_FAVOUR_FULL,
        Remedy(RemedyType.RETURN_AND_REFUND, cny("88")),
        ["R-3.1"],
    )
    app.raise_execution_issue(CONSUMER, cid, MARKERS["issue"])
    app.resolve_execution_issue(SUPERVISOR, cid, "Courier pickup booked.")
    app.ship_return(CONSUMER, cid, "SF", MARKERS["tracking"])
    app.confirm_return_received(SELLER, cid)
    app.confirm_refund(SELLER, cid)
    app.confirm_remedy_received(CONSUMER, cid)
    app.rate_handling(CONSUMER, cid, 4, MARKERS["comment"])
    app.report_violation(CONSUMER, "acme", ViolationKind.MISREPRESENTATION, MARKERS["violation"])
    return app.get_complaint(cid)


def upload_bytes(app: ComplaintsApp) -> bytes:
    """Every file under UPLOAD_DIR, as an insider would read them."""
    files = sorted(p for p in app.settings.upload_dir.rglob("*") if p.is_file())
    return b"".join(p.read_bytes() for p in files)


def store_bytes(url: str) -> bytes:
    """Everything the store holds on disk or in a dump, as an insider would read it."""
    store = Store.parse(url)
    if store.kind == "sqlite":
        assert store.path is not None
        return b"".join(p.read_bytes() for p in store.path.parent.glob(store.path.name + "*"))
    dump = subprocess.run(
        [
            "pg_dump",
            "--data-only",
            "--schema",
            store.schema,
            "--host",
            store.host,
            "--port",
            str(store.port),
            "--username",
            store.user,
            store.dbname,
        ],
        check=True,
        capture_output=True,
        env={"PGPASSWORD": store.password, "PATH": "/usr/bin:/bin"},
    )
    return dump.stdout


def test_a_case_reloads_exactly_as_it_was_saved(stored_world: Scenario, store_url: str) -> None:
    complaint = full_life(stored_world)
    seller = stored_world.app.get_seller("acme")
    fresh = reopen(stored_world.app, store_url)
    try:
        assert fresh.get_complaint(complaint.id).__dict__ == complaint.__dict__
        assert fresh.get_seller("acme").__dict__ == seller.__dict__
        assert [type(e) for e in fresh.history(complaint.id)] == [
            type(e) for e in stored_world.app.history(complaint.id)
        ]
    finally:
        fresh.close()


def test_no_personal_field_is_ever_stored_in_plaintext(
    stored_world: Scenario, store_url: str
) -> None:
    complaint = full_life(stored_world)
    assert complaint.description.reveal().startswith(MARKERS["resubmission"])
    stored_world.app.close()
    raw = store_bytes(store_url)
    assert b"leaks from its base" not in raw  # make sure we are looking at the data at all
    uploads = upload_bytes(stored_world.app)
    assert uploads, "the evidence file was stored"
    raw += uploads
    for field, marker in MARKERS.items():
        assert marker.encode() not in raw, f"{field} stored in plaintext"
        assert marker.encode().hex().encode() not in raw, f"{field} stored in plaintext (hex)"
    assert b"Leak confirmed on photos." in raw or b"Leak confirmed on photos.".hex().encode() in raw


def test_erasure_holds_after_a_restart(stored_world: Scenario, store_url: str) -> None:
    complaint = stored_world.file()
    stored_world.app.erase_subject(SUPERVISOR, CONSUMER.id)
    fresh = reopen(stored_world.app, store_url)
    try:
        assert fresh.get_complaint(complaint.id).description.erased
    finally:
        fresh.close()


def test_an_erased_key_leaves_no_trace_in_the_sqlite_file(sqlite_url: str) -> None:
    clock = ManualClock()
    app = ComplaintsApp(Settings(database_url=sqlite_url), clock=clock)
    world = Scenario(app, clock)
    world.file()
    secret = app.keys.key_for(CONSUMER.id).secret
    assert secret in store_bytes(sqlite_url)
    app.erase_subject(SUPERVISOR, CONSUMER.id)
    app.close()
    assert secret not in store_bytes(sqlite_url)


def test_an_idempotency_key_outlives_a_restart(stored_world: Scenario, store_url: str) -> None:
    complaint = stored_world.fulfilling()
    first = stored_world.app.confirm_refund(SELLER, complaint.id, idempotency_key="pay-once")
    fresh = reopen(stored_world.app, store_url)
    try:
        again = fresh.confirm_refund(SELLER, complaint.id, idempotency_key="pay-once")
        assert (again.id, again.version) == (first.id, first.version)
    finally:
        fresh.close()


@pytest.fixture
def two_writers(stored_app: ComplaintsApp, store_url: str) -> Iterator[list[ComplaintsApp]]:
    other = reopen(stored_app, store_url)
    yield [stored_app, other]
    other.close()


def race(apps: list[ComplaintsApp], complaint: Complaint) -> list[BaseException | Complaint]:
    """Both writers load the same version, then both save: exactly one must lose the race."""
    barrier = threading.Barrier(len(apps))
    results: list[BaseException | Complaint] = []

    def write(app: ComplaintsApp, n: int) -> None:
        loaded_once = threading.Event()

        def attempt() -> Changes[Complaint]:
            loaded = app.get_complaint(complaint.id)
            loaded.post_message(
                app.context(MEDIATOR), text=f"note {n}", visibility=Visibility.PARTIES
            )
            if not loaded_once.is_set():
                loaded_once.set()
                barrier.wait(timeout=10)
            return Changes(loaded)

        try:
            results.append(app.execute("post_message", MEDIATOR, None, {}, attempt))
        except BaseException as error:  # collected for the assertion below
            results.append(error)

    threads = [threading.Thread(target=write, args=(a, n)) for n, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_filings_about_one_order_race_and_one_is_refused(
    two_writers: list[ComplaintsApp], clock: ManualClock
) -> None:
    """Both load the order's index before either saves; the store refuses one save, and its
    retry finds the other case open."""
    Scenario(two_writers[0], clock).order("order-77")
    barrier = threading.Barrier(len(two_writers))
    loads: list[int] = []
    results: list[BaseException | Complaint] = []

    def file(app: ComplaintsApp) -> None:
        load = app._order_index

        def first_load_waits(*args: str) -> Any:
            index = load(*args)
            loads.append(1)
            if len(loads) <= len(two_writers):
                barrier.wait(timeout=10)
            return index

        object.__setattr__(app, "_order_index", first_load_waits)
        try:
            results.append(
                app.file_complaint(
                    CONSUMER, "acme", "order-77", Category.DAMAGED, "It broke on day one.", REFUND
                )
            )
        except BaseException as error:  # collected for the assertion below
            results.append(error)

    threads = [threading.Thread(target=file, args=(app,)) for app in two_writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    filed = [r for r in results if isinstance(r, Complaint)]
    refused = [r for r in results if isinstance(r, DuplicateComplaint)]
    assert (len(filed), len(refused)) == (1, 1), results
    assert refused[0].reference == filed[0].reference
    assert len(loads) == 3  # both loaded it, and the loser loaded it again on its retry


def test_two_writers_on_one_case_the_loser_is_retried(
    two_writers: list[ComplaintsApp], clock: ManualClock
) -> None:
    complaint = Scenario(two_writers[0], clock).negotiating()
    results = race(two_writers, complaint)
    assert all(isinstance(r, Complaint) for r in results), results
    final = two_writers[0].get_complaint(complaint.id)
    assert sorted(m.text.reveal() for m in posted_messages(two_writers[0], final.id)) == [
        "note 0",
        "note 1",
    ]
    assert final.version == complaint.version + 2


def test_two_writers_without_retries_one_gets_a_conflict(
    two_writers: list[ComplaintsApp], clock: ManualClock, store_url: str
) -> None:
    for app in two_writers:
        object.__setattr__(app, "settings", Settings(database_url=store_url, command_retries=0))
    complaint = Scenario(two_writers[0], clock).negotiating()
    results = race(two_writers, complaint)
    assert sum(isinstance(r, ConcurrentUpdate) for r in results) == 1
    assert sum(isinstance(r, Complaint) for r in results) == 1
    assert two_writers[0].get_complaint(complaint.id).messages_posted == 1


def test_a_connection_that_saw_conflicts_keeps_working(
    two_writers: list[ComplaintsApp], clock: ManualClock
) -> None:
    """Eight threads per app write to one case, over and over: every lost race is retried, and
    the connections that carried a failed insert stay usable (a regression: psycopg's pipeline
    once left them referring to a prepared statement that was never made)."""
    complaint = Scenario(two_writers[0], clock).negotiating()
    errors: list[BaseException] = []

    def write(app: ComplaintsApp, n: int) -> None:
        for round_ in range(15):
            try:
                app.post_message(CONSUMER, complaint.id, f"note {n}.{round_}")
            except ConcurrentUpdate:
                pass  # retries ran out under this much contention: refused cleanly
            except BaseException as error:
                errors.append(error)

    threads = [
        threading.Thread(target=write, args=(app, n)) for n, app in enumerate(two_writers * 8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    final = two_writers[0].get_complaint(complaint.id)
    assert final.version == complaint.version + final.messages_posted
    assert final.messages_posted > 100


def test_deadlines_are_stored_with_their_due_times(stored_world: Scenario, store_url: str) -> None:
    complaint = stored_world.negotiating()
    fresh = reopen(stored_world.app, store_url)
    try:
        reloaded = fresh.get_complaint(complaint.id)
        due = reloaded.deadline_of(DeadlineKind.SELLER_RESPONSE)
        assert due == complaint.deadline_of(DeadlineKind.SELLER_RESPONSE)
    finally:
        fresh.close()


def test_the_default_store_is_a_file_under_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = ComplaintsApp(Settings.from_env({}))
    try:
        Scenario(app, ManualClock()).file()
    finally:
        app.close()
    assert (tmp_path / "var" / "complaints.db").stat().st_size > 0


def test_a_long_lived_shop_loads_from_a_snapshot_exactly_as_replayed(
    stored_world: Scenario, store_url: str, clock: ManualClock
) -> None:
    """Every 100th event of a Seller is snapshotted; what loads equals a full replay."""
    from eventsourcing.application import project_aggregate

    from complaints.domain.seller import Seller

    world = stored_world
    world.seller()
    app = world.app
    app.set_after_sales_policy(SELLER, "acme", AfterSalesPolicy(7, True, 12, "Seven days."))
    violation = app.report_violation(CONSUMER, "acme", ViolationKind.FRAUD, "Paid, never shipped.")
    world.confirm_violation(violation.id)
    while app.get_seller("acme").version < 230:
        app.top_up_deposit(SELLER, "acme", cny("10.00"))
        app.record_spot_check(SUPERVISOR, "acme", False, "Labels still missing.")
    seller = app.get_seller("acme")
    snapshots = list(app.snapshots.get(seller.id)) if app.snapshots else []
    assert [s.originator_version for s in snapshots][:2] == [100, 200]
    replayed = project_aggregate(None, app.repository.event_store.get(seller.id))
    assert isinstance(replayed, Seller)
    assert vars(seller) == vars(replayed)
    # And after a restart, from the store alone.
    again = ComplaintsApp(Settings(database_url=store_url), clock=clock)
    try:
        assert vars(again.get_seller("acme")) == vars(replayed)
    finally:
        again.close()


@pytest.mark.postgres
def test_processes_starting_together_on_a_fresh_database_all_start(postgres_url: str) -> None:
    """`serve --workers N` starts N processes at once; each creates the tables it needs."""
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def start() -> None:
        try:
            barrier.wait()
            app = ComplaintsApp(Settings(database_url=postgres_url))
            models = ReadModels(app)
            models.close()
            app.close()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []

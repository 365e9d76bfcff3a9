"""The one `eventsourcing` Application that holds every aggregate.

Each command method reads like a sentence: load, call one command, return what changed. The
`@command` decorator around it does the rest the same way for all of them: it builds the
command context (actor, the clock's now, the deadline terms), honours idempotency keys, saves
every changed aggregate in one transaction, and retries a bounded number of times when another
writer got there first.
"""

from __future__ import annotations

import copy
import inspect
import itertools
import logging
import random
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar, cast, overload
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    project_aggregate,
)
from eventsourcing.domain import Aggregate, AggregateEvent, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    JSONTranscoder,
    Recording,
)
from eventsourcing.utils import Environment, EnvType, TopicError, resolve_topic

from complaints.clock import Clock, SystemClock
from complaints.domain.complaint import Complaint, complaint_id
from complaints.domain.context import CommandContext
from complaints.domain.erasure import SubjectErasure, check_erasure, erasure_id
from complaints.domain.errors import (
    ComplaintNotFound,
    ConcurrentUpdate,
    DuplicateComplaint,
    FieldError,
    IdempotencyKeyReused,
    SellerAlreadyRegistered,
    SellerNotFound,
    SubjectNotFound,
    ValidationFailed,
    ViolationNotFound,
    WebhookNotFound,
)
from complaints.domain.order_index import OrderComplaints, order_index_id
from complaints.domain.sanctions import Offence
from complaints.domain.seller import AfterSalesPolicy, Seller, seller_id
from complaints.domain.values import (
    TERMINAL,
    Actor,
    Attachment,
    Category,
    EvidenceFile,
    Money,
    Outcome,
    Remedy,
    Role,
    SanctionKind,
    ViolationKind,
    Visibility,
)
from complaints.domain.violation import Violation
from complaints.domain.webhook import WebhookEndpoint
from complaints.outbound import UnsafeAddress, resolve
from complaints.settings import Settings, Store
from complaints.store.files import FileStore
from complaints.store.hash_chain import HashedPOPORecorder, HashedRecorder, Verification, verify
from complaints.store.idempotency import IdempotencyRecord, check_key, fingerprint, record_id, scope
from complaints.store.personal_data import KeyStore, PersonalDataCipher, open_key_store
from complaints.store.postgres import check_when_idle, creating_tables
from complaints.store.signal import Signal
from complaints.store.transcodings import register_domain_transcodings

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate)
P = ParamSpec("P")

#: Confirmed violations that count on the sanction ladder (R8); the rest count on the scorecard.
SANCTIONED_VIOLATIONS = {
    ViolationKind.COUNTERFEIT: Offence.COUNTERFEIT,
    ViolationKind.FRAUD: Offence.FRAUD,
}

#: Every kind of aggregate the application holds.
AGGREGATES: tuple[type[Aggregate], ...] = (
    Complaint,
    Seller,
    Violation,
    SubjectErasure,
    IdempotencyRecord,
    OrderComplaints,
    WebhookEndpoint,
)
#: Complaint categories whose final ruling for the consumer is itself a confirmed violation.
RULED_VIOLATIONS = {
    Category.COUNTERFEIT: ViolationKind.COUNTERFEIT,
    Category.FRAUD: ViolationKind.FRAUD,
}
CONSUMER_FAVOUR = frozenset({Outcome.CONSUMER_FAVOUR_FULL, Outcome.CONSUMER_FAVOUR_PARTIAL})
#: Command parameters added after idempotency records were first written. While absent (None)
#: they stay out of the fingerprint, so a retry across the upgrade still matches its record.
ADDED_PARAMETERS = frozenset({"evidence", "request_id", "advance_refund"})
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def aggregate_of(topic: str) -> type[Aggregate] | None:
    """The aggregate class whose event is stored under `topic`; None if it names none of ours
    (or nothing at all).

    The topic is resolved rather than read as text: a class that moved keeps its old topic
    registered (`register_topic`), and its stored events then still name it.
    """
    try:
        event_class = resolve_topic(topic)
    except TopicError:
        return None
    if not isinstance(event_class, type):
        return None
    return next((a for a in AGGREGATES if issubclass(event_class, a.Event)), None)


def new_reference(now: datetime) -> str:
    """A short, unambiguous reference such as C-2026-7KQ2M9XD (40 random bits)."""
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"C-{now.year}-{code}"


class ReadCache:
    """Aggregates as this process last read them, for reading (never for changing).

    A query for one case used to replay it from the store each time (select, decode, decrypt,
    apply), and every filing loaded its shop the same way. Here an aggregate read before is
    brought up to date with one indexed select of the events stored since (eventsourcing's
    fast-forward), and only when there are some is it copied and advanced: a cached aggregate is
    never changed in place, so a reader still holding the old one is not disturbed.

    An entry checked after the last write anyone made (`WriteMark`) is served without that
    select (`ComplaintsApp.cached_complaint`).

    Personal text is decrypted when an aggregate is loaded, so an entry lives at most `ttl`
    seconds (KEY_CACHE_SECONDS, the bound the key cache already gives an erasure in another
    process); an erasure in this process clears the cache at once.
    """

    def __init__(self, maxsize: int, ttl: float) -> None:
        self.maxsize = maxsize
        self.ttl = ttl
        #: id -> (loaded at, the aggregate, the write mark it was checked against)
        self._entries: OrderedDict[UUID, tuple[float, Aggregate, int | None]] = OrderedDict()
        self._lock = threading.Lock()
        #: When the cache was last cleared: what was loaded before then is not taken back.
        self._cleared_at = 0.0

    def get(self, aggregate_id: UUID) -> tuple[Aggregate, int | None, float] | None:
        """The aggregate, the write mark it was last checked against, and when it was loaded
        (an advanced copy keeps its original's time: its older text was decrypted then)."""
        with self._lock:
            entry = self._entries.get(aggregate_id)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > self.ttl:
                del self._entries[aggregate_id]
                return None
            self._entries.move_to_end(aggregate_id)
            return entry[1], entry[2], entry[0]

    def put(self, aggregate: Aggregate, loaded_at: float, checked_at: int | None) -> None:
        with self._lock:
            if loaded_at < self._cleared_at:
                return  # read before an erasure cleared the cache: it may hold erased text
            current = self._entries.get(aggregate.id)
            if current is not None and current[1].version > aggregate.version:
                return  # a later read already stored a newer state
            self._entries[aggregate.id] = (
                loaded_at if current is None else min(loaded_at, current[0]),
                aggregate,
                checked_at,
            )
            self._entries.move_to_end(aggregate.id)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._cleared_at = time.monotonic()


class WriteMark:
    """A number that changes whenever anything is written to the store, by any process: what
    lets a cached aggregate be served without asking the store whether it changed.

    - In memory: this process's saves (no other process shares the store).
    - SQLite: `PRAGMA data_version` on a connection of its own, which changes when any other
      connection, in this process or another, commits to the file (read models included).
    - PostgreSQL: the count of `saved` pulses while the read models' listener hears every
      NOTIFY the event store sends (`ReadModels.listen` installs it); None before and while
      it is reconnecting. A write by another process is seen once its NOTIFY arrives.
    """

    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()

    def __call__(self) -> int | None:
        with self._lock:
            try:
                row = self._conn.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                return None
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @staticmethod
    def for_store(store: Store, saved: Signal) -> Callable[[], int | None]:
        if store.kind == "memory":
            return lambda: saved.pulses
        if store.kind == "sqlite":
            assert store.path is not None
            return WriteMark(store.path)
        return lambda: None


@dataclass
class Changes(Generic[A]):
    """What a command changed: the aggregate it answers with, and any others saved alongside."""

    result: A
    others: tuple[Aggregate, ...] = ()
    after_save: Callable[[], object] | None = field(default=None, repr=False)


class Command(Generic[P, A]):
    """An application command: its method, run with idempotency, one atomic save and bounded
    retries. Read on the class (`ComplaintsApp.file_complaint`) it is this object, which the
    GraphQL layer binds its inputs to by name; read on an application it is a `BoundCommand`."""

    def __init__(self, method: Callable[Concatenate[ComplaintsApp, P], Changes[A]]) -> None:
        self.__doc__ = method.__doc__
        self.method = method
        self.name = method.__name__
        self.signature = inspect.signature(method)

    def run(
        self, app: ComplaintsApp, idempotency_key: str | None, /, *args: P.args, **kwargs: P.kwargs
    ) -> A:
        arguments = self.signature.bind(app, *args, **kwargs).arguments
        actor: Actor = arguments["actor"]
        # The fingerprint of a keyed call is taken from these, exactly as they were passed;
        # a parameter added since keys were first recorded is left out while it is absent.
        inputs = {
            k: v
            for k, v in arguments.items()
            if k not in {"self", "actor"} and not (v is None and k in ADDED_PARAMETERS)
        }
        return app.execute(
            self.name, actor, idempotency_key, inputs, lambda: self.method(app, *args, **kwargs)
        )

    @overload
    def __get__(self, app: None, owner: type[ComplaintsApp]) -> Command[P, A]: ...
    @overload
    def __get__(self, app: ComplaintsApp, owner: type[ComplaintsApp]) -> BoundCommand[P, A]: ...
    def __get__(
        self, app: ComplaintsApp | None, owner: type[ComplaintsApp]
    ) -> Command[P, A] | BoundCommand[P, A]:
        return self if app is None else BoundCommand(self, app)


class BoundCommand(Generic[P, A]):
    """A command of one application: `app.file_complaint(actor, ..., idempotency_key="k")`.

    The key is not a parameter of the command methods. A ParamSpec cannot gain a keyword
    (PEP 612), so a call with a key is typed by a second overload that checks its arguments only
    when it runs; a call without one is checked in full.
    """

    def __init__(self, command: Command[P, A], app: ComplaintsApp) -> None:
        self.command = command
        self.app = app

    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> A: ...
    @overload
    def __call__(self, *args: Any, idempotency_key: str | None, **kwargs: Any) -> A: ...
    def __call__(self, *args: Any, **kwargs: Any) -> A:
        key = kwargs.pop("idempotency_key", None)
        return self.command.run(self.app, key, *args, **kwargs)


def command(
    method: Callable[Concatenate[ComplaintsApp, P], Changes[A]],
) -> Command[P, A]:
    """Run an application command with idempotency, one atomic save and bounded retries."""
    return Command(method)


class ComplaintsApp(Application[UUID]):
    name = "complaints"
    #: A shop lives for years and every refund, strike and top-up adds to its history, and a
    #: long dispute gathers hundreds of events: a snapshot every 100 keeps loading either flat.
    #: Personal text stays sealed per subject inside snapshots, as in events.
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        Seller: 100,
        Complaint: 100,
    }

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        keys: KeyStore | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.clock: Clock = clock or SystemClock()
        store = self.settings.store
        if store.kind == "sqlite":
            assert store.path is not None
            store.path.parent.mkdir(parents=True, exist_ok=True)
        with creating_tables(store):
            self.keys = keys or open_key_store(store, self.settings.key_cache_seconds)
            self.cipher = PersonalDataCipher(self.keys)
            #: Evidence files, sealed under their uploaders' keys.
            self.files = FileStore(self.settings.upload_dir, self.keys)
            #: Pulsed after every save, so that in-process followers of the log wake up at once.
            self.saved = Signal()
            #: Aggregates as last read, for queries and checks (`read_complaint`).
            self.read_cache = ReadCache(10_000, self.settings.key_cache_seconds)
            #: A number that changes whenever anything is written by any process, or None while
            #: that cannot be known (then every read asks the store). See `WriteMark`.
            self.write_mark: Callable[[], int | None] = WriteMark.for_store(store, self.saved)
            self._local = threading.local()
            super().__init__(env=self.settings.eventsourcing_env())
        if store.kind == "postgres":
            check_when_idle(self.recorder.datastore.pool)  # type: ignore[attr-defined]

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        # Settings is the one place that reads the environment; ignore os.environ here.
        return Environment(name, {"IS_SNAPSHOTTING_ENABLED": "y", **(env or {})})

    def construct_recorder(self) -> ApplicationRecorder:
        # The in-memory factory ignores APPLICATION_RECORDER_TOPIC; chain its events too.
        if self.settings.store.kind == "memory":
            return HashedPOPORecorder()
        return super().construct_recorder()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_domain_transcodings(transcoder, self.cipher)

    def close(self) -> None:
        super().close()
        self.keys.close()
        if isinstance(self.write_mark, WriteMark):
            self.write_mark.close()

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            self._local.position = recordings[-1].notification.id
        self.saved.pulse()

    def last_saved_position(self) -> int | None:
        """The log position of the last event this thread saved: what to wait for, to read
        one's own writes."""
        position: int | None = getattr(self._local, "position", None)
        return position

    # ------------------------------------------------------------------ the command runner
    def context(self, actor: Actor) -> CommandContext:
        return CommandContext(
            actor, self.clock.now(), self.settings.deadlines, self.settings.replacement_attempts
        )

    def execute(
        self,
        name: str,
        actor: Actor,
        key: str | None,
        inputs: dict[str, Any],
        attempt: Callable[[], Changes[A]],
    ) -> A:
        print_ = fingerprint(name, inputs) if key is not None else ""
        if key is not None:
            check_key(key)
        for attempt_number in itertools.count(1):
            if key is not None:
                replayed = self._replay(actor, key, print_)
                if replayed is not None:
                    return cast(A, replayed)
            changes = attempt()
            aggregates: list[Aggregate] = [changes.result, *changes.others]
            if key is not None:
                aggregates.append(
                    IdempotencyRecord(
                        scope=scope(actor, key),
                        command=name,
                        fingerprint=print_,
                        result_id=changes.result.id,
                        result_version=changes.result.version,
                        timestamp=self.clock.now(),
                    )
                )
            try:
                self.save(*aggregates)
            except IntegrityError:
                if attempt_number > self.settings.command_retries:
                    raise ConcurrentUpdate(
                        f"{name} kept colliding with concurrent changes; try again."
                    ) from None
                log.info("retrying %s after a concurrent change (attempt %d)", name, attempt_number)
                time.sleep(random.uniform(0, 0.005 * attempt_number))  # noqa: S311 - jitter
                continue
            if changes.after_save is not None:
                changes.after_save()
            return changes.result
        raise AssertionError("unreachable")  # pragma: no cover

    def _replay(self, actor: Actor, key: str, print_: str) -> Aggregate | None:
        try:
            record = cast(IdempotencyRecord, self.repository.get(record_id(actor, key)))
        except AggregateNotFoundError:
            return None
        if record.fingerprint != print_:
            raise IdempotencyKeyReused(
                "This idempotency key was already used for a different request."
            )
        return self.repository.get(record.result_id, version=record.result_version)

    # ------------------------------------------------------------------ reading
    def _get(self, aggregate_id: UUID, kind: type[A], missing: Exception) -> A:
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        if not isinstance(aggregate, kind):
            raise missing
        return aggregate

    def get_complaint(self, complaint_id_: UUID) -> Complaint:
        return self._get(complaint_id_, Complaint, ComplaintNotFound("No such complaint."))

    def read_complaint(self, complaint_id_: UUID) -> Complaint:
        """The complaint as it stands now, for reading only (`ReadCache`). Never change what
        this returns; commands load with `get_complaint`."""
        return self._read(complaint_id_, lambda: self.get_complaint(complaint_id_))

    def cached_complaint(self, complaint_id_: UUID) -> Complaint | None:
        """The complaint without reading the store, when the read cache holds it and nothing
        was written anywhere since it was checked; None otherwise (then `read_complaint`). It
        takes microseconds, so the API may call it on its event loop."""
        mark = self.write_mark()
        if mark is None:
            return None
        cached = self.read_cache.get(complaint_id_)
        if cached is None or cached[1] != mark:
            return None
        return cast(Complaint, cached[0])

    def read_seller(self, shop_id: str) -> Seller:
        """The shop as it stands now, for reading only (`ReadCache`)."""
        return self._read(seller_id(shop_id), lambda: self.get_seller(shop_id))

    def _read(self, aggregate_id: UUID, load: Callable[[], A]) -> A:
        # Mark the writes before asking the store: one made meanwhile makes the next read ask.
        writes = self.write_mark()
        cached = self.read_cache.get(aggregate_id)
        loaded_at = time.monotonic()
        if cached is None:
            aggregate = load()
        else:
            loaded_at = cached[2]
            newer = list(self.events.get(aggregate_id, gt=cached[0].version))
            if not newer:
                self.read_cache.put(cached[0], loaded_at, writes)
                return cast(A, cached[0])
            advanced = project_aggregate(copy.deepcopy(cached[0]), newer)
            assert advanced is not None
            aggregate = cast(A, advanced)
        self.read_cache.put(aggregate, loaded_at, writes)
        return aggregate

    def get_complaint_by_reference(self, reference: str) -> Complaint:
        return self.get_complaint(complaint_id(reference))

    def get_seller(self, shop_id: str) -> Seller:
        return self._get(seller_id(shop_id), Seller, SellerNotFound(f"No shop {shop_id!r}."))

    def get_violation(self, violation_id: UUID) -> Violation:
        return self._get(violation_id, Violation, ViolationNotFound("No such violation."))

    def history(self, complaint_id_: UUID) -> list[AggregateEvent]:
        """Every event of a complaint, oldest first."""
        self.get_complaint(complaint_id_)
        return [cast(AggregateEvent, e) for e in self.events.get(complaint_id_)]

    def event(self, complaint_id_: UUID, version: int) -> AggregateEvent | None:
        """One stored event of a complaint, decoded now (so erasure applies)."""
        events = list(self.events.get(complaint_id_, gt=version - 1, lte=version))
        return cast(AggregateEvent, events[0]) if events else None

    def verify_history(self, aggregate_id: UUID) -> Verification:
        """Recompute the hash chain of one aggregate's stored events against the recorded one."""
        recorder = self.recorder
        assert isinstance(recorder, HashedRecorder)
        stored = recorder.select_events(aggregate_id)
        return verify(stored, recorder.select_hashes(aggregate_id))

    def complaint_as_of(
        self, complaint_id_: UUID, *, version: int | None = None, at: datetime | None = None
    ) -> Complaint:
        """The complaint exactly as it stood at a version, or at a moment."""
        if version is None and at is None:
            return self.get_complaint(complaint_id_)
        # Only the latest version is needed to check the request: one row, not the whole case.
        latest = self.recorder.select_events(complaint_id_, desc=True, limit=1)
        if not latest or aggregate_of(latest[0].topic) is not Complaint:
            raise ComplaintNotFound("No such complaint.")
        if version is not None:
            if not 1 <= version <= latest[0].originator_version:
                raise ValidationFailed(
                    [FieldError("version", f"must be from 1 to {latest[0].originator_version}")]
                )
            return cast(Complaint, self.repository.get(complaint_id_, version=version))
        assert at is not None
        if at.tzinfo is None:
            raise ValidationFailed([FieldError("at", "must include a time zone")])
        # Start from the latest snapshot whose last event is not after the moment.
        start: Complaint | None = None
        for snapshot in self.snapshots.get(complaint_id_, desc=True) if self.snapshots else ():
            candidate = cast(Complaint, snapshot.mutate(None))  # type: ignore[attr-defined]
            if candidate.modified_on <= at:
                start = candidate
                break
        events: Iterator[Any] = itertools.takewhile(
            lambda e: e.timestamp <= at,
            self.events.get(complaint_id_, gt=start.version if start else None),
        )
        complaint = project_aggregate(start, events)
        if complaint is None:
            raise ComplaintNotFound("The complaint had not been filed yet at that moment.")
        return complaint

    # ------------------------------------------------------------------ sellers (R9, R8, R10)
    @command
    def register_seller(
        self,
        actor: Actor,
        shop_id: str,
        name: str,
        deposit: Money,
    ) -> Changes[Seller]:
        seller = Seller.register(self.context(actor), shop_id=shop_id, name=name, deposit=deposit)
        if seller.id in self.repository:
            raise SellerAlreadyRegistered(f"Shop {shop_id!r} is already registered.")
        return Changes(seller)

    @command
    def set_after_sales_policy(
        self,
        actor: Actor,
        shop_id: str,
        policy: AfterSalesPolicy,
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.set_after_sales_policy(self.context(actor), policy)
        return Changes(seller)

    @command
    def top_up_deposit(self, actor: Actor, shop_id: str, amount: Money) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.top_up_deposit(self.context(actor), amount)
        return Changes(seller)

    @command
    def sanction_seller(
        self,
        actor: Actor,
        shop_id: str,
        kind: SanctionKind,
        reason: str,
        complaint_id: UUID | None = None,
        fine: Money | None = None,
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.impose_sanction(
            self.context(actor),
            kind=kind,
            reason=reason,
            complaint_id=complaint_id,
            fine=fine,
            lasts=self.settings.sanctions.lasts(kind),
        )
        return Changes(seller)

    @command
    def appeal_sanction(
        self, actor: Actor, shop_id: str, sanction_id: str, grounds: str
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.appeal_sanction(self.context(actor), sanction_id=sanction_id, grounds=grounds)
        return Changes(seller)

    @command
    def decide_sanction_appeal(
        self, actor: Actor, shop_id: str, sanction_id: str, grant: bool, rationale: str
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.decide_sanction_appeal(
            self.context(actor), sanction_id=sanction_id, grant=grant, rationale=rationale
        )
        return Changes(seller)

    @command
    def expire_sanction(self, actor: Actor, shop_id: str, sanction_id: str) -> Changes[Seller]:
        """End a sanction whose time is up (the worker's job). Idempotent."""
        seller = self.get_seller(shop_id)
        seller.expire_sanction(self.context(actor), sanction_id=sanction_id)
        return Changes(seller)

    @command
    def lift_sanction(
        self,
        actor: Actor,
        shop_id: str,
        kind: SanctionKind,
        reason: str,
    ) -> Changes[Seller]:
        seller = self.get_seller(shop_id)
        seller.lift_sanction(self.context(actor), kind=kind, reason=reason)
        return Changes(seller)

    @command
    def record_spot_check(
        self,
        actor: Actor,
        shop_id: str,
        passed: bool,
        findings: str,
    ) -> Changes[Seller]:
        ctx = self.context(actor)
        seller = self.get_seller(shop_id)
        seller.record_spot_check(ctx, passed=passed, findings=findings)
        if not passed:
            seller.strike(
                ctx, self.settings.sanctions, offence=Offence.SPOT_CHECK_FAILED, reason=findings
            )
        return Changes(seller)

    @command
    def report_violation(
        self,
        actor: Actor,
        shop_id: str,
        kind: ViolationKind,
        description: str,
        complaint_id: UUID | None = None,
    ) -> Changes[Violation]:
        seller = self.get_seller(shop_id)
        if complaint_id is not None:
            self.get_complaint(complaint_id)
        violation = Violation.report(
            self.context(actor),
            shop_id=seller.shop_id,
            kind=kind,
            description=description,
            complaint_id=complaint_id,
        )
        return Changes(violation)

    @command
    def respond_to_violation(
        self, actor: Actor, violation_id: UUID, response: str
    ) -> Changes[Violation]:
        violation = self.get_violation(violation_id)
        violation.respond(self.context(actor), response=response)
        return Changes(violation)

    @command
    def confirm_violation(self, actor: Actor, violation_id: UUID) -> Changes[Violation]:
        ctx = self.context(actor)
        violation = self.get_violation(violation_id)
        violation.confirm(ctx)
        seller = self.get_seller(violation.shop_id)
        seller.record_violation(ctx, violation_id=violation.id, kind=violation.kind)
        offence = SANCTIONED_VIOLATIONS.get(violation.kind)
        if offence is not None:
            seller.strike(
                ctx,
                self.settings.sanctions,
                offence=offence,
                reason=f"A {violation.kind.value.lower()} violation was confirmed.",
                complaint_id=violation.complaint_id,
                violation_id=violation.id,
            )
        return Changes(violation, (seller,))

    @command
    def dismiss_violation(
        self, actor: Actor, violation_id: UUID, reason: str
    ) -> Changes[Violation]:
        violation = self.get_violation(violation_id)
        violation.dismiss(self.context(actor), reason=reason)
        return Changes(violation)

    # ------------------------------------------------------------------ intake (R1)
    @command
    def file_complaint(
        self,
        actor: Actor,
        shop_id: str,
        order_id: str,
        category: Category,
        description: str,
        requested_remedy: Remedy,
        evidence: list[Attachment] | None = None,
    ) -> Changes[Complaint]:
        ctx = self.context(actor)
        seller = self.read_seller(shop_id)  # only read: the filing changes nothing of the shop
        attached = evidence or []
        complaint = Complaint.file(
            ctx,
            reference=new_reference(ctx.now),
            shop_id=seller.shop_id,
            order_id=order_id,
            category=category,
            description=description,
            requested_remedy=requested_remedy,
            evidence=attached,
            files=self.uploads_of(actor, [a.sha256 for a in attached]),
        )
        # One open complaint per order: the index is saved with the complaint, so of two
        # filings that race, the store refuses one, and its retry finds the other open.
        index = self._order_index(seller.shop_id, order_id, actor.id)
        if index is None:
            index = OrderComplaints(
                shop_id=seller.shop_id,
                order_id=order_id,
                consumer_id=actor.id,
                complaint_id=complaint.id,
                reference=complaint.reference,
                timestamp=ctx.now,
            )
        else:
            latest_id, reference = index.latest
            if self.get_complaint(latest_id).status not in TERMINAL:
                raise DuplicateComplaint(reference)
            index.index(complaint.id, complaint.reference, ctx.now)
        return Changes(complaint, (index,))

    def _order_index(self, shop_id: str, order_id: str, consumer_id: str) -> OrderComplaints | None:
        try:
            index: Any = self.repository.get(order_index_id(shop_id, order_id, consumer_id))
        except AggregateNotFoundError:
            return None
        assert isinstance(index, OrderComplaints)
        return index

    @command
    def accept_complaint(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.accept(self.context(actor))
        return Changes(complaint)

    @command
    def return_complaint_for_info(
        self,
        actor: Actor,
        complaint_id: UUID,
        reason: str,
        missing: list[str],
        rule_codes: list[str] | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.return_for_info(
            self.context(actor), reason=reason, missing=missing, rule_codes=rule_codes or []
        )
        return Changes(complaint)

    @command
    def reject_complaint(
        self,
        actor: Actor,
        complaint_id: UUID,
        reason: str,
        rule_code: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.reject(self.context(actor), reason=reason, rule_code=rule_code)
        return Changes(complaint)

    @command
    def resubmit_complaint(
        self,
        actor: Actor,
        complaint_id: UUID,
        description: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.resubmit(self.context(actor), description=description)
        return Changes(complaint)

    @command
    def withdraw_complaint(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.withdraw(self.context(actor))
        return Changes(complaint)

    # ------------------------------------------------------------------ negotiation (R6)
    @command
    def make_offer(
        self,
        actor: Actor,
        complaint_id: UUID,
        remedy: Remedy,
        message: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.make_offer(self.context(actor), remedy=remedy, message=message)
        return Changes(complaint)

    @command
    def accept_offer(self, actor: Actor, complaint_id: UUID, offer_id: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.accept_offer(self.context(actor), offer_id=offer_id)
        return Changes(complaint)

    @command
    def decline_offer(
        self,
        actor: Actor,
        complaint_id: UUID,
        offer_id: str,
        reason: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.decline_offer(self.context(actor), offer_id=offer_id, reason=reason)
        return Changes(complaint)

    @command
    def propose_settlement(
        self,
        actor: Actor,
        complaint_id: UUID,
        remedy: Remedy,
        message: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.propose_settlement(self.context(actor), remedy=remedy, message=message)
        return Changes(complaint)

    @command
    def request_intervention(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.request_intervention(self.context(actor))
        return Changes(complaint)

    @command
    def post_message(
        self,
        actor: Actor,
        complaint_id: UUID,
        text: str,
        visibility: Visibility = Visibility.PARTIES,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.post_message(self.context(actor), text=text, visibility=visibility)
        return Changes(complaint)

    # ------------------------------------------------------------------ investigation (R2)
    @command
    def assign_complaint(
        self,
        actor: Actor,
        complaint_id: UUID,
        arbiter_id: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.assign(self.context(actor), arbiter_id=arbiter_id)
        return Changes(complaint)

    @command
    def request_evidence(
        self,
        actor: Actor,
        complaint_id: UUID,
        party: Role,
        kinds: list[str],
        note: str | None = None,
        due_at: datetime | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.request_evidence(
            self.context(actor), party=party, kinds=kinds, note=note, due_at=due_at
        )
        return Changes(complaint)

    @command
    def submit_evidence(
        self,
        actor: Actor,
        complaint_id: UUID,
        kind: str,
        description: str,
        sha256: str | None = None,
        request_id: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.submit_evidence(
            self.context(actor),
            kind=kind,
            description=description,
            sha256=sha256,
            request_id=request_id,
            files=self.uploads_of(actor, [sha256] if sha256 else []),
        )
        return Changes(complaint)

    def uploads_of(self, actor: Actor, hashes: Iterable[str]) -> dict[str, EvidenceFile]:
        """Those of the files named that `actor` uploaded and that can still be read."""
        found = {}
        for sha256 in set(hashes):
            if file := self.files.describe(actor.id, sha256):
                found[sha256] = file
        return found

    @command
    def record_finding(self, actor: Actor, complaint_id: UUID, finding: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.record_finding(self.context(actor), finding=finding)
        return Changes(complaint)

    # ------------------------------------------------------------------ ruling (R3)
    @command
    def issue_ruling(
        self,
        actor: Actor,
        complaint_id: UUID,
        outcome: Outcome,
        rationale: str,
        remedy: Remedy | None = None,
        rule_codes: list[str] | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.issue_ruling(
            self.context(actor),
            outcome=outcome,
            remedy=remedy,
            rationale=rationale,
            rule_codes=rule_codes or [],
        )
        return Changes(complaint)

    @command
    def acknowledge_ruling(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.acknowledge_ruling(self.context(actor))
        return Changes(complaint)

    @command
    def file_appeal(self, actor: Actor, complaint_id: UUID, grounds: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.file_appeal(self.context(actor), grounds=grounds)
        return Changes(complaint)

    @command
    def decide_appeal(
        self,
        actor: Actor,
        complaint_id: UUID,
        grant: bool,
        rationale: str,
        outcome: Outcome | None = None,
        remedy: Remedy | None = None,
    ) -> Changes[Complaint]:
        ctx = self.context(actor)
        complaint = self.get_complaint(complaint_id)
        complaint.decide_appeal(
            ctx, grant=grant, outcome=outcome, remedy=remedy, rationale=rationale
        )
        return Changes(complaint, self._violation_found(ctx, complaint))

    def _violation_found(self, ctx: CommandContext, complaint: Complaint) -> tuple[Aggregate, ...]:
        """Complaints feed enforcement: when a ruling for the consumer on a counterfeit or fraud
        complaint becomes final in this command (the appeal window closed, or an appeal upheld
        it), a confirmed violation linked to the case, the strike and its rung are saved with
        it. A ruling by default, for a party that did not answer, proves no violation."""
        kind = RULED_VIOLATIONS.get(complaint.category)
        finalised = any(isinstance(e, Complaint.RulingFinalised) for e in complaint.pending_events)
        if (
            kind is None
            or not finalised
            or complaint.decided_by_default
            or complaint.outcome not in CONSUMER_FAVOUR
        ):
            return ()
        violation = Violation.found_by_ruling(
            ctx,
            shop_id=complaint.shop_id,
            kind=kind,
            complaint_id=complaint.id,
            reference=complaint.reference,
        )
        seller = self.get_seller(complaint.shop_id)
        seller.record_violation(ctx, violation_id=violation.id, kind=kind)
        seller.strike(
            ctx,
            self.settings.sanctions,
            offence=SANCTIONED_VIOLATIONS[kind],
            reason=f"Complaint {complaint.reference}: the final ruling found"
            f" {kind.value.lower()} for the consumer.",
            complaint_id=complaint.id,
            violation_id=violation.id,
        )
        return (violation, seller)

    # ------------------------------------------------------------------ enforcement (R4)
    @command
    def confirm_refund(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.confirm_refund(self.context(actor))
        return Changes(complaint)

    @command
    def ship_return(
        self,
        actor: Actor,
        complaint_id: UUID,
        carrier: str,
        tracking_number: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.ship_return(self.context(actor), carrier=carrier, tracking_number=tracking_number)
        return Changes(complaint)

    @command
    def confirm_return_received(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.confirm_return_received(self.context(actor))
        return Changes(complaint)

    @command
    def ship_replacement(
        self,
        actor: Actor,
        complaint_id: UUID,
        carrier: str,
        tracking_number: str,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.ship_replacement(
            self.context(actor), carrier=carrier, tracking_number=tracking_number
        )
        return Changes(complaint)

    @command
    def raise_execution_issue(
        self, actor: Actor, complaint_id: UUID, text: str
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.raise_execution_issue(self.context(actor), text=text)
        return Changes(complaint)

    @command
    def resolve_execution_issue(
        self,
        actor: Actor,
        complaint_id: UUID,
        resolution: str,
        issue_id: str | None = None,
        advance_refund: bool | None = None,
    ) -> Changes[Complaint]:
        """A supervisor resolves an execution issue. For a disputed remedy, `advance_refund`
        has the platform pay it from the seller's deposit, with a strike, exactly as for a
        missed refund; without it the dispute is dismissed. Either way the case closes."""
        ctx = self.context(actor)
        complaint = self.get_complaint(complaint_id)
        advanced = complaint.resolve_execution_issue(
            ctx, issue_id=issue_id, resolution=resolution, advance_refund=bool(advance_refund)
        )
        if advanced is None:
            return Changes(complaint)
        seller = self.get_seller(complaint.shop_id)
        seller.deduct_deposit(
            ctx, advanced, reason="advance refund to the consumer", complaint_id=complaint.id
        )
        seller.strike(
            ctx,
            self.settings.sanctions,
            offence=Offence.REMEDY_MISSED,
            reason=f"Complaint {complaint.reference}: the consumer disputed the remedy, and"
            " supervision found it was not carried out.",
            complaint_id=complaint.id,
        )
        return Changes(complaint, (seller,))

    @command
    def confirm_remedy_received(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.confirm_remedy_received(self.context(actor))
        return Changes(complaint)

    @command
    def dispute_remedy(self, actor: Actor, complaint_id: UUID, reason: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.dispute_remedy(self.context(actor), reason=reason)
        return Changes(complaint)

    # ------------------------------------------------------------------ feedback (R5)
    @command
    def rate_handling(
        self,
        actor: Actor,
        complaint_id: UUID,
        score: int,
        comment: str | None = None,
    ) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.rate_handling(self.context(actor), score=score, comment=comment)
        return Changes(complaint)

    # ------------------------------------------------------------------ time (DESIGN §9)
    @command
    def pause_clock(self, actor: Actor, complaint_id: UUID, reason: str) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.pause_clock(self.context(actor), reason=reason)
        return Changes(complaint)

    @command
    def resume_clock(self, actor: Actor, complaint_id: UUID) -> Changes[Complaint]:
        complaint = self.get_complaint(complaint_id)
        complaint.resume_clock(self.context(actor))
        return Changes(complaint)

    @command
    def lapse_deadline(
        self,
        actor: Actor,
        complaint_id: UUID,
        deadline_id: int,
    ) -> Changes[Complaint]:
        """Enforce a due deadline. When the seller defaulted on a refund, the platform pays the
        consumer first and recovers the sum from the deposit, in the same transaction."""
        ctx = self.context(actor)
        complaint = self.get_complaint(complaint_id)
        result = complaint.lapse_deadline(ctx, deadline_id)
        if result is None or not result.remedy_missed:
            return Changes(complaint, self._violation_found(ctx, complaint))
        seller = self.get_seller(complaint.shop_id)
        if result.advance_refund is not None:
            assert result.advance_refund.amount is not None
            seller.deduct_deposit(
                ctx,
                result.advance_refund.amount,
                reason="advance refund to the consumer",
                complaint_id=complaint.id,
            )
        seller.strike(
            ctx,
            self.settings.sanctions,
            offence=Offence.REMEDY_MISSED,
            reason=f"Complaint {complaint.reference}: the remedy was not carried out in time.",
            complaint_id=complaint.id,
        )
        return Changes(complaint, (seller,))

    @command
    def remind_deadline(
        self, actor: Actor, complaint_id: UUID, deadline_id: int
    ) -> Changes[Complaint]:
        """Remind a deadline's party before it lapses (REMINDERS), if a reminder is owed now.
        Idempotent: the deadline worker may send it twice; the case records it once."""
        complaint = self.get_complaint(complaint_id)
        complaint.remind(self.context(actor), deadline_id, self.settings.reminders)
        return Changes(complaint)

    # ------------------------------------------------------------------ webhooks
    def get_webhook(self, endpoint_id: UUID) -> WebhookEndpoint:
        return self._get(endpoint_id, WebhookEndpoint, WebhookNotFound("No such webhook endpoint."))

    @command
    def register_webhook(
        self, actor: Actor, shop_id: str, url: str, events: list[str] | None = None
    ) -> Changes[WebhookEndpoint]:
        """A shop's staff (or platform staff) point the shop's case updates at a URL. The URL
        must be https in production, and its host must resolve to public addresses only."""
        settings = self.settings
        endpoint = WebhookEndpoint.register(
            self.context(actor),
            shop_id=shop_id,
            url=url,
            events=events,
            require_https=settings.environment == "production",
            allow_private=settings.webhook_allow_private,
        )
        self.get_seller(shop_id)
        try:
            resolve(url, allow_private=settings.webhook_allow_private)
        except UnsafeAddress as refusal:
            raise ValidationFailed([FieldError("url", str(refusal))]) from None
        return Changes(endpoint)

    @command
    def remove_webhook(self, actor: Actor, endpoint_id: UUID) -> Changes[WebhookEndpoint]:
        endpoint = self.get_webhook(endpoint_id)
        endpoint.remove(self.context(actor))
        return Changes(endpoint)

    @command
    def redeliver_webhooks(
        self, actor: Actor, endpoint_id: UUID, after: int
    ) -> Changes[WebhookEndpoint]:
        """Send again every entry after a log position (and enable a disabled endpoint)."""
        endpoint = self.get_webhook(endpoint_id)
        head = self.recorder.max_notification_id() or 0
        endpoint.redeliver(self.context(actor), after, head)
        return Changes(endpoint)

    @command
    def disable_webhook(
        self, actor: Actor, endpoint_id: UUID, reason: str
    ) -> Changes[WebhookEndpoint]:
        """The deliverer gives up on an endpoint that kept failing (WEBHOOK_RETRY_FOR)."""
        endpoint = self.get_webhook(endpoint_id)
        endpoint.disable(self.context(actor), reason)
        return Changes(endpoint)

    # ------------------------------------------------------------------ personal data (§7)
    @command
    def erase_subject(self, actor: Actor, subject_id: str) -> Changes[SubjectErasure]:
        """Record the erasure, then destroy the subject's keys. Erasing twice changes nothing;
        if new data arrived since, its keys are destroyed too."""
        ctx = self.context(actor)
        check_erasure(ctx, subject_id)
        try:
            record: SubjectErasure | None = cast(
                SubjectErasure, self.repository.get(erasure_id(subject_id))
            )
        except AggregateNotFoundError:
            record = None
        has_keys = self.keys.has_keys(subject_id)
        if not has_keys:
            if record is None:
                raise SubjectNotFound(f"No personal data is held for {subject_id!r}.")
            return Changes(record)
        record = record or SubjectErasure.start(ctx, subject_id)
        record.erase(ctx)

        # The record is saved before the keys go: an interrupted erasure is simply repeated.
        # Cases read before hold the subject's text decrypted: forget them all.
        def destroy() -> None:
            self.keys.destroy(subject_id)
            self.read_cache.clear()

        return Changes(record, after_save=destroy)

"""The command runner: how every application command runs, whatever its aggregate.

A command method reads like a sentence: load, call one command, return what changed. The
`@command` decorator around it does the rest the same way for all of them: it builds the
command context (actor, the clock's now, the deadline terms), honours idempotency keys, saves
every changed aggregate in one transaction, and retries a bounded number of times when another
writer got there first.

`CommandRunner` is the eventsourcing Application those commands run on: its construction (the
store, the keys, the recorder, the transcodings), `execute`, and the loads commands start from.
The commands themselves are mixins by aggregate (`complaints.application.complaint`,
`.sellers`, ...), which `ComplaintsApp` combines.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar, cast, overload
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.domain import Aggregate, MutableOrImmutableAggregate
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, JSONTranscoder, Recording
from eventsourcing.utils import Environment, EnvType, TopicError, resolve_topic

from complaints.clock import Clock, SystemClock
from complaints.domain.complaint import Complaint, complaint_id
from complaints.domain.context import CommandContext
from complaints.domain.erasure import SubjectErasure
from complaints.domain.errors import (
    ComplaintNotFound,
    ConcurrentUpdate,
    IdempotencyKeyReused,
    SellerNotFound,
    ViolationNotFound,
)
from complaints.domain.order import Order, order_key
from complaints.domain.order_index import OrderComplaints
from complaints.domain.seller import Seller, seller_id
from complaints.domain.text import Text
from complaints.domain.values import Actor, EvidenceFile
from complaints.domain.violation import Violation
from complaints.domain.webhook import WebhookEndpoint
from complaints.settings import Settings
from complaints.store.files import FileStore
from complaints.store.hash_chain import HashedPOPORecorder
from complaints.store.idempotency import IdempotencyRecord, check_key, fingerprint, record_id, scope
from complaints.store.personal_data import KeyStore, PersonalDataCipher, open_key_store
from complaints.store.postgres import check_when_idle, creating_tables
from complaints.store.signal import Signal
from complaints.store.transcodings import register_domain_transcodings

log = logging.getLogger(__name__)

A = TypeVar("A", bound=Aggregate)
P = ParamSpec("P")
#: The application class a command is written on (a mixin of `ComplaintsApp`).
App = TypeVar("App", bound="CommandRunner")

#: Every kind of aggregate the application holds.
AGGREGATES: tuple[type[Aggregate], ...] = (
    Complaint,
    Seller,
    Violation,
    SubjectErasure,
    IdempotencyRecord,
    OrderComplaints,
    WebhookEndpoint,
    Order,
)
#: Command parameters added after idempotency records were first written. While absent (None)
#: they stay out of the fingerprint, so a retry across the upgrade still matches its record.
ADDED_PARAMETERS = frozenset({"evidence", "request_id", "advance_refund"})


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


@dataclass
class Changes(Generic[A]):
    """What a command changed: the aggregate it answers with, and any others saved alongside."""

    result: A
    others: tuple[Aggregate, ...] = ()
    after_save: Callable[[], object] | None = field(default=None, repr=False)


class Command(Generic[App, P, A]):
    """An application command: its method, run with idempotency, one atomic save and bounded
    retries. Read on the class (`ComplaintsApp.file_complaint`) it is this object, which the
    GraphQL layer binds its inputs to by name; read on an application it is a `BoundCommand`."""

    def __init__(self, method: Callable[Concatenate[App, P], Changes[A]]) -> None:
        self.__doc__ = method.__doc__
        self.method = method
        self.name = method.__name__
        self.signature = inspect.signature(method)

    def run(self, app: App, idempotency_key: str | None, /, *args: P.args, **kwargs: P.kwargs) -> A:
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
    def __get__(self, app: None, owner: type[Any]) -> Command[App, P, A]: ...
    @overload
    def __get__(self, app: App, owner: type[Any]) -> BoundCommand[P, A]: ...
    def __get__(self, app: App | None, owner: type[Any]) -> Command[App, P, A] | BoundCommand[P, A]:
        return self if app is None else BoundCommand(self, app)


class BoundCommand(Generic[P, A]):
    """A command of one application: `app.file_complaint(actor, ..., idempotency_key="k")`.

    The key is not a parameter of the command methods. A ParamSpec cannot gain a keyword
    (PEP 612), so a call with a key is typed by a second overload that checks its arguments only
    when it runs; a call without one is checked in full.
    """

    def __init__(self, command: Command[App, P, A], app: App) -> None:
        self.command: Command[Any, P, A] = command
        self.app: CommandRunner = app

    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> A: ...
    @overload
    def __call__(self, *args: Any, idempotency_key: str | None, **kwargs: Any) -> A: ...
    def __call__(self, *args: Any, **kwargs: Any) -> A:
        key = kwargs.pop("idempotency_key", None)
        return self.command.run(self.app, key, *args, **kwargs)


def command(method: Callable[Concatenate[App, P], Changes[A]]) -> Command[App, P, A]:
    """Run an application command with idempotency, one atomic save and bounded retries."""
    return Command(method)


class CommandRunner(Application[UUID]):
    """The application every command runs on: one event log for every aggregate."""

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

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        if recordings:
            self._local.position = recordings[-1].notification.id
        self.saved.pulse()

    def last_saved_position(self) -> int | None:
        """The log position of the last event this thread saved: what to wait for, to read
        one's own writes."""
        position: int | None = getattr(self._local, "position", None)
        return position

    # ------------------------------------------------------------------ running a command
    def context(self, actor: Actor) -> CommandContext:
        return CommandContext(
            actor,
            self.clock.now(),
            self.settings.deadlines,
            self.settings.replacement_attempts,
            self.settings.max_pause,
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
                        Text("{name} kept colliding with concurrent changes; try again.", name=name)
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
                Text("This idempotency key was already used for a different request.")
            )
        result: Aggregate = self.repository.get(record.result_id, version=record.result_version)
        return self.whole(result) if isinstance(result, Complaint) else result

    # ------------------------------------------------------------------ what commands load
    def _get(self, aggregate_id: UUID, kind: type[A], missing: Exception) -> A:
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        if not isinstance(aggregate, kind):
            raise missing
        return aggregate

    def get_complaint(self, complaint_id_: UUID) -> Complaint:
        return self.whole(
            self._get(complaint_id_, Complaint, ComplaintNotFound(Text("No such complaint.")))
        )

    def whole(self, complaint: Complaint) -> Complaint:
        """The complaint with every record its events give it. One loaded from a snapshot taken
        before a record was kept (domain/complaint/snapshot.py) may lack it: the ruling by
        default, or the count of resubmissions; its own events, replayed, hold them."""
        lacks_default_ruling = complaint.decided_by_default and complaint.default_ruling is None
        if not lacks_default_ruling and complaint.resubmissions is not None:
            return complaint
        replayed = project_aggregate(None, self.events.get(complaint.id, lte=complaint.version))
        assert isinstance(replayed, Complaint)
        return replayed

    def get_complaint_by_reference(self, reference: str) -> Complaint:
        return self.get_complaint(complaint_id(reference))

    def get_seller(self, shop_id: str) -> Seller:
        return self._get(
            seller_id(shop_id),
            Seller,
            SellerNotFound(Text("No shop {shop_id!r}.", shop_id=shop_id)),
        )

    def get_violation(self, violation_id: UUID) -> Violation:
        return self._get(violation_id, Violation, ViolationNotFound(Text("No such violation.")))

    def find_order(self, shop_id: str, order_id: str) -> Order | None:
        """The order the marketplace recorded under this shop and order id, if any."""
        order = self.unsnapshotted(order_key(shop_id, order_id))
        return order if isinstance(order, Order) else None

    def unsnapshotted(self, aggregate_id: UUID) -> Any | None:
        """An aggregate of a kind never snapshotted (not in `snapshotting_intervals`), or None:
        from its events alone, one query where the repository asks two (the latest snapshot,
        then the events after it). A filing reads two such (its order and the order's index)."""
        aggregate: Any = project_aggregate(None, self.events.get(aggregate_id))
        assert type(aggregate) not in self.snapshotting_intervals, type(aggregate)
        return aggregate

    def uploads_of(self, actor: Actor, hashes: Iterable[str]) -> dict[str, EvidenceFile]:
        """Those of the files named that `actor` uploaded and that can still be read."""
        found = {}
        for sha256 in set(hashes):
            if file := self.files.describe(actor.id, sha256):
                found[sha256] = file
        return found

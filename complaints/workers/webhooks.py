"""The webhook deliverer: every timeline entry a shop may see, and every decision about the shop,
POSTed to the shop's endpoints; every shop's decisions to the marketplace's endpoints (never a
case's entry); signed as the Standard Webhooks spec says (docs/webhooks.md).

It follows two read models, each described and redacted per viewer: the timeline (the cases'
entries) and the shop decisions (sanctions, deposit deductions, violations, each with the shop's
standing after it). It keeps a position of its own per endpoint in each, like a projection:
entries after an endpoint's position become deliveries and the position moves, in one
transaction (`DeliveryLog.owe`). It then sends what is due, many at once, but never two of one
stream to one endpoint (a case's entries; a shop's decisions): a delivery that fails holds back
the later ones of its stream (and only those) until it succeeds, so each case's entries, and
each shop's decisions, arrive in log order. Failures are retried with exponential backoff and
jitter; an endpoint that keeps failing for longer than WEBHOOK_RETRY_FOR is disabled, which is
recorded on it as an event.

A delivery is marked delivered only after its receiver answered 2xx. Killed in between, the
deliverer sends it again with the same `webhook-id`: delivery is at least once, and receivers
de-duplicate by that id.

Every request goes to an address checked just before it (`complaints.outbound`), over a connection
to that very address, with the URL's host name for TLS and the Host header: a name that starts
resolving to a private address is refused, even between two deliveries. Redirects are not
followed. One leader delivers at a time, like the deadline worker; it runs in `complaints worker`,
and in `complaints serve` when that feeds the read models too.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import httpx
from standardwebhooks.webhooks import Webhook

from complaints.application import ComplaintsApp
from complaints.domain.access import sees_entry
from complaints.domain.errors import DomainError
from complaints.domain.seller import seller_id
from complaints.domain.values import SYSTEM, Actor, PersonalText, Role
from complaints.domain.webhook import is_shop_event
from complaints.graphql.ids import global_id
from complaints.graphql.types.timeline import camel_keys
from complaints.language import say
from complaints.outbound import UnsafeAddress, resolve
from complaints.projections.base import moment
from complaints.projections.coordination import Leadership, open_leadership
from complaints.projections.deliveries import (
    RESPONSE_MAX,
    SHOPS,
    TIMELINE,
    Delivery,
    Outcome,
    Owed,
    backoff,
    message_id,
)
from complaints.projections.read_models import ReadModels
from complaints.projections.shop_decisions import DecisionRow
from complaints.projections.timeline import CaseRow
from complaints.projections.webhooks import EndpointRow

log = logging.getLogger(__name__)

NAME = "webhook-deliverer"
USER_AGENT = "complaints-webhooks/1"
#: Timeline rows read per step while following the log.
READ_BATCH = 1000
#: Host names whose HTTP clients (and their kept-alive connections) are kept.
MAX_CLIENTS = 256


def seller_view(shop_id: str) -> Actor:
    """Who a shop's endpoint stands for: the shop's seller staff."""
    return Actor(Role.SELLER, f"webhook@{shop_id}", shop_id)


#: Who the marketplace's endpoints stand for.
MARKETPLACE_VIEW = Actor(Role.MARKETPLACE, "webhook@marketplace")


def viewer(endpoint: EndpointRow) -> Actor:
    return MARKETPLACE_VIEW if endpoint.shop_id is None else seller_view(endpoint.shop_id)


#: The keys in a decision's details that hold an id: the key shown, and the kind of global id.
GLOBAL_IDS = {"complaint_id": ("complaint_id", "Complaint"), "violation_id": ("id", "Violation")}


def global_ids(value: Any) -> Any:
    """Ids in a decision's details as the API shows them: global ids."""
    if isinstance(value, dict):
        shown: dict[str, Any] = {}
        for key, inner in value.items():
            if key in GLOBAL_IDS and isinstance(inner, str):
                name, kind = GLOBAL_IDS[key]
                shown[name] = global_id(kind, UUID(inner))
            else:
                shown[key] = global_ids(inner)
        return shown
    if isinstance(value, list):
        return [global_ids(inner) for inner in value]
    return value


@dataclass
class Pass:
    """What one pass did."""

    owed: int = 0
    delivered: int = 0
    failed: int = 0
    disabled: list[UUID] = field(default_factory=list)


class WebhookDeliverer:
    def __init__(
        self,
        app: ComplaintsApp,
        read_models: ReadModels,
        *,
        poll: float | None = None,
        leadership: Leadership | None = None,
        transport: httpx.BaseTransport | None = None,
        random_: Callable[[], float] = random.random,
    ) -> None:
        self.app = app
        self.read_models = read_models
        self.settings = app.settings
        self.poll = app.settings.deadline_poll_seconds if poll is None else poll
        self.leadership = leadership or open_leadership(app.settings.store, app)
        self.log = read_models.deliveries
        self._transport = transport
        #: One client per host name: a connection made (and its TLS checked) for one host is
        #: never reused for another, even when both resolve to the same address.
        self._clients: OrderedDict[str, httpx.Client] = OrderedDict()
        self._clients_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(app.settings.webhook_concurrency, "webhook-send")
        #: Deliveries sent and not yet answered, by (endpoint, position): a slow receiver holds
        #: only its own (at most `per_endpoint` at once), never the others'.
        self._in_flight: set[tuple[UUID, int]] = set()
        self._flight_lock = threading.Lock()
        self._random = random_
        self._secrets: dict[UUID, Webhook] = {}
        self._references: dict[UUID, str] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: The endpoints active when the last pass last read them.
        self._active: list[UUID] = []

    # ---------------------------------------------------------------- one pass
    def run_once(self) -> Pass:
        """Owe what is new, then send what is due until nothing more is."""
        done = Pass()
        now = self.app.clock.now()
        endpoints = {e.endpoint_id: e for e in self.read_models.webhooks.followed()}
        positions = self.log.follow(
            (
                (e.endpoint_id, e.position, e.redeliver_after, e.redeliver_version)
                for e in endpoints.values()
            ),
            now,
        )
        active = {i: e for i, e in endpoints.items() if e.active}
        shops = {i: e for i, e in active.items() if not e.marketplace}  # cases: shops' only
        done.owed = self._owe(shops, {i: positions[TIMELINE][i] for i in shops}, now)
        done.owed += self._owe_decisions(active, {i: positions[SHOPS][i] for i in active}, now)
        self._active = list(active)
        while active and not self._stop.is_set():
            # Asked again each round: an endpoint removed or disabled meanwhile gets no more.
            # (With none active at the start of the pass, nothing is due: no endpoint, no
            # query. Every batch any writer makes pulses this deliverer.)
            active = {e.endpoint_id: e for e in self.read_models.webhooks.followed() if e.active}
            self._active = list(active)
            due = self._sendable(self.log.due(list(active), self.app.clock.now(), self.batch))
            if not due:
                break
            outcomes = self._send_all(active, due)
            done.delivered += sum(o.delivered for o in outcomes)
            done.failed += sum(not o.delivered for o in outcomes)
            for endpoint_id in {o.delivery.endpoint_id for o in outcomes if not o.delivered}:
                if self._give_up_on(endpoint_id):
                    done.disabled.append(endpoint_id)
            if not any(o.delivered for o in outcomes):
                break  # only failures (or slow answers): they wait for their time
        if done.owed or done.delivered or done.failed:
            log.info(
                "webhooks: %d owed, %d delivered, %d failed, %d endpoints disabled",
                done.owed,
                done.delivered,
                done.failed,
                len(done.disabled),
            )
        return done

    @property
    def batch(self) -> int:
        return self.settings.webhook_concurrency * 4

    @property
    def per_endpoint(self) -> int:
        """Deliveries in flight to one endpoint at once: half the senders, so that one slow
        receiver leaves the others room."""
        return max(1, self.settings.webhook_concurrency // 2)

    def _sendable(self, due: list[Delivery]) -> list[Delivery]:
        """What is due, less what is still in flight, and at most `per_endpoint` each."""
        with self._flight_lock:
            busy = Counter(endpoint_id for endpoint_id, _ in self._in_flight)
            chosen = []
            for d in due:
                if (d.endpoint_id, d.position) in self._in_flight:
                    continue
                if busy[d.endpoint_id] >= self.per_endpoint:
                    continue
                busy[d.endpoint_id] += 1
                chosen.append(d)
            return chosen

    def _owe(
        self, active: dict[UUID, EndpointRow], positions: dict[UUID, int], now: datetime
    ) -> int:
        """Turn the timeline entries after each endpoint's position into deliveries."""
        count = 0
        by_shop: dict[str, list[EndpointRow]] = {}
        for endpoint in active.values():
            if endpoint.shop_id is not None:
                by_shop.setdefault(endpoint.shop_id, []).append(endpoint)
        while active and not self._stop.is_set():
            start = min(positions.values())
            rows = self.read_models.timeline.rows_after(start, READ_BATCH)
            if not rows:
                break
            last = rows[-1].position
            owed = [
                Owed(endpoint.endpoint_id, row.position, row.complaint_id, row.type)
                for row in rows
                for endpoint in by_shop.get(row.shop_id, ())
                if row.position > positions[endpoint.endpoint_id] and self._owes(endpoint, row)
            ]
            moved = {i: last for i, p in positions.items() if p < last}
            self.log.owe(owed, moved, now)
            positions.update(moved)
            count += len(owed)
        return count

    @staticmethod
    def _owes(endpoint: EndpointRow, row: CaseRow) -> bool:
        """One shop's entries go to that shop's endpoints only, and only those its staff see."""
        return (
            endpoint.shop_id is not None
            and row.shop_id == endpoint.shop_id
            and sees_entry(seller_view(endpoint.shop_id), row.audience)
            and endpoint.wants(row.type)
        )

    def _owe_decisions(
        self, active: dict[UUID, EndpointRow], positions: dict[UUID, int], now: datetime
    ) -> int:
        """Turn the shop decisions after each endpoint's position into deliveries: a shop's to
        its own endpoints, every shop's to the marketplace's, each ordered within its shop."""
        count = 0
        while active and not self._stop.is_set():
            start = min(positions.values())
            rows = self.read_models.shop_decisions.rows_after(start, READ_BATCH)
            if not rows:
                break
            last = rows[-1].position
            owed = [
                Owed(endpoint.endpoint_id, row.position, str(seller_id(row.shop_id)), row.type)
                for row in rows
                for endpoint in active.values()
                if row.position > positions[endpoint.endpoint_id]
                and endpoint.shop_id in (None, row.shop_id)
                and endpoint.wants(row.type)
            ]
            moved = {i: last for i, p in positions.items() if p < last}
            self.log.owe(owed, moved, now, SHOPS)
            positions.update(moved)
            count += len(owed)
        return count

    def _give_up_on(self, endpoint_id: UUID) -> bool:
        since = self.log.failing_since(endpoint_id)
        if since is None or self.app.clock.now() - since <= self.settings.webhook_retry_for:
            return False
        reason = (
            f"Deliveries failed for longer than {self.settings.webhook_retry_for}"
            f" (since {moment(since)})."
        )
        try:
            self.app.disable_webhook(SYSTEM, endpoint_id, reason)
        except DomainError as error:
            log.warning("webhook %s not disabled: %s", endpoint_id, error)
            return False
        self.log.give_up(endpoint_id)
        log.warning("webhook %s disabled: %s", endpoint_id, reason)
        return True

    # ---------------------------------------------------------------- sending
    def _send_all(self, active: dict[UUID, EndpointRow], due: list[Delivery]) -> list[Outcome]:
        """Send a batch side by side; record and return what was answered within the timeout.
        An answer that takes longer (a receiver that trickles bytes) is recorded when it comes,
        and holds back only its own case meanwhile."""
        decisions = [d for d in due if is_shop_event(d.entry_type)]
        rows: dict[int, CaseRow | DecisionRow] = {
            **self.read_models.timeline.rows_at(
                [d.position for d in due if not is_shop_event(d.entry_type)]
            ),
            **self.read_models.shop_decisions.rows_at([d.position for d in decisions]),
        }
        futures = []
        with self._flight_lock:
            self._in_flight.update((d.endpoint_id, d.position) for d in due)
        for d in due:
            reference = None if is_shop_event(d.entry_type) else self._reference(d)
            future = self.pool.submit(
                self._send, active[d.endpoint_id], d, rows.get(d.position), reference
            )
            futures.append(future)
        answered, late = wait(futures, timeout=self.settings.webhook_timeout_seconds + 1)
        outcomes = [f.result() for f in answered]
        self._record(outcomes)
        for future in late:
            future.add_done_callback(lambda f: self._record([f.result()]))
        return outcomes

    def _record(self, outcomes: list[Outcome]) -> None:
        try:
            self.log.record(outcomes)
        finally:
            with self._flight_lock:
                self._in_flight.difference_update(
                    (o.delivery.endpoint_id, o.delivery.position) for o in outcomes
                )

    def _reference(self, delivery: Delivery) -> str | None:
        """A case's reference, from its first event (it never changes): kept once read."""
        complaint_id = delivery.complaint_id
        reference = self._references.get(complaint_id)
        if reference is None:
            filed = self.app.event(complaint_id, 1)
            reference = getattr(filed, "reference", None)
            if reference is not None:
                if len(self._references) >= 100_000:
                    self._references.clear()
                self._references[complaint_id] = reference
        return reference

    def _send(
        self,
        endpoint: EndpointRow,
        delivery: Delivery,
        row: CaseRow | DecisionRow | None,
        reference: str | None,
    ) -> Outcome:
        started = time.perf_counter()
        now = self.app.clock.now()
        status: int | None = None
        error: str | None = None
        response: str | None = None
        try:
            if isinstance(row, DecisionRow):
                payload = self.decision_payload(endpoint, row)
            elif row is None or reference is None:
                raise LookupError("the entry is not in its read model yet")
            else:
                payload = self.payload(endpoint, row, reference)
            body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
            status, response = self._post(endpoint, delivery, body)
            if not 200 <= status < 300:
                error = f"the endpoint answered {status}"
        except UnsafeAddress as refusal:
            error = f"refused: {refusal}"
        except httpx.TimeoutException:
            error = "timed out"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:200]
        except Exception as failure:
            log.exception("webhook delivery %s/%s failed", endpoint.endpoint_id, delivery.position)
            error = f"{type(failure).__name__}"
        retry_at = None
        if error is not None:
            jitter = 0.5 + self._random() / 2
            retry_at = now + backoff(
                delivery.attempts + 1, self.settings.webhook_retry_base, jitter
            )
        return Outcome(
            delivery, now, status, error, response, (time.perf_counter() - started) * 1000, retry_at
        )

    def _post(self, endpoint: EndpointRow, delivery: Delivery, body: str) -> tuple[int, str]:
        target = resolve(endpoint.url, allow_private=self.settings.webhook_allow_private)
        parts = urlsplit(endpoint.url)
        msg_id = message_id(endpoint.endpoint_id, delivery.position)
        signed_at = datetime.now(UTC)  # the receiver checks it against its own clock
        headers = {
            "host": parts.netloc.rpartition("@")[2],
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(signed_at.timestamp())),
            "webhook-signature": self._signer(endpoint.endpoint_id).sign(msg_id, signed_at, body),
        }
        client = self._client_for(target.host)
        for number, address in enumerate(target.addresses):
            # To the address just checked, not to whatever the name resolves to by now; the
            # host name goes in the Host header and in TLS (SNI and the certificate check).
            literal = f"[{address}]" if ":" in address else address
            netloc = literal if parts.port is None else f"{literal}:{parts.port}"
            url = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
            request = client.build_request(
                "POST",
                url,
                content=body.encode(),
                headers=headers,
                extensions={"sni_hostname": target.host},
            )
            try:
                answer = client.send(request, stream=True)
            except httpx.ConnectError:
                if number == len(target.addresses) - 1:
                    raise
                continue  # the next address the name has (IPv6 unreachable here, say)
            try:
                kept = b""
                for chunk in answer.iter_raw():
                    kept += chunk
                    if len(kept) >= RESPONSE_MAX:
                        break
                return answer.status_code, kept[:RESPONSE_MAX].decode("utf-8", "replace")
            finally:
                answer.close()
        raise httpx.ConnectError("no address to connect to")

    def _client_for(self, host: str) -> httpx.Client:
        with self._clients_lock:
            client = self._clients.get(host)
            if client is None:
                timeout = self.settings.webhook_timeout_seconds
                client = self._clients[host] = httpx.Client(
                    timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                    follow_redirects=False,
                    transport=self._transport,
                    headers={"user-agent": USER_AGENT},
                    trust_env=False,  # never through a proxy from the environment
                    limits=httpx.Limits(max_connections=self.per_endpoint * 2),
                )
                while len(self._clients) > MAX_CLIENTS:
                    self._clients.popitem(last=False)[1].close()
            self._clients.move_to_end(host)
            return client

    def close_clients(self) -> None:
        with self._clients_lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()

    def _signer(self, endpoint_id: UUID) -> Webhook:
        signer = self._secrets.get(endpoint_id)
        if signer is None:
            secret = self.app.get_webhook(endpoint_id).secret
            signer = self._secrets[endpoint_id] = Webhook(secret.reveal())
        return signer

    def payload(self, endpoint: EndpointRow, row: CaseRow, reference: str) -> dict[str, object]:
        """One entry as the shop's staff see it in `myComplaintUpdates`, with its case, its
        summary in the endpoint's language (the parties' own words as they wrote them)."""
        assert endpoint.shop_id is not None  # the marketplace's endpoints hear of no case
        entry = row.entry_for(seller_view(endpoint.shop_id))
        text = None
        if entry.personal:
            event = self.app.event(entry.complaint_id, entry.version)
            texts = [getattr(event, name, None) for name in entry.personal]
            shown = [t.reveal() for t in texts if isinstance(t, PersonalText)]
            text = "\n".join(shown) if shown else None
        return {
            "type": f"complaint.{entry.type}",
            "timestamp": entry.at.astimezone(UTC).isoformat(),
            "data": {
                "position": entry.position,
                "complaint": {
                    "id": global_id("Complaint", entry.complaint_id),
                    "reference": reference,
                    "shopId": endpoint.shop_id,
                },
                "entry": {
                    "position": entry.position,
                    "version": entry.version,
                    "type": entry.type,
                    "at": entry.at.astimezone(UTC).isoformat(),
                    "actorRole": entry.actor_role.value,
                    "actorId": entry.actor_id,
                    "summary": say(entry.summary, endpoint.locale),
                    "details": camel_keys(entry.details),
                    "text": text,
                },
            },
        }

    def decision_payload(self, endpoint: EndpointRow, row: DecisionRow) -> dict[str, object]:
        """One decision about a shop as the endpoint's owner may read it (the shop's own staff,
        or the marketplace), with the shop's standing after it. No personal text: a report's
        description and a shop's response are not sent."""
        decision = row.entry_for(viewer(endpoint))
        at = decision.at.astimezone(UTC).isoformat()
        return {
            "type": decision.type,
            "timestamp": at,
            "data": {
                "position": decision.position,
                "shopId": decision.shop_id,
                "entry": {
                    "position": decision.position,
                    "type": decision.type,
                    "at": at,
                    "actorRole": decision.actor_role.value,
                    "actorId": decision.actor_id,
                    "summary": say(decision.summary, endpoint.locale),
                },
                **camel_keys(global_ids(decision.details)),
                "standing": camel_keys(decision.standing),
            },
        }

    # ---------------------------------------------------------------- running until stopped
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.app.saved.pulse()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.close_clients()  # a send still waiting on a slow receiver fails now
        self.leadership.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.leadership.try_lead(NAME):
                self._stop.wait(self.poll)  # another process delivers; stand by
                continue
            try:
                self._lead()
            except Exception:
                log.exception("the webhook deliverer failed; retrying")
                self._stop.wait(self.poll)
            finally:
                self.leadership.release(NAME)

    def _lead(self) -> None:
        # Any batch: the timeline's or the shop decisions' (a sanction alone has no entry).
        advanced = self.read_models.advanced
        while not self._stop.is_set():
            seen = advanced.pulses
            self.run_once()
            if not self.leadership.still_leading(NAME):
                return
            if not self._active:
                # Nothing can be owed to nobody: look again after a poll, not after every
                # batch any writer commits (each look reads, beside the subscription hub's
                # read, on the same GIL). An endpoint registered meanwhile is owed all that
                # came after its registration at the next look.
                self._stop.wait(self.poll)
                continue
            # Wake for new entries (a pulse in this process, or a NOTIFY from another's runner),
            # or when a retry falls due, or after a poll at the latest.
            advanced.wait(seen, self._sleep())

    def _sleep(self) -> float:
        # The endpoints active when the pass that just ended last looked.
        next_attempt = self.log.next_attempt(self._active)
        if next_attempt is None:
            return self.poll
        wait = (next_attempt - self.app.clock.now()).total_seconds()
        return max(0.01, min(self.poll, wait))

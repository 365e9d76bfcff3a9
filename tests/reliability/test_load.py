"""A load run: 16 clients drive cases through every mutation and query, against a real server
whose deadlines run in seconds, so the deadline worker enforces at the same time. Afterwards, by
replay: every case keeps its invariants, every deposit reconciles with the advance refunds and
fines, every acknowledged command is in the store, the hash chains hold, and the read models
equal a fresh build."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import graphql
import httpx
import pytest

from complaints.application import ComplaintsApp
from complaints.audit import verify_store
from complaints.domain.complaint import Complaint
from complaints.domain.values import Actor, Role, SanctionKind
from complaints.graphql.ids import parse_uuid
from complaints.projections.read_models import ReadModels
from complaints.settings import Settings
from tests.e2e.conftest import Server, token
from tests.invariants import check_advances, check_case, check_ledger
from tests.projections.test_runner import assert_rows_equal_a_replay

# Serial: it counts what 16 clients get done in SECONDS, with deadlines that fall due in seconds.
pytestmark = [pytest.mark.reliability, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = graphql.build_schema((ROOT / "schema.graphql").read_text())
CLIENTS = 16
SECONDS = 20
SHOPS = ["acme", "globex", "initech", "umbrella"]
CONSUMERS = [Actor(Role.CONSUMER, f"u-{n}") for n in range(40)]
STAFF = [
    Actor(Role.AGENT, "agent-1"),
    Actor(Role.MEDIATOR, "mediator-1"),
    Actor(Role.ARBITER, "arbiter-1"),
    Actor(Role.SUPERVISOR, "supervisor-1"),
]
SUPERVISOR = STAFF[-1]
DEADLINES = (
    "intake=5s,resubmission=3s,seller_response=3s,negotiation_turn=3s,escalation=8s,pickup=5s,"
    "evidence=3s,ruling=6s,appeal_window=4s,remedy=4s,return_shipment=4s,return_receipt=4s,"
    "survey=5s"
)
FINE = Decimal("150.00")


def seller(shop: str) -> Actor:
    return Actor(Role.SELLER, f"staff-{shop}", shop)


def cny(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "CNY"}


#: What each mutation needs besides the complaint's id.
INPUTS: dict[str, Any] = {
    "acceptComplaint": {},
    "returnComplaintForInfo": {"reason": "Photos, please.", "missing": ["photos"]},
    "rejectComplaint": {"reason": "Not a marketplace order.", "ruleCode": "R-1.1"},
    "resubmitComplaint": {"description": "Here are the photos of the broken lamp."},
    "withdrawComplaint": {},
    "makeOffer": {"remedy": {"type": "PARTIAL_REFUND", "amount": cny("40.00")}},
    "acceptOffer": {},
    "declineOffer": {"reason": "Too little."},
    "proposeSettlement": {"remedy": {"type": "PARTIAL_REFUND", "amount": cny("60.00")}},
    "requestIntervention": {},
    "postMessage": {"text": "Any news on this?"},
    "assignComplaint": {"arbiterId": "arbiter-1"},
    "requestEvidence": {"party": "SELLER", "kinds": ["chat_log"]},
    "submitEvidence": {"kind": "chat_log", "description": "The chat with the buyer."},
    "recordFinding": {"finding": "The lamp arrived broken."},
    "issueRuling": {
        "outcome": "CONSUMER_FAVOUR_FULL",
        "remedy": {"type": "REFUND", "amount": cny("99.00")},
        "rationale": "Damaged in transit.",
        "ruleCodes": ["R-3.2"],
    },
    "acknowledgeRuling": {},
    "fileAppeal": {"grounds": "The photos show older damage."},
    "decideAppeal": {"grant": False, "rationale": "The ruling stands."},
    "confirmRefund": {},
    "shipReturn": {"carrier": "SF", "trackingNumber": "SF123"},
    "confirmReturnReceived": {},
    "shipReplacement": {"carrier": "SF", "trackingNumber": "SF456"},
    "confirmRemedyReceived": {},
    "disputeRemedy": {"reason": "The refund has not arrived."},
    "raiseExecutionIssue": {"text": "The refund has not arrived."},
    "resolveExecutionIssue": {"resolution": "Refund traced and paid."},
    "rateHandling": {"score": 4},
    "pauseClock": {"reason": "Courier inquiry."},
    "resumeClock": {},
}
CASE = """query($id: ID!) { complaint(id: $id) { status allowedActions
  offers { id status } } }"""
READS: list[tuple[str, dict[str, Any]]] = [
    ("{ complaints(first: 20) { totalCount edges { node { reference status } } } }", {}),
    ("{ sanctionedSellers(first: 10) { edges { node { shopId status } } } }", {}),
    ('{ seller(shopId: "acme") { status scorecard { strikes complaints } } }', {}),
]
TIMELINE = (
    "query($id: ID!) { complaint(id: $id) { timeline(first: 50) { edges { node { type } } } } }"
)


SELECTIONS = {"Complaint": "id version", "Seller": "shopId", "Violation": "id"}


def document(name: str) -> str:
    mutation = SCHEMA.mutation_type
    assert mutation is not None
    field = mutation.fields[name]
    input_type = graphql.get_named_type(field.args["input"].type)
    result = graphql.get_named_type(field.type)
    assert isinstance(result, graphql.GraphQLUnionType)
    success = [t.name for t in result.types if t.name in SELECTIONS]
    fragments = " ".join(f"... on {t} {{ {SELECTIONS[t]} }}" for t in success)
    return (
        f"mutation($input: {input_type.name}!) {{ {name}(input: $input) {{ __typename"
        f" {fragments} ... on Error {{ code }} }} }}"
    )


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.acknowledged: dict[
            str, int
        ] = {}  # complaint global id -> highest acknowledged version
        self.cases: list[tuple[str, Actor, str]] = []  # id, its consumer, its shop
        self.failures: list[str] = []

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


class Client(threading.Thread):
    def __init__(self, server: Server, tally: Tally, seed: int, until: float) -> None:
        super().__init__(name=f"client-{seed}")
        self.server = server
        self.tally = tally
        self.rng = random.Random(seed)
        self.until = until
        self.http = httpx.Client(timeout=60)

    def post(self, query: str, variables: dict[str, Any], actor: Actor | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
        response = self.http.post(
            f"{self.server.url}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
        )
        self.tally.count("requests")
        if response.status_code >= 500 or "errors" in response.json():
            self.tally.failures.append(f"{response.status_code} {response.text[:300]}")
            return {}
        data: dict[str, Any] = response.json()["data"]
        return data

    def mutate(self, name: str, fields: dict[str, Any], actor: Actor) -> dict[str, Any]:
        result: dict[str, Any] = self.post(document(name), {"input": fields}, actor).get(name) or {}
        if "code" in result:
            self.tally.count(f"refused {result['code']}")
        elif result:
            self.tally.count("accepted")
            if result.get("__typename") == "Complaint":
                with self.tally.lock:
                    known = self.tally.acknowledged.get(result["id"], 0)
                    self.tally.acknowledged[result["id"]] = max(known, result["version"])
        return result

    def run(self) -> None:
        try:
            while time.monotonic() < self.until:
                self.step()
        except Exception as error:
            self.tally.failures.append(repr(error))
        finally:
            self.http.close()

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.15 or not self.tally.cases:
            self.file()
        elif roll < 0.25:
            query, variables = self.rng.choice(READS)
            self.post(query, variables, self.rng.choice([None, SUPERVISOR]))
        elif roll < 0.30:
            self.shop_business()
        else:
            self.advance_a_case()

    def file(self) -> None:
        consumer, shop = self.rng.choice(CONSUMERS), self.rng.choice(SHOPS)
        amount = f"{self.rng.randint(20, 400)}.00"
        result = self.mutate(
            "fileComplaint",
            {
                "shopId": shop,
                "orderId": f"order-{self.rng.randrange(10**9)}",
                "category": self.rng.choice(["DAMAGED", "NOT_RECEIVED", "NOT_AS_DESCRIBED"]),
                "description": "The lamp arrived in pieces.",
                "requestedRemedy": {"type": "REFUND", "amount": cny(amount)},
            },
            consumer,
        )
        if result.get("__typename") == "Complaint":
            with self.tally.lock:
                self.tally.cases.append((result["id"], consumer, shop))

    def plant_a_lapse(self, shop: str) -> tuple[str, Actor, str]:
        consumer = CONSUMERS[0]
        filed = self.mutate(
            "fileComplaint",
            {
                "shopId": shop,
                "orderId": f"planted-{shop}",
                "category": "NOT_RECEIVED",
                "description": "The parcel never came.",
                "requestedRemedy": {"type": "REFUND", "amount": cny("88.00")},
            },
            consumer,
        )
        assert filed.get("__typename") == "Complaint", filed
        accepted = self.mutate("acceptComplaint", {"complaintId": filed["id"]}, STAFF[0])
        assert accepted.get("__typename") == "Complaint", accepted
        return filed["id"], consumer, shop

    def wait_until_closed(self, complaint_id: str, consumer: Actor) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            case = self.post(CASE, {"id": complaint_id}, consumer).get("complaint") or {}
            if case.get("status") == "CLOSED":
                return
            time.sleep(0.2)
        pytest.fail(f"the planted case {complaint_id} did not close by itself")

    def shop_business(self) -> None:
        shop = self.rng.choice(SHOPS)
        roll = self.rng.random()
        if roll < 0.4:
            self.mutate("topUpDeposit", {"shopId": shop, "amount": cny("300.00")}, seller(shop))
        elif roll < 0.7:
            self.mutate(
                "recordSpotCheck",
                {"shopId": shop, "passed": self.rng.random() < 0.5, "findings": "Labels checked."},
                SUPERVISOR,
            )
        else:
            consumer = self.rng.choice(CONSUMERS)
            kind = self.rng.choice(["COUNTERFEIT", "FRAUD", "MISREPRESENTATION"])
            reported = self.mutate(
                "reportViolation",
                {"shopId": shop, "kind": kind, "description": "The goods look fake to me."},
                consumer,
            )
            if reported.get("__typename") == "Violation":
                # Confirmed once the shop has been heard, with reasons and a rule.
                violation = {"violationId": reported["id"]}
                answer = {"response": "We bought them from the brand."}
                self.mutate("respondToViolation", {**violation, **answer}, seller(shop))
                reasons = {"rationale": "The goods are fakes.", "ruleCodes": ["R-8.1"]}
                self.mutate("confirmViolation", {**violation, **reasons}, SUPERVISOR)

    def advance_a_case(self) -> None:
        with self.tally.lock:
            complaint_id, consumer, shop = self.rng.choice(self.tally.cases)
        actor = self.rng.choice([consumer, seller(shop), *STAFF])
        case = self.post(CASE, {"id": complaint_id}, actor).get("complaint")
        if not case:
            return
        if self.rng.random() < 0.1:
            self.post(TIMELINE, {"id": complaint_id}, actor)
        allowed = [a for a in case["allowedActions"] if a in INPUTS]
        if not allowed:
            return
        action = self.rng.choice(allowed)
        fields = {"complaintId": complaint_id, **INPUTS[action]}
        if action in {"acceptOffer", "declineOffer"}:
            open_offers = [o["id"] for o in case["offers"] if o["status"] == "OPEN"]
            if not open_offers:
                return
            fields["offerId"] = open_offers[-1]
        self.mutate(action, fields, actor)


@pytest.fixture(params=["sqlite", "postgres"])
def load_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'load.db'}"
        return
    request.applymarker(pytest.mark.postgres)
    url: str = request.getfixturevalue("postgres_url")
    yield url


def test_sixteen_clients_lose_nothing_and_break_nothing(load_store: str, tmp_path: Path) -> None:
    server = Server(
        load_store,
        tmp_path,
        DEADLINES=DEADLINES,
        DEADLINE_POLL_SECONDS="0.2",
        SANCTION_FINE=str(FINE),
        READ_YOUR_WRITES_SECONDS="0",
        # The clients file about claimed orders: the load measured is the cases' own.
        ORDER_CHECK="off",
    )
    tally = Tally()
    try:
        admin = Client(server, tally, -1, 0)
        for shop in SHOPS:
            registered = admin.mutate(
                "registerSeller",
                {"shopId": shop, "name": shop.title(), "deposit": cny("2000")},
                SUPERVISOR,
            )
            assert registered["__typename"] == "Seller", registered
        # One case per shop that nobody touches after intake: its seller response and then its
        # remedy lapse during the run, so the worker advances refunds while the clients write.
        planted = [admin.plant_a_lapse(shop) for shop in SHOPS]
        until = time.monotonic() + SECONDS
        clients = [Client(server, tally, seed, until) for seed in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=SECONDS + 120)
        for complaint_id, consumer, _ in planted:
            admin.wait_until_closed(complaint_id, consumer)
        tally.cases.extend(planted)
        time.sleep(2)  # let the deadline worker finish what else fell due
    finally:
        server.stop()
    output = server.output()
    assert "Traceback" not in output, output[-3000:]
    assert tally.failures == []
    print(f"load on {load_store.split(':', maxsplit=1)[0]}: {dict(tally.counts)}")
    assert tally.counts["accepted"] > 200

    app = ComplaintsApp(Settings(database_url=load_store))
    models = ReadModels(app)
    try:
        verify_after_the_run(app, models, tally)
    finally:
        models.close()
        app.close()


def verify_after_the_run(app: ComplaintsApp, models: ReadModels, tally: Tally) -> None:
    # Nothing acknowledged is missing.
    for global_id, version in tally.acknowledged.items():
        complaint_id = parse_uuid("Complaint", global_id, "complaintId")
        assert app.get_complaint(complaint_id).version >= version
    # Every case keeps its invariants; the advances it received are charged to its shop.
    advanced: dict[str, dict[UUID, Decimal]] = defaultdict(dict)
    cases = 0
    for complaint_id in _complaint_ids(app):
        events = app.history(complaint_id)
        complaint: Complaint = check_case(events)
        cases += 1
        for e in events:
            if type(e).__name__ == "RefundAdvanced":
                advanced[complaint.shop_id][complaint_id] = e.amount.amount  # type: ignore[attr-defined]
    assert cases == len(tally.cases)
    enforced: Counter[str] = Counter()
    for shop in SHOPS:
        shop_seller = app.get_seller(shop)
        check_ledger(shop_seller)
        check_advances(shop_seller, advanced[shop])
        fines = [e for e in shop_seller.ledger if e.reason.startswith("fine:")]
        assert len(fines) == sum(s.kind is SanctionKind.FINE for s in shop_seller.sanctions)
        assert all(-e.amount == FINE for e in fines)
        enforced["advance refunds"] += len(advanced[shop])
        enforced["strikes"] += len(shop_seller.strikes)
        enforced["fines"] += len(fines)
    print(f"replayed {cases} cases; enforced {dict(enforced)}")
    assert enforced["advance refunds"] >= len(SHOPS)
    # The hash chains hold, and the read models equal a fresh build.
    report = verify_store(app)
    assert report.broken == {}
    models.catch_up()
    assert_rows_equal_a_replay(models)


def _complaint_ids(app: ComplaintsApp) -> set[UUID]:
    ids: set[UUID] = set()
    position = 0
    while batch := app.recorder.select_notifications(start=position + 1, limit=1000):
        ids.update(UUID(str(n.originator_id)) for n in batch if n.topic.endswith("Complaint.Filed"))
        position = batch[-1].id
    return ids

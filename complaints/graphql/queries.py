"""Queries: they read the read models (lists, timelines, sellers, statistics) and, for one
complaint's details and history, the event store. Party scoping is `domain.access`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import anyio.to_thread
import strawberry

from complaints.domain import access
from complaints.domain.erasure import erasure_actions
from complaints.domain.errors import DomainError, FieldError, ValidationFailed, ViolationNotFound
from complaints.domain.rulebook import RULEBOOK
from complaints.domain.seller import starting_actions
from complaints.domain.text import Text
from complaints.domain.values import Role, ViolationStatus
from complaints.graphql import audit, ids, transparency
from complaints.graphql.context import Info
from complaints.graphql.enums import ComplaintCategory, ComplaintOrder
from complaints.graphql.errors import CodedError, coded
from complaints.graphql.inputs import ComplaintFilter, ViolationFilter
from complaints.graphql.resolvers import DEFAULT_PAGE, read
from complaints.graphql.types import supervision
from complaints.graphql.types.audit import AuditTrail, HistoryTrail
from complaints.graphql.types.complaint import ComplaintConnection, ComplaintEdge, ComplaintNode
from complaints.graphql.types.order import OrderConnection, OrderEdge, OrderNode, load_order
from complaints.graphql.types.relay import Node, page_info
from complaints.graphql.types.rulebook import Guide, Locale, Rule
from complaints.graphql.types.seller import (
    SellerConnection,
    SellerEdge,
    SellerNode,
    SellerStanding,
    load_seller,
)
from complaints.graphql.types.statistics import Statistics
from complaints.graphql.types.supervision import (
    SupervisionConnection,
    SupervisionEdge,
    SupervisionItem,
)
from complaints.graphql.types.transparency import (
    Checkpoint,
    ConsistencyProof,
    InclusionProof,
    LogKey,
)
from complaints.graphql.types.violation import (
    Violation,
    ViolationConnection,
    ViolationEdge,
)
from complaints.graphql.types.webhook import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookEndpoint,
    check_reader,
)
from complaints.graphql.whatif import WhatIfQuery
from complaints.language import LANGUAGES
from complaints.projections.complaint_list import ComplaintFilter as ReadFilter
from complaints.projections.complaint_list import ComplaintSummary, DeadlineKey
from complaints.projections.orders import OrderKey, OrderRow
from complaints.projections.sellers import ViolationQuery


def _uuid(kind: str, value: str, field: str = "id") -> UUID | None:
    try:
        return ids.parse_uuid(kind, value, field)
    except ValidationFailed:
        return None


async def complaint_node(info: Info, value: str) -> ComplaintNode | None:
    complaint_id = _uuid("Complaint", value)
    if complaint_id is None:
        return None
    complaint = await info.context.complaint(complaint_id)
    return None if complaint is None else ComplaintNode.of(complaint)


async def violation_node(info: Info, value: str) -> Violation | None:
    violation_id = _uuid("Violation", value)
    if violation_id is None:
        return None
    try:
        violation = await anyio.to_thread.run_sync(info.context.app.get_violation, violation_id)
    except ViolationNotFound:
        return None
    if not access.sees_violation(
        info.context.actor, shop_id=violation.shop_id, reporter_id=violation.reporter.id
    ):
        return None
    return Violation.of(violation)


def order_cursor(row: OrderRow) -> str:
    paid_at, seq = OrderKey.of(row)
    return ids.global_id("OrderByPayment", f"{paid_at}|{seq}")


def parse_order_cursor(value: str | None) -> OrderKey | None:
    if value is None:
        return None
    refused = ValidationFailed([FieldError("after", Text("is not a cursor from this list"))])
    if ids.kind_of(value) != "OrderByPayment":
        raise refused
    paid_at, _, seq = ids.global_id_value(value).rpartition("|")
    if not (seq.isascii() and seq.isdecimal() and len(seq) <= 18):
        raise refused
    try:
        datetime.fromisoformat(paid_at)
    except ValueError:
        raise refused from None
    return OrderKey(paid_at, int(seq))


def deadline_cursor(summary: ComplaintSummary) -> str:
    waiting, due, seq = DeadlineKey.of(summary)
    return ids.global_id("ComplaintByDeadline", f"{waiting}|{due}|{seq}")


def parse_deadline_cursor(value: str | None) -> DeadlineKey | None:
    """A cursor of the SOONEST_DEADLINE order; a cursor of the other order is refused."""
    if value is None:
        return None
    refused = ValidationFailed([FieldError("after", Text("is not a cursor from this list"))])
    if ids.kind_of(value) != "ComplaintByDeadline":
        raise refused
    waiting, _, rest = ids.global_id_value(value).partition("|")
    due, _, seq = rest.rpartition("|")
    if waiting not in {"0", "1"} or not (seq.isascii() and seq.isdecimal() and len(seq) <= 18):
        raise refused
    if due:
        try:
            datetime.fromisoformat(due)
        except ValueError:
            raise refused from None
    return DeadlineKey(int(waiting), due, int(seq))


@strawberry.type
class Query(WhatIfQuery):
    @strawberry.field(description="Any complaint, seller or violation by its global id")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        kind = ids.kind_of(id)
        if kind == "Complaint":
            return await complaint_node(info, id)
        if kind == "Seller":
            seller_id = _uuid("Seller", id)
            if seller_id is None:
                return None
            record = await read(lambda: info.context.read_models.sellers.by_id(seller_id))
            return None if record is None else SellerNode.of(record)
        if kind == "Violation":
            return await violation_node(info, id)
        return None

    @strawberry.field(description="null when it does not exist or is not the viewer's to see")
    async def complaint(self, info: Info, id: strawberry.ID) -> ComplaintNode | None:
        return await complaint_node(info, id)

    @strawberry.field(description="Newest first; scoped to what the viewer may see")
    async def complaints(
        self,
        info: Info,
        filter: ComplaintFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: ComplaintOrder = ComplaintOrder.NEWEST,
    ) -> ComplaintConnection:
        context = info.context
        by_deadline = order_by is ComplaintOrder.SOONEST_DEADLINE
        where = filter or ComplaintFilter()
        staff_only = (
            where.assigned_arbiter_id is not None
            or where.assigned_mediator_id is not None
            or where.consumer_id is not None
        )
        if staff_only and not access.searches_by_person(context.actor):
            raise CodedError(
                "NOT_ALLOWED",
                Text("Only staff and auditors filter by arbiter, by mediator or by consumer."),
            )
        try:
            after_key: int | DeadlineKey | None = (
                parse_deadline_cursor(after)
                if by_deadline
                else ids.parse_cursor("Complaint", after)
            )
        except ValidationFailed as error:
            raise coded(error) from None
        read_filter = ReadFilter(
            statuses=tuple(where.status or ()),
            shop_id=where.shop_id,
            consumer_id=where.consumer_id,
            category=where.category,
            overdue=where.overdue,
            search=where.search,
            arbiter_id=where.assigned_arbiter_id,
            mediator_id=where.assigned_mediator_id,
            escalated=where.escalated,
        )
        page = await read(
            lambda: context.read_models.complaints.search(
                context.actor,
                read_filter,
                now=context.app.clock.now(),
                first=DEFAULT_PAGE if first is None else first,
                after=after_key,
                by_deadline=by_deadline,
            )
        )
        edges = [
            ComplaintEdge(
                cursor=deadline_cursor(s) if by_deadline else ids.cursor("Complaint", s.seq),
                node=ComplaintNode.of_summary(s),
            )
            for s in page.items
        ]
        return ComplaintConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
            total_count=page.total or 0,
        )

    @strawberry.field(description="Staff and auditors: the complaint exactly as it stood")
    async def complaint_as_of(
        self,
        info: Info,
        id: strawberry.ID,
        at: datetime | None = None,
        version: int | None = None,
    ) -> ComplaintNode | None:
        if not access.reads_history(info.context.actor):
            return None
        complaint_id = _uuid("Complaint", id)
        if complaint_id is None:
            return None
        app = info.context.app
        try:
            complaint = await anyio.to_thread.run_sync(
                lambda: app.complaint_as_of(complaint_id, version=version, at=at)
            )
        except ValidationFailed as error:
            raise coded(error) from None
        except DomainError:
            return None
        return ComplaintNode.of(complaint, as_of=True)

    @strawberry.field(
        description="Staff and auditors: every event, its hash, and whether the chain verifies"
    )
    async def audit_trail(self, info: Info, complaint_id: strawberry.ID) -> AuditTrail:
        if not access.reads_history(info.context.actor):
            raise CodedError("NOT_ALLOWED", Text("Only staff and auditors read audit trails."))
        return await audit.audit_trail(info, complaint_id)

    @strawberry.field(description="Public: the transparency log's latest signed checkpoint")
    async def log_checkpoint(self, info: Info) -> Checkpoint:
        return await transparency.latest_checkpoint(info)

    @strawberry.field(description="Public: the key that signs the log's checkpoints")
    async def log_key(self, info: Info) -> LogKey:
        return await transparency.log_key(info)

    @strawberry.field(
        description="Auditors, staff and the case's parties: the proof that an event of the case"
        " is in the tree of a signed checkpoint (the latest by default); null if the viewer may"
        " not see the case or the event is not in that tree yet"
    )
    async def inclusion_proof(
        self,
        info: Info,
        complaint_id: strawberry.ID,
        version: int,
        tree_size: int | None = None,
    ) -> InclusionProof | None:
        return await transparency.inclusion_proof(info, complaint_id, version, tree_size)

    @strawberry.field(
        description="Public: the proof that the tree of secondSize (the latest checkpoint's by"
        " default) extends the tree of firstSize"
    )
    async def consistency_proof(
        self, info: Info, first_size: int, second_size: int | None = None
    ) -> ConsistencyProof:
        return await transparency.consistency_proof(info, first_size, second_size)

    @strawberry.field(
        description="Staff and auditors: every event of a shop's record, its hash, and whether"
        " the chain verifies"
    )
    async def shop_audit_trail(self, info: Info, shop_id: str) -> HistoryTrail:
        if not access.reads_history(info.context.actor):
            raise CodedError("NOT_ALLOWED", Text("Only staff and auditors read audit trails."))
        return await audit.shop_trail(info, shop_id)

    @strawberry.field(
        description="Staff and auditors: every event of a violation report, its hash, and"
        " whether the chain verifies"
    )
    async def violation_audit_trail(self, info: Info, violation_id: strawberry.ID) -> HistoryTrail:
        if not access.reads_history(info.context.actor):
            raise CodedError("NOT_ALLOWED", Text("Only staff and auditors read audit trails."))
        return await audit.violation_trail(info, violation_id)

    @strawberry.field(description="A shop's public page; the deposit only for its staff")
    async def seller(self, info: Info, shop_id: str) -> SellerNode | None:
        return await load_seller(info, shop_id)

    @strawberry.field(
        description="Public: what the marketplace may do for a shop now (take orders, list"
        " products), from its active sanctions; null for an unknown shop"
    )
    async def seller_standing(self, info: Info, shop_id: str) -> SellerStanding | None:
        record = await read(lambda: info.context.read_models.sellers.standing(shop_id))
        return None if record is None else SellerStanding.of(record)

    @strawberry.field(
        description="An order the marketplace recorded: for its consumer, the shop's staff,"
        " platform staff, auditors and the marketplace; null for everyone else"
    )
    async def order(self, info: Info, shop_id: str, order_id: str) -> OrderNode | None:
        return await load_order(info, shop_id, order_id)

    @strawberry.field(
        description="The signed-in consumer's orders still inside their filing window, the most"
        " recently paid first; empty for everyone else"
    )
    async def my_orders(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> OrderConnection:
        context = info.context
        try:
            after_key = parse_order_cursor(after)
        except ValidationFailed as error:
            raise coded(error) from None
        page = await read(
            lambda: context.read_models.orders.in_window(
                context.actor,
                now=context.app.clock.now(),
                window=context.settings.filing_window,
                first=DEFAULT_PAGE if first is None else first,
                after=after_key,
            )
        )
        edges = [OrderEdge(cursor=order_cursor(r), node=OrderNode.of_row(r)) for r in page.items]
        return OrderConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
        )

    @strawberry.field(description="Public: shops under an active sanction, latest first")
    async def sanctioned_sellers(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> SellerConnection:
        try:
            after_seq = ids.parse_cursor("Sanction", after)
        except ValidationFailed as error:
            raise coded(error) from None
        page = await read(
            lambda: info.context.read_models.sellers.sanctioned(
                first=DEFAULT_PAGE if first is None else first, after=after_seq
            )
        )
        edges = [
            SellerEdge(cursor=ids.cursor("Sanction", r.sanctioned_seq or 0), node=SellerNode.of(r))
            for r in page.items
        ]
        return SellerConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
            total_count=page.total or 0,
        )

    @strawberry.field(description="Public: figures for [from, to)")
    async def statistics(
        self,
        info: Info,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
    ) -> Statistics:
        figures = await read(lambda: info.context.read_models.statistics.period(from_, to))
        return Statistics.of(figures)

    @strawberry.field(
        description="Supervisors and auditors: overdue staff deadlines, defaulted remedies, open"
        " execution issues and appeals waiting, the longest-waiting first"
    )
    async def supervision_queue(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> SupervisionConnection:
        context = info.context
        if not access.reads_supervision_queue(context.actor):
            raise CodedError("NOT_ALLOWED", Text("Only supervisors and auditors read the queue."))
        try:
            after_key = supervision.parse_cursor(after)
        except ValidationFailed as error:
            raise coded(error) from None
        page = await read(
            lambda: context.read_models.supervision.page(
                context.app.clock.now(),
                first=DEFAULT_PAGE if first is None else first,
                after=after_key,
            )
        )
        edges = [
            SupervisionEdge(cursor=supervision.cursor(i), node=SupervisionItem.of(i))
            for i in page.items
        ]
        return SupervisionConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
            total_count=page.total or 0,
        )

    @strawberry.field(
        description="Staff and auditors: every reported violation; a shop's staff: those"
        " against their shop. The newest first"
    )
    async def violations(
        self,
        info: Info,
        filter: ViolationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> ViolationConnection:
        where = filter or ViolationFilter()
        scope = access.violation_scope(info.context.actor)
        if scope.nothing:
            raise CodedError(
                "NOT_ALLOWED", Text("Only staff, auditors and a shop's own staff list violations.")
            )
        try:
            statuses = tuple(ViolationStatus(s) for s in where.status or ())
        except ValueError:
            raise CodedError(
                "VALIDATION_FAILED",
                Text("Invalid input: status: must be REPORTED, CONFIRMED or DISMISSED"),
            ) from None
        try:
            after_seq = ids.parse_cursor("Violation", after)
        except ValidationFailed as error:
            raise coded(error) from None
        shop_id = where.shop_id if scope.everything else scope.shop_id
        if not scope.everything and where.shop_id not in (None, scope.shop_id):
            # Another shop's reports: none that this seller may see.
            nothing = page_info([], has_next=False, after=after)
            return ViolationConnection(edges=[], page_info=nothing, total_count=0)
        query = ViolationQuery(shop_id=shop_id, statuses=statuses, kind=where.kind)
        page = await read(
            lambda: info.context.read_models.sellers.violations(
                query, first=DEFAULT_PAGE if first is None else first, after=after_seq
            )
        )
        edges = [
            ViolationEdge(cursor=ids.cursor("Violation", r.seq), node=Violation.of(r))
            for r in page.items
        ]
        return ViolationConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
            total_count=page.total or 0,
        )

    @strawberry.field(
        description="Public: the platform rulebook as in force now, in its own order, for the"
        " forms of decisions that must cite it"
    )
    def rules(self, info: Info) -> list[Rule]:
        return [Rule.of(rule) for rule in RULEBOOK.in_force(info.context.app.clock.now())]

    @strawberry.field(description="Public: a rule of the platform rulebook as in force now")
    def rule(self, info: Info, code: str) -> Rule | None:
        found = RULEBOOK.rule(code, at=info.context.app.clock.now())
        return None if found is None else Rule.of(found)

    @strawberry.field(description="Public: advice for consumers with a problem of this category")
    def guides(self, category: ComplaintCategory) -> list[Guide]:
        return [
            Guide(category=g.category, title=g.title, text=g.text)
            for g in RULEBOOK.guides_for(category)
        ]

    @strawberry.field(description="Public: the languages the platform speaks")
    def locales(self) -> list[Locale]:
        return [Locale(tag=language.tag, name=language.name) for language in LANGUAGES.values()]

    @strawberry.field(
        description="The language this request is answered in: negotiated from Accept-Language"
        " (HTTP) or connection_init's `locale` (WebSocket); also in Content-Language"
    )
    def locale(self, info: Info) -> str:
        return info.context.locale

    @strawberry.field(description="Who the token says you are")
    def viewer_role(self, info: Info) -> Role:
        return info.context.actor.role

    @strawberry.field(
        description="Mutation names the viewer may call now that start a shop, a violation"
        " report or the marketplace's webhook, or erase a data subject (registerSeller,"
        " reportViolation, registerMarketplaceWebhook, eraseSubject); those on a case, a shop, a"
        " sanction, a violation or a webhook endpoint are on its own allowedActions"
    )
    def viewer_allowed_actions(self, info: Info) -> list[str]:
        actor = info.context.actor
        return starting_actions(actor) + erasure_actions(actor)

    @strawberry.field(description="The shop's staff and platform staff: its webhook endpoints")
    async def webhook_endpoints(self, info: Info, shop_id: str) -> list[WebhookEndpoint]:
        check_reader(info, shop_id)
        rows = await read(lambda: info.context.read_models.webhooks.of_shop(shop_id))
        return [WebhookEndpoint.of_row(r) for r in rows]

    @strawberry.field(
        description="The marketplace and platform staff: the marketplace's webhook endpoints"
    )
    async def marketplace_webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        check_reader(info, None)
        rows = await read(info.context.read_models.webhooks.of_marketplace)
        return [WebhookEndpoint.of_row(r) for r in rows]

    @strawberry.field(description="An endpoint's deliveries, the newest first, with each attempt")
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> WebhookDeliveryConnection:
        try:
            uuid = ids.parse_uuid("WebhookEndpoint", endpoint_id, "endpointId")
            before = ids.parse_cursor("WebhookDelivery", after)
        except ValidationFailed as error:
            raise coded(error) from None
        views = info.context.read_models
        row = await read(lambda: views.webhooks.get(uuid))
        if row is None or row.status == "REMOVED":
            raise CodedError("NOT_FOUND", Text("No such webhook endpoint."))
        check_reader(info, row.shop_id)
        page = await read(
            lambda: views.deliveries.page(uuid, DEFAULT_PAGE if first is None else first, before)
        )
        edges = [
            WebhookDeliveryEdge(
                cursor=ids.cursor("WebhookDelivery", d.position), node=WebhookDelivery.of(d)
            )
            for d in page.items
        ]
        return WebhookDeliveryConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], has_next=page.has_next, after=after),
        )

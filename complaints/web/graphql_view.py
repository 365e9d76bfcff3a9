"""The GraphQL endpoint: HTTP and graphql-transport-ws on `/graphql`.

HTTP requests carry `Authorization: Bearer <jwt>`; without one the caller is the public, and a
bad one is refused with 401 before any GraphQL runs. WebSockets authenticate in
`connection_init` (payload `{"Authorization": "Bearer <jwt>"}`); a bad token closes the socket
with 4403.

Over HTTP the view follows the GraphQL-over-HTTP draft: a client that accepts
`application/graphql-response+json` gets it, with 400 for a request that never executed (a
document that does not parse or validate, which then carries no `data`); `application/json`
stays the default, always 200. A mutation sent with GET gets 405 with `Allow: POST`, and a
subscription sent over HTTP a 400 that says to use the WebSocket.

A persisted query may come by GET too, as Apollo Client sends it with
`useGETForHashedQueries` (and as a CDN can cache it): `?extensions={"persistedQuery":…}` with
`variables` and `operationName`, answered as the same request by POST is. Its answer says what a
shared cache may keep (`cache_control`): a public read (`PUBLIC_ROOTS`) asked without a token,
for `PUBLIC_MAX_AGE` seconds; anything else is `private`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import anyio.to_thread
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    parse,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message as WSMessage
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from complaints.domain.text import Text
from complaints.domain.values import Role
from complaints.graphql.apq import COMPLAINT, Cacheable, QueryRegistry, cacheable
from complaints.graphql.context import Context
from complaints.graphql.ids import parse_uuid
from complaints.graphql.persisted import PERSISTED, ChangeFeed, ResponseCache
from complaints.graphql.schema import build_schema
from complaints.language import (
    DEFAULT,
    load_catalogues,
    negotiate,
    say,
    supported,
    translated,
)
from complaints.settings import Settings
from complaints.store.replicas import READ_SCOPE
from complaints.tokens import Credentials, InvalidToken
from complaints.web import read_after
from complaints.web.graphiql_page import page as graphiql_page
from complaints.web.identity import PUBLIC, authenticate
from complaints.web.negotiation import header_values, qualities

log = logging.getLogger(__name__)


def unauthorized(reason: str, locale: str) -> Response:
    return Response(
        json.dumps(
            {
                "errors": [
                    {
                        "message": say(Text("Unauthorized: {reason}", reason=reason), locale),
                        "extensions": {"code": "UNAUTHENTICATED"},
                    }
                ]
            }
        ),
        status_code=401,
        media_type="application/json",
        headers={"WWW-Authenticate": 'Bearer realm="complaints"'},
    )


TOKEN_CACHE_ENTRIES = 10_000
JSON = "application/json"
#: The queries whose answers are the same for everyone and hold nothing personal: a GET of a
#: persisted query that reads only these, asked without a token, may be kept by shared caches.
PUBLIC_ROOTS = frozenset(
    {"sellerStanding", "rules", "rule", "guides", "statistics", "locales", "__typename"}
)
#: How long a shared cache may keep a public read: short, since a shop's standing must reach
#: the marketplace soon after a sanction (the standing feed itself is at most 1 s behind).
PUBLIC_MAX_AGE = 5
#: The request parameters a GET carries as JSON (GraphQL over HTTP: `variables`, `extensions`).
GET_JSON_PARAMETERS = ("variables", "extensions")
#: Anything personal, or not known to be public: no shared cache keeps it, and the browser asks
#: again each time.
PRIVATE = b"private, no-cache"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def response_media_type(accept: str | None) -> str:
    """The media type to answer in: `application/graphql-response+json` when the client ranks it
    at least as high as `application/json`; `application/json` (the legacy default, as the
    draft asks) when it ranks it lower, names neither, or sends no Accept at all."""
    ranks = qualities(accept)
    preferred = ranks.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if preferred > 0 and preferred >= ranks.get(JSON, 0.0) else JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: the document did not parse or validate, or its variables did not
    coerce. Field errors have a path; an unexpected (masked) error is the server's, not a
    request error."""
    errors = result.errors or []
    return (
        result.data is None
        and bool(errors)
        and all(e.path is None for e in errors)
        and not any((e.extensions or {}).get("code") == "INTERNAL_ERROR" for e in errors)
    )


def answering_in(media_type: str, scope: Scope, send: Send) -> Send:
    """`send`, with a GraphQL response in JSON sent as `media_type`; under
    `application/graphql-response+json`, a request error (see `process_result`) is a 400."""
    if media_type == JSON:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-type"
            ]
            given = dict(message.get("headers", [])).get(b"content-type", b"")
            if given.split(b";")[0].strip() == JSON.encode():
                headers.append((b"content-type", media_type.encode()))
                status = 400 if scope.get("state", {}).get("request_error") else message["status"]
                message = {**message, "headers": headers, "status": status}
        await send(message)

    return sending


class OperationRefused(Exception):
    """An operation this transport does not carry; answered as a GraphQL error body."""

    def __init__(self, status: int, message: str, code: str, headers: dict[str, str]) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers

    def response(self, media_type: str, locale: str) -> Response:
        message = say(self.message, locale)
        body = {"errors": [{"message": message, "extensions": {"code": self.code}}]}
        return Response(
            json.dumps(body),
            status_code=self.status,
            media_type=media_type,
            headers=self.headers,
        )


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replay(body: bytes, then: Receive) -> Receive:
    """A `receive` that hands over a body already read, then passes on what `then` receives
    (the client's disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await then()

    return receive


def get_request(query_string: bytes) -> dict[str, Any] | None:
    """A GET's parameters as the request body a POST would carry, when they hold a persisted
    query; None for any other GET (GraphQL explains what is wrong with a bad one). Raises
    `OperationRefused` when its `variables` or `extensions` are not JSON."""
    request: dict[str, Any] = dict(parse_qsl(query_string.decode("latin-1")))
    if "persistedQuery" not in request.get("extensions", ""):
        return None
    for name in GET_JSON_PARAMETERS:
        if name in request:
            try:
                request[name] = json.loads(request[name])
            except ValueError:
                raise OperationRefused(
                    400, Text("The `{name}` parameter must be JSON.", name=name), "BAD_REQUEST", {}
                ) from None
    return request


def carrying(scope: Scope, body: bytes) -> Scope:
    """The scope to run a request's body in: a GET carries it in its query string."""
    if scope["method"] != "GET":
        return scope
    request = json.loads(body)
    parameters = {
        name: json.dumps(value) if name in GET_JSON_PARAMETERS else value
        for name, value in request.items()
        if value is not None
    }
    return {**scope, "query_string": urlencode(parameters).encode()}


def cache_control(credentials: Credentials, document: str) -> bytes:
    """What a shared cache may keep of a persisted query's answer by GET."""
    public = credentials.actor.role is Role.PUBLIC and root_fields(document) <= PUBLIC_ROOTS
    return f"public, max-age={PUBLIC_MAX_AGE}".encode() if public else PRIVATE


def root_fields(document: str) -> frozenset[str]:
    """The names of the fields a document's operations select at the root (every name, through
    fragments too: `{ a ...F }` with `fragment F on Query { b }` selects a and b); a document
    that does not parse selects nothing public."""
    try:
        parsed = parse(document, no_location=True)
    except GraphQLError:
        return frozenset({""})
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names: set[str] = set()

    def walk(selections: Any, seen: frozenset[str]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set.selections, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in seen:
                    walk(fragments[name].selection_set.selections, seen | {name})
                else:
                    names.add("")

    for definition in parsed.definitions:
        if isinstance(definition, OperationDefinitionNode):
            walk(definition.selection_set.selections, frozenset())
    return frozenset(names)


#: The name of a document's first operation, where the document starts with it.
FIRST_OPERATION = re.compile(r"\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def operation_name(document: str | None) -> str | None:
    """The operation's name for the access log, when the request does not say it: that of the
    document's first operation (a look at its start, not a parse)."""
    found = FIRST_OPERATION.match(document) if document else None
    return found.group(1) if found else None


def with_cache_control(scope: Scope, send: Send) -> Send:
    """`send`, with the `Cache-Control` of a persisted query by GET: what `_persisted` decided
    once it knew the document, else `private` (an unknown hash, a refusal)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            value = scope["state"].get("cache_control", PRIVATE)
            message = {
                **message,
                "headers": [*message.get("headers", []), (b"cache-control", value)],
            }
        await send(message)

    return sending


async def send_json(body: bytes, send: Send, *, hit: bool = False) -> None:
    headers = [
        (b"content-type", JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if hit:  # RFC 9211
        headers.append((b"cache-status", b"complaints; hit"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def variables_key(variables: dict[str, Any]) -> Hashable:
    """Variables as part of a cache key: names to strings (ids: the common case) as they are,
    sorted; others as canonical JSON (which tells `1` from `true` and `1.0`)."""
    if all(isinstance(v, str) for v in variables.values()):
        return tuple(sorted(variables.items()))
    return json.dumps(variables, sort_keys=True)


async def graphql_error(message: str, code: str, send: Send, locale: str = DEFAULT) -> None:
    said = say(message, locale)
    body = json.dumps({"errors": [{"message": said, "extensions": {"code": code}}]})
    await send_json(body.encode(), send)


class SayingTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with every frame's texts said in the socket's language (the
    `locale` of `connection_init`'s payload, else the upgrade request's Accept-Language)."""

    async def send_message(self, message: WSMessage) -> None:
        if message["type"] in ("next", "error") and self.context.locale != DEFAULT:
            message = translated(message, self.context.locale)
        await super().send_message(message)


def locale_of(scope: Scope) -> str:
    """The language negotiated for the request (web.negotiation.AnswerLanguage)."""
    locale = scope.get("state", {}).get("locale")
    if isinstance(locale, str):
        return locale
    return negotiate(qualities(header_values(scope.get("headers") or [], b"accept-language")))


class GraphQLView(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = SayingTransportWS

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(introspection=settings.introspection),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.allowed_origins,
            max_subscriptions_per_connection=20,
        )
        self.settings = settings
        load_catalogues()
        self.cache = ResponseCache(settings.response_cache_entries)
        #: For each registered query seen, what it reads if it may be cached.
        self._cacheable: dict[str, Cacheable | None] = {}
        self._tokens: dict[str, Credentials] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An HTTP request: authenticated, negotiated, a persisted query resolved, then run."""
        headers = dict(scope.get("headers") or [])
        header = headers.get(b"authorization")
        try:
            credentials = self._authenticate(header.decode("latin-1") if header else None)
        except InvalidToken as error:
            await unauthorized(error.message, locale_of(scope))(scope, receive, send)
            return
        scope.setdefault("state", {})["credentials"] = credentials
        accept = header_values(scope["headers"], b"accept") if b"accept" in headers else None
        media_type = response_media_type(accept)
        scope["state"]["media_type"] = media_type
        send = answering_in(media_type, scope, send)
        if scope["method"] == "POST":
            body = await read_body(receive)
            to_run = await self._persisted(scope, body, credentials, receive, send)
            if to_run is None:
                return
            receive = replay(to_run, receive)
        elif scope["method"] == "GET":
            try:
                request = get_request(scope.get("query_string", b""))
            except OperationRefused as refused:
                await refused.response(media_type, locale_of(scope))(scope, receive, send)
                return
            if request is not None:
                send = with_cache_control(scope, send)
                body = json.dumps(request).encode()
                to_run = await self._persisted(scope, body, credentials, receive, send)
                if to_run is None:
                    return
                scope = carrying(scope, to_run)
        try:
            await super().__call__(scope, receive, send)
        except OperationRefused as refused:
            await refused.response(media_type, locale_of(scope))(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An HTTP request, with its reads scoped for the replicas when there are any."""
        reads = read_after.scope_for(scope)
        if reads is None:
            await self._answer(scope, receive, send)
            return
        token = READ_SCOPE.set(reads)
        try:
            await self._answer(scope, receive, send)
        finally:
            READ_SCOPE.reset(token)

    def _authenticate(self, header: str | None) -> Credentials:
        """Verified tokens are remembered (until they expire), so a client's every request
        does not pay for the signature check again."""
        if header is None:
            return authenticate(self.settings.jwt_secret, None)
        known = self._tokens.get(header)
        if known is not None and known.expires_at is not None:
            if known.expires_at > datetime.now(UTC):
                return known
            del self._tokens[header]
        credentials = authenticate(self.settings.jwt_secret, header)
        if len(self._tokens) >= TOKEN_CACHE_ENTRIES:
            self._tokens.clear()
        self._tokens[header] = credentials
        return credentials

    async def _persisted(
        self, scope: Scope, body: bytes, credentials: Credentials, receive: Receive, send: Send
    ) -> bytes | None:
        """Resolve a persisted query, answering from the response cache when it may. Returns
        the body for GraphQL to run, or None when the request has been answered here."""
        if b"persistedQuery" not in body:
            return body
        try:
            request = json.loads(body)
            wanted = request["extensions"]["persistedQuery"]["sha256Hash"]
        except (ValueError, TypeError, KeyError):
            return body  # not a persisted query after all; GraphQL explains what is wrong
        if not isinstance(wanted, str):
            return body
        state = scope["app"].state
        known = await self._document(state, wanted, request.get("query"), send, locale_of(scope))
        if known is None:
            return None
        document, reads = known
        scope["state"]["operation"] = request.get("operationName") or operation_name(document)
        if scope["method"] == "GET":
            scope["state"]["cache_control"] = cache_control(credentials, document)
        variables = request.get("variables") or {}
        request["query"] = document

        def rewritten() -> bytes:  # the request with its document: not needed for a hit
            return json.dumps(request).encode()

        if reads is None or not isinstance(variables, dict):
            return rewritten()
        fresh = self._feed(state, reads, variables.get(reads.variable))
        if fresh is None:
            return rewritten()
        feed, subject = fresh
        actor = credentials.actor
        key = (
            wanted,
            variables_key(variables),
            actor.role,
            actor.id,
            actor.shop_id,
            locale_of(scope),
        )
        mark = feed.mark(subject)
        cached = self.cache.get(key, mark)
        if cached is not None:
            scope["state"]["cache_hit"] = True
            await send_json(cached, send, hit=True)
            return None
        captured = await self._run_capturing(scope, rewritten(), receive, send)
        # An answer a replica gave may be older than the mark: it is not kept.
        if (
            captured is not None
            and b'"errors"' not in captured
            and not read_after.served_by_replica(scope["state"])
        ):
            self.cache.put(key, captured, mark)
        return None

    @staticmethod
    def _feed(state: Any, reads: Cacheable, subject: object) -> tuple[ChangeFeed, str] | None:
        """The change feed that tells whether a cached answer about `subject` still holds, and
        the subject as the feed names it; None when the answer may not be served from the cache
        now (no such subject, or the feed is behind the read models)."""
        if not isinstance(subject, str):
            return None
        if reads.root == COMPLAINT:
            # Cases change with their timeline; a shop's standing with the sellers read model,
            # which every batch may move.
            feed: ChangeFeed | None = getattr(state, "change_feed", None)
            pulse = state.timeline_projected
            try:
                subject = str(parse_uuid("Complaint", subject, reads.variable))
            except Exception:
                return None
        else:
            feed = getattr(state, "standing_feed", None)
            pulse = state.projected
        if feed is None or not feed.current(pulse):
            return None
        return feed, subject

    async def _document(
        self, state: Any, wanted: str, supplied: object, send: Send, locale: str
    ) -> tuple[str, Cacheable | None] | None:
        """The document a persisted query's hash names, and what it reads if its responses may
        be cached: one of ours, or one a client registered (APQ), or the one this request
        supplies and registers now. None once the request is answered."""
        fixed = PERSISTED.get(wanted)
        registry: QueryRegistry | None = getattr(state, "query_registry", None)
        document = fixed.document if fixed else None
        if document is None and registry is not None:
            document = registry.held(wanted) or await anyio.to_thread.run_sync(registry.get, wanted)
        if document is not None:
            if supplied is not None and supplied != document:
                await graphql_error(
                    Text("The query does not match its sha256Hash."), "BAD_USER_INPUT", send, locale
                )
                return None
            if fixed is not None:
                return document, None if fixed.cache_by is None else fixed.cacheable
            return document, self._cacheable_of(wanted, document)
        if not isinstance(supplied, str):
            await graphql_error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", send)
            return None
        if registry is None or not self.settings.apq_registration:
            await graphql_error("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", send)
            return None
        if hashlib.sha256(supplied.encode()).hexdigest() != wanted:
            await graphql_error(
                Text("The query does not match its sha256Hash."), "BAD_USER_INPUT", send, locale
            )
            return None
        try:
            parse(supplied, no_location=True)
        except GraphQLError:
            return supplied, None  # not registered: GraphQL answers with the syntax error
        await anyio.to_thread.run_sync(registry.register, wanted, supplied)
        return supplied, self._cacheable_of(wanted, supplied)

    def _cacheable_of(self, sha256: str, document: str) -> Cacheable | None:
        if sha256 not in self._cacheable:
            if len(self._cacheable) >= TOKEN_CACHE_ENTRIES:
                self._cacheable.clear()
            self._cacheable[sha256] = cacheable(document)
        return self._cacheable[sha256]

    async def _run_capturing(
        self, scope: Scope, body: bytes, receive: Receive, send: Send
    ) -> bytes | None:
        """Run the request through GraphQL, passing the response on and keeping its body when
        it is a complete 200."""
        status = 0
        chunks: list[bytes] = []

        async def capturing(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await super().__call__(carrying(scope, body), replay(body, receive), capturing)
        return b"".join(chunks) if status == 200 else None

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL from the pinned copies this server holds (complaints/web/graphiql/)."""
        return graphiql_page()

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """As strawberry's, but a mutation sent with GET is a 405 (`Allow: POST`), and a
        subscription sent over HTTP is refused with a pointer to the WebSocket (strawberry would
        run it as a query and fail inside)."""
        request.scope.setdefault("state", {}).setdefault(
            "operation", request_data.operation_name or operation_name(request_data.query)
        )
        reads = request.scope.get("state", {}).get("reads")
        if reads is not None:
            if isinstance(request_data.extensions, dict) and "readAfter" in request_data.extensions:
                read_after.wanted(reads, request_data.extensions["readAfter"])
            reads.wants(context.read_models.db.token_of(str(context.actor)))
            if read_after.is_mutation(request_data.query, request_data.operation_name):
                reads.primary = True
        post = request_adapter.method == "POST"
        allowed = {OperationType.QUERY, OperationType.MUTATION} if post else {OperationType.QUERY}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise OperationRefused(
                    400,
                    Text(
                        "Subscriptions are served over WebSocket, not HTTP: connect to /graphql"
                        " with the graphql-transport-ws protocol."
                    ),
                    "SUBSCRIPTION_OVER_HTTP",
                    {},
                ) from None
            raise OperationRefused(
                405,
                Text("Mutations must be sent with POST."),
                "METHOD_NOT_ALLOWED",
                {"Allow": "POST"},
            ) from None
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed: GraphQLHTTPResponse = translated(
            await super().process_result(request, result), locale_of(request.scope)
        )
        answered: dict[str, Any] = {}
        read_after.answered(request.scope.get("state", {}), answered)
        if answered:
            processed["extensions"] = {**(processed.get("extensions") or {}), **answered}
        if is_request_error(result):
            state = request.scope.setdefault("state", {})
            state["request_error"] = True
            if state.get("media_type") == GRAPHQL_RESPONSE:
                processed.pop("data", None)  # a request error has no `data` at all
        return processed

    def parse_json(self, data: str | bytes) -> Any:
        """A body that is JSON but not an object (a number, a string) is a client error."""
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The body must be a JSON object with a `query`.")
        return parsed

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = request.app.state
        credentials: Credentials = request.scope.get("state", {}).get(
            "credentials", Credentials(PUBLIC, None)
        )
        return Context(
            app=state.complaints,
            read_models=state.read_models,
            settings=self.settings,
            actor=credentials.actor,
            expires_at=credentials.expires_at,
            projected=state.projected,
            timeline_projected=state.timeline_projected,
            request=request,
            response=response,
            locale=locale_of(request.scope),
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        asked = params.get("locale")
        if isinstance(asked, str):
            context.locale = supported(asked) or context.locale
        header = params.get("Authorization") or params.get("authorization")
        if header is None and isinstance(params.get("authToken"), str):
            header = f"Bearer {params['authToken']}"
        if header is not None and not isinstance(header, str):
            raise ConnectionRejectionError({"reason": "Authorization must be a string"})
        try:
            credentials = authenticate(self.settings.jwt_secret, header)
        except InvalidToken as error:
            raise ConnectionRejectionError({"reason": say(error.message, context.locale)}) from None
        context.actor = credentials.actor
        context.expires_at = credentials.expires_at
        return {"role": credentials.actor.role.value}

"""The GraphQL endpoint: HTTP and graphql-transport-ws on `/graphql`.

HTTP requests carry `Authorization: Bearer <jwt>`; without one the caller is the public, and a
bad one is refused with 401 before any GraphQL runs. WebSockets authenticate in
`connection_init` (payload `{"Authorization": "Bearer <jwt>"}`); a bad token closes the socket
with 4403.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from complaints.graphql.context import Context
from complaints.graphql.schema import build_schema
from complaints.identity import PUBLIC, Credentials, InvalidToken, authenticate
from complaints.settings import Settings

log = logging.getLogger(__name__)


def unauthorized(reason: str) -> Response:
    return Response(
        json.dumps(
            {
                "errors": [
                    {
                        "message": f"Unauthorized: {reason}",
                        "extensions": {"code": "UNAUTHENTICATED"},
                    }
                ]
            }
        ),
        status_code=401,
        media_type="application/json",
        headers={"WWW-Authenticate": 'Bearer realm="complaints"'},
    )


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(introspection=settings.introspection),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.allowed_origins,
            max_subscriptions_per_connection=20,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            header = headers.get(b"authorization")
            try:
                credentials = authenticate(
                    self.settings.jwt_secret, header.decode("latin-1") if header else None
                )
            except InvalidToken as error:
                await unauthorized(str(error))(scope, receive, send)
                return
            scope.setdefault("state", {})["credentials"] = credentials
        await super().__call__(scope, receive, send)

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
            request=request,
            response=response,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        if header is None and isinstance(params.get("authToken"), str):
            header = f"Bearer {params['authToken']}"
        if header is not None and not isinstance(header, str):
            raise ConnectionRejectionError({"reason": "Authorization must be a string"})
        try:
            credentials = authenticate(self.settings.jwt_secret, header)
        except InvalidToken as error:
            raise ConnectionRejectionError({"reason": str(error)}) from None
        context.actor = credentials.actor
        context.expires_at = credentials.expires_at
        return {"role": credentials.actor.role.value}

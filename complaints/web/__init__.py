"""The web process: `create_app(settings)` builds the Starlette app (GraphQL over HTTP and
WebSocket, uploads, health), with bearer-token identity and request limits.
"""

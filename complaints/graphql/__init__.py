"""The GraphQL API (strawberry, code-first). Resolvers only translate: they parse ids and enums,
call one application method or read-model query, and map the result."""

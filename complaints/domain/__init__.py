"""The domain core: aggregates, value types, rules and deadlines.

It imports only the standard library and `eventsourcing.domain`; nothing here reads the clock,
the environment or a database.
"""

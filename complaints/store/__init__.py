"""How events are kept: the hash-chained recorders, group commit, the transcodings of value types,
per-subject personal-data keys, idempotency records, table creation on PostgreSQL, and the signal
that wakes readers when something was written.

It serves the application and the projections, and imports neither them nor the API.
"""

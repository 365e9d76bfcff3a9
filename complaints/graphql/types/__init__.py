"""The contract's object types, one module per feature: complaint, seller, violation, timeline,
rulebook, statistics, audit and erasure, with the value and Relay types they share."""

"""Long-running followers of the log that act on it: the deadline worker (`deadlines.py`) and the
webhook deliverer (`webhooks.py`).

Both entrances run them: `complaints worker` (ops) and `complaints serve` when it feeds the read
models in-process (web). They sit below both, so neither entrance imports the other.
"""

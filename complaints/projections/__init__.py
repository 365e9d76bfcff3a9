"""The read side: one module per read model, the runner that feeds them, and rebuilds.

`read_models.ReadModels` is the entry point: it opens the read store, answers queries through each
model's view, reports lag, waits for read-your-writes, and starts the worker.
"""

# Two commands on a fresh machine: `make run` serves on SQLite, `make test` runs every test.
# Each creates .venv and installs the pinned dependencies the first time (and when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint format bench clean browser-deps client-deps bench-deps

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/complaints serve

# bench.http measures from outside with wrk too (bench/outside.py): installed with apt where missing.
bench-deps:
	@bash tools/bench-deps.sh || echo "warning: could not install wrk; bench.http will measure with its own client only"

# The browser tests need Debian's chromium and a CJK font: installed with apt where missing.
browser-deps:
	@bash tools/browser-deps.sh || echo "warning: could not install chromium; the browser tests will skip (and fail under CI=true)"

# The third-party JavaScript clients the tests run (Apollo Client), pinned by tests/clients/package-lock.json.
client-deps:
	@if command -v npm >/dev/null; then npm ci --prefix tests/clients --no-audit --no-fund --silent; \
	else echo "warning: no npm; the client tests will skip (and fail under CI=true)"; fi

# Two passes, each printing its 15 slowest tests; both always run, and `make test` fails if
# either fails. First every test not marked `serial`, spread over worker processes by
# pytest-xdist: one per core and one more, since many tests wait on servers, subprocesses and
# clocks and would leave a core idle (`worksteal` hands each worker a run of neighbouring
# tests, so a module's servers start once, and moves tests to whichever worker runs dry). Then
# the `serial` ones, alone on the machine: they restart PostgreSQL, kill processes, or count on
# timing. `TEST_WORKERS=0 make test` runs the first pass in one process.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(len(os.sched_getaffinity(0)) + 1)')
test: $(INSTALLED) browser-deps client-deps
	status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not serial" || status=1; \
	$(BIN)/python -m pytest -m serial || status=1; \
	exit $$status

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every benchmark, then one table of every goal (bench/summary.py), also kept as JSON so that
# two runs can be compared: `python -m bench.summary var/bench/results.jsonl --compare FILE`.
bench: $(INSTALLED) bench-deps
	mkdir -p var/bench && rm -f var/bench/results.jsonl
	export BENCH_RESULTS=var/bench/results.jsonl; \
	$(BIN)/python -m bench.commands && \
	$(BIN)/python -m bench.http && \
	$(BIN)/python -m bench.access_log && \
	$(BIN)/python -m bench.scale && \
	$(BIN)/python -m bench.subscriptions && \
	$(BIN)/python -m bench.replay && \
	$(BIN)/python -m bench.rebuild && \
	$(BIN)/python -m bench.deadlines && \
	$(BIN)/python -m bench.webhooks && \
	$(BIN)/python -m bench.whatif
	$(BIN)/python -m bench.summary var/bench/results.jsonl --json var/bench/summary-$$(date +%Y%m%d-%H%M).json

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache

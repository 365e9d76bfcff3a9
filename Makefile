# Two commands on a fresh machine: `make run` serves on SQLite, `make test` runs every test.
# Each creates .venv and installs the pinned dependencies the first time (and when pyproject.toml changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test lint format bench clean browser-deps

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/complaints serve

# The browser tests need Debian's chromium and a CJK font: installed with apt where missing.
browser-deps:
	@bash tools/browser-deps.sh || echo "warning: could not install chromium; the browser tests will skip (and fail under CI=true)"

test: $(INSTALLED) browser-deps
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(INSTALLED)
	$(BIN)/python -m bench.commands
	$(BIN)/python -m bench.http
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.subscriptions
	$(BIN)/python -m bench.replay
	$(BIN)/python -m bench.rebuild
	$(BIN)/python -m bench.deadlines
	$(BIN)/python -m bench.webhooks

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache

# Two commands matter: `make repro` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed

.PHONY: system-deps repro test test-unit test-integration lint bench venv clean-venv

venv: $(STAMP)

# The stamp is rebuilt whenever the lock or the project metadata change, so a `git pull`
# that bumps a pin is picked up by the next `make`. Bytecode (libraries and src/) is
# compiled at install time: PYTHONDONTWRITEBYTECODE environments would otherwise recompile
# every imported module in every stage (docs/architecture.md has the figures). A stale .pyc
# is never used (Python checks the source's mtime); __pycache__ is git- and dvc-ignored.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@$(BIN)/python -m compileall -q src > /dev/null
	@touch $(STAMP)

# Stage commands (`claimset ...`, `dvc`) resolve from the venv.
export PATH := $(CURDIR)/$(BIN):$(PATH)

repro: $(STAMP)
	dvc repro
	@python -c 'import yaml; n = yaml.safe_load(open("params.yaml"))["dataset"]["name"]; \
	print(f"\nRelease:  data/release/{n}/  (datasets.load_dataset(\"data/release/{n}\", CONFIG), CONFIG: articles, claim_detection, claims, attribution, stance)"); \
	print("Card:     data/release/" + n + "/README.md   Croissant: data/release/" + n + "/croissant.json"); \
	print("Reports:  reports/  (agreement.md, validation.md, splits.json, baselines.json; `dvc metrics show`)")'

# Browser tests need Debian's chromium; the script is a no-op when it is installed.
system-deps:
	@bash scripts/install_system_deps.sh

test: $(STAMP) system-deps
	python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(BIN)/python -m pytest -m "not integration" $(PYTEST_ARGS)

test-integration: $(STAMP)
	$(BIN)/python -m pytest -m integration $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/mypy

# Speed targets live here, never in tests: ingest+segment+candidates, GX gate, Label Studio push.
bench: $(STAMP)
	python scripts/bench_ingest.py
	python scripts/bench_validate.py
	python scripts/bench_push.py
	python scripts/bench_publish.py

# Regenerate the lock after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/uv pip compile --quiet --python-version 3.11 --extra dev --generate-hashes pyproject.toml -o requirements.lock

clean-venv:
	rm -rf $(VENV)

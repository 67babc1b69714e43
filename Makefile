# ConvScope: two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 8000
VENV ?= .venv
BIN := $(VENV)/bin
# The first Python 3.11+ found (PYTHON overrides).
PYTHON ?= $(shell for p in python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { command -v $$p; break; }; done)

# The second supported Python, for `make test-3.12` (CI runs it beside `make test`).
PYTHON312 ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV312 ?= .venv-3.12

.PHONY: run test test-3.12 lint bench wire fuzz fuzz-ci hostile loadtest docker chromium redis fashion clean help

help:
	@echo "make run    - set up .venv and serve ConvScope on http://$(HOST):$(PORT)"
	@echo "make test   - set up everything the tests need (Chromium included) and run them"
	@echo "make test-3.12 - the suite but the browser tests, on Python 3.12"
	@echo "make lint   - ruff + mypy + eslint (npm ci once into node_modules/)"
	@echo "make bench  - time the engine and the API against torch / OpenCV"
	@echo "make wire   - bytes on the wire: the lab's convolve answer and a page load, gzip / 304"
	@echo "make loadtest - 32 clients x 60 s against gunicorn on loopback: p50/p99, 5xx, RSS drift"
	@echo "make fuzz   - schemathesis (>= 1,000 cases) against the live server; make hostile: the"
	@echo "              hostile-input corpus with time and memory per case"
	@echo "make docker - build the image, run it and smoke-test it (scripts/ci-docker.sh)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "ConvScope needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,server]'
	@touch $@ $(VENV)/.run-installed

$(VENV)/.bench-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,server,bench]'
	@touch $@ $(VENV)/.dev-installed $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/convscope serve --host $(HOST) --port $(PORT)

chromium:
	@scripts/ensure-chromium.sh
	@scripts/ensure-poppler.sh  # pdftoppm: the worksheet PDF test

redis:
	@scripts/ensure-redis.sh

fashion:  # Debian's Fashion-MNIST: the dataset test (the Docker image has it)
	@scripts/ensure-fashion.sh

# The bench extra too: torch (2.13.0, a CPU wheel on this machine's disk for Python 3.11) is the
# independent oracle of the explanation and ONNX tests, which would otherwise be skipped.
test: $(VENV)/.bench-installed node_modules/.installed chromium redis fashion
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the browser tests, on Python 3.12 (the browser tests run under `make test`).
$(VENV312)/.dev-installed: pyproject.toml
	@test -n "$(PYTHON312)" || { echo "make test-3.12: no Python 3.12 found (set PYTHON312=...)"; exit 1; }
	test -x $(VENV312)/bin/python || $(PYTHON312) -m venv $(VENV312)
	$(VENV312)/bin/python -m pip install -q --upgrade pip
	$(VENV312)/bin/python -m pip install -q -e '.[dev,server]'
	@touch $@

test-3.12: $(VENV312)/.dev-installed redis
	$(VENV312)/bin/python -m pytest -m 'not e2e' $(PYTEST_ARGS)

# ESLint from npm, pinned by package-lock.json; reinstalled only when the lock file changes.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make lint and make test need Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --silent
	@touch $@

lint: $(VENV)/.dev-installed node_modules/.installed
	$(BIN)/ruff check app tests bench
	$(BIN)/mypy app
	npx --no-install eslint --max-warnings 0 static/js

bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench

wire: $(VENV)/.dev-installed
	$(BIN)/python -m bench.wire

# Serving: load, fuzz, hostile inputs against a real gunicorn on loopback; the Docker image.
loadtest: $(VENV)/.dev-installed
	$(BIN)/python -m loadtest.load

fuzz: $(VENV)/.dev-installed
	$(BIN)/python -m loadtest.fuzz

# The seeded, shorter pass that CI runs.
fuzz-ci: $(VENV)/.dev-installed
	$(BIN)/python -m loadtest.fuzz --examples 8 --min-cases 500

hostile: $(VENV)/.dev-installed
	$(BIN)/python -m loadtest.hostile

docker: $(VENV)/.dev-installed
	scripts/ci-docker.sh

clean:
	rm -rf $(VENV) $(VENV312) .pytest_cache .mypy_cache .ruff_cache artifacts node_modules

# onramp — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast test-pg lint install system-deps test-deps bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Debian packages the app needs: redis-server (private Redis for `onramp up` and the tests).
system-deps:
	@command -v redis-server >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server; }

## Test-only Debian packages: chromium for the browser tests (Playwright cannot download
## browsers here) and docker-compose, which validates docker-compose.yml offline.
test-deps:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	[ -z "$$missing" ] || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; }

## Set up, migrate, seed the demo company and start Redis + web + worker + relay.
run: install system-deps
	$(BIN)/onramp db upgrade
	ONRAMP_BASE_URL=$${ONRAMP_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/onramp seed-demo
	$(BIN)/onramp up --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## The whole suite: lint, unit, integration (real DB + Redis + worker), slow faults, browser e2e.
test: install system-deps test-deps lint
	$(BIN)/pytest -m "" -p no:cacheprovider

## Everyday loop: skips the slow fault tests and the browser.
test-fast: install
	$(BIN)/pytest

## The suite on PostgreSQL (ONRAMP_TEST_DATABASE_URL names a server; a fresh database is made).
test-pg: install system-deps test-deps
	ONRAMP_TEST_DATABASE_URL=$${ONRAMP_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -m "not e2e" -p no:cacheprovider

## Ratio benchmarks (bench/): a fresh database on the PostgreSQL server at
## ONRAMP_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test), or
## SQLite with SQLITE=1; QUICK=1 for the short run (under 3 minutes). Writes bench/results.json.
bench: install system-deps
	$(BIN)/python -m bench $(if $(filter-out 0,$(QUICK)),--quick) $(if $(filter-out 0,$(SQLITE)),--sqlite)

clean:
	rm -rf $(VENV) var test-artifacts *.egg-info

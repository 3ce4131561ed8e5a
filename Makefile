# Two commands matter: `make run` (portal with demo data on SQLite) and `make test` (whole suite).
# Everything else is listed by `make help`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.lock | cksum | cut -d' ' -f1)
DEV_ENV := DJANGO_DEBUG=true
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run test test-postgres deployed-test e2e lint imports format messages catalogues lock check-deploy clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements/dev.lock
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" 2>/dev/null || { echo "Python 3.11 is required (found: $(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/dev.lock
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) ## Create .venv and install the locked dependencies (only when the lock changed)

catalogues: $(STAMP) ## Compile locale/*.po into .mo (pure Python: no GNU gettext needed)
	$(DEV_ENV) $(PY) manage.py compile_catalogues

run: $(STAMP) catalogues ## Migrate, seed demo data and serve the portal at http://127.0.0.1:8000
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Live-server contract tests that restore the migrated data (serialized_rollback) run in a
# process of their own: a transactional test's flush elsewhere in the same process re-creates
# content types, and restoring the serialized copy over them collides.
OWN_PROCESS := tests/tipoffs/test_open311_clients.py

test: $(STAMP) ## Run the whole test suite on SQLite (browser journeys run when /usr/bin/chromium exists)
	$(PY) -m pytest -n 2 --dist load $(foreach f,$(OWN_PROCESS),--ignore=$(f)) $(PYTEST_ARGS) && \
	for f in $(OWN_PROCESS); do $(PY) -m pytest -n 0 -p no:randomly -q $$f || exit 1; done

# Transactional tests that need the migrated data each run in a process (and test database) of
# their own on PostgreSQL: there a flush re-creates content types under new ids, so two such
# modules in one process collide; SQLite resets its sequences on flush and runs them together.
# They run in two lanes at once (one per core), each lane on a test database of its own.
# Every test database is cloned from one migrated template (tests/pg_template.py), built first.
# Only the tests that use the database run here (PORTAL_DATABASE_TESTS_ONLY, tests/conftest.py):
# the others cannot reach it, so they cannot depend on it; `make test` runs them.
PG_LANE_A := $(OWN_PROCESS) tests/disclosure/test_catalogue.py tests/portal/test_transitions.py \
	tests/surveys/test_export_machine.py
PG_LANE_B := tests/surveys/test_release_files_migration.py tests/surveys/test_concurrency.py \
	tests/learning/test_concurrency.py tests/portal/test_mfa.py
PG_OWN_DB := $(PG_LANE_A) $(PG_LANE_B)

test-postgres: $(STAMP) ## Run the tests that use the database against DATABASE_URL (default: local PostgreSQL)
	export DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/eco_portal}; \
	PORTAL_TEST_DB_TEMPLATE=$$($(PY) -m tests.pg_template create) || exit 1; \
	export PORTAL_TEST_DB_TEMPLATE; trap '$(PY) -m tests.pg_template drop' EXIT; \
	export PORTAL_DATABASE_TESTS_ONLY=1; \
	$(PY) -m pytest -n 2 --dist load --create-db $(foreach f,$(PG_OWN_DB),--ignore=$(f)) $(PYTEST_ARGS) || exit 1; \
	lane() { url="$$DATABASE_URL$$1"; shift; for f in "$$@"; do \
	  DATABASE_URL="$$url" $(PY) -m pytest -n 0 --create-db -p no:randomly -q $$f || return 1; done; }; \
	lane _lane_a $(PG_LANE_A) & a=$$!; lane _lane_b $(PG_LANE_B) & b=$$!; \
	wait $$a; ra=$$?; wait $$b; rb=$$?; test $$ra -eq 0 -a $$rb -eq 0

deployed-test: $(STAMP) ## Start the deployed topology (nginx, 2 app servers, 2 workers, private PostgreSQL/Redis/S3) and test it
	@command -v nginx >/dev/null || { echo "nginx is required: apt-get install nginx-light"; exit 1; }
	PORTAL_DEPLOYED_TEST=1 $(PY) -m pytest tests/deployed -n 0 -p no:randomly $(PYTEST_ARGS)

e2e: $(STAMP) ## Run only the browser journeys
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP) imports ## ruff format --check, ruff check, makemigrations --check, import contracts
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

imports: $(STAMP) ## Check the layer and app-boundary contracts ([tool.importlinter] in pyproject.toml)
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: $(STAMP) ## Apply ruff formatting and autofixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(STAMP) ## Refresh locale/ catalogues from the source (needs GNU gettext)
	$(DEV_ENV) $(PY) manage.py makemessages --no-location --no-obsolete -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*'
	$(DEV_ENV) $(PY) manage.py makemessages -d djangojs --no-location --no-obsolete -l zh_Hans -l en --ignore '.venv/*' --ignore 'var/*' --ignore 'static/vendor/*' --ignore 'tests/*'
	$(PY) -m portal.i18n_tools fill-en

check-deploy: $(STAMP) ## manage.py check --deploy under production-like environment
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$(openssl rand -hex 40 2>/dev/null || echo ci-only-$$RANDOM$$RANDOM-$$RANDOM$$RANDOM-long-enough-secret-key-value-xyz) \
		DJANGO_ALLOWED_HOSTS=portal.example.gov.cn EMAIL_HOST=smtp.invalid PORTAL_SMS_SENDER=portal.sms.DisabledSmsSender \
		$(PY) manage.py check --deploy --fail-level WARNING

lock: ## Re-resolve requirements/*.lock from pyproject.toml (needs network)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.lock

clean: ## Remove the virtualenv and local data (var/)
	rm -rf $(VENV) var

# Parley: `make run` serves the site with the seed data; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Development runs use Django's debug mode; production sets its own environment.
export DJANGO_DEBUG ?= 1

.PHONY: install install-dev run serve test lint bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install-dev: install $(VENV)/.installed-dev

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_seed
	@echo
	@echo "Parley is at http://$(HOST):$(PORT)/ and its admin at http://$(HOST):$(PORT)/admin/"
	@echo "Create an admin account with: $(BIN)/python manage.py createsuperuser"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production as it runs: gunicorn, static files from whitenoise, debug mode off, the
# database named by DATABASE_URL (SQLite in the project folder by default). Needs
# DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; DJANGO_HTTPS=0 for plain HTTP. See README.
serve: install
	DJANGO_DEBUG=0 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=0 $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	DJANGO_DEBUG=0 $(BIN)/gunicorn --config tracker/gunicorn.conf.py --bind $(HOST):$(PORT) tracker.wsgi

# The suite runs on both cores; a test file stays on one worker (Redis, ports, files).
TEST_WORKERS ?= 2

test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# The benchmark: 200,000 generated statements in their own SQLite file
# (bench.sqlite3, git-ignored), or in the PostgreSQL database of DATABASE_URL when
# set (its Parley records are replaced), then every page kind against a baseline.
BENCH_STATEMENTS ?= 200000
BENCH_DATABASE_URL = $(if $(DATABASE_URL),$(DATABASE_URL),sqlite:///$(CURDIR)/bench.sqlite3)
bench: install-dev
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py generate_data --flush --statements $(BENCH_STATEMENTS)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench --output bench.json -v2

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

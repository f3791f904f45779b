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

test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

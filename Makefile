# The two commands a newcomer needs: `make run` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV_ENV := DJANGO_DEBUG=1
# Debug off whatever the shell says; the settings refuse to start without DJANGO_SECRET_KEY then.
PROD_ENV := DJANGO_DEBUG=0

.DEFAULT_GOAL := help
.PHONY: help setup lock run test lint format messages serve backup restore

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

LOCK_VENV := .venv-lock
PIP_TOOLS := pip-tools==7.6.2
COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header \
	--no-emit-index-url --no-emit-find-links

# Exactly the versions (and files, by hash) of the lock, never whatever a range allows today.
$(INSTALLED): pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

setup: $(INSTALLED) ## Create the virtualenv and install the locked dependencies with the dev tools

lock: ## Re-resolve requirements.txt (production) and requirements-dev.txt from pyproject.toml's ranges, newest first
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet $(PIP_TOOLS)
	$(COMPILE) --upgrade -o requirements.txt pyproject.toml
	$(COMPILE) --upgrade --extra dev -o requirements-dev.txt pyproject.toml requirements.txt

run: setup ## Set everything up (database, demo content, demo accounts) and serve http://127.0.0.1:8000
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py load_demo_content
	$(DEV_ENV) $(BIN)/python manage.py create_demo_accounts
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup ## Run the whole test suite (DATABASE_URL picks the database; SQLite by default)
	$(BIN)/pytest

lint: setup ## Check lint, formatting and that every model change has its migration
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: setup ## Fix lint and formatting where ruff can
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: setup ## After changing interface strings: update locale/zh_Hant (needs GNU gettext), then translate and rerun
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l zh_Hant --no-obsolete --no-wrap --ignore=.venv --ignore=bench --ignore=tests
	$(DEV_ENV) $(BIN)/python manage.py build_catalogues

serve: setup ## Production: migrate, collect static files, then gunicorn (gunicorn.conf.py), debug off
	$(PROD_ENV) $(BIN)/python manage.py migrate --no-input
	$(PROD_ENV) $(BIN)/python manage.py collectstatic --no-input
	$(PROD_ENV) $(BIN)/python manage.py check --deploy
	$(PROD_ENV) $(BIN)/gunicorn --config gunicorn.conf.py

backup: setup ## Write a consistent copy of the database (DATABASE_URL) to backups/
	$(BIN)/python manage.py backup_database

restore: setup ## Replace the database with a backup: make restore FILE=backups/<file>
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/<file>" >&2; exit 1; }
	$(BIN)/python manage.py restore_database "$(FILE)"

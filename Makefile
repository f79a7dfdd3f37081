# Amparo: `make run` starts the demo on http://127.0.0.1:8000, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

# Throw-away production settings, only for `check --deploy`.
DEPLOY_ENV = AMPARO_MODE=production AMPARO_ALLOWED_HOSTS=amparo.example.org \
	AMPARO_SMS_GATEWAY=twilio TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000 \
	TWILIO_AUTH_TOKEN=not-a-real-token AMPARO_PUBLIC_URL=https://amparo.example.org \
	AMPARO_VAR_DIR=$(CURDIR)/var/check-deploy \
	AMPARO_PLAN_KEYSTORE=$(CURDIR)/var/check-deploy-keys/plan-keys.sqlite3 \
	AMPARO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	AMPARO_KEYS="$$($(BIN)/python -c 'from amparo.crypto.keyfile import *; print(dump_key_set(generate_key_set()))')"

.PHONY: run test check install catalogs lint typecheck migrations-check deploy-check clean

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Amparo needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) catalogs

catalogs: $(STAMP)
	@AMPARO_MODE=test $(BIN)/amparo compilecatalogs

run: install
	AMPARO_MODE=demo $(BIN)/amparo migrate --no-input -v0
	AMPARO_MODE=demo $(BIN)/amparo demo
	AMPARO_MODE=demo $(BIN)/amparo run

test: install
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff format --check amparo
	$(BIN)/ruff check amparo

typecheck: $(STAMP)
	AMPARO_MODE=test $(BIN)/mypy amparo

migrations-check: $(STAMP)
	AMPARO_MODE=test $(BIN)/amparo makemigrations --check --dry-run

deploy-check: install
	$(DEPLOY_ENV) $(BIN)/amparo check --deploy --fail-level WARNING

check: install lint typecheck migrations-check deploy-check test

clean:
	rm -rf $(VENV) var

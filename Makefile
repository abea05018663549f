# Quick start: `make run` serves the app, `make test` runs the whole test suite; `make demo`
# first fills an empty database with a demo program, `make screenshots` redraws the README's;
# `make bench` measures the quick subset of the bench suite (bench/README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint install demo screenshots bench

# The stamp file is newer than pyproject.toml once the project is installed as it says.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# A random secret key for this machine, kept out of git in instance/.
instance/config.py:
	mkdir -p instance
	umask 077 && $(PYTHON) -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

run: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) users ensure-admin
	$(FLASK) run --host $(HOST) --port $(PORT)

demo: install instance/config.py
	$(FLASK) db upgrade
	$(FLASK) demo

# docs/screenshots/*.png over a throw-away demo database, in Debian's Chromium.
screenshots: install
	$(BIN)/python scripts/screenshots.py

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The bench suite's quick subset: 1,000 risks seeded into instance/bench-1000.db, every page
# over HTTP under gunicorn and the 32-user load run; figures in bench/results/*.json.
bench: install
	$(BIN)/python -m bench.http --risks 1000 --seed --load-seconds 10

# panel: make run (demo server) and make test (whole suite). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app panel
PORT ?= 5000
# Where emailed links point (panel refuses to start without it outside debug and tests); the
# demo targets serve on 127.0.0.1:$(PORT). Set PANEL_SERVER_NAME yourself to override.
SERVER_NAME = $${PANEL_SERVER_NAME:-127.0.0.1:$(PORT)}

.PHONY: run test setup bench serve load scan clean-vendor

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

static/vendor/.copied: node_modules/.installed scripts/vendor.sh
	bash scripts/vendor.sh
	touch $@

setup: $(VENV)/.installed static/vendor/.copied

run: setup
	PANEL_SERVER_NAME=$(SERVER_NAME) $(FLASK) db-upgrade
	PANEL_SERVER_NAME=$(SERVER_NAME) PANEL_PREFERRED_URL_SCHEME=$${PANEL_PREFERRED_URL_SCHEME:-http} $(FLASK) demo-data --if-empty
	# the pack worker (renders the packs people ask for) and the notifications worker (messages
	# reach instance/outbox/) run alongside the server, and stop with it
	PANEL_SERVER_NAME=$(SERVER_NAME) $(FLASK) packs-worker & worker=$$!; \
	PANEL_SERVER_NAME=$(SERVER_NAME) PANEL_PREFERRED_URL_SCHEME=$${PANEL_PREFERRED_URL_SCHEME:-http} \
	  $(FLASK) notifications run & notifier=$$!; trap 'kill $$worker $$notifier 2>/dev/null' EXIT INT TERM; \
	PANEL_SERVER_NAME=$(SERVER_NAME) PANEL_TRUSTED_HOSTS=$${PANEL_TRUSTED_HOSTS:-127.0.0.1,localhost} \
	  PANEL_PREFERRED_URL_SCHEME=$${PANEL_PREFERRED_URL_SCHEME:-http} PANEL_COOKIE_SECURE=false \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

# worksteal: a worker that runs out of tests takes half of another's queue, so one long file
# (the page crawl, the journeys) never leaves a core idle at the end. No test depends on another
# having run: a module's live server is started on each worker that runs some of its tests.
test: setup
	$(PY) -m pytest -q -n auto --dist worksteal --durations=15 $(PYTEST_ARGS)

bench: setup
	$(PY) -m panel.packs.bench

serve: setup
	PANEL_SERVER_NAME=$(SERVER_NAME) $(FLASK) db-upgrade
	# No request waits on a render or an email (packs are made by the pack worker, every message is
	# sent by the notifications worker from the outbox), so the web server's worker timeout is set
	# explicitly to 30 s: a request that takes longer is stuck, not busy.
	PANEL_SERVER_NAME=$(SERVER_NAME) $(FLASK) packs-worker & worker=$$!; \
	PANEL_SERVER_NAME=$(SERVER_NAME) $(FLASK) notifications run & notifier=$$!; \
	trap 'kill $$worker $$notifier 2>/dev/null' EXIT INT TERM; \
	PANEL_SERVER_NAME=$(SERVER_NAME) $(VENV)/bin/gunicorn --workers $$(( $$(nproc) * 2 + 1 )) --timeout $${GUNICORN_TIMEOUT:-30} \
	  --graceful-timeout 30 --bind 127.0.0.1:$(PORT) 'panel:create_app()'

load: setup
	$(PY) scripts/load.py --users 30 --seconds 60 $(LOAD_ARGS)

# Debian's wapiti against the app under gunicorn on a fresh demo database (installed with
# apt-get if missing); at most SCAN_SECONDS (default 600). Report under instance/scan-*/.
scan: setup
	SCAN_PORT=$${SCAN_PORT:-5099} bash scripts/scan.sh

# OpenCity — two commands: `make run` (set up and serve the Huế demo) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
MANAGE := $(PYTHON) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
VENDOR := src/opencity/static/vendor
ICONS := src/opencity/vendor/lucide

.PHONY: run test test-quick setup venv static collect messages db chromium fonts lint clean help bench bench-10m bench-monitoring bench-dossiers bench-replica drill audit

help:
	@echo "make run     — set everything up and serve the demo on http://$(HOST):$(PORT)/"
	@echo "make test    — set up and run every test (unit, API, browser)"
	@echo "make test-quick — the suite without browser tests"
	@echo "make bench   — 1 M reports on PostgreSQL, every scenario beside its ceilings (~20 min; bench/README.md)"
	@echo "make bench-10m — the IOC figures and unit ranking at 10 M reports (~25 min, 22 GB)"
	@echo "make bench-monitoring — sensor ingest (HTTP, MQTT) and charts at 100 M readings (~25 min)"
	@echo "make bench-replica — the console and statistics with and without a read replica (~6–10 min; bench/replica.py)"
	@echo "make bench-dossiers — 1.4 M one-stop dossiers: import, figures, lookup (~10 min; bench/dossiers.py)"
	@echo "make drill   — the fault drill: kill -9 and lost connections under load on PostgreSQL (~17 min; docs/drill.md)"
	@echo "make audit  — the pinned packages against OSV database files, offline (docs/contributing.md)"

$(BIN)/activate: requirements.txt requirements-dev.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(BIN)/activate

venv: $(BIN)/activate

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

# Front-end packages come from npm and are copied into static files; never committed.
$(VENDOR)/.stamp: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/leaflet $(VENDOR)/markercluster $(VENDOR)/htmx $(VENDOR)/echarts
	mkdir -p $(VENDOR)/exifr
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/htmx-ext-sse/dist/sse.min.js $(VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.common.min.js $(VENDOR)/echarts/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/markercluster/
	cp node_modules/exifr/dist/mini.umd.js node_modules/exifr/LICENSE $(VENDOR)/exifr/
	touch $@

# The icons are inlined into pages by {% icon %} (lib/templatetags/icons.py), never served: they
# are kept beside the code, not among the static files (2,000 files the static server would index).
$(ICONS)/.stamp: node_modules/.package-lock.json
	rm -rf $(VENDOR)/lucide  # where they were kept before
	mkdir -p $(ICONS)
	cp node_modules/lucide-static/icons/*.svg node_modules/lucide-static/LICENSE $(ICONS)/
	touch $@

static: $(VENDOR)/.stamp $(ICONS)/.stamp

locale/vi/LC_MESSAGES/django.mo: locale/vi/LC_MESSAGES/django.po | venv
	$(MANAGE) compilemessages -l vi --ignore=.venv --ignore=node_modules >/dev/null

messages: locale/vi/LC_MESSAGES/django.mo

# Collected once per setup: hashed names, gzip and Brotli copies in VAR_DIR/static, served by
# WhiteNoise without compressing per request (src/opencity/lib/staticfiles.py).
collect: venv static
	$(MANAGE) collectstatic --noinput -v0

setup: venv static messages fonts collect

db: setup
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) load_demo

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# A Unicode TrueType font for the PDF digital reports (Vietnamese letters); OPENCITY_PDF_FONT overrides.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || test -n "$$OPENCITY_PDF_FONT" || (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core >/dev/null)

# The demo, the benchmark and the drill send no real text message: sign-up codes are printed
# (the console SMS backend, refused at start-up otherwise while DEBUG is off: docs/configuration.md).
run db bench bench-10m bench-monitoring drill: export OPENCITY_SMS_ALLOW_CONSOLE ?= True

run: db
	@OPENCITY_SITE_URL=$${OPENCITY_SITE_URL:-http://$(HOST):$(PORT)} bash scripts/run.sh $(HOST) $(PORT)

test: setup chromium
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-quick: setup
	$(BIN)/pytest -q -m "not e2e" $(PYTEST_ARGS)

# Benchmarks (issue 7): a fresh PostgreSQL database opencity_bench, 1 M generated reports, the
# server as production runs it, load from wrk; not part of `make test`. BENCH_REPORTS=… to change.
bench: setup chromium
	$(PYTHON) bench/run.py
	$(PYTHON) bench/monitoring.py

# Monitoring alone (issue 17): ingest over HTTP and MQTT beside COPY, the rule lag, and the charts
# at 100 M readings (~25 min, ~20 GB); results in bench/results/monitoring.json.
bench-monitoring: setup
	$(PYTHON) bench/monitoring.py

bench-dossiers: setup
	$(PYTHON) bench/dossiers.py

# The read replica (issue 20): a throwaway primary (initdb, 200,000 reports) and its streaming
# replica (pg_basebackup -R), never the shared cluster; /statistics/ and the console's figures
# with and without it (~6–10 min). Results in bench/results/replica.json.
bench-replica: setup
	$(PYTHON) bench/replica.py

# The IOC headline and unit ranking at 10 M reports (their budgets' scale): ~25 min, 22 GB of
# disk; replaces the opencity_bench database. Results in bench/results/10m.json.
bench-10m: setup
	$(PYTHON) bench/run.py --reports 10000000 --only ioc_headline,unit_ranking --skip-extras --results 10m

# Audit the pinned packages against OSV's database files, offline (docs/contributing.md).
audit: venv
	@test -n "$(OSV_DB)" || (echo 'make audit OSV_DB="PyPI-all.zip npm-all.zip" (docs/contributing.md)'; exit 2)
	$(PYTHON) scripts/audit_deps.py $(foreach db,$(OSV_DB),--db $(db))

# The fault drill (issue 13): a fresh PostgreSQL database opencity_drill, the server and worker
# as production runs them, kill -9 and lost connections under load; exits 1 if an acknowledged
# action or a promised side effect was lost. Not part of `make test`. DRILL_ARGS=--quick: ~5 min.
drill: setup
	$(PYTHON) drill/run.py $(DRILL_ARGS)

lint: venv
	$(BIN)/ruff check src e2e bench
	PYTHONPATH=src $(BIN)/lint-imports --no-cache --no-logo  # the graph between the apps (pyproject.toml)

clean:
	rm -rf $(VENDOR) staticfiles

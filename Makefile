# The two commands: `make run` (install, migrate, seed demo data, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard meeting_server/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint format bench test-packages translations-extract clean

NODE_STAMP := node_modules/.installed
VENDOR := static/vendor/socket.io.esm.min.js static/vendor/pdfjs/.copied

install: $(STAMP) $(COMPILED) $(VENDOR)

# Browser libraries from npm (exact versions in package-lock.json), served from our own origin.
$(NODE_STAMP): package.json package-lock.json
	npm ci --omit=optional --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

static/vendor/socket.io.esm.min.js: $(NODE_STAMP)
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.esm.min.js $@

# PDF.js: the library, its worker, the viewer components (find, text layer) and their CSS.
# Our code never loads its optional Node-only canvas package (npm ci omits it).
static/vendor/pdfjs/.copied: $(NODE_STAMP)
	rm -rf static/vendor/pdfjs && mkdir -p static/vendor/pdfjs
	cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs \
	  node_modules/pdfjs-dist/web/pdf_viewer.mjs node_modules/pdfjs-dist/web/pdf_viewer.css \
	  node_modules/pdfjs-dist/LICENSE static/vendor/pdfjs/
	cp -r node_modules/pdfjs-dist/web/images static/vendor/pdfjs/images
	touch $@

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

run: install
	$(BIN)/meeting-server db upgrade
	$(BIN)/meeting-server demo
	MEETING_PUBLIC_URL=$${MEETING_PUBLIC_URL:-http://$(HOST):$(PORT)} $(BIN)/meeting-server run --host $(HOST) --port $(PORT)

# Debian packages the tests use: Chromium for the browser tests (test tools never download
# their own browser), poppler's pdfsig to check our signatures independently, SoftHSM2 as the
# PKCS#11 token. Installed only when missing.
TEST_PACKAGES := chromium:/usr/bin/chromium poppler-utils:/usr/bin/pdfsig softhsm2:/usr/bin/softhsm2-util
test-packages:
	@missing=""; for pair in $(TEST_PACKAGES); do \
	  test -x "$${pair#*:}" || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages for the tests:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

test: install test-packages
	$(BIN)/pytest --cov --cov-report=term:skip-covered -q

# Speed targets (loopback only, bounded loops); each merges into bench/results/latest.json.
bench: install
	$(BIN)/python bench/sign_bench.py
	$(BIN)/python bench/fanout_bench.py
	$(BIN)/python bench/vote_bench.py
	$(BIN)/python bench/signing_route_bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --strict signing

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o meeting_server/translations/messages.pot .
	$(BIN)/pybabel update -i meeting_server/translations/messages.pot -d meeting_server/translations

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache .mypy_cache .ruff_cache .coverage

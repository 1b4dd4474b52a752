# The two commands: `make run` (install, migrate, seed demo data, serve) and `make test`.
# Python packages come only from uv.lock (exact versions with hashes), npm's from package-lock.json.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv itself, pinned with hashes in tools/uv-requirements.txt (the same version uv.lock holds).
UV_HOME := .venv-uv
UV := $(UV_HOME)/bin/uv
export UV_PYTHON_DOWNLOADS := never
# 2 workers on this 2-core machine, each test file on one worker (browser modules share one
# live server across their tests); `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
CATALOGS := $(wildcard meeting_server/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint format bench test-packages translations-extract clean lock \
	test-latest sbom audit contract

NODE_STAMP := node_modules/.installed
TINOS := meeting_server/static/vendor/fonts/tinos
VENDOR := meeting_server/static/vendor/socket.io.esm.min.js meeting_server/static/vendor/pdfjs/.copied \
	meeting_server/static/vendor/swagger-ui/.copied $(TINOS)/.copied

install: $(STAMP) $(COMPILED) $(VENDOR)
	$(BIN)/python -m compileall -q meeting_server signing >/dev/null

# Browser libraries from npm (exact versions in package-lock.json), served from our own origin.
$(NODE_STAMP): package.json package-lock.json
	npm ci --omit=optional --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

meeting_server/static/vendor/socket.io.esm.min.js: $(NODE_STAMP)
	mkdir -p meeting_server/static/vendor
	cp node_modules/socket.io-client/dist/socket.io.esm.min.js $@

# PDF.js: the library, its worker, the viewer components (find, text layer) and their CSS.
# Our code never loads its optional Node-only canvas package (npm ci omits it).
meeting_server/static/vendor/pdfjs/.copied: $(NODE_STAMP)
	rm -rf meeting_server/static/vendor/pdfjs && mkdir -p meeting_server/static/vendor/pdfjs
	cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs \
	  node_modules/pdfjs-dist/web/pdf_viewer.mjs node_modules/pdfjs-dist/web/pdf_viewer.css \
	  node_modules/pdfjs-dist/LICENSE meeting_server/static/vendor/pdfjs/
	cp -r node_modules/pdfjs-dist/web/images meeting_server/static/vendor/pdfjs/images
	touch $@

# Swagger UI for the API's docs page (/api/v1/docs): the bundle and its CSS only; our own
# page starts it from a script file, as the CSP allows no inline script.
meeting_server/static/vendor/swagger-ui/.copied: $(NODE_STAMP)
	rm -rf meeting_server/static/vendor/swagger-ui && mkdir -p meeting_server/static/vendor/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	  node_modules/swagger-ui-dist/LICENSE meeting_server/static/vendor/swagger-ui/
	touch $@

# Tinos (Times New Roman's metrics, every Vietnamese letter; OFL-1.1), the documents' and
# stamps' serif: signing/fonts.py cuts its static 1000-unit faces from these four files.
TINOS_NPM := node_modules/@expo-google-fonts/tinos
$(TINOS)/.copied: $(NODE_STAMP)
	rm -rf $(TINOS) && mkdir -p $(TINOS)
	cp $(TINOS_NPM)/400Regular/Tinos_400Regular.ttf $(TINOS_NPM)/400Regular_Italic/Tinos_400Regular_Italic.ttf \
	  $(TINOS_NPM)/700Bold/Tinos_700Bold.ttf $(TINOS_NPM)/700Bold_Italic/Tinos_700Bold_Italic.ttf $(TINOS)/
	cp $(TINOS_NPM)/LICENSE_FONT $(TINOS)/OFL.txt
	touch $@

$(UV): tools/uv-requirements.txt
	test -x $(UV_HOME)/bin/python || $(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
	  -r tools/uv-requirements.txt
	touch $@

# --locked: stop if uv.lock does not match pyproject.toml (run `make lock`), never re-resolve.
# --compile-bytecode: every process (each server, each sandboxed PDF child) starts from .pyc,
# even where PYTHONDONTWRITEBYTECODE is set (then nothing would ever be cached: +3 s a start).
$(STAMP): pyproject.toml uv.lock $(UV)
	$(UV) sync --quiet --locked --compile-bytecode --extra dev --python $(PYTHON)
	touch $(STAMP)

# Re-resolve every package to the newest release pyproject.toml allows; commit the result alone,
# after `make test` passes on it. The bootstrap pin follows the uv version the lock chose.
lock: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	echo "uv==$$($(UV) export --locked --extra dev --no-hashes --format requirements.txt \
	  | sed -n 's/^uv==\([^ ;]*\).*/\1/p')" \
	  | $(UV) pip compile --quiet --generate-hashes --universal --no-header - -o tools/uv-requirements.txt

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
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --cov --cov-report=term:skip-covered -q

# The suite against the newest releases pyproject.toml allows, in a separate virtualenv, to see
# the next breakage before an office does. Not part of CI; the lock stays as it is.
LATEST := .venv-latest
test-latest: $(UV) $(COMPILED) $(VENDOR) test-packages
	rm -rf $(LATEST)
	$(UV) venv --quiet --python $(PYTHON) $(LATEST)
	$(UV) pip install --quiet --refresh --python $(LATEST)/bin/python setuptools
	$(UV) pip install --quiet --refresh --python $(LATEST)/bin/python --no-build-isolation -e '.[dev]'
	@echo "Installed here but not in uv.lock (newer releases):"
	@$(UV) export --quiet --locked --all-extras --no-emit-project --no-hashes --format requirements.txt \
	  -o $(LATEST)/exported.txt
	@sed -n 's/^\([^ ;#]*==[^ ;]*\).*/\1/p' $(LATEST)/exported.txt | sort > $(LATEST)/locked.txt
	@$(UV) pip list --quiet --python $(LATEST)/bin/python --format freeze \
	  | awk -F'==' '{ name = tolower($$1); gsub(/[_.]/, "-", name); print name "==" $$2 }' \
	  | sort | comm -13 $(LATEST)/locked.txt - \
	  | grep -v '^meeting-server==' || echo "  (none: the lock holds the newest releases)"
	MEETING_TEST_UNLOCKED=1 $(LATEST)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile -q -p no:cacheprovider

# A CycloneDX SBOM of exactly what uv.lock and package-lock.json install.
sbom: install
	$(BIN)/python tools/sbom.py --output dist/sbom.cdx.json

# Known vulnerabilities in the locked packages (needs a machine that reaches PyPI's advisory
# API or OSV; says so plainly when it cannot).
audit: $(UV)
	UV_PROJECT_ENVIRONMENT=.venv-audit $(UV) sync --quiet --locked --only-group audit \
	  --no-install-project --python $(PYTHON)
	mkdir -p build
	$(UV) export --quiet --locked --all-extras --no-emit-project --format requirements.txt \
	  -o build/requirements-audit.txt
	.venv-audit/bin/python tools/audit.py build/requirements-audit.txt

# Speed targets (loopback only, bounded loops); each merges into bench/results/latest.json.
bench: install
	$(BIN)/python bench/sign_bench.py
	$(BIN)/python bench/fanout_bench.py
	$(BIN)/python bench/vote_bench.py
	$(BIN)/python bench/signing_route_bench.py
	$(BIN)/python bench/register_bench.py
	$(BIN)/python bench/official_route_bench.py
	$(BIN)/python bench/visual_bench.py
	$(BIN)/python bench/dashboard_bench.py
	$(BIN)/python bench/live_bench.py
	$(BIN)/python bench/soak.py

# The browser's copy of the notice contract (static/js/lib/contract.js), from the server's.
contract: install
	$(BIN)/python tools/contract_js.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/check_sizes.py
	$(BIN)/mypy
	$(BIN)/mypy --strict signing

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o meeting_server/translations/messages.pot .
	$(BIN)/pybabel update -i meeting_server/translations/messages.pot -d meeting_server/translations

clean:
	rm -rf $(VENV) $(UV_HOME) $(LATEST) .venv-audit node_modules meeting_server/static/vendor build dist \
	  .pytest_cache .mypy_cache .ruff_cache .coverage

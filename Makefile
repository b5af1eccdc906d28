# Two commands: `make demo` and `make test`.  Both install what they need first (uv, then the locked
# environment), so they work on a fresh machine that has only Python and pip.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif

.PHONY: demo test setup dagster lint

setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

demo: setup
	@$(UV) run --frozen xxgk demo --data-dir data/demo

# the site's tests open it in Debian's Chromium (tests/test_site.py): installed here when missing, so that `make test`
# works on a fresh machine as CI's does
test: setup
	@command -v chromium >/dev/null || { echo "installing Debian's chromium for the site's browser tests"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@$(UV) run --frozen pytest -q

# Dagster UI and daemon (schedules), offline, with the project's own instance settings (no telemetry, no
# sign-up prompt).  `exec` and dagster_project/serve.py: Ctrl-C or SIGTERM reaches dg itself, with the signals'
# default dispositions restored (a background start inherits SIGINT ignored), and dg stops the webserver and daemon.
# Data goes to XXGK_DATA_DIR (default data/nightly), never to the demo's folder.
DAGSTER_HOME_DIR := $(CURDIR)/data/dagster_home
dagster: setup
	@mkdir -p $(DAGSTER_HOME_DIR) && cp dagster_project/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	@DAGSTER_HOME=$(DAGSTER_HOME_DIR) exec $(UV) run --frozen python -m dagster_project.serve

lint: setup
	@$(UV) run --frozen ruff check parsers pipelines scrapers warehouse dagster_project synth tests benchmarks identity archive portals

# Two commands: `make demo` and `make test`.  Both install what they need first (uv, then the locked
# environment), so they work on a fresh machine that has only Python and pip.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif

.PHONY: demo test setup

setup:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

demo: setup
	@$(UV) run --frozen xxgk demo --data-dir data/demo

test: setup
	@$(UV) run --frozen pytest -q

# Promise Gap: the two commands of the README, and a few more for the people who build the kit.
# Everything runs in .venv so a facilitator's own Python is never touched.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
# `make workshop LAB_ARGS=--no-browser` (the test does this) starts the server without opening a browser.
LAB_ARGS ?=
EXAMPLE ?= workshops/example
# `make serve WORKSHOP=workshops/CLIENT`: the participants' page for that workshop (default: the example).
WORKSHOP ?= $(EXAMPLE)
# Jupyter refuses to start as root unless told; only CI machines and containers run as root.
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root)
CHROMIUM := /usr/bin/chromium

.PHONY: workshop serve test install install-test chromium postgresql bench guide clean

# JupyterLab runs with the kit's environment first on PATH, so its terminals find `workshop` (and this
# Python) as the guide writes them: `workshop serve --workshop workshops/CLIENT`.
workshop: $(VENV)/.installed
	@test -f $(EXAMPLE)/promise.yml || $(BIN)/workshop new $(abspath $(EXAMPLE)) --from datasets/sample
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" $(BIN)/jupyter lab --ServerApp.port=$(PORT) --ServerApp.root_dir=. $(ROOT_ARGS) $(LAB_ARGS) \
		notebooks/00_start_here.ipynb

serve: $(VENV)/.installed
	$(BIN)/workshop serve --workshop $(WORKSHOP) $(SERVE_ARGS)

test: $(VENV)/.installed-test chromium postgresql
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider $(PYTEST_ARGS)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps make a re-run fast: pip runs again only when pyproject.toml changes.
# The Jupyter server config beside it installs the pre-save hook that keeps the kit's notebooks free of
# outputs (workshop/kit_notebooks.py): every `jupyter lab` from this environment saves them stripped.
$(VENV)/.installed: pyproject.toml jupyter-config/jupyter_server_config.d/promise-gap.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	mkdir -p $(VENV)/etc/jupyter/jupyter_server_config.d
	cp jupyter-config/jupyter_server_config.d/promise-gap.json $(VENV)/etc/jupyter/jupyter_server_config.d/
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Browser tests use Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Chromium from Debian for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
		else sudo apt-get update && sudo apt-get install -y chromium; fi; \
	fi

# The session store's tests start a throwaway PostgreSQL server of their own from Debian's package
# (tests/postgresql_server.py); only its binaries are needed, no running service.
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing PostgreSQL from Debian for the session store's tests..."; \
		if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y postgresql; \
		else sudo apt-get update && sudo apt-get install -y postgresql; fi; \
	fi

bench: $(VENV)/.installed-test
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The printables (participant handout, facilitator cheat sheet) as HTML and PDF in facilitator_guide/build/.
guide: $(VENV)/.installed-test
	$(BIN)/python facilitator_guide/build_printables.py --pdf

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

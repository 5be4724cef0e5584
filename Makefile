# memlab: `make demo` runs the main job, `make test` runs the tests, `make docs` builds the documentation.
# Each target installs what it needs first (Debian's ngspice, a virtual environment,
# the package with its test extras), so both work on a fresh clone of a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.installed-docs
# Measured device data (the Knowm loops) reach memlab only through MEMLAB_DATA: a folder that
# holds knowm_wsdc_5kohm/. Give it on the command line (make demo MEMLAB_DATA=/path) or in the
# environment; by default the team's shared folder next to the checkout, when it exists.
MEMLAB_DATA ?= $(firstword $(wildcard $(CURDIR)/../shared/data /work/shared/data))
export MEMLAB_DATA

.PHONY: setup ngspice chromium demo test docs bench clean

setup: ngspice $(STAMP)

ngspice:
	@if ! dpkg -s ngspice libngspice0 libngspice0-dev libsuitesparse-dev libopenblas0-pthread >/dev/null 2>&1; then \
	  echo "installing ngspice, SuiteSparse and OpenBLAS from Debian packages"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq ngspice libngspice0 libngspice0-dev libsuitesparse-dev libopenblas0-pthread >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found (memlab needs Python 3.11+)"; exit 1; }
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,all]'
	touch $(STAMP)

demo: setup
	$(VENV)/bin/memlab demo --out out

# headless Chromium renders the report in tests/analysis/test_report_browser.py
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "installing chromium (headless browser for the report test) from Debian packages"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# two worker processes (pytest-xdist, one per core; tests/conftest.py keeps the tests that share
# a module's fixture on one worker); NUMBA_NUM_THREADS is left alone, so the kernels' parallel
# loops still run threaded
test: setup chromium
	$(PY) -m pytest -q -x -n auto --durations=15

# the documentation site: Sphinx + sphinx-gallery (every docs/tutorials/tNN_*.py is executed),
# warnings are errors; output in docs/_build/html
$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e '.[test,all,docs]'
	touch $(DOCS_STAMP)

docs: setup $(DOCS_STAMP)
	rm -rf docs/_build docs/auto_tutorials docs/sg_execution_times.rst
	MPLBACKEND=Agg $(VENV)/bin/sphinx-build -W --keep-going -b html -j 1 docs docs/_build/html
	@echo "documentation: docs/_build/html/index.html"

bench: setup
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) out build *.egg-info docs/_build docs/auto_tutorials

# memlab: `make demo` runs the main job, `make test` runs the tests.
# Each target installs what it needs first (Debian's ngspice, a virtual environment,
# the package with its test extras), so both work on a fresh clone of a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Measured device data (the Knowm loops) reach memlab only through MEMLAB_DATA: a folder that
# holds knowm_wsdc_5kohm/. Give it on the command line (make demo MEMLAB_DATA=/path) or in the
# environment; by default the team's shared folder next to the checkout, when it exists.
MEMLAB_DATA ?= $(firstword $(wildcard $(CURDIR)/../shared/data /work/shared/data))
export MEMLAB_DATA

.PHONY: setup ngspice demo test bench clean

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

test: setup
	$(PY) -m pytest -q -x --durations=15

bench: setup
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) out build *.egg-info

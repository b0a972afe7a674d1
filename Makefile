# The two commands a user needs: `make run` and `make test`. Each bootstraps .venv itself.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PORT ?= 8501
ADDRESS ?= localhost
# Test processes: one per core (pytest-xdist), at most 4; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto

# A Python >= 3.12: PATH first, then pyenv's versions, then common install places.
find_python = $(shell for c in python3.14 python3.13 python3.12 python3 python \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV) \
	/usr/local/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12; do \
	p=$$(command -v $$c 2>/dev/null) || continue; \
	$$p -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: run test bench bench-app bench-upload bench-checks bench-audit bench-dask bench-distinct bench-priority bench-share bench-remount bench-switch bench-gpu bench-cap bench-wide load-test lint e2e-deps clean help

help:
	@echo "make run    start the app on http://$(ADDRESS):$(PORT)"
	@echo "make test   run every test (unit, app, browser)"
	@echo "make bench  run the benchmarks, write benchmarks/results/"
	@echo "make lint   ruff check, ruff format --check, mypy --strict"

$(PY):
	@PYBIN="$(find_python)"; \
	if [ -z "$$PYBIN" ]; then \
	  echo "error: Python >= 3.12 not found (looked on PATH and in ~/.pyenv/versions)."; \
	  echo "Install Python 3.12 or newer (e.g. 'pyenv install 3.12' or 'apt-get install python3.12-venv'), then run make again."; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$PYBIN"; \
	$$PYBIN -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[test,dev]"
	@touch $@ $(STAMP)

run: $(STAMP)
	$(PY) -m dashboard.serve --server.address $(ADDRESS) --server.port $(PORT)

e2e-deps: $(TEST_STAMP)
	@bash tests/e2e/install_browser.sh

test: $(TEST_STAMP) e2e-deps lint
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile

bench: $(TEST_STAMP)
	$(PY) -m benchmarks.run

bench-app: $(TEST_STAMP)
	$(PY) -m benchmarks.app_timing

bench-upload: $(TEST_STAMP)
	$(PY) -m benchmarks.large_upload

bench-cap: $(TEST_STAMP)
	$(PY) -m benchmarks.training_cap

bench-wide: $(TEST_STAMP)
	$(PY) -m benchmarks.wide_table

bench-checks: $(TEST_STAMP)
	$(PY) -m benchmarks.read_checks

bench-audit: $(TEST_STAMP)
	$(PY) -m benchmarks.audit

# The cluster engine (local:2) against the single process; ROWS="1000000 5000000" for more.
ROWS ?= 1000000
bench-dask: $(TEST_STAMP)
	$(PY) -m benchmarks.dask_bench --rows $(ROWS)

bench-distinct: $(TEST_STAMP)
	$(PY) -m benchmarks.distinct_rows

bench-priority: $(TEST_STAMP)
	$(PY) -m benchmarks.job_priority

bench-remount: $(TEST_STAMP)
	$(PY) -m benchmarks.plotly_remount

# The Local row switch, kept chart against st.plotly_chart, alternating (about 8 minutes).
bench-switch: $(TEST_STAMP)
	$(PY) -m benchmarks.row_switch

# GPU TreeSHAP against the same machine's CPU (needs an NVIDIA GPU; see benchmarks/gpu_check.py).
bench-gpu: $(TEST_STAMP)
	$(PY) -m benchmarks.gpu_check

bench-share: $(TEST_STAMP)
	$(PY) -m benchmarks.session_share

load-test: $(TEST_STAMP)
	$(PY) -m benchmarks.load_test

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check explainers dashboard sample_data tests benchmarks
	$(VENV)/bin/ruff format --check explainers dashboard sample_data tests benchmarks
	$(VENV)/bin/mypy explainers dashboard

clean:
	rm -rf $(VENV) build *.egg-info

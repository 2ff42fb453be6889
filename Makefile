# Set-up is part of every target: a fresh clone needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CHROMIUM := /usr/bin/chromium
OUT ?= results/baseline
COMPARE_OUT ?= results/baseline_portfolios
PYTEST := $(BIN)/python -m pytest -q -n auto
COMPILED := .compiled

.PHONY: demo test test-fast test-slow lint bench compiled bench-compiled clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: the baseline scenario (one run) and three portfolios on it (4 common seeds each),
## each with a self-contained HTML report: $(OUT)/report.html, $(COMPARE_OUT)/report.html
demo: $(STAMP)
	$(BIN)/sqm-sim run baseline --seed 1 --out $(OUT)
	$(BIN)/sqm-sim report $(OUT)
	$(BIN)/sqm-sim compare baseline --portfolios none process_first balanced \
		--replications 4 --name baseline_portfolios --out $(COMPARE_OUT)
	$(BIN)/sqm-sim report $(COMPARE_OUT)

## The classroom page's browser tests drive Debian's Chromium (Playwright cannot download
## its own browser here): installed with apt-get when missing (as root, as on CI).
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium at $(CHROMIUM) for the browser tests"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

## test: lint, then both test tiers: the default tier, then the slow tier (what CI runs)
test: lint $(CHROMIUM)
	$(PYTEST)
	$(PYTEST) -m slow

## test-fast: lint, then the default tier only (everything not marked slow): the quick loop
test-fast: lint $(CHROMIUM)
	$(PYTEST)

## test-slow: the slow tier only (@pytest.mark.slow: statistical tests over many
## replications or examples, and the notebooks)
test-slow: $(STAMP)
	$(PYTEST) -m slow

## lint: ruff (lint and format) over the code, mypy (pydantic plugin) over
## sqm_sim/models and sqm_sim/config (settings in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check setup.py sqm_sim tests benchmarks tools
	$(BIN)/ruff format --check setup.py sqm_sim tests benchmarks tools
	$(BIN)/mypy

## bench: performance measurements (not part of the test suite)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_simulate.py

## compiled: the package with its model compiled by mypyc (setup.py), installed into
## $(COMPILED) for this venv's Python; rebuilt when a source file changes. Use it with
## PYTHONPATH=$(COMPILED) $(BIN)/python ..., and PYTHONSAFEPATH=1 with -m or -c (so that
## the source tree in the working directory does not shadow it)
$(COMPILED)/.built-stamp: $(STAMP) setup.py pyproject.toml $(shell find sqm_sim -name '*.py')
	rm -rf $(COMPILED)
	SQM_SIM_COMPILE=1 $(BIN)/python -m pip install --quiet --no-build-isolation --no-deps \
		--target $(COMPILED) .
	touch $@
compiled: $(COMPILED)/.built-stamp

## bench-compiled: bench_simulate on the compiled model
bench-compiled: $(COMPILED)/.built-stamp
	PYTHONPATH=$(COMPILED) $(BIN)/python benchmarks/bench_simulate.py

clean:
	rm -rf $(VENV) $(COMPILED) build results .pytest_cache .ruff_cache .mypy_cache .hypothesis

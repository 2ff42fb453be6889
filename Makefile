# Set-up is part of every target: a fresh clone needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= results/baseline
COMPARE_OUT ?= results/baseline_portfolios

.PHONY: demo test test-slow lint bench clean

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

## test: lint, then the test suite (slow statistical tests excluded)
test: $(STAMP)
	$(BIN)/ruff check sqm_sim tests benchmarks
	$(BIN)/ruff format --check sqm_sim tests benchmarks
	$(BIN)/python -m pytest -q -n auto

## test-slow: only the slow statistical tests
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

lint: $(STAMP)
	$(BIN)/ruff check sqm_sim tests benchmarks
	$(BIN)/ruff format --check sqm_sim tests benchmarks

## bench: performance measurements (not part of the test suite)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_simulate.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache .hypothesis

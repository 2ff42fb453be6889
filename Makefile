# Set-up is part of every target: a fresh clone needs only python3 (>= 3.11) and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT ?= results/baseline

.PHONY: demo test test-slow lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: run the shipped baseline scenario; results and report in $(OUT)
demo: $(STAMP)
	$(BIN)/sqm-sim run baseline --seed 1 --out $(OUT)

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

# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv when it is missing.
PYTHON ?= python3
# test processes: CI has 2 cores; `make test PYTEST_WORKERS=0` runs the suite in one process
PYTEST_WORKERS ?= 2
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check clean constraints

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f demo.db
	$(BIN)/risk-warning scan --rules rulesets/ --data fixtures/demo --as-of 2026-06-30 --db sqlite:///demo.db --max-quarantined 0.2

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	$(BIN)/risk-warning test rulesets/ --junit build/rule-tests.xml
	$(BIN)/risk-warning backtest --rules rulesets/ --expect rulesets/ --junit build/backtest.xml
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup --durations=25

clean:
	rm -rf $(VENV) build demo.db .pytest_cache .mypy_cache .ruff_cache .hypothesis

# after upgrading a dependency and a green `make test`: pin the set that passed
constraints: $(STAMP)
	{ head -2 constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.new && mv constraints.new constraints.txt

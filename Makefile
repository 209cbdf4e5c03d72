# daiban — one command to see it, one command to test it.
#   make demo   set everything up and open the demo desk
#   make test   set everything up and run every check and test
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: setup system-deps demo test lint bench clean

system-deps:
	@bash .ci/system-deps.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

setup: system-deps $(VENV)/.installed

demo: setup
	$(BIN)/daiban demo

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup

bench: setup
	$(PY) -m bench.print
	$(PY) -m bench.sync --cases 3000
	$(PY) -m bench.desk --cases 100000

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

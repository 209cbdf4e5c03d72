# daiban — one command to see it, one command to test it.
#   make demo   set everything up and open the demo desk
#   make test   set everything up and run every check and test (and build + smoke-test the exe)
#   make exe    build the station executable (build/out/daiban/daiban)
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
# The venv is made from the system's Python when it is 3.11 or later and can make one:
# Debian's and Ubuntu's, which docs/deploy.md installs the centre on, are built with PGO
# and LTO; a python3 found first on PATH may not be (pyenv builds without
# --enable-optimizations by default: ~15-20 % more CPU per pushed event, docs/scale.md),
# and the tests then ran on an interpreter no county runs. PYTHON=... chooses another.
SYSTEM_PYTHON := $(shell /usr/bin/python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo /usr/bin/python3)
PYTHON ?= $(or $(SYSTEM_PYTHON),python3)
# Python caches compiled modules (__pycache__): a machine that says not to
# (PYTHONDONTWRITEBYTECODE, set on some CI images) compiled every module of FastAPI,
# SQLAlchemy, pydantic and Textual again in each `daiban` the tests start, ~3.4 s of
# a 6 s `daiban central init`.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup system-deps test-deps demo test lint bench exe smoke floors clean

# the runtime system packages (font, lp, venv); never fails for lack of root
system-deps:
	@bash .ci/system-deps.sh runtime

# what only the tests need (PostgreSQL, poppler, Chromium)
test-deps:
	@bash .ci/system-deps.sh all

# Python packages come from uv.lock (exact versions, hashes) through uv; where uv
# cannot be had, pip installs the project's declared ranges instead.
$(VENV)/.installed: pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	@if $(PY) -m pip install -q uv; then \
	  UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync -q --frozen --inexact --extra dev --compile-bytecode; \
	else \
	  echo "daiban: uv unavailable; installing with pip from pyproject.toml (not the lock)"; \
	  $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e '.[dev]'; \
	fi
	touch $@

setup: system-deps $(VENV)/.installed

demo: setup
	$(BIN)/daiban demo

lint: setup
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# the executable's smoke test and the floors first, the whole suite last (its summary
# closes the output). A module's tests run on one worker (loadscope): spread over both,
# each worker started the module's own central (and its PostgreSQL database) again.
test: lint test-deps
	$(MAKE) --no-print-directory floors smoke
	$(BIN)/pytest -n 2 --dist loadscope

bench: setup
	$(PY) -m bench.print
	$(PY) -m bench.sync --cases 3000
	$(PY) -m bench.desk --cases 100000
	$(PY) -m bench.size --cases 2000

# issue 14's scale figures (long: tens of minutes on 2 cores)
bench-scale: setup
	$(PY) -m bench.sync --cases 10000 --push-only --db postgres --durable
	$(PY) -m bench.catchup --cases 10000
	$(PY) -m bench.pull
	$(PY) -m bench.routes
	$(PY) -m bench.idle
	$(PY) -m bench.instructions
	$(PY) -m bench.storm --stations 500 --cases 3 --db sqlite --workers 2
	$(PY) -m bench.storm --stations 500 --cases 3 --db sqlite --workers 2 --as engine
	$(PY) -m bench.storm --stations 500 --cases 3 --db postgres --workers 2
	$(PY) -m bench.storm --stations 2000 --cases 3 --db postgres --workers 2

# the station executable: one folder with one launcher (see build/daiban.spec)
exe: setup
	bash build/build.sh

# build it, then run it from another directory with a clean HOME
smoke: exe
	bash build/smoke.sh

# the lowest typer (and click) pyproject.toml allows, with the command-line tests
floors: setup
	bash build/floors.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build/out

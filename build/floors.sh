#!/usr/bin/env bash
# The floors pyproject.toml declares for typer (and click, where that typer still uses the
# separate click package) are checked, not guessed: a throwaway venv gets everything
# from uv.lock except typer and click, which go down to their floors, and the
# command-line tests run there.
# Usage: bash build/floors.sh   (needs .venv with uv: `make setup`)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
uv="$VENV/bin/uv"
floors=$(mktemp -d)
trap 'rm -rf "$floors"' EXIT

# "typer>=0.16" -> typer==0.16 (and click, when declared)
pins=$("$VENV/bin/python" - <<'EOF'
import re, tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
for dep in deps:
    m = re.fullmatch(r"(typer|click)\s*>=\s*([\w.]+)", dep.split(";")[0].strip())
    if m:
        print(f"{m[1]}=={m[2]}")
EOF
)
echo "floors: $pins"
"$uv" venv -q --python "$VENV/bin/python" "$floors/venv"
UV_PROJECT_ENVIRONMENT="$floors/venv" "$uv" sync -q --frozen --extra dev
# shellcheck disable=SC2086 # one word per pin
VIRTUAL_ENV="$floors/venv" "$uv" pip install -q $pins
VIRTUAL_ENV="$floors/venv" "$uv" pip list 2>/dev/null | grep -E '^(typer|click) ' || true
"$floors/venv/bin/python" -m pytest -q -p no:cacheprovider -n 2 --dist loadgroup \
  tests/unit/store/test_cli.py tests/central/test_cli.py tests/e2e/test_cli_options.py \
  tests/unit/test_cli_signin.py

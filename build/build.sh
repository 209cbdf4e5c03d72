#!/usr/bin/env bash
# Build the station executable with PyInstaller into build/out/daiban/.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/pyinstaller" --noconfirm --clean \
  --distpath build/out --workpath build/out/work build/daiban.spec
echo "built: build/out/daiban/daiban"

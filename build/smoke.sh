#!/usr/bin/env bash
# Smoke test of the built station executable, as a county IT person would run it:
# from another directory, with a clean HOME, nothing from the source tree on the path.
#   version, central init, demo --setup-only, a take-in by `case import`, `sync` to a
#   central started from the same executable (2 workers), `print receipt` with the
#   bundled CJK font embedded (pdffonts), `desk serve` answering a browser.
# Usage: bash build/smoke.sh [path/to/daiban]   (default: build/out/daiban/daiban)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exe=$(realpath "${1:-$root/build/out/daiban/daiban}")
[ -x "$exe" ] || { echo "smoke: no executable at $exe (run: make exe)" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in ${pids[@]+"${pids[@]}"}; do kill "$pid" 2>/dev/null || true; done
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
# a clean environment: no daiban settings, no virtualenv, a fresh HOME
env_clean=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$work/home" "LANG=C.UTF-8" "TERM=dumb")
mkdir -p "$work/home"
daiban() { "${env_clean[@]}" ${DAIBAN_PASSWORD:+"DAIBAN_PASSWORD=$DAIBAN_PASSWORD"} "$exe" "$@"; }
step() { printf 'smoke: %s\n' "$*"; }
fail() { printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }

# wait until something listens on 127.0.0.1:$1 (any HTTP answer), at most $2 seconds
wait_http() {
  local deadline=$((SECONDS + $2))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/")" != "000" ]; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }

step "version"
start=$EPOCHREALTIME
if daiban --version >version.txt 2>&1; then
  cat version.txt
else
  # `--version` belongs to the command line's own work; until it lands, --help must run
  daiban --help >/dev/null || fail "--help"
  echo "smoke: (no --version yet; --help ran)"
fi
python3 -c 'import sys; print(f"smoke: cold start {float(sys.argv[2]) - float(sys.argv[1]):.2f} s")' \
  "$start" "$EPOCHREALTIME"

[ -f "$(dirname "$exe")/_internal/tzdata/zoneinfo/Asia/Shanghai" ] \
  || fail "the time zone data (tzdata) is missing from the build"

step "central init"
daiban central init --data-dir "$work/central" >/dev/null || fail "central init"
[ -f "$work/central/central/central.db" ] || fail "central init made no database"

step "demo --setup-only"
daiban demo --setup-only >demo.txt 2>&1 || { cat demo.txt; fail "demo --setup-only"; }
demo="$work/home/.local/share/daiban/demo"
station="$demo/station-640522100201"
[ -f "$station/demo-enrolled" ] || fail "demo enrolled no station"

step "take-in by case import"
cat >cases.jsonl <<'EOF'
{"item":"640522-YB-001","receive":true,"applicant":{"name":"李秀兰","id_number":"640522198001010018","phone":"13800000000"},"fields":{"hukou_address":"山门村一组","category":"普通居民","insured_year":2027},"materials":{"id_card":"provided"}}
EOF
DAIBAN_PASSWORD=demo1234 daiban case import cases.jsonl --as agent201 --json \
  --data-dir "$station" >import.json || { cat import.json; fail "case import"; }
case_no=$(json_get import.json 'd["case_numbers"][0]')
step "imported $case_no"

step "bundle export (USB stick)"
daiban bundle export --out outbox.bundle --json --data-dir "$station" >bundle.json \
  || { cat bundle.json; fail "bundle export"; }
[ -s outbox.bundle ] || fail "bundle export wrote nothing"

step "central serve --workers 2 (same executable) and sync"
port=$(cat "$demo/central/demo-port")
"${env_clean[@]}" "DAIBAN_HOME=$demo/central" "$exe" central serve --host 127.0.0.1 --port "$port" \
  --workers 2 --data-dir "$demo/central" >central.log 2>&1 &
pids+=($!)
wait_http "$port" 60 || { cat central.log; fail "central did not start"; }
daiban sync --json --data-dir "$station" >sync.json || { cat sync.json central.log; fail "sync"; }
[ "$(json_get sync.json 'd["error"]')" = "None" ] || { cat sync.json; fail "sync error"; }
[ "$(json_get sync.json 'd["applied"] >= 1')" = "True" ] || { cat sync.json; fail "nothing applied"; }
[ "$(json_get sync.json 'd["pending"]')" = "0" ] || { cat sync.json; fail "events left pending"; }

step "print receipt (the bundled CJK font embedded)"
font="$(dirname "$exe")/_internal/printing/bundled/wqy-microhei.ttc"
[ -f "$font" ] || fail "the bundled font is missing from the build"
daiban print receipt "$case_no" --out receipt.pdf --font "$font" --data-dir "$station" >/dev/null \
  || fail "print receipt"
pdffonts receipt.pdf >fonts.txt
cat fonts.txt
grep -E 'WenQuanYi.* yes +yes' fonts.txt >/dev/null || fail "no embedded CJK font in the receipt"
daiban print receipt "$case_no" --out receipt80.pdf --format 80mm --data-dir "$station" >/dev/null \
  || fail "print receipt --format 80mm"
pdffonts receipt80.pdf >fonts80.txt
grep -E ' yes +yes' fonts80.txt >/dev/null || fail "80 mm receipt: no embedded font"

step "desk serve"
desk_port=$(free_port)
"${env_clean[@]}" "$exe" desk serve --port "$desk_port" --data-dir "$station" >desk.log 2>&1 &
pids+=($!)
wait_http "$desk_port" 60 || { cat desk.log; fail "desk serve did not start"; }
curl -fs "http://127.0.0.1:$desk_port/" >desk.html || fail "desk serve page"
grep -i "textual" desk.html >/dev/null || fail "desk serve page is not the desk"
# a browser tab: the websocket starts the desk (the executable itself) and draws its login
"$root/${VENV:-.venv}/bin/python" - "$desk_port" <<'EOF_PY' || { cat desk.log; fail "served desk"; }
import asyncio, sys
import aiohttp

async def main(port: str) -> None:
    seen = ""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws:
            await ws.send_json(["resize", {"width": 80, "height": 24}])
            async def read() -> None:
                nonlocal seen
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.TEXT:
                        seen += message.data
                    elif message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data.decode("utf-8", "replace")
                    if "登录" in seen:
                        return
            await asyncio.wait_for(read(), timeout=90)
    print("smoke: the served desk shows its login screen")

asyncio.run(main(sys.argv[1]))
EOF_PY

echo "smoke: all passed ($(du -sh "$(dirname "$exe")" | cut -f1) in $(find "$(dirname "$exe")" -type f | wc -l) files)"

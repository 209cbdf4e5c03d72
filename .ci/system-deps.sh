#!/usr/bin/env bash
# Installs the system packages daiban needs (fonts, PostgreSQL, poppler, tmux) when missing,
# and the ones only its tests need (chromium).
# Debian/Ubuntu only; elsewhere it says what to install and goes on.
set -euo pipefail
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# grep reads all of fc-list (no -q): under pipefail an early exit would SIGPIPE fc-list and
# report the font missing by chance.
fc-list 2>/dev/null | grep -ci "wqy-microhei" >/dev/null || need+=(fonts-wqy-microhei fontconfig)
# the CMaps pdftotext needs to read back text set in the built-in STSong-Light
[ -d /usr/share/poppler/cMap ] || need+=(poppler-data)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# Test-only packages: the tests need them, the desk does not.
test_only=()
# the served-desk test opens `daiban desk serve` in a headless Chromium (Debian's, at /usr/bin)
[ -x /usr/bin/chromium ] || test_only+=(chromium)
# zh_CN.UTF-8 for the PostgreSQL collation tests (tests/central/test_trust_collation.py): generated at exit (after any install)
locale -a 2>/dev/null | grep -qix 'zh_CN.utf8' || { [ -f /usr/share/i18n/locales/zh_CN ] || test_only+=(locales); trap '$( [ "$(id -u)" -eq 0 ] || echo sudo ) localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || true' EXIT; }
need+=(${test_only[@]+"${test_only[@]}"})  # empty-array safe under set -u (bash < 4.4)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "daiban: please install: ${need[*]}" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "daiban: installing system packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

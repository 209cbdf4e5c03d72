#!/usr/bin/env bash
# The system packages daiban uses, in two groups (Debian/Ubuntu names):
#   runtime  what the program itself uses at a station: a Chinese font for fontconfig
#            (a bundled one is used when there is none), the `lp` printing client, and
#            venv to install from source
#   test     what only the tests use: PostgreSQL, poppler (pdftotext/pdffonts/pdftoppm),
#            the font the tests compare against, Chromium for the served desk
# Usage: bash .ci/system-deps.sh runtime|test|all   (default: runtime)
#
# Every check is a file or command test: no pipes, so nothing can be cut short by
# SIGPIPE under pipefail. It installs what is missing as root, or with sudo when sudo
# works; without either it names the packages and the command to install them. A
# missing runtime package is only a warning (the program runs: bundled font, PDF files
# instead of a printer), except venv, without which nothing installs; a missing test
# package fails.
set -euo pipefail

# zh_CN.UTF-8 for the PostgreSQL collation tests, generated from the locales package
zh_locale() {
  [ -f /usr/share/i18n/locales/zh_CN ] || return 0
  if [ "$(id -u)" -eq 0 ]; then
    localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || true
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 || true
  else
    echo "daiban: the collation tests need zh_CN.UTF-8: localedef -i zh_CN -f UTF-8 zh_CN.UTF-8 (as root)" >&2
  fi
}
group=${1:-runtime}
case "$group" in runtime | test | all) ;; *)
  echo "usage: $0 runtime|test|all" >&2
  exit 2
  ;;
esac

runtime=() # "package" missing → appended
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || runtime+=(python3-venv)
command -v lp >/dev/null 2>&1 || runtime+=(cups-client)
command -v fc-list >/dev/null 2>&1 || runtime+=(fontconfig)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || runtime+=(fonts-wqy-microhei)

tests=()
if [ "$group" != runtime ]; then
  command -v pdffonts >/dev/null 2>&1 || tests+=(poppler-utils)
  # the CMaps pdftotext needs to read back text set in the built-in STSong-Light
  [ -d /usr/share/poppler/cMap ] || tests+=(poppler-data)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || tests+=(postgresql)
  # the served-desk test opens `daiban desk serve` in a headless Chromium (Debian's)
  [ -x /usr/bin/chromium ] || tests+=(chromium)
  command -v curl >/dev/null 2>&1 || tests+=(curl) # the executable's smoke test
  # zh_CN.UTF-8 for the PostgreSQL collation tests (tests/central/test_trust_collation.py)
  [ -f /usr/share/i18n/locales/zh_CN ] || tests+=(locales)
  if ! python3 -c 'import locale; locale.setlocale(locale.LC_ALL, "zh_CN.UTF-8")' 2>/dev/null; then
    # generated once the packages are in (the trap runs at any exit of this script)
    trap 'zh_locale' EXIT
  fi
fi
need=(${runtime[@]+"${runtime[@]}"} ${tests[@]+"${tests[@]}"}) # empty-safe under set -u
[ ${#need[@]} -eq 0 ] && exit 0


# How to become root: already root, or sudo that works (asks for a password only when
# someone is at the terminal to type it).
as_root=()
if [ "$(id -u)" -eq 0 ]; then
  as_root=(env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
  as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
fi

explain() {
  echo "daiban: missing system packages: ${need[*]}" >&2
  echo "daiban: install them as root with:" >&2
  echo "    apt-get update && apt-get install -y --no-install-recommends ${need[*]}" >&2
  if [ ${#tests[@]} -gt 0 ] || [[ " ${runtime[*]-} " == *" python3-venv "* ]]; then
    exit 1
  fi
  echo "daiban: going on without them (PDFs use the bundled font; printing writes PDF files)." >&2
  exit 0
}

command -v apt-get >/dev/null 2>&1 || explain
[ ${#as_root[@]} -gt 0 ] || explain
echo "daiban: installing system packages: ${need[*]}"
"${as_root[@]}" apt-get update -qq || explain
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || explain

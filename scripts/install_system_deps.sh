#!/usr/bin/env bash
# System packages the Label Studio integration needs on a fresh Debian machine.
#   - chromium: headless browser tests (tests/labelstudio/test_studio_browser.py) drive
#     Debian's /usr/bin/chromium through Playwright; `playwright install` is never used
#     (it downloads a browser build, which this project's machines cannot fetch).
#   - fonts-dejavu-core, fonts-noto-color-emoji: readable screenshots (emoji in task text).
#   - python3.11-venv: `claimset studio up` creates .venv-labelstudio with `python -m venv`.
# Idempotent: does nothing when everything is present. Needs root (CI runs as root).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3.11-venv)

if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
chromium --version

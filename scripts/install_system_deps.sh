#!/usr/bin/env bash
# System packages the Label Studio integration needs on a fresh Debian machine.
#   - chromium: headless browser tests (tests/labelstudio/test_studio_browser.py) drive
#     Debian's /usr/bin/chromium through Playwright; `playwright install` is never used
#     (it downloads a browser build, which this project's machines cannot fetch).
#   - fonts-dejavu-core, fonts-noto-color-emoji: readable screenshots (emoji in task text).
#   - python3.11-venv: `claimset studio up` creates .venv-labelstudio with `python -m venv`.
#   - postgresql: `claimset studio up --database postgresql` runs its own cluster with Debian's
#     binaries (/usr/lib/postgresql/<version>/bin: initdb, pg_ctl). Debian's package also
#     starts a system cluster of its own; claimset never uses it (see docs/labelstudio.md).
#   - the system user claimset-pg: PostgreSQL refuses to run as root, so when claimset runs as
#     root (CI, containers) its cluster runs as this unprivileged user, which owns only the
#     cluster's directory (.labelstudio/postgres/). No login shell, no home, no password.
# Idempotent: does nothing when everything is present. Needs root (CI runs as root).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || need+=(fonts-noto-color-emoji)
python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 || need+=(python3.11-venv)
compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null || need+=(postgresql)

if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if ! getent passwd claimset-pg >/dev/null; then
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "claimset's PostgreSQL cluster" claimset-pg
fi
chromium --version
ls -d /usr/lib/postgresql/*/bin/pg_ctl

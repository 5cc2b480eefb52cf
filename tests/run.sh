#!/usr/bin/env bash
# The test command: installs what the tests need on a fresh machine, then runs ruff and pytest.
# Usage: bash tests/run.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  # PostgreSQL for the throwaway clusters of the database tests; Chromium for the widget's browser tests.
  need=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

[ -x .venv/bin/python ] || python3.11 -m venv .venv 2>/dev/null || python3 -m venv .venv
# torch first, from the local CPU wheel: any other torch spec pulls the CUDA build.
.venv/bin/python -c "import torch" 2>/dev/null || .venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -e ".[test]"

.venv/bin/ruff check assistant channels evals tests
.venv/bin/ruff format --check assistant channels evals tests
.venv/bin/python -m pytest "$@"

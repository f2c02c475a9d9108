#!/usr/bin/env bash
# Makes a fresh checkout ready for `npm test` and `npm run stack` (run by their npm pre-scripts):
# Debian packages and the cached Asterisk 22 root (as root), node_modules, and the build (the stack
# runs it; the container and stack tests run the compiled commands as the image does). Each step is skipped in well under a second when already done.
#   bootstrap.sh test|stack
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-test}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  bash scripts/asterisk-root.sh
else
  echo "[bootstrap] not root: skipping Debian packages and the Asterisk root (the real-Asterisk tests need them)"
fi

# package-lock.json newer than the installed tree (or no tree): install exactly the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] npm ci"
  npm ci --no-audit --no-fund
fi

# dist/ older than any source (or none): build.
if [ ! -f dist/src/main.js ] || [ -n "$(find src -newer dist/src/main.js \( -name '*.ts' -o -name '*.json' \) -print -quit)" ]; then
  echo "[bootstrap] npm run build"
  npm run build
fi

#!/usr/bin/env bash
# Installs what the test suite needs and is missing. Runs before `npm test` (npm's pretest).
# Today: the npm devDependencies and a POSIX sh (the fix-style tests run fixed RUN lines in sh).
# Debian packages are installed with apt-get only when missing, so a second run is instant.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sh >/dev/null 2>&1 || need_apt+=(dash)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: missing ${need_apt[*]}; install them (apt-get install ${need_apt[*]}) and rerun" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules/typescript ] || [ ! -d node_modules/fast-check ] || [ ! -d node_modules/dockerfile-utils ]; then
  npm ci --no-audit --no-fund
fi

#!/usr/bin/env bash
# Installs what the test suite needs and is missing. Runs before `npm test` (npm's pretest).
# Today: the npm devDependencies, a POSIX sh (the fix-style tests run fixed RUN lines in sh), and
# the real registry tools the registry tests drive: docker-registry (distribution), skopeo,
# htpasswd (apache2-utils) and openssl.
# Debian packages are installed with apt-get only when missing, so a second run is instant.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sh >/dev/null 2>&1 || need_apt+=(dash)
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_apt+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: missing ${need_apt[*]}; install them (apt-get install ${need_apt[*]}) and rerun" >&2
    exit 1
  fi
  # The docker-registry package ships an init script that would start a registry on :5000 (all
  # interfaces). Tests only ever listen on loopback, so keep package scripts from starting services
  # (a temporary policy-rc.d, unless the machine already has one) and stop any that started anyway.
  added_policy=''
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  status=0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || status=$?
  if [ -n "$added_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ "$status" -eq 0 ] || exit "$status"
  # (pgrep -f 'docker-registry serve /etc', spelled with /proc since procps may not be installed)
  for cmdline in /proc/[0-9]*/cmdline; do
    args=$(tr '\0' ' ' <"$cmdline" 2>/dev/null || true)
    case "$args" in
      *docker-registry\ serve\ /etc*)
        pid=${cmdline#/proc/}; pid=${pid%/cmdline}
        echo "test-deps: stopping the packaged registry service (pid $pid); tests start their own on 127.0.0.1" >&2
        kill "$pid" 2>/dev/null || true
        ;;
    esac
  done
fi

if [ ! -d node_modules/typescript ] || [ ! -d node_modules/fast-check ] || [ ! -d node_modules/dockerfile-utils ]; then
  npm ci --no-audit --no-fund
fi

#!/usr/bin/env bash
# Installs what the test suite needs and is missing. Runs before `npm test` (npm's pretest).
# Today: the npm devDependencies, a POSIX sh (the fix-style tests run fixed RUN lines in sh), the
# real registry tools the registry tests drive: docker-registry (distribution), skopeo, htpasswd
# (apache2-utils) and openssl, and the Docker engine the docker-daemon tests start (dockerd from
# Debian's docker.io, 20.10, with its containerd and runc; installed without its recommends:
# needrestart, apparmor, criu... are not needed to load and save images), GNU time
# (/usr/bin/time, package time), which measures the peak memory of a streamed 1 GiB push, and
# zstd (the image tests compress layers with it; verify decodes zstd layers with it) and isal
# (igzip, which verify inflates big gzip layers with; the decoder tests run it and node:zlib alike).
# For verify's tests (test/support/real-binaries.ts, debian-packages.ts): Debian's golang-go
# (cross-compiles Go programs for every architecture), gcc (a Python extension and a Node addon
# for amd64), qemu-user-static (smoke runs through qemu-<arch>-static named explicitly), binutils
# (readelf) and file, which check that the fixtures are what they claim; the dpkg foreign
# architectures arm64 and armhf, so that `apt-get download busybox-static:arm64` (musl:arm64,
# libc6:arm64, python3-yaml:arm64, node-iconv:arm64, busybox-static:armhf) finds the packages.
# For `anyarch build`'s end-to-end tests: buildah (Debian's 1.28; the buildah engine, run with
# --isolation chroot and its own --root/--runroot, so no runtime, fuse-overlayfs or registries.conf
# change is needed: installed without its recommends; its dependency uidmap, newuidmap/newgidmap,
# comes with it). The tests' base images come from Debian packages (`apt-get download
# golang-1.19-go:arm64 libc6:arm64 ...`, test/support/build-fixtures.ts); the docker client they
# drive is Debian's /usr/bin/docker (docker.io, above), never a `docker` earlier on PATH.
# Debian packages are installed with apt-get only when missing, so a second run is instant.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v sh >/dev/null 2>&1 || need_apt+=(dash)
command -v docker-registry >/dev/null 2>&1 || need_apt+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need_apt+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need_apt+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v zstd >/dev/null 2>&1 || need_apt+=(zstd)
command -v igzip >/dev/null 2>&1 || need_apt+=(isal)
command -v go >/dev/null 2>&1 || need_apt+=(golang-go)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
command -v qemu-aarch64-static >/dev/null 2>&1 || need_apt+=(qemu-user-static)
command -v readelf >/dev/null 2>&1 || need_apt+=(binutils)
command -v file >/dev/null 2>&1 || need_apt+=(file)
need_apt_norec=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need_apt_norec+=(docker.io)
# the build tests drive Debian's client by its full path (a `docker` first on PATH may lack BuildKit)
[ -x /usr/bin/docker ] || need_apt_norec+=(docker.io)
command -v buildah >/dev/null 2>&1 || need_apt_norec+=(buildah)
# Foreign architectures for `apt-get download PKG:ARCH` (only the package lists change: nothing of
# another architecture is installed). Adding one needs an `apt-get update` afterwards.
need_arch=()
for arch in arm64 armhf; do
  [ "$(dpkg --print-architecture)" = "$arch" ] || dpkg --print-foreign-architectures | grep -qx "$arch" || need_arch+=("$arch")
done
if [ ${#need_arch[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: dpkg has no foreign architecture ${need_arch[*]}; run dpkg --add-architecture ARCH for each and apt-get update, then rerun" >&2
    exit 1
  fi
  for arch in "${need_arch[@]}"; do dpkg --add-architecture "$arch"; done
  if [ $((${#need_apt[@]} + ${#need_apt_norec[@]})) -eq 0 ]; then
    apt-get update -qq
  fi
fi
if [ $((${#need_apt[@]} + ${#need_apt_norec[@]})) -gt 0 ]; then
  all=("${need_apt[@]}" "${need_apt_norec[@]}")
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: missing ${all[*]}; install them (apt-get install ${all[*]}) and rerun" >&2
    exit 1
  fi
  # The docker-registry package ships an init script that would start a registry on :5000 (all
  # interfaces), docker.io and containerd would start the system's Docker engine. Tests only ever
  # listen on loopback and start their own engine, so keep package scripts from starting services
  # (a temporary policy-rc.d, unless the machine already has one) and stop any that started anyway.
  added_policy=''
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  status=0
  apt-get update -qq || status=$?
  if [ "$status" -eq 0 ] && [ ${#need_apt[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null || status=$?
  fi
  if [ "$status" -eq 0 ] && [ ${#need_apt_norec[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt_norec[@]}" >/dev/null || status=$?
  fi
  if [ -n "$added_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  [ "$status" -eq 0 ] || exit "$status"
  # (pgrep -f 'docker-registry serve /etc', spelled with /proc since procps may not be installed;
  # the packaged engine runs as `dockerd -H fd://` and `/usr/bin/containerd` with no arguments,
  # while the tests' own run with --host=unix://<tmp> and `containerd --config <tmp>`)
  for cmdline in /proc/[0-9]*/cmdline; do
    args=$(tr '\0' ' ' <"$cmdline" 2>/dev/null || true)
    pid=${cmdline#/proc/}; pid=${pid%/cmdline}
    case "$args" in
      *docker-registry\ serve\ /etc*)
        echo "test-deps: stopping the packaged registry service (pid $pid); tests start their own on 127.0.0.1" >&2
        kill "$pid" 2>/dev/null || true
        ;;
      */dockerd\ -H\ fd://*|'/usr/bin/containerd ')
        echo "test-deps: stopping the packaged Docker service (pid $pid: $args); tests start their own engine" >&2
        kill "$pid" 2>/dev/null || true
        ;;
    esac
  done
fi

if [ ! -d node_modules/typescript ] || [ ! -d node_modules/fast-check ] || [ ! -d node_modules/dockerfile-utils ]; then
  npm ci --no-audit --no-fund
fi

# verdaccio, the npm registry the npm `deps` tests publish their fixtures to and install from
# (test/support/verdaccio.ts starts it on 127.0.0.1 with no uplinks). 6.8.0 is the newest that runs
# on Node 20 (6.9 and later need Node 22). It is a test tool, not a dependency of anyarch: its
# manifest and lockfile (every transitive version pinned) live in scripts/test-tools/verdaccio/,
# and `npm ci` installs them into a gitignored tools directory, again only when the lockfile changed.
VERDACCIO_SRC=scripts/test-tools/verdaccio
VERDACCIO_DIR=.cache/test-tools/verdaccio
if ! cmp -s "$VERDACCIO_SRC/package-lock.json" "$VERDACCIO_DIR/package-lock.json" || [ ! -f "$VERDACCIO_DIR/node_modules/verdaccio/package.json" ]; then
  mkdir -p "$VERDACCIO_DIR"
  cp "$VERDACCIO_SRC/package.json" "$VERDACCIO_SRC/package-lock.json" "$VERDACCIO_DIR/"
  npm ci --prefix "$VERDACCIO_DIR" --no-audit --no-fund >/dev/null
fi

# pip, which the Python `deps` tests ask for the wheels it would download (python3 -m pip download
# --platform ... against a loopback index): the machine's python3 usually has it
if ! python3 -m pip --version >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test-deps: python3 has no pip; install it (apt-get install python3-pip) and rerun" >&2
    exit 1
  fi
  apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
fi

/**
 * A deterministic generator of varied, realistic Dockerfiles for benchmarks.
 *
 * The files mimic what real repositories hold: official-image style arch `case` statements with
 * literal per-arch URLs and checksums (docker-library golang/gosu/node/python), Zasper-style
 * hard-coded amd64 downloads, Go and Rust cross-compile stages on `--platform=$BUILDPLATFORM`,
 * global and stage ARGs, TARGETARCH with and without `ARG`, long apt-get/apk continuation lines
 * with comment lines inside them, heredocs, JSON-form CMD/ENTRYPOINT, ONBUILD, HEALTHCHECK,
 * COPY --from, Windows stages (some with `# escape=``), parser directives, suppression comments,
 * a few CRLF and BOM files and a handful with syntax errors. Sizes follow a log-normal
 * distribution (median ~30 lines, 5 to 300).
 *
 * Everything comes from a seeded PRNG: the same (count, seed) always gives the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** mulberry32: small, fast, good enough for test data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** integer in [lo, hi] */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  /** weighted pick: [weight, value] pairs */
  weighted<T>(items: readonly (readonly [number, T])[]): T {
    const total = items.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of items) {
      r -= w;
      if (r < 0) return v;
    }
    return (items[items.length - 1] as readonly [number, T])[1];
  }
  sample<T>(items: readonly T[], n: number): T[] {
    const copy = [...items];
    const out: T[] = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0] as T);
    return out;
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

type Arch = 'amd64' | 'arm64' | 'armhf' | 'ppc64el' | 's390x' | 'riscv64' | 'i386';
const DPKG_ARCHES: readonly Arch[] = ['amd64', 'arm64', 'armhf', 'ppc64el', 's390x', 'riscv64', 'i386'];
const APK_OF: Readonly<Record<Arch, string>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  armhf: 'armv7',
  ppc64el: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  i386: 'x86',
};

interface Tool {
  readonly name: string;
  readonly version: string;
  /** URL with {v} and {a} */
  readonly url: string;
  /** vendor word per dpkg arch; missing: not published */
  readonly arch: Partial<Record<Arch, string>>;
  /** how the file is installed: tar, zip, bin */
  readonly kind: 'tar' | 'zip' | 'bin';
  /** vendor words equal TARGETARCH for amd64/arm64 */
  readonly targetarch: boolean;
}

const TOOLS: readonly Tool[] = [
  { name: 'go', version: '1.23.4', url: 'https://go.dev/dl/go{v}.linux-{a}.tar.gz', kind: 'tar', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armv6l', ppc64el: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', i386: '386' } },
  { name: 'go', version: '1.22.10', url: 'https://dl.google.com/go/go{v}.linux-{a}.tar.gz', kind: 'tar', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armv6l', ppc64el: 'ppc64le', s390x: 's390x', i386: '386' } },
  { name: 'node', version: '20.18.1', url: 'https://nodejs.org/dist/v{v}/node-v{v}-linux-{a}.tar.xz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x64', arm64: 'arm64', armhf: 'armv7l', ppc64el: 'ppc64le', s390x: 's390x' } },
  { name: 'kubectl', version: '1.31.2', url: 'https://dl.k8s.io/release/v{v}/bin/linux/{a}/kubectl', kind: 'bin', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'arm', ppc64el: 'ppc64le', s390x: 's390x', i386: '386' } },
  { name: 'helm', version: '3.16.3', url: 'https://get.helm.sh/helm-v{v}-linux-{a}.tar.gz', kind: 'tar', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'arm', ppc64el: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } },
  { name: 'terraform', version: '1.9.8', url: 'https://releases.hashicorp.com/terraform/{v}/terraform_{v}_linux_{a}.zip', kind: 'zip', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'arm', i386: '386' } },
  { name: 'awscli', version: '2', url: 'https://awscli.amazonaws.com/awscli-exe-linux-{a}.zip', kind: 'zip', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'aarch64' } },
  { name: 'tini', version: '0.19.0', url: 'https://github.com/krallin/tini/releases/download/v{v}/tini-{a}', kind: 'bin', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armhf', ppc64el: 'ppc64el', s390x: 's390x', i386: 'i386' } },
  { name: 'gosu', version: '1.17', url: 'https://github.com/tianon/gosu/releases/download/{v}/gosu-{a}', kind: 'bin', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armhf', ppc64el: 'ppc64el', s390x: 's390x', riscv64: 'riscv64', i386: 'i386' } },
  { name: 'yq', version: '4.44.3', url: 'https://github.com/mikefarah/yq/releases/download/v{v}/yq_linux_{a}', kind: 'bin', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'arm', ppc64el: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', i386: '386' } },
  { name: 'jq', version: '1.7.1', url: 'https://github.com/jqlang/jq/releases/download/jq-{v}/jq-linux-{a}', kind: 'bin', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armhf', ppc64el: 'ppc64el', s390x: 's390x', riscv64: 'riscv64', i386: 'i386' } },
  { name: 'docker-compose', version: '2.30.3', url: 'https://github.com/docker/compose/releases/download/v{v}/docker-compose-linux-{a}', kind: 'bin', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'aarch64', armhf: 'armv7', ppc64el: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } },
  { name: 'protoc', version: '28.3', url: 'https://github.com/protocolbuffers/protobuf/releases/download/v{v}/protoc-{v}-linux-{a}.zip', kind: 'zip', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'aarch_64', ppc64el: 'ppcle_64', s390x: 's390_64' } },
  { name: 'cmake', version: '3.30.5', url: 'https://github.com/Kitware/CMake/releases/download/v{v}/cmake-{v}-linux-{a}.tar.gz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'aarch64' } },
  { name: 'hadolint', version: '2.12.0', url: 'https://github.com/hadolint/hadolint/releases/download/v{v}/hadolint-Linux-{a}', kind: 'bin', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'arm64' } },
  { name: 'trivy', version: '0.57.1', url: 'https://github.com/aquasecurity/trivy/releases/download/v{v}/trivy_{v}_Linux-{a}.tar.gz', kind: 'tar', targetarch: false,
    arch: { amd64: '64bit', arm64: 'ARM64', armhf: 'ARM', ppc64el: 'PPC64LE', s390x: 's390x' } },
  { name: 'k9s', version: '0.32.7', url: 'https://github.com/derailed/k9s/releases/download/v{v}/k9s_Linux_{a}.tar.gz', kind: 'tar', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armv7', ppc64el: 'ppc64le', s390x: 's390x' } },
  { name: 'golangci-lint', version: '1.62.2', url: 'https://github.com/golangci/golangci-lint/releases/download/v{v}/golangci-lint-{v}-linux-{a}.tar.gz', kind: 'tar', targetarch: true,
    arch: { amd64: 'amd64', arm64: 'arm64', armhf: 'armv7', ppc64el: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', i386: '386' } },
  { name: 'ripgrep', version: '14.1.1', url: 'https://github.com/BurntSushi/ripgrep/releases/download/{v}/ripgrep-{v}-{a}.tar.gz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x86_64-unknown-linux-musl', arm64: 'aarch64-unknown-linux-gnu', armhf: 'armv7-unknown-linux-gnueabihf', s390x: 's390x-unknown-linux-gnu' } },
  { name: 'uv', version: '0.5.4', url: 'https://github.com/astral-sh/uv/releases/download/{v}/uv-{a}.tar.gz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x86_64-unknown-linux-gnu', arm64: 'aarch64-unknown-linux-gnu', armhf: 'armv7-unknown-linux-gnueabihf', ppc64el: 'powerpc64le-unknown-linux-gnu', s390x: 's390x-unknown-linux-gnu' } },
  { name: 's6-overlay', version: '3.2.0.2', url: 'https://github.com/just-containers/s6-overlay/releases/download/v{v}/s6-overlay-{a}.tar.xz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'aarch64', armhf: 'arm', ppc64el: 'powerpc64le', s390x: 's390x', riscv64: 'riscv64', i386: 'i686' } },
  { name: 'dumb-init', version: '1.2.5', url: 'https://github.com/Yelp/dumb-init/releases/download/v{v}/dumb-init_{v}_{a}', kind: 'bin', targetarch: false,
    arch: { amd64: 'x86_64', arm64: 'aarch64', ppc64el: 'ppc64le', s390x: 's390x' } },
  { name: 'temurin', version: '21.0.5_11', url: 'https://github.com/adoptium/temurin21-binaries/releases/download/jdk-21.0.5%2B11/OpenJDK21U-jdk_{a}_linux_hotspot_{v}.tar.gz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x64', arm64: 'aarch64', ppc64el: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } },
  { name: 'dotnet', version: '8.0.404', url: 'https://dotnetcli.azureedge.net/dotnet/Sdk/{v}/dotnet-sdk-{v}-linux-{a}.tar.gz', kind: 'tar', targetarch: false,
    arch: { amd64: 'x64', arm64: 'arm64', armhf: 'arm' } },
];

/** Downloads that are the same on every architecture. */
const NOARCH_DOWNLOADS: readonly string[] = [
  'https://archive.apache.org/dist/maven/maven-3/3.9.9/binaries/apache-maven-3.9.9-bin.tar.gz',
  'https://services.gradle.org/distributions/gradle-8.11.1-bin.zip',
  'https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz',
  'https://getcomposer.org/download/2.8.3/composer.phar',
  'https://repo1.maven.org/maven2/org/flywaydb/flyway-commandline/10.21.0/flyway-commandline-10.21.0.tar.gz',
  'https://github.com/yarnpkg/yarn/releases/download/v1.22.22/yarn-v1.22.22.tar.gz',
  'https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3',
];

const APT_PACKAGES: readonly string[] = [
  'ca-certificates', 'curl', 'wget', 'git', 'gnupg', 'dirmngr', 'build-essential', 'pkg-config', 'libssl-dev',
  'libffi-dev', 'zlib1g-dev', 'libbz2-dev', 'libreadline-dev', 'libsqlite3-dev', 'libncursesw5-dev', 'xz-utils',
  'tk-dev', 'libxml2-dev', 'libxmlsec1-dev', 'liblzma-dev', 'unzip', 'zip', 'jq', 'netbase', 'tzdata', 'locales',
  'openssh-client', 'procps', 'less', 'vim-tiny', 'sudo', 'python3', 'python3-pip', 'python3-venv', 'libpq-dev',
  'default-libmysqlclient-dev', 'libjpeg62-turbo-dev', 'libpng-dev', 'libwebp-dev', 'libfreetype6-dev', 'gcc',
  'g++', 'make', 'cmake', 'autoconf', 'automake', 'libtool', 'bison', 'flex', 'gettext', 'dpkg-dev', 'file',
  'patch', 'rsync', 'iproute2', 'iputils-ping', 'dnsutils', 'libzmq3-dev', 'nodejs', 'npm', 'libgomp1',
  'libstdc++6', 'libgcc-s1', 'libicu72', 'libkrb5-3', 'libgssapi-krb5-2', 'fonts-liberation', 'chromium',
  'gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'crossbuild-essential-arm64', 'binutils-gold', 'tini',
];

const APK_PACKAGES: readonly string[] = [
  'ca-certificates', 'curl', 'wget', 'git', 'bash', 'tzdata', 'openssl', 'build-base', 'musl-dev', 'linux-headers',
  'libffi-dev', 'openssl-dev', 'zlib-dev', 'pkgconf', 'gnupg', 'su-exec', 'tini', 'jq', 'coreutils', 'findutils',
  'libc6-compat', 'libstdc++', 'libgcc', 'python3', 'py3-pip', 'nodejs', 'npm', 'postgresql-client', 'shadow',
  'dpkg', 'dpkg-dev', 'binutils', 'gcc', 'g++', 'make', 'cmake', 'perl', 'unzip', 'xz', 'zstd',
];

const DEBIAN_BASES = ['debian:bookworm-slim', 'debian:bookworm', 'debian:trixie-slim', 'ubuntu:noble', 'ubuntu:22.04', 'buildpack-deps:bookworm-scm', 'buildpack-deps:trixie'];
const ALPINE_BASES = ['alpine:3.20', 'alpine:3.21', 'alpine:latest'];
const NAMES = ['api', 'web', 'worker', 'gateway', 'auth', 'billing', 'search', 'indexer', 'notifier', 'scheduler', 'ingest', 'proxy', 'agent', 'exporter', 'cli', 'runner', 'builder', 'docs', 'admin', 'metrics'];

// ---------------------------------------------------------------------------------------------
// File builder

class Doc {
  readonly lines: string[] = [];
  /** TARGETARCH declared in the current stage */
  targetArchDeclared = false;
  windows = false;
  escape: '\\' | '`' = '\\';
  stages: string[] = [];
  constructor(readonly rng: Rng) {}
  push(...ls: string[]): void {
    this.lines.push(...ls);
  }
  blank(): void {
    if (this.lines.length && this.lines[this.lines.length - 1] !== '') this.lines.push('');
  }
  get length(): number {
    return this.lines.length;
  }
}

/** Joins command parts with ` && \` continuation lines (or `; \` for `set -eux` style). */
function shellLines(parts: readonly string[], sep: '&&' | ';', indent = '    ', esc = '\\'): string[] {
  const out: string[] = [];
  parts.forEach((p, i) => {
    const last = i === parts.length - 1;
    if (sep === '&&') out.push(`${i === 0 ? '' : `${indent}&& `}${p}${last ? '' : ` ${esc}`}`);
    else out.push(`${i === 0 ? '' : indent}${p}${last ? '' : `; ${esc}`}`);
  });
  return out;
}

function toolUrl(t: Tool, archWord: string): string {
  return t.url.replaceAll('{v}', t.version).replaceAll('{a}', archWord);
}

function fileOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function installCmds(t: Tool, url: string, rng: Rng): string[] {
  const f = fileOf(url);
  const fetch = rng.pick([`curl -fsSLO ${url}`, `curl -fsSL -o /tmp/${t.name}.${t.kind === 'zip' ? 'zip' : t.kind === 'tar' ? 'tgz' : 'bin'} "${url}"`, `wget -q ${url}`, `wget -qO /tmp/${t.name} "${url}"`]);
  const local = fetch.includes('/tmp/') ? fetch.match(/\/tmp\/\S+?(?="|\s|$)/)?.[0] ?? `/tmp/${t.name}` : f;
  switch (t.kind) {
    case 'tar':
      return [fetch, `tar -C /usr/local -xf ${local}`, `rm -f ${local}`];
    case 'zip':
      return [fetch, `unzip -q ${local} -d /opt/${t.name}`, `rm -f ${local}`];
    case 'bin':
      return [fetch, `install -m 0755 ${local} /usr/local/bin/${t.name}`, `${t.name} --version`];
  }
}

type DownloadStyle =
  | 'literal-amd64'
  | 'literal-arm64'
  | 'targetarch-declared'
  | 'targetarch-undeclared'
  | 'dpkg-case'
  | 'apk-case'
  | 'dpkg-var'
  | 'uname'
  | 'noarch';

function downloadBlock(d: Doc, style: DownloadStyle): void {
  const rng = d.rng;
  const t = rng.pick(TOOLS);
  switch (style) {
    case 'literal-amd64':
    case 'literal-arm64': {
      const a = style === 'literal-amd64' ? 'amd64' : 'arm64';
      const url = toolUrl(t, t.arch[a] ?? 'amd64');
      const cmds = installCmds(t, url, rng);
      if (rng.chance(0.4)) d.push(`RUN ${cmds.join(' && ')}`); // Zasper style: one long line
      else d.push(...shellLines(cmds, '&&').map((l, i) => (i === 0 ? `RUN ${l}` : l)));
      return;
    }
    case 'targetarch-declared':
    case 'targetarch-undeclared': {
      if (style === 'targetarch-declared' && !d.targetArchDeclared) {
        d.push(rng.pick(['ARG TARGETARCH', 'ARG TARGETOS TARGETARCH', 'ARG TARGETPLATFORM TARGETARCH TARGETVARIANT']));
        d.targetArchDeclared = true;
      }
      const v = rng.pick(['${TARGETARCH}', '$TARGETARCH']);
      const tt = t.targetarch ? t : (TOOLS[3] as Tool);
      const url = toolUrl(tt, v);
      const cmds = installCmds(tt, url, rng);
      d.push(...shellLines(cmds, '&&').map((l, i) => (i === 0 ? `RUN ${l}` : l)));
      return;
    }
    case 'dpkg-case':
    case 'apk-case': {
      // docker-library style: one literal URL and checksum per architecture
      const apk = style === 'apk-case';
      const arches = DPKG_ARCHES.filter((a) => t.arch[a] !== undefined);
      const detector = apk ? 'apk --print-arch' : rng.pick(['dpkg --print-architecture', "dpkg --print-architecture | awk -F- '{ print $NF }'"]);
      const varName = apk ? rng.pick(['apkArch', 'arch', 'alpineArch']) : rng.pick(['dpkgArch', 'arch']);
      const up = t.name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
      d.push(`ENV ${up}_VERSION ${t.version}`);
      d.push('');
      d.push('RUN set -eux; \\');
      d.push(`    ${varName}="$(${detector})"; \\`);
      if (!apk && rng.chance(0.5)) d.push(`    ${varName}="\${${varName}##*-}"; \\`);
      d.push('    url=; \\');
      d.push(`    case "$${varName}" in \\`);
      for (const a of arches) {
        const label = apk ? APK_OF[a] : a;
        const url = toolUrl(t, t.arch[a] as string).replaceAll(t.version, `\${${up}_VERSION}`);
        d.push(`        '${label}') \\`);
        d.push(`            url="${url}"; \\`);
        d.push(`            sha256='${rng.hex(64)}'; \\`);
        if (t.name === 'go' && rng.chance(0.3)) d.push(`            export GOARCH='${t.arch[a]}' GOOS='linux'; \\`);
        d.push('            ;; \\');
      }
      d.push(`        *) echo >&2 "error: unsupported architecture '$${varName}'"; exit 1 ;; \\`);
      d.push('    esac; \\');
      if (rng.chance(0.5)) d.push('    \\', '# download and verify the release', '    \\');
      d.push(`    ${rng.pick(['wget -O', 'curl -fsSL -o'])} ${t.name}.tgz "$url"; \\`);
      d.push(`    echo "$sha256 *${t.name}.tgz" | sha256sum -c -; \\`);
      if (!apk && rng.chance(0.4)) {
        d.push(`    if [ "$${varName}" = 'arm64' ]; then \\`);
        d.push('        apt-get update; apt-get install -y --no-install-recommends binutils-gold; \\');
        d.push('    fi; \\');
      }
      d.push(`    tar -C /usr/local -xzf ${t.name}.tgz; \\`);
      d.push(`    rm ${t.name}.tgz`);
      return;
    }
    case 'dpkg-var': {
      const g = rng.pick(TOOLS.filter((x) => x.name === 'gosu' || x.name === 'tini' || x.name === 'jq'));
      d.push(`ENV ${g.name.toUpperCase()}_VERSION ${g.version}`);
      d.push('RUN set -eux; \\');
      d.push('    savedAptMark="$(apt-mark showmanual)"; \\');
      d.push('    apt-get update; \\');
      d.push('    apt-get install -y --no-install-recommends ca-certificates gnupg wget; \\');
      d.push('    rm -rf /var/lib/apt/lists/*; \\');
      d.push(`    dpkgArch="$(dpkg --print-architecture | awk -F- '{ print $NF }')"; \\`);
      d.push(`    wget -O /usr/local/bin/${g.name} "${toolUrl(g, '$dpkgArch').replace(g.version, `$${g.name.toUpperCase()}_VERSION`)}"; \\`);
      d.push(`    wget -O /usr/local/bin/${g.name}.asc "${toolUrl(g, '$dpkgArch').replace(g.version, `$${g.name.toUpperCase()}_VERSION`)}.asc"; \\`);
      d.push('    export GNUPGHOME="$(mktemp -d)"; \\');
      d.push(`    gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys ${rng.hex(40).toUpperCase()}; \\`);
      d.push(`    gpg --batch --verify /usr/local/bin/${g.name}.asc /usr/local/bin/${g.name}; \\`);
      d.push(`    gpgconf --kill all; rm -rf "$GNUPGHOME" /usr/local/bin/${g.name}.asc; \\`);
      d.push('    apt-mark auto \'.*\' > /dev/null; \\');
      d.push('    [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \\');
      d.push('    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\');
      d.push(`    chmod +x /usr/local/bin/${g.name}; \\`);
      d.push(`    ${g.name} --version`);
      return;
    }
    case 'uname': {
      const u = rng.pick(TOOLS.filter((x) => x.arch.amd64 === 'x86_64'));
      d.push(`RUN ARCH="$(uname -m)" && \\`);
      d.push(`    curl -fsSL "${toolUrl(u, '${ARCH}')}" -o /tmp/${u.name}.pkg && \\`);
      d.push(`    ${u.kind === 'zip' ? `unzip -q /tmp/${u.name}.pkg -d /opt` : u.kind === 'tar' ? `tar -xf /tmp/${u.name}.pkg -C /opt` : `install -m 0755 /tmp/${u.name}.pkg /usr/local/bin/${u.name}`} && \\`);
      d.push(`    rm -f /tmp/${u.name}.pkg`);
      return;
    }
    case 'noarch': {
      const url = rng.pick(NOARCH_DOWNLOADS);
      d.push(`RUN curl -fsSL ${url} -o /tmp/${fileOf(url)} \\`);
      d.push(`    && echo "${rng.hex(64)}  /tmp/${fileOf(url)}" | sha256sum -c - \\`);
      d.push(`    && mkdir -p /opt/tool && mv /tmp/${fileOf(url)} /opt/tool/`);
      return;
    }
  }
}

function pickDownloadStyle(rng: Rng, alpine: boolean): DownloadStyle {
  return rng.weighted<DownloadStyle>([
    [14, 'literal-amd64'],
    [2, 'literal-arm64'],
    [16, 'targetarch-declared'],
    [6, 'targetarch-undeclared'],
    [alpine ? 2 : 10, 'dpkg-case'],
    [alpine ? 10 : 1, 'apk-case'],
    [alpine ? 0 : 5, 'dpkg-var'],
    [5, 'uname'],
    [8, 'noarch'],
  ]);
}

function aptBlock(d: Doc, long: boolean): void {
  const rng = d.rng;
  const pkgs = rng.sample(APT_PACKAGES, long ? rng.int(12, 40) : rng.int(2, 10)).sort();
  const style = rng.int(0, 2);
  if (style === 0) {
    d.push('RUN apt-get update && apt-get install -y --no-install-recommends \\');
    pkgs.forEach((p, i) => {
      if (long && rng.chance(0.06)) d.push(rng.pick(['    # build dependencies', '# runtime libraries', '    # for the tests']));
      d.push(`        ${p}${i === pkgs.length - 1 ? ' \\' : ' \\'}`);
    });
    d.push('    && rm -rf /var/lib/apt/lists/*');
  } else if (style === 1) {
    d.push('RUN set -eux; \\');
    d.push('    apt-get update; \\');
    d.push('    apt-get install -y --no-install-recommends \\');
    for (const p of pkgs) d.push(`        ${p} \\`);
    d.push('    ; \\');
    d.push('    rm -rf /var/lib/apt/lists/*');
  } else {
    d.push(`RUN apt-get update -qq && apt-get install -qq -y ${pkgs.join(' ')} && apt-get clean && rm -rf /var/lib/apt/lists/*`);
  }
}

function apkBlock(d: Doc): void {
  const rng = d.rng;
  const pkgs = rng.sample(APK_PACKAGES, rng.int(2, 16)).sort();
  if (pkgs.length > 6) {
    d.push('RUN apk add --no-cache \\');
    pkgs.forEach((p, i) => d.push(`        ${p}${i === pkgs.length - 1 ? '' : ' \\'}`));
  } else if (rng.chance(0.4)) {
    d.push(`RUN apk add --no-cache --virtual .build-deps ${pkgs.join(' ')} \\`);
    d.push('    && make -j"$(nproc)" && make install \\');
    d.push('    && apk del --no-network .build-deps');
  } else d.push(`RUN apk add --no-cache ${pkgs.join(' ')}`);
}

function heredocBlock(d: Doc): void {
  const rng = d.rng;
  switch (rng.int(0, 4)) {
    case 0: {
      d.push('RUN <<EOF');
      d.push('set -eux');
      d.push('apt-get update');
      d.push(`apt-get install -y --no-install-recommends ${rng.sample(APT_PACKAGES, 3).join(' ')}`);
      if (rng.chance(0.5)) d.push('curl -fsSL "https://dl.k8s.io/release/v1.31.2/bin/linux/$(dpkg --print-architecture)/kubectl" -o /usr/local/bin/kubectl');
      d.push('rm -rf /var/lib/apt/lists/*');
      d.push('EOF');
      return;
    }
    case 1: {
      const n = rng.pick(NAMES);
      d.push(`COPY <<EOF /etc/${n}/config.yaml`);
      d.push(`name: ${n}`);
      d.push(`listen: 0.0.0.0:${rng.int(1000, 9999)}`);
      d.push('log:');
      d.push(`  level: ${rng.pick(['info', 'debug', 'warn'])}`);
      d.push('EOF');
      return;
    }
    case 2: {
      d.push('RUN <<-EOT bash');
      d.push('\tset -euo pipefail');
      d.push('\techo "building on $(uname -m)"');
      d.push(`\tmkdir -p /opt/${rng.pick(NAMES)}`);
      d.push('\tEOT');
      return;
    }
    case 3: {
      d.push("RUN python3 <<'PY'");
      d.push('import platform, sys');
      d.push('print(platform.machine(), sys.version)');
      d.push('PY');
      return;
    }
    default: {
      d.push('RUN <<EOF bash');
      d.push('set -e');
      d.push('case "$(uname -m)" in');
      d.push('  x86_64) echo amd64 > /arch ;;');
      d.push('  aarch64) echo arm64 > /arch ;;');
      d.push('  *) echo unknown > /arch ;;');
      d.push('esac');
      d.push('EOF');
    }
  }
}

function miscBlock(d: Doc): void {
  const rng = d.rng;
  const n = rng.pick(NAMES);
  switch (rng.int(0, 13)) {
    case 0:
      d.push(`ENV LANG=C.UTF-8 \\`, `    PATH=/usr/local/${n}/bin:$PATH \\`, `    ${n.toUpperCase()}_HOME=/opt/${n}`);
      return;
    case 1:
      d.push(`ENV ${n.toUpperCase()}_VERSION ${rng.int(1, 9)}.${rng.int(0, 30)}.${rng.int(0, 9)}`);
      return;
    case 2:
      d.push(`LABEL org.opencontainers.image.source="https://github.com/example/${n}" \\`, `      org.opencontainers.image.description="The ${n} service" \\`, '      org.opencontainers.image.licenses="Apache-2.0"');
      return;
    case 3:
      d.push(`WORKDIR /app`, `COPY package.json package-lock.json ./`, `RUN npm ci --omit=dev`, `COPY . .`);
      return;
    case 4:
      d.push(`RUN groupadd -r ${n} && useradd -r -g ${n} -d /home/${n} -s /sbin/nologin ${n}`, `USER ${n}`);
      return;
    case 5:
      d.push(`EXPOSE ${rng.int(1000, 9999)}${rng.chance(0.3) ? ` ${rng.int(1000, 9999)}/udp` : ''}`);
      return;
    case 6:
      d.push(rng.pick([
        `HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD curl -fsS http://localhost:${rng.int(1000, 9999)}/healthz || exit 1`,
        `HEALTHCHECK CMD ["/usr/local/bin/${n}", "healthcheck"]`,
        'HEALTHCHECK NONE',
      ]));
      return;
    case 7:
      d.push(`VOLUME ["/var/lib/${n}"]`);
      return;
    case 8:
      d.push('SHELL ["/bin/bash", "-o", "pipefail", "-c"]');
      return;
    case 9:
      d.push(`COPY --chown=${n}:${n} --chmod=0755 docker-entrypoint.sh /usr/local/bin/`);
      return;
    case 10:
      d.push('STOPSIGNAL SIGQUIT');
      return;
    case 11:
      d.push(`RUN ./configure --prefix=/usr/local \\`, '        --enable-shared \\', '        --with-openssl \\', '        --build="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)" \\', '    && make -j "$(nproc)" \\', '    && make install');
      return;
    case 12:
      d.push('RUN --mount=type=cache,target=/root/.cache/pip \\', '    pip install --no-cache-dir -r requirements.txt');
      return;
    default:
      d.push(`# ${rng.pick(['keep this in sync with the CI matrix', 'TODO: pin the digest', 'see https://docs.docker.com/build/building/multi-platform/', 'runtime configuration'])}`);
  }
}

function fillerBlock(d: Doc, alpine: boolean): void {
  const rng = d.rng;
  const k = rng.weighted<string>([
    [22, 'misc'],
    [12, alpine ? 'apk' : 'apt'],
    [4, alpine ? 'apk' : 'apt-long'],
    [14, 'download'],
    [5, 'heredoc'],
    [2, 'pragma'],
  ]);
  d.blank();
  if (k === 'misc') miscBlock(d);
  else if (k === 'apt') aptBlock(d, false);
  else if (k === 'apt-long') aptBlock(d, true);
  else if (k === 'apk') apkBlock(d);
  else if (k === 'download') downloadBlock(d, pickDownloadStyle(rng, alpine));
  else if (k === 'heredoc') heredocBlock(d);
  else {
    d.push(rng.pick(['# anyarch ignore=AA101 the vendor only ships amd64', '# hadolint ignore=DL3008', '# check=skip=UndefinedVar']));
    downloadBlock(d, 'literal-amd64');
  }
}

function entrypoint(d: Doc, name: string): void {
  const rng = d.rng;
  d.blank();
  switch (rng.int(0, 4)) {
    case 0:
      d.push(`ENTRYPOINT ["/usr/local/bin/${name}"]`, `CMD ["--config", "/etc/${name}/config.yaml"]`);
      return;
    case 1:
      d.push(`CMD ["${name}", "serve", "--port", "${rng.int(1000, 9999)}"]`);
      return;
    case 2:
      d.push(`CMD /usr/local/bin/${name}`);
      return;
    case 3:
      d.push('ENTRYPOINT ["docker-entrypoint.sh"]', `CMD ["${name}"]`);
      return;
    default:
      d.push(`ENTRYPOINT ["tini", "--"]`, `CMD ["node", "server.js"]`);
  }
}

// ---------------------------------------------------------------------------------------------
// Archetypes: the start of a file; filler blocks then grow it to its target size

function header(d: Doc): void {
  const rng = d.rng;
  if (rng.chance(0.25)) d.push(rng.pick(['# syntax=docker/dockerfile:1', '# syntax=docker/dockerfile:1.7', '# syntax=docker/dockerfile:1-labs']));
  if (rng.chance(0.04)) d.push('# check=skip=JSONArgsRecommended;error=true');
  if (rng.chance(0.3)) {
    d.blank();
    d.push(rng.pick([
      '# NOTE: THIS DOCKERFILE IS GENERATED VIA "apply-templates.sh"',
      '#',
      '# PLEASE DO NOT EDIT IT DIRECTLY.',
      '# Build with: docker buildx build --platform linux/amd64,linux/arm64 .',
    ]));
  }
}

function officialDebian(d: Doc): string {
  const rng = d.rng;
  header(d);
  d.blank();
  d.push(`FROM ${rng.pick(DEBIAN_BASES)}`);
  d.blank();
  d.push('# ensure local binaries are preferred over distro ones', 'ENV PATH /usr/local/bin:$PATH');
  d.blank();
  aptBlock(d, rng.chance(0.5));
  d.blank();
  downloadBlock(d, rng.chance(0.8) ? 'dpkg-case' : 'dpkg-var');
  return rng.pick(['docker-entrypoint.sh', 'app']);
}

function officialAlpine(d: Doc): string {
  const rng = d.rng;
  header(d);
  d.blank();
  d.push(`FROM ${rng.pick(ALPINE_BASES)}`);
  d.blank();
  apkBlock(d);
  d.blank();
  downloadBlock(d, 'apk-case');
  return 'app';
}

function goCross(d: Doc): string {
  const rng = d.rng;
  const name = rng.pick(NAMES);
  header(d);
  d.push(`ARG GO_VERSION=${rng.pick(['1.22', '1.23', '1.23.4'])}`);
  if (rng.chance(0.5)) d.push(`ARG ALPINE_VERSION=${rng.pick(['3.20', '3.21'])}`);
  d.blank();
  const xx = rng.chance(0.3);
  if (xx) d.push('FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.5.0 AS xx');
  d.push(`FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION}${rng.chance(0.5) ? '-alpine' : ''} AS build`);
  d.stages.push('build');
  if (xx) d.push('COPY --from=xx / /');
  d.push('WORKDIR /src');
  const declared = rng.weighted([[7, 'both'], [2, 'none'], [1, 'default']] as const);
  if (declared === 'both') {
    d.push(rng.pick(['ARG TARGETOS TARGETARCH', 'ARG TARGETOS\nARG TARGETARCH', 'ARG TARGETPLATFORM']));
    d.targetArchDeclared = true;
  } else if (declared === 'default') d.push('ARG TARGETARCH=amd64', 'ARG TARGETOS=linux');
  d.push('COPY go.mod go.sum ./');
  d.push('RUN --mount=type=cache,target=/go/pkg/mod \\', '    go mod download');
  d.push('COPY . .');
  if (xx) {
    d.push(`RUN --mount=type=cache,target=/root/.cache/go-build \\`, `    CGO_ENABLED=0 xx-go build -trimpath -ldflags="-s -w" -o /out/${name} ./cmd/${name} && \\`, `    xx-verify /out/${name}`);
  } else {
    const goarch = rng.weighted([[6, '$TARGETARCH'], [1, '${TARGETARCH}'], [1, 'amd64'], [1, 'arm64']] as const);
    d.push(`RUN --mount=type=cache,target=/go/pkg/mod \\`, `    --mount=type=cache,target=/root/.cache/go-build \\`, `    CGO_ENABLED=0 GOOS=\${TARGETOS:-linux} GOARCH=${goarch} \\`, `    go build -trimpath -ldflags="-s -w -X main.version=\${VERSION}" -o /out/${name} ./cmd/${name}`);
  }
  d.blank();
  d.push(rng.pick([`FROM gcr.io/distroless/static-debian12:nonroot`, `FROM alpine:\${ALPINE_VERSION:-3.20}`, 'FROM scratch', `FROM ${rng.pick(DEBIAN_BASES)}`]));
  d.targetArchDeclared = false;
  d.push(`COPY --from=build /out/${name} /usr/local/bin/${name}`);
  return name;
}

function rustCross(d: Doc): string {
  const rng = d.rng;
  const name = rng.pick(NAMES);
  header(d);
  d.push(`ARG RUST_VERSION=${rng.pick(['1.82', '1.83.0'])}`);
  d.blank();
  d.push('FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-bookworm AS build');
  d.stages.push('build');
  d.push('ARG TARGETARCH');
  d.targetArchDeclared = true;
  d.push('RUN case "$TARGETARCH" in \\');
  d.push('      amd64) echo x86_64-unknown-linux-gnu > /rust_target ;; \\');
  d.push('      arm64) echo aarch64-unknown-linux-gnu > /rust_target ;; \\');
  if (rng.chance(0.5)) d.push('      arm) echo armv7-unknown-linux-gnueabihf > /rust_target ;; \\');
  d.push('      *) echo "unsupported: $TARGETARCH" >&2; exit 1 ;; \\');
  d.push('    esac');
  d.push('RUN dpkg --add-architecture arm64 && apt-get update && apt-get install -y --no-install-recommends \\');
  d.push('        gcc-aarch64-linux-gnu libc6-dev-arm64-cross \\');
  d.push('    && rm -rf /var/lib/apt/lists/*');
  d.push('RUN rustup target add "$(cat /rust_target)"');
  d.push('WORKDIR /src');
  d.push('COPY Cargo.toml Cargo.lock ./');
  d.push('COPY src ./src');
  d.push('ENV CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc');
  d.push(`RUN --mount=type=cache,target=/usr/local/cargo/registry \\`, `    cargo build --release --target "$(cat /rust_target)" \\`, `    && cp target/"$(cat /rust_target)"/release/${name} /${name}`);
  d.blank();
  d.push('FROM debian:bookworm-slim');
  d.targetArchDeclared = false;
  d.push(`COPY --from=build /${name} /usr/local/bin/${name}`);
  return name;
}

function zasper(d: Doc): string {
  const rng = d.rng;
  const name = rng.pick(['zasper', ...NAMES]);
  if (rng.chance(0.3)) d.push('# Dockerfile for easier installation');
  d.push(`FROM ${rng.pick(['ubuntu:noble', 'ubuntu:22.04', 'debian:bookworm'])}`);
  d.blank();
  d.push('RUN apt-get update && apt-get install -y \\');
  for (const p of rng.sample(['curl', 'git', 'build-essential', 'libzmq3-dev', 'pkg-config', 'nodejs', 'npm', 'python3'], rng.int(3, 8))) d.push(`    ${p} \\`);
  d.push('    && rm -rf /var/lib/apt/lists/*');
  d.blank();
  d.push('RUN curl -LO https://go.dev/dl/go1.23.4.linux-amd64.tar.gz && rm -rf /usr/local/go && tar -C /usr/local -xzf go1.23.4.linux-amd64.tar.gz && rm -rf go1.23.4.linux-amd64.tar.gz');
  d.blank();
  d.push(`RUN git clone https://github.com/example/${name}.git`);
  d.push(`RUN cd ${name}/ui && npm install && npm run build`);
  d.push(`RUN cd ${name} && export PATH=/usr/local/go/bin:$PATH && go build -tags webapp && cp ${name} /usr/local/bin`);
  d.blank();
  d.push(`EXPOSE ${rng.int(1000, 9999)}`);
  return name;
}

function appImage(d: Doc): string {
  const rng = d.rng;
  header(d);
  const base = rng.pick(['node:20-bookworm-slim', 'node:22-alpine', 'python:3.12-slim', 'python:3.13-alpine', 'eclipse-temurin:21-jre', 'ruby:3.3-slim', 'php:8.3-fpm', 'nginx:1.27-alpine']);
  if (rng.chance(0.3)) {
    d.push(`ARG BASE_IMAGE=${base}`, 'FROM ${BASE_IMAGE}');
  } else d.push(`FROM ${base}`);
  d.push('WORKDIR /app');
  return rng.pick(NAMES);
}

function windows(d: Doc): string {
  const rng = d.rng;
  const backtick = rng.chance(0.5);
  if (backtick) {
    d.push('# escape=`');
    d.escape = '`';
  }
  d.windows = true;
  d.blank();
  d.push(`FROM mcr.microsoft.com/windows/${rng.pick(['servercore:ltsc2022', 'nanoserver:ltsc2022', 'servercore:1809'])}`);
  d.blank();
  d.push(`SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]`);
  d.blank();
  d.push('ENV GOLANG_VERSION 1.23.4');
  const e = backtick ? '`' : '\\';
  d.push(`RUN $url = 'https://dl.google.com/go/go1.23.4.windows-amd64.zip'; ${e}`);
  d.push(`    Write-Host ('Downloading {0} ...' -f $url); ${e}`);
  d.push(`    Invoke-WebRequest -Uri $url -OutFile 'go.zip'; ${e}`);
  d.push(`    $sha256 = '${rng.hex(64)}'; ${e}`);
  d.push(`    if ((Get-FileHash go.zip -Algorithm sha256).Hash -ne $sha256) { ${e}`);
  d.push(`        Write-Host 'FAILED!'; ${e}`);
  d.push(`        exit 1; ${e}`);
  d.push(`    }; ${e}`);
  d.push(`    Expand-Archive go.zip -DestinationPath C:\\; ${e}`);
  d.push(`    Remove-Item go.zip -Force`);
  d.blank();
  d.push('WORKDIR C:\\go');
  if (rng.chance(0.5)) d.push('HEALTHCHECK CMD powershell -command try { exit 0 } catch { exit 1 }');
  return 'go';
}

function onbuildBase(d: Doc): string {
  const rng = d.rng;
  d.push(`FROM ${rng.pick(['node:20-bookworm', 'python:3.12', 'ruby:3.3'])}`);
  d.push('RUN mkdir -p /usr/src/app', 'WORKDIR /usr/src/app');
  d.push('ONBUILD ARG NODE_ENV', 'ONBUILD ENV NODE_ENV $NODE_ENV', 'ONBUILD COPY package*.json /usr/src/app/', 'ONBUILD RUN npm install && npm cache clean --force', 'ONBUILD COPY . /usr/src/app');
  return 'app';
}

function minimal(d: Doc): string {
  const rng = d.rng;
  const name = rng.pick(NAMES);
  d.push(rng.pick(['FROM scratch', 'FROM gcr.io/distroless/base-debian12', 'FROM busybox:1.36', `FROM ${rng.pick(['amd64/alpine:3.20', 'arm64v8/debian:bookworm', 'golang:1.23'])}`]));
  d.push(`COPY ${name} /${name}`);
  return name;
}

function platformPinned(d: Doc): string {
  const rng = d.rng;
  header(d);
  d.push(`FROM --platform=linux/amd64 ${rng.pick(DEBIAN_BASES)}`);
  d.push('RUN echo "deb [arch=amd64 signed-by=/usr/share/keyrings/example.gpg] https://packages.example.com/apt stable main" > /etc/apt/sources.list.d/example.list');
  return rng.pick(NAMES);
}

const ARCHETYPES: readonly (readonly [number, (d: Doc) => string, boolean])[] = [
  // weight, builder, alpine flavoured fillers
  [14, officialDebian, false],
  [6, officialAlpine, true],
  [16, goCross, false],
  [5, rustCross, false],
  [9, zasper, false],
  [28, appImage, false],
  [3, windows, false],
  [3, onbuildBase, false],
  [10, minimal, false],
  [6, platformPinned, false],
];

/** Number of lines: log-normal, median ~30, clamped to [5, 300]. */
function targetLines(rng: Rng): number {
  return Math.max(5, Math.min(300, Math.round(Math.exp(Math.log(15) + 1.0 * rng.normal()))));
}

/** One Dockerfile's text (LF line endings). */
export function generateDockerfile(rng: Rng): string {
  const d = new Doc(rng);
  const target = targetLines(rng);
  const [, build, alpineArch] = rng.weighted(ARCHETYPES.map((a) => [a[0], a] as const));
  const name = build(d);
  const alpine = alpineArch || d.lines.some((l) => /^FROM .*alpine/.test(l));
  let guard = 0;
  while (d.length < target - 2 && guard++ < 200) {
    if (d.windows) {
      d.blank();
      d.push(rng.pick([
        `RUN New-Item -ItemType Directory -Path C:\\app${rng.int(0, 99)} | Out-Null`,
        `ENV PATH="C:\\go\\bin;C:\\Windows\\System32;C:\\Windows"`,
        `COPY bin/ C:/app/`,
        `RUN setx /M PATH $('C:\\tools\\bin;' + $Env:PATH)`,
        `# install the Visual C++ runtime`,
        `EXPOSE ${rng.int(1000, 9999)}`,
      ]));
      continue;
    }
    // occasionally add another stage in the middle of a longer file
    if (d.length > 40 && rng.chance(0.04)) {
      d.blank();
      const st = `stage${d.stages.length}`;
      d.push(`FROM ${rng.pick([...DEBIAN_BASES, ...ALPINE_BASES, 'golang:1.23'])} AS ${st}`);
      d.stages.push(st);
      d.targetArchDeclared = false;
      continue;
    }
    fillerBlock(d, alpine);
  }
  if (d.stages.length && rng.chance(0.5) && !d.windows) {
    d.blank();
    d.push(`COPY --from=${rng.pick(d.stages)} /etc/os-release /tmp/os-release`);
  }
  if (d.windows) {
    d.blank();
    d.push(`CMD ["${name}.exe"]`);
  } else if (d.length >= 8 || rng.chance(0.5)) entrypoint(d, name);
  while (d.lines.length && d.lines[d.lines.length - 1] === '') d.lines.pop();
  return d.lines.join('\n') + '\n';
}

/** Breaks a file the way broken files in real repositories are broken. */
function breakFile(rng: Rng, text: string): string {
  const lines = text.split('\n');
  const at = rng.int(1, Math.max(1, lines.length - 2));
  switch (rng.int(0, 3)) {
    case 0:
      lines.splice(at, 0, 'RUNN apt-get update');
      break;
    case 1:
      lines.splice(at, 0, 'COPY onlyonearg');
      break;
    case 2:
      lines.push('RUN <<EOF', 'echo unterminated');
      break;
    default:
      lines.splice(at, 0, 'ENV NOVALUE');
  }
  return lines.join('\n');
}

const SUFFIXES = ['prod', 'dev', 'ci', 'test', 'release', 'alpine', 'debug'];

/** A relative path for file `i`; every path is unique and a name that discovery finds. */
function pathFor(rng: Rng, i: number): string {
  const n = `${rng.pick(NAMES)}-${String(i).padStart(4, '0')}`;
  return rng.weighted<string>([
    [45, `services/${n}/Dockerfile`],
    [15, `${n}/Dockerfile`],
    [10, `images/${n}/${rng.pick(['1.22', '1.23', '3.12', '20'])}/${rng.pick(['bookworm', 'alpine3.20', 'trixie', 'windows/servercore-ltsc2022'])}/Dockerfile`],
    [10, `docker/${n}.Dockerfile`],
    [6, `${n}/Containerfile`],
    [10, `deploy/${n}/Dockerfile.${rng.pick(SUFFIXES)}`],
    [4, `tools/ci/${n}/build.containerfile`],
  ]);
}

/**
 * Writes `count` Dockerfiles under `dir` (created if needed) and returns their absolute paths,
 * sorted. Also writes a few files that discovery must skip (READMEs, .dockerignore files, a
 * Dockerfile under node_modules) so the walk does some filtering.
 */
export async function generateCorpus(dir: string, count: number, seed: number): Promise<string[]> {
  const rng = new Rng(seed);
  const root = path.resolve(dir);
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const rel = pathFor(rng, i);
    let text = generateDockerfile(rng);
    if (rng.chance(0.005)) text = breakFile(rng, text);
    if (rng.chance(0.03)) text = text.replace(/\n/g, '\r\n');
    if (rng.chance(0.01)) text = '\ufeff' + text;
    files.set(path.join(root, rel), text);
  }
  const decoys = new Map<string, string>();
  decoys.set(path.join(root, 'node_modules/some-package/Dockerfile'), 'FROM node:20\n');
  let k = 0;
  for (const abs of files.keys()) {
    if (k++ % 40 !== 0) continue;
    const d = path.dirname(abs);
    decoys.set(path.join(d, 'README.md'), '# service\n\nBuild with `docker build .`\n');
    decoys.set(path.join(d, '.dockerignore'), 'node_modules\n.git\n');
    decoys.set(path.join(d, 'Dockerfile.dockerignore'), 'dist\n');
    decoys.set(path.join(d, 'main.go'), 'package main\n\nfunc main() {}\n');
  }
  const dirs = new Set<string>();
  for (const p of [...files.keys(), ...decoys.keys()]) dirs.add(path.dirname(p));
  for (const dd of [...dirs].sort()) await mkdir(dd, { recursive: true });
  const all = [...files.entries(), ...decoys.entries()];
  // bounded parallel writes
  for (let i = 0; i < all.length; i += 64) {
    await Promise.all(all.slice(i, i + 64).map(([p, t]) => writeFile(p, t)));
  }
  return [...files.keys()].sort();
}

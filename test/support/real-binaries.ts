/**
 * Real binaries for verify's tests, made on the machine (nothing binary is committed):
 *
 * - a Go program cross-compiled with Debian's golang-go for every Linux architecture verify
 *   judges (static, CGO_ENABLED=0, -trimpath). It answers `version` as the Go toolchain would
 *   (`go version go1.23.4 linux/arm64`), so the same binary stands for Zasper's `go` and for an
 *   entrypoint a smoke run executes; otherwise it prints `hello from linux/<arch>`;
 * - with gcc, for amd64: a dynamic glibc program, a Python extension module and a Node addon
 *   (shared objects; they need no Python or Node headers to be what verify reads);
 * - from Debian's packages of other architectures (debian-packages.ts): busybox-static, a
 *   dynamic glibc busybox, musl's and glibc's loaders, python3-yaml's `_yaml` extension and
 *   node-iconv's addon.
 *
 * Outputs are cached under the OS temp directory per toolchain version (Go's version, gcc's
 * version), so a whole suite runs `go build` once per architecture, whatever the number of test
 * processes (each builds into a temporary name and renames into place).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { debianEntry, debianFile, type DebEntry } from './debian-packages.js';

/** Where built binaries are kept (`ANYARCH_BINARY_CACHE` overrides). */
export const BINARY_CACHE = process.env.ANYARCH_BINARY_CACHE ?? path.join(tmpdir(), 'anyarch-real-binaries');
const BUILD_TIMEOUT_MS = 300_000;

/** The Go targets: `GOARCH` (and `GOARM`) per OCI platform. */
export const GO_TARGETS = {
  'linux/amd64': { GOARCH: 'amd64' },
  'linux/arm64': { GOARCH: 'arm64' },
  'linux/arm/v7': { GOARCH: 'arm', GOARM: '7' },
  'linux/arm/v6': { GOARCH: 'arm', GOARM: '6' },
  'linux/s390x': { GOARCH: 's390x' },
  'linux/ppc64le': { GOARCH: 'ppc64le' },
  'linux/riscv64': { GOARCH: 'riscv64' },
  'linux/386': { GOARCH: '386' },
} as const satisfies Record<string, { GOARCH: string; GOARM?: string }>;
export type GoPlatform = keyof typeof GO_TARGETS;

/** The Go program: `version` answers like the Go toolchain, anything else says hello. */
export const GO_HELLO_SOURCE = `package main

import (
	"fmt"
	"os"
	"runtime"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Printf("go version go1.23.4 %s/%s\\n", runtime.GOOS, runtime.GOARCH)
		return
	}
	fmt.Printf("hello from %s/%s\\n", runtime.GOOS, runtime.GOARCH)
}
`;

const C_HELLO_SOURCE = `#include <stdio.h>
int main(void) { puts("hello from a dynamic glibc program"); return 0; }
`;
/** A shared object that is an extension module by name only (verify reads the ELF, never imports it). */
const C_SHARED_SOURCE = `int anyarch_demo_answer(void) { return 42; }
void *PyInit__demo(void) { return 0; }
void *napi_register_module_v1(void *env, void *exports) { (void)env; return exports; }
`;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 << 20, ...opts });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed (run scripts/test-deps.sh)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
  return r.stdout;
}

const versions = new Map<string, string>();
function toolVersion(tool: 'go' | 'gcc'): string {
  let v = versions.get(tool);
  if (v === undefined) {
    v = (tool === 'go' ? run('go', ['version']) : run('gcc', ['-dumpfullversion'])).trim();
    versions.set(tool, v);
  }
  return v;
}

function key(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/**
 * The cached file `name` in the directory for `cacheKey`, made by `make(workDir, out)` when
 * missing (in a temporary directory, then renamed into place).
 */
function cached(cacheKey: string, name: string, make: (work: string, out: string) => void): Uint8Array {
  const dir = path.join(BINARY_CACHE, cacheKey);
  const target = path.join(dir, name);
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true });
    const work = mkdtempSync(path.join(BINARY_CACHE, '.build-'));
    try {
      const out = path.join(work, 'out');
      make(work, out);
      renameSync(out, target);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return new Uint8Array(readFileSync(target));
}

/** The Go hello program built for `platform` (static, no cgo, -trimpath). */
export function goBinary(platform: GoPlatform): Uint8Array {
  const target = GO_TARGETS[platform];
  const version = toolVersion('go');
  const name = `hello-${platform.replaceAll('/', '-')}`;
  return cached(key('go', version, GO_HELLO_SOURCE), name, (work, out) => {
    writeFileSync(path.join(work, 'main.go'), GO_HELLO_SOURCE);
    writeFileSync(path.join(work, 'go.mod'), 'module anyarch.test/hello\n\ngo 1.19\n');
    run('go', ['build', '-trimpath', '-ldflags=-buildid=', '-o', out, '.'], {
      cwd: work,
      env: {
        ...process.env,
        GOOS: 'linux',
        GOARCH: target.GOARCH,
        ...('GOARM' in target ? { GOARM: target.GOARM } : {}),
        CGO_ENABLED: '0',
        GOFLAGS: '-mod=mod',
        GOCACHE: path.join(BINARY_CACHE, 'go-build-cache'),
        GOPATH: path.join(BINARY_CACHE, 'gopath'),
        GOTOOLCHAIN: 'local',
      },
    });
  });
}

function gccShared(name: string): Uint8Array {
  return cached(key('gcc', toolVersion('gcc'), C_SHARED_SOURCE), name, (work, out) => {
    writeFileSync(path.join(work, 'demo.c'), C_SHARED_SOURCE);
    run('gcc', ['-shared', '-fPIC', '-O2', '-o', out, 'demo.c'], { cwd: work });
  });
}

/** A dynamic glibc x86-64 program (interpreter /lib64/ld-linux-x86-64.so.2), built with gcc. */
export function gccHelloAmd64(): Uint8Array {
  return cached(key('gcc', toolVersion('gcc'), C_HELLO_SOURCE), 'hello-glibc-amd64', (work, out) => {
    writeFileSync(path.join(work, 'hello.c'), C_HELLO_SOURCE);
    run('gcc', ['-O2', '-o', out, 'hello.c'], { cwd: work });
  });
}

/** The name CPython 3.11 on Debian gives an x86-64 extension module. */
export const PYTHON_EXT_AMD64_NAME = '_demo.cpython-311-x86_64-linux-gnu.so';
/** An x86-64 shared object built with gcc, to be named like a Python extension module. */
export function pythonExtensionAmd64(): Uint8Array {
  return gccShared('python-ext-amd64.so');
}

/** An x86-64 shared object built with gcc, to be named like a Node addon (`build/Release/demo.node`). */
export function nodeAddonAmd64(): Uint8Array {
  return gccShared('node-addon-amd64.node');
}

/** The path of python3-yaml's arm64 extension module in Debian 12 (dist-packages). */
export const PYTHON_EXT_ARM64_PATH = '/usr/lib/python3/dist-packages/yaml/_yaml.cpython-311-aarch64-linux-gnu.so';
/** python3-yaml:arm64's `_yaml` extension (an aarch64 ELF shared object). */
export function pythonExtensionArm64(): Uint8Array {
  return debianFile('python3-yaml', 'arm64', PYTHON_EXT_ARM64_PATH);
}

/** The path of node-iconv's arm64 addon in Debian 12. */
export const NODE_ADDON_ARM64_PATH = '/usr/lib/aarch64-linux-gnu/nodejs/iconv/build/Release/iconv.node';
/** node-iconv:arm64's addon (an aarch64 ELF shared object). */
export function nodeAddonArm64(): Uint8Array {
  return debianFile('node-iconv', 'arm64', NODE_ADDON_ARM64_PATH);
}

/** Debian's architecture names for the OCI platforms busybox-static is taken for. */
export const DEBIAN_ARCH = { 'linux/amd64': 'amd64', 'linux/arm64': 'arm64', 'linux/arm/v7': 'armhf' } as const;
export type DebianPlatform = keyof typeof DEBIAN_ARCH;

/** busybox-static's `/bin/busybox` for `platform` (a static ELF). */
export function busyboxStatic(platform: DebianPlatform): Uint8Array {
  return debianFile('busybox-static', DEBIAN_ARCH[platform], '/bin/busybox');
}

/** The dynamic glibc busybox of arm64 (`busybox:arm64`, interpreter /lib/ld-linux-aarch64.so.1). */
export function busyboxGlibcArm64(): Uint8Array {
  return debianFile('busybox', 'arm64', '/bin/busybox');
}

/** A loader and the files it needs, as the package lays them out (the symlink and its target). */
export interface Loader {
  /** the PT_INTERP path (`/lib/ld-musl-aarch64.so.1`) */
  readonly interpreter: string;
  /** path -> entry, the interpreter's symlink included */
  readonly entries: Readonly<Record<string, DebEntry>>;
}

/** musl's arm64 loader: `/lib/ld-musl-aarch64.so.1` -> `aarch64-linux-musl/libc.so` (musl:arm64). */
export function muslLoaderArm64(): Loader {
  const interpreter = '/lib/ld-musl-aarch64.so.1';
  return {
    interpreter,
    entries: {
      [interpreter]: debianEntry('musl', 'arm64', interpreter),
      '/lib/aarch64-linux-musl/libc.so': debianEntry('musl', 'arm64', '/lib/aarch64-linux-musl/libc.so'),
    },
  };
}

/** glibc's arm64 loader and libc: `/lib/ld-linux-aarch64.so.1` -> `aarch64-linux-gnu/ld-linux-aarch64.so.1` (libc6:arm64). */
export function glibcLoaderArm64(): Loader {
  const interpreter = '/lib/ld-linux-aarch64.so.1';
  const entry = (p: string) => debianEntry('libc6', 'arm64', p);
  return {
    interpreter,
    entries: {
      [interpreter]: entry(interpreter),
      '/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1': entry('/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1'),
      '/lib/aarch64-linux-gnu/libc.so.6': entry('/lib/aarch64-linux-gnu/libc.so.6'),
    },
  };
}

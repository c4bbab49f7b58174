/**
 * Go without a Dockerfile: `go build` once per platform (GOOS/GOARCH and GOARM or GOAMD64 from
 * the platform model's `goEnv`), reproducibly (`-trimpath`, `-ldflags=-buildid=`, CGO_ENABLED=0
 * unless asked), each binary in its own directory of `outDir`; then, for `anyarch build --go`,
 * assembled onto a base (default scratch) by `assemble`.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import { AnyarchError } from '../errors.js';
import { programOnPath } from '../fs/programs.js';
import { formatPlatform, goEnv, normalizePlatform, type Platform } from '../platform/index.js';
import type { FileAddition } from './additions.js';

export interface GoBuildOptions {
  /** the directory `go build` runs in (the module); the package is relative to it */
  readonly dir: string;
  /** CGO_ENABLED=1 (default 0: static binaries that need no C library) */
  readonly cgo?: boolean;
  /** where the binaries go: `<outDir>/<os>_<arch>[_<variant>]/<name>` */
  readonly outDir: string;
  /** the environment go runs in (default the process's); GOOS, GOARCH, GOARM, GOAMD64, CGO_ENABLED are set over it */
  readonly env?: NodeJS.ProcessEnv;
  /** more -ldflags, after `-buildid=` */
  readonly ldflags?: string;
  /** the go program (default `go` on the environment's PATH) */
  readonly go?: string;
  /** where the binary goes in the image (default `/usr/local/bin/<name>`) */
  readonly dest?: string;
  /** each line go prints, with its platform */
  readonly onOutput?: (line: string, platform: Platform) => void;
  readonly signal?: AbortSignal;
}

/** Lines of go's output an `E_BUILD` error keeps (the last ones: where the compiler stopped). */
export const GO_ERROR_LINES = 20;

/** The binary's name for a package path: its last element (`./cmd/app` -> `app`, `.` -> the directory's name), `.exe` on Windows. */
export function goBinaryName(pkg: string, dir: string, platform: Platform): string {
  const clean = pkg.replace(/\\/g, '/').replace(/\/(\.\.\.)?$/, '');
  let base = clean === '' || clean === '.' ? path.basename(path.resolve(dir)) : path.posix.basename(clean);
  if (/^v[0-9]+$/.test(base) && clean.includes('/')) base = path.posix.basename(path.posix.dirname(clean)); // example.com/app/v2 -> app
  return normalizePlatform(platform).os === 'windows' ? `${base}.exe` : base;
}

/** The environment `go build` gets for `platform` (over `env`). `E_USAGE` for a platform Go does not build for. */
export function goBuildEnv(platform: Platform, cgo: boolean, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const n = normalizePlatform(platform);
  // arm/v8 is AArch32 on ARMv8 CPUs: Go's best 32-bit code for it is GOARM=7
  const words = goEnv(n.architecture === 'arm' && n.variant === 'v8' ? { ...n, variant: 'v7' } : n);
  if (!words) throw new AnyarchError('E_USAGE', `Go does not build for ${formatPlatform(platform)} (anyarch knows no GOARCH for it)`);
  const out: NodeJS.ProcessEnv = { ...env, ...words, CGO_ENABLED: cgo ? '1' : '0' };
  if (!words['GOARM']) delete out['GOARM'];
  if (!words['GOAMD64']) delete out['GOAMD64'];
  return out;
}

/** The arguments of one `go build`. */
export function goBuildArgs(pkg: string, output: string, ldflags?: string): string[] {
  return ['build', '-trimpath', `-ldflags=-buildid=${ldflags ? ` ${ldflags}` : ''}`, '-o', output, pkg];
}

function platformDir(p: Platform): string {
  const n = normalizePlatform(p);
  return [n.os, n.architecture, n.variant].filter(Boolean).join('_');
}

/**
 * Cross-compiles `pkg` for each platform, one after another (go uses every core itself). Returns
 * one addition per platform: the binary, to `/usr/local/bin/<name>` (or `dest`). A failing
 * compile is `E_BUILD` with go's last lines; no go on PATH is `E_USAGE`.
 */
export async function goBuild(pkg: string, platforms: readonly Platform[], opts: GoBuildOptions): Promise<readonly FileAddition[]> {
  const env = opts.env ?? process.env;
  const go = opts.go ?? programOnPath('go', env['PATH']);
  if (!go) throw new AnyarchError('E_USAGE', 'go is not on PATH', 'install Go (https://go.dev/dl/ or your distribution\'s golang package)');
  const out: FileAddition[] = [];
  for (const platform of platforms) {
    const name = goBinaryName(pkg, opts.dir, platform);
    const dir = path.join(opts.outDir, platformDir(platform));
    await mkdir(dir, { recursive: true });
    const output = path.join(dir, name);
    await runGo(go, goBuildArgs(pkg, output, opts.ldflags), goBuildEnv(platform, opts.cgo === true, env), opts, platform);
    out.push({ platform, from: output, to: opts.dest ?? `/usr/local/bin/${name}`, dir: false });
  }
  return out;
}

function runGo(go: string, args: string[], env: NodeJS.ProcessEnv, opts: GoBuildOptions, platform: Platform): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, args, { cwd: opts.dir, env, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.signal ? { signal: opts.signal } : {}) });
    const tail: string[] = [];
    let partial = '';
    const onData = (chunk: Buffer): void => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) keep(line);
    };
    const keep = (line: string): void => {
      opts.onOutput?.(line, platform);
      tail.push(line);
      if (tail.length > GO_ERROR_LINES) tail.shift();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new AnyarchError('E_BUILD', `go build for ${formatPlatform(platform)} could not start: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (partial) keep(partial);
      if (code === 0) return resolve();
      const why = signal ? `was ended by ${signal}` : `exited with ${code}`;
      reject(
        new AnyarchError('E_BUILD', `go build ${args[args.length - 1]} for ${formatPlatform(platform)} ${why}${tail.length ? `:\n${tail.join('\n')}` : ''}`, `GOOS=${env['GOOS']} GOARCH=${env['GOARCH']}${env['GOARM'] ? ` GOARM=${env['GOARM']}` : ''} CGO_ENABLED=${env['CGO_ENABLED']} ${path.basename(go)} ${args.join(' ')}`),
      );
    });
  });
}

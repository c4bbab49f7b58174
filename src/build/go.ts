/**
 * Go without a Dockerfile: `go build` once per platform (GOOS/GOARCH and GOARM or GOAMD64 from
 * the platform model's `goEnv`), reproducibly (`-trimpath`, `-ldflags=-buildid=`, CGO_ENABLED=0
 * unless asked), each binary in its own directory of `outDir`; then, for `anyarch build --go`,
 * assembled onto a base (default scratch) by `assemble`.
 */
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AnyarchError, isAnyarchError } from '../errors.js';
import { programOnPath } from '../fs/programs.js';
import { temporaryDirs } from '../fs/temporary.js';
import { openRoot, type Image, type Index } from '../oci/image.js';
import { formatReference } from '../oci/reference.js';
import { parseSourceSpec } from '../oci/source-spec.js';
import type { ImageSource } from '../oci/source.js';
import { formatPlatform, goEnv, normalizePlatform, type Platform } from '../platform/index.js';
import type { RegistryClient } from '../registry/client.js';
import { openSource } from '../sources.js';
import type { FileAddition } from './additions.js';
import { assemble } from './assemble.js';
import type { BlobStore } from './blob-store.js';
import type { BuildRequest, ImageAnnotations } from './types.js';

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

/** Where Debian, Ubuntu, Alpine and Arch keep the CA bundle (what `caCertificates` adds, at the same path in the image). */
export const CA_CERTIFICATES_FILE = '/etc/ssl/certs/ca-certificates.crt';

export interface GoImageOptions {
  /** where the new layers, configs and the index go */
  readonly store: BlobStore;
  /** where the request's context and a relative base path are read from (default the process's) */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** the client a registry base is read with (default a plain one) */
  readonly client?: RegistryClient;
  /** where go's outputs go for the time of the build (default the system's temporary directory) */
  readonly tmpDir?: string;
  /** seconds: mtimes and `created` (default 0; callers pass SOURCE_DATE_EPOCH) */
  readonly epoch?: number;
  /** the index's standard annotations (the base's are added) */
  readonly annotations?: ImageAnnotations;
  /** the host's CA bundle (default {@link CA_CERTIFICATES_FILE}) */
  readonly caCertificatesFile?: string;
  readonly onOutput?: (line: string, platform: Platform) => void;
  readonly signal?: AbortSignal;
}

/** An index `buildGoImage` made; its base's source stays open (publish reads the base's blobs from it) until `close`. */
export interface GoImage {
  readonly index: Index;
  /** the binary's path in the image (the entrypoint) */
  readonly entrypoint: string;
  /** closes the base's source; safe twice */
  close(): Promise<void>;
}

/**
 * `anyarch build --go PKG`: `go build` per platform of `request.platforms` in `request.context`
 * ({@link goBuild}), the binaries assembled onto `request.go.base` (default scratch) at
 * `/usr/local/bin/<name>`, which is the entrypoint; `request.labels` on every config; the host's
 * CA bundle at {@link CA_CERTIFICATES_FILE} when `request.go.caCertificates` (one layer every
 * platform shares). go's outputs are removed once their layers are written. Errors: `E_BUILD`
 * (go failed), `E_USAGE` (no go, a platform Go does not build for), the base's reading errors,
 * `E_NOT_FOUND` (no CA bundle on the host), and `assemble`'s.
 */
export async function buildGoImage(request: BuildRequest, opts: GoImageOptions): Promise<GoImage> {
  const go = request.go;
  if (!go) throw new AnyarchError('E_INTERNAL', 'buildGoImage: the request has no go package');
  if (request.platforms.length === 0) throw new AnyarchError('E_USAGE', 'no platform to build for', 'e.g. --platform linux/amd64,linux/arm64');
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const dir = path.resolve(cwd, request.context);
  let source: ImageSource | undefined;
  const outDir = await temporaryDirs.make(opts.tmpDir ?? os.tmpdir(), 'anyarch-go-');
  try {
    const built = await goBuild(go.package, request.platforms, { dir, outDir, env, ...(go.cgo ? { cgo: true } : {}), ...(opts.onOutput ? { onOutput: opts.onOutput } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    const additions: FileAddition[] = [...built];
    if (go.caCertificates) {
      const bundle = opts.caCertificatesFile ?? CA_CERTIFICATES_FILE;
      try {
        if (!(await stat(bundle)).isFile()) throw new Error('not a file');
      } catch {
        throw new AnyarchError('E_NOT_FOUND', `this machine has no CA bundle at ${bundle} to add`, 'install the ca-certificates package, or build onto a base that has one');
      }
      additions.push({ from: bundle, to: CA_CERTIFICATES_FILE, dir: false });
    }
    let base: Index | Image | undefined;
    let baseName: string | undefined;
    if (go.base !== undefined) {
      let spec;
      try {
        spec = parseSourceSpec(go.base, { cwd });
      } catch (e) {
        if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `the base ${JSON.stringify(go.base)}: ${e.message}`, e.hint);
        throw e;
      }
      // a registry base by its full reference; a local one as written (an absolute path would make the digest depend on the directory)
      baseName = spec.kind === 'registry' ? formatReference(spec.reference) : go.base;
      source = await openSource(spec, { ...(opts.client ? { client: opts.client } : {}), env });
      base = await openRoot(source);
    }
    const entrypoint = (built[0] as FileAddition).to;
    const index = await assemble({
      ...(base ? { base } : {}),
      ...(baseName !== undefined ? { baseName } : {}),
      platforms: request.platforms,
      additions,
      config: { entrypoint: [entrypoint], ...(Object.keys(request.labels).length ? { labels: request.labels } : {}) },
      ...(opts.epoch !== undefined ? { epoch: opts.epoch } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      store: opts.store,
      cwd,
    });
    const s = source;
    source = undefined;
    let closed = false;
    return {
      index,
      entrypoint,
      close: async () => {
        if (closed) return;
        closed = true;
        await s?.close();
      },
    };
  } finally {
    await temporaryDirs.remove(outDir);
    await source?.close();
  }
}

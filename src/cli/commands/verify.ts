/**
 * `anyarch verify IMAGE...`: prove from the bytes that every platform variant of an image was
 * built for its platform. Glue: flags and `.anyarch.yaml` to the library's `verifyImages`, its
 * reports to a reporter, its summary to an outcome (0 clean, 1 verdicts at or above --fail-on,
 * 2 an image or variant that could not be read, content that failed its digest included).
 */
import * as path from 'node:path';
import { MAX_INPUT_BYTES, decodeDockerfile, inputReadError } from '../../check/input.js';
import { DEFAULT_FAIL_ON, type FailOn } from '../../check/outcome.js';
import type { Config } from '../../config.js';
import { AnyarchError } from '../../errors.js';
import { readRegularFile } from '../../fs/bounded-read.js';
import { parsePlatformList, type Platform } from '../../platform/index.js';
import type { SmokeCommand } from '../../smoke/types.js';
import type { DockerfileInput } from '../../verify/dockerfile-map.js';
import { VERDICTS } from '../../verify/verdicts/index.js';
import { verifyImages, verifyOutcome } from '../../verify/verify.js';
import { showProgress, useColor, type Io, type Outcome } from '../io.js';
import { loadReporter } from '../reporters/index.js';
import { sanitize, type Format } from '../reporters/types.js';
import { humanSize } from '../reporters/text.js';
import { packageVersion } from '../version.js';
import { loadSettings, parseFlag, scanCacheSetting } from './settings.js';

export interface VerifyCommandOptions {
  readonly images: readonly string[];
  /** comma-separated platforms to verify (default: all the image publishes) */
  readonly platforms?: string;
  readonly dockerfile?: string;
  readonly base?: string;
  /** `--run 'CMD ARGS'` */
  readonly run?: string;
  /** `--run-entrypoint [ARGS]`: true without arguments */
  readonly runEntrypoint?: string | true;
  /** seconds a smoke run may take */
  readonly runTimeout?: number;
  readonly format: Format;
  readonly failOn?: FailOn;
  /** a file, false for --no-config, undefined to search */
  readonly config?: string | false;
  readonly insecureRegistries: readonly string[];
  readonly timeout?: number;
  readonly maxImageBytes?: number;
  /** false: `--no-scan-cache` (default true: the cache of layer scans, unless ANYARCH_NO_SCAN_CACHE) */
  readonly scanCache?: boolean;
  readonly noTrunc: boolean;
  readonly color: boolean;
}

/** Most characters of a `--run` command line. */
export const MAX_RUN_COMMAND_CHARS = 64 * 1024;

/** Splits a command line into argv as a POSIX shell would for plain words and quotes (no expansion). */
export function splitCommand(line: string): string[] {
  if (line.length > MAX_RUN_COMMAND_CHARS) throw new AnyarchError('E_USAGE', `--run: a command longer than ${MAX_RUN_COMMAND_CHARS} characters`);
  const out: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && /["\\$`]/.test(line[i + 1] ?? '')) word = (word ?? '') + line[++i];
      else word = (word ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < line.length) word = (word ?? '') + line[++i];
    else if (/\s/.test(c)) {
      if (word !== undefined) out.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (quote) throw new AnyarchError('E_USAGE', `--run: an unclosed ${quote} quote`, "quote the whole command for your shell, e.g. --run 'app --version'");
  if (word !== undefined) out.push(word);
  return out;
}

async function readDockerfile(file: string, io: Io, config: Config | undefined): Promise<DockerfileInput> {
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(path.resolve(io.cwd, file), MAX_INPUT_BYTES);
  } catch (e) {
    throw inputReadError(file, e);
  }
  return { file, source: decodeDockerfile(bytes, file), ...(config?.rules ? { check: { severities: config.rules } } : {}) };
}

function smokeCommand(opts: VerifyCommandOptions): SmokeCommand | undefined {
  if (opts.run !== undefined && opts.runEntrypoint !== undefined) throw new AnyarchError('E_USAGE', '--run and --run-entrypoint cannot be used together');
  if (opts.run !== undefined) {
    const argv = splitCommand(opts.run);
    if (argv.length === 0) throw new AnyarchError('E_USAGE', '--run needs a command', "e.g. --run '/usr/local/bin/app --version'");
    return { argv, entrypoint: false };
  }
  if (opts.runEntrypoint !== undefined) return { argv: opts.runEntrypoint === true ? [] : splitCommand(opts.runEntrypoint), entrypoint: true };
  return undefined;
}

export async function verify(opts: VerifyCommandOptions, io: Io): Promise<Outcome> {
  if (opts.images.length === 0) throw new AnyarchError('E_USAGE', 'name at least one image', 'e.g. anyarch verify ghcr.io/acme/api:1.4 or oci:./layout:latest');
  const platforms: Platform[] | undefined = opts.platforms !== undefined ? parseFlag('--platform', () => parsePlatformList(opts.platforms as string)) : undefined;
  const command = smokeCommand(opts);
  const config = await loadSettings(opts.config, io);
  const failOn = opts.failOn ?? config?.failOn ?? DEFAULT_FAIL_ON;
  const dockerfile = opts.dockerfile !== undefined ? await readDockerfile(opts.dockerfile, io, config) : undefined;

  // progress on a terminal only (never in CI logs or pipes): one line, rewritten, then erased
  const progress = showProgress(io.stderr, io.env);
  const run = await verifyImages(opts.images, {
    cwd: io.cwd,
    env: io.env,
    insecureRegistries: opts.insecureRegistries,
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
    ...(opts.maxImageBytes !== undefined ? { maxImageBytes: opts.maxImageBytes } : {}),
    layerCache: scanCacheSetting(opts.scanCache, io.env),
    ...(platforms ? { platforms } : {}),
    ...(opts.base !== undefined ? { base: opts.base } : {}),
    ...(dockerfile ? { dockerfile } : {}),
    ...(config?.verify?.allow ? { allow: config.verify.allow } : {}),
    ...(command ? { smoke: { command, ...(opts.runTimeout !== undefined ? { timeoutMs: opts.runTimeout * 1000 } : {}) } } : {}),
    onProgress: (p) => {
      if (progress) io.stderr.write(`\ranyarch: ${p.layersDone}/${p.layersTotal} layers read, ${humanSize(p.bytes)}\u001b[K`);
    },
  });
  if (progress) io.stderr.write('\r\u001b[K');

  const reporter = await loadReporter(opts.format);
  io.stdout.write(
    reporter.verify(run.reports, {
      summary: run.summary,
      verdicts: VERDICTS.map((v) => v.meta),
      fullDigests: opts.noTrunc,
      cwd: io.cwd,
      color: useColor(io.stdout, io.env, opts.color),
      toolVersion: packageVersion(),
    }),
  );
  // what could not be read, on standard error too
  for (const r of run.reports) {
    if (r.error) io.stderr.write(`anyarch: ${sanitize(r.image)}: ${sanitize(r.error.message)}\n`);
    for (const p of r.platforms) if (p.error) io.stderr.write(`anyarch: ${sanitize(r.image)} ${sanitize(p.name)}: ${sanitize(p.error.message)}\n`);
  }
  return verifyOutcome(run.summary, failOn);
}

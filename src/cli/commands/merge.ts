/**
 * `anyarch merge REF IMAGE...`: glue. Flags, `.anyarch.yaml` (failOn, verify.allow, rules) and the
 * environment's annotations (SOURCE_DATE_EPOCH, git) to the library's `merge`; its result to the
 * publish reporter; the outcome to main.ts (0 tagged, 1 refused by verify, 2 input, registry or
 * network error).
 */
import * as path from 'node:path';
import { annotationsFromEnvironment, standardAnnotations } from '../../build/annotations.js';
import { BlobStore } from '../../build/blob-store.js';
import { merge as mergeImages, publishOutcome, type PublishEvent } from '../../build/publish.js';
import { DEFAULT_FAIL_ON, type FailOn } from '../../check/outcome.js';
import { findConfig, loadConfig, type Config } from '../../config.js';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import { parseReference } from '../../oci/reference.js';
import { credentialedClient } from '../../registry/credentialed.js';
import { VERDICTS } from '../../verify/verdicts/index.js';
import { summarizeVerify } from '../../verify/verify.js';
import { showProgress, useColor, type Io, type Outcome } from '../io.js';
import { publishJson, publishText } from '../reporters/publish.js';
import { humanSize } from '../reporters/text.js';
import { sanitize } from '../reporters/types.js';
import { packageVersion } from '../version.js';
import { scanCacheSetting } from './settings.js';

export interface MergeCommandOptions {
  readonly ref: string;
  readonly images: readonly string[];
  readonly verify: boolean;
  /** false: `--no-scan-cache` (default true, unless ANYARCH_NO_SCAN_CACHE) */
  readonly scanCache?: boolean;
  /** `KEY=VALUE` each */
  readonly annotations: readonly string[];
  readonly format: 'text' | 'json';
  readonly failOn?: FailOn;
  /** a file, false for --no-config, undefined to search */
  readonly config?: string | false;
  readonly insecureRegistries: readonly string[];
  /** seconds */
  readonly timeout?: number;
  readonly noTrunc: boolean;
  readonly color: boolean;
}

/** What `--no-verify` leaves out, said on standard error whenever it is given. */
export const NO_VERIFY_NOTE =
  '--no-verify: the variants are not verified (no AA2xx verdicts: a variant with binaries of another architecture is tagged too), and the index gets no dev.anyarch.verify annotation';

/** `KEY=VALUE` pairs; `E_USAGE` for one without `=` or with an empty key. */
export function parseAnnotations(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!key) throw new AnyarchError('E_USAGE', `--annotation ${JSON.stringify(pair)}: expected KEY=VALUE`, 'e.g. --annotation org.opencontainers.image.url=https://example.com');
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

async function settings(opts: MergeCommandOptions, io: Io): Promise<Config | undefined> {
  if (opts.config === false) return undefined;
  const file = opts.config ? path.resolve(io.cwd, opts.config) : await findConfig(io.cwd);
  return file ? loadConfig(file, { displayPath: path.relative(io.cwd, file) || file }) : undefined;
}

export async function merge(opts: MergeCommandOptions, io: Io): Promise<Outcome> {
  let target;
  try {
    target = parseReference(opts.ref);
  } catch (e) {
    if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `REF: ${e.message}`, e.hint ?? 'e.g. anyarch merge ghcr.io/acme/app:1.4 sha256:… sha256:…');
    throw e;
  }
  if (target.digest) throw new AnyarchError('E_USAGE', `REF ${opts.ref} has a digest: name the tag to write (registry/repository:tag)`);
  const given = parseAnnotations(opts.annotations);
  const env = io.env as NodeJS.ProcessEnv;
  const annotations = { ...standardAnnotations(await annotationsFromEnvironment(io.cwd, env)), ...given };
  const config = await settings(opts, io);
  const failOn = opts.failOn ?? config?.failOn ?? DEFAULT_FAIL_ON;
  if (!opts.verify) io.stderr.write(`anyarch: ${NO_VERIFY_NOTE}\n`);

  const client = credentialedClient({ env, insecureRegistries: opts.insecureRegistries, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}) });
  const progress = showProgress(io.stderr, io.env);
  const onProgress = (e: PublishEvent): void => {
    if (e.phase === 'push') io.stderr.write(`\ranyarch: pushing ${e.done}/${e.total} blobs, ${humanSize(e.bytesUploaded)} sent\u001b[K`);
    else if (e.phase === 'verify') io.stderr.write(`\ranyarch: verifying, ${e.layersDone}/${e.layersTotal} layers read, ${humanSize(e.bytes)}\u001b[K`);
  };
  const store = await BlobStore.create({ name: 'merge' });
  let result;
  try {
    result = await mergeImages(target, opts.images, {
      client,
      tags: [target],
      verify: opts.verify,
      failOn,
      store,
      annotations,
      cwd: io.cwd,
      env,
      verifyOptions: { cwd: io.cwd, env, layerCache: scanCacheSetting(opts.scanCache, io.env), ...(config?.verify?.allow ? { allow: config.verify.allow } : {}) },
      ...(progress ? { onProgress } : {}),
    });
  } finally {
    if (progress) io.stderr.write('\r\u001b[K');
    await store.close();
  }

  if (opts.format === 'json') io.stdout.write(publishJson(result, { toolVersion: packageVersion() }));
  else {
    io.stdout.write(
      publishText(result, {
        fullDigests: opts.noTrunc,
        toolVersion: packageVersion(),
        noVerify: !opts.verify,
        verify: {
          summary: result.report ? summarizeVerify([result.report]) : undefined,
          verdicts: VERDICTS.map((v) => v.meta),
          fullDigests: opts.noTrunc,
          cwd: io.cwd,
          color: useColor(io.stdout, io.env, opts.color),
          toolVersion: packageVersion(),
        },
      }),
    );
  }
  for (const p of result.report?.platforms ?? []) if (p.error) io.stderr.write(`anyarch: ${sanitize(p.name)}: ${sanitize(p.error.message)}\n`);
  return publishOutcome(result, failOn);
}

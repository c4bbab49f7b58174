/**
 * `anyarch assemble`: glue. Flags to the library's `assemble` (src/build/assemble.ts), its index
 * to `publish` (push by digest, verify, tag) and/or the layout and archive writers (after
 * verify), the result to text or JSON, an outcome to main.ts: 0 assembled, 1 refused by verify
 * (nothing tagged or written), 2 usage/input/registry errors (thrown; a binary of the wrong
 * architecture is E_INPUT: 2).
 */
import { DEFAULT_FAIL_ON, type FailOn } from '../../check/outcome.js';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import type { Image, Index } from '../../oci/image.js';
import { openRoot } from '../../oci/image.js';
import { formatReference, parseReference, type ImageReference } from '../../oci/reference.js';
import { formatSourceSpec, parseSourceSpec, type SourceSpec } from '../../oci/source-spec.js';
import type { ImageSource } from '../../oci/source.js';
import { formatPlatform, makePlatform, parsePlatformList, type Platform } from '../../platform/index.js';
import { credentialedClient } from '../../registry/credentialed.js';
import { openSource } from '../../sources.js';
import type { FileAddition } from '../../build/additions.js';
import { parseAddition } from '../../build/additions.js';
import type { ConfigChanges } from '../../build/image-writer.js';
import type { PublishedVariant, PublishResult } from '../../build/types.js';
import type { VerifyReport } from '../../verify/types.js';
import { showProgress, useColor, type Io, type Outcome } from '../io.js';
import { plural, sanitize } from '../reporters/types.js';
import { table } from '../table.js';
import { shortDigest } from '../../oci/digest.js';
import { humanSize } from '../reporters/text.js';
import type { AssembleFlags } from './assemble-command.js';
import { scanCacheSetting } from './settings.js';
import { splitCommand } from './verify.js';

/** What the command is asked, parsed: every flag checked before anything is opened. */
export interface AssembleCommandOptions {
  readonly base?: string;
  readonly platforms?: readonly Platform[];
  readonly additions: readonly FileAddition[];
  readonly config: ConfigChanges;
  readonly tags: readonly ImageReference[];
  readonly output?: SourceSpec & { readonly kind: 'oci-layout' | 'oci-archive' };
  readonly verify: boolean;
  /** false: `--no-scan-cache` (default true, unless ANYARCH_NO_SCAN_CACHE) */
  readonly scanCache?: boolean;
  readonly failOn: FailOn;
  readonly format: 'text' | 'json';
  readonly insecureRegistries: readonly string[];
  readonly timeout?: number;
  readonly color: boolean;
}

/**
 * `--cmd` / `--entrypoint`: a JSON array of strings as it is (exec form); anything else split into
 * words as a POSIX shell splits them (no `sh -c`). `[]` is an empty list (clears the base's).
 */
export function parseCommandWords(flag: string, value: string): string[] {
  const t = value.trim();
  if (t.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      throw new AnyarchError('E_USAGE', `${flag}: ${JSON.stringify(value)} starts with [ but is not a JSON array`, `e.g. ${flag} '["/usr/local/bin/app","serve"]'`);
    }
    if (!Array.isArray(v) || !v.every((w) => typeof w === 'string')) throw new AnyarchError('E_USAGE', `${flag}: the JSON form is an array of strings`);
    return v as string[];
  }
  try {
    return splitCommand(value);
  } catch (e) {
    if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', e.message.replace(/^--run/, flag), e.hint?.replace('--run', flag));
    throw e;
  }
}

/** `--env KEY=VALUE` / `--label KEY=VALUE`: the key non-empty, the value may be empty or hold `=`. */
export function parseKeyValue(flag: string, value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new AnyarchError('E_USAGE', `${flag} ${JSON.stringify(value)}: expected KEY=VALUE`);
  const key = value.slice(0, eq);
  if (/[\s\0]/.test(key)) throw new AnyarchError('E_USAGE', `${flag} ${JSON.stringify(value)}: a key cannot hold white space`);
  return [key, value.slice(eq + 1)];
}

/** `--expose 8080`, `8080/tcp`, `53/UDP`, `8000-8002/tcp` -> `8080/tcp`... (Docker's default protocol is tcp). */
export function parseExpose(value: string): string {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i.exec(value.trim());
  const ok = (n: string | undefined): boolean => n === undefined || (Number(n) >= 1 && Number(n) <= 65535);
  if (!m || !ok(m[1]) || !ok(m[2]) || (m[2] !== undefined && Number(m[2]) < Number(m[1]))) {
    throw new AnyarchError('E_USAGE', `--expose ${JSON.stringify(value)}: expected PORT[-PORT][/tcp|udp|sctp] with ports 1-65535`);
  }
  return `${m[1]}${m[2] ? `-${m[2]}` : ''}/${(m[3] ?? 'tcp').toLowerCase()}`;
}

/** `--output oci:DIR[:TAG]` or `oci-archive:FILE[:TAG]`; any other destination is `E_USAGE`. */
export function parseOutput(value: string, cwd?: string): SourceSpec & { readonly kind: 'oci-layout' | 'oci-archive' } {
  let spec: SourceSpec;
  try {
    spec = parseSourceSpec(value, cwd !== undefined ? { cwd } : {});
  } catch (e) {
    if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `--output: ${e.message}`, 'e.g. --output oci:./out:latest or --output oci-archive:app.tar');
    throw e;
  }
  if (spec.kind !== 'oci-layout' && spec.kind !== 'oci-archive') {
    throw new AnyarchError('E_USAGE', `--output ${JSON.stringify(value)}: assemble writes oci:DIR[:TAG] or oci-archive:FILE[:TAG]`, 'to push to a registry, use -t REGISTRY/REPOSITORY:TAG');
  }
  return spec;
}

/** Every flag parsed and checked (pure: nothing is read). `E_USAGE` for the first that is wrong. */
export function assembleOptionsFromFlags(flags: AssembleFlags): AssembleCommandOptions {
  let platforms: Platform[] | undefined;
  if (flags.platform !== undefined) {
    try {
      platforms = parsePlatformList(flags.platform);
    } catch (e) {
      if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `--platform: ${e.message}`, e.hint);
      throw e;
    }
  }
  const additions = [...(flags.add ?? []).map((v) => parseAddition(v, false)), ...(flags.addDir ?? []).map((v) => parseAddition(v, true))];
  const labels: Record<string, string> = {};
  for (const l of flags.label ?? []) {
    const [k, v] = parseKeyValue('--label', l);
    labels[k] = v;
  }
  const config: ConfigChanges = {
    ...(flags.entrypoint !== undefined ? { entrypoint: parseCommandWords('--entrypoint', flags.entrypoint) } : {}),
    ...(flags.cmd !== undefined ? { cmd: parseCommandWords('--cmd', flags.cmd) } : {}),
    ...(flags.env?.length ? { env: flags.env.map((e) => parseKeyValue('--env', e).join('=')) } : {}),
    ...(flags.workdir !== undefined ? { workdir: flags.workdir } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
    ...(flags.expose?.length ? { exposedPorts: flags.expose.map(parseExpose) } : {}),
  };
  const tags = (flags.tag ?? []).map((t) => {
    try {
      return parseReference(t);
    } catch (e) {
      if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `--tag ${JSON.stringify(t)}: ${e.message}`, e.hint);
      throw e;
    }
  });
  if (tags.some((t) => t.digest)) throw new AnyarchError('E_USAGE', '--tag: a reference with a digest cannot be tagged', 'e.g. -t registry.example/app:1.4');
  const output = flags.output !== undefined ? parseOutput(flags.output) : undefined;
  if (tags.length === 0 && !output) throw new AnyarchError('E_USAGE', 'nowhere to put the image: push it (-t REGISTRY/REPOSITORY:TAG) or write it (--output oci:DIR or oci-archive:FILE)');
  if (additions.length === 0 && Object.keys(config).length === 0 && flags.base === undefined) throw new AnyarchError('E_USAGE', 'nothing to assemble: give --base, --add or --add-dir');
  return {
    ...(flags.base !== undefined ? { base: flags.base } : {}),
    ...(platforms ? { platforms } : {}),
    additions,
    config,
    tags,
    ...(output ? { output } : {}),
    verify: flags.verify,
    scanCache: flags.scanCache,
    failOn: flags.failOn ?? DEFAULT_FAIL_ON,
    format: flags.format,
    insecureRegistries: flags.insecureRegistry ?? [],
    ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
    color: flags.color,
  };
}

/** Runs `anyarch assemble` (see the module comment). */
export async function assembleCommand(opts: AssembleCommandOptions, io: Io): Promise<Outcome> {
  const [{ assemble, assemblyPlatforms }, { BlobStore }, { publishOutcome, publishPlanned, publishRepository, reportOutcome, withVerifyAnnotations }, { annotationsFromEnvironment }, { epochFromEnvironment }] = await Promise.all([
    import('../../build/assemble.js'),
    import('../../build/blob-store.js'),
    import('../../build/publish.js'),
    import('../../build/annotations.js'),
    import('../../build/layer.js'),
  ]);
  const env = io.env as NodeJS.ProcessEnv;
  const epoch = epochFromEnvironment(env);
  const repository = opts.tags.length ? publishRepository(opts.tags) : undefined;
  const client = credentialedClient({ env, insecureRegistries: opts.insecureRegistries, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}) });
  const progress = showProgress(io.stderr, io.env);
  const status = (line: string): void => {
    if (progress) io.stderr.write(`\ranyarch: ${line}\u001b[K`);
  };

  let source: ImageSource | undefined;
  // git answers while the base is read (a malformed SOURCE_DATE_EPOCH was refused above)
  const gitAnnotations = annotationsFromEnvironment(io.cwd, { ...env, SOURCE_DATE_EPOCH: env['SOURCE_DATE_EPOCH'] ?? '' });
  gitAnnotations.catch(() => undefined);
  const store = await BlobStore.create({ name: 'assemble' });
  try {
    let base: Index | Image | undefined;
    let baseName: string | undefined;
    let baseSpec: SourceSpec | undefined;
    if (opts.base !== undefined) {
      try {
        baseSpec = parseSourceSpec(opts.base, { cwd: io.cwd });
      } catch (e) {
        if (isAnyarchError(e)) throw new AnyarchError('E_USAGE', `--base: ${e.message}`, e.hint);
        throw e;
      }
      baseName = formatSourceSpec(baseSpec);
      status(`reading ${baseName}`);
      source = await openSource(baseSpec, { client, env, ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}) });
      base = await openRoot(source);
    }
    const platforms = opts.platforms ?? (await assemblyPlatforms(opts.additions, base));
    // annotations: git's revision and source; `created` only when SOURCE_DATE_EPOCH says (the clock would change the digest every run)
    const { created: _clock, ...fromGit } = await gitAnnotations;
    const annotations = { ...fromGit, ...(epoch !== undefined ? { created: _clock } : {}) };
    status(`assembling ${platforms.map(formatPlatform).join(', ')}`);
    const index = await assemble({
      ...(base ? { base } : {}),
      // a registry base by its full reference; a local one as written (an absolute path would make the digest depend on the directory)
      ...(baseSpec ? { baseName: baseSpec.kind === 'registry' ? formatReference(baseSpec.reference) : (opts.base as string) } : {}),
      platforms,
      additions: opts.additions,
      config: opts.config,
      ...(epoch !== undefined ? { epoch } : {}),
      annotations,
      store,
      cwd: io.cwd,
    });

    let result: PublishResult | undefined;
    let report: VerifyReport | undefined;
    let passed = true;
    let finalIndex: Index = index;
    if (repository) {
      // blobs of a base in another repository of the same registry are mounted, not uploaded
      const mountFrom = baseSpec?.kind === 'registry' && baseSpec.reference.registry === repository.registry && baseSpec.reference.repository !== repository.repository ? baseSpec.reference.repository : undefined;
      const baseBlobs = mountFrom && base ? await blobDigests(base, platforms) : new Set<string>();
      result = await publishPlanned(
        index,
        {
          client,
          tags: opts.tags,
          verify: opts.verify,
          failOn: opts.failOn,
          verifyOptions: { client, env, cwd: io.cwd, layerCache: scanCacheSetting(opts.scanCache, io.env) },
          onProgress: (e) => {
            if (e.phase === 'push') status(`pushing: ${e.done}/${e.total} blobs, ${humanSize(e.bytesUploaded)} sent`);
            else if (e.phase === 'verify') status(`verifying: ${e.layersDone}/${e.layersTotal} layers`);
          },
        },
        { mountFromFor: (d) => (mountFrom && baseBlobs.has(d) ? mountFrom : undefined) },
      );
      report = result.report;
      passed = result.passed;
    } else if (opts.verify) {
      status('verifying');
      const { verifyImage } = await import('../../verify/verify.js');
      report = await verifyImage(index, { client, env, cwd: io.cwd, layerCache: scanCacheSetting(opts.scanCache, io.env) }, 'assembled image');
      passed = reportOutcome(report, opts.failOn) === 'clean';
    }
    if (passed && opts.verify && report) {
      // what is written carries the same verify annotation as what is tagged
      const listed = (await index.manifest()).manifests.flatMap((m) => (m.platform ? [makePlatform(m.platform.os, m.platform.architecture, m.platform.variant ?? '')] : []));
      finalIndex = await withVerifyAnnotations(store, index, listed, 'assembled image');
      if (result && result.index.digest !== finalIndex.descriptor.digest) {
        throw new AnyarchError('E_INTERNAL', `the index written (${finalIndex.descriptor.digest}) is not the one tagged (${result.index.digest})`);
      }
    }
    let written: string | undefined;
    if (passed && opts.output) {
      status(`writing ${formatSourceSpec(opts.output)}`);
      const { writeLocal } = await import('../../build/build.js');
      await writeLocal(finalIndex, opts.output, io.cwd);
      written = formatSourceSpec(opts.output);
    }
    if (progress) io.stderr.write('\r\u001b[K');

    const toolVersion = (await import('../../fs/package-version.js')).packageVersion();
    const { VERDICTS } = await import('../../verify/verdicts/index.js');
    const { summarizeVerify } = await import('../../verify/verify.js');
    const verifyContext = {
      summary: report ? summarizeVerify([report]) : undefined,
      verdicts: VERDICTS.map((v) => v.meta),
      fullDigests: false,
      cwd: io.cwd,
      color: useColor(io.stdout, io.env, opts.color),
      toolVersion,
    };
    if (result) {
      // pushed: the publish reporter merge and build print with, and the layout or archive written
      const { publishJson, publishText } = await import('../reporters/publish.js');
      if (opts.format === 'json') io.stdout.write(publishJson({ ...result, ...(written ? { written } : {}) }, { toolVersion }));
      else io.stdout.write(publishText(result, { fullDigests: false, toolVersion, noVerify: !opts.verify, verify: verifyContext }) + (written ? `written: ${sanitize(written)}\n` : ''));
    } else {
      const variants = await variantsOf(finalIndex, report);
      if (opts.format === 'json') io.stdout.write(`${JSON.stringify({ version: 1, tool: { name: 'anyarch', version: toolVersion }, index: finalIndex.descriptor, variants, ...(report ? { report } : {}), passed, ...(written ? { written } : {}) }, null, 2)}\n`);
      else io.stdout.write(outputText(finalIndex, variants, passed, written, opts));
      if (!passed && report && verifyContext.summary && opts.format !== 'json') {
        const { textReporter } = await import('../reporters/text.js');
        const text = textReporter.verify([report], { ...verifyContext, summary: verifyContext.summary });
        io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    }
    for (const p of report?.platforms ?? []) if (p.error) io.stderr.write(`anyarch: ${sanitize(p.name)}: ${sanitize(p.error.message)}\n`);
    if (!passed) io.stderr.write('anyarch: a variant was refused by verify: nothing was tagged or written\n');
    if (passed) return 'clean';
    // as verify and merge: a variant that could not be read is 2 (input), verdicts 1
    const outcome = result ? publishOutcome(result, opts.failOn) : report ? reportOutcome(report, opts.failOn) : 'findings';
    return outcome === 'clean' ? 'findings' : outcome;
  } finally {
    if (progress) io.stderr.write('\r\u001b[K');
    await store.close();
    await source?.close();
  }
}

/** The config and layer digests of the base's images for `platforms` (what may be mounted). */
async function blobDigests(base: Index | Image, platforms: readonly Platform[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const p of platforms) {
    try {
      const image = base.kind === 'index' ? await base.imageFor(p) : base;
      const m = await image.manifest();
      out.add(m.config.digest);
      for (const l of m.layers) out.add(l.digest);
    } catch {
      // a platform the base lacks was refused by assemble already
    }
  }
  return out;
}

/** The index's variants with their sizes (manifest, config, layers) and verify's verdicts, as publish reports them. */
async function variantsOf(index: Index, report: VerifyReport | undefined): Promise<PublishedVariant[]> {
  const m = await index.manifest();
  return Promise.all(
    m.manifests.map(async (d): Promise<PublishedVariant> => {
      const image = await index.image(d);
      const im = await image.manifest();
      const verification = report?.platforms.find((p) => p.digest === d.digest);
      const platform = makePlatform(d.platform?.os ?? '', d.platform?.architecture ?? '', d.platform?.variant ?? '');
      return { platform, descriptor: d, size: d.size + im.config.size + im.layers.reduce((n, l) => n + l.size, 0), ...(verification ? { verification } : {}) };
    }),
  );
}

/** `--output` without `-t`: the index written, a line per platform, like the publish reporter's. */
function outputText(index: Index, variants: readonly PublishedVariant[], passed: boolean, written: string | undefined, opts: AssembleCommandOptions): string {
  const what = passed ? (opts.verify ? 'index (verified, annotated)' : 'index') : 'index (refused, not written)';
  const rows = [['  PLATFORM', 'MANIFEST', 'SIZE', 'VERIFY']];
  for (const v of variants) {
    const n = v.verification?.summary.verdicts;
    const verdict = !opts.verify ? 'not verified (--no-verify)' : v.verification?.error ? `not verified: ${sanitize(v.verification.error.code)}` : n && (n.error || n.warning) ? (['error', 'warning'] as const).filter((k) => n[k] > 0).map((k) => plural(n[k], k)).join(', ') : 'passed';
    rows.push([`  ${sanitize(formatPlatform(v.platform))}`, shortDigest(v.descriptor.digest), humanSize(v.size), verdict]);
  }
  return [`${what} ${shortDigest(index.descriptor.digest)}`, table(rows).trimEnd(), ...(written ? [`written: ${sanitize(written)}`] : []), ''].join('\n');
}

/**
 * `anyarch build [CONTEXT]`: glue. Flags and `.anyarch.yaml` to the library's `buildImage`; its
 * run to text or JSON; an outcome to main.ts (0 built, 1 check errors or a refused variant, 2
 * usage/input/registry, 4 the engine's build failed).
 *
 * Progress: on a terminal (not in CI, not in a pipe) one line per platform with the engine's
 * latest line, redrawn in place and erased at the end; otherwise nothing until the summary. The
 * engine's last lines of a failed platform are always printed (on standard error).
 */
import * as path from 'node:path';
import { pc } from '../packages.js';
import type { CheckRun } from '../../check/check-paths.js';
import { DEFAULT_PLATFORMS } from '../../check/engine.js';
import { DEFAULT_FAIL_ON, failsOn, type FailOn } from '../../check/outcome.js';
import { AnyarchError } from '../../errors.js';
import { shortDigest } from '../../oci/digest.js';
import { formatReference, parseReference, type ImageReference } from '../../oci/reference.js';
import { parseSourceSpec } from '../../oci/source-spec.js';
import { formatPlatform, parsePlatformList, type Platform } from '../../platform/index.js';
import { credentialedClient } from '../../registry/credentialed.js';
import { VERDICTS } from '../../verify/verdicts/index.js';
import type { VerifyReport } from '../../verify/types.js';
import { summarizeVerify } from '../../verify/verify.js';
import type { BuildOutput, BuildRun, WrittenImage } from '../../build/build.js';
import type { BuildRequest, PublishedVariant } from '../../build/types.js';
import { publishText } from '../reporters/publish.js';
import { envFlag, showProgress, useColor, type Io, type OutStream, type Outcome } from '../io.js';
import { loadReporter } from '../reporters/index.js';
import { humanSize } from '../reporters/text.js';
import { sanitize } from '../reporters/types.js';
import { table } from '../table.js';
import { packageVersion } from '../version.js';
import type { BuildFlags } from './build-command.js';
import { NO_VERIFY_NOTE } from './merge.js';
import { loadSettings, parseFlag, scanCacheSetting } from './settings.js';

export interface BuildCommandOptions extends BuildFlags {
  readonly context: string;
}

/** `KEY=VALUE` pairs; `KEY` alone takes the value from the environment (as docker build does) and is left out when unset. */
export function keyValues(flag: string, values: readonly string[], env: Io['env'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (!/^[^\s=]+$/.test(key)) throw new AnyarchError('E_USAGE', `${flag} ${JSON.stringify(v)}: expected KEY=VALUE`);
    if (eq >= 0) out[key] = v.slice(eq + 1);
    else if (env === undefined) out[key] = '';
    else if (env[key] !== undefined) out[key] = env[key] as string;
  }
  return out;
}

function parseOutput(value: string, cwd: string): BuildOutput {
  const spec = parseFlag('--output', () => parseSourceSpec(value, { cwd }));
  if (spec.kind === 'oci-layout') return { kind: 'oci-layout', dir: spec.dir, ...(spec.tag !== undefined ? { tag: spec.tag } : {}) };
  if (spec.kind === 'oci-archive') return { kind: 'oci-archive', file: spec.file, ...(spec.tag !== undefined ? { tag: spec.tag } : {}) };
  throw new AnyarchError('E_USAGE', `--output ${value}: anyarch build writes oci:DIR[:TAG] or oci-archive:FILE[:TAG]`, 'for a registry, use -t REGISTRY/REPOSITORY:TAG');
}

/** One line per platform, rewritten in place on a terminal. */
class Board {
  private readonly lines = new Map<string, string>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly out: OutStream,
    platforms: readonly Platform[],
  ) {
    for (const p of platforms) this.lines.set(formatPlatform(p), 'waiting');
  }
  set(key: string, text: string): void {
    this.lines.set(key, text);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 100);
  }
  private draw(): void {
    const width = Math.max(...[...this.lines.keys()].map((k) => k.length));
    let s = this.drawn ? `\u001b[${this.drawn}A` : '';
    for (const [k, v] of this.lines) s += `\r${k.padEnd(width)}  ${sanitize(v).slice(0, 100)}\u001b[K\n`;
    this.drawn = this.lines.size;
    this.out.write(s);
  }
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.drawn) this.out.write(`\u001b[${this.drawn}A\r\u001b[J`);
    this.drawn = 0;
  }
}

function verdictWord(v: PublishedVariant, failOn: FailOn): string {
  const ver = v.verification;
  if (!ver) return 'not verified';
  if (ver.error) return `unreadable: ${ver.error.message}`;
  const c = ver.summary.verdicts;
  const counts = [c.error ? `${c.error} error${c.error === 1 ? '' : 's'}` : '', c.warning ? `${c.warning} warning${c.warning === 1 ? '' : 's'}` : '', c.info ? `${c.info} info` : ''].filter(Boolean).join(', ');
  const refused = (['error', 'warning', 'info'] as const).some((s) => c[s] > 0 && failsOn(s, failOn));
  return `${refused ? 'refused' : 'passed'}${counts ? ` (${counts})` : ''}`;
}

/** What `--output` got, in the publish reporter's layout. */
function writtenText(r: WrittenImage, failOn: FailOn, color: boolean): string {
  const c = pc.createColors(color);
  const rows = [['  PLATFORM', 'MANIFEST', 'SIZE', 'VERIFY'], ...r.variants.map((v) => {
    const word = verdictWord(v, failOn);
    return [`  ${formatPlatform(v.platform)}`, shortDigest(v.descriptor.digest), humanSize(v.size), word.startsWith('passed') ? c.green(word) : word.startsWith('not') ? word : c.red(word)];
  })];
  const what = r.passed ? (r.report ? 'index (verified, annotated)' : 'index') : 'index (not written)';
  const last = r.passed ? `written: ${r.tagged.map(sanitize).join(', ')}` : c.red('not written: a variant was refused by verify (its verdicts are above); fix it and run the same command again');
  return `${what} ${shortDigest(r.index.digest)} for ${sanitize(r.destination)}\n${table(rows).trimEnd()}\n${last}\n`;
}

/**
 * `--format json`: one versioned document. A registry's result is spread at the top, as merge's
 * and assemble's JSON have it (`repository`, `index`, `variants`, `report`, `passed`, `tagged`,
 * `stats`); `digest` is the image pushed by `--push-by-digest`.
 */
function jsonOf(run: BuildRun): unknown {
  return {
    version: 1,
    tool: { name: 'anyarch', version: packageVersion() },
    status: run.status,
    ...(run.engine ? { engine: run.engine } : {}),
    ...(run.check ? { check: { outcome: run.checkOutcome, summary: run.check.summary, results: run.check.results.map((f) => ({ file: f.file, findings: f.findings, ...(f.error ? { error: { code: f.error.code, message: f.error.message } } : {}) })) } } : {}),
    ...(run.buildError
      ? { buildError: { message: run.buildError.message, failed: run.buildError.failed.map((f) => ({ platform: formatPlatform(f.platform), step: f.step, reason: f.reason, lines: f.lines })), built: run.buildError.built.map((p) => formatPlatform(p)) } }
      : {}),
    ...(run.published ?? {}),
    ...(run.written ? { written: run.written } : {}),
    ...(run.digest ? { digest: run.digest } : {}),
  };
}

export async function build(opts: BuildCommandOptions, io: Io): Promise<Outcome> {
  const { buildImage } = await import('../../build/build.js');
  const config = await loadSettings(opts.config, io);
  const platforms: readonly Platform[] = opts.platform !== undefined ? parseFlag('--platform', () => parsePlatformList(opts.platform as string)) : (config?.platforms ?? DEFAULT_PLATFORMS);
  const tags: ImageReference[] = (opts.tag ?? []).map((t) => parseFlag(`-t ${t}`, () => parseReference(t)));
  const context = path.resolve(io.cwd, opts.context);
  const request: BuildRequest = {
    context,
    dockerfile: opts.file !== undefined ? path.resolve(io.cwd, opts.file) : path.join(context, 'Dockerfile'),
    platforms,
    buildArgs: keyValues('--build-arg', opts.buildArg ?? [], io.env),
    ...(opts.target !== undefined ? { target: opts.target } : {}),
    labels: keyValues('--label', opts.label ?? [], undefined),
    noCache: !opts.cache,
    ...(opts.network !== undefined ? { network: opts.network } : {}),
    ...(opts.go !== undefined
      ? { go: { package: opts.go, ...(opts.base !== undefined ? { base: opts.base } : {}), ...(opts.cgo ? { cgo: true } : {}), ...(opts.caCertificates ? { caCertificates: true } : {}) } }
      : {}),
  };
  if (opts.go === undefined) {
    const stray = [opts.base !== undefined && '--base', opts.cgo && '--cgo', opts.caCertificates && '--ca-certificates'].filter(Boolean);
    if (stray.length) throw new AnyarchError('E_USAGE', `${stray.join(', ')} only go with --go`, 'a Dockerfile names its base in FROM');
  }
  const output = opts.output !== undefined ? parseOutput(opts.output, io.cwd) : undefined;
  const failOn = opts.failOn ?? config?.failOn ?? DEFAULT_FAIL_ON;
  const env = io.env as NodeJS.ProcessEnv;
  const timeoutMs = opts.timeout !== undefined ? opts.timeout * 1000 : undefined;
  const insecureRegistries = opts.insecureRegistry ?? [];
  const offline = opts.offline === true || config?.offline === true || envFlag(io.env.ANYARCH_OFFLINE);
  const json = opts.format === 'json';

  if (!opts.verify) io.stderr.write(`anyarch: ${NO_VERIFY_NOTE}\n`);
  const progress = showProgress(io.stderr, io.env) ? new Board(io.stderr, platforms) : undefined;
  const color = useColor(io.stdout, io.env, opts.color);
  // check's findings as check shows them: on standard output when they stop the build, on
  // standard error (before the engine's work) when the build goes on
  const showCheck = async (check: CheckRun, out: OutStream, errColor: boolean): Promise<void> => {
    const reporter = await loadReporter('text');
    const rules = (await import('../../rules/index.js')).RULES;
    out.write(reporter.check(check.results, { rules, summary: check.summary, sources: check.sources, cwd: io.cwd, color: errColor, quiet: false, toolVersion: packageVersion(), fixMode: 'none' }));
  };
  const pending: Promise<void>[] = [];
  let run: BuildRun;
  try {
    run = await buildImage(request, {
      tags,
      ...(opts.pushByDigest ? { pushByDigest: true } : {}),
      ...(output ? { output } : {}),
      verify: opts.verify,
      failOn,
      check: opts.check
        ? {
            options: { ...(config?.rules ? { severities: config.rules } : {}), ...(config?.buildPlatform ? { buildPlatform: config.buildPlatform } : {}) },
            baseImages: offline ? false : { insecureRegistries, env, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
          }
        : false,
      verifyOptions: { env, cwd: io.cwd, layerCache: scanCacheSetting(opts.scanCache, io.env), ...(config?.verify?.allow ? { allow: config.verify.allow } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
      client: credentialedClient({ env, insecureRegistries, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }),
      find: { ...(opts.engine ? { engine: opts.engine } : {}), ...(opts.docker !== undefined ? { docker: opts.docker } : {}), ...(opts.buildah !== undefined ? { buildah: opts.buildah } : {}), env },
      env,
      cwd: io.cwd,
      onEvent: (e) => {
        if (e.kind === 'check') {
          if (!json) pending.push(showCheck(e.check, io.stderr, useColor(io.stderr, io.env, opts.color)));
        } else if (e.kind === 'engine') {
          if (!json) io.stderr.write(`anyarch: building with ${sanitize(e.engine.why)}\n`);
        } else if (e.kind === 'output' && progress) {
          if (e.platform) progress.set(formatPlatform(e.platform), e.line);
          else for (const p of platforms) progress.set(formatPlatform(p), e.line);
        } else if (e.kind === 'phase' && progress && e.platform) progress.set(formatPlatform(e.platform), e.phase === 'compress' ? 'compressing the layers' : e.phase);
        else if (e.kind === 'publish' && progress) {
          const ev = e.event;
          const text = ev.phase === 'push' ? `pushing by digest: ${ev.done}/${ev.total} blobs, ${humanSize(ev.bytesUploaded)} sent` : ev.phase === 'verify' ? `verifying: ${ev.layersDone}/${ev.layersTotal} layers` : `tagged ${ev.reference}`;
          for (const p of platforms) progress.set(formatPlatform(p), text);
        }
      },
    });
  } finally {
    progress?.clear();
    await Promise.all(pending);
  }

  if (json) io.stdout.write(`${JSON.stringify(jsonOf(run), null, 2)}\n`);

  switch (run.status) {
    case 'check-failed': {
      if (!json && run.check) await showCheck(run.check, io.stdout, color);
      io.stderr.write('anyarch: check found errors in the Dockerfile: nothing was built (--no-check builds anyway)\n');
      return run.checkOutcome === 'bug' ? 'bug' : 'findings';
    }
    case 'build-failed': {
      const err = run.buildError;
      if (err) {
        for (const f of err.failed) {
          io.stderr.write(`anyarch: ${formatPlatform(f.platform)}: ${f.step !== undefined ? `failed at ${sanitize(f.step)}` : 'failed'} (${sanitize(f.reason)})\n`);
          for (const l of f.lines) io.stderr.write(`  | ${sanitize(l)}\n`);
        }
        io.stderr.write(`anyarch: ${sanitize(err.message)}\n`);
        if (err.hint) io.stderr.write(`  hint: ${sanitize(err.hint)}\n`);
      }
      return 'build-failed';
    }
    default:
      break;
  }

  const refused = run.status === 'refused';
  const verifyCtx = (report: VerifyReport | undefined) => ({
    verdicts: VERDICTS.map((v) => v.meta),
    fullDigests: false,
    cwd: io.cwd,
    color,
    toolVersion: packageVersion(),
    summary: report ? summarizeVerify([report]) : undefined,
  });
  if (!json) {
    // --push-by-digest: standard output is the digest alone (DIGEST=$(anyarch build …)); the summary goes to standard error
    const out = run.digest !== undefined ? io.stderr : io.stdout;
    if (run.published) out.write(publishText(run.published, { fullDigests: false, toolVersion: packageVersion(), noVerify: opts.verify === false, verify: verifyCtx(run.published.report) }));
    if (run.written) {
      if (!run.written.passed && run.written.report) {
        const reporter = await loadReporter('text');
        io.stdout.write(reporter.verify([run.written.report], { ...verifyCtx(run.written.report), summary: summarizeVerify([run.written.report]) }));
      }
      io.stdout.write(writtenText(run.written, failOn, color));
    }
    if (run.digest !== undefined) {
      io.stdout.write(`${run.digest}\n`);
      const repo = tags[0];
      if (repo) io.stderr.write(`anyarch: pushed by digest, untagged: ${formatReference({ registry: repo.registry, repository: repo.repository, digest: run.digest })} (anyarch merge REF DIGEST... makes the index)\n`);
    }
  }
  if (!refused) return 'clean';
  io.stderr.write('anyarch: verify refused a variant: nothing was tagged or written\n');
  const report = run.published && !run.published.passed ? run.published.report : run.written?.report;
  const summary = report ? summarizeVerify([report]) : undefined;
  return summary && (summary.unreadableImages || summary.unreadableVariants || summary.integrityFailures) ? 'input-error' : 'findings';
}

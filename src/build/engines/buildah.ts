/**
 * buildah (Debian's 1.28 here), or podman, whose `build`, `manifest push` and `manifest rm` take
 * the same flags: `buildah build --platform a,b --manifest NAME --isolation chroot` builds every
 * platform into a fresh manifest list, `buildah manifest push --all NAME oci:DIR` writes the list
 * and its images as an OCI layout, which anyarch reads (`openOciLayout`); `close()` removes the
 * list (`manifest rm`) and the layout. The per-platform images stay in buildah's storage, as
 * any `buildah build` leaves them (its cache for the next build).
 *
 * `--isolation chroot` needs no runtime and works in a container; it cannot cut RUN steps off the
 * network, so `--network none` is refused with this engine (use the docker engine for that).
 * Storage options (`--root`, `--runroot`, `--storage-driver`) go before the subcommand, as both
 * programs take them (tests give buildah storage of its own).
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AnyarchError } from '../../errors.js';
import { temporaryDirs } from '../../fs/temporary.js';
import { openRoot } from '../../oci/image.js';
import type { ImageSource } from '../../oci/source.js';
import { openOciLayout } from '../../oci/sources/layout.js';
import { formatPlatform, type Platform } from '../../platform/index.js';
import type { BuildRequest, BuiltVariant, EngineBuildOptions, EngineResult } from '../types.js';
import { EngineBuildError, type PlatformFailure } from './failure.js';
import { commonBuildFlags, failingStep, lastLines, stepExit, platformList } from './flags.js';
import { ClientEngine, endedWith, once, runProgram, type RunResult } from './run.js';

/** Storage of buildah's own (its global flags); absent: buildah's defaults. */
export interface BuildahStorage {
  readonly root?: string;
  readonly runroot?: string;
  readonly storageDriver?: string;
}

export function storageFlags(s: BuildahStorage | undefined): string[] {
  const args: string[] = [];
  if (s?.root !== undefined) args.push('--root', s.root);
  if (s?.runroot !== undefined) args.push('--runroot', s.runroot);
  if (s?.storageDriver !== undefined) args.push('--storage-driver', s.storageDriver);
  return args;
}

/** `buildah build` of every platform into the manifest list `manifest`. */
export function buildahBuildArgs(request: BuildRequest, manifest: string, storage?: BuildahStorage): string[] {
  if (request.network !== undefined && request.network !== 'host') {
    throw new AnyarchError(
      'E_USAGE',
      `buildah's chroot isolation cannot give RUN steps --network ${request.network}: they share this machine's network`,
      'leave --network out with buildah, or build with --engine docker (which runs RUN steps in their own network namespace)',
    );
  }
  const { network, ...rest } = request;
  const flags = commonBuildFlags(rest);
  return [...storageFlags(storage), 'build', '--platform', platformList(request.platforms), '--manifest', manifest, '--isolation', 'chroot', ...flags, ...(network === 'host' ? ['--network', 'host'] : []), request.context];
}

/** `buildah manifest push --all NAME oci:DIR`. */
export function buildahPushArgs(manifest: string, dir: string, storage?: BuildahStorage): string[] {
  return [...storageFlags(storage), 'manifest', 'push', '--all', manifest, `oci:${dir}`];
}

export function buildahRemoveArgs(manifest: string, storage?: BuildahStorage): string[] {
  return [...storageFlags(storage), 'manifest', 'rm', manifest];
}

/** `[linux/arm64] STEP 2/3: …`: the platform a line of a multi-platform build is about. */
export function linePlatform(line: string): string | undefined {
  return /^\[([a-z0-9]+\/[a-z0-9]+(?:\/[a-z0-9]+)?)\] /.exec(line)?.[1];
}

/**
 * Which platforms a failed buildah run built and which failed: a platform whose lines reached
 * `COMMIT` built; of those begun and not committed, the one whose last step is the step buildah's
 * error names failed there (the others stopped with it); when the lines do not say (one platform,
 * or an error before any step), every platform not committed failed.
 */
export function buildahFailures(platforms: readonly Platform[], lines: readonly string[], r: RunResult): { failed: PlatformFailure[]; built: Platform[] } {
  const committed = new Set<string>();
  const lastStep = new Map<string, string>();
  for (const line of lines) {
    const p = linePlatform(line);
    if (p === undefined) continue;
    const rest = line.slice(p.length + 3);
    if (/^COMMIT\b/.test(rest)) committed.add(p);
    else {
      const step = /^STEP \d+\/\d+: (.+)$/.exec(rest)?.[1];
      if (step !== undefined) lastStep.set(p, step);
    }
  }
  const step = failingStep(r.tail);
  const reason = stepExit(r.tail) ?? endedWith(r);
  const failure = (platform: Platform): PlatformFailure => ({ platform, reason, lines: lastLines(r.tail), ...(step !== undefined ? { step } : {}) });
  if (platforms.length === 1) return { failed: platforms.map(failure), built: [] };
  const built = platforms.filter((p) => committed.has(formatPlatform(p)));
  const open = platforms.filter((p) => !committed.has(formatPlatform(p)) && lastStep.has(formatPlatform(p)));
  const atStep = step !== undefined ? open.filter((p) => lastStep.get(formatPlatform(p)) === step) : [];
  const culprits = open.length === 1 ? open : atStep.length ? atStep : platforms.filter((p) => !committed.has(formatPlatform(p)));
  const failed = platforms
    .filter((p) => !committed.has(formatPlatform(p)))
    .map((p): PlatformFailure => (culprits.includes(p) ? failure(p) : { platform: p, reason: lastStep.has(formatPlatform(p)) ? 'stopped when another platform failed' : 'not built: the build stopped first', lines: [] }));
  return { failed, built };
}

export class BuildahEngine extends ClientEngine {
  readonly name = 'buildah' as const;
  constructor(program: string, version: string, why: string, env: NodeJS.ProcessEnv, private readonly storage?: BuildahStorage) {
    super(program, version, why, env);
  }

  async build(request: BuildRequest, opts: EngineBuildOptions = {}): Promise<EngineResult> {
    const manifest = `localhost/anyarch-build-${randomBytes(8).toString('hex')}`;
    const buildArgs = buildahBuildArgs(request, manifest, this.storage);
    const dir = await temporaryDirs.make(opts.tmpDir ?? tmpdir(), 'anyarch-buildah-');
    const layout = path.join(dir, 'layout');
    let source: ImageSource | undefined;
    let made = false;
    const run = (args: string[], onLine?: (line: string) => void): Promise<RunResult> =>
      runProgram(this.program, args, { env: this.env, ...(opts.signal ? { signal: opts.signal } : {}), ...(onLine ? { onLine } : {}) });
    const close = once(async () => {
      await source?.close();
      if (made) await runProgram(this.program, buildahRemoveArgs(manifest, this.storage), { env: this.env, timeoutMs: 60_000 }).catch(() => undefined);
      await temporaryDirs.remove(dir);
    });
    try {
      const all: string[] = [];
      const byName = new Map(request.platforms.map((p) => [formatPlatform(p), p] as const));
      const single = request.platforms.length === 1 ? request.platforms[0] : undefined;
      // a line without buildah's [platform] prefix (a blob copied, an image id) belongs to the platform of the last one that had it
      let current = single;
      const built = await run(buildArgs, (line) => {
        all.push(line);
        if (all.length > 10_000) all.splice(0, all.length - 10_000);
        const p = linePlatform(line);
        if (p !== undefined) current = byName.get(p) ?? current;
        opts.onOutput?.(p !== undefined ? line.slice(p.length + 3) : line, current);
      });
      made = true; // the list may exist even when a platform failed
      if (built.code !== 0) {
        const { failed, built: ok } = buildahFailures(request.platforms, all, built);
        throw new EngineBuildError('buildah', failed, ok);
      }
      const pushed = await run(buildahPushArgs(manifest, layout, this.storage), (line) => opts.onOutput?.(line));
      if (pushed.code !== 0) {
        throw new AnyarchError('E_BUILD', `${path.basename(this.program)} manifest push --all to an OCI layout failed (${endedWith(pushed)}): ${lastLines(pushed.tail, 3).join(' / ')}`);
      }
      source = await openOciLayout(layout);
      const root = await openRoot(source);
      const variants: BuiltVariant[] = [];
      for (const platform of request.platforms) {
        const image = root.kind === 'index' ? await root.imageFor(platform) : root;
        variants.push({ platform, image });
      }
      return { variants, close };
    } catch (e) {
      await close();
      throw e;
    }
  }
}

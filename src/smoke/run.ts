/**
 * `smokeRun(image, platform, command, options)`: one command run in one platform variant of an
 * image, through a Docker engine when the caller hands one (src/smoke/engine.ts; the variant
 * loaded into it for the run unless the caller names it there), otherwise
 * extracted safely into a temporary root (src/rootfs/extract.ts, removed afterwards whatever
 * happens) and run there with QEMU named explicitly, or natively on this machine's platform
 * (src/smoke/qemu.ts).
 *
 * The command follows Docker's Entrypoint/Cmd semantics: `{ entrypoint: false, argv }` runs argv
 * as `docker run --entrypoint ARGV0 IMAGE ARGS` would (the image's Entrypoint and Cmd replaced);
 * `{ entrypoint: true, argv }` runs the image's Entrypoint with argv as its arguments, or with the
 * image's Cmd when argv is empty (an image without Entrypoint runs its Cmd, or argv itself). The
 * image's Env, WorkingDir and User are honoured where the path allows (the result's `notes` say
 * what was not).
 *
 * A run that fails, cannot start, times out or whose image cannot be read or extracted is a
 * result (`ok: false`, `error`), never a throw; only misuse throws (`E_USAGE`).
 */
import { AnyarchError } from '../errors.js';
import { formatPlatform } from '../platform/make.js';
import { parsePlatform } from '../platform/parse.js';
import type { Platform } from '../platform/types.js';
import type { DockerEngine } from '../engine/api.js';
import type { Image } from '../oci/image.js';
import type { ContainerConfig } from '../oci/manifest.js';
import { isRefusal, withExtractedRoot, type ExtractOptions } from '../rootfs/extract.js';
import { runInEngine } from './engine.js';
import { loadVariant } from './engine-load.js';
import { runInRoot, SMOKE_IDS } from './qemu.js';
import type { SmokeCommand, SmokeResult } from './types.js';

export interface SmokeOptions {
  /**
   * run through this engine: the image as the engine names it (`image`), or, without one, the
   * variant loaded into it for the run under a fresh name and removed afterwards
   * (src/smoke/engine-load.ts)
   */
  readonly engine?: { readonly engine: DockerEngine; readonly image?: string };
  /** how long the command may run, ms (default 30 s, DEFAULT_SMOKE_TIMEOUT_MS) */
  readonly timeoutMs?: number;
  /** lines of output kept (default 20) */
  readonly outputLines?: number;
  /** for the extracted path: chroot when it can be had (default), or always `qemu -L` */
  readonly confinement?: 'auto' | 'chroot' | 'qemu-prefix';
  /** run even where no network namespace can be made (default false: such a run is refused) */
  readonly allowNetwork?: boolean;
  /** bounds and place of the extraction */
  readonly extract?: ExtractOptions;
  /** this machine's platform (default: src/platform/host.ts) */
  readonly host?: Platform;
  /** where `qemu-<arch>-static` is (default /usr/bin) */
  readonly qemuDir?: string;
}

/** The argv Docker would run for `command` in an image with `config`; empty when there is nothing to run. */
export function commandArgv(config: ContainerConfig | undefined, command: SmokeCommand): string[] {
  if (!command.entrypoint) return [...command.argv];
  const entrypoint = config?.Entrypoint ?? [];
  const args = command.argv.length > 0 ? command.argv : (config?.Cmd ?? []);
  return [...entrypoint, ...args];
}

/** Runs `command` in `image` (one platform's) for `platform`; see the header of this file. */
export async function smokeRun(image: Image, platform: Platform | string, command: SmokeCommand, options: SmokeOptions = {}): Promise<SmokeResult> {
  const p = typeof platform === 'string' ? parsePlatform(platform) : platform;
  if (!command.entrypoint && command.argv.length === 0) {
    throw new AnyarchError('E_USAGE', 'a smoke run needs a command (or the image entrypoint)', "give the command to run, e.g. --run 'sh -c true', or use --run-entrypoint");
  }
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new AnyarchError('E_USAGE', `a smoke-run timeout must be a positive number of milliseconds, not ${options.timeoutMs}`);
  }
  const started = Date.now();
  const name = formatPlatform(p);
  /** `notRun`: nothing could be run here and the image is not at fault */
  const failed = (error: string, argv: readonly string[] = command.argv, notRun = true): SmokeResult => ({
    platform: name,
    via: options.engine ? 'engine' : 'qemu',
    argv,
    timedOut: false,
    output: '',
    durationMs: Date.now() - started,
    error,
    ...(notRun ? { notRun: error } : {}),
    ok: false,
  });

  let config: ContainerConfig | undefined;
  try {
    config = await image.containerConfig();
  } catch (e) {
    return failed(`the image's config cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const argv = commandArgv(config, command);
  if (argv.length === 0) return failed('the image has no Entrypoint or Cmd to run', argv, false);
  const env = config?.Env ?? [];
  const workingDir = config?.WorkingDir;

  if (options.engine) {
    let loaded: Awaited<ReturnType<typeof loadVariant>> | undefined;
    if (options.engine.image === undefined) {
      try {
        loaded = await loadVariant(options.engine.engine, image);
      } catch (e) {
        return failed(`the variant cannot be loaded into the Docker engine: ${e instanceof Error ? e.message : String(e)}`, argv);
      }
    }
    return runInEngine(options.engine.engine, {
      platform: p,
      image: loaded?.name ?? (options.engine.image as string),
      argv,
      env,
      ...(workingDir ? { workingDir } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.outputLines !== undefined ? { outputLines: options.outputLines } : {}),
      ...(options.qemuDir !== undefined ? { qemuDir: options.qemuDir } : {}),
    }).finally(() => loaded?.remove());
  }

  try {
    const layers = await image.layers();
    let skipped = 0;
    // as root the files belong to the ids the run's user namespace maps (src/smoke/qemu.ts SMOKE_IDS)
    const idShift = process.getuid?.() === 0 && options.confinement !== 'qemu-prefix' ? SMOKE_IDS : undefined;
    const result = await withExtractedRoot(
      layers.map((l) => () => l.uncompressed()),
      { ...options.extract, ...(idShift ? { idShift } : {}), layerName: options.extract?.layerName ?? ((i) => `${name} layer ${i + 1} (${layers[i]?.descriptor.digest ?? '?'})`) },
      async (root) => {
        skipped = root.stats.skipped;
        return runInRoot(root.root, {
          platform: p,
          argv,
          env,
          ...(workingDir ? { workingDir } : {}),
          ...(config?.User ? { user: config.User } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
          ...(options.outputLines !== undefined ? { outputLines: options.outputLines } : {}),
          ...(options.confinement !== undefined ? { confinement: options.confinement } : {}),
          ...(options.allowNetwork !== undefined ? { allowNetwork: options.allowNetwork } : {}),
          ...(options.host !== undefined ? { host: options.host } : {}),
          ...(options.qemuDir !== undefined ? { qemuDir: options.qemuDir } : {}),
          ...(idShift ? { idShift } : {}),
        });
      },
    );
    const { notes: runNotes, ...rest } = result;
    const notes = skipped > 0 ? [...runNotes, `${skipped} device nodes, FIFOs or entries of unknown kinds in the layers were not extracted`] : runNotes;
    return {
      ...rest,
      platform: name,
      ...(notes.length > 0 ? { notes } : {}),
      durationMs: Date.now() - started,
      ok: result.error === undefined && result.exitCode === 0 && !result.timedOut,
    };
  } catch (e) {
    return failed(`the image cannot be extracted for a smoke run: ${e instanceof Error ? e.message : String(e)}`, argv, !isRefusal(e));
  }
}

/**
 * A smoke run through a Docker engine: the equivalent of
 * `docker run --platform P --network none --rm IMAGE ...` over the Engine API
 * (src/engine/api.ts): create, start, wait (with a timeout, then a kill), logs (bounded), remove.
 * The image must already be in the engine (the caller decides; a `docker-daemon:` source is);
 * the image's own Env, WorkingDir and User apply, as in `docker run`.
 *
 * Every platform runs under QEMU, the engine's own too. Under a registered binfmt handler the
 * engine would run a binary of the wrong architecture anyway (the kernel picks the emulator by
 * the binary's own ELF header), and the smoke run would pass for an arm64 image holding x86-64
 * programs, or an amd64 image holding arm64 ones. So this machine's `qemu-<arch>-static` for the
 * platform is bind-mounted read-only into the container as `/.anyarch-qemu` and made the
 * entrypoint, with `[-cpu MODEL] -0 ARGV0 PROGRAM ARGS` as its arguments (the variant's oldest
 * CPU, src/platform/qemu.ts): QEMU loads the program itself and refuses an ELF of another
 * machine. QEMU needs a path, not a name: a command word without `/` is looked up in the image's
 * PATH through the stat of each candidate in the created container
 * (`HEAD /containers/{id}/archive`). The engine must be on this machine (a unix socket or
 * loopback address, as src/engine/api.ts requires), so the bind-mount names this machine's file.
 * The run gets the engine's init as PID 1 (`HostConfig.Init`, Docker's docker-init): QEMU
 * re-raises a crash signal of the program at itself, which PID 1 would ignore, hanging until the
 * timeout. Only for the engine's own platform without an installed QEMU does the command run
 * plainly, and the result's notes say a registered handler could then run a foreign program.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { DockerEngine } from '../engine/api.js';
import { formatPlatform } from '../platform/make.js';
import { QEMU_STATIC_DIR, qemuCpu, qemuStaticName } from '../platform/qemu.js';
import { BoundedOutput, DEFAULT_OUTPUT_LINES, MAX_OUTPUT_BYTES } from './output.js';
import { DEFAULT_PATH } from '../binary/index.js';
import { DEFAULT_SMOKE_TIMEOUT_MS, QEMU_IN_ROOT } from './qemu.js';
import type { CommandRunOptions, SmokeResult } from './types.js';

/** How long removing, killing or inspecting a container may take beyond the run's own timeout. */
const ENGINE_GRACE_MS = 30_000;

export interface EngineRunOptions extends CommandRunOptions {
  /** the image as the engine names it (`name:tag` or an id) */
  readonly image: string;
}

function pathOf(env: readonly string[] | undefined): string {
  const kv = env?.find((e) => e.startsWith('PATH='));
  return kv === undefined ? DEFAULT_PATH : kv.slice(5);
}

/** Runs `opts.argv` in a container of `opts.image`; see the header of this file. Never throws for a failing run. */
export async function runInEngine(engine: DockerEngine, opts: EngineRunOptions): Promise<SmokeResult> {
  const started = Date.now();
  const platform = formatPlatform(opts.platform);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SMOKE_TIMEOUT_MS;
  const base = { platform, via: 'engine' as const, argv: opts.argv, timedOut: false, output: '', ok: false };
  /** no run could be made (the engine refused or failed, no QEMU): the image is not at fault */
  const fail = (error: string, extra: Partial<SmokeResult> = {}): SmokeResult => ({ ...base, ...extra, durationMs: Date.now() - started, error, notRun: error });
  if (opts.argv.length === 0) return fail('nothing to run (an empty command)');

  let id: string | undefined;
  try {
    const own = await engine.engineVersion();
    const foreign = own.os !== opts.platform.os || own.architecture !== opts.platform.architecture;
    const name = qemuStaticName(opts.platform);
    const qemu = name === undefined ? undefined : path.join(opts.qemuDir ?? QEMU_STATIC_DIR, name);
    const haveQemu = qemu !== undefined && existsSync(qemu);
    if (foreign && name === undefined) return fail(`QEMU has no user-mode emulator for ${platform}`);
    if (foreign && !haveQemu) return fail(`${qemu} is not installed (Debian: apt-get install qemu-user-static)`);
    const notes = haveQemu ? [] : [`${qemu ?? 'no QEMU'} is not installed: the engine's own platform ran without it, where a registered binfmt handler could run a program of another architecture`];
    let hostConfig: Record<string, unknown> = { NetworkMode: 'none', AutoRemove: false };
    let entrypoint: string[] = [opts.argv[0] as string];
    let cmd: string[] = opts.argv.slice(1);
    if (haveQemu) {
      hostConfig = { ...hostConfig, Binds: [`${qemu}:${QEMU_IN_ROOT}:ro`], Init: true };
      const argv0 = opts.argv[0] as string;
      let prog: string | undefined = argv0;
      if (!argv0.includes('/')) {
        // a container made only to look the name up in the image's PATH
        const probe = await engine.containerCreate({ Image: opts.image, Entrypoint: [QEMU_IN_ROOT], Cmd: [], NetworkDisabled: true, HostConfig: hostConfig }, { platform });
        try {
          prog = undefined;
          for (const dir of pathOf(opts.env).split(':')) {
            if (!dir.startsWith('/')) continue;
            const candidate = path.posix.join(dir, argv0);
            if (await engine.containerPathStat(probe, candidate)) {
              prog = candidate;
              break;
            }
          }
        } finally {
          await engine.containerRemove(probe);
        }
        if (prog === undefined) {
          const why = `${argv0}: no such executable file in the image (PATH ${pathOf(opts.env)})`;
          return { ...base, confinement: 'container', network: 'none', exitCode: 127, output: `${why}\n`, durationMs: Date.now() - started, error: why };
        }
      }
      entrypoint = [QEMU_IN_ROOT];
      const cpu = qemuCpu(opts.platform);
      cmd = [...(cpu ? ['-cpu', cpu] : []), '-0', argv0, prog, ...opts.argv.slice(1)];
    }
    id = await engine.containerCreate(
      { Image: opts.image, Entrypoint: entrypoint, Cmd: cmd, NetworkDisabled: true, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, HostConfig: hostConfig },
      { platform },
    );
    await engine.containerStart(id);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      engine.containerKill(id as string).catch(() => undefined);
    }, timeoutMs);
    let exit;
    try {
      exit = await engine.containerWait(id, timeoutMs + ENGINE_GRACE_MS);
    } finally {
      clearTimeout(timer);
    }
    const output = new BoundedOutput(opts.outputBytes ?? MAX_OUTPUT_BYTES, opts.outputLines ?? DEFAULT_OUTPUT_LINES);
    const logs = await engine.containerLogs(id, opts.outputBytes ?? MAX_OUTPUT_BYTES);
    output.push(logs.bytes);
    if (logs.truncated) output.total += 1; // says more followed
    const durationMs = Date.now() - started;
    const common = { ...base, confinement: 'container' as const, network: 'none' as const, output: output.text(), durationMs, timedOut, ...(notes.length > 0 ? { notes } : {}) };
    if (timedOut || exit === undefined) return { ...common, timedOut: true, signal: 'SIGKILL', error: `still running after ${timeoutMs} ms: killed` };
    return { ...common, exitCode: exit.statusCode, ok: exit.statusCode === 0, ...(exit.error ? { error: exit.error } : {}) };
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  } finally {
    if (id !== undefined) await engine.containerRemove(id).catch(() => undefined);
  }
}

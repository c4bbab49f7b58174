/**
 * A smoke run: one command run in one platform variant of an image, under emulation when the
 * platform is not this machine's, so that a variant that cannot start is seen before it ships.
 * Never through a registered binfmt handler for a foreign platform (that would let a binary of
 * the wrong architecture run natively and pass): `qemu-<arch>-static` is named explicitly.
 */
import type { Platform } from '../platform/types.js';

export interface SmokeCommand {
  /** argv to run; with `entrypoint: true` these are the arguments after the image's Entrypoint */
  readonly argv: readonly string[];
  /** run the image's Entrypoint (+ `argv` as its arguments, or the image's Cmd when `argv` is empty) */
  readonly entrypoint: boolean;
}

/** What both ways of running (an extracted root, an engine) are given. */
export interface CommandRunOptions {
  readonly platform: Platform;
  /** the whole argv (Entrypoint and Cmd already resolved); argv[0] without a `/` is looked up in the image's PATH */
  readonly argv: readonly string[];
  /** the image's environment (`KEY=value`); PATH defaults to Docker's */
  readonly env?: readonly string[];
  /** the image's WorkingDir (default `/`) */
  readonly workingDir?: string;
  /** default 30 s (src/smoke/qemu.ts DEFAULT_SMOKE_TIMEOUT_MS) */
  readonly timeoutMs?: number;
  /** lines of output kept (default 20) */
  readonly outputLines?: number;
  /** bytes of output kept (default 64 KiB) */
  readonly outputBytes?: number;
  /** where `qemu-<arch>-static` is looked for (default /usr/bin) */
  readonly qemuDir?: string;
}

export interface SmokeResult {
  /** the platform as written (`linux/arm64`) */
  readonly platform: string;
  /** how it ran: through a Docker engine, or extracted and run with qemu named explicitly (or natively) */
  readonly via: 'engine' | 'qemu' | 'native';
  /**
   * How the run was confined: `chroot` (the extracted root as `/`, qemu copied into it),
   * `qemu-prefix` (`qemu -L ROOT`: no root needed, but paths the program opens that the root
   * lacks resolve on the host), `container` (the engine's). Undefined when it never started.
   */
  readonly confinement?: 'chroot' | 'qemu-prefix' | 'container';
  /** `none` when the run had no network (its own empty network namespace, or `--network none`) */
  readonly network?: 'none' | 'host';
  /** what of the image config could not be honoured on this path (User without root...), in words */
  readonly notes?: readonly string[];
  /** the argv actually run */
  readonly argv: readonly string[];
  /** undefined when it never started or was killed */
  readonly exitCode?: number;
  /** the signal that ended it */
  readonly signal?: string;
  readonly timedOut: boolean;
  /** the first lines of standard output and error, interleaved as received, bounded */
  readonly output: string;
  readonly durationMs: number;
  /**
   * Why it failed without an exit code of its own, in words: the program missing (then `exitCode`
   * 127, as a shell and `docker run` give it), of another architecture on a native run (126, the
   * refusal QEMU or the kernel would give), killed at the timeout; or why no run could be made
   * (then `notRun` too).
   */
  readonly error?: string;
  /**
   * Set when no run could be made on this machine and the image is not at fault: no QEMU for the
   * architecture, no namespaces to confine it, the engine or the layers unreachable, a bound of
   * the extraction. The run says nothing about the variant then.
   */
  readonly notRun?: string;
  /** exit 0 within the timeout */
  readonly ok: boolean;
}

/**
 * What `verify` learns from a file's first bytes and headers, never running it: ELF identity
 * (class, byte order, machine, flags, loader, ARM build attributes), PE machine, a script's
 * shebang. Every reader is total: bytes that are truncated or corrupt give facts with
 * `problem` set, never an exception.
 */

export type ElfType = 'rel' | 'exec' | 'dyn' | 'core' | 'other';

export interface ArmAttributes {
  /** Tag_CPU_arch (6): 6 v6, 7 v6KZ, 8 v6T2, 9 v6K, 10 v7, 11 v6-M, 12 v6S-M, 13 v7E-M, 14 v8-A ... */
  readonly cpuArch?: number;
  /** Tag_CPU_arch_profile (7), as the character code ('A', 'R', 'M', 'S') */
  readonly cpuProfile?: number;
  /** Tag_THUMB_ISA_use (9) */
  readonly thumbIsa?: number;
  /** Tag_FP_arch (10) */
  readonly fpArch?: number;
  /** Tag_ABI_VFP_args (28): 1 means hard-float argument passing */
  readonly vfpArgs?: number;
}

export interface ElfFacts {
  readonly format: 'elf';
  readonly class: 32 | 64;
  readonly endian: 'le' | 'be';
  /** e_machine */
  readonly machine: number;
  /** EI_OSABI */
  readonly osabi: number;
  readonly type: ElfType;
  readonly flags: number;
  /** PT_INTERP, without its NUL */
  readonly interpreter?: string;
  /** has PT_DYNAMIC */
  readonly dynamic: boolean;
  /**
   * DF_1_PIE in DT_FLAGS_1, read only for an ET_DYN without PT_INTERP: true for a static-pie
   * executable, false for a shared object; undefined when not read
   */
  readonly pie?: boolean;
  /** 32-bit ARM only, when a `.ARM.attributes` section was found and read */
  readonly arm?: ArmAttributes;
  /** Go's build info (`GOARM=7`, `GOAMD64=v3`...), when found in the bytes kept */
  readonly goBuild?: Readonly<Record<string, string>>;
  /** set when the headers are truncated or inconsistent: what could be read is above */
  readonly problem?: string;
}

export interface PeFacts {
  readonly format: 'pe';
  /** IMAGE_FILE_HEADER.Machine (0x8664 amd64, 0xaa64 arm64, 0x14c i386, 0x1c4 armnt) */
  readonly machine: number;
  /**
   * the CLR runtime header's Flags (ECMA-335 II.25.3.3.1: 1 ILONLY, 2 32BITREQUIRED), for a .NET
   * assembly (data directory 14 non-empty) whose header was found in a section and read
   */
  readonly clrFlags?: number;
  /** true for a .NET assembly (a CLR runtime header is named), whether or not its flags were read */
  readonly clr?: boolean;
  readonly problem?: string;
}

export interface ScriptFacts {
  readonly format: 'script';
  /** the interpreter path of the `#!` line */
  readonly interpreter: string;
  /** the rest of the `#!` line, split on blanks (`/usr/bin/env python3` gives ['python3']) */
  readonly args: readonly string[];
}

/** Small text files a verdict reads whole: a wheel's `WHEEL` */
export interface TextFacts {
  readonly format: 'text';
  readonly text: string;
}

export type FileFacts = ElfFacts | PeFacts | ScriptFacts | TextFacts;

/** What an ELF says of the CPU it runs on, in the platform vocabulary. */
export interface ElfArchitecture {
  /** OCI architecture (`amd64`, `arm64`, `arm`, `386`, `ppc64le`, `ppc64`, `s390x`, `riscv64`, `loong64`, `mips64le`...); undefined for a machine no platform has */
  readonly architecture?: string;
  /** words for messages: `ELF 64-bit LSB x86-64` */
  readonly machineName: string;
}

/** A dynamic loader path's architecture and C library (`/lib/ld-musl-aarch64.so.1` → arm64, musl). */
export interface LoaderFacts {
  readonly architecture: string;
  /** hf/sf for 32-bit ARM loaders that tell it */
  readonly float?: 'hard' | 'soft';
  readonly libc: 'glibc' | 'musl';
}

/**
 * Whether a file's bytes fit a platform. `unknown` is silence, never a verdict. `some`: the file
 * runs on some machines of the platform, not on all (see {@link FitLimit}).
 */
export interface Fit {
  readonly fits: 'yes' | 'some' | 'no' | 'unknown';
  /** why not, why only some machines, or why it cannot tell: one sentence for the verdict's message */
  readonly reason?: string;
  /** with `some`: what the machines that run it need */
  readonly limit?: FitLimit;
}

/**
 * Why a file runs on some machines of a platform only:
 * - `compat`: it is the 32-bit architecture whose programs the platform's kernels run in a
 *   compatibility mode every CPU of the platform has (i386 on amd64: Linux's IA32 emulation,
 *   Windows' WoW64); only a kernel built or booted without it refuses the file;
 * - `cpu`: some CPUs of the platform lack what it needs (32-bit ARM on arm64 needs AArch32, which
 *   many arm64 server CPUs lack; a Go binary built for GOAMD64=v3 exits at start on older CPUs).
 */
export type FitLimit = 'compat' | 'cpu';

/**
 * What this room reads of a tar entry: the fields of rootfs's `TarEntry` it uses. binary sits
 * below rootfs in the table of rooms, so it restates the shapes instead of importing them;
 * TypeScript's structural typing makes `inspectFile` an `Inspector<FileFacts>` of rootfs.
 */
export interface FileEntry {
  /** the cleaned path (relative to the root, no leading `/`) */
  readonly path: string;
  readonly kind: string;
  /** permission bits (the low 12 bits of the tar mode) */
  readonly mode: number;
  readonly size: number;
}

/**
 * rootfs's `Capture<F>`, restated: `push` gets consecutive chunks with their file offset and
 * returns false when it needs no more bytes; `finish` is called once with the file's size.
 */
export interface FileCapture<F> {
  push(chunk: Uint8Array, offset: number): boolean;
  finish(size: number): F | undefined;
}

/**
 * Which QEMU user-mode emulator runs a platform's binaries: the word in `qemu-<word>-static`
 * (Debian's qemu-user-static installs them as /usr/bin/qemu-<word>-static). A smoke run names
 * the emulator explicitly instead of relying on a registered binfmt handler, so a binary of
 * another architecture is refused by the emulator rather than run natively.
 */
import type { PlatformLike } from './types.js';

/** OCI architecture -> QEMU's target name (the `qemu-<name>-static` word). */
const QEMU_TARGETS: Readonly<Record<string, string>> = Object.freeze({
  amd64: 'x86_64',
  '386': 'i386',
  arm64: 'aarch64',
  arm: 'arm',
  ppc64le: 'ppc64le',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64le: 'mips64el',
  mips64: 'mips64',
  mipsle: 'mipsel',
  mips: 'mips',
  loong64: 'loongarch64',
});

/** Where Debian's qemu-user-static puts the emulators. */
export const QEMU_STATIC_DIR = '/usr/bin';

/** QEMU's target name for a Linux platform (`aarch64` for linux/arm64); undefined when QEMU has none. */
export function qemuTarget(platform: PlatformLike): string | undefined {
  if (platform.os !== 'linux') return undefined;
  return Object.hasOwn(QEMU_TARGETS, platform.architecture) ? QEMU_TARGETS[platform.architecture] : undefined;
}

/** The emulator's file name, `qemu-aarch64-static`; undefined when QEMU has no target for the platform. */
export function qemuStaticName(platform: PlatformLike): string | undefined {
  const target = qemuTarget(platform);
  return target === undefined ? undefined : `qemu-${target}-static`;
}

/**
 * The CPU QEMU emulates for a platform's variant, so that code for a newer CPU fails as it
 * would on the oldest machine of the variant: 32-bit ARM v5 -> `arm926`, v6 -> `arm1176`
 * (no Thumb-2, no NEON: an armv7 binary in an arm/v6 variant dies with SIGILL), v7 ->
 * `cortex-a7`; arm64 (v8, and no variant) -> `cortex-a53` (ARMv8.0). x86 (amd64, 386) -> `max`:
 * QEMU's default `qemu64` lacks SSE4.2 and POPCNT, so images built for x86-64-v2 (RHEL 9 and
 * UBI 9's glibc refuses to start below it) would fail a smoke run they pass on any real machine;
 * x86-64 levels are not enforced. Undefined: QEMU's default (`max` for other architectures).
 */
export function qemuCpu(platform: PlatformLike): string | undefined {
  const variant = platform.variant ?? '';
  if (platform.architecture === 'arm') return ({ v5: 'arm926', v6: 'arm1176', v7: 'cortex-a7', '': 'cortex-a7' } as Record<string, string>)[variant];
  if (platform.architecture === 'arm64' && (variant === '' || variant === 'v8')) return 'cortex-a53';
  if (platform.architecture === 'amd64' || platform.architecture === '386') return 'max';
  return undefined;
}

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

/**
 * AA212: a foreign file that is intended: declared in `.anyarch.yaml` (`verify: { allow: [...] }`)
 * or a well-known case (cross toolchains, foreign multiarch libraries, debug symbols, firmware,
 * qemu itself, Go's tools beside a go of their architecture, prebuilds and optional packages for
 * other platforms). It judges nothing itself: the verdict another one would have given becomes
 * this one, as information.
 */
import { defineVerdict } from './types.js';

const messages = {
  intended: '{message} (intended: {reason})',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA212',
    name: 'intended-foreign',
    title: 'A file of another architecture is there on purpose',
    severity: 'info',
    description:
      'Some images carry binaries of other architectures on purpose: a cross toolchain\'s sysroot, firmware, qemu, prebuilt addons for every platform. Those are listed as information, with the reason (a verify.allow entry of .anyarch.yaml, or the well-known case), so they never fail a build.',
    allowable: false,
  },
  messages,
  judge() {
    // the engine turns other verdicts into this one
  },
});

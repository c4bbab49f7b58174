/**
 * AA203: a dynamic ELF whose program interpreter (`PT_INTERP`) is not in the final file system,
 * symlinks followed inside the image. The kernel then says "no such file or directory" about a
 * file that is there. A glibc binary in a musl image is AA204's; foreign binaries are AA201's.
 */
import { describeFacts } from '../binary-kit.js';
import { loaderProblems } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  missing: '{path} needs the loader {loader}, which is not in the image: running it fails with "no such file or directory"',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA203',
    name: 'missing-loader',
    title: "A dynamic binary's loader (PT_INTERP) is missing from the image",
    severity: 'error',
    description:
      'A dynamically linked program names its loader (/lib/ld-linux-aarch64.so.1, /lib/ld-musl-x86_64.so.1...) in its PT_INTERP header. When that path leads nowhere in the image (a binary copied into scratch or distroless/static, a dangling symlink), exec fails with a confusing "no such file or directory".',
    allowable: true,
  },
  messages,
  judge(ctx) {
    for (const { file, facts, problem } of loaderProblems(ctx.view, ctx.platform)) {
      if (problem.kind !== 'missing') continue;
      ctx.report({ messageId: 'missing', data: { path: shown(file.path), loader: facts.interpreter ?? '' }, path: file.path, what: describeFacts(facts) });
    }
  },
});

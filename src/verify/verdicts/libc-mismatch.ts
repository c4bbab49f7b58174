/**
 * AA204: a dynamic ELF linked against another C library than the image has: a glibc binary in a
 * musl (Alpine) image, or a musl binary in a glibc one. The image's C library is read from the
 * loaders present.
 */
import { describeFacts } from '../binary-kit.js';
import { libcWords, loaderProblems } from './support.js';
import { defineVerdict, shown } from './types.js';

const messages = {
  mismatch: '{path} is linked against {libc} (loader {loader}) but the image has {imageLibc}: it cannot start',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA204',
    name: 'libc-mismatch',
    title: 'A dynamic binary needs another C library (glibc or musl) than the image has',
    severity: 'error',
    description:
      'A binary built on Debian or Ubuntu asks for the glibc loader; an Alpine image has musl only (and the reverse). The loader is not there, so the program cannot start, though it is of the right architecture.',
    allowable: true,
  },
  messages,
  judge(ctx) {
    for (const { file, facts, problem } of loaderProblems(ctx.view, ctx.platform)) {
      if (problem.kind !== 'libc' || !problem.libc) continue;
      ctx.report({
        messageId: 'mismatch',
        data: { path: shown(file.path), libc: problem.libc, loader: facts.interpreter ?? '', imageLibc: libcWords(ctx.view.libcs) },
        path: file.path,
        what: describeFacts(facts),
      });
    }
  },
});

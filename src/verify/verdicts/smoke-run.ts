/**
 * AA211: the smoke run (`--run`, `--run-entrypoint`) of a variant failed: a non-zero exit, a
 * signal, a timeout. It is shown beside the file verdicts, never instead of them. A run that
 * could not be made at all (no engine and no qemu for the architecture) is information.
 */
import { defineVerdict } from './types.js';

const messages = {
  failed: 'the smoke run `{argv}` on {platform} {how} via {via}{output}',
  notRun: 'the smoke run `{argv}` on {platform} was not made: {reason}',
} as const;

export default defineVerdict({
  meta: {
    id: 'AA211',
    name: 'smoke-run',
    title: 'The smoke run of a variant failed',
    severity: 'error',
    description:
      'With --run or --run-entrypoint each variant runs a command under emulation (qemu-<arch>-static named explicitly, never a registered binfmt handler, or a Docker engine). A variant whose command exits non-zero, is killed or times out cannot do what the image is for.',
    allowable: false,
  },
  messages,
  judge(ctx) {
    const s = ctx.smoke;
    if (!s || s.ok) return;
    const argv = s.argv.join(' ');
    if (s.error !== undefined && s.exitCode === undefined && s.signal === undefined && !s.timedOut) {
      ctx.report({ messageId: 'notRun', data: { argv, platform: ctx.name, reason: s.error }, severity: 'info' });
      return;
    }
    const how = s.timedOut ? `timed out after ${Math.round(s.durationMs / 1000)} s` : s.signal ? `was killed by ${s.signal}` : `exited ${s.exitCode ?? '?'}`;
    const line = s.output.split('\n').find((l) => l.trim() !== '');
    ctx.report({ messageId: 'failed', data: { argv, platform: ctx.name, how, via: s.via, output: line ? `: ${line.trim().slice(0, 200)}` : '' } });
  },
});

/**
 * AA211: the smoke run (`--run`, `--run-entrypoint`) of a variant failed: a non-zero exit, a
 * signal, a timeout, a program that is missing (127) or of another architecture (126). It is
 * shown beside the file verdicts, never instead of them. Only a run that could not be made on
 * this machine (`notRun`: no qemu for the architecture, no namespaces, the engine unreachable) is
 * information.
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
      'With --run or --run-entrypoint each variant runs a command under emulation (qemu-<arch>-static named explicitly, never a registered binfmt handler, or a Docker engine). A variant whose command exits non-zero, is killed, times out, is missing (127) or is of another architecture (126) cannot do what the image is for. A run that could not be made on this machine (no qemu for the architecture, no namespaces, no engine) is information.',
    allowable: false,
  },
  messages,
  judge(ctx) {
    const s = ctx.smoke;
    if (!s || s.ok) return;
    const argv = s.argv.join(' ');
    if (s.notRun !== undefined) {
      ctx.report({ messageId: 'notRun', data: { argv, platform: ctx.name, reason: s.notRun }, severity: 'info' });
      return;
    }
    const how = s.timedOut
      ? `timed out after ${Math.round(s.durationMs / 1000)} s`
      : s.signal
        ? `was killed by ${s.signal}`
        : s.exitCode !== undefined
          ? `exited ${s.exitCode}`
          : 'could not start';
    const line = s.output.split('\n').find((l) => l.trim() !== '') ?? (s.exitCode === undefined ? s.error : undefined);
    ctx.report({ messageId: 'failed', data: { argv, platform: ctx.name, how, via: s.via, output: line ? `: ${line.trim().slice(0, 200)}` : '' } });
  },
});

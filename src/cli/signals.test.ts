// The command's signal and exit handlers, in child processes (a signal ends the process).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempPaths } from '../../test/support/assert.js';

const tmp = tempPaths('anyarch-signals-');
const SIGNALS_JS = fileURLToPath(new URL('./signals.js', import.meta.url));

/** A child that installs the handlers with a cleanup writing `marker`, says "ready", then `then` (JS). */
function child(marker: string, then: string) {
  const script = `
    const { installSignalHandlers } = await import(${JSON.stringify(SIGNALS_JS)});
    const { appendFileSync } = await import('node:fs');
    const cleanup = () => appendFileSync(${JSON.stringify(marker)}, 'cleaned\\n');
    installSignalHandlers(cleanup);
    installSignalHandlers(cleanup); // a second call does nothing
    process.stdout.write('ready\\n');
    ${then}
  `;
  const c = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((r) => c.stdout.once('data', () => r()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => c.on('exit', (code, signal) => r({ code, signal })));
  return { c, ready, ended };
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  test(`${signal}: the cleanup runs once, and the signal still ends the process`, async () => {
    const marker = tmp('marker');
    const { c, ready, ended } = child(marker, 'setInterval(() => {}, 1000);');
    await ready;
    c.kill(signal);
    assert.deepEqual(await ended, { code: null, signal });
    assert.equal(readFileSync(marker, 'utf8'), 'cleaned\n');
  });
}

test('a normal exit runs the cleanup too', async () => {
  const marker = tmp('marker');
  const { ended } = child(marker, 'process.exitCode = 0;');
  assert.deepEqual(await ended, { code: 0, signal: null });
  assert.equal(readFileSync(marker, 'utf8'), 'cleaned\n');
});

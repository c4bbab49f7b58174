/**
 * The rules of issue 11 that follow a value (AA101 through a shell variable, AA118's mappings,
 * AA121's pinned packages) see a build-context script the RUN executes as they see the RUN's own
 * text: their cheap text tests must look at the script too, not only at the RUN's body (`/x.sh`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSource } from '../check/engine.js';
import type { ScriptReader } from '../dockerfile/scripts.js';

const DOCKERFILE = 'FROM alpine\nCOPY x.sh /x.sh\nRUN /x.sh\n';

function ids(script: string): string[] {
  const read: ScriptReader = (p) => (p === 'x.sh' ? { path: 'x.sh', text: script } : undefined);
  const r = checkSource(DOCKERFILE, 'Dockerfile', {}, read);
  assert.equal(r.error, undefined, r.error?.describe());
  return r.findings.filter((f) => f.file === 'x.sh').map((f) => f.ruleId).sort();
}

test('AA101: a shell variable of the script carries the word to the download', () => {
  assert.ok(ids('GH_ARCH="linux_amd64"\ncurl -fsSLO "https://github.com/cli/cli/releases/download/v2.0.0/gh_2.0.0_${GH_ARCH}.tar.gz"\n').includes('AA101'));
});

test('AA118: a mapping in the script that leaves arm64 unmapped', () => {
  assert.ok(ids('case "$(uname -m)" in x86_64) A=amd64 ;; esac\ncurl -fsSLO "https://go.dev/dl/go1.23.4.linux-${A}.tar.gz"\n').includes('AA118'));
});

test('AA121: a package pinned to one architecture in the script', () => {
  assert.ok(ids('pip install --platform manylinux2014_x86_64 --only-binary=:all: numpy\n').includes('AA121'));
  assert.ok(ids('npm install --arch=x64 sharp\n').includes('AA121'));
});

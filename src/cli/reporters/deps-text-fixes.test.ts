/**
 * The text reporter's marks for an optional package (ssh2 1.16.0's cpu-features: npm skips its
 * failed build) and a long install script printed once (re2 1.21.4), over hand-made reports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeDeps } from '../../deps/analyze.js';
import type { DepsTarget, LockfileReport, PackageReport } from '../../deps/types.js';
import { parsePlatform } from '../../platform/index.js';
import { depsTextReporter } from './deps-text.js';

const targets: DepsTarget[] = [{ platform: parsePlatform('linux/amd64'), libc: 'glibc' }];

function render(packages: PackageReport[]): string {
  const report: LockfileReport = { file: 'package-lock.json', kind: 'package-lock', ecosystem: 'npm', targets, packages, total: packages.length, warnings: [] };
  const s = summarizeDeps([report]);
  return depsTextReporter.deps({ reports: [report], summaries: s.summaries, findings: [], failing: s.failing, errors: [], total: 1 }, { color: false } as never);
}

test('an optional package: marked on its row, counted apart in the summary, the target ok', () => {
  const text = render([
    { ecosystem: 'npm', name: 'cpu-features', version: '0.0.10', mechanism: 'node-gyp', optional: true, cells: [{ status: 'missing', lacking: ['make'], needs: ['make'], reason: 'node-gyp would compile it, but the stage lacks make', id: 'AA302' }] },
  ]);
  assert.match(text, /cpu-features@0\.0\.10 {2}node-gyp {2}\(optional: npm skips a failed build\)/);
  assert.match(text, /linux\/amd64 +0 prebuilt, 0 compiles, 0 missing, 1 optional missing \(skipped by npm\) +ok/);
});

test('a long install script: once under the package, shortened in the cells', () => {
  const script = 'install-from-cache --artifact build/Release/re2.node --host-var RE2_DOWNLOAD_MIRROR --skip-path-var RE2_DOWNLOAD_SKIP_PATH --skip-ver-var RE2_DOWNLOAD_SKIP_VER || node-gyp -j max rebuild';
  const text = render([
    { ecosystem: 'npm', name: 're2', version: '1.21.4', mechanism: 'node-gyp', installScript: script, cells: [{ status: 'compiles', needs: ['make'], reason: `install script: ${script.slice(0, 60)}…; node-gyp compiles it at install`, id: 'AA303' }] },
  ]);
  assert.equal(text.split('node-gyp -j max rebuild').length - 1, 1, text);
  assert.match(text, /\n {4}install script: install-from-cache .* \|\| node-gyp -j max rebuild\n/);
});

test('rows nothing could screen (a Yarn 1 lock offline) are one line, not a row each; the others keep their rows; findings have one for them all', async () => {
  const { depsFindings } = await import('../../deps/analyze.js');
  const { depsMarkdownReporter } = await import('./deps-markdown.js');
  const unscreened = (name: string): PackageReport => ({ ecosystem: 'npm', name, version: '1.0.0', mechanism: 'install-script', unscreened: true, cells: [{ status: 'unknown', reason: `the lock records no install scripts, and the registry could not say whether it runs one: packument ${name}: not in the cache`, id: 'AA304' }] });
  const packages = [...['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(unscreened), { ecosystem: 'npm', name: 'bcrypt', version: '5.1.1', mechanism: 'node-pre-gyp', cells: [{ status: 'compiles', needs: ['make'], reason: 'no asset; node-gyp compiles it', id: 'AA303' }] } as PackageReport];
  const text = render(packages);
  assert.doesNotMatch(text, /^ {2}a@1\.0\.0/m, 'no row of its own');
  assert.match(text, /^ {2}bcrypt@5\.1\.1 +compiles$/m);
  assert.match(text, /unknown 7 packages could not be screened for native code \(a@1\.0\.0, b@1\.0\.0, c@1\.0\.0, d@1\.0\.0, e@1\.0\.0 and 2 more\): the lock records no install scripts.*packument a: not in the cache \(AA304; --format json lists each\)/);
  assert.match(text, /linux\/amd64 +0 prebuilt, 1 compiles, 0 missing, 7 unknown +ok/);
  const report: LockfileReport = { file: 'yarn.lock', kind: 'yarn-classic', ecosystem: 'npm', targets, packages, total: 9, warnings: [] };
  const findings = depsFindings([report]);
  assert.deepEqual(findings.map((f) => [f.id, f.package ?? '-']), [['AA304', '-'], ['AA303', 'bcrypt@5.1.1']]);
  assert.match(findings[0]?.message ?? '', /^7 packages could not be screened/);
  const md = depsMarkdownReporter.deps({ reports: [report], summaries: summarizeDeps([report]).summaries, findings, failing: false, errors: [], total: 9 }, { color: false } as never);
  assert.match(md, /1 of 9 packages have native code, and 7 could not be screened\./);
  assert.doesNotMatch(md, /`a@1\.0\.0`/);
});

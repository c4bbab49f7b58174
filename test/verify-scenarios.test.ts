/**
 * `anyarch verify` end to end on the scenarios, each built from real binaries and read
 * by the built CLI from an OCI layout (one process a scenario, JSON output): whiteouts, libc,
 * Python extensions and Node addons, prebuildify packages, a config/index mismatch, a Windows
 * variant, and a smoke run that fails for the wrong-arch variant while binfmt is registered.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { PlatformVerification, VerifyReport } from '../src/verify/types.js';
import { tempPaths } from './support/assert.js';
import { registerQemuBinfmt } from './support/binfmt.js';
import {
  configMismatchImage,
  extensionsImage,
  glibcCleanImage,
  muslGlibcImage,
  prebuildsImage,
  reportsOf,
  runVerify,
  toOciLayout,
  whiteoutsControlImage,
  whiteoutsImage,
  windowsImage,
  zasperImage,
} from './support/verify-images.js';
import type { BuiltImage } from './support/images.js';

const tmp = tempPaths('anyarch-verify-scenarios-');
let layout = '';
const specs: Record<string, string> = {};
const scenarios: Record<string, () => BuiltImage> = {
  whiteouts: whiteoutsImage,
  whiteoutsControl: whiteoutsControlImage,
  musl: muslGlibcImage,
  glibc: glibcCleanImage,
  extensions: extensionsImage,
  prebuilds: () => prebuildsImage(),
  prebuildsMissing: () => prebuildsImage({ missing: true }),
  mismatch: configMismatchImage,
  windows: windowsImage,
  zasper: () => zasperImage(),
  zasperFixed: () => zasperImage({ fixed: true }),
};

before(async () => {
  layout = tmp('layout');
  for (const [name, build] of Object.entries(scenarios)) specs[name] = await toOciLayout(layout, name, build());
});

async function verify(name: string, ...extra: string[]): Promise<{ code: number | null; report: VerifyReport; stderr: string }> {
  const r = await runVerify([specs[name]!, '--format', 'json', ...extra]);
  assert.ok(r.code === 0 || r.code === 1, `${name}: exit ${r.code}: ${r.stderr}`);
  const [report] = reportsOf(r.stdout);
  assert.ok(report, name);
  return { code: r.code, report, stderr: r.stderr };
}
const variant = (r: VerifyReport, name: string): PlatformVerification => {
  const p = r.platforms.find((x) => x.name === name);
  assert.ok(p, `${name} in ${r.platforms.map((x) => x.name).join(', ')}`);
  return p;
};
const serious = (p: PlatformVerification) => p.verdicts.filter((v) => v.severity !== 'info');
const at = (p: PlatformVerification, path: string) => p.verdicts.filter((v) => v.path === path);

test('whiteouts: x86-64 files deleted, hidden by an opaque directory or overwritten are not judged; without the deleting layer they are', async () => {
  const clean = await verify('whiteouts');
  assert.equal(clean.code, 0, JSON.stringify(clean.report));
  assert.deepEqual(serious(variant(clean.report, 'linux/arm64')), []);
  const control = await verify('whiteoutsControl');
  assert.equal(control.code, 1);
  const arm = variant(control.report, 'linux/arm64');
  assert.deepEqual(arm.verdicts.filter((v) => v.id === 'AA201').map((v) => v.path).sort(), ['/opt/app/bin/x', '/opt/app/bin/y', '/usr/bin/tool']);
});

test('libc: a glibc program in a musl image is reported; with glibc\'s loader present it is not', async () => {
  const musl = await verify('musl');
  assert.equal(musl.code, 1);
  const ids = at(variant(musl.report, 'linux/arm64'), '/usr/bin/app').map((v) => v.id);
  assert.ok(ids.includes('AA203') || ids.includes('AA204'), ids.join(','));
  assert.ok(!ids.includes('AA201'), 'the program is arm64');
  const glibc = await verify('glibc');
  assert.equal(glibc.code, 0, JSON.stringify(serious(variant(glibc.report, 'linux/arm64'))));
});

test('Python extensions and Node addons of the other platform are reported in both variants; each platform\'s own are not', async () => {
  const r = await verify('extensions');
  assert.equal(r.code, 1);
  for (const [name, pyBad, pyGood] of [
    ['linux/amd64', '/usr/lib/python3/dist-packages/bad/_yaml.cpython-311-aarch64-linux-gnu.so', '/usr/lib/python3/dist-packages/good/_demo.cpython-311-x86_64-linux-gnu.so'],
    ['linux/arm64', '/usr/lib/python3/dist-packages/bad/_demo.cpython-311-x86_64-linux-gnu.so', '/usr/lib/python3/dist-packages/good/_yaml.cpython-311-aarch64-linux-gnu.so'],
  ] as const) {
    const p = variant(r.report, name);
    assert.ok(at(p, pyBad).some((v) => v.id === 'AA205' || v.id === 'AA201'), `${name}: ${JSON.stringify(p.verdicts)}`);
    assert.ok(at(p, '/usr/lib/node_modules/bad/build/Release/bad.node').some((v) => v.id === 'AA206' || v.id === 'AA201'), name);
    assert.deepEqual(serious({ ...p, verdicts: at(p, pyGood) }), [], `${name}: own extension`);
    assert.deepEqual(at(p, '/usr/lib/node_modules/good/build/Release/good.node').filter((v) => v.severity !== 'info'), [], `${name}: own addon`);
    assert.ok(p.summary.pythonExtensions >= 2 && p.summary.nodeAddons >= 2, JSON.stringify(p.summary));
  }
});

test('prebuildify packages with every platform are fine; one with no prebuild for arm64 is AA206 there only', async () => {
  const ok = await verify('prebuilds');
  assert.equal(ok.code, 0, JSON.stringify(ok.report.platforms.map(serious)));
  const missing = await verify('prebuildsMissing');
  assert.equal(missing.code, 1);
  assert.ok(serious(variant(missing.report, 'linux/arm64')).some((v) => v.id === 'AA206' && (v.path ?? '').includes('/node_modules/z')), JSON.stringify(variant(missing.report, 'linux/arm64').verdicts));
  assert.deepEqual(serious(variant(missing.report, 'linux/amd64')), []);
});

test('a config that disagrees with its index entry is AA209', async () => {
  const r = await verify('mismatch');
  assert.equal(r.code, 1);
  assert.ok(variant(r.report, 'linux/arm64').verdicts.some((v) => v.id === 'AA209' && v.severity === 'error'));
  assert.deepEqual(serious(variant(r.report, 'linux/amd64')), []);
});

test('a Windows variant is read or reported as not verified, never misjudged', async () => {
  const r = await verify('windows');
  assert.equal(r.code, 0, JSON.stringify(r.report));
  const win = r.report.platforms.find((p) => p.name.startsWith('windows/amd64'));
  if (win) assert.deepEqual(serious(win), []);
  else assert.ok(r.report.skipped.some((s) => s.platform.startsWith('windows/amd64')) || r.report.platforms.some((p) => p.verdicts.some((v) => v.id === 'AA210')));
});

test('--run: the wrong-arch variant fails its smoke run even with binfmt handlers registered; the fixed one runs', async () => {
  registerQemuBinfmt(['aarch64']);
  const bad = await verify('zasper', '--platform', 'linux/arm64', '--run', '/usr/local/go/bin/go version');
  assert.equal(bad.code, 1);
  const arm = variant(bad.report, 'linux/arm64');
  assert.ok(arm.verdicts.some((v) => v.id === 'AA211'), JSON.stringify(arm.verdicts.map((v) => v.id)));
  assert.ok(arm.verdicts.some((v) => v.id === 'AA201' && v.path === '/usr/local/go/bin/go'), 'the ELF verdict beside the smoke verdict');
  const good = await verify('zasperFixed', '--platform', 'linux/arm64', '--run', '/usr/local/go/bin/go version');
  assert.equal(good.code, 0, JSON.stringify(variant(good.report, 'linux/arm64')));
  assert.match(JSON.stringify(variant(good.report, 'linux/arm64').smoke), /go version go1\.23\.4 linux\/arm64/);
});

/**
 * `anyarch verify` end to end on the Zasper case (issue 9): the image examples/zasper/Dockerfile
 * built for linux/amd64 and linux/arm64 carries x86-64 Go in its arm64 variant. The built CLI
 * reads it from the real registry on 127.0.0.1, an OCI layout and a `docker save` archive, and
 * reports the file, the layer, the step and (with --dockerfile) line 16 and check's AA101;
 * the image built from examples/zasper/Dockerfile.fixed passes. The library says the same.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { verifyImages } from '../src/verify/verify.js';
import type { Verdict, VerifyReport } from '../src/verify/types.js';
import { tempPaths } from './support/assert.js';
import { assertValidSarif } from './support/sarif.js';
import { startRegistry, type TestRegistry } from './support/registry.js';
import {
  brokenBaseImage,
  layersOf,
  onBrokenBaseImage,
  pushToRegistry,
  reportsOf,
  runVerify,
  toDockerArchive,
  toOciLayout,
  zasperBase,
  zasperImage,
  ZASPER_DOCKERFILE,
  ZASPER_DOCKERFILE_FIXED,
  ZASPER_GO_LINE,
} from './support/verify-images.js';

const tmp = tempPaths('anyarch-verify-zasper-');
let reg: TestRegistry;
const refs: Record<string, string> = {};
// the annotations name the base as pushed below (verify/ubuntu:v1 in the test registry)
const base = () => ({ name: `${reg.host}/verify/ubuntu:v1`, digest: zasperBase().root.digest });
const unfixed = () => zasperImage({ base: base() });
const fixed = () => zasperImage({ fixed: true, base: base() });

before(async () => {
  reg = await startRegistry();
  refs.base = await pushToRegistry(reg, 'ubuntu', zasperBase());
  refs.zasper = await pushToRegistry(reg, 'zasper', unfixed());
  refs.fixed = await pushToRegistry(reg, 'zasper-fixed', fixed());
  const layout = tmp('layout');
  refs.ociZasper = await toOciLayout(layout, 'zasper', unfixed());
  refs.ociFixed = await toOciLayout(layout, 'fixed', fixed());
  refs.ociBase = await toOciLayout(layout, 'ubuntu', zasperBase());
  refs.dockerZasperArm64 = await toDockerArchive(tmp('zasper-arm64.tar'), unfixed(), 1, 'zasper:arm64');
  const brokenBase = await pushToRegistry(reg, 'broken-base', brokenBaseImage());
  refs.onBrokenBase = await pushToRegistry(reg, 'on-broken-base', onBrokenBaseImage({ name: brokenBase, digest: brokenBaseImage().root.digest }));
});
after(async () => reg?.stop());

function goVerdict(report: VerifyReport, platform: string): Verdict | undefined {
  return report.platforms.find((p) => p.name === platform)?.verdicts.find((v) => v.path === '/usr/local/go/bin/go' && v.id === 'AA201');
}

test('registry: the x86-64 go of linux/arm64 is AA201 with its layer, the step of line 16 and AA101; exit 1', async () => {
  const r = await runVerify([refs.zasper!, '--dockerfile', ZASPER_DOCKERFILE, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const [report] = reportsOf(r.stdout);
  assert.ok(report);
  const v = goVerdict(report, 'linux/arm64');
  assert.ok(v, `no AA201 on /usr/local/go/bin/go in linux/arm64: ${r.stdout.slice(0, 2000)}`);
  assert.equal(v.severity, 'error');
  assert.match(v.what ?? '', /ELF 64-bit LSB .*x86-64/);
  assert.equal(v.layer?.digest, layersOf(unfixed(), 'linux/arm64')[2]!.digest);
  assert.match(v.layer?.createdBy ?? '', /go1\.23\.4\.linux-amd64\.tar\.gz/);
  assert.equal(v.layer?.fromBase, false);
  assert.equal(v.source?.line, ZASPER_GO_LINE);
  assert.ok(v.source?.findings.some((f) => f.id === 'AA101'), JSON.stringify(v.source));
  // the amd64 variant's go is right; its base layer is the base's and clean
  assert.equal(goVerdict(report, 'linux/amd64'), undefined);
  const arm = report.platforms.find((p) => p.name === 'linux/arm64')!;
  assert.ok((arm.summary.elf['amd64/static'] ?? 0) >= 4, JSON.stringify(arm.summary.elf));
  assert.ok(!arm.verdicts.some((x) => x.path === '/bin/busybox'), 'the base busybox is arm64');
});

test('text and github formats name the path, the Dockerfile line and AA101', async () => {
  const text = await runVerify([refs.zasper!, '--platform', 'linux/arm64', '--dockerfile', ZASPER_DOCKERFILE]);
  assert.equal(text.code, 1, text.stderr);
  assert.match(text.stdout, /\/usr\/local\/go\/bin\/go/);
  assert.match(text.stdout, /x86-64/);
  assert.match(text.stdout, new RegExp(`Dockerfile:${ZASPER_GO_LINE}\\b|line ${ZASPER_GO_LINE}\\b`));
  assert.match(text.stdout, /AA101/);
  const gh = await runVerify([refs.zasper!, '--platform', 'linux/arm64', '--dockerfile', ZASPER_DOCKERFILE, '--format', 'github']);
  assert.equal(gh.code, 1, gh.stderr);
  assert.match(gh.stdout, new RegExp(`::error file=[^,]*Dockerfile,line=${ZASPER_GO_LINE}\\b`));
});

test('sarif: the Dockerfile line is the physical location of the go verdict', async () => {
  const r = await runVerify([refs.zasper!, '--platform', 'linux/arm64', '--dockerfile', ZASPER_DOCKERFILE, '--format', 'sarif']);
  assert.equal(r.code, 1, r.stderr);
  assertValidSarif(r.stdout);
  const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; message: { text: string }; locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }[] }[] }[] };
  const go = sarif.runs[0]!.results.find((x) => x.ruleId === 'AA201' && x.message.text.includes('/usr/local/go/bin/go'));
  assert.ok(go, r.stdout.slice(0, 2000));
  const loc = go.locations?.[0]?.physicalLocation;
  assert.match(loc?.artifactLocation?.uri ?? '', /examples\/zasper\/Dockerfile$/);
  assert.equal(loc?.region?.startLine, ZASPER_GO_LINE);
});

test('the fixed image passes from the registry and from an OCI layout: exit 0', async () => {
  for (const ref of [refs.fixed!, refs.ociFixed!]) {
    const r = await runVerify([ref, '--dockerfile', ZASPER_DOCKERFILE_FIXED, '--format', 'json']);
    assert.equal(r.code, 0, `${ref}: ${r.stdout.slice(0, 2000)} ${r.stderr}`);
    const [report] = reportsOf(r.stdout);
    assert.deepEqual(report!.platforms.map((p) => p.name).sort(), ['linux/amd64', 'linux/arm64']);
    for (const p of report!.platforms) assert.deepEqual(p.verdicts.filter((v) => v.severity !== 'info'), [], p.name);
  }
});

test('OCI layout and docker-archive sources: the same verdict; with --base the base layer is the base image\'s', async () => {
  const oci = await runVerify([refs.ociZasper!, '--platform', 'linux/arm64', '--base', refs.ociBase!, '--format', 'json']);
  assert.equal(oci.code, 1, oci.stderr);
  const v = goVerdict(reportsOf(oci.stdout)[0]!, 'linux/arm64');
  assert.equal(v?.layer?.digest, layersOf(unfixed(), 'linux/arm64')[2]!.digest);
  assert.equal(v?.layer?.fromBase, false);
  const docker = await runVerify([refs.dockerZasperArm64!, '--format', 'json']);
  assert.equal(docker.code, 1, docker.stderr);
  const dv = reportsOf(docker.stdout)[0]!.platforms[0]!.verdicts.find((x) => x.path === '/usr/local/go/bin/go');
  assert.equal(dv?.id, 'AA201');
});

test('--fail-on: a clean exit when the bar is above the verdicts; an unreadable image is exit 2', async () => {
  const never = await runVerify([refs.ociZasper!, '--platform', 'linux/arm64', '--fail-on', 'never']);
  assert.equal(never.code, 0, never.stderr);
  const missing = await runVerify([`oci:${tmp('nowhere')}:x`]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
});

test('the library: verifyImages reports the same verdict, line and finding', async () => {
  const run = await verifyImages([refs.zasper!], { dockerfile: { file: ZASPER_DOCKERFILE, source: readFileSync(ZASPER_DOCKERFILE, 'utf8') } });
  const v = goVerdict(run.reports[0]!, 'linux/arm64');
  assert.equal(v?.id, 'AA201');
  assert.equal(v?.source?.line, ZASPER_GO_LINE);
  assert.ok(run.summary.verdicts.error >= 1);
});

test('a wrong binary inherited from the base (named by the annotations) is marked as the base\'s', async () => {
  const r = await runVerify([refs.onBrokenBase!, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const arm = reportsOf(r.stdout)[0]!.platforms.find((p) => p.name === 'linux/arm64')!;
  const v = arm.verdicts.find((x) => x.path === '/usr/bin/helper');
  assert.equal(v?.id, 'AA201');
  assert.equal(v?.layer?.fromBase, true);
  assert.match(v?.message ?? '', /base/);
  assert.ok(!arm.verdicts.some((x) => x.path === '/usr/local/bin/app'), 'the image\'s own binary is arm64');
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildTestImage, builtImageSource, countingSource, fakeElf, tally, writeOciLayout, type TestPlatformImage } from '../../test/support/images.js';
import { parsePlatformList } from '../platform/index.js';
import { closeAll, summarizeVerify, verifyImage, verifyImages, verifyOutcome } from './verify.js';

const base = { 'bin/sh': fakeElf('arm64'), 'etc/os-release': 'ID=test\n' };
const amdBase = { 'bin/sh': fakeElf('amd64'), 'etc/os-release': 'ID=test\n' };
const shared = { 'usr/share/doc/readme': 'same bytes in every variant\n' };

function zasper(goArch: string): TestPlatformImage[] {
  return [
    {
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [{ files: amdBase }, { files: shared }, { files: { 'usr/local/go/bin/go': fakeElf('amd64') } }],
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:4a5b6c in / ' },
        { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
        { created_by: 'COPY readme /usr/share/doc/readme # buildkit' },
        { created_by: 'RUN /bin/sh -c curl -fsSL https://go.dev/dl/go1.22.0.linux-amd64.tar.gz | tar -C /usr/local -xz # buildkit' },
      ],
    },
    {
      platform: { os: 'linux', architecture: 'arm64' },
      layers: [{ files: base }, { files: shared }, { files: { 'usr/local/go/bin/go': fakeElf(goArch) } }],
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:7d8e9f in / ' },
        { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
        { created_by: 'COPY readme /usr/share/doc/readme # buildkit' },
        { created_by: 'RUN /bin/sh -c curl -fsSL https://go.dev/dl/go1.22.0.linux-amd64.tar.gz | tar -C /usr/local -xz # buildkit' },
      ],
    },
  ];
}

test('verifyImage: an x86-64 go in linux/arm64 is AA201 with its path, layer digest and step; amd64 is clean', async () => {
  const img = buildTestImage(zasper('amd64'));
  const report = await verifyImage(builtImageSource(img), {}, 'zasper');
  assert.equal(report.error, undefined);
  assert.deepEqual(report.platforms.map((p) => p.name), ['linux/amd64', 'linux/arm64']);
  const [amd, arm] = report.platforms;
  assert.deepEqual(amd!.verdicts, []);
  const v = arm!.verdicts.filter((x) => x.severity === 'error');
  assert.equal(v.length, 1);
  assert.equal(v[0]!.id, 'AA201');
  assert.equal(v[0]!.path, '/usr/local/go/bin/go');
  assert.match(v[0]!.what!, /x86-64/);
  assert.equal(v[0]!.layer!.index, 2);
  assert.match(v[0]!.layer!.createdBy!, /^RUN \/bin\/sh -c curl/);
  assert.equal(v[0]!.layer!.fromBase, undefined);
  assert.deepEqual(arm!.summary.elf, { 'amd64/static': 1, 'arm64/static': 1 });
  assert.equal(arm!.summary.layers, 3);
  assert.deepEqual(arm!.summary.verdicts, { error: 1, warning: 0, info: 0 });
  const summary = summarizeVerify([report]);
  assert.equal(verifyOutcome(summary, 'error'), 'findings');
  assert.equal(verifyOutcome(summary, 'never'), 'clean');
});

test('verifyImage: the corrected image passes', async () => {
  const report = await verifyImage(builtImageSource(buildTestImage(zasper('arm64'))));
  assert.equal(verifyOutcome(summarizeVerify([report]), 'info'), 'clean');
});

test('a layer shared by variants, and by images of one call, is read once', async () => {
  const img = buildTestImage(zasper('amd64'));
  const { source, reads } = countingSource(builtImageSource(img));
  await verifyImage(source);
  const counts = tally(reads.streams.map((d) => d.digest));
  // both variants' go layers hold the same (x86-64) bytes: one blob
  assert.equal(counts.size, 4, 'two base layers, the shared layer, the go layer');
  assert.ok([...counts.values()].every((n) => n === 1), `every layer streamed once: ${[...counts.values()].join(',')}`);
});

test('--platform filters variants; attestations and the others are listed as skipped', async () => {
  const img = buildTestImage(zasper('amd64'), { attestations: true });
  const report = await verifyImage(builtImageSource(img), { platforms: parsePlatformList('linux/arm64/v8') });
  assert.deepEqual(report.platforms.map((p) => p.name), ['linux/arm64']);
  assert.deepEqual(
    report.skipped.map((s) => s.reason.split(' ')[0]),
    ['attestation', 'attestation', 'not'],
  );
  assert.match(report.skipped[2]!.platform, /linux\/amd64/);
});

test('a config naming another platform than its index entry is AA209', async () => {
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, configPlatform: { os: 'linux', architecture: 'amd64' }, files: base }]);
  const report = await verifyImage(builtImageSource(img));
  assert.deepEqual(report.platforms[0]!.verdicts.map((v) => v.id), ['AA209']);
});

test('a single manifest is verified for its config platform; the Entrypoint is judged', async () => {
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, files: { ...base, 'app/server': fakeElf('amd64') }, containerConfig: { Entrypoint: ['/app/server'] } }], { single: true });
  const report = await verifyImage(builtImageSource(img));
  assert.equal(report.platforms[0]!.name, 'linux/arm64');
  assert.deepEqual(report.platforms[0]!.verdicts.map((v) => v.id).sort(), ['AA201', 'AA208']);
});

test('a layer that fails its digest is the variant error E_DIGEST, never a success', async () => {
  const img = buildTestImage(zasper('arm64'));
  const arm = img.manifests.find((m) => m.platform === 'linux/arm64')!;
  const manifest = JSON.parse(Buffer.from(img.blobs.get(arm.digest)!).toString()) as { layers: { digest: string }[] };
  const top = img.blobs.get(manifest.layers[2]!.digest)!;
  const altered = Uint8Array.from(top);
  const at = Math.floor(altered.length / 2);
  altered[at] = altered[at]! ^ 0x5a;
  img.blobs.set(manifest.layers[2]!.digest, altered);
  const report = await verifyImage(builtImageSource(img));
  const p = report.platforms.find((x) => x.name === 'linux/arm64')!;
  assert.equal(p.error?.code, 'E_DIGEST');
  assert.deepEqual(p.verdicts.map((v) => `${v.id} ${v.layer?.index}`), ['AA210 2']);
  const summary = summarizeVerify([report]);
  assert.equal(summary.integrityFailures, 1);
  assert.equal(verifyOutcome(summary, 'never'), 'input-error');
});

test('--base: layers shared with the base image are fromBase, and the message says it is the base\'s bug', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-verify-base-'));
  try {
    const wrongBase = { 'bin/sh': fakeElf('amd64'), 'etc/os-release': 'ID=test\n' };
    const baseImg = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: wrongBase }] }]);
    await writeOciLayout(path.join(dir, 'base'), baseImg, 'latest');
    const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: wrongBase }, { files: { 'app/x': fakeElf('arm64') } }] }]);
    const report = await verifyImage(builtImageSource(img), { base: `oci:${path.join(dir, 'base')}:latest`, cwd: dir });
    const v = report.platforms[0]!.verdicts.find((x) => x.id === 'AA201')!;
    assert.equal(v.layer!.fromBase, true);
    assert.match(v.message, /inherited from the base image oci:.*: the base's bug/);
    assert.equal(report.base?.from, 'option');
    assert.equal(report.base?.error, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--dockerfile: the verdict points at the instruction that made its layer, with check findings on it', async () => {
  const dockerfile = ['FROM debian:bookworm', 'COPY readme /usr/share/doc/readme', 'RUN curl -fsSL https://go.dev/dl/go1.22.0.linux-amd64.tar.gz | tar -C /usr/local -xz', ''].join('\n');
  const img = buildTestImage(zasper('amd64'));
  const report = await verifyImage(builtImageSource(img), { dockerfile: { file: 'Dockerfile', source: dockerfile } });
  const v = report.platforms[1]!.verdicts.find((x) => x.id === 'AA201')!;
  assert.equal(v.source?.line, 3);
  assert.equal(v.source?.instruction, 'RUN');
  assert.ok(v.source?.findings.some((f) => f.id === 'AA101'), JSON.stringify(v.source?.findings));
});

test('verifyImages: every image is verified even when one cannot be named or opened', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-verify-many-'));
  try {
    await writeOciLayout(path.join(dir, 'img'), buildTestImage(zasper('amd64')), 'v1');
    const seen: string[] = [];
    const run = await verifyImages(['oci:img:v1', 'oci:missing:v1', 'Not A Reference!'], { cwd: dir, onImage: (p) => seen.push(p.image) });
    assert.equal(run.reports.length, 3);
    assert.equal(run.reports[0]!.error, undefined);
    assert.ok(run.reports[1]!.error && run.reports[2]!.error);
    assert.equal(run.summary.unreadableImages, 2);
    assert.equal(seen.length, 3);
    assert.equal(verifyOutcome(run.summary), 'input-error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a Windows variant's foreign base layer the source does not serve is AA210 information, not an error", async () => {
  const { memorySource } = await import('../../test/support/memory-source.js');
  const { sha256, tarOf, compress } = await import('../../test/support/images.js');
  const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
  const top = compress(tarOf({ 'Files/app.exe': 'MZ' }), 'gzip');
  const foreignDiff = `sha256:${'0'.repeat(64)}`;
  const config = enc({ os: 'windows', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [foreignDiff, sha256(tarOf({ 'Files/app.exe': 'MZ' }))] }, config: {} });
  const manifest = enc({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256(config), size: config.length },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: `sha256:${'1'.repeat(64)}`, size: 100, urls: ['https://mcr.microsoft.com/x'] },
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha256(top), size: top.length },
    ],
  });
  const blobs = new Map<string, Uint8Array>([
    [sha256(config), config],
    [sha256(manifest), manifest],
    [sha256(top), top],
  ]);
  const source = memorySource(blobs, { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: sha256(manifest) as `sha256:${string}`, size: manifest.length }, { verify: true });
  const report = await verifyImage(source);
  const p = report.platforms[0]!;
  assert.equal(p.error, undefined);
  assert.deepEqual(p.verdicts.map((v) => `${v.id} ${v.severity}`), ['AA210 info']);
  assert.match(p.verdicts[0]!.message, /foreign, non-distributable layer/);
  assert.equal(verifyOutcome(summarizeVerify([report])), 'clean');
});

test('verifyImages: a layer two images share is scanned once in one call', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-verify-shared-'));
  try {
    const one = (extra: string): TestPlatformImage[] => [{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: base }, { files: { [`app/${extra}`]: fakeElf('arm64') } }] }];
    await writeOciLayout(path.join(dir, 'a'), buildTestImage(one('a')), 'v1');
    await writeOciLayout(path.join(dir, 'b'), buildTestImage(one('b')), 'v1');
    const { layerReaders } = await import('./readers.js');
    const real = layerReaders();
    let scans = 0;
    const run = await verifyImages(['oci:a:v1', 'oci:b:v1'], { cwd: dir, readers: { ...real, scanLayer: (tar, inspector, what) => (scans++, real.scanLayer(tar, inspector, what)) } });
    assert.equal(run.summary.variants, 2);
    assert.equal(scans, 3, 'the shared bottom layer once, each top layer once');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two manifests share a gzip layer, one config with its right diff_id and one with a wrong one: only the wrong one is E_DIGEST, in either order', async () => {
  const { memorySource } = await import('../../test/support/memory-source.js');
  const { sha256, tarOf, compress } = await import('../../test/support/images.js');
  const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
  const tar = tarOf({ 'bin/app': fakeElf('arm64') });
  const gz = compress(tar, 'gzip');
  const blobs = new Map<string, Uint8Array>([[sha256(gz), gz]]);
  const put = (bytes: Uint8Array): { digest: `sha256:${string}`; size: number } => {
    blobs.set(sha256(bytes), bytes);
    return { digest: sha256(bytes) as `sha256:${string}`, size: bytes.length };
  };
  const entry = (diffId: string, variant: string): Record<string, unknown> => {
    const config = put(enc({ os: 'linux', architecture: 'arm64', variant, rootfs: { type: 'layers', diff_ids: [diffId] }, config: {} }));
    const manifest = put(
      enc({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(gz), size: gz.length }],
      }),
    );
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'arm64', variant } };
  };
  const good = sha256(tar);
  const bad = `sha256:${'0'.repeat(64)}`;
  for (const order of [
    [good, bad],
    [bad, good],
  ]) {
    const index = put(enc({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(order[0]!, 'v8'), entry(order[1]!, 'v9')] }));
    const report = await verifyImage(memorySource(blobs, { mediaType: 'application/vnd.oci.image.index.v1+json', ...index }, { verify: true }));
    const errors = report.platforms.map((p) => `${p.name} ${p.error?.code ?? 'ok'}`);
    const expected = order.map((d, i) => `linux/arm64/${i === 0 ? 'v8' : 'v9'} ${d === good ? 'ok' : 'E_DIGEST'}`);
    assert.deepEqual(errors, expected, `order ${order.map((d) => (d === good ? 'good' : 'bad')).join(',')}`);
    assert.equal(summarizeVerify([report]).integrityFailures, 1);
  }
});

test('a hard link to a lower layer’s x86-64 file in linux/arm64 is judged (AA201 on the link); a link to nothing and a name outside the root are AA210 of their layer', async () => {
  const { makeTar } = await import('../../test/support/rootfs-tar.js');
  const lower = makeTar([
    { name: 'bin/', type: '5' },
    { name: 'bin/sh', body: fakeElf('arm64'), mode: 0o755 },
    { name: 'opt/x/bad', body: fakeElf('amd64'), mode: 0o755 },
  ]);
  const upper = makeTar([
    { name: 'usr/bin/h3', type: '1', linkname: 'opt/x/bad' },
    { name: 'usr/bin/ghost', type: '1', linkname: 'opt/nowhere' },
    { name: '/abs/name', body: 'x' },
  ]);
  const top = makeTar([{ name: 'opt/.wh.x' }]);
  const img = buildTestImage([{ platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: {}, tar: lower }, { files: {}, tar: upper }, { files: {}, tar: top }] }]);
  const report = await verifyImage(builtImageSource(img));
  const p = report.platforms[0]!;
  assert.equal(p.error, undefined);
  const shown = p.verdicts.map((v) => `${v.id} ${v.severity} ${v.path ?? ''} ${v.layer?.index ?? ''}`);
  assert.ok(shown.includes('AA201 error /usr/bin/h3 1'), shown.join('\n'));
  const odd = p.verdicts.filter((v) => v.id === 'AA210');
  assert.equal(odd.length, 1, shown.join('\n'));
  assert.equal(odd[0]!.layer?.index, 1);
  assert.match(odd[0]!.message, /^2 entries of layer 2: not verified \(/);
  assert.match(odd[0]!.message, /usr\/bin\/ghost: a hard link to opt\/nowhere, which no layer below holds/);
  assert.match(odd[0]!.message, /\/abs\/name: a name outside the root/);
  assert.equal(p.summary.files, 4, 'files: bin/sh, the two links, abs/name; the directory bin is not counted');
});

test('a real gzip bomb (2 GiB of zeros in about 2 MB) past maxLayerBytes is E_LIMIT for its variant, in bounded time and memory, measured from outside', async () => {
  const { runMeasuredScript } = await import('../../test/support/measured.js');
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../test/support/gzip-bomb-child.js');
  const r = await runMeasuredScript([child, String(2 * 1024 ** 3), String(128 * 1024 ** 2)], { killAfterMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { errors: ({ code: string; message: string } | null)[]; verdicts: string[] };
  assert.equal(out.errors[0]?.code, 'E_LIMIT');
  assert.match(out.errors[0]!.message, /^layer 2 \(sha256:[0-9a-f]{64}\): more than 134217728 bytes uncompressed/);
  assert.deepEqual(out.verdicts, ['AA210 1']);
  // generous: building the bomb hashes its 2 GiB (about 2 s here); reading stops at 128 MiB
  assert.ok(r.seconds < 60, `${r.seconds} s`);
  assert.ok(r.peakRssMb < 400, `${r.peakRssMb} MB`);
});

test('the entries of one image are bounded across its variants and layers (maxImageEntries): the variant reading past it is E_LIMIT', async () => {
  const files = (p: string): Record<string, string> => Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`${p}/f${i}`, 'x']));
  const img = buildTestImage([
    { platform: { os: 'linux', architecture: 'arm64' }, layers: [{ files: files('a') }, { files: files('b') }] },
    { platform: { os: 'linux', architecture: 'amd64' }, layers: [{ files: files('c') }, { files: files('d') }] },
  ]);
  const ok = await verifyImage(builtImageSource(img), { maxImageEntries: 1000 });
  assert.deepEqual(ok.platforms.map((p) => p.error?.code ?? 'ok'), ['ok', 'ok']);
  const over = await verifyImage(builtImageSource(img), { maxImageEntries: 100 });
  assert.ok(over.platforms.some((p) => p.error?.code === 'E_LIMIT' && /the layers of this image hold more than 100 entries/.test(p.error.message)), JSON.stringify(over.platforms.map((p) => p.error)));
  assert.equal(verifyOutcome(summarizeVerify([over])), 'input-error');
});

test('--run: smoke runs go one at a time across variants and images, each before its variant takes any layer scan', async () => {
  const three = (tag: string): TestPlatformImage[] =>
    ['amd64', 'arm64', 'riscv64'].map((architecture) => ({ platform: { os: 'linux', architecture }, layers: [{ files: { [`app/${tag}`]: fakeElf(architecture) } }] }));
  const dir = mkdtempSync(path.join(tmpdir(), 'anyarch-verify-smoke-'));
  try {
    await writeOciLayout(path.join(dir, 'a'), buildTestImage(three('a')), 'v1');
    await writeOciLayout(path.join(dir, 'b'), buildTestImage(three('b')), 'v1');
    const { layerReaders } = await import('./readers.js');
    const real = layerReaders();
    const events: string[] = [];
    let active = 0;
    let most = 0;
    const run = await verifyImages(['oci:a:v1', 'oci:b:v1'], {
      cwd: dir,
      smoke: { command: { argv: ['/app/x'], entrypoint: false } },
      readers: { ...real, scanLayer: (tar, inspector, what, limits) => (events.push(`scan ${what.split(' ')[2]}`), real.scanLayer(tar, inspector, what, limits)) },
      smokeRunner: async (image, platform, command, options) => {
        const layer = (await image.layers())[0]!.descriptor.digest;
        events.push(`smoke (${layer})`);
        most = Math.max(most, ++active);
        await new Promise((r) => setTimeout(r, 20));
        active--;
        return { platform: options.name, via: 'native', argv: command.argv, timedOut: false, output: '', durationMs: 20, exitCode: 0, ok: true };
      },
    });
    assert.equal(run.summary.variants, 6);
    assert.equal(most, 1, 'one smoke run at a time');
    assert.ok(run.reports.every((r) => r.platforms.every((p) => p.smoke?.ok)));
    // each variant's only layer is scanned after its smoke run, never held through it
    for (const e of events.filter((x) => x.startsWith('smoke'))) {
      const digest = e.slice('smoke '.length);
      assert.ok(events.indexOf(e) < events.indexOf(`scan ${digest}`), events.join('\n'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closeAll calls every closer when one fails; a typed failure is dropped, a bug is thrown after all were called', async () => {
  const { AnyarchError } = await import('../errors.js');
  const called: number[] = [];
  const closer = (i: number, fail?: Error) => async () => {
    called.push(i);
    if (fail) throw fail;
  };
  await closeAll([closer(1), closer(2, new AnyarchError('E_SOURCE', 'cannot remove a temporary directory')), closer(3)]);
  assert.deepEqual(called, [1, 2, 3]);
  called.length = 0;
  await assert.rejects(closeAll([closer(1, new TypeError('a bug')), closer(2)]), TypeError);
  assert.deepEqual(called, [1, 2]);
});

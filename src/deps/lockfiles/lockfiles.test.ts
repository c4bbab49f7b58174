import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnyarchError } from '../../errors.js';
import type { LockedPackage, Lockfile } from '../types.js';
import { PNPM_V6, PNPM_V9, YARN_BERRY, YARN_V1, packageLockV3 } from './fixtures.test-data.js';
import { lockfileKind, parseYarnConditions, pnpmKeyNameVersion, readLockfile } from './index.js';

function lockError(fn: () => unknown): AnyarchError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof AnyarchError, String(e));
    assert.equal(e.code, 'E_LOCKFILE');
    return e;
  }
  assert.fail('expected E_LOCKFILE');
}

function get(lock: Lockfile, name: string): LockedPackage {
  const p = lock.packages.find((x) => x.name === name);
  assert.ok(p, `${name} in ${lock.file}`);
  return p;
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  return text.slice(0, i).split('\n').length;
}

describe('lockfileKind', () => {
  test('every known name, by file name only', () => {
    const table: [string, string | undefined][] = [
      ['package-lock.json', 'package-lock'],
      ['web/npm-shrinkwrap.json', 'npm-shrinkwrap'],
      ['/abs/pnpm-lock.yaml', 'pnpm-lock'],
      ['yarn.lock', 'yarn-berry'],
      ['uv.lock', 'uv-lock'],
      ['poetry.lock', 'poetry-lock'],
      ['pylock.toml', 'pylock'],
      ['pylock.dev.toml', 'pylock'],
      ['Pipfile.lock', 'pipfile-lock'],
      ['requirements.txt', 'requirements'],
      ['requirements-dev.txt', 'requirements'],
      ['requirements/prod.txt', 'requirements'],
      ['dev-requirements.txt', 'requirements'],
      ['test_requirements.txt', 'requirements'],
      ['requirements.lock', 'requirements'],
      ['requirements-dev.lock', 'requirements'],
      ['my-requirements-notes.md', undefined],
      ['package.json', undefined],
      ['pnpm-lock.yml', undefined],
      ['notes.txt', undefined],
    ];
    for (const [file, kind] of table) assert.equal(lockfileKind(file), kind, file);
  });

  test('a name of no kind is E_LOCKFILE naming the file', () => {
    const e = lockError(() => readLockfile('deps.json', '{}'));
    assert.equal(e.location?.file, 'deps.json');
  });
});

describe('package-lock.json v2/v3 and npm-shrinkwrap.json', () => {
  const text = packageLockV3();
  const lock = readLockfile('package-lock.json', text);

  test('the packages map: names from keys, os/cpu/libc, optional, dev, install scripts, dependency names', () => {
    assert.equal(lock.kind, 'package-lock');
    assert.equal(lock.ecosystem, 'npm');
    assert.equal(lock.formatVersion, '3');
    const musl = get(lock, '@img/sharp-linuxmusl-arm64');
    assert.deepEqual([musl.os, musl.cpu, musl.libc, musl.optional], [['linux'], ['arm64'], ['musl'], true]);
    assert.equal(musl.key, 'node_modules/@img/sharp-linuxmusl-arm64');
    const bcrypt = get(lock, 'bcrypt');
    assert.equal(bcrypt.hasInstallScript, true);
    assert.deepEqual(bcrypt.dependencies, ['@mapbox/node-pre-gyp', 'node-addon-api']);
    assert.equal(get(lock, 'husky').dev, true);
    assert.equal(get(lock, 'esbuild').optionalDependencies?.length, 23);
    // nested copies keep their own entry and name
    const nested = lock.packages.filter((p) => p.name === 'node-addon-api').map((p) => `${p.key}@${p.version}`);
    assert.deepEqual(nested, ['node_modules/node-addon-api@8.0.0', 'node_modules/bcrypt/node_modules/node-addon-api@5.1.0']);
    assert.equal(lock.packages.some((p) => p.key === ''), false, 'the root is not a package');
    assert.deepEqual(lock.warnings, []);
  });

  test('every entry carries the line and column of its key', () => {
    const bcrypt = get(lock, 'bcrypt');
    assert.deepEqual(bcrypt.position, { line: lineOf(text, '"node_modules/bcrypt"'), column: 5 });
    const nested = lock.packages.find((p) => p.key === 'node_modules/bcrypt/node_modules/node-addon-api');
    assert.equal(nested?.position?.line, lineOf(text, '"node_modules/bcrypt/node_modules/node-addon-api"'));
  });

  test('positions are the same whether the text is as npm writes it (no scan) or not (scanned)', async () => {
    const { canonicalJsonKeyPositions } = await import('./positions.js');
    const doc = JSON.parse(text) as Record<string, unknown>;
    const packages = doc['packages'] as Record<string, Record<string, unknown>>;
    // npm's text (2 spaces, a final newline), its indent of package.json (4 spaces, a tab), no final newline
    const canonical = [text, `${JSON.stringify(doc, null, 4)}\n`, `${JSON.stringify(doc, null, '\t')}\n`, JSON.stringify(doc, null, 2)];
    // written otherwise: minified, CRLF, a key JSON.parse moves (an index), a space more, an entry on one line, a duplicate key, a BOM
    const entry = '"node_modules/bcrypt": {';
    const other = [
      JSON.stringify(doc),
      text.replace(/\n/g, '\r\n'),
      text.replace('{\n  "name": "app",', '{\n  "name": "app",\n  "2": 2,'),
      text.replace('"lockfileVersion": 3', '"lockfileVersion":  3'),
      text.replace(/"node_modules\/argon2": \{[^}]*\}[^}]*\}[^}]*\}/, `"node_modules/argon2": ${JSON.stringify(packages['node_modules/argon2'])}`),
      text.replace(entry, `"node_modules/bcrypt": {"version": "0.0.1"},\n    ${entry}`),
      `\ufeff${text}`,
    ];
    for (const t of [...canonical, ...other]) {
      const body = t.replace(/^\ufeff/, '');
      const fast = canonicalJsonKeyPositions(body, JSON.parse(body) as Record<string, unknown>, 'packages');
      assert.equal(fast !== undefined, canonical.includes(body), t.slice(0, 40));
      const read = readLockfile('package-lock.json', t);
      for (const p of read.packages) {
        // the last key of that name (a duplicate's value is the last one's, JSON.parse's way)
        const at = body.lastIndexOf(`"${p.key}":`);
        const expected = { line: body.slice(0, at).split('\n').length, column: at - body.lastIndexOf('\n', at) };
        assert.deepEqual(p.position, expected, `${p.key} in ${JSON.stringify(t.slice(0, 30))}`);
      }
    }
    // the duplicate: the scan places the entry at its last key, as before
    const dup = readLockfile('package-lock.json', other[4] as string);
    assert.equal(get(dup, 'bcrypt').version, '5.1.1');
  });

  test('npm-shrinkwrap.json reads the same, as its own kind', () => {
    const s = readLockfile('npm-shrinkwrap.json', text);
    assert.equal(s.kind, 'npm-shrinkwrap');
    assert.equal(s.packages.length, lock.packages.length);
  });

  test('aliases keep the real name; workspace folders and links are not packages', () => {
    const t = JSON.stringify({
      lockfileVersion: 2,
      packages: {
        '': { name: 'mono' },
        'packages/api': { name: 'api', version: '1.0.0' },
        'node_modules/api': { resolved: 'packages/api', link: true },
        'node_modules/sqlite-old': { name: 'sqlite3', version: '5.1.6', hasInstallScript: true },
      },
    });
    const l = readLockfile('package-lock.json', t);
    assert.deepEqual(
      l.packages.map((p) => [p.name, p.key]),
      [['sqlite3', 'node_modules/sqlite-old']],
    );
  });

  test('lockfileVersion 1 is read (legacy.test.ts), with one warning at the version key saying what it cannot tell', () => {
    const t = '{\n  "name": "old",\n  "lockfileVersion": 1,\n  "dependencies": {}\n}\n';
    const l = readLockfile('package-lock.json', t);
    assert.deepEqual([l.formatVersion, l.packages.length], ['1', 0]);
    assert.deepEqual(l.warnings.map((w) => [w.location?.line, w.location?.column]), [[3, 3]]);
    assert.match(l.warnings[0]?.hint ?? '', /npm >= 7/);
  });

  test('an unknown version, a lock that is no object, a lock with no packages map', () => {
    assert.match(lockError(() => readLockfile('package-lock.json', '{"lockfileVersion": 4, "packages": {}}')).message, /unknown lockfileVersion 4/);
    assert.match(lockError(() => readLockfile('package-lock.json', '[1, 2]')).message, /not a JSON object/);
    assert.match(lockError(() => readLockfile('package-lock.json', '{"name": "x"}')).message, /no lockfileVersion/);
    assert.match(lockError(() => readLockfile('package-lock.json', '{"lockfileVersion": 3}')).message, /no "packages" map/);
  });

  test('malformed JSON is placed where the parser stopped; a truncated lock says so, at its end', () => {
    const bad = '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": { "version": "1.0.0",, }\n  }\n}\n';
    const e = lockError(() => readLockfile('package-lock.json', bad));
    assert.match(e.message, /not valid JSON/);
    assert.equal(e.location?.line, 4);
    assert.ok((e.location?.column ?? 0) > 30, `column ${e.location?.column}`);
    const truncated = text.slice(0, Math.floor(text.length / 2));
    const t = lockError(() => readLockfile('package-lock.json', truncated));
    assert.match(t.message, /truncated/);
    assert.equal(t.location?.line, truncated.split('\n').length);
    assert.equal(lockError(() => readLockfile('package-lock.json', '')).location?.line, 1);
  });

  test('a bad entry is a warning with its position, and skipped; the rest is read', () => {
    const t = '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": "oops",\n    "node_modules/b": {},\n    "node_modules/c": { "version": "1.0.0" }\n  }\n}\n';
    const l = readLockfile('package-lock.json', t);
    assert.deepEqual(l.packages.map((p) => p.name), ['c']);
    assert.deepEqual(l.warnings.map((w) => [w.code, w.location?.line]), [['E_LOCKFILE', 4], ['E_LOCKFILE', 5]]);
    assert.match(l.warnings[1]?.message ?? '', /no version.*npm\/cli#9342/);
  });

  test('a lock pruned to the host platform is a warning on the parent (npm/cli#7961)', () => {
    const pruned = readLockfile('package-lock.json', packageLockV3({ pruneTo: 'linux-x64' }));
    const ws = pruned.warnings.map((w) => w.message);
    assert.equal(ws.length, 2, ws.join('\n'));
    assert.match(ws[0] ?? '', /^esbuild@0\.21\.5: the lock holds 1 of the 23 platform packages.*missing @esbuild\/linux-arm, @esbuild\/linux-arm64, @esbuild\/linux-ia32 and \d+ more.*pruned/);
    assert.match(ws[1] ?? '', /^sharp@0\.33\.5: the lock holds 1 of the 7/);
    assert.equal(pruned.warnings[0]?.location?.line, get(pruned, 'esbuild').position?.line);
  });

  test('a lock without libc fields (npm < 11.11) is a warning (npm/cli#8514)', () => {
    const l = readLockfile('package-lock.json', packageLockV3({ withLibc: false }));
    assert.equal(l.warnings.length, 1);
    assert.match(l.warnings[0]?.message ?? '', /no libc.*npm < 11\.11/);
  });
});

describe('pnpm-lock.yaml', () => {
  test('v9: facts from packages, the graph from snapshots, positions of the packages keys', () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V9);
    assert.equal(lock.kind, 'pnpm-lock');
    assert.equal(lock.formatVersion, '9.0');
    const sharp = get(lock, 'sharp');
    assert.deepEqual(sharp.optionalDependencies, ['@img/sharp-linux-arm64', '@img/sharp-linux-x64', '@img/sharp-linuxmusl-x64']);
    assert.deepEqual(sharp.dependencies, ['color']);
    assert.equal(sharp.optional, undefined);
    const musl = get(lock, '@img/sharp-linuxmusl-x64');
    assert.deepEqual([musl.cpu, musl.libc, musl.optional], [['x64'], ['musl'], true]);
    assert.deepEqual(get(lock, 'better-sqlite3').dependencies, ['bindings', 'prebuild-install']);
    assert.deepEqual(get(lock, 'better-sqlite3').position, { line: lineOf(PNPM_V9, '  better-sqlite3@11.1.2:\n    resolution'), column: 3 });
    assert.equal(get(lock, 'bindings').key, 'bindings@1.5.0');
    assert.deepEqual(lock.warnings, []);
  });

  test('v9: the snapshots of one package with other peers: their dependencies joined, optional only when every one is', () => {
    const text = [
      "lockfileVersion: '9.0'",
      'packages:',
      '  a@1.0.0:',
      '    resolution: {integrity: sha512-A}',
      '  b@1.0.0:',
      '    resolution: {integrity: sha512-B}',
      'snapshots:',
      '  a@1.0.0(peer@1.0.0):',
      '    dependencies:',
      '      x: 1.0.0',
      '      peer: 1.0.0',
      '    optional: true',
      '  a@1.0.0(peer@2.0.0):',
      '    dependencies:',
      '      peer: 2.0.0',
      '      y: 1.0.0',
      '    optionalDependencies:',
      '      z: 1.0.0',
      '  b@1.0.0(peer@1.0.0):',
      '    optional: true',
      '  b@1.0.0(peer@2.0.0):',
      '    optional: true',
      '',
    ].join('\n');
    const lock = readLockfile('pnpm-lock.yaml', text);
    const a = get(lock, 'a');
    assert.deepEqual([a.dependencies, a.optionalDependencies, a.optional], [['x', 'peer', 'y'], ['z'], undefined]);
    const b = get(lock, 'b');
    assert.deepEqual([b.dependencies, b.optionalDependencies, b.optional], [undefined, undefined, true]);
  });

  test('v6: slash keys with peer suffixes, requiresBuild, dev, optional', () => {
    const lock = readLockfile('pnpm-lock.yaml', PNPM_V6);
    assert.equal(lock.formatVersion, '6.0');
    const swc = get(lock, '@swc/core');
    assert.equal(swc.version, '1.3.100');
    assert.equal(swc.key, '/@swc/core@1.3.100(@swc/helpers@0.5.2)');
    assert.equal(swc.optionalDependencies?.length, 4);
    const sqlite = get(lock, 'sqlite3');
    assert.deepEqual([sqlite.requiresBuild, sqlite.dependencies?.[0]], [true, '@mapbox/node-pre-gyp']);
    assert.equal(get(lock, '@swc/core-linux-arm-gnueabihf').optional, true);
  });

  test("v9: a file: folder or tarball (keyed name@file:..., with the folder's own version) is local code, as link: is", () => {
    const text = [
      "lockfileVersion: '9.0'", '', 'importers:', '', '  .:', '    dependencies:', '      my-lib:', '        specifier: file:../my-lib', '        version: file:../my-lib', '',
      'packages:', '', '  my-lib@file:../my-lib:', '    resolution: {directory: ../my-lib, type: directory}', '    name: my-lib', '    version: 1.0.0', '',
      '  vendored@file:vendor/vendored-1.0.0.tgz:', '    resolution: {integrity: sha512-abc, tarball: file:vendor/vendored-1.0.0.tgz}', '    name: vendored', '    version: 1.0.0', '',
      '  left-pad@1.3.0:', '    resolution: {integrity: sha512-def}', '',
      'snapshots:', '', '  my-lib@file:../my-lib: {}', '', '  vendored@file:vendor/vendored-1.0.0.tgz: {}', '', '  left-pad@1.3.0: {}', '',
    ].join('\n');
    const lock = readLockfile('pnpm-lock.yaml', text);
    assert.deepEqual(lock.packages.map((p) => `${p.name}@${p.version}`), ['left-pad@1.3.0']);
    assert.deepEqual(lock.warnings, []);
  });

  test('keys: scoped, peer suffixes, leading slash', () => {
    assert.deepEqual(pnpmKeyNameVersion('/@swc/core@1.3.100(@swc/helpers@0.5.2)'), { name: '@swc/core', version: '1.3.100' });
    assert.deepEqual(pnpmKeyNameVersion('sharp@0.33.5'), { name: 'sharp', version: '0.33.5' });
    assert.equal(pnpmKeyNameVersion('@scope/only'), undefined);
  });

  test('unknown versions are refused at lockfileVersion (5.x is read: legacy.test.ts); bad YAML at its position', () => {
    const v3 = lockError(() => readLockfile('pnpm-lock.yaml', 'lockfileVersion: 3.9\n\npackages:\n  /a/1.0.0:\n    dev: false\n'));
    assert.match(v3.message, /unknown pnpm lockfileVersion "3\.9".*5\.x.*6\.x.*9\.0/);
    assert.equal(v3.location?.line, 1);
    assert.match(v3.hint ?? '', /newer pnpm/);
    assert.match(lockError(() => readLockfile('pnpm-lock.yaml', "lockfileVersion: '10.0'\n")).message, /unknown pnpm lockfileVersion "10\.0"/);
    const bad = lockError(() => readLockfile('pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  a@1.0.0:\n    resolution: {integrity: x\n  b@1.0.0: {}\n"));
    assert.match(bad.message, /not valid YAML/);
    assert.ok((bad.location?.line ?? 0) >= 4, String(bad.location?.line));
    assert.match(lockError(() => readLockfile('pnpm-lock.yaml', 'packages: {}\n')).message, /no lockfileVersion/);
  });

  test('YAML outside what pnpm writes (an anchor, a block scalar) is still read, by the yaml library, positions included', () => {
    const text = "lockfileVersion: '9.0'\n\npackages:\n\n  a@1.0.0:\n    resolution: &r {integrity: sha512-AAAA}\n    cpu: [arm64]\n\n  b@2.0.0:\n    resolution: *r\n    deprecated: |\n      gone\n";
    const lock = readLockfile('pnpm-lock.yaml', text);
    assert.deepEqual(lock.packages.map((p) => [p.name, p.integrity, p.position?.line]), [['a', 'sha512-AAAA', 5], ['b', 'sha512-AAAA', 9]]);
  });

  test('a bad entry is a warning and skipped', () => {
    const lock = readLockfile('pnpm-lock.yaml', "lockfileVersion: '9.0'\npackages:\n  nonsense: {}\n  a@1.0.0: {}\n  b@2.0.0: 3\n");
    assert.deepEqual(lock.packages.map((p) => p.name), ['a']);
    assert.deepEqual(lock.warnings.map((w) => w.location?.line), [3, 5]);
  });
});

describe('yarn.lock (Berry)', () => {
  test('entries by resolution, conditions as os/cpu/libc, optional from dependenciesMeta, workspaces skipped', () => {
    const lock = readLockfile('yarn.lock', YARN_BERRY);
    assert.equal(lock.kind, 'yarn-berry');
    assert.equal(lock.formatVersion, '8');
    assert.deepEqual(lock.packages.map((p) => p.name), ['@rollup/rollup-linux-arm64-gnu', '@rollup/rollup-linux-arm64-musl', '@rollup/rollup-linux-s390x-gnu', '@rollup/rollup-linux-x64-gnu', 'canvas', 'rollup']);
    const musl = get(lock, '@rollup/rollup-linux-arm64-musl');
    assert.deepEqual([musl.os, musl.cpu, musl.libc, musl.optional], [['linux'], ['arm64'], ['musl'], true]);
    const rollup = get(lock, 'rollup');
    assert.deepEqual(rollup.dependencies, ['@types/estree']);
    assert.equal(rollup.optionalDependencies?.length, 5);
    assert.equal(rollup.key, 'rollup@npm:4.18.0');
    assert.deepEqual(rollup.position, { line: lineOf(YARN_BERRY, '"rollup@npm:^4.18.0":'), column: 1 });
    assert.deepEqual(lock.warnings, []);
  });

  test("the root workspace's optionalDependencies (dependenciesMeta optional) make those packages optional", () => {
    // Yarn 4 for a package.json with "optionalDependencies": { "bufferutil": "^4.0.8" }
    const text = [
      '__metadata:', '  version: 8', '  cacheKey: 10c0', '',
      '"app@workspace:.":', '  version: 0.0.0-use.local', '  resolution: "app@workspace:."', '  dependencies:', '    bufferutil: "npm:^4.0.8"', '    ws: "npm:^8.16.0"',
      '  dependenciesMeta:', '    bufferutil:', '      optional: true', '  languageName: unknown', '  linkType: soft', '',
      '"bufferutil@npm:^4.0.8":', '  version: 4.0.8', '  resolution: "bufferutil@npm:4.0.8"', '  dependencies:', '    node-gyp: "npm:latest"', '    node-gyp-build: "npm:^4.3.0"', '  languageName: node', '  linkType: hard', '',
      '"ws@npm:^8.16.0":', '  version: 8.17.1', '  resolution: "ws@npm:8.17.1"', '  peerDependencies:', '    bufferutil: ^4.0.1', '  peerDependenciesMeta:', '    bufferutil:', '      optional: true', '  languageName: node', '  linkType: hard', '',
    ].join('\n');
    const lock = readLockfile('yarn.lock', text);
    assert.deepEqual(lock.packages.map((p) => [p.name, p.optional]), [['bufferutil', true], ['ws', undefined]]);
  });

  test('conditions with | and parentheses', () => {
    assert.deepEqual(parseYarnConditions('os=linux & cpu=arm64 & libc=musl'), { os: ['linux'], cpu: ['arm64'], libc: ['musl'] });
    assert.deepEqual(parseYarnConditions('(os=darwin | os=linux) & cpu=x64'), { os: ['darwin', 'linux'], cpu: ['x64'] });
  });

  test('a Yarn 1 lockfile is read as Yarn 1 (legacy.test.ts), with one warning at its header line', () => {
    const l = readLockfile('yarn.lock', YARN_V1);
    assert.deepEqual([l.kind, l.packages.map((p) => `${p.name}@${p.version}`)], ['yarn-classic', ['esbuild@0.21.5']]);
    assert.deepEqual(l.warnings.map((w) => w.location?.line), [2]);
  });

  test('broken YAML after __metadata is E_LOCKFILE with a position', () => {
    const e = lockError(() => readLockfile('yarn.lock', '__metadata:\n  version: 8\n\n"a@npm:1.0.0":\n  version: "1.0.0\n'));
    assert.match(e.message, /not valid YAML/);
    assert.ok(e.location?.line !== undefined);
  });
});

describe('Python kinds dispatch by name', () => {
  // the smallest lock of each kind that names numpy 2.1.0 (shapes of h12-python's fixtures)
  const wheel = 'numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl';
  const files: Record<string, string> = {
    'uv.lock': `version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "numpy"\nversion = "2.1.0"\nsource = { registry = "https://pypi.org/simple" }\nwheels = [\n    { url = "https://files.pythonhosted.org/packages/ab/${wheel}", hash = "sha256:${'b'.repeat(64)}", size = 1 },\n]\n`,
    'poetry.lock': `[[package]]\nname = "numpy"\nversion = "2.1.0"\ndescription = ""\noptional = false\npython-versions = ">=3.10"\nfiles = [\n    {file = "${wheel}", hash = "sha256:${'b'.repeat(64)}"},\n]\n\n[metadata]\nlock-version = "2.1"\npython-versions = ">=3.12"\ncontent-hash = "x"\n`,
    'pylock.toml': `lock-version = "1.0"\ncreated-by = "uv"\nrequires-python = ">=3.12"\n\n[[packages]]\nname = "numpy"\nversion = "2.1.0"\nindex = "https://pypi.org/simple"\nwheels = [{ url = "https://files.pythonhosted.org/packages/ab/${wheel}", hashes = { sha256 = "${'b'.repeat(64)}" } }]\n`,
    'Pipfile.lock': JSON.stringify({ _meta: { hash: { sha256: 'x' }, 'pipfile-spec': 6, requires: {}, sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }] }, default: { numpy: { hashes: [], index: 'pypi', version: '==2.1.0' } }, develop: {} }, null, 4),
    'requirements.txt': 'numpy==2.1.0\n',
  };

  test('each Python kind reaches its reader (E_LOCKFILE "reader not built yet" while h12-python is not merged)', () => {
    for (const [file, text] of Object.entries(files)) {
      let lock: Lockfile;
      try {
        lock = readLockfile(file, text);
      } catch (e) {
        assert.ok(e instanceof AnyarchError && e.code === 'E_LOCKFILE' && /reader not built yet/.test(e.message), `${file}: ${String(e)}`);
        continue;
      }
      assert.equal(lock.ecosystem, 'python', file);
      assert.equal(lock.kind, lockfileKind(file), file);
      assert.deepEqual(lock.packages.map((p) => `${p.name}==${p.version}`), ['numpy==2.1.0'], file);
    }
  });
});

describe('jsonErrorOffset', () => {
  test('where a text stops being JSON, as JSON.parse would stop', async () => {
    const { jsonErrorOffset } = await import('./positions.js');
    const table: [string, number][] = [
      ['{"a": [1, 2.5e3, "x\\"y", true, null]}', -1],
      ['{"a": 1,, "b": 2}', 8],
      ['{"a": 1 "b": 2}', 8],
      ['{"a": tru}', 9],
      ['{"a": "open', 11],
      ['{"a": [1, 2', 11],
      ['{"a": 1} x', 9],
      ['{"a": -}', 6],
      ['', 0],
      ['['.repeat(2000), 1001],
    ];
    for (const [text, want] of table) {
      assert.equal(jsonErrorOffset(text), want, text.slice(0, 40));
      if (want === -1) assert.doesNotThrow(() => JSON.parse(text));
      else assert.throws(() => JSON.parse(text));
    }
  });

  test("an unexpected token (which Node 20's parser places nowhere) is placed at the token", () => {
    const text = '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": { "version": "1.0.0" },,\n  }\n}\n';
    const e = lockError(() => readLockfile('package-lock.json', text));
    assert.match(e.message, /not valid JSON: (unexpected ","|.*property name)/);
    assert.deepEqual([e.location?.line, e.location?.column], [4, 46]);
  });
});

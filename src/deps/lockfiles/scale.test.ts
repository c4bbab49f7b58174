/**
 * Lockfiles of thousands of entries, in every format (Yarn 1 and package-lock v1 too): read whole and right (every entry, each at
 * its own key), in one pass over the text, and analysed at the cost of their native packages.
 * Counted, never timed: the characters the readers search (`String#indexOf`, `#includes`) stay
 * within a few times the text's length, where a search per entry from the start of the file or
 * of a section (the quadratic reading Pipfile.lock had: 490 times its text for 2,000 entries)
 * searches hundreds of times it; the registry is asked about the native packages only, whatever
 * the number of pure ones. (That the yaml library is handed one entry of a YAML lock, not the
 * file, is block-yaml.test.ts's.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { memoryNpm } from '../../../test/support/npm-memory-metadata.js';
import { parsePlatform } from '../../platform/index.js';
import { analyzeNpmLockfile } from '../npm/coverage.js';
import type { DepsTarget, Lockfile } from '../types.js';
import { readLockfile } from './index.js';

/** Pure packages in each generated lock (a quarter of them nested under another). */
const PURE = 3000;

interface Entry {
  readonly name: string;
  readonly version: string;
  /** its folder in node_modules */
  readonly at: string;
  readonly fields: Record<string, unknown>;
}

/** The npm project: pure packages, 5 families of 4 members, 20 prebuildify packages, 10 install scripts. */
function project(): Entry[] {
  const out: Entry[] = [{ name: 'node-gyp-build', version: '4.8.4', at: 'node_modules/node-gyp-build', fields: {} }];
  for (let i = 0; i < PURE; i++) {
    const name = i % 7 === 0 ? `@s${i % 13}/p${i}` : `p${i}`;
    const nested = i % 4 === 3 ? `node_modules/p${i - 1}/` : '';
    out.push({ name, version: `1.${i}.0`, at: `${nested}node_modules/${name}`, fields: { license: 'MIT', ...(i % 3 ? { dependencies: { [`p${(i * 7) % PURE}`]: '^1.0.0' } } : {}) } });
  }
  for (let i = 0; i < 5; i++) {
    const members = ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'darwin-arm64'].map((s) => `@f${i}/core-${s}`);
    out.push({ name: `@f${i}/core`, version: '1.0.0', at: `node_modules/@f${i}/core`, fields: { optionalDependencies: Object.fromEntries(members.map((m) => [m, '1.0.0'])) } });
    for (const m of members) {
      const [os, cpu, abi] = m.split('core-')[1]!.split('-') as [string, string, string | undefined];
      out.push({ name: m, version: '1.0.0', at: `node_modules/${m}`, fields: { optional: true, os: [os], cpu: [cpu], ...(abi ? { libc: [abi === 'gnu' ? 'glibc' : 'musl'] } : {}) } });
    }
  }
  for (let i = 0; i < 20; i++) out.push({ name: `pb${i}`, version: '2.0.0', at: `node_modules/pb${i}`, fields: { hasInstallScript: true, dependencies: { 'node-gyp-build': '^4.8.0' } } });
  for (let i = 0; i < 10; i++) out.push({ name: `post${i}`, version: '1.0.0', at: `node_modules/post${i}`, fields: { hasInstallScript: true } });
  return out;
}

const ENTRIES = project();
const NATIVE = new Set([...Array.from({ length: 5 }, (_, i) => `@f${i}/core`), ...Array.from({ length: 20 }, (_, i) => `pb${i}`), ...Array.from({ length: 10 }, (_, i) => `post${i}`)]);

function packageLock(): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (const e of ENTRIES) packages[e.at] = { version: e.version, resolved: `https://registry.npmjs.org/${e.name}/-/x-${e.version}.tgz`, integrity: `sha512-${e.name}`, ...e.fields };
  return `${JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`;
}

const yamlList = (v: unknown): string => `[${(v as string[]).join(', ')}]`;

/** pnpm 9's lock; `folded`: one package with a folded `deprecated:` message (outside the block subset). */
function pnpmLock(folded = false): string {
  const lines = ["lockfileVersion: '9.0'", '', 'packages:', ''];
  for (const e of ENTRIES) {
    lines.push(`  '${e.name}@${e.version}':`, `    resolution: {integrity: sha512-${e.name}}`);
    for (const k of ['cpu', 'os', 'libc'] as const) if (e.fields[k]) lines.push(`    ${k}: ${yamlList(e.fields[k])}`);
    if (folded && e.name === 'p1500') lines.push('    deprecated: >-', '      no longer', '      supported');
    lines.push('');
  }
  lines.push('snapshots:', '');
  for (const e of ENTRIES) {
    const deps = e.fields['dependencies'] as Record<string, string> | undefined;
    const optional = e.fields['optionalDependencies'] as Record<string, string> | undefined;
    lines.push(`  '${e.name}@${e.version}':${deps || optional || e.fields['optional'] ? '' : ' {}'}`);
    if (deps) lines.push('    dependencies:', ...Object.keys(deps).map((d) => `      ${d}: 1.0.0`));
    if (optional) lines.push('    optionalDependencies:', ...Object.keys(optional).map((d) => `      '${d}': 1.0.0`));
    if (e.fields['optional']) lines.push('    optional: true');
    lines.push('');
  }
  return lines.join('\n');
}

function yarnLock(): string {
  const lines = ['__metadata:', '  version: 8', '  cacheKey: 10c0', ''];
  for (const e of ENTRIES) {
    lines.push(`"${e.name}@npm:^${e.version}":`, `  version: ${e.version}`, `  resolution: "${e.name}@npm:${e.version}"`);
    const deps = { ...(e.fields['dependencies'] as object | undefined), ...(e.fields['optionalDependencies'] as object | undefined) };
    if (Object.keys(deps).length > 0) lines.push('  dependencies:', ...Object.keys(deps).map((d) => `    "${d}": "npm:1.0.0"`));
    if (e.fields['optionalDependencies']) lines.push('  dependenciesMeta:', ...Object.keys(e.fields['optionalDependencies'] as object).flatMap((d) => [`    "${d}":`, '      optional: true']));
    if (e.fields['cpu']) lines.push(`  conditions: os=${(e.fields['os'] as string[])[0]} & cpu=${(e.fields['cpu'] as string[])[0]}`);
    lines.push(`  checksum: 10c0/${e.name.replace(/\W/g, '')}`, '  languageName: node', '  linkType: hard', '');
  }
  return lines.join('\n');
}

/** Yarn 1's yarn.lock (its own format, not YAML). */
function yarnClassicLock(): string {
  const lines = ['# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.', '# yarn lockfile v1', '', ''];
  const q = (n: string): string => (n.startsWith('@') ? `"${n}"` : n);
  for (const e of ENTRIES) {
    lines.push(`"${e.name}@^${e.version}":`, `  version "${e.version}"`, `  resolved "https://registry.yarnpkg.com/${e.name}/-/x-${e.version}.tgz#${'a'.repeat(40)}"`, `  integrity sha512-${e.name}`);
    for (const [field, key] of [['dependencies', 'dependencies'], ['optionalDependencies', 'optionalDependencies']] as const) {
      const deps = e.fields[field] as Record<string, string> | undefined;
      if (deps) lines.push(`  ${key}:`, ...Object.keys(deps).map((d) => `    ${q(d)} "^1.0.0"`));
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** npm 6's package-lock.json (lockfileVersion 1): a `dependencies` tree, nested copies under their parent. */
function packageLockV1(): string {
  const top: Record<string, Record<string, unknown>> = {};
  const node = (e: Entry): Record<string, unknown> => ({ version: e.version, resolved: `https://registry.npmjs.org/${e.name}/-/x-${e.version}.tgz`, integrity: `sha512-${e.name}`, ...(e.fields['optional'] ? { optional: true } : {}), ...(e.fields['dependencies'] ? { requires: e.fields['dependencies'] } : {}) });
  for (const e of ENTRIES) {
    const [, parent] = /^node_modules\/(.+)\/node_modules\//.exec(e.at) ?? [];
    if (parent === undefined) {
      top[e.name] = { ...node(e), ...top[e.name] };
      continue;
    }
    const owner = (top[parent] ??= {});
    const nested = (owner['dependencies'] ??= {}) as Record<string, unknown>;
    nested[e.name] = node(e);
  }
  return `${JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 1, requires: true, dependencies: top }, null, 2)}\n`;
}

const WHEELS = ['cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64', 'cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64', 'cp312-cp312-win_amd64'];
const H = `sha256:${'a'.repeat(64)}`;

function uvLock(): string {
  const lines = ['version = 1', 'requires-python = ">=3.12"', ''];
  for (let i = 0; i < PURE; i++) {
    lines.push('[[package]]', `name = "py${i}"`, `version = "1.${i}"`, 'source = { registry = "https://pypi.org/simple" }');
    if (i % 3) lines.push('dependencies = [', `    { name = "py${(i * 7) % PURE}" },`, ']');
    lines.push(`sdist = { url = "https://f/py${i}-1.${i}.tar.gz", hash = "${H}", size = 1 }`, 'wheels = [');
    for (const t of i % 10 ? ['py3-none-any'] : WHEELS) lines.push(`    { url = "https://f/py${i}-1.${i}-${t}.whl", hash = "${H}", size = 1 },`);
    lines.push(']', '');
  }
  return lines.join('\n');
}

function poetryLock(): string {
  const lines: string[] = [];
  for (let i = 0; i < PURE; i++) {
    lines.push('[[package]]', `name = "py${i}"`, `version = "1.${i}"`, 'description = ""', 'optional = false', 'python-versions = ">=3.8"', 'files = [');
    for (const t of i % 10 ? ['py3-none-any'] : WHEELS) lines.push(`    {file = "py${i}-1.${i}-${t}.whl", hash = "${H}"},`);
    lines.push(']', '');
    if (i % 3) lines.push('[package.dependencies]', `py${(i * 7) % PURE} = ">=1"`, '');
  }
  lines.push('[metadata]', 'lock-version = "2.1"', 'python-versions = ">=3.12"', 'content-hash = "x"', '');
  return lines.join('\n');
}

function pipfileLock(): string {
  // a package named as the index (`pypi`) after thousands of `"index": "pypi"` values
  const entry = (i: number): [string, unknown] => [`py${i}`, { hashes: [H], index: 'pypi', version: `==1.${i}` }];
  const half = PURE / 2;
  return JSON.stringify(
    {
      _meta: { 'pipfile-spec': 6, requires: { python_version: '3.12' }, sources: [{ name: 'pypi', url: 'https://pypi.org/simple', verify_ssl: true }] },
      default: Object.fromEntries([...Array.from({ length: half }, (_, i) => entry(i)), ['pypi', { version: '==1.0' }]]),
      develop: Object.fromEntries(Array.from({ length: half }, (_, i) => entry(half + i))),
    },
    null,
    4,
  );
}

/** How many characters `run` searches through `String#indexOf` and `#includes` (from where each search starts to where it stops). */
function charactersSearched(run: () => void): number {
  const proto = String.prototype as { indexOf: (this: string, s: string, from?: number) => number; includes: (this: string, s: string, from?: number) => boolean };
  const { indexOf, includes } = proto;
  let searched = 0;
  const counted = (self: string, s: string, from = 0): number => {
    const at = indexOf.call(self, s, from);
    searched += (at === -1 ? self.length : at + s.length) - Math.max(0, Math.min(from, self.length));
    return at;
  };
  proto.indexOf = function (this: string, s, from) {
    return counted(this, s, from);
  };
  proto.includes = function (this: string, s, from) {
    return counted(this, s, from) !== -1;
  };
  try {
    run();
  } finally {
    proto.indexOf = indexOf;
    proto.includes = includes;
  }
  return searched;
}

/** Reads a lock, counting what its reader searches; the text is searched at most 8 times over. */
function readCounted(file: string, text: string): Lockfile {
  let lock: Lockfile | undefined;
  const searched = charactersSearched(() => void (lock = readLockfile(file, text)));
  assert.ok(searched <= 8 * text.length, `${file}: ${searched} characters searched in a text of ${text.length}`);
  assert.ok(lock);
  return lock;
}

/** A text's lines; `at(pos)`: the line of a 1-based position, from its column on. */
function linesOf(text: string): { lines: string[]; at: (pos: { line: number; column: number } | undefined) => string } {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  return {
    lines,
    at: (pos) => {
      assert.ok(pos);
      return (lines[pos.line - 1] ?? '').slice(pos.column - 1);
    },
  };
}

describe('lockfiles of thousands of entries', () => {
  test('package-lock.json as npm writes it, minified, and with CRLF: every entry, each at its key', () => {
    const canonical = packageLock();
    for (const text of [canonical, JSON.stringify(JSON.parse(canonical)), canonical.replace(/\n/g, '\r\n')]) {
      const lock = readCounted('package-lock.json', text);
      assert.equal(lock.packages.length, ENTRIES.length);
      const { at } = linesOf(text);
      lock.packages.forEach((p, i) => assert.equal(at(p.position).slice(0, ENTRIES[i]!.at.length + 3), `"${ENTRIES[i]!.at}":`, p.key));
    }
  });

  test('pnpm-lock.yaml (also with one folded scalar, an entry the yaml library reads) and yarn.lock: every entry at its key', () => {
    for (const [file, text, key] of [
      ['pnpm-lock.yaml', pnpmLock(), (e: Entry) => `'${e.name}@${e.version}':`],
      ['pnpm-lock.yaml', pnpmLock(true), (e: Entry) => `'${e.name}@${e.version}':`],
      ['yarn.lock', yarnLock(), (e: Entry) => `"${e.name}@npm:^${e.version}":`],
    ] as const) {
      const lock = readCounted(file, text);
      assert.equal(lock.packages.length, ENTRIES.length, file);
      const { at } = linesOf(text);
      lock.packages.forEach((p, i) => assert.equal(at(p.position), key(ENTRIES[i]!), p.key));
      assert.deepEqual(lock.warnings, []);
    }
  });

  test('Yarn 1 yarn.lock and package-lock.json v1: every entry read, each at its key', () => {
    const yarn = yarnClassicLock();
    const classic = readCounted('yarn.lock', yarn);
    assert.equal(classic.packages.length, ENTRIES.length);
    const { at } = linesOf(yarn);
    classic.packages.forEach((p) => assert.equal(at(p.position), `"${p.name}@^${p.version}":`, p.key));
    const v1 = packageLockV1();
    const lock = readCounted('package-lock.json', v1);
    assert.equal(lock.packages.length, ENTRIES.length);
    const lines = linesOf(v1);
    lock.packages.forEach((p) => assert.ok(lines.at(p.position).startsWith(`"${p.name}": {`), p.key));
  });

  test('uv.lock, poetry.lock and Pipfile.lock: every entry at its header or key', () => {
    for (const [file, text] of [['uv.lock', uvLock()], ['poetry.lock', poetryLock()]] as const) {
      const lock = readCounted(file, text);
      assert.equal(lock.packages.length, PURE, file);
      const { lines, at } = linesOf(text);
      lock.packages.forEach((p) => {
        assert.equal(at(p.position), '[[package]]', `${file} ${p.key}`);
        assert.equal(lines[p.position!.line], `name = "${p.name}"`, `${file} ${p.key}`);
      });
    }
    const text = pipfileLock();
    const lock = readCounted('Pipfile.lock', text);
    assert.equal(lock.packages.length, PURE + 1);
    const { at } = linesOf(text);
    lock.packages.forEach((p) => assert.ok(at(p.position).startsWith(`"${p.name}": {`), p.key));
  });

  test('the analysis asks the registry about the native packages only, the same for every npm format', async () => {
    const targets: DepsTarget[] = [{ platform: parsePlatform('linux/amd64'), libc: 'glibc' }, { platform: parsePlatform('linux/arm64'), libc: 'musl' }];
    const rows: string[][] = [];
    for (const [file, text] of [['package-lock.json', packageLock()], ['pnpm-lock.yaml', pnpmLock()], ['yarn.lock', yarnLock()]] as const) {
      // the install scripts run JavaScript (their manifests say so): rows of none (and pnpm and Yarn do not record them)
      const meta = memoryNpm({
        files: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`pb${i}@2.0.0`, ['package/prebuilds/linux-x64/node.napi.node']])),
        manifests: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`post${i}@1.0.0`, { scripts: { postinstall: 'node ./banner.js' } }])),
      });
      const reports = await analyzeNpmLockfile(readLockfile(file, text), targets, meta);
      rows.push(reports.map((r) => `${r.name}@${r.version} ${r.mechanism} ${r.cells.map((c) => c.status).join(',')}`));
      const about = new Set(meta.asked.map((q) => q.split(' ')[1]!.replace(/(?<=.)@[^@]*$/, '')));
      assert.deepEqual([...about].filter((n) => !NATIVE.has(n)), [], file);
      assert.ok(meta.asked.length <= 4 * NATIVE.size, `${file}: ${meta.asked.length} questions`);
    }
    assert.equal(rows[0]!.length, 25);
    assert.deepEqual(rows[1], rows[0]);
    assert.deepEqual(rows[2], rows[0]);
  });
});

/**
 * The direction of dependencies between rooms, as go-containerregistry keeps `daemon` out of
 * `crane` with a test: every import in src/ is read, and one that goes from a lower room to a
 * higher one, or into the CLI, fails here naming the file, the import and the rule it breaks.
 *
 * The table below is the whole rule set, listed bottom to top: a room may import only rooms
 * listed before it, which the test checks too, so the table cannot allow a cycle. A new room gets
 * a line (what it holds, what it may import); a new file outside every room fails until it has one. Tests may import any room but
 * the CLI (a conformance suite opens sources through the registry), and nothing outside the CLI
 * imports it.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

interface Room {
  readonly name: string;
  /** files and folders (ending in `/`) under src/ */
  readonly paths: readonly string[];
  /** the rooms its files may import (its own always) */
  readonly mayImport: readonly string[];
}

interface Exception {
  readonly file: string;
  readonly room: string;
  readonly why: string;
}

interface Table {
  readonly rooms: readonly Room[];
  /** single imports against the table, each with its reason; one that is no longer needed fails */
  readonly exceptions: readonly Exception[];
}

/** Bottom to top: every room's `mayImport` names only rooms listed before it (checked below). */
const ROOMS: Table = {
  rooms: [
    { name: 'errors', paths: ['errors.ts'], mayImport: [] },
    { name: 'fs', paths: ['fs/'], mayImport: ['errors'] },
    { name: 'net', paths: ['net/'], mayImport: ['errors'] },
    { name: 'platform', paths: ['platform/'], mayImport: ['errors'] },
    // what a file's bytes say (ELF, PE, scripts), without I/O
    { name: 'binary', paths: ['binary/'], mayImport: ['errors', 'platform'] },
    // an image's root file system read from layer streams (tar, whiteouts, the merged tree, safe extraction)
    { name: 'rootfs', paths: ['rootfs/'], mayImport: ['errors', 'fs'] },
    { name: 'dockerfile', paths: ['dockerfile/'], mayImport: ['errors', 'platform'] },
    { name: 'oci', paths: ['oci/'], mayImport: ['errors', 'fs', 'platform'] },
    // native dependencies per target platform: lockfile readers, npm and Python registries, the installing stage
    { name: 'deps', paths: ['deps/'], mayImport: ['errors', 'fs', 'net', 'platform', 'rootfs', 'dockerfile', 'oci'] },
    // rules name base images with the OCI reference grammar (pure, no I/O)
    { name: 'rules', paths: ['rules/'], mayImport: ['errors', 'platform', 'dockerfile', 'oci', 'deps'] },
    { name: 'registry', paths: ['registry/'], mayImport: ['errors', 'fs', 'net', 'platform', 'oci'] },
    { name: 'engine', paths: ['engine/'], mayImport: ['errors', 'fs', 'net', 'platform', 'oci'] },
    { name: 'sources', paths: ['sources.ts'], mayImport: ['errors', 'platform', 'oci', 'registry', 'engine'] },
    // what `anyarch platforms` does for a list of images, above the sources it opens
    { name: 'images', paths: ['images.ts'], mayImport: ['errors', 'platform', 'oci', 'registry', 'sources'] },
    { name: 'check', paths: ['check/'], mayImport: ['errors', 'fs', 'net', 'platform', 'dockerfile', 'rules', 'oci', 'registry', 'deps'] },
    { name: 'smoke', paths: ['smoke/'], mayImport: ['errors', 'fs', 'platform', 'binary', 'rootfs', 'oci', 'engine'] },
    {
      name: 'verify',
      paths: ['verify/'],
      mayImport: ['errors', 'fs', 'net', 'platform', 'binary', 'rootfs', 'dockerfile', 'oci', 'deps', 'rules', 'registry', 'engine', 'sources', 'check', 'smoke'],
    },
    // multi-platform images made (engines, assemble, go), composed, pushed by digest, verified, then tagged
    {
      name: 'build',
      paths: ['build/'],
      mayImport: ['errors', 'fs', 'net', 'platform', 'binary', 'rootfs', 'dockerfile', 'oci', 'deps', 'rules', 'registry', 'engine', 'sources', 'images', 'check', 'smoke', 'verify'],
    },
    { name: 'config', paths: ['config.ts'], mayImport: ['errors', 'fs', 'platform', 'rules', 'check', 'verify'] },
    {
      name: 'cli',
      paths: ['cli/'],
      mayImport: ['errors', 'fs', 'net', 'platform', 'dockerfile', 'oci', 'deps', 'rules', 'registry', 'engine', 'sources', 'images', 'check', 'binary', 'rootfs', 'smoke', 'verify', 'build', 'config'],
    },
    {
      name: 'index',
      paths: ['index.ts'],
      mayImport: ['errors', 'fs', 'net', 'platform', 'dockerfile', 'oci', 'deps', 'rules', 'registry', 'engine', 'sources', 'images', 'check', 'binary', 'rootfs', 'smoke', 'verify', 'build', 'config'],
    },
  ],
  exceptions: [
    { file: 'rules/tester.ts', room: 'check', why: 'the rule tester runs rules through the engine, as ESLint’s RuleTester runs them through Linter' },
  ],
};

const isTest = (file: string): boolean => /\.test\.ts$/.test(file);

/**
 * What is wrong with the table itself: a room may import only rooms listed before it (so the
 * table is bottom to top and no cycle can be allowed by it), and only rooms that exist.
 */
function tableProblems(table: Table): string[] {
  const out: string[] = [];
  const names = table.rooms.map((r) => r.name);
  table.rooms.forEach((room, i) => {
    for (const dep of room.mayImport) {
      const j = names.indexOf(dep);
      if (j === -1) out.push(`room ${room.name} may import ${dep}, which is no room of the table`);
      else if (j >= i) out.push(`room ${room.name} may import ${dep}, which is not below it: list the rooms bottom to top; a room imports only rooms listed before it`);
    }
  });
  return out;
}

function roomOf(table: Table, file: string): Room | undefined {
  return table.rooms.find((r) => r.paths.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
}

/** The src/-relative files a source imports (relative specifiers only; `.js` read as `.ts`). */
function importsOf(file: string, text: string): { specifier: string; target: string }[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('.'))
    .map((specifier) => ({ specifier, target: path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts') }));
}

/** Every broken rule, one sentence each; `files` maps src/-relative paths to their text. */
function violations(files: ReadonlyMap<string, string>, table: Table): string[] {
  const out: string[] = [];
  const used = new Set<Exception>();
  for (const [file, text] of files) {
    const room = roomOf(table, file);
    if (!room && !isTest(file)) {
      out.push(`src/${file} belongs to no room: add it to the table in src/architecture.test.ts`);
      continue;
    }
    for (const { specifier, target } of importsOf(file, text)) {
      if (target.startsWith('../')) continue; // outside src/ (test support)
      const to = roomOf(table, target);
      if (!to || to === room) continue;
      if (isTest(file)) {
        if (to.name === 'cli') out.push(`src/${file} imports '${specifier}' (cli): nothing outside src/cli imports the CLI`);
        continue;
      }
      if (!room || room.mayImport.includes(to.name)) continue;
      const exception = table.exceptions.find((e) => e.file === file && e.room === to.name);
      if (exception) {
        used.add(exception);
        continue;
      }
      const rule = to.name === 'cli' ? 'nothing outside src/cli imports the CLI' : `a lower room never imports a higher one`;
      const may = room.mayImport.length ? room.mayImport.join(', ') : 'nothing';
      out.push(`src/${file} imports '${specifier}' (${to.name}): ${room.name} may import ${may}; ${rule}`);
    }
  }
  for (const e of table.exceptions) {
    if (!used.has(e)) out.push(`the exception for src/${e.file} importing ${e.room} is no longer needed: remove it from the table`);
  }
  return out;
}

// dist/src/architecture.test.js -> <repo>/src
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

test('every import in src/ goes down the table of rooms (or stays in its room)', () => {
  const files = new Map(sourcesUnder(SRC).map((f) => [path.relative(SRC, f).split(path.sep).join('/'), readFileSync(f, 'utf8')]));
  assert.ok(files.size > 100, `only ${files.size} files under ${SRC}`);
  assert.deepEqual(tableProblems(ROOMS), []);
  assert.deepEqual(violations(files, ROOMS), []);
});

describe('the dependency check itself', () => {
  const table: Table = {
    rooms: [
      { name: 'low', paths: ['low/', 'low.ts'], mayImport: [] },
      { name: 'high', paths: ['high/'], mayImport: ['low'] },
      { name: 'cli', paths: ['cli/'], mayImport: ['low', 'high'] },
    ],
    exceptions: [],
  };

  test('a lower room importing a higher one is caught, naming the file, the import and the rule', () => {
    const files = new Map([
      ['low/a.ts', "import { b } from '../high/b.js';\nexport const a = 1;\n"],
      ['high/b.ts', "import { a } from '../low/a.js';\nimport { c } from './c.js';\nexport const b = a;\n"],
    ]);
    assert.deepEqual(violations(files, table), ["src/low/a.ts imports '../high/b.js' (high): low may import nothing; a lower room never imports a higher one"]);
  });

  test('dynamic imports, re-exports and type-only imports count; comments, strings and packages do not', () => {
    const files = new Map([
      ['low.ts', "// import x from './high/x.js'\nconst s = \"import('./high/y.js')\";\nimport ts from 'typescript';\nexport type { T } from './high/t.js';\n"],
      ['low/d.ts', "export async function f() { return import('../high/d.js'); }\n"],
      ['low/t.ts', "import type { T } from '../high/t.js';\n"],
    ]);
    assert.deepEqual(
      violations(files, table).map((v) => v.split(':')[0]),
      ["src/low.ts imports './high/t.js' (high)", "src/low/d.ts imports '../high/d.js' (high)", "src/low/t.ts imports '../high/t.js' (high)"],
    );
  });

  test('nothing imports the CLI, tests included; tests may import any other room', () => {
    const files = new Map([
      ['high/h.ts', "import { main } from '../cli/main.js';\n"],
      ['low/l.test.ts', "import { h } from '../high/h.js';\nimport { main } from '../cli/main.js';\nimport { img } from '../../test/support/images.js';\n"],
      ['cli/main.test.ts', "import { main } from './main.js';\nimport { h } from '../high/h.js';\n"],
    ]);
    assert.deepEqual(violations(files, table), [
      "src/high/h.ts imports '../cli/main.js' (cli): high may import low; nothing outside src/cli imports the CLI",
      "src/low/l.test.ts imports '../cli/main.js' (cli): nothing outside src/cli imports the CLI",
    ]);
  });

  test('the table itself is bottom to top: a room may import only rooms listed before it, so no cycle can be allowed', () => {
    assert.deepEqual(tableProblems(table), []);
    const cycle: Table = { rooms: [{ name: 'low', paths: ['low/'], mayImport: ['high'] }, { name: 'high', paths: ['high/'], mayImport: ['low'] }], exceptions: [] };
    assert.deepEqual(tableProblems(cycle), ['room low may import high, which is not below it: list the rooms bottom to top; a room imports only rooms listed before it']);
    const upsideDown: Table = { rooms: [{ name: 'high', paths: ['high/'], mayImport: ['low'] }, { name: 'low', paths: ['low/'], mayImport: [] }], exceptions: [] };
    assert.equal(tableProblems(upsideDown).length, 1);
    const odd: Table = { rooms: [{ name: 'self', paths: ['self/'], mayImport: ['self', 'nowhere'] }], exceptions: [] };
    assert.deepEqual(tableProblems(odd), [
      'room self may import self, which is not below it: list the rooms bottom to top; a room imports only rooms listed before it',
      'room self may import nowhere, which is no room of the table',
    ]);
  });

  test('a file outside every room fails until the table names it; an exception is honoured while it is needed', () => {
    assert.deepEqual(violations(new Map([['stray.ts', '']]), table), ['src/stray.ts belongs to no room: add it to the table in src/architecture.test.ts']);
    const withException: Table = { ...table, exceptions: [{ file: 'low/a.ts', room: 'high', why: 'test' }] };
    assert.deepEqual(violations(new Map([['low/a.ts', "import '../high/b.js';\n"]]), withException), []);
    assert.deepEqual(violations(new Map([['low/a.ts', '']]), withException), ['the exception for src/low/a.ts importing high is no longer needed: remove it from the table']);
  });
});

/**
 * What the README shows of the library is true: its `As a library` snippets use the calls
 * commands are made of (checkPaths, checkOutcome, the image layer, inspectImages) and type-check
 * against the published declarations; the platforms section names every output format and exit
 * 2 for content that fails its digest; and `platformString`, once public, is still there as a
 * deprecated alias of `formatPlatform`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import * as anyarch from './index.js';

// dist/src/library-docs.test.js -> the repository
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  assert.notEqual(start, -1, `README.md has "${heading}"`);
  const next = README.slice(start + heading.length + 2).search(/\n#{2,3} /);
  return README.slice(start, next === -1 ? undefined : start + heading.length + 2 + next);
}

/** Type errors (and deprecation suggestions) of snippets compiled as modules of this package, importing 'anyarch'. */
function compile(snippets: readonly string[]): { errors: string[]; deprecated: string[] } {
  const files = new Map(snippets.map((text, i) => [path.join(ROOT, `readme-snippet-${i}.ts`), text]));
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => {
    const text = files.get(path.resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, lang, true) : getSourceFile(name, lang, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(path.resolve(name)) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(path.resolve(name)) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const text = (d: ts.Diagnostic): string => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  const mine = [...files.keys()].map((f) => program.getSourceFile(f) as ts.SourceFile);
  const errors = [...program.getGlobalDiagnostics(), ...mine.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])].map(text);
  // deprecation is a suggestion of the language service, not an error
  const service = ts.createLanguageService({
    getCompilationSettings: () => options,
    getScriptFileNames: () => [...files.keys()],
    getScriptVersion: () => '1',
    getScriptSnapshot: (name) => {
      const t = files.get(path.resolve(name)) ?? ts.sys.readFile(name);
      return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
    },
    getCurrentDirectory: () => ROOT,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (name) => files.has(path.resolve(name)) || ts.sys.fileExists(name),
    readFile: (name) => files.get(path.resolve(name)) ?? ts.sys.readFile(name),
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
  const deprecated = [...files.keys()].flatMap((f) => service.getSuggestionDiagnostics(f).filter((d) => d.reportsDeprecated).map(text));
  return { errors, deprecated };
}

test('the README shows the library as the commands use it, and its snippets type-check', () => {
  const lib = section('### As a library');
  const snippets = [...lib.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  assert.ok(snippets.length >= 3, 'one text, a whole check, images');
  const all = snippets.join('\n');
  for (const call of ['checkSource(', 'checkPaths(', 'checkOutcome(', 'openSource(', 'openRoot(', '.imageFor(', 'inspectImages(']) assert.ok(all.includes(call), call);
  assert.deepEqual(compile(snippets).errors, []);
});

test('the README platforms section names every output format and exit 2 for content that fails its digest', () => {
  const platforms = section('### Which platforms does an image publish?');
  assert.match(platforms, /--format json/);
  assert.match(platforms, /--format sarif\|github/);
  assert.match(platforms, /fails (it|its digest)[^.]*exits 2/);
});

test('platformString is still exported, as a deprecated alias of formatPlatform', () => {
  const legacy = anyarch as unknown as Record<string, unknown>;
  assert.equal(legacy.platformString, anyarch.formatPlatform);
  const { errors, deprecated } = compile(["import { platformString } from 'anyarch';\nexport const s: string = platformString({ os: 'linux', architecture: 'arm', variant: 'v7' });\n"]);
  assert.deepEqual(errors, []);
  // marked @deprecated for editors: the import and the call are struck through
  assert.ok(deprecated.length > 0 && deprecated.every((d) => /'platformString' is deprecated/.test(d)), deprecated.join('\n'));
});

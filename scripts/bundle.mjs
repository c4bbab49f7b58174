#!/usr/bin/env node
// Bundles the command line into one CommonJS file, dist/cli/anyarch.cjs (run after tsc: it reads
// dist/src). `bin/anyarch.js` loads it with a V8 code cache. Why one file: `anyarch check
// Dockerfile` spent most of its time in Node's module loader (resolving, reading and compiling
// some 300 ES modules and the CommonJS packages); one file is read and compiled once, and its
// compiled code can be cached (docs/benchmarks.md, "Start-up"). The library entry (`exports`,
// dist/src) is not bundled.
//
// - Everything is bundled, packages included: nothing is resolved in node_modules at run time.
// - CommonJS output, so that bin/anyarch.js can compile it with `vm.Script` and a code cache
//   (Node 20 has no code cache for ES modules); `import.meta.url` becomes the bundle's own URL
//   (dist/cli/anyarch.cjs): a module that finds files beside itself through it must look for
//   them from the package root instead, as src/fs/package-version.ts does (it walks up to
//   package.json). Any other `import.meta` fails the build.
// - Whitespace and syntax are minified, identifiers are not: stack traces keep their names.
// - The sources load CommonJS packages with `const require = createRequire(import.meta.url)`
//   (src/cli/packages.ts says why); that line is dropped here so that esbuild sees, and bundles,
//   the `require('…')` calls after it.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** The bundle's first line: this, then the SHA-256 of the rest in hex (read by bin/anyarch.js). */
const BUNDLE_ID_PREFIX = '// anyarch-bundle sha256:';
const CREATE_REQUIRE = /^const require = createRequire\(import\.meta\.url\);$/m;

/** Drops the createRequire line of the modules that have one, so their `require` calls get bundled. */
const bundleRequires = {
  name: 'bundle-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('createRequire(import.meta.url)')) return undefined;
      if (!CREATE_REQUIRE.test(source)) {
        throw new Error(`${args.path}: createRequire(import.meta.url) used other than as \`const require = createRequire(import.meta.url);\` (scripts/bundle.mjs)`);
      }
      return { contents: source.replace(CREATE_REQUIRE, ''), loader: 'js' };
    });
  },
};

/**
 * commander requires node:child_process at its top for one use: running an executable subcommand
 * (`childProcess.spawn`), which anyarch has none of. Loading it (with dgram and net's socket list)
 * cost every command ~5 ms of its start; here it loads on that use only. The line must be
 * commander's own, or the build fails (a new commander is checked, not silently left eager).
 */
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(COMMANDER_CHILD_PROCESS)) throw new Error(`${args.path}: no \`${COMMANDER_CHILD_PROCESS}\` line (scripts/bundle.mjs, lazyChildProcess)`);
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: source.replace(COMMANDER_CHILD_PROCESS, lazy), loader: 'js' };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: ['dist/src/cli/main.js'],
  outfile: 'dist/cli/anyarch.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // ANYARCH_BUNDLE_PLAIN=1: readable output, for profiles by line
  minifyWhitespace: process.env.ANYARCH_BUNDLE_PLAIN !== '1',
  minifySyntax: process.env.ANYARCH_BUNDLE_PLAIN !== '1',
  minifyIdentifiers: false,
  keepNames: false,
  legalComments: 'none',
  define: { 'import.meta.url': '__anyarchBundleUrl' },
  banner: { js: "'use strict';var __anyarchBundleUrl=require('node:url').pathToFileURL(__filename).href;" },
  plugins: [bundleRequires, lazyChildProcess],
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'error' },
  metafile: true,
});
if (result.errors.length > 0) process.exit(1);
// bin/anyarch.js reads the bundle as Latin-1 (a one-byte string, the cheapest for V8 to take):
// esbuild escapes non-ASCII characters by default (charset: ascii), and this keeps it so
const bundleUrl = new URL('../dist/cli/anyarch.cjs', import.meta.url);
const bytes = await readFile(bundleUrl);
const wide = bytes.findIndex((b) => b > 0x7f);
if (wide !== -1 && process.env.ANYARCH_BUNDLE_PLAIN !== '1') throw new Error(`dist/cli/anyarch.cjs: a non-ASCII byte at offset ${wide} (scripts/bundle.mjs)`);
// The bundle's first line names its SHA-256 (of the rest): bin/anyarch.js names its code cache by
// it without loading node:crypto and hashing 1.5 MB on every start (~8 ms). Written to a
// temporary file, then renamed over the bundle.
const id = createHash('sha256').update(bytes).digest('hex');
const tmp = fileURLToPath(bundleUrl) + `.${process.pid}.tmp`;
await writeFile(tmp, Buffer.concat([Buffer.from(`${BUNDLE_ID_PREFIX}${id}\n`, 'latin1'), bytes]));
await rename(tmp, bundleUrl);
const out = Object.entries(result.metafile.outputs).find(([f]) => f.endsWith('anyarch.cjs'));
if (process.argv.includes('--verbose') && out) console.log(`${out[0]}: ${out[1].bytes} bytes from ${Object.keys(out[1].inputs).length} modules`);

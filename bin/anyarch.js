#!/usr/bin/env node
// The anyarch command (CommonJS: bin/package.json; an ES module entry costs Node's ESM loader).
// It runs dist/cli/anyarch.cjs, the command line bundled into one file by `npm run build`
// (scripts/bundle.mjs), and sets the exit code (never process.exit, so output is flushed).
//
// The bundle is compiled with a V8 code cache kept beside anyarch's other caches
// (`$ANYARCH_CACHE_DIR`, else `$XDG_CACHE_HOME/anyarch`, else `~/.cache/anyarch`; in `compile/`,
// one file per bundle and command, named by the bundle's SHA-256): a run then skips most of
// parsing and compiling (docs/benchmarks.md, "Start-up").
// A cache that is missing, rejected by V8 (another Node) or cannot be written only costs that
// time; ANYARCH_NO_COMPILE_CACHE=1 turns it off.
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '../dist/cli/anyarch.cjs');

/** The directory of compiled-code caches, or undefined when it is not safely ours. */
function cacheDir(env) {
  if (env.ANYARCH_NO_COMPILE_CACHE === '1') return undefined;
  const base = env.ANYARCH_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'anyarch');
  return path.join(base, 'compile');
}

function readCache(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** How many cache files are kept (newest first): every command of two builds. */
const KEEP = 16;

/** Writes the cache atomically and keeps the newest {@link KEEP} files of the directory. Never throws. */
function writeCache(dir, file, data) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
    const entries = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.v8cache'))
      .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(KEEP)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    // a cache only saves time
  }
}

/** The commands (src/cli/main.ts); any other first argument shares one cache. */
const COMMANDS = new Set(['check', 'parse', 'rules', 'platforms', 'verify', 'build', 'assemble', 'merge']);

/**
 * Loads the bundle (with the code cache when there is one) and returns its exports. The bundle is
 * ASCII (scripts/bundle.mjs checks), so Latin-1 decodes it exactly, into a one-byte string.
 */
function load() {
  const bytes = fs.readFileSync(BUNDLE);
  const dir = cacheDir(process.env);
  // one cache per command: each holds the functions its first run compiled (check's are not verify's)
  const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
  const file = dir && path.join(dir, `${createHash('sha256').update(bytes).digest('hex')}-${process.arch}-${command}.v8cache`);
  const cachedData = file && readCache(file);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bytes.toString('latin1')}\n})`, {
    filename: BUNDLE,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, BUNDLE, path.dirname(BUNDLE));
  // after the command ran: the cache then holds the functions it compiled too
  const save = file && (!cachedData || script.cachedDataRejected) ? () => writeCache(dir, file, script.createCachedData()) : undefined;
  return { main: mod.exports.main, save };
}

async function run() {
  let loaded;
  try {
    loaded = load();
  } catch (e) {
    if (e && e.code === 'ENOENT' && e.path === BUNDLE) {
      process.stderr.write('anyarch: not built yet; run `npm run build` in the anyarch package\n');
      process.exitCode = 3;
      return;
    }
    throw e;
  }
  // Write errors on standard output and error (`| head` closing the pipe, a full disk) are
  // handled by main (src/cli/io.ts: processIo), which listens to both streams.
  const code = await loaded.main(process.argv.slice(2));
  if (loaded.save) loaded.save();
  process.exitCode = code;
}

run();

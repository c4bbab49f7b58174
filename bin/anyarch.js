#!/usr/bin/env node
// The anyarch command (CommonJS: bin/package.json; an ES module entry costs Node's ESM loader).
// It runs dist/cli/anyarch.cjs, the command line bundled into one file by `npm run build`
// (scripts/bundle.mjs), and sets the exit code (never process.exit, so output is flushed).
//
// The bundle is compiled with a V8 code cache kept beside anyarch's other caches
// (`$ANYARCH_CACHE_DIR`, else `$XDG_CACHE_HOME/anyarch`, else `~/.cache/anyarch`; in `compile/`,
// one file per bundle and command, named by the bundle's SHA-256 as its first line names it): a
// run then skips most of parsing and compiling (docs/benchmarks.md, "Start-up").
// A cache that is missing, rejected by V8 (another Node) or cannot be written only costs that
// time; ANYARCH_NO_COMPILE_CACHE=1 turns it off.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const BUNDLE = path.join(__dirname, '../dist/cli/anyarch.cjs');

/** The directory of compiled-code caches (it may not exist yet), or undefined when it is turned off. */
function cacheDir(env) {
  if (env.ANYARCH_NO_COMPILE_CACHE === '1') return undefined;
  const base = env.ANYARCH_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache'), 'anyarch');
  return path.join(base, 'compile');
}

/**
 * Is this (lstat) ours alone: owned by this user and writable by no one else? A code cache is
 * compiled code that V8 runs without checking what it contains, so one that another user could
 * have written (a shared `ANYARCH_CACHE_DIR`, a `sudo` run with the user's HOME) is never read,
 * nor written into. Where there are no user ids (Windows), the file system's rights decide.
 */
function ours(st) {
  if (typeof process.getuid !== 'function') return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** Is the cache directory a real directory of ours (created here when missing)? */
function usableDir(dir) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    return st.isDirectory() && ours(st);
  } catch {
    return false;
  }
}

function readCache(file) {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile() || !ours(st)) return undefined;
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** How many cache files are kept (newest first): every command of two builds. */
const KEEP = 16;

/** Writes the cache atomically and keeps the newest {@link KEEP} files of the directory. Never throws. */
function writeCache(dir, file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    // a new file (never through a link left at that name), renamed over the old one when whole
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    const entries = fs
      .readdirSync(dir)
      .filter((name) => name.endsWith('.v8cache'))
      .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(KEEP)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    // a cache only saves time; a temporary file left by a failed write is removed
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do
    }
  }
}

/** The bundle's first line, written by scripts/bundle.mjs: this, then the SHA-256 of the rest. */
const ID_PREFIX = '// anyarch-bundle sha256:';

/**
 * The bundle's SHA-256, as its first line names it (no node:crypto to load: ~8 ms of every
 * start), or computed when that line is missing. V8 also refuses a cache made for a source of
 * another length.
 */
function bundleId(bytes) {
  if (bytes.toString('latin1', 0, ID_PREFIX.length) === ID_PREFIX) {
    const id = bytes.toString('latin1', ID_PREFIX.length, ID_PREFIX.length + 64);
    if (/^[0-9a-f]{64}$/.test(id) && bytes[ID_PREFIX.length + 64] === 0x0a) return id;
  }
  return require('node:crypto').createHash('sha256').update(bytes).digest('hex');
}

/** The commands (src/cli/main.ts); any other first argument shares one cache. */
const COMMANDS = new Set(['check', 'parse', 'rules', 'platforms', 'verify', 'build', 'assemble', 'merge', 'deps']);

/**
 * Loads the bundle (with the code cache when there is one) and returns its exports. The bundle is
 * ASCII (scripts/bundle.mjs checks), so Latin-1 decodes it exactly, into a one-byte string.
 */
function load() {
  const bytes = fs.readFileSync(BUNDLE);
  const wanted = cacheDir(process.env);
  const dir = wanted && usableDir(wanted) ? wanted : undefined;
  // one cache per command: each holds the functions its first run compiled (check's are not verify's)
  const command = COMMANDS.has(process.argv[2]) ? process.argv[2] : 'other';
  const file = dir && path.join(dir, `${bundleId(bytes)}-${process.arch}-${command}.v8cache`);
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

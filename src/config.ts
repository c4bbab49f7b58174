/**
 * `.anyarch.yaml`: the project's settings for `anyarch check`.
 *
 * ```yaml
 * platforms: [linux/amd64, linux/arm64]   # the CPUs the image must work on; one entry = single-arch on purpose
 * rules:                                  # per rule (id or name): off | info | warning | error
 *   AA101: off
 * ignore: [vendor/, "**\/testdata/**"]    # gitignore-style patterns, relative to this file
 * fixStyle: targetarch                    # or detect: how --fix rewrites architecture words
 * failOn: info                            # error | warning | info | never
 * offline: true                           # never ask registries about base images (AA114, AA115)
 * buildPlatform: linux/arm64              # the build machine's platform (default: this machine's)
 * verify:                                 # anyarch verify
 *   allow:                                # foreign files that are there on purpose (AA212 information)
 *     - path: usr/aarch64-linux-gnu/**    # a glob over paths in the image
 *       reason: the arm64 cross toolchain's sysroot
 * ```
 *
 * Unknown keys and bad values are errors (E_CONFIG) naming the file, line and key, so that a typo
 * never silently turns a setting off. Command-line flags override the file.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import type { Node, Pair } from 'yaml';
import { resolveRuleRef, type SeverityOverride } from './check/engine.js';
import { FAIL_ON_VALUES, type FailOn } from './check/outcome.js';
import { AnyarchError, isAnyarchError } from './errors.js';
import { NotRegularFileError, TooLargeError, formatBytes, readRegularFile } from './fs/bounded-read.js';
import { errnoReason } from './fs/errno.js';
import { dirsToWorkTreeRoot } from './fs/work-tree.js';
import { parsePlatform, parsePlatformList, type Platform } from './platform/index.js';
import { RULES } from './rules/index.js';
import type { FixStyle, Rule } from './rules/types.js';
import { allowPattern, type AllowEntry } from './verify/allow.js';

/**
 * yaml is loaded only when there is a config file to read (most runs have none), with `require`
 * (see src/cli/packages.ts; the CLI's bundle, scripts/bundle.mjs, bundles the call).
 */
type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
const require = createRequire(import.meta.url);
function yaml(): YamlLib {
  return (yamlLib ??= require('yaml') as YamlLib);
}

export const FIX_STYLES: readonly FixStyle[] = ['targetarch', 'detect'];
export const SEVERITY_OVERRIDES: readonly SeverityOverride[] = ['off', 'info', 'warning', 'error'];

/**
 * The largest config file read (real ones are a few hundred bytes); a larger one is an E_CONFIG
 * error, read no further than this.
 */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/** File names looked for, in order, in each directory. */
export const CONFIG_FILE_NAMES: readonly string[] = ['.anyarch.yaml', '.anyarch.yml'];

export interface Config {
  /** absolute path of the file the settings came from */
  readonly file: string;
  /** the directory of `file`: `ignore` patterns are relative to it */
  readonly dir: string;
  readonly platforms?: readonly Platform[];
  /** per-rule severity, keyed by rule id (names in the file are resolved to ids) */
  readonly rules?: Readonly<Record<string, SeverityOverride>>;
  /** gitignore-style patterns of paths to skip, relative to `dir` */
  readonly ignore?: readonly string[];
  readonly fixStyle?: FixStyle;
  readonly failOn?: FailOn;
  /** never look up base images in registries */
  readonly offline?: boolean;
  readonly buildPlatform?: Platform;
  /** settings of `anyarch verify` */
  readonly verify?: VerifyConfig;
}

/** The `verify:` key. */
export interface VerifyConfig {
  /** foreign files that are there on purpose: each becomes AA212 information with its reason */
  readonly allow?: readonly AllowEntry[];
}

/** Keys of `verify:`, and of each `verify.allow` entry. */
const VERIFY_KEYS = ['allow'] as const;
const ALLOW_KEYS = ['path', 'reason'] as const;

export interface LoadConfigOptions {
  /** the rules that `rules:` may name (default: the built-in rules) */
  readonly rules?: readonly Rule[];
  /** how to name the file in error messages (default: the path as given) */
  readonly displayPath?: string;
}

const KEYS = ['platforms', 'rules', 'ignore', 'fixStyle', 'failOn', 'offline', 'buildPlatform', 'verify'] as const;

/** Keys people bring from hadolint or from habit, and what anyarch calls them. */
const KEY_HINTS: Readonly<Record<string, string>> = {
  'failure-threshold': 'failOn', // hadolint
  'fail-on': 'failOn',
  failon: 'failOn',
  'fix-style': 'fixStyle',
  fixstyle: 'fixStyle',
  platform: 'platforms',
  rule: 'rules',
  ignored: 'rules (with `ID: off`)', // hadolint
  override: 'rules (with `ID: error|warning|info`)', // hadolint
  ignores: 'ignore',
  // plain HTTP is the user's call (--insecure-registry), never a checked-out repository's: a
  // pull request could otherwise send CI's registry credentials over plain HTTP
  insecureRegistries: '--insecure-registry on the command line (not configurable in the repository)',
  exclude: 'ignore',
};

/** Whether `p` names something other than a directory: a FIFO or device found is refused when read, never skipped. */
async function isFile(p: string): Promise<boolean> {
  try {
    return !(await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The config file that applies in `startDir`: `.anyarch.yaml` (or `.yml`) in `startDir` or the
 * nearest parent, searching up to the root of the enclosing git work tree (the directory holding
 * `.git`). Outside a git work tree only `startDir` itself is searched.
 */
export async function findConfig(startDir: string): Promise<string | undefined> {
  const start = path.resolve(startDir);
  for (const d of (await dirsToWorkTreeRoot(start)) ?? [start]) {
    for (const name of CONFIG_FILE_NAMES) {
      const p = path.join(d, name);
      if (await isFile(p)) return p;
    }
  }
  return undefined;
}

/** Reads and validates a config file. Throws AnyarchError E_CONFIG. */
export async function loadConfig(file: string, opts: LoadConfigOptions = {}): Promise<Config> {
  const shown = opts.displayPath ?? file;
  let text: string;
  try {
    // bounded, and never opening a FIFO, device or socket (see fs/bounded-read.ts)
    text = (await readRegularFile(file, MAX_CONFIG_FILE_BYTES)).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      e instanceof TooLargeError
        ? `larger than ${formatBytes(MAX_CONFIG_FILE_BYTES)}, the most anyarch reads from a config file`
        : e instanceof NotRegularFileError && code !== 'EISDIR'
          ? `not a regular file: ${e.kind}`
          : code === 'ENOENT'
            ? 'no such file'
            : code === 'EISDIR'
              ? 'it is a directory'
              : errnoReason(e);
    throw new AnyarchError('E_CONFIG', `cannot read config file: ${why}`, 'Pass an existing file to --config, or --no-config.', { file: shown });
  }
  return parseConfig(text, path.resolve(file), { ...opts, displayPath: shown });
}

/** Validates config text (no I/O). `file` is where it came from (for `dir` and messages). */
/** Deepest `[`/`{` nesting a config may have (a real one has two or three levels). */
export const MAX_CONFIG_FLOW_DEPTH = 64;
/** Widest indentation, block indicators (`- `, `? `) included, a config line may have. */
export const MAX_CONFIG_INDENT = 256;

/**
 * Where a config nests past the limits, found by one pass over the text before the YAML parser
 * sees it: the parser recurses once per level, so a few thousand levels (`- - - ...`, `[[[...`)
 * overflow its stack, and at some depths abort the whole process (V8 runs out of memory compiling
 * a regular expression the size of the indentation), which no handler can catch.
 */
function nestingPastLimit(text: string): { line: number; column: number; what: string } | undefined {
  let line = 1;
  let lineStart = 0;
  let depth = 0;
  let quote: string | undefined;
  let atIndent = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      atIndent = true;
      indent = 0;
      continue;
    }
    if (atIndent) {
      if (c === ' ' || c === '\t' || ((c === '-' || c === '?') && (text[i + 1] === ' ' || text[i + 1] === '\t'))) {
        indent++;
        if (indent > MAX_CONFIG_INDENT) return { line, column: i - lineStart + 1, what: `indented past ${MAX_CONFIG_INDENT} columns` };
        continue;
      }
      atIndent = false;
    }
    if (quote) {
      // in double quotes a backslash escapes the next character (`"\\"` is closed); in single
      // quotes, '' is an escaped quote and reads here as a close and a reopen, the same thing
      if (quote === '"' && c === '\\' && text[i + 1] !== '\n') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '#' && (i === lineStart || text[i - 1] === ' ' || text[i - 1] === '\t')) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? text.length : end) - 1;
      continue;
    }
    // a quote opens a quoted scalar only where one may start (an apostrophe inside a plain
    // scalar, `don't`, hides nothing from the count)
    if ((c === '"' || c === "'") && (i === lineStart || /[\s[{,:-]/.test(text[i - 1]!))) quote = c;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_CONFIG_FLOW_DEPTH) return { line, column: i - lineStart + 1, what: `brackets nested past ${MAX_CONFIG_FLOW_DEPTH} levels` };
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

export function parseConfig(text: string, file: string, opts: LoadConfigOptions = {}): Config {
  const shown = opts.displayPath ?? file;
  const rules = opts.rules ?? RULES;
  const { LineCounter, isMap, isScalar, isSeq, parseDocument } = yaml();
  const lc = new LineCounter();
  const tooDeep = nestingPastLimit(text);
  if (tooDeep) {
    throw new AnyarchError(
      'E_CONFIG',
      `nested deeper than anyarch reads a config (${tooDeep.what})`,
      'A config needs a few levels at most (rules: AA101: error); write it flat.',
      { file: shown, line: tooDeep.line, column: tooDeep.column },
    );
  }
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });

  const fail = (message: string, at: number | undefined, hint?: string): never => {
    const pos = at === undefined ? undefined : lc.linePos(at);
    throw new AnyarchError('E_CONFIG', message, hint, { file: shown, ...(pos ? { line: pos.line, column: pos.col } : {}) });
  };
  const startOf = (n: unknown): number | undefined => (n && typeof n === 'object' && 'range' in n ? (n as Node).range?.[0] : undefined);

  const yamlError = doc.errors[0];
  if (yamlError) fail(`invalid YAML: ${yamlError.message.split('\n')[0]}`, yamlError.pos[0]);

  const base = { file: path.resolve(file), dir: path.dirname(path.resolve(file)) };
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return base; // empty file
  if (!isMap(root)) return fail(`the config must be a mapping of settings (${KEYS.join(', ')})`, startOf(root));

  const out: {
    platforms?: Platform[];
    rules?: Record<string, SeverityOverride>;
    ignore?: string[];
    fixStyle?: FixStyle;
    failOn?: FailOn;
    offline?: boolean;
    buildPlatform?: Platform;
    verify?: VerifyConfig;
  } = {};

  const scalarString = (n: unknown, what: string): string => {
    if (isScalar(n) && typeof n.value === 'string') return n.value;
    return fail(`${what} must be a string`, startOf(n));
  };
  const stringList = (n: unknown, what: string): { value: string; node: unknown }[] => {
    if (isScalar(n) && typeof n.value === 'string') return [{ value: n.value, node: n }];
    if (!isSeq(n)) return fail(`${what} must be a list of strings`, startOf(n));
    return n.items.map((item) => ({ value: scalarString(item, `each entry of ${what}`), node: item }));
  };
  const oneOf = <T extends string>(n: unknown, what: string, allowed: readonly T[]): T => {
    const v = isScalar(n) ? n.value : undefined;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    const shownValue = isScalar(n) ? JSON.stringify(n.value) : 'this value';
    return fail(`${what}: ${shownValue} is not one of ${allowed.join(', ')}`, startOf(n));
  };

  for (const pair of root.items as Pair[]) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (key === undefined) fail('config keys must be plain words', startOf(keyNode));
    const k = key as string;
    if (!(KEYS as readonly string[]).includes(k)) {
      const instead = KEY_HINTS[k] ?? KEY_HINTS[k.toLowerCase()] ?? closest(k, KEYS);
      fail(
        `unknown key "${k}"`,
        startOf(keyNode),
        instead ? `Did you mean ${instead}? Valid keys: ${KEYS.join(', ')}.` : `Valid keys: ${KEYS.join(', ')}.`,
      );
    }
    const v = pair.value;
    switch (k as (typeof KEYS)[number]) {
      case 'platforms': {
        const items = stringList(v, 'platforms');
        if (items.length === 0) fail('platforms must name at least one platform', startOf(v), 'A single-architecture project writes `platforms: [linux/amd64]`.');
        const list: Platform[] = [];
        for (const item of items) {
          try {
            list.push(...parsePlatformList(item.value));
          } catch (e) {
            if (!isAnyarchError(e)) throw e;
            fail(`platforms: ${e.message}`, startOf(item.node), e.hint);
          }
        }
        out.platforms = list;
        break;
      }
      case 'rules': {
        if (v === null || (isScalar(v) && v.value === null)) {
          out.rules = {};
          break;
        }
        if (!isMap(v)) fail('rules must be a mapping of rule id or name to off, info, warning or error', startOf(v));
        const map: Record<string, SeverityOverride> = {};
        for (const rp of (v as { items: Pair[] }).items) {
          const ref = isScalar(rp.key) ? String(rp.key.value) : undefined;
          if (ref === undefined) fail('rule keys must be rule ids or names', startOf(rp.key));
          const id = resolveRuleRef(ref as string, rules);
          if (!id) fail(`rules: unknown rule "${ref}"`, startOf(rp.key), 'Run `anyarch rules` to list rule ids and names.');
          map[id as string] = oneOf(rp.value, `rules.${ref}`, SEVERITY_OVERRIDES);
        }
        out.rules = map;
        break;
      }
      case 'ignore':
        out.ignore = stringList(v, 'ignore').map((x) => x.value);
        break;
      case 'fixStyle':
        out.fixStyle = oneOf(v, 'fixStyle', FIX_STYLES);
        break;
      case 'failOn':
        out.failOn = oneOf(v, 'failOn', FAIL_ON_VALUES);
        break;
      case 'offline':
        if (!isScalar(v) || typeof v.value !== 'boolean') fail('offline must be true or false', startOf(v));
        out.offline = (v as { value: boolean }).value;
        break;
      case 'buildPlatform': {
        const item = scalarString(v, 'buildPlatform');
        try {
          out.buildPlatform = parsePlatform(item);
        } catch (e) {
          if (!isAnyarchError(e)) throw e;
          fail(`buildPlatform: ${e.message}`, startOf(v), e.hint);
        }
        break;
      }
      case 'verify': {
        if (v === null || (isScalar(v) && v.value === null)) {
          out.verify = {};
          break;
        }
        if (!isMap(v)) fail('verify must be a mapping (allow: [...])', startOf(v));
        const verify: { allow?: AllowEntry[] } = {};
        for (const vp of (v as { items: Pair[] }).items) {
          const vk = isScalar(vp.key) ? String(vp.key.value) : undefined;
          if (vk !== 'allow') {
            const instead = vk ? closest(vk, VERIFY_KEYS) : undefined;
            fail(`verify: unknown key "${vk ?? '?'}"`, startOf(vp.key), `${instead ? `Did you mean ${instead}? ` : ''}Valid keys: ${VERIFY_KEYS.join(', ')}.`);
          }
          if (!isSeq(vp.value)) fail('verify.allow must be a list of { path, reason }', startOf(vp.value), "e.g. allow: [{ path: 'usr/aarch64-linux-gnu/**', reason: 'cross toolchain' }]");
          const entries: AllowEntry[] = [];
          for (const item of (vp.value as { items: unknown[] }).items) {
            if (!isMap(item)) fail('each verify.allow entry must be a mapping with path and reason', startOf(item));
            const fields: Partial<Record<(typeof ALLOW_KEYS)[number], string>> = {};
            for (const ap of (item as { items: Pair[] }).items) {
              const ak = isScalar(ap.key) ? String(ap.key.value) : undefined;
              if (ak !== 'path' && ak !== 'reason') {
                const instead = ak ? closest(ak, ALLOW_KEYS) : undefined;
                fail(`verify.allow: unknown key "${ak ?? '?'}"`, startOf(ap.key), `${instead ? `Did you mean ${instead}? ` : ''}Valid keys: ${ALLOW_KEYS.join(', ')}.`);
              }
              fields[ak as 'path' | 'reason'] = scalarString(ap.value, `verify.allow ${ak as string}`);
              if (ak === 'path') {
                try {
                  allowPattern(fields.path as string);
                } catch (e) {
                  if (!isAnyarchError(e)) throw e;
                  fail(`verify.allow path: ${e.message}`, startOf(ap.value), e.hint);
                }
              }
            }
            if (fields.path === undefined || fields.reason === undefined || fields.reason.trim() === '') {
              fail('each verify.allow entry needs a path and a reason', startOf(item), 'the reason is shown with every file it allows, so that a reader knows why the foreign file is there');
            }
            entries.push({ path: fields.path as string, reason: fields.reason as string });
          }
          verify.allow = entries;
        }
        out.verify = verify;
        break;
      }
    }
  }
  return { ...base, ...out };
}

/** The candidate within edit distance 2 of `word` (case-insensitive), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

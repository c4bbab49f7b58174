/**
 * The run-time architecture detectors of shell scripts: `uname -m`, `arch`,
 * `dpkg --print-architecture` and `apk --print-arch`, found in `$( )` / backquotes, with the
 * literal `sed s/x/y/` rewrites (or dpkg's `awk -F-`) piped after them, the word each prints per
 * platform, and the variables a RUN assigns from them (AA104, AA105).
 */
import type { ShellSource } from '../../dockerfile/model.js';
import { toVocabulary, type Platform, type Vendor, type Vocabulary } from '../../platform/index.js';
import { settingWords, splitAssignment, substitutions, unquoteDouble, type Span } from './shell-words.js';

/** The vocabularies the run-time detectors print in. */
export type DetectorVocabulary = Extract<Vocabulary, 'uname' | 'dpkg' | 'apk'>;

export interface Detector {
  /** the detector as a person would name it: `uname -m`, `arch`, `dpkg --print-architecture` */
  readonly name: string;
  readonly vocabulary: DetectorVocabulary;
  /** literal `sed s/from/to/` rewrites piped after it, applied in order */
  readonly rewrites: readonly Rewrite[];
}

/** One literal `s/from/to/[g]` of sed. */
export interface Rewrite {
  readonly from: string;
  readonly to: string;
  readonly start: boolean;
  readonly end: boolean;
  readonly global: boolean;
}

const DETECTOR_RE =
  /^\s*(?:(uname)\s+(?:-m|--machine)|(arch)|(dpkg)\s+--print-architecture|(apk)\s+--print-arch)(?:\s+2>\s*\/dev\/null)?\s*$/;

function baseDetector(text: string): Detector | undefined {
  const m = DETECTOR_RE.exec(text);
  if (!m) return undefined;
  if (m[1]) return { name: 'uname -m', vocabulary: 'uname', rewrites: [] };
  if (m[2]) return { name: 'arch', vocabulary: 'uname', rewrites: [] };
  if (m[3]) return { name: 'dpkg --print-architecture', vocabulary: 'dpkg', rewrites: [] };
  return { name: 'apk --print-arch', vocabulary: 'apk', rewrites: [] };
}

/** Splits a simple command line into words, removing plain quotes (no expansions expected). */
function simpleWords(text: string): string[] | undefined {
  const out: string[] = [];
  let rest = text.trim();
  while (rest.length) {
    let word = '';
    let i = 0;
    while (i < rest.length && !/\s/.test(rest[i] as string)) {
      const c = rest[i] as string;
      if (c === "'" || c === '"') {
        const close = rest.indexOf(c, i + 1);
        if (close === -1) return undefined;
        word += rest.slice(i + 1, close);
        i = close + 1;
      } else if (/[$`\\;&|<>()]/.test(c)) return undefined;
      else {
        word += c;
        i++;
      }
    }
    out.push(word);
    rest = rest.slice(i).trimStart();
  }
  return out;
}

const LITERAL = /^[A-Za-z0-9_-]+$/;

/** Literal rewrites of a `sed` command (`sed -e s/x86_64/amd64/ -e 's/aarch64/arm64/'`), or undefined. */
function sedRewrites(text: string): Rewrite[] | undefined {
  const words = simpleWords(text);
  if (!words || words[0] !== 'sed') return undefined;
  const scripts: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '-e' || w === '--expression') {
      const next = words[++i];
      if (next === undefined) return undefined;
      scripts.push(next);
    } else if (w.startsWith('-e')) scripts.push(w.slice(2));
    else if (w === '-E' || w === '-r' || w === '--regexp-extended') continue;
    else if (w.startsWith('-')) return undefined;
    else if (scripts.length === 0) scripts.push(w);
    else return undefined; // a file argument: sed reads it, not the pipe
  }
  const out: Rewrite[] = [];
  for (const script of scripts) {
    for (const part of script.split(/[;\n]/)) {
      const cmd = part.trim();
      if (!cmd) continue;
      if (cmd[0] !== 's' || cmd.length < 4) return undefined;
      const d = cmd[1] as string;
      const pieces = cmd.slice(2).split(d);
      if (pieces.length !== 3) return undefined;
      let [from, to, flags] = pieces as [string, string, string];
      if (flags !== '' && flags !== 'g') return undefined;
      const start = from.startsWith('^');
      const end = from.endsWith('$');
      from = from.slice(start ? 1 : 0, end ? -1 : undefined);
      if (!LITERAL.test(from) || !/^[A-Za-z0-9_.-]*$/.test(to)) return undefined;
      out.push({ from, to, start, end, global: flags === 'g' });
    }
  }
  return out.length ? out : undefined;
}

/** `awk -F- '{ print $NF }'` (the postgres image's way to drop dpkg prefixes). */
function isLastFieldAwk(text: string): boolean {
  return /^\s*awk\s+-F\s*'?-'?\s+'\{\s*print\s+\$NF;?\s*\}'\s*$/.test(text);
}

/**
 * The detector a substitution's inner text is: the bare detector, or one piped through literal
 * `sed s/x/y/` rewrites (whose result is computed) or, for dpkg, `awk -F- '{print $NF}'`.
 * Any other pipeline (a mapping we cannot read) gives undefined.
 */
export function detectorOf(inner: string): Detector | undefined {
  if (!mayContainDetector(inner)) return undefined;
  const parts = inner.split('|');
  if (parts.some((p) => p.trim() === '')) return undefined; // `||` or an empty stage
  const base = baseDetector(parts[0] as string);
  if (!base) return undefined;
  const rewrites: Rewrite[] = [];
  for (const p of parts.slice(1)) {
    if (base.vocabulary === 'dpkg' && isLastFieldAwk(p)) continue;
    const r = sedRewrites(p);
    if (!r) return undefined;
    rewrites.push(...r);
  }
  return rewrites.length ? { ...base, name: `${base.name} | sed`, rewrites } : base;
}

/** The word a detector prints for a platform, after its rewrites. */
export function detectorWord(det: Detector, p: Platform): string | undefined {
  let w = toVocabulary(p, det.vocabulary);
  if (w === undefined) return undefined;
  for (const r of det.rewrites) {
    if (r.start && r.end) w = w === r.from ? r.to : w;
    else if (r.start) w = w.startsWith(r.from) ? r.to + w.slice(r.from.length) : w;
    else if (r.end) w = w.endsWith(r.from) ? w.slice(0, w.length - r.from.length) + r.to : w;
    else w = r.global ? w.split(r.from).join(r.to) : w.replace(r.from, r.to);
  }
  return w;
}

/** Cheap pre-filter: can this text contain a detector at all? */
export function mayContainDetector(text: string): boolean {
  return /uname|\barch\b|--print-arch/.test(text);
}

/** A variable that a RUN sets from a detector and never maps. */
export interface DetectorVariable {
  readonly name: string;
  readonly detector: Detector;
  /** shell-text offset after which the variable holds the detector's word */
  readonly from: number;
  /** false when the variable is reassigned to something else (a mapping), read, looped over or unset */
  readonly clean: boolean;
}

/**
 * The detector a whole assignment value is (`$(uname -m)`, `"$(dpkg --print-architecture)"`,
 * `` `apk --print-arch` ``), or undefined.
 */
function detectorValue(value: string): Detector | undefined {
  const v = unquoteDouble(value);
  const subs = substitutions(v);
  if (subs.length !== 1) return undefined;
  const s = subs[0] as Span;
  if (s.kind !== 'command' || s.start !== 0 || s.end !== v.length) return undefined;
  return detectorOf(s.inner);
}

/** Variables assigned from a detector in one shell source, with whether they stay unmapped. */
export function detectorVariables(source: ShellSource): Map<string, DetectorVariable> {
  const out = new Map<string, DetectorVariable>();
  if (!mayContainDetector(source.text.text)) return out;
  const tainted = new Set<string>();
  for (const cmd of source.script.commands) {
    for (const w of settingWords(cmd)) {
      const a = splitAssignment(w.raw);
      if (!a) continue;
      const det = detectorValue(a.value);
      const prev = out.get(a.name);
      if (det) {
        if (prev && JSON.stringify(prev.detector) !== JSON.stringify(det)) tainted.add(a.name);
        if (!prev) out.set(a.name, { name: a.name, detector: det, from: w.end, clean: true });
        continue;
      }
      if (!prev) continue;
      // `${arch##*-}` strips dpkg's `musl-linux-` style prefixes and keeps dpkg's words
      const strip = new RegExp(`^\\$\\{${a.name}##?\\*-\\}$`);
      if (prev.detector.vocabulary === 'dpkg' && strip.test(unquoteDouble(a.value))) continue;
      tainted.add(a.name);
    }
    const first = cmd.words[0]?.value;
    if (first === 'unset' || first === 'read' || first === 'mapfile' || first === 'readarray' || first === 'getopts') {
      for (const w of cmd.words.slice(1)) if (out.has(w.value)) tainted.add(w.value);
    }
  }
  const text = source.text.text;
  for (const v of out.values()) {
    if (tainted.has(v.name) || new RegExp(`\\b(for|select)\\s+${v.name}\\b`).test(text)) {
      out.set(v.name, { ...v, clean: false });
    }
  }
  return out;
}

/** Every word the vendor publishes for an architecture (`arm`: armhf, armel ...), over all its variants. */
export function vendorWordsForArchitecture(vendor: Vendor, architecture: string): Set<string> {
  const out = new Set<string>();
  for (const table of [vendor.tokens, ...vendor.variants.map((v) => v.tokens)]) {
    for (const [key, token] of Object.entries(table)) {
      if (token && token !== '*' && key.split('/')[0] === architecture) out.add(token);
    }
  }
  return out;
}

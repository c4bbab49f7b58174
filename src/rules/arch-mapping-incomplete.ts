/**
 * AA118: a mapping of the platform (`case "$(uname -m)" in x86_64) A=amd64;; esac`, an
 * `if`/`elif`, `[ … ] && A=x || A=y`, `sed`/`cut`/`tr`, `${TARGETPLATFORM#linux/}`, an inline
 * `$([ … ] && echo a || echo b)`) evaluated for each target platform: a platform it leaves
 * unmapped, maps to another platform's word or to a word the vendor does not use, a test of a
 * value the detector never prints, or branches that are all for other platforms.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, ShellSource } from '../dockerfile/model.js';
import {
  formatPlatform,
  matchVendorUrl,
  platformsForToken,
  toVocabulary,
  tryParsePlatform,
  vendorToken,
  type Platform,
  type Vocabulary,
} from '../platform/index.js';
import { detectorOf, detectorVariables, vendorWordsForArchitecture } from './support/detectors.js';
import { evaluateMappings, globRegExp, mayHaveMapping, mayHavePlatformSource, runMayHaveMapping, type Choice, type PlatformRun, type PlatformSource, type Slot, type WordValue } from './support/mapping.js';
import { spanRange } from './support/shell-words.js';
import { findArchTokens, tokenNames, type TokenHit } from './support/url-arch-words.js';
import { defineRule, type RuleContext } from './types.js';

const messages = {
  exits:
    '{platform} takes no branch of this mapping ({subject} is {word} there): the RUN reaches `exit` and the build fails for it',
  noTargetBranch:
    'every branch of this mapping is for {others}; {platform} takes none ({subject} is {word} there), so {outcome}',
  unmapped:
    '{platform}: no branch of the mapping sets {variable} ({subject}), so the download asks for nothing: {request}',
  otherPlatform:
    '{platform}: the mapping leaves {variable}={value}, a word for {meant}: the download asks for another platform\'s file',
  vendorWord: '{platform}: the mapping gives {variable}={value}, but {vendor} names that download {vendorWord}',
  kept:
    '{platform}: no branch maps {variable}, which keeps {source}\'s {value}; the other branches use {vocabulary} words, which call it {expected}',
  neverPrinted:
    '{source} never prints {tested}: on {platform} it prints {word}, so this branch is never taken there',
  wrongSource: '{source} {why}, never {tested}: this mapping takes no branch for {platform} (use `uname -m` or `dpkg --print-architecture`)',
} as const;

type Id = keyof typeof messages;

/** Platforms a literal arch word (globs stripped) names. */
function named(literal: string): Platform[] {
  const bare = literal.replace(/[*?[\]"']/g, '');
  if (bare.includes('/')) {
    const p = tryParsePlatform(bare);
    return p ? [p] : [];
  }
  return bare ? platformsForToken(bare) : [];
}

/** Same CPU (arm variants must agree when both say). */
function sameCpu(a: Platform, b: Platform): boolean {
  return a.architecture === b.architecture && (a.architecture !== 'arm' || !a.variant || !b.variant || a.variant === b.variant);
}

function matches(pattern: string, word: string | undefined): boolean {
  if (word === undefined) return false;
  const re = globRegExp(pattern);
  return re ? re.test(word) : pattern === word;
}

const patternRes = new Map<string, RegExp>();

/** Does the source print, on some platform, a word the pattern matches? (memoised per source) */
function printable(src: PlatformSource, pattern: string): boolean {
  let m = printables.get(src);
  if (!m) {
    m = new Map();
    printables.set(src, m);
  }
  let r = m.get(pattern);
  if (r === undefined) {
    r = [...src.words].some((w) => matches(pattern, w));
    if (m.size > 1024) m.clear();
    m.set(pattern, r);
  }
  return r;
}
const printables = new WeakMap<PlatformSource, Map<string, boolean>>();

/** Where a case pattern is written (search after the subject), or undefined. */
function patternOffset(text: string, from: number, pattern: string): number | undefined {
  let re = patternRes.get(pattern);
  if (!re) {
    re = new RegExp(`(^|[\\s(|'"])${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=['"]?\\s*[|)])`, 'g');
    if (patternRes.size > 512) patternRes.clear();
    patternRes.set(pattern, re);
  }
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index + (m[1] ?? '').length : undefined;
}

const VOCABS: readonly Vocabulary[] = ['targetarch', 'go', 'dpkg', 'uname', 'apk', 'node', 'rpm'];
const VOCAB_TITLE: Readonly<Record<string, string>> = {
  targetarch: 'TARGETARCH/Go',
  go: 'Go',
  dpkg: 'Debian',
  uname: 'uname',
  apk: 'Alpine',
  node: 'Node.js',
  rpm: 'RPM',
};

interface Pending {
  id: Id;
  start: number;
  end: number;
  data: Record<string, string>;
  platforms: string[];
}

function fileOf(url: string): string {
  const q = url.split(/[?#]/)[0] ?? url;
  return q.slice(q.lastIndexOf('/') + 1) || q;
}

function analyse(model: Model, source: ShellSource, runs: readonly PlatformRun[], ctx: RuleContext<typeof messages>): void {
  const text = source.text.text;
  const pending = new Map<string, Pending>();
  const suppressed = new Set<string>();
  const add = (id: Id, start: number, end: number, p: Platform, data: Record<string, string>): void => {
    const key = `${id}|${start}|${end}`;
    const f = pending.get(key);
    const name = formatPlatform(p);
    if (f) {
      if (!f.platforms.includes(name)) f.platforms.push(name);
    } else pending.set(key, { id, start, end, data: { ...data, platform: name }, platforms: [name] });
  };
  const targets = runs.map((r) => r.platform);

  // tests of values the source never prints (class c), wrong detectors
  const seen = new Set<string>();
  for (const run of runs) {
    for (const c of run.choices) {
      const src = c.subject.src;
      if (!src || c.subject.o !== 'source') continue;
      const litKey = `${c.start}|${c.literal?.start ?? ''}`;
      if (seen.has(litKey)) continue;
      seen.add(litKey);
      const literals: { text: string; start: number; end: number; item?: number }[] = [];
      if (c.kind === 'case' && c.items) {
        let from = c.end;
        c.items.forEach((pats, item) => {
          for (const pat of pats) {
            if (pat === '*') continue;
            const at = patternOffset(text, from, pat);
            const start = at ?? c.start;
            if (at !== undefined) from = at + pat.length;
            literals.push({ text: pat, start, end: at !== undefined ? at + pat.length : c.end, item });
          }
        });
      } else if (c.literal) literals.push(c.literal);
      if (src.wrong) {
        const hit = literals.find((l) => named(l.text).length > 0 && !printable(src, l.text));
        if (!hit) continue;
        for (const p of targets) {
          if (!literals.some((l) => named(l.text).some((q) => sameCpu(q, p)))) continue;
          if (literals.some((l) => named(l.text).some((q) => sameCpu(q, p)) && matches(l.text, src.word(p)))) continue;
          add('wrongSource', c.start, c.end, p, { source: src.name, why: src.wrong, tested: hit.text });
          suppressed.add(formatPlatform(p));
        }
        continue;
      }
      for (const l of literals) {
        if (printable(src, l.text)) continue;
        // another pattern of the same item, or another test, that the source does print
        if (l.item !== undefined && (c.items?.[l.item] ?? []).some((pat) => printable(src, pat))) continue;
        const meant = targets.filter((p) => named(l.text).some((q) => sameCpu(q, p)));
        for (const p of meant) {
          const word = src.word(p);
          const pr = runs.find((r) => r.platform === p);
          // covered elsewhere: a case item or a test on this platform that matched its word
          const covered = pr?.choices.some(
            (x) =>
              x.subject.src === src &&
              ((x.kind === 'case' && x.start === c.start && x.taken !== undefined && x.taken >= 0 && (x.items?.[x.taken] ?? []).some((pat) => pat !== '*' && named(pat).some((q) => sameCpu(q, p)))) ||
                (x.kind === 'test' && x.literal !== undefined && x.literal.text === word)),
          );
          if (covered) continue;
          add('neverPrinted', l.start, l.end, p, { source: src.name, tested: l.text, word: word ?? 'nothing' });
          suppressed.add(formatPlatform(p));
        }
      }
    }
  }

  let vars: ReturnType<typeof detectorVariables> | undefined;
  const aa104 = (s: Slot): boolean => {
    if (s.origin !== 'source' || !s.src) return false;
    if (s.src.arg) return true; // a raw TARGETARCH in a vendor URL: AA101's
    if (s.command !== undefined) return detectorOf(s.command.slice(s.command.startsWith('$(') ? 2 : 1, -1)) !== undefined;
    return s.variable !== undefined && (vars ??= detectorVariables(source)).get(s.variable)?.clean === true;
  };

  const mappedAny = new Set(runs.flatMap((r) => [...r.mapped]));
  for (const run of runs) {
    const p = run.platform;
    if (suppressed.has(formatPlatform(p))) continue;
    if (run.exit) {
      const choice = run.exit.choice;
      if (!choice) continue;
      const subject = text.slice(choice.start, choice.end);
      const others = otherTargetsOnly(choice, runs);
      if (others) add('noTargetBranch', choice.start, choice.end, p, { others, subject, word: choice.subject.s, outcome: 'the RUN reaches `exit`' });
      else add('exits', run.exit.cmd.start, run.exit.cmd.end, p, { subject, word: choice.subject.s });
      continue;
    }
    for (const url of run.urls) urlFindings(run, url, runs, aa104, mappedAny, add, text);
    // a download word that is a URL on other platforms and none here (`wget ${URL}`, URL left at its default)
    for (const f of run.fetches) {
      if (!runs.some((r) => r !== run && r.urls.some((u) => u.word.start === f.word.start))) continue;
      const s = f.slots.find((x) => x.variable !== undefined && mappedAny.has(x.variable));
      if (!s) continue;
      const [start, end] = slotStart(f, s);
      add('unmapped', start, end, p, { variable: `$${s.variable}`, subject: lastChoiceSubject(run, text), request: f.text === '' ? '(an empty word)' : f.text });
    }
  }

  for (const f of pending.values()) {
    ctx.report({
      messageId: f.id,
      range: spanRange(model, source.text, f.start, f.end),
      data: f.data as never,
      platforms: f.platforms,
    });
  }
}

/** When every item of a case names only platforms outside the targets: those platforms. */
function otherTargetsOnly(choice: Choice, runs: readonly PlatformRun[]): string | undefined {
  if (choice.kind !== 'case' || !choice.items) return undefined;
  const specific = choice.items.flat().filter((p) => p !== '*');
  if (!specific.length) return undefined;
  const namedPlatforms = specific.flatMap(named);
  if (!namedPlatforms.length) return undefined;
  if (runs.some((r) => namedPlatforms.some((q) => sameCpu(q, r.platform)))) return undefined;
  return [...new Set(namedPlatforms.map(formatPlatform))].slice(0, 3).join(', ');
}

function slotStart(url: WordValue, s: Slot): [number, number] {
  const w = url.word;
  if (s.variable) {
    const m = new RegExp(`\\$\\{?${s.variable}\\b`).exec(w.raw);
    if (m) {
      let end = m.index + m[0].length;
      if (m[0].includes('{')) end = w.raw.indexOf('}', end) + 1 || end;
      return [w.start + m.index, w.start + end];
    }
  }
  if (s.command) {
    const i = w.raw.indexOf(s.command);
    if (i !== -1) return [w.start + i, w.start + i + s.command.length];
  }
  return [w.start, w.end];
}

function urlFindings(
  run: PlatformRun,
  url: WordValue,
  runs: readonly PlatformRun[],
  aa104: (s: Slot) => boolean,
  mappedAny: ReadonlySet<string>,
  add: (id: Id, start: number, end: number, p: Platform, data: Record<string, string>) => void,
  text: string,
): void {
  const p = run.platform;
  url.slots.forEach((s, idx) => {
    if (s.origin === 'none' && !(s.variable && mappedAny.has(s.variable))) return;
    if (aa104(s)) return;
    const [start, end] = slotStart(url, s);
    const variable = s.variable ? `$${s.variable}` : text.slice(start, end);
    if (s.value === '') {
      const c = run.choices[run.choices.length - 1];
      const others = c ? otherTargetsOnly(c, runs) : undefined;
      if (c && others) {
        add('noTargetBranch', c.start, c.end, p, {
          others,
          subject: text.slice(c.start, c.end),
          word: c.subject.s,
          outcome: `${variable} is empty and the download asks for ${fileOf(url.text)}`,
        });
      } else add('unmapped', start, end, p, { variable, subject: lastChoiceSubject(run, text), request: fileOf(url.text) });
      return;
    }
    // the vendor of the URL: with the word as it is, or with the slot as a placeholder (its word is not the vendor's)
    let m = matchVendorUrl(url.text, { allowVariables: true });
    let token: string | undefined;
    if (m && !m.isVariable && m.tokenStart !== -1 && m.tokenStart < s.to && m.tokenEnd > s.from) token = m.token;
    else {
      const templ = `${url.text.slice(0, s.from)}\${__AA}${url.text.slice(s.to)}`;
      m = matchVendorUrl(templ, { allowVariables: true });
      if (m && m.token === '${__AA}') token = s.value;
      else m = undefined;
    }
    const vw = m && token !== undefined ? vendorToken(m.vendor, p) : undefined;
    // the word written in the URL itself (`${TARGETARCH:+amd64/}`) is AA101's
    if (url.word.raw.includes(token ?? s.value) && (token ?? s.value) !== '') return;
    if (m && token !== undefined && typeof vw === 'string') {
      if (m.vendor.archIndependent || vw === '*' || token === vw) return;
      if (vendorWordsForArchitecture(m.vendor, p.architecture).has(token)) return;
      add('vendorWord', start, end, p, { variable, value: token, vendor: m.vendor.title, vendorWord: vw });
      return;
    }
    const hits = findArchTokens(url.text).filter((h) => h.start < Math.max(s.to, s.from + 1) && h.end > s.from);
    if (hits.length && !hits.some((h) => tokenNames(h, p))) {
      const h = hits[0] as TokenHit;
      if (url.word.raw.includes(h.text)) return;
      add('otherPlatform', start, end, p, { variable, value: h.text, meant: [...new Set(h.platforms.map(formatPlatform))].slice(0, 2).join(', ') });
      return;
    }
    // a source word kept by a mapping whose other branches speak another vocabulary
    if (s.origin === 'source' && s.src && s.variable && mappedAny.has(s.variable)) {
      const others: { q: Platform; value: string }[] = [];
      for (const r of runs) {
        if (r === run) continue;
        const u = r.urls.find((x) => x.word.start === url.word.start);
        const o = u?.slots[idx];
        if (o && o.origin === 'mapped' && o.variable === s.variable) others.push({ q: r.platform, value: o.value });
      }
      if (!others.length) return;
      const vocab = VOCABS.find((v) => others.every((o) => toVocabulary(o.q, v) === o.value));
      if (!vocab) return;
      const expected = toVocabulary(p, vocab);
      if (expected === undefined || expected === s.value) return;
      add('kept', start, end, p, { variable, source: s.src.name, value: s.value, vocabulary: VOCAB_TITLE[vocab] ?? vocab, expected });
    }
  });
}

function lastChoiceSubject(run: PlatformRun, text: string): string {
  const c = run.choices[run.choices.length - 1];
  if (!c) return 'no branch matched';
  return `${text.slice(c.start, c.end)} is ${c.subject.s === '' ? 'empty' : c.subject.s} there`;
}

/** What a RUN needs in its text before this rule evaluates it. */
const HINT = /uname|\barch\b|--print-arch|DEB_HOST_ARCH|TARGET(PLATFORM|ARCH|VARIANT)/;

export default defineRule({
  meta: {
    id: 'AA118',
    name: 'arch-mapping-incomplete',
    title: 'A mapping of the architecture misses a target platform or gives it the wrong word',
    severity: 'warning',
    description:
      'A `case`, `if`, `[ … ] && … || …`, `sed`/`cut`/`tr` or `${VAR/…/…}` that turns `uname -m`, `dpkg ' +
      '--print-architecture`, `apk --print-arch` or TARGETPLATFORM/TARGETARCH into a download word is evaluated ' +
      'for each target platform. A platform that falls through to `exit` or to no assignment, that ends with ' +
      "another platform's word or a word the vendor does not use, or whose branch tests a value the detector " +
      'never prints (`aarch64` for dpkg, `arm64` for `uname -m`, `uname -p`), is reported with the word it would request.',
    related: [],
    fixable: false,
  },
  messages,
  gate: HINT,
  check(model, ctx) {
    const targets = ctx.platforms.filter((p) => p.os === 'linux');
    if (!targets.length) return;
    for (const stage of model.stages) {
      if (stage.windows) continue;
      const instructions = stage.instructions as readonly Instruction[];
      instructions.forEach((ins, index) => {
        if (ins.keyword !== 'run' || !runMayHaveMapping(ins)) return;
        for (const source of model.shell(ins)) {
          if (!mayHavePlatformSource(source.text.text) || !mayHaveMapping(source.text.text)) continue;
          const runs = evaluateMappings(model, stage, index, source, targets);
          analyse(model, source, runs, ctx);
        }
      });
    }
  },
});


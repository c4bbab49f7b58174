/**
 * AA104: the word a run-time detector prints (`uname -m` says x86_64/aarch64) put straight into
 * the download URL of a vendor that spells architectures differently (Go wants amd64/arm64):
 * iegomez/mosquitto-go-auth#144, where `go1.13.8.linux-aarch64.tar.gz` was a 404.
 */
import type { Instruction } from '../dockerfile/ast.js';
import type { Model, ShellSource } from '../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../dockerfile/shell.js';
import { toSourceOffset, toSourceRange } from '../dockerfile/text.js';
import {
  formatPlatform,
  matchVendorUrl,
  vendorToken,
  type Platform,
  type Vendor,
} from '../platform/index.js';
import { isArchGuarded } from './support/arch-branches.js';
import {
  detectorOf,
  detectorWord,
  detectorVariables,
  mayContainDetector,
  vendorWordsForArchitecture,
  type Detector,
  type DetectorVariable,
} from './support/detectors.js';
import { inSingleQuotes } from './support/download.js';
import { mappingVariable } from './support/fix.js';
import { instructionMentions } from './support/mentions.js';
import { spanRange, wordPieces, type Span } from './support/shell-words.js';
import { defineRule, type Edit, type RuleContext } from './types.js';

const messages = {
  mismatch:
    '{detector} prints {word} on {platform}, but {vendor} names that download {vendorWord}: the URL does not exist there',
} as const;

/** Where a detector's word enters a URL. */
interface Use {
  readonly detector: Detector;
  /** the variable it came through, if any */
  readonly variable?: DetectorVariable;
  /** offsets in the raw word */
  readonly span: Span;
}

interface Template {
  readonly url: string;
  readonly uses: readonly Use[];
}

const URL_START = /[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The URL of a raw word as a template: quotes removed, each detector (inline or through an
 * unmapped variable) replaced by a marker `${__AAn}` that matchVendorUrl reads as a variable.
 */
function template(raw: string, wordStart: number, vars: ReadonlyMap<string, DetectorVariable>): Template | undefined {
  const at = raw.search(URL_START);
  if (at === -1) return undefined;
  const uses: Use[] = [];
  let url = '';
  for (const piece of wordPieces(raw, at, true)) {
    if (piece.kind === 'text') {
      url += piece.text;
      continue;
    }
    const span = piece.span;
    let use: Use | undefined;
    if (span.kind === 'command') {
      const det = detectorOf(span.inner);
      if (det) use = { detector: det, span };
    } else {
      const v = vars.get(span.name);
      const plain = span.op === '' || (v?.detector.vocabulary === 'dpkg' && /^##?\*-$/.test(span.op));
      if (v && v.clean && plain && wordStart + span.start >= v.from) use = { detector: v.detector, variable: v, span };
    }
    if (use) {
      url += `\${__AA${uses.length}}`;
      uses.push(use);
    } else url += raw.slice(span.start, span.end);
  }
  return uses.length ? { url, uses } : undefined;
}

interface Mismatch {
  readonly platform: Platform;
  readonly word: string;
  readonly vendorWord: string;
}

function mismatches(vendor: Vendor, det: Detector, platforms: readonly Platform[]): Mismatch[] {
  const out: Mismatch[] = [];
  for (const p of platforms) {
    const word = detectorWord(det, p);
    const vendorWord = vendorToken(vendor, p);
    if (word === undefined || typeof vendorWord !== 'string' || vendorWord === '*') continue;
    if (word === vendorWord) continue;
    // a file for the same architecture (gosu-armel on arm/v6) exists and runs: not this rule's business
    if (vendorWordsForArchitecture(vendor, p.architecture).has(word)) continue;
    out.push({ platform: p, word, vendorWord });
  }
  return out;
}

function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** True when the command is the right side of a pipe `a | cmd` (no room for `case ... &&`). */
function afterPipe(text: string, start: number): boolean {
  const before = text.slice(Math.max(0, start - 200), start).replace(/(\\\r?\n|\s)+$/, '');
  return /(^|[^|])\|&?$/.test(before) || /!$/.test(before);
}

function planFix(
  source: ShellSource,
  cmd: SimpleCommand,
  word: ShellWord,
  use: Use,
  vendor: Vendor,
  platforms: readonly Platform[],
): { fix?: Edit[]; note?: string } {
  const labels = new Map<string, string>();
  for (const p of platforms) {
    const vw = vendorToken(vendor, p);
    if (vw === null) return { note: `${vendor.title} publishes no build for ${formatPlatform(p)}` };
    if (vw === undefined || vw === '*') return { note: `the word ${vendor.title} uses for ${formatPlatform(p)} is not known` };
    const label = detectorWord(use.detector, p);
    if (label === undefined) return { note: `${use.detector.name} has no known word for ${formatPlatform(p)}` };
    const prev = labels.get(label);
    if (prev !== undefined && prev !== vw) return { note: `${use.detector.name} prints ${label} for two target platforms that need different files` };
    labels.set(label, vw);
  }
  if (cmd.substitution) return { note: 'the download sits inside a command substitution' };
  const text = source.text.text;
  if (afterPipe(text, cmd.start)) return { note: 'the download is the right side of a pipe' };
  const variable = mappingVariable(vendor.name);
  if (new RegExp(`\\b${variable}\\b`).test(text)) return { note: `the variable ${variable} is already in use` };

  const raw = word.raw;
  const subject = raw.slice(use.span.start, use.span.end);
  const branches = [...labels].map(([label, vw]) => `${label}) ${variable}=${sq(vw)} ;;`).join(' ');
  const mapping = `case "${subject}" in ${branches} *) echo "${vendor.name}: unsupported architecture" >&2; exit 1 ;; esac && `;

  // the downloaded file's name may be repeated (curl -LO ... && tar -xf <same name>)
  const offsets = new Set<number>([word.start + use.span.start]);
  const segStart = raw.lastIndexOf('/', use.span.start) + 1;
  let segEnd = use.span.end;
  while (segEnd < raw.length && !/[/"'\s?#]/.test(raw[segEnd] as string)) segEnd++;
  const segment = raw.slice(segStart, segEnd);
  const within = use.span.start - segStart;
  const len = use.span.end - use.span.start;
  if (segment.length >= len + 4) {
    for (const c of source.script.commands) {
      for (const w of [...c.assignments, ...c.words, ...c.redirects]) {
        for (let i = w.raw.indexOf(segment); i !== -1; i = w.raw.indexOf(segment, i + 1)) {
          if (inSingleQuotes(w.raw, i + within)) return { note: 'the file name is repeated inside single quotes' };
          offsets.add(w.start + i + within);
        }
      }
    }
  }
  const at = toSourceOffset(source.text, cmd.start);
  const edits: Edit[] = [{ start: at, end: at, text: mapping }];
  for (const o of offsets) {
    const [s, e] = toSourceRange(source.text, o, o + len);
    edits.push({ start: s, end: e, text: `\${${variable}}` });
  }
  return { fix: edits };
}

function checkSource(model: Model, source: ShellSource, platforms: readonly Platform[], ctx: RuleContext<typeof messages>): void {
  if (!mayContainDetector(source.text.text)) return;
  const vars = detectorVariables(source);
  for (const cmd of source.script.commands) {
    if (isArchGuarded(cmd)) continue;
    for (const word of [...cmd.assignments, ...cmd.words]) {
      if (!mayContainDetector(word.raw) && !word.raw.includes('$')) continue;
      const t = template(word.raw, word.start, vars);
      if (!t) continue;
      const m = matchVendorUrl(t.url, { allowVariables: true });
      if (!m || !m.isVariable || m.vendor.archIndependent) continue;
      const idx = /^\$\{__AA(\d+)\}$/.exec(m.token ?? '');
      const use = idx ? t.uses[Number(idx[1])] : undefined;
      if (!use) continue;
      const wrong = mismatches(m.vendor, use.detector, platforms);
      const first = wrong[0];
      if (!first) continue;
      const plan = planFix(source, cmd, word, use, m.vendor, platforms);
      ctx.report({
        messageId: 'mismatch',
        range: spanRange(model, source.text, word.start + use.span.start, word.start + use.span.end),
        data: {
          detector: use.detector.name,
          word: first.word,
          platform: formatPlatform(first.platform),
          vendor: m.vendor.title,
          vendorWord: first.vendorWord,
        },
        platforms: wrong.map((w) => formatPlatform(w.platform)),
        ...(plan.fix ? { fix: plan.fix } : {}),
        ...(plan.note ? { fixNote: plan.note } : {}),
      });
    }
  }
}

/** What a detector needs in the text (uname, arch, --print-arch[itecture]). */
const DETECTOR_HINT = /uname|\barch\b|--print-arch/;

export default defineRule({
  meta: {
    id: 'AA104',
    name: 'arch-detect-vocabulary',
    title: 'An architecture detector prints a word the download URL does not use',
    severity: 'warning',
    description:
      '`uname -m`, `arch`, `dpkg --print-architecture` and `apk --print-arch` each name CPUs in their own words ' +
      '(x86_64, amd64, aarch64, arm64, armhf, armv7l ...). Put straight into the URL of a vendor that spells them ' +
      'differently, the download is a 404 on some platforms: `go1.22.linux-$(uname -m).tar.gz` asks for ' +
      'linux-x86_64 and linux-aarch64, but Go publishes linux-amd64 and linux-arm64 (iegomez/mosquitto-go-auth#144).',
    related: [],
    fixable: true,
  },
  messages,
  gate: /uname|\barch\b|--print-arch/,
  check(model, ctx) {
    const targets = ctx.platforms.filter((p) => p.os === 'linux');
    if (!targets.length) return;
    for (const stage of model.stages) {
      if (stage.windows) continue;
      const platforms = stage.onBuildPlatform ? ctx.builderPlatforms : targets;
      for (const ins of stage.instructions as readonly Instruction[]) {
        if (ins.keyword !== 'run') continue;
        if (!instructionMentions(ins, DETECTOR_HINT) || !instructionMentions(ins, /:\/\//)) continue;
        for (const source of model.shell(ins)) checkSource(model, source, platforms, ctx);
      }
    }
  },
});

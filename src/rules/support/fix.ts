/**
 * Building blocks of fixes: declaring platform ARGs in a stage, the small shell mapping from the
 * target platform (or the distribution's own arch word) to a vendor's word, and dropping a flag.
 */
import type { Flag, Instruction } from '../../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../../dockerfile/model.js';
import { toSourceOffset } from '../../dockerfile/text.js';
import {
  formatPlatform,
  toVocabulary,
  type Platform,
  type Vocabulary,
} from '../../platform/index.js';
import type { Edit, FixStyle } from '../types.js';
import { stageDistro } from './stage-distro.js';

/** Offset just after the line on which `ins` ends (where a new line may be inserted). */
function afterInstruction(model: Model, ins: Instruction): { offset: number; prefix: string } {
  const src = model.file.source;
  const end = ins.range.end.offset;
  const nl = src.indexOf('\n', end);
  if (nl === -1) return { offset: src.length, prefix: src.endsWith('\n') ? '' : '\n' };
  return { offset: nl + 1, prefix: '' };
}

function lineEnding(model: Model): string {
  return model.file.source.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Edits that declare the given platform ARGs in a stage when they are not visible before
 * `before` (index into stage.instructions). Inserted right after FROM, one `ARG NAME` per line,
 * in a fixed order so that several findings produce identical edits (applied once).
 */
export function declareArgs(model: Model, stage: Stage, names: readonly string[], before: number, target: Platform): Edit[] {
  const view = model.view(stage, target);
  const scope = view.scopes[before] ?? view.end;
  const missing = names.filter((n) => !scope.get(n));
  if (!missing.length) return [];
  // after FROM and the ARG lines that directly follow it (keeps declarations together)
  let anchor = stage.from;
  for (let i = 0; i < before && stage.instructions[i]?.keyword === 'arg'; i++) anchor = stage.instructions[i] as Instruction;
  const { offset, prefix } = afterInstruction(model, anchor);
  const eol = lineEnding(model);
  return [{ start: offset, end: offset, text: prefix + missing.map((n) => `ARG ${n}${eol}`).join('') }];
}

/** The `${TARGETARCH}${TARGETVARIANT}` key of a platform as the mapping's case labels see it. */
function targetKey(p: Platform): string {
  return p.architecture === 'arm' ? `arm${p.variant || 'v7'}` : p.architecture;
}

interface Mapping {
  /** shell text to put before the command (ends with `; `) */
  readonly text: string;
  /** the variable that holds the vendor word */
  readonly variable: string;
  /** platform ARGs the mapping reads (targetarch style) */
  readonly args: readonly string[];
}

/** A shell-safe variable name for a vendor. */
export function mappingVariable(name: string): string {
  const base = name.toLowerCase().replace(/\(.*?\)/g, '').trim().split(/[^a-z0-9]+/).filter(Boolean)[0] ?? 'dl';
  return `${/^[a-z_]/.test(base) ? base : `v${base}`}_arch`;
}

function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A `case` that sets `variable` to the vendor word of the platform being built.
 * targetarch style: keyed on BuildKit's TARGETARCH (and TARGETVARIANT for 32-bit arm).
 * detect style: keyed on the distribution's word (dpkg on Debian-family, apk on Alpine,
 * both when the base is unknown), the way the official images do it.
 * Returns undefined when two platforms share a key but need different words.
 */
function buildMapping(
  model: Model,
  stage: Stage,
  words: ReadonlyMap<string, string>,
  platforms: readonly Platform[],
  variable: string,
  style: FixStyle,
  label: string,
): Mapping | undefined {
  const arms = platforms.some((p) => p.architecture === 'arm');
  const branches: string[] = [];
  if (style === 'targetarch') {
    for (const p of platforms) {
      const w = words.get(formatPlatform(p));
      if (w === undefined) return undefined;
      // amd64 may carry a v2/v3 variant: match the architecture with any variant
      const key = p.architecture === 'arm' ? targetKey(p) : `${p.architecture}*`;
      branches.push(`${arms ? key : p.architecture}) ${variable}=${sq(w)} ;;`);
    }
    const subject = arms ? '${TARGETARCH}${TARGETVARIANT}' : '${TARGETARCH}';
    return {
      text: `case "${subject}" in ${branches.join(' ')} *) echo "${label}: no build for ${subject}" >&2; exit 1 ;; esac; `,
      variable,
      args: arms ? ['TARGETARCH', 'TARGETVARIANT'] : ['TARGETARCH'],
    };
  }
  const distro = stageDistro(stage);
  const vocabs: Vocabulary[] =
    distro === 'alpine' ? ['apk'] : distro === 'debian' ? ['dpkg'] : distro === 'rpm' ? ['rpm'] : ['dpkg', 'apk'];
  const detector =
    distro === 'alpine'
      ? 'apk --print-arch'
      : distro === 'debian'
        ? 'dpkg --print-architecture'
        : distro === 'rpm'
          ? "rpm --eval '%{_arch}'"
          : 'dpkg --print-architecture 2>/dev/null || apk --print-arch';
  const used = new Map<string, string>();
  for (const p of platforms) {
    const w = words.get(formatPlatform(p));
    if (w === undefined) return undefined;
    const labels: string[] = [];
    for (const v of vocabs) {
      const l = toVocabulary(p, v);
      if (!l) continue;
      const prev = used.get(l);
      if (prev !== undefined && prev !== w) {
        if (vocabs.length > 1 && v === 'apk') continue; // dpkg wins on an unknown base
        return undefined;
      }
      if (prev === undefined) {
        used.set(l, w);
        labels.push(l);
      }
    }
    if (labels.length) branches.push(`${labels.join('|')}) ${variable}=${sq(w)} ;;`);
  }
  return {
    text: `case "$(${detector})" in ${branches.join(' ')} *) echo "${label}: unsupported architecture" >&2; exit 1 ;; esac; `,
    variable,
    args: [],
  };
}

/** The escape character and line break that continue a RUN onto the next line. */
export function continuation(model: Model): string {
  return ` ${model.file.escape}${lineEnding(model)}    `;
}

/**
 * The edits that put a mapping before the first command of a RUN's shell text (or at the top of a
 * heredoc script) and declare the platform ARGs it reads. `builder`: the stage runs on the build
 * machine, so the mapping reads BUILDARCH/BUILDVARIANT. The caller replaces the word itself with
 * `${variable}`. Undefined when no mapping can tell the platforms apart.
 */
export function mappingEdits(
  model: Model,
  stage: Stage,
  source: ShellSource,
  index: number,
  words: ReadonlyMap<string, string>,
  platforms: readonly Platform[],
  vendorName: string | undefined,
  style: FixStyle,
  builder: boolean,
): { edits: Edit[]; variable: string } | undefined {
  const variable = mappingVariable(vendorName ?? 'dl');
  const mapping = buildMapping(model, stage, words, platforms, variable, builder ? 'targetarch' : style, vendorName ?? 'download');
  if (!mapping) return undefined;
  const toBuild = (t: string): string => (builder ? t.replace(/TARGET(ARCH|VARIANT)/g, 'BUILD$1') : t);
  const text = toBuild(mapping.text);
  const start = toSourceOffset(source.text, 0);
  const body = source.text.text;
  const insertAt = source.heredoc ? start : start + (body.length - body.trimStart().length);
  return {
    variable,
    edits: [
      ...declareArgs(model, stage, mapping.args.map(toBuild), index, platforms[0] as Platform),
      { start: insertAt, end: insertAt, text: source.heredoc ? `${text}\n` : `${text.trimEnd()}${continuation(model)}` },
    ],
  };
}

/** The edit that deletes a flag of an instruction together with the blanks after it. */
export function dropFlagEdit(model: Model, flag: Flag): Edit {
  const src = model.file.source;
  let end = flag.range.end.offset;
  while (end < src.length && (src[end] === ' ' || src[end] === '\t')) end++;
  return { start: flag.range.start.offset, end, text: '' };
}

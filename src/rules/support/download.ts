/**
 * Download candidates of a stage: URLs and package/archive file names in RUN commands, ADD
 * sources and ARG/ENV values, with the architecture words inside them.
 */
import type { Instruction, SourceText } from '../../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../../dockerfile/model.js';
import type { ShellWord, SimpleCommand } from '../../dockerfile/shell.js';
import { toSourceOffset } from '../../dockerfile/text.js';
import { ARCHIVE_SUFFIX, URL_RE, findArchTokens, type TokenHit } from './url-arch-words.js';
import { instructionMentions } from './mentions.js';

export type CandidateKind = 'run-url' | 'run-file' | 'add-url' | 'value-url';

export interface Candidate {
  readonly kind: CandidateKind;
  readonly stage: Stage;
  readonly instruction: Instruction;
  /** index of the instruction in stage.instructions */
  readonly index: number;
  /** the URL or file name (as written, quotes excluded) */
  readonly text: string;
  /** source offset of position `i` of `text` (exact even if a line continuation splits it) */
  sourceAt(i: number): number;
  readonly hits: readonly TokenHit[];
  /** for RUN candidates */
  readonly command?: SimpleCommand;
  readonly source?: ShellSource;
  readonly word?: ShellWord;
  /** true when the architecture word sits inside single quotes (no expansion there) */
  readonly singleQuoted: boolean;
}

const ARCHIVE_SUFFIX_IN_TEXT = new RegExp(ARCHIVE_SUFFIX.source.replace(/\$$/, '\\b'), 'i');

/** Whether position `idx` of a raw shell word lies inside single quotes. */
export function inSingleQuotes(raw: string, idx: number): boolean {
  let quote = '';
  for (let i = 0; i < idx && i < raw.length; i++) {
    const c = raw[i];
    if (quote === "'") {
      if (c === "'") quote = '';
    } else if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = '';
    } else if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
  }
  return quote === "'";
}

/** A mapper from positions of a substring starting at `start` of `text` to source offsets. */
function atText(text: SourceText, start: number): (i: number) => number {
  return (i) => toSourceOffset(text, start + i);
}

/** A URL written in a RUN command (shell form or script heredoc). */
export interface RunUrl {
  readonly url: string;
  /** source offset of the URL */
  readonly offset: number;
  readonly source: ShellSource;
  readonly command: SimpleCommand;
  readonly word: ShellWord;
  /** the word as written, and where the URL starts in it */
  readonly raw: string;
  readonly index: number;
}

const NO_URLS: readonly RunUrl[] = Object.freeze([]);
const runUrlCache = new WeakMap<Instruction, readonly RunUrl[]>();

/** Every URL in the words of a RUN's commands, found once per instruction for all rules. */
export function runUrls(model: Model, ins: Instruction): readonly RunUrl[] {
  const cached = runUrlCache.get(ins);
  if (cached) return cached;
  let out: RunUrl[] | undefined;
  if (ins.keyword === 'run' && instructionMentions(ins, /:\/\//)) {
    out = [];
    for (const source of model.shell(ins)) {
      for (const command of source.script.commands) {
        for (const list of [command.assignments, command.words]) {
          for (const word of list) {
            const raw = source.text.text.slice(word.start, word.end);
            if (!raw.includes('://')) continue;
            URL_RE.lastIndex = 0;
            for (let m = URL_RE.exec(raw); m; m = URL_RE.exec(raw)) {
              out.push({ url: m[0], offset: toSourceOffset(source.text, word.start + m.index), source, command, word, raw, index: m.index });
            }
          }
        }
      }
    }
  }
  const result = out?.length ? out : NO_URLS;
  runUrlCache.set(ins, result);
  return result;
}

/** Every download candidate with at least one architecture word. */
export function downloadCandidates(model: Model, stage: Stage): Candidate[] {
  const out: Candidate[] = [];
  stage.instructions.forEach((instruction, index) => {
    if (instruction.keyword === 'run') {
      for (const u of runUrls(model, instruction)) {
        const hits = findArchTokens(u.url);
        if (!hits.length) continue;
        out.push({
          kind: 'run-url',
          stage,
          instruction,
          index,
          text: u.url,
          sourceAt: atText(u.source.text, u.word.start + u.index),
          hits,
          command: u.command,
          source: u.source,
          word: u.word,
          singleQuoted: inSingleQuotes(u.raw, u.index + (hits[0] as TokenHit).start),
        });
      }
      if (!instructionMentions(instruction, ARCHIVE_SUFFIX_IN_TEXT)) return;
      for (const source of model.shell(instruction)) {
        for (const command of source.script.commands) {
          for (const list of [command.assignments, command.words]) {
            for (const word of list) {
              const raw = source.text.text.slice(word.start, word.end);
              if (raw.includes('://') || !ARCHIVE_SUFFIX_IN_TEXT.test(raw)) continue;
              const value = word.value.slice(word.value.lastIndexOf('=') + 1);
              if (!ARCHIVE_SUFFIX.test(value) || value.includes('$')) continue;
              const file = value.slice(value.lastIndexOf('/') + 1);
              const hits = findArchTokens(file);
              if (!hits.length) continue;
              const at = raw.lastIndexOf(file);
              if (at === -1) continue;
              out.push({
                kind: 'run-file',
                stage,
                instruction,
                index,
                text: file,
                sourceAt: atText(source.text, word.start + at),
                hits,
                command,
                source,
                word,
                singleQuoted: inSingleQuotes(raw, at + (hits[0] as TokenHit).start),
              });
            }
          }
        }
      }
    } else if (instruction.keyword === 'add' && !instruction.json) {
      scanValues(instruction, index, 'add-url');
    } else if (instruction.keyword === 'arg' || instruction.keyword === 'env') {
      scanValues(instruction, index, 'value-url');
    }
  });
  return out;

  function scanValues(instruction: Instruction, index: number, kind: CandidateKind): void {
    const body = instruction.body;
    URL_RE.lastIndex = 0;
    for (let m = URL_RE.exec(body.text); m; m = URL_RE.exec(body.text)) {
      const hits = findArchTokens(m[0]);
      if (!hits.length) continue;
      out.push({
        kind,
        stage,
        instruction,
        index,
        text: m[0],
        sourceAt: atText(body, m.index),
        hits,
        singleQuoted: false,
      });
    }
  }
}

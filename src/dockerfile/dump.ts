/**
 * Two debugging views of a parsed Dockerfile: BuildKit's `Node.Dump()` text (used to test the
 * parser against BuildKit's documented behaviour) and the JSON of `anyarch parse`.
 */
import type { Dockerfile, Flag, Instruction } from './ast.js';

/** Go's strconv.IsPrint, closely enough: letters, marks, numbers, punctuation, symbols, ' '. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote (what `%q` and BuildKit's Dump print). */
export function goQuote(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // fast path: printable ASCII other than '"' and '\\'
    if (c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c) continue;
    let esc: string | undefined;
    let width = 1;
    if (c < 0x80) {
      esc = SHORT_ESCAPES[s[i] as string] ?? `\\x${c.toString(16).padStart(2, '0')}`;
    } else {
      const cp = s.codePointAt(i) as number;
      width = cp > 0xffff ? 2 : 1;
      const ch = String.fromCodePoint(cp);
      if (cp >= 0xd800 && cp <= 0xdfff) esc = '\\ufffd'; // a lone surrogate: Go has U+FFFD there
      else if (!PRINTABLE.test(ch)) {
        esc = cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
      }
    }
    if (esc === undefined) {
      i += width - 1;
      continue;
    }
    out += s.slice(plainFrom, i) + esc;
    i += width - 1;
    plainFrom = i + 1;
  }
  return out + s.slice(plainFrom) + '"';
}

/** A flag as BuildKit's Node.Flags holds it: quotes removed, escapes resolved. */
function flagWord(f: Flag): string {
  return f.value === null ? `--${f.name}` : `--${f.name}=${f.value}`;
}

function dumpInstruction(ins: Instruction): string {
  let s = `(${ins.keyword}`;
  if (ins.flags.length) s += ` [${ins.flags.map((f) => goQuote(flagWord(f))).join(' ')}]`;
  if (ins.trigger) return `${s} ${dumpInstruction(ins.trigger)})`;
  for (const a of ins.args) s += ` ${goQuote(a)}`;
  return s + ')';
}

/** BuildKit's `result.AST.Dump()` format: one line per instruction. */
export function dumpBuildkit(df: Dockerfile): string {
  return df.instructions.map(dumpInstruction).join('\n') + '\n';
}

export interface InstructionJSON {
  instruction: string;
  flags: string[];
  args: string[];
  json: boolean;
  heredocs: { name: string; chomp: boolean; expand: boolean; fileDescriptor: number | null; content: string }[];
  startLine: number;
  endLine: number;
  trigger?: InstructionJSON;
}

export interface DockerfileJSON {
  file: string;
  escape: string;
  directives: { name: string; value: string; line: number }[];
  instructions: InstructionJSON[];
  warnings: { code: string; message: string; line: number }[];
}

function instructionJSON(ins: Instruction): InstructionJSON {
  const out: InstructionJSON = {
    instruction: ins.keyword,
    flags: ins.flags.map((f) => f.raw),
    args: [...ins.args],
    json: ins.json,
    heredocs: ins.heredocs.map((h) => ({
      name: h.name,
      chomp: h.chomp,
      expand: h.expand,
      fileDescriptor: h.fileDescriptor,
      content: h.content,
    })),
    startLine: ins.range.start.line,
    endLine: ins.range.end.line,
  };
  if (ins.trigger) out.trigger = instructionJSON(ins.trigger);
  return out;
}

/** The JSON printed by `anyarch parse --format json`. */
export function toJSON(df: Dockerfile): DockerfileJSON {
  return {
    file: df.path,
    escape: df.escape,
    directives: df.directives.map((d) => ({ name: d.name, value: d.value, line: d.range.start.line })),
    instructions: df.instructions.map(instructionJSON),
    warnings: df.warnings.map((w) => ({ code: w.code, message: w.message, line: w.range.start.line })),
  };
}

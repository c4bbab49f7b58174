/**
 * A Dockerfile parser that follows BuildKit's `frontend/dockerfile/parser` semantics
 * (directives, continuation lines, comment lines inside continuations, heredocs, JSON vs shell
 * form, builder flags, per-instruction argument splitting) and keeps exact source positions.
 *
 * The reference is BuildKit's parser.go / directives.go / split_command.go / line_parsers.go;
 * `parser-buildkit.test.ts` checks our own cases, derived from that behaviour, against `dumpBuildkit`.
 *
 * Where we differ from BuildKit on purpose:
 * - Unknown instructions are an error here (BuildKit's parser keeps them and its instruction
 *   layer rejects them later, so `docker build` fails either way). Likewise the argument-count
 *   checks of BuildKit's instruction layer (FROM, COPY, ...) are made here, see
 *   `validateInstruction`.
 * - Errors point at a line and column (BuildKit gives a line range).
 * - The empty-continuation warning is one per instruction, as in BuildKit, but points at the
 *   first empty line (BuildKit points at the last line of the instruction).
 * - `Heredoc.content` is what BuildKit's instruction layer uses: the raw lines with their line
 *   endings (so a CRLF file keeps '\r', as BuildKit does), with leading tabs removed for `<<-`
 *   (BuildKit's parser keeps the tabs and chomps later, in `ChompHeredocContent`).
 * - Go walks flags and HEALTHCHECK arguments byte by byte, so it takes the UTF-8 bytes 0x85 and
 *   0xA0 inside non-ASCII characters for spaces, and re-encodes non-ASCII bytes of flag values as
 *   Latin-1 (mojibake). We treat text as characters: only ASCII whitespace separates flags.
 * - Comments attached to an instruction (`Instruction.comments`) stop at a blank line (see
 *   ast.ts); BuildKit's `PrevComment` keeps collecting across blank lines. Directive lines are
 *   never attached, as in BuildKit.
 */
import { AnyarchError } from '../errors.js';
import type {
  Comment,
  Directive,
  Dockerfile,
  Flag,
  Heredoc,
  Instruction,
  ParseWarning,
  SourceText,
} from './ast.js';
import {
  SourceTextBuilder,
  isGoSpace,
  computeLineStarts,
  positionAt,
  rangeAt,
  sliceSourceText,
  splitBom,
  toSourceOffset,
} from './text.js';

/** Instructions BuildKit knows. */
export const INSTRUCTIONS = new Set([
  'add', 'arg', 'cmd', 'copy', 'entrypoint', 'env', 'expose', 'from', 'healthcheck', 'label',
  'maintainer', 'onbuild', 'run', 'shell', 'stopsignal', 'user', 'volume', 'workdir',
]);

const HEREDOC_INSTRUCTIONS = new Set(['run', 'copy', 'add']);
/**
 * BuildKit's directiveRegexp, applied after '#' and leading spaces. Go's `\s` is [\t\n\f\r ]
 * and its `.` is anything but '\n', hence the explicit classes.
 */
const DIRECTIVE_RE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
/** BuildKit's reHeredoc, applied to each shell word of the instruction line. */
const HEREDOC_WORD_RE = /^(\d*)<<(-?)([^<]*)$/;

/** The largest Dockerfile anyarch reads (BuildKit itself has no limit; real files are < 100 KiB). */
export const MAX_DOCKERFILE_BYTES = 4 * 1024 * 1024;

/** bufio.Scanner's limit in BuildKit: a line of more than 65535 bytes is an error. */
const MAX_LINE_BYTES = 65535;

interface PhysicalLine {
  /** offset of the first character */
  readonly start: number;
  /** offset after the line's last character, before its trailing '\r's and '\n' */
  readonly end: number;
  /** offset of the next line (after '\n'), or the end of the source */
  readonly next: number;
  /** source[start, end) */
  readonly text: string;
}


/** BuildKit's reWhitespace / tokenWhitespace `[\t\v\f\r ]` (plus '\n', which never occurs). */
function isAsciiSpaceCode(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function leadingSpace(s: string, from = 0): number {
  let i = from;
  while (i < s.length && isGoSpace(s.charCodeAt(i))) i++;
  return i;
}

function trailingSpaceStart(s: string, from: number, to: number): number {
  let i = to;
  while (i > from && isGoSpace(s.charCodeAt(i - 1))) i--;
  return i;
}

/**
 * BuildKit's lineContinuationRegex `([^E])E[ \t]*$|^E[ \t]*$` (E = escape token): index of the
 * escape that continues the line, or -1. An escaped escape (`foo \\`) does not continue it.
 */
function continuationAt(text: string, escape: number): number {
  let i = text.length - 1;
  while (i >= 0) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i--;
  }
  if (i < 0 || text.charCodeAt(i) !== escape) return -1;
  if (i > 0 && text.charCodeAt(i - 1) === escape) return -1;
  return i;
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

class ParseContext {
  readonly lineStarts: number[];
  readonly lines: PhysicalLine[] = [];
  escape: '\\' | '`' = '\\';
  escapeCode = 0x5c;
  readonly warnings: ParseWarning[] = [];
  /** index of the first line longer than BuildKit accepts, or -1 */
  readonly tooLong: number;

  constructor(
    readonly source: string,
    readonly path: string,
    bomBytes: number,
  ) {
    this.lineStarts = computeLineStarts(source);
    let tooLong = -1;
    const n = this.lineStarts.length;
    for (let i = 0; i < n; i++) {
      const start = this.lineStarts[i] as number;
      const isLast = i + 1 === n;
      // Like Go's bufio.Scanner: no empty line after a final '\n'.
      if (isLast && start === source.length && i > 0) break;
      const next = isLast ? source.length : (this.lineStarts[i + 1] as number);
      const rawEnd = isLast ? source.length : next - 1;
      let end = rawEnd;
      while (end > start && source.charCodeAt(end - 1) === 0x0d) end--;
      // a UTF-8 line is at most 3 bytes per UTF-16 unit: measure only lines that could be long
      if (tooLong === -1 && (rawEnd - start) * 3 + bomBytes > MAX_LINE_BYTES) {
        if (utf8Length(source.slice(start, rawEnd)) + (i === 0 ? bomBytes : 0) > MAX_LINE_BYTES) tooLong = i;
      }
      this.lines.push({ start, end, next, text: source.slice(start, end) });
    }
    this.tooLong = tooLong;
  }

  setEscape(e: '\\' | '`'): void {
    this.escape = e;
    this.escapeCode = e.charCodeAt(0);
  }

  /** The physical line `li`, failing like BuildKit's scanner on an over-long line. */
  line(li: number): PhysicalLine {
    if (li === this.tooLong) {
      throw this.error(
        `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`,
        (this.lines[li] as PhysicalLine).start,
        'BuildKit reads Dockerfile lines of at most 64 KiB; split the line with line continuations.',
      );
    }
    return this.lines[li] as PhysicalLine;
  }

  error(message: string, offset: number, hint?: string): AnyarchError {
    const p = positionAt(this.lineStarts, offset);
    return new AnyarchError('E_PARSE', message, hint, { file: this.path, line: p.line, column: p.column });
  }
}

/**
 * Parses a Dockerfile. Throws `AnyarchError` (code E_PARSE) with the file position of the first
 * error, as BuildKit stops at the first error too.
 */
export function parseDockerfile(input: string, path = 'Dockerfile'): Dockerfile {
  const { bom, source } = splitBom(input);
  const ctx = new ParseContext(source, path, bom ? 3 : 0);
  const directives: Directive[] = [];
  const comments: Comment[] = [];
  const instructions: Instruction[] = [];
  let directivesDone = false;
  const seenDirectives = new Set<string>();
  let pending: Comment[] = [];

  const lines = ctx.lines;
  for (let li = 0; li < lines.length; li++) {
    const line = ctx.line(li);
    const text = line.text;
    // BuildKit strips leading whitespace (unicode.IsSpace) from the first line of an instruction.
    const lw = leadingSpace(text);
    const isComment = text.charCodeAt(lw) === 0x23; /* # */

    let isDirective = false;
    if (!directivesDone) {
      // BuildKit feeds every line to the directive parser until one is not a directive.
      const d = isComment ? parseDirective(ctx, text, lw, line.start, seenDirectives) : null;
      if (d) {
        directives.push(d);
        isDirective = true;
      } else directivesDone = true;
    }

    if (isComment) {
      const c = commentOf(ctx, text, lw, line.start);
      comments.push(c);
      if (!isDirective) pending.push(c);
      continue;
    }
    if (lw === text.length) {
      pending = [];
      continue;
    }

    // Gather the logical line.
    const logical = new SourceTextBuilder();
    let cont = continuationAt(text, ctx.escapeCode);
    logical.append(cont === -1 ? text.slice(lw) : text.slice(lw, cont), line.start + lw);
    let emptyContinuation = -1;
    while (cont !== -1 && li + 1 < lines.length) {
      li++;
      const next = ctx.line(li);
      const nt = next.text;
      const nlw = leadingSpace(nt);
      if (nt.charCodeAt(nlw) === 0x23) {
        // comment lines inside a continuation are dropped
        comments.push(commentOf(ctx, nt, nlw, next.start));
        continue;
      }
      if (nlw === nt.length) {
        if (emptyContinuation === -1) emptyContinuation = next.start;
        continue;
      }
      cont = continuationAt(nt, ctx.escapeCode);
      logical.append(cont === -1 ? nt : nt.slice(0, cont), next.start);
    }
    const lineText = logical.build();
    if (emptyContinuation !== -1) {
      ctx.warnings.push({
        code: 'empty-continuation',
        message: 'Empty continuation line (BuildKit: NoEmptyContinuation); a future release may treat it as an error',
        range: rangeAt(ctx.lineStarts, emptyContinuation, emptyContinuation),
      });
    }
    let endOffset = (lines[li] as PhysicalLine).end;

    let ins = buildInstruction(ctx, lineText, pending, line.start + lw);
    const startOffset = ins.keywordRange.start.offset;
    pending = [];

    // Heredocs: the lines after the instruction, until each terminator.
    const host = ins.keyword === 'onbuild' && ins.trigger ? ins.trigger : ins;
    if (HEREDOC_INSTRUCTIONS.has(host.keyword) && !host.json && lineText.text.includes('<<')) {
      const docs: Heredoc[] = [];
      for (const spec of heredocsFromLine(lineText.text)) {
        const contentStart = li + 1 < lines.length ? (lines[li + 1] as PhysicalLine).start : source.length;
        let contentOffset = -1;
        const body: string[] = [];
        const text = new SourceTextBuilder();
        let terminated = false;
        while (li + 1 < lines.length) {
          li++;
          const hl = ctx.line(li);
          const candidate = spec.chomp ? hl.text.slice(leadingTabs(hl.text)) : hl.text;
          if (candidate === spec.name) {
            terminated = true;
            break;
          }
          // the raw line with its line ending, as BuildKit keeps it
          const from = spec.chomp ? hl.start + leadingTabs(hl.text) : hl.start;
          if (contentOffset === -1) contentOffset = from;
          body.push(source.slice(from, hl.next));
          text.append(source.slice(from, hl.next), from);
        }
        if (!terminated) {
          throw ctx.error(
            `unterminated heredoc: no line "${spec.name}" closes the heredoc started here`,
            toSourceOffset(lineText, spec.offset),
            `Add a line containing only ${spec.name} after the heredoc content.`,
          );
        }
        const endLine = lines[li] as PhysicalLine;
        endOffset = endLine.end;
        docs.push({
          name: spec.name,
          chomp: spec.chomp,
          expand: spec.expand,
          fileDescriptor: spec.fd,
          content: body.join(''),
          text: text.build(),
          // where the content starts (after the first line's tabs for <<-); the content is a
          // verbatim source slice from there, except for the tabs <<- removes on later lines
          contentOffset: contentOffset === -1 ? contentStart : contentOffset,
          range: rangeAt(ctx.lineStarts, contentStart, endOffset),
        });
      }
      if (docs.length) {
        if (host === ins) ins = { ...ins, heredocs: docs };
        else {
          const range = rangeAt(ctx.lineStarts, host.range.start.offset, endOffset);
          ins = { ...ins, trigger: { ...host, heredocs: docs, range } };
        }
      }
    }
    validateInstruction(ctx, ins.keyword === 'onbuild' && ins.trigger ? ins.trigger : ins);
    instructions.push({ ...ins, range: rangeAt(ctx.lineStarts, startOffset, endOffset) });
  }

  if (instructions.length === 0) {
    throw new AnyarchError(
      'E_PARSE',
      'the Dockerfile has no instructions',
      'A Dockerfile needs at least a FROM instruction.',
      { file: path, line: 1, column: 1 },
    );
  }

  return {
    path,
    source,
    escape: ctx.escape,
    directives,
    instructions,
    comments,
    warnings: ctx.warnings,
    lineStarts: ctx.lineStarts,
  };
}

function leadingTabs(s: string): number {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 0x09) i++;
  return i;
}

function commentOf(ctx: ParseContext, text: string, hashAt: number, lineStart: number): Comment {
  const from = leadingSpace(text, hashAt + 1);
  const to = trailingSpaceStart(text, from, text.length);
  return {
    text: text.slice(from, to),
    range: rangeAt(ctx.lineStarts, lineStart + hashAt, lineStart + text.length),
  };
}

/**
 * BuildKit's DirectiveParser.ParseLine for a line whose first non-space character is '#':
 * the directive, or null when the line is not one (which ends the directives).
 */
function parseDirective(
  ctx: ParseContext,
  text: string,
  hashAt: number,
  lineStart: number,
  seen: Set<string>,
): Directive | null {
  const bodyAt = leadingSpace(text, hashAt + 1);
  const m = DIRECTIVE_RE.exec(text.slice(bodyAt));
  if (!m) return null;
  const key = (m[1] as string).toLowerCase();
  if (!VALID_DIRECTIVES.has(key)) return null;
  if (seen.has(key)) {
    throw ctx.error(
      `only one ${key} parser directive can be used`,
      lineStart + bodyAt,
      'Remove the repeated parser directive.',
    );
  }
  seen.add(key);
  const value = m[2] as string;
  if (key === 'escape') {
    if (value !== '`' && value !== '\\') {
      let valueAt = text.indexOf('=', bodyAt) + 1;
      while (valueAt < text.length && ' \t\n\f\r'.includes(text[valueAt] as string)) valueAt++;
      throw ctx.error(
        `invalid escape token '${value}' does not match \` or \\`,
        lineStart + valueAt,
        'The escape directive takes a backslash or a backtick.',
      );
    }
    ctx.setEscape(value);
  }
  return {
    name: key as Directive['name'],
    value,
    range: rangeAt(ctx.lineStarts, lineStart + hashAt, lineStart + text.length),
  };
}

interface FlagWord {
  /** the flag with quotes removed and escapes resolved, as BuildKit gives it */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

/**
 * BuildKit's extractBuilderFlags: leading `--name[=value]` words (quotes removed, backslash
 * escapes resolved; always '\\', whatever the escape directive says), stopping at the first
 * word that does not start with `--` or after a `--` word. Returns the flags and the offset where
 * the arguments start.
 */
function extractFlags(line: string, from: number): { flags: FlagWord[]; rest: number } {
  const flags: FlagWord[] = [];
  let pos = from;
  const n = line.length;
  for (;;) {
    while (pos < n && isAsciiSpaceCode(line.charCodeAt(pos))) pos++;
    if (pos >= n) return { flags, rest: n };
    if (line.charCodeAt(pos) !== 0x2d || pos + 1 >= n || line.charCodeAt(pos + 1) !== 0x2d) {
      return { flags, rest: pos };
    }
    const start = pos;
    let word = '';
    let quote = 0;
    while (pos < n) {
      const c = line.charCodeAt(pos);
      if (quote) {
        if (c === quote) {
          quote = 0;
          pos++;
          continue;
        }
        if (c === 0x5c) {
          if (pos + 1 >= n) {
            quote = 0;
            pos++;
            continue;
          }
          pos++;
        }
        word += line[pos];
        pos++;
        continue;
      }
      if (isAsciiSpaceCode(c)) break;
      if (c === 0x27 || c === 0x22) {
        quote = c;
        pos++;
        continue;
      }
      if (c === 0x5c) {
        if (pos + 1 >= n) {
          pos++;
          continue;
        }
        pos++;
      }
      word += line[pos];
      pos++;
    }
    // `--` ends the flags; the word always starts with "--", so it is never blank
    if (word === '--') return { flags, rest: pos };
    flags.push({ value: word, start, end: pos });
  }
}

/** BuildKit's parseWords: whitespace-separated words keeping quotes and escapes. */
export function parseWords(rest: string, escape: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  for (let pos = 0; pos < rest.length; pos++) {
    let ch = rest[pos] as string;
    if (!inWord) {
      if (isGoSpace(ch.charCodeAt(0))) continue;
      inWord = true;
    }
    if (quote) {
      if (ch === quote) quote = '';
      else if (ch === escape && quote !== "'") {
        if (pos + 1 === rest.length) continue;
        word += ch;
        pos++;
        ch = rest[pos] as string;
      }
      word += ch;
      continue;
    }
    if (isGoSpace(ch.charCodeAt(0))) {
      if (blankOk || word.length) words.push(word);
      word = '';
      blankOk = false;
      inWord = false;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      blankOk = true;
    }
    if (ch === escape) {
      if (pos + 1 === rest.length) continue;
      word += ch;
      pos++;
      ch = rest[pos] as string;
    }
    word += ch;
  }
  if (inWord && (blankOk || word.length)) words.push(word);
  return words;
}

/** Go's `reWhitespace.Split(s, -1)` on a trimmed string. */
function splitAsciiSpace(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    let j = i;
    while (j < n && !isAsciiSpaceCode(s.charCodeAt(j))) j++;
    out.push(s.slice(i, j));
    if (j >= n) break;
    while (j < n && isAsciiSpaceCode(s.charCodeAt(j))) j++;
    i = j;
    if (i >= n) out.push('');
  }
  return out;
}

const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

/**
 * BuildKit's parseJSON: the whole (trimmed) argument text must be a JSON array (Go's
 * json.Unmarshal, so `["a"] b` is not JSON); null when it is not.
 */
function parseJsonArray(rest: string): string[] | null | 'not-strings' {
  const lw = leadingSpace(rest);
  if (rest.charCodeAt(lw) !== 0x5b /* [ */) return null;
  let value: unknown;
  try {
    value = JSON.parse(lw ? rest.slice(lw) : rest);
  } catch {
    return null;
  }
  if (!Array.isArray(value)) return null;
  for (const v of value) if (typeof v !== 'string') return 'not-strings';
  return value as string[];
}

/**
 * BuildKit's splitCommand plus the per-instruction line parser. `lineStart` is the source
 * offset used when the logical line is empty.
 */
function buildInstruction(
  ctx: ParseContext,
  text: SourceText,
  comments: readonly Comment[],
  lineStart: number,
): Instruction {
  const t = text.text;
  // strings.TrimSpace(line), then split the keyword at the first run of [\t\v\f\r ]
  const lw = leadingSpace(t);
  const trimEnd = trailingSpaceStart(t, lw, t.length);
  let kwEnd = lw;
  while (kwEnd < trimEnd && !isAsciiSpaceCode(t.charCodeAt(kwEnd))) kwEnd++;
  const keywordRaw = t.slice(lw, kwEnd);
  const keyword = keywordRaw.toLowerCase();
  const kwStart = lw < t.length ? toSourceOffset(text, lw) : lineStart;
  const keywordRange = rangeAt(ctx.lineStarts, kwStart, kwEnd > lw ? toSourceOffset(text, kwEnd - 1) + 1 : kwStart);

  if (!INSTRUCTIONS.has(keyword)) {
    throw ctx.error(
      keywordRaw === '' ? 'empty instruction: a line continuation is not followed by an instruction' : `unknown instruction: ${keywordRaw}`,
      kwStart,
      'Instructions are FROM, RUN, COPY, ADD, ARG, ENV, ... (see the Dockerfile reference).',
    );
  }

  const line = t.slice(0, trimEnd);
  const { flags: flagWords, rest: flagsEnd } = extractFlags(line, kwEnd);
  const flags: Flag[] = flagWords.map((fw) => flagOf(ctx, text, fw));
  // strings.TrimSpace(args)
  const restStart = leadingSpace(line, flagsEnd);
  const restText = sliceSourceText(text, restStart, trimEnd);
  const rest = restText.text;
  // an empty body sits at the end of the instruction's text
  const bodyStartSrc =
    restStart < trimEnd ? toSourceOffset(text, restStart) : trimEnd > 0 ? toSourceOffset(text, trimEnd - 1) + 1 : kwStart;
  const bodyEndSrc = restStart < trimEnd ? toSourceOffset(text, trimEnd - 1) + 1 : bodyStartSrc;

  let args: string[] = [];
  let json = false;
  let trigger: Instruction | null = null;

  switch (keyword) {
    case 'run':
    case 'cmd':
    case 'entrypoint':
    case 'shell': {
      // parseMaybeJSON
      if (rest === '') break;
      const j = parseJsonArray(rest);
      if (j === 'not-strings') throw ctx.error(NOT_STRING_ARRAY, bodyStartSrc);
      if (j) {
        args = j;
        json = true;
      } else args = [rest];
      break;
    }
    case 'add':
    case 'copy':
    case 'volume': {
      // parseMaybeJSONToList
      const j = parseJsonArray(rest);
      if (j === 'not-strings') throw ctx.error(NOT_STRING_ARRAY, bodyStartSrc);
      if (j) {
        args = j;
        json = true;
      } else args = rest === '' ? [] : splitAsciiSpace(rest);
      break;
    }
    case 'from':
    case 'expose':
      // parseStringsWhitespaceDelimited
      args = rest === '' ? [] : splitAsciiSpace(rest);
      break;
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      // parseString
      args = rest === '' ? [] : [rest];
      break;
    case 'env':
    case 'label':
      args = parseNameVal(ctx, rest, keyword.toUpperCase(), bodyStartSrc);
      break;
    case 'arg':
      // parseNameOrNameVal
      args = parseWords(rest, ctx.escape);
      break;
    case 'healthcheck': {
      // parseHealthConfig (Go walks bytes here: ASCII whitespace only)
      let sep = 0;
      while (sep < rest.length && !isAsciiSpaceCode(rest.charCodeAt(sep))) sep++;
      if (sep === 0) break;
      let next = sep;
      while (next < rest.length && isAsciiSpaceCode(rest.charCodeAt(next))) next++;
      args = [rest.slice(0, sep)];
      const cmd = rest.slice(next);
      if (cmd !== '') {
        const j = parseJsonArray(cmd);
        if (j === 'not-strings') throw ctx.error(NOT_STRING_ARRAY, bodyStartSrc);
        if (j) {
          args.push(...j);
          json = true;
        } else args.push(cmd);
      }
      break;
    }
    case 'onbuild': {
      // parseSubCommand
      if (rest === '') break;
      const sub = buildInstruction(ctx, restText, [], bodyStartSrc);
      if (sub.keyword === 'onbuild') {
        throw ctx.error('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed', bodyStartSrc);
      }
      if (sub.keyword === 'from' || sub.keyword === 'maintainer') {
        throw ctx.error(`${sub.keyword.toUpperCase()} isn't allowed as an ONBUILD trigger`, bodyStartSrc);
      }
      trigger = sub;
      break;
    }
  }

  return {
    keyword,
    keywordRange,
    flags,
    args,
    json,
    body: restText,
    bodyRange: rangeAt(ctx.lineStarts, bodyStartSrc, bodyEndSrc),
    heredocs: [],
    trigger,
    range: rangeAt(ctx.lineStarts, kwStart, Math.max(kwStart, bodyEndSrc, keywordRange.end.offset)),
    comments,
  };
}

function flagOf(ctx: ParseContext, text: SourceText, fw: FlagWord): Flag {
  const s = toSourceOffset(text, fw.start);
  const e = toSourceOffset(text, fw.end - 1) + 1;
  const body = fw.value.slice(2);
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  const value = eq === -1 ? null : body.slice(eq + 1);
  let valueRange = null;
  if (value !== null) {
    // the value as written: after the first '=' of the flag's text (quotes included)
    const rawEq = text.text.indexOf('=', fw.start);
    if (rawEq !== -1 && rawEq < fw.end) {
      const vs = rawEq + 1 < fw.end ? toSourceOffset(text, rawEq + 1) : toSourceOffset(text, rawEq) + 1;
      valueRange = rangeAt(ctx.lineStarts, vs, Math.max(vs, e));
    }
  }
  return {
    name,
    value,
    raw: text.text.slice(fw.start, fw.end),
    range: rangeAt(ctx.lineStarts, s, e),
    valueRange,
  };
}

/** BuildKit's parseNameVal for ENV and LABEL: key, value, separator triplets. */
function parseNameVal(ctx: ParseContext, rest: string, key: string, at: number): string[] {
  const words = parseWords(rest, ctx.escape);
  // BuildKit's parser accepts `ENV` alone; its instruction layer then fails with this message.
  if (words.length === 0) throw ctx.error(`${key} requires at least one argument`, at);
  const first = words[0] as string;
  if (!first.includes('=')) {
    // legacy `KEY name value`: split the raw text at the first run of [\t\v\f\r ]
    let i = 0;
    while (i < rest.length && !isAsciiSpaceCode(rest.charCodeAt(i))) i++;
    if (i >= rest.length) {
      throw ctx.error(`${key} must have two arguments`, at, `Write ${key} name=value.`);
    }
    let j = i;
    while (j < rest.length && isAsciiSpaceCode(rest.charCodeAt(j))) j++;
    return [rest.slice(0, i), rest.slice(j), ''];
  }
  const out: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq === -1) {
      throw ctx.error(
        `Syntax error - can't find = in ${JSON.stringify(w)}. Must be of the form: name=value`,
        at,
      );
    }
    out.push(w.slice(0, eq), w.slice(eq + 1), '=');
  }
  return out;
}

interface HeredocSpec {
  name: string;
  chomp: boolean;
  expand: boolean;
  fd: number | null;
  /** offset of the `<<` word in the logical line */
  offset: number;
}

/**
 * The shell words of a line with quotes and escapes kept, as BuildKit's lexer gives them with
 * RawQuotes and RawEscapes (escape always '\\'), or null where that lexer fails (an unclosed
 * quote or `${`): BuildKit then finds no heredoc at all on the line.
 */
function rawWords(line: string): { word: string; start: number }[] | null {
  const out: { word: string; start: number }[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && isGoSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let quote = 0;
    let braces = 0;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (quote === 0x27) {
        if (c === 0x27) quote = 0;
      } else if (c === 0x5c) {
        i++; // an escape keeps the next character in the word (`\ ` too)
      } else if (c === 0x24 && line.charCodeAt(i + 1) === 0x7b) {
        braces++;
        i++;
      } else if (c === 0x7d && braces > 0) {
        braces--;
      } else if (quote === 0x22) {
        if (c === 0x22) quote = 0;
      } else if (c === 0x27 || c === 0x22) {
        quote = c;
      } else if (braces === 0 && isGoSpace(c)) {
        break;
      }
      i++;
    }
    if (quote !== 0 || braces > 0) return null;
    out.push({ word: line.slice(start, Math.min(i, n)), start });
  }
  return out;
}

/** The word without its quotes, as BuildKit's lexer gives it without RawQuotes. */
function unquote(word: string): string {
  let out = '';
  let quote = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (quote === 0x27) {
      if (c === 0x27) quote = 0;
      else out += word[i];
    } else if (quote === 0x22) {
      if (c === 0x22) quote = 0;
      else if (c === 0x5c && i + 1 < word.length) {
        // inside double quotes only ", $ and \ can be escaped; other \x stay as written
        const d = word.charCodeAt(i + 1);
        if (d === 0x22 || d === 0x24 || d === 0x5c) out += word[++i];
        else out += '\\';
      } else out += word[i];
    } else if (c === 0x27 || c === 0x22) quote = c;
    else if (c === 0x5c) {
      if (i + 1 < word.length) out += word[++i];
    } else out += word[i];
  }
  return out;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27 || c === 0x22) n++;
  }
  return n;
}

/** BuildKit's ParseHeredoc: the heredoc a shell word starts, or null. */
function heredocOf(word: string, offset: number): HeredocSpec | null {
  if (word.indexOf('<<') === -1) return null;
  const m = HEREDOC_WORD_RE.exec(word);
  if (!m) return null;
  const restWord = m[3] as string;
  if (restWord.length === 0) return null;
  const inner = rawWords(restWord);
  if (!inner || inner.length !== 1) return null;
  const name = unquote(restWord);
  return {
    name,
    chomp: m[2] === '-',
    // a quoted delimiter (any part of it) turns expansion off
    expand: countQuotes(name) === countQuotes(restWord),
    fd: m[1] ? Number(m[1]) : null,
    offset,
  };
}

/** BuildKit's heredocsFromLine. */
function heredocsFromLine(line: string): HeredocSpec[] {
  const specs: HeredocSpec[] = [];
  const words = rawWords(line);
  if (!words) return specs;
  for (const { word, start } of words) {
    const spec = heredocOf(word, start);
    if (spec) specs.push(spec);
  }
  return specs;
}

/**
 * The argument checks of BuildKit's instruction layer (instructions/parse.go), which BuildKit's
 * parser itself does not make; `docker build` fails on them. Not made here: HEALTHCHECK's
 * (BuildKit's parser accepts `HEALTHCHECK` and `HEALTHCHECK CMD` alone) and the flag
 * checks (which flags each instruction takes).
 */
function validateInstruction(ctx: ParseContext, ins: Instruction): void {
  const at = ins.keywordRange.start.offset;
  const upper = ins.keyword.toUpperCase();
  const args = ins.args;
  switch (ins.keyword) {
    case 'from': {
      const n = args.length;
      if (!(n === 1 || (n === 3 && (args[1] as string).toLowerCase() === 'as'))) {
        throw ctx.error('FROM requires either one or three arguments', at, 'Write FROM image [AS name].');
      }
      break;
    }
    case 'copy':
    case 'add':
      if (args.length < 2) {
        throw ctx.error(
          `${upper} requires at least two arguments, but only one was provided. Destination could not be determined`,
          at,
        );
      }
      if (heredocOf(args[args.length - 1] as string, 0)) {
        throw ctx.error(`${upper} cannot accept a heredoc as a destination`, at);
      }
      break;
    case 'env':
    case 'label':
      for (let i = 0; i < args.length; i += 3) {
        if (args[i] === '') throw ctx.error(`${upper} names can not be blank`, at);
      }
      break;
    case 'arg':
      if (args.length === 0) throw ctx.error('ARG requires at least one argument', at);
      for (const a of args) if (a.startsWith('=')) throw ctx.error('ARG names can not be blank', at);
      break;
    case 'workdir':
    case 'user':
    case 'maintainer':
    case 'stopsignal':
      // parseString gives at most one argument
      if (args.length === 0) throw ctx.error(`${upper} requires exactly one argument`, at);
      break;
    case 'expose':
      if (args.length === 0) throw ctx.error('EXPOSE requires at least one argument', at);
      break;
    case 'volume':
      if (args.length === 0) throw ctx.error('VOLUME requires at least one argument', at);
      if (args.some((v) => v.trim() === '')) throw ctx.error('VOLUME specified can not be an empty string', at);
      break;
    case 'shell':
      if (args.length === 0) throw ctx.error('SHELL requires at least one argument', at);
      if (!ins.json) {
        throw ctx.error('SHELL requires the arguments to be in JSON form', at, 'Write SHELL ["executable", "parameters"].');
      }
      break;
    case 'onbuild':
      if (!ins.trigger) throw ctx.error('ONBUILD requires at least one argument', at);
      break;
    // RUN, CMD and ENTRYPOINT may be empty; HEALTHCHECK: see above
  }
}

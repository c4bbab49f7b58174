import type { Position, Range, Segment, SourceText } from './ast.js';

/**
 * A Dockerfile's text split into its byte-order mark (`bom`: '\ufeff' or '') and the text
 * positions refer to (`source`: BuildKit drops the mark before parsing). Every reader of
 * Dockerfile text (parser, check, fix) splits it here, and a writer puts `bom` back in front of
 * the text it writes.
 */
export function splitBom(text: string): { bom: '' | '\ufeff'; source: string } {
  return text.charCodeAt(0) === 0xfeff ? { bom: '\ufeff', source: text.slice(1) } : { bom: '', source: text };
}

/** Start offset of every line in `source` (line 1 at index 0). Lines end at '\n'. */
export function computeLineStarts(source: string): number[] {
  const starts = [0];
  let i = source.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = source.indexOf('\n', i + 1);
  }
  return starts;
}

/** Position (1-based line and column) of a source offset. */
export function positionAt(lineStarts: readonly number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (lineStarts[lo] as number) + 1, offset };
}

export function rangeAt(lineStarts: readonly number[], start: number, end: number): Range {
  return { start: positionAt(lineStarts, start), end: positionAt(lineStarts, end) };
}

/** Builds a SourceText piece by piece. */
export class SourceTextBuilder {
  private parts: string[] = [];
  private segs: Segment[] = [];
  private length = 0;

  append(text: string, sourceOffset: number): void {
    if (text.length === 0) return;
    this.parts.push(text);
    this.segs.push({ textOffset: this.length, sourceOffset, length: text.length });
    this.length += text.length;
  }

  build(): SourceText {
    return { text: this.parts.join(''), segments: this.segs };
  }
}

/**
 * Maps an offset in logical text to a source offset. An offset where two segments meet maps to
 * the start of the later one; the offset just past the text maps to the end of the last segment.
 */
export function toSourceOffset(st: SourceText, textOffset: number): number {
  const segs = st.segments;
  if (segs.length === 0) return 0;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segs[mid] as Segment).textOffset <= textOffset) lo = mid;
    else hi = mid - 1;
  }
  const seg = segs[lo] as Segment;
  const within = Math.min(textOffset - seg.textOffset, seg.length);
  return seg.sourceOffset + Math.max(0, within);
}

/**
 * Source offsets of a logical range [start, end). The end maps to the end of the last
 * character, so a range never spans a dropped continuation in a surprising way.
 */
export function toSourceRange(st: SourceText, start: number, end: number): [number, number] {
  const s = toSourceOffset(st, start);
  const e = end > start ? toSourceOffset(st, end - 1) + 1 : s;
  return [s, e];
}

/** The logical substring [start, end) with its own segments. */
export function sliceSourceText(st: SourceText, start: number, end: number): SourceText {
  const b = new SourceTextBuilder();
  for (const seg of st.segments) {
    const segEnd = seg.textOffset + seg.length;
    if (segEnd <= start || seg.textOffset >= end) continue;
    const from = Math.max(start, seg.textOffset);
    const to = Math.min(end, segEnd);
    b.append(st.text.slice(from, to), seg.sourceOffset + (from - seg.textOffset));
  }
  return b.build();
}

/** Go's unicode.IsSpace. */
export function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

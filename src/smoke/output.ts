/**
 * The output a smoke run keeps: the first lines of standard output and error, interleaved as
 * received, bounded in bytes and lines; what comes after is read (so the program never blocks on
 * a full pipe) and counted, never kept.
 */

/** Most bytes of output kept: 64 KiB. */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/** Lines of output kept by default: 20. */
export const DEFAULT_OUTPUT_LINES = 20;

export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** every byte received */
  total = 0;

  constructor(
    private readonly maxBytes = MAX_OUTPUT_BYTES,
    private readonly maxLines = DEFAULT_OUTPUT_LINES,
  ) {}

  push(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.kept >= this.maxBytes) return;
    const take = Math.min(chunk.length, this.maxBytes - this.kept);
    this.chunks.push(Buffer.from(chunk.subarray(0, take)));
    this.kept += take;
  }

  /** The first lines as text (invalid UTF-8 replaced), with a last line saying what was left out. */
  text(): string {
    const all = Buffer.concat(this.chunks).toString('utf8');
    const lines = all.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const shown = lines.slice(0, this.maxLines);
    let shownBytes = Buffer.byteLength(shown.join('\n')) + (shown.length < lines.length || all.endsWith('\n') ? 1 : 0);
    if (shown.length === lines.length && this.total === this.kept) return all;
    shownBytes = Math.min(shownBytes, this.total);
    return `${shown.join('\n')}\n… (${this.total - shownBytes} more bytes)`;
  }
}

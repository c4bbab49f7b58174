/**
 * `RUN --mount=` values, read the way BuildKit reads them (frontend/dockerfile/instructions,
 * `parseMount`). Two layers of quoting apply:
 *
 * 1. The Dockerfile parser removes quotes and escapes from flag words, as BuildKit's
 *    `extractBuilderFlags` does: `--mount=type=bind,"from=builder",target=/x` has the value
 *    `type=bind,from=builder,target=/x` (Flag.value).
 * 2. That value is one record of CSV as Go's encoding/csv reads it: fields separated by commas, a
 *    field that starts with `"` is quoted (a comma inside it is text, `""` is one quote), a quote
 *    anywhere else makes the record unreadable. Each field is `key=value`, split at the first `=`,
 *    the key case-insensitive. So `--mount='type=cache,"target=/a,b"'` targets `/a,b`, while
 *    `--mount=type=cache,target="/a,b"` reaches the CSV as `type=cache,target=/a,b`: a target `/a`
 *    and a field `b` without a value, which BuildKit refuses.
 */

/** One field of a mount: `key=value`, or a bare word such as `ro` (value null). */
export interface MountOption {
  /** lower-cased, as BuildKit compares keys */
  readonly key: string;
  readonly value: string | null;
}

export interface Mount {
  /** `bind` (the default), `cache`, `tmpfs`, `secret`, `ssh`, lower-cased */
  readonly type: string;
  /** the stage or image the mount reads (`from=`), if any */
  readonly from: string | null;
  /** the path in `from` (`source=` or `src=`), if any */
  readonly source: string | null;
  /** where it is mounted (`target=`, `dst=` or `destination=`), if any */
  readonly target: string | null;
  /** every field in order, keys lower-cased (a later field wins over an earlier one of the same key) */
  readonly options: readonly MountOption[];
}

/**
 * The first record of CSV text as Go's encoding/csv reads it with its defaults (comma-separated,
 * quotes strict, no trimming, leading empty lines skipped); undefined where Go returns an error
 * (no record at all, a bare `"` in an unquoted field, a quoted field not closed or followed by
 * something other than a comma or the end of the line).
 */
export function readCsvRecord(text: string): string[] | undefined {
  let i = 0;
  while (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) i += text[i] === '\n' ? 1 : 2;
  if (i >= text.length) return undefined;
  const fields: string[] = [];
  const lineEnd = (at: number): boolean => at >= text.length || text[at] === '\n' || (text[at] === '\r' && text[at + 1] === '\n');
  for (;;) {
    if (text[i] !== '"') {
      let j = i;
      while (!lineEnd(j) && text[j] !== ',') j++;
      const field = text.slice(i, j);
      if (field.includes('"')) return undefined;
      fields.push(field);
      if (text[j] !== ',') return fields;
      i = j + 1;
      continue;
    }
    let field = '';
    let j = i + 1;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q === -1) return undefined;
      field += text.slice(j, q);
      if (text[q + 1] === '"') {
        field += '"';
        j = q + 2;
        continue;
      }
      fields.push(field);
      if (text[q + 1] === ',') {
        i = q + 2;
        break;
      }
      if (lineEnd(q + 1)) return fields;
      return undefined;
    }
  }
}

/** The fields BuildKit accepts without a value. */
const BARE_WORDS: ReadonlySet<string> = new Set(['readonly', 'ro', 'readwrite', 'rw', 'required']);

/**
 * A `--mount=` flag value (quotes of the Dockerfile already removed) as BuildKit reads it, or
 * undefined where BuildKit refuses it: CSV it cannot read, or a field without `=` other than
 * ro/readonly/rw/readwrite/required. Keys BuildKit does not know are kept in `options`, not
 * refused: newer BuildKit versions add keys, and what matters here is which stage a mount reads.
 */
export function parseMount(value: string): Mount | undefined {
  const fields = readCsvRecord(value);
  if (!fields) return undefined;
  let type = 'bind';
  let from: string | null = null;
  let source: string | null = null;
  let target: string | null = null;
  const options: MountOption[] = [];
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq === -1 ? field : field.slice(0, eq)).toLowerCase();
    const v = eq === -1 ? null : field.slice(eq + 1);
    if (v === null && !BARE_WORDS.has(key)) return undefined;
    options.push({ key, value: v });
    if (v === null) continue;
    if (key === 'type') type = v.toLowerCase();
    else if (key === 'from') from = v;
    else if (key === 'source' || key === 'src') source = v;
    else if (key === 'target' || key === 'dst' || key === 'destination') target = v;
  }
  return { type, from, source, target, options };
}

/**
 * The stage or image a mount depends on: its `from=`, whatever the mount type. BuildKit's
 * dispatcher adds `from=` as a dependency before it expands the mount's options (the type may be
 * a variable), so the stage is built even for a tmpfs mount, which then reads nothing from it
 * ({@link mountPaths}). A mount without `from=` reads the build context (bind) or starts empty
 * (cache, tmpfs).
 */
export function mountSource(m: Mount): string | null {
  return m.from || null;
}

/**
 * The paths a mount reads from its `from=` stage, relative to that stage's root: `source=`, or `/`
 * for all of it; none for a tmpfs mount, which starts empty whatever `from=` says.
 */
export function mountPaths(m: Mount): readonly string[] {
  return m.type === 'tmpfs' ? [] : [m.source ?? '/'];
}

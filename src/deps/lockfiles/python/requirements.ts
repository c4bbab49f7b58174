/**
 * requirements.txt as pip reads it, for a resolved set (`pip-compile`, `uv export`, `pip freeze`):
 * pins `name[extras]==version ; marker --hash=sha256:...`, line continuations (`\`), comments
 * (`#` at a line's start or after whitespace), `-i`/`--index-url` and `--extra-index-url`.
 * What it does not follow is a warning with its position: `-r`/`-c` includes, editable and URL
 * or path requirements (built from source), unpinned requirements (`name>=1`: the version is
 * not known until resolved). It names no files, so coverage asks the index.
 */
import type { AnyarchError } from '../../../errors.js';
import type { LockedPackage, Lockfile, SourcePosition } from '../../types.js';
import { entryWarning, lockedPython, pythonLockfile } from './common.js';

interface LogicalLine {
  readonly text: string;
  readonly position: SourcePosition;
}

/** Joins continuations and drops comments, keeping where each logical line starts. */
function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const physical = text.split(/\r?\n/);
  let buf = '';
  let start: SourcePosition | undefined;
  for (let i = 0; i < physical.length; i++) {
    let line = physical[i]!;
    const comment = /(^|\s)#/.exec(line);
    if (comment) line = line.slice(0, comment.index);
    const continued = /\\\s*$/.test(physical[i]!) && !comment;
    if (continued) line = line.replace(/\\\s*$/, '');
    if (!start && line.trim()) start = { line: i + 1, column: line.search(/\S/) + 1 };
    buf += (buf ? ' ' : '') + line.trim();
    if (continued) continue;
    if (buf.trim() && start) out.push({ text: buf.trim(), position: start });
    buf = '';
    start = undefined;
  }
  if (buf.trim() && start) out.push({ text: buf.trim(), position: start });
  return out;
}

/** Options that take a value: `-i URL`, `--index-url=URL`. */
function optionValue(words: readonly string[], i: number): string | undefined {
  const w = words[i]!;
  const eq = w.indexOf('=');
  if (w.startsWith('--') && eq > 0) return w.slice(eq + 1);
  if (/^-[a-zA-Z]./.test(w)) return w.slice(2).replace(/^=/, '');
  return words[i + 1];
}

const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*([^\s;,]+)\s*$/;
const NAME_ONLY = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?/;

export function readRequirements(file: string, text: string): Lockfile {
  const warnings: AnyarchError[] = [];
  const packages: LockedPackage[] = [];
  let indexUrl: string | undefined;
  for (const { text: line, position } of logicalLines(text)) {
    if (line.startsWith('-')) {
      const words = line.split(/\s+/);
      const opt = words[0]!.split('=')[0]!;
      if (opt === '-i' || opt === '--index-url' || opt.startsWith('-i')) {
        indexUrl = optionValue(words, 0);
      } else if (opt === '-r' || opt === '--requirement' || opt === '-c' || opt === '--constraint' || /^-[rc]\S/.test(opt)) {
        warnings.push(entryWarning(file, `${line}: included files are not followed; run deps on ${optionValue(words, 0) ?? 'that file'} as well`, position));
      } else if (opt === '-e' || opt === '--editable' || /^-e\S/.test(opt)) {
        warnings.push(entryWarning(file, `${line}: an editable requirement is built from source; not checked`, position));
      }
      // --extra-index-url, --find-links, --trusted-host, --only-binary, --pre...: nothing deps reads
      continue;
    }
    // the requirement and its per-requirement options (--hash=..., --config-settings ...)
    const optAt = line.search(/\s--?[a-zA-Z]/);
    const req = (optAt >= 0 ? line.slice(0, optAt) : line).trim();
    const semi = req.indexOf(';');
    const spec = (semi >= 0 ? req.slice(0, semi) : req).trim();
    const marker = semi >= 0 ? req.slice(semi + 1).trim() : undefined;
    if (/^(\.|\/|[a-z][a-z0-9+.-]*:\/\/)/i.test(spec) || /\s@\s|^\S+@\s/.test(spec) || spec.includes(' @')) {
      warnings.push(entryWarning(file, `${spec}: a URL or path requirement is built from what it names; not checked`, position));
      continue;
    }
    const pin = PIN.exec(spec);
    if (!pin) {
      const name = NAME_ONLY.exec(spec);
      warnings.push(entryWarning(file, name ? `${spec}: not pinned with ==; skipped (lock it first: pip-compile, uv export)` : `${spec}: not a requirement anyarch reads; skipped`, position));
      continue;
    }
    const version = pin[3]!;
    if (version.includes('*')) {
      warnings.push(entryWarning(file, `${spec}: a wildcard pin is not one version; skipped`, position));
      continue;
    }
    packages.push(lockedPython({ name: pin[1]!, version, position, marker }));
  }
  return pythonLockfile(file, 'requirements', packages, warnings, { indexUrl });
}

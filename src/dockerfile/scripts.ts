/**
 * Scripts of the build context that a RUN executes: `COPY install.sh /tmp/` then
 * `RUN /tmp/install.sh` (or `sh /tmp/install.sh`, `bash -c ./scripts/x.sh`, `. ./env.sh`),
 * `COPY . .` then `RUN ./build.sh` (relative paths against WORKDIR), and
 * `RUN --mount=type=bind,source=build.sh,target=/b.sh sh /b.sh`. Only names: which context paths a
 * RUN may execute. Reading them is the caller's (the check engine's); the model then reads each
 * found script as shell text of that RUN (`Model.shell`).
 */
import type { Instruction } from './ast.js';
import { parseMount } from './mount.js';
import type { Stage } from './model.js';
import { parseShell, type ShellScript, type ShellWord } from './shell.js';

/** A context file a RUN may execute. */
export interface ScriptRun {
  readonly stage: Stage;
  /** the RUN's index in `stage.instructions` */
  readonly index: number;
  readonly instruction: Instruction;
  /** context-relative paths (posix, no `./`) it may be, most likely first */
  readonly candidates: readonly string[];
  /** offsets in the RUN's body text of the word that names the script ([0, 0) for the exec form) */
  readonly start: number;
  readonly end: number;
}

/** A file of the build context as the engine read it. */
export interface ScriptFile {
  /** the name findings in it are reported under (relative to the working directory, as Dockerfiles are) */
  readonly path: string;
  readonly text: string;
}

/** Reads a context file by its context-relative path; undefined when it is missing, too large or not text. */
export type ScriptReader = (contextPath: string) => ScriptFile | undefined;

/** Shells whose first operand is a script file (`sh x.sh`), and `source`/`.`. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox', 'source', '.']);
/** Wrappers before the command. */
const WRAPPERS = new Set(['exec', 'time', 'nohup', 'sudo', 'env', 'command']);

/** A cheap test: can the file run a context script at all (a COPY/ADD from the context, or a bind mount)? */
const MAY_RUN = /^\s*(copy|add)\s|type=bind|--mount=(?![^\s]*type=)/im;

/** `a/./b/../c` → `a/c`; absolute stays absolute; undefined when it climbs above the root. */
export function normalizePath(p: string): string | undefined {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!out.length) return abs ? '/' : undefined;
      out.pop();
      continue;
    }
    out.push(part);
  }
  return (abs ? '/' : '') + out.join('/');
}

/** `p` against the directory `dir` (an absolute `p` stays). */
export function joinPath(dir: string, p: string): string {
  return p.startsWith('/') ? p : `${dir.replace(/\/$/, '')}/${p}`;
}

/** Where context files sit in a stage's file system: container path → context path (a file or a directory). */
export interface Placement {
  readonly dest: string;
  readonly source: string;
  /** the destination names a directory the source goes into (`/tmp/`, several sources) */
  readonly into: boolean;
}

/** The context paths a container path may hold (later placements first). */
export function contextPathOf(path: string, placements: readonly Placement[]): string[] {
  const out: string[] = [];
  const add = (rel: string): void => {
    const n = normalizePath(rel);
    if (n !== undefined && n !== '' && !n.startsWith('/') && !out.includes(n)) out.push(n);
  };
  // later placements cover earlier ones
  for (let i = placements.length - 1; i >= 0; i--) {
    const pl = placements[i] as Placement;
    const dest = pl.dest.replace(/\/+$/, '');
    const base = pl.source.replace(/^.*\//, '');
    // a file copied to that name, or into that directory
    if (path === (pl.into ? `${dest}/${base}` : pl.dest)) add(pl.source);
    // a directory's contents copied there (`COPY . /app`, `COPY scripts/ /opt/scripts/`)
    if (path.startsWith(`${dest}/`)) add(`${pl.source}/${path.slice(dest.length + 1)}`);
  }
  return out;
}

/** Where a COPY/ADD from the build context puts its sources (none for `--from`, URLs, variables, heredocs). */
export function copyPlacements(ins: Instruction, workdir: string): Placement[] {
  if (ins.flags.some((f) => f.name === 'from')) return [];
  const words = ins.json ? [...ins.args] : ins.args.length === 1 ? (ins.args[0] as string).trim().split(/\s+/) : [...ins.args];
  if (words.length < 2 || ins.heredocs.length) return [];
  const dest = words[words.length - 1] as string;
  const sources = words.slice(0, -1).filter((s) => !/^[a-z][\w+.-]*:\/\//i.test(s) && !s.includes('$'));
  if (dest.includes('$')) return [];
  const into = dest.endsWith('/') || words.length > 2 || dest === '.' || dest === './';
  const absDest = normalizePath(joinPath(workdir, dest)) ?? '/';
  return sources.flatMap((s) => {
    // a glob copies the files it matches into a directory
    if (/[*?[]/.test(s)) {
      // (`./poetry.lock*` is in the context's root, as `poetry.lock*` is)
      const dir = normalizePath(s.replace(/\/[^/]*$/, '')) ?? '';
      return [{ dest: absDest, source: dir === s || dir === '' || !s.includes('/') ? '.' : dir, into: false }];
    }
    const n = normalizePath(s);
    if (n === undefined) return [];
    return [{ dest: absDest, source: n === '' ? '.' : n, into: into && n !== '' }];
  });
}

/** Where a RUN's bind mounts of the build context put their sources. */
export function mountPlacements(ins: Instruction, workdir: string): Placement[] {
  const out: Placement[] = [];
  for (const f of ins.flags) {
    if (f.name !== 'mount' || f.value === null) continue;
    const m = parseMount(f.value);
    if (!m || m.type !== 'bind' || m.from || !m.target || m.target.includes('$')) continue;
    const source = normalizePath(m.source ?? '.') ?? '.';
    out.push({ dest: normalizePath(joinPath(workdir, m.target)) ?? '/', source: source === '' ? '.' : source, into: false });
  }
  return out;
}

/** The script word of a command: `./x.sh`, `/tmp/i.sh`, `sh x.sh`, `bash -eux x.sh`, `bash -c ./x.sh`. */
function scriptWord(words: readonly ShellWord[]): { word: ShellWord; inner?: string } | undefined {
  let i = 0;
  while (i < words.length && WRAPPERS.has((words[i] as ShellWord).value)) {
    i++;
    while (i < words.length && /^(-|\w+=)/.test((words[i] as ShellWord).value)) i++;
  }
  const first = words[i];
  if (!first) return undefined;
  const name = first.value.replace(/^.*\//, '');
  if (SHELLS.has(name) || SHELLS.has(first.value)) {
    for (let j = i + 1; j < words.length; j++) {
      const w = words[j] as ShellWord;
      if (w.value === '-c') {
        const next = words[j + 1];
        return next ? { word: next, inner: next.value } : undefined;
      }
      if (w.value === '--' || w.value.startsWith('-') || w.value.startsWith('+')) continue;
      return { word: w };
    }
    return undefined;
  }
  return first.value.includes('/') ? { word: first } : undefined;
}

/** The paths a shell text executes, with the word's offsets in `text` (for `-c`, the first word of the inner command). */
function executedPaths(script: ShellScript): { path: string; start: number; end: number }[] {
  const out: { path: string; start: number; end: number }[] = [];
  for (const cmd of script.commands) {
    if (cmd.substitution) continue;
    const found = scriptWord(cmd.words);
    if (!found) continue;
    const { word, inner } = found;
    let path = word.value;
    if (inner !== undefined) {
      const innerWord = scriptWord(parseShell(inner).commands[0]?.words ?? []);
      if (!innerWord) continue;
      path = innerWord.word.value;
    }
    if (!path || path.includes('$') || path.includes('`') || /\s/.test(path)) continue;
    out.push({ path, start: word.start, end: word.end });
  }
  return out;
}

/** The script of an exec-form RUN (`["/tmp/x.sh"]`, `["sh", "-c", "./x.sh"]`). */
function execPaths(args: readonly string[]): { path: string; start: number; end: number }[] {
  const found = scriptWord(args.map((a) => ({ raw: a, value: a, start: 0, end: 0, quoted: false })));
  if (!found) return [];
  const path = found.inner !== undefined ? scriptWord(parseShell(found.inner).commands[0]?.words ?? [])?.word.value : found.word.value;
  return path && !path.includes('$') ? [{ path, start: 0, end: 0 }] : [];
}

/**
 * The context files each RUN may execute, stage by stage (a stage built FROM another starts
 * with its placements). Cheap when nothing can be a context script: no COPY/ADD and no bind mount.
 */
export function scriptRuns(stages: readonly Stage[], source: string, parse: (ins: Instruction) => ShellScript = (ins) => parseShell(ins.body.text)): ScriptRun[] {
  if (!MAY_RUN.test(source)) return [];
  const out: ScriptRun[] = [];
  const ends = new Map<Stage, { placements: Placement[]; workdir: string }>();
  for (const stage of stages) {
    const inherited = stage.parent ? ends.get(stage.parent) : undefined;
    let placements: Placement[] = inherited ? [...inherited.placements] : [];
    let workdir = inherited?.workdir ?? '/';
    // Windows stages are not read as POSIX shell (Model.shell)
    if (!stage.windows) stage.instructions.forEach((ins, index) => {
      if (ins.keyword === 'workdir') workdir = normalizePath(joinPath(workdir, ins.body.text.trim())) ?? '/';
      else if (ins.keyword === 'copy' || ins.keyword === 'add') placements = [...placements, ...copyPlacements(ins, workdir)];
      else if (ins.keyword === 'run') {
        const here = [...placements, ...mountPlacements(ins, workdir)];
        if (!here.length) return;
        const paths = ins.json ? execPaths(ins.args) : executedPaths(parse(ins));
        for (const p of paths) {
          const abs = normalizePath(joinPath(workdir, p.path));
          if (!abs) continue;
          const candidates = contextPathOf(abs, here);
          if (candidates.length) out.push({ stage, index, instruction: ins, candidates, start: p.start, end: p.end });
        }
      }
    });
    ends.set(stage, { placements, workdir });
  }
  return out;
}

/** Interpreters that are not a POSIX shell: a script with such a `#!` line is not read as shell. */
const NOT_SHELL = /^#!\s*\S*?(?:\/env\s+(?:-\S+\s+)*)?\S*?(python|perl|node|ruby|php|pwsh|powershell|lua|tclsh|awk|deno|bun)/;

/** Is this text a shell script (no NUL byte, no other interpreter's `#!` line)? */
export function isShellScript(text: string): boolean {
  return !text.includes('\0') && !NOT_SHELL.test(text);
}

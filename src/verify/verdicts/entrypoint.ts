/**
 * AA208: the image config's Entrypoint/Cmd executable is missing, or built for another
 * architecture: the container cannot start. Resolved as Docker does: Entrypoint + Cmd (Cmd
 * alone without an Entrypoint), a name without `/` searched in the PATH of the config's Env, a
 * relative path from WorkingDir; a shell form (`/bin/sh -c CMD`) checks the shell and the
 * command's first word when it is a plain one and no shell word (reserved word, builtin). A name
 * inside the command that PATH does not hold is silence (a function or alias the shell may
 * define, a busybox applet); a path inside it is looked up and must be there.
 */
import { normalizePlatform } from '../../platform/index.js';
import { describeFacts, elfArchitecture, fitsPlatform } from '../binary-kit.js';
import { treePath } from '../view.js';
import { loaderProblem } from './support.js';
import { defineVerdict, shown, type VariantView } from './types.js';

const messages = {
  missing: 'the {field} runs {program}, which is not in the image: the container cannot start',
  notInPath: 'the {field} runs {program}, which is not in PATH ({dirs}): the container cannot start',
  foreign: 'the {field} runs {path}, which is {arch}, not {platform}: the container fails with "exec format error"',
  noLoader: 'the {field} runs {path}, whose loader {loader} is not in the image: the container cannot start',
  noInterpreter: 'the {field} runs the script {path}, whose interpreter {interpreter} is not in the image: the container cannot start',
} as const;

/** Shell words that are not programs: the first word after them is. */
const SHELL_PREFIXES = new Set(['exec', 'nohup', 'time', 'command']);
/**
 * Words a shell runs itself, never from PATH: POSIX's reserved words, special builtins and
 * regular builtins, and those of bash, dash and busybox ash. A command starting with one of
 * them says nothing of a program.
 */
const SHELL_BUILTINS = new Set([
  // reserved words (POSIX 2.4, bash's [[ ]], function, select, time)
  '!', '{', '}', '(', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'if', 'in', 'then', 'until', 'while', '[[', ']]', 'function', 'select',
  // special builtins (POSIX 2.14)
  'break', ':', '.', 'continue', 'eval', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'times', 'trap', 'unset',
  // regular builtins (POSIX's intrinsic utilities and the ones every shell builds in)
  'alias', 'bg', 'cd', 'false', 'fc', 'fg', 'getopts', 'hash', 'jobs', 'kill', 'newgrp', 'pwd', 'read', 'true', 'type', 'ulimit', 'umask', 'unalias', 'wait', 'echo', 'printf', 'test', '[',
  // bash, dash and ash
  'source', 'local', 'let', 'declare', 'typeset', 'shopt', 'pushd', 'popd', 'dirs', 'disown', 'enable', 'help', 'history', 'logout', 'mapfile', 'readarray', 'builtin', 'caller', 'compgen', 'complete', 'compopt', 'suspend', 'bind', 'coproc',
]);

/** The program a `sh -c` command starts with, when its first word is a plain one (no expansion, no redirection). */
export function shellProgram(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  for (const w of words) {
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue; // VAR=value prefix
    if (SHELL_PREFIXES.has(w)) continue;
    if (SHELL_BUILTINS.has(w) || !/^[A-Za-z0-9_./+-]+$/.test(w)) return undefined;
    return w;
  }
  return undefined;
}

/** Where a program name leads: its cleaned path in the tree, or why not. */
function locate(program: string, workingDir: string, view: VariantView): { path: string } | { missing: 'path' | 'name' } {
  if (program.includes('/')) {
    const p = treePath(program, workingDir);
    return view.tree.resolve(p) ? { path: p } : { missing: 'path' };
  }
  const found = view.which(program);
  return found ? { path: found } : { missing: 'name' };
}

export default defineVerdict({
  meta: {
    id: 'AA208',
    name: 'entrypoint',
    title: "The image config's Entrypoint or Cmd program is missing or built for another architecture",
    severity: 'error',
    description:
      'The program a container starts with is named by the config\'s Entrypoint and Cmd. When it is not in the image, not in PATH, or built for another CPU, every container of that variant fails at once ("exec format error", "no such file or directory").',
    allowable: false,
  },
  messages,
  judge(ctx) {
    const c = ctx.config;
    if (!c || normalizePlatform(ctx.platform).os !== 'linux') return;
    const entrypoint = c.Entrypoint ?? [];
    const argv = entrypoint.length > 0 ? [...entrypoint, ...(c.Cmd ?? [])] : [...(c.Cmd ?? [])];
    const field = entrypoint.length > 0 ? 'Entrypoint' : 'Cmd';
    const first = argv[0];
    if (first === undefined || first === '') return;
    const workingDir = treePath(c.WorkingDir ?? '/');
    // the exec form's program is exec'd by the runtime itself: a name not in PATH is sure; a
    // name inside `sh -c` may be a function, an alias from an ENV file or a busybox applet
    const programs: { readonly program: string; readonly sure: boolean }[] = [{ program: first, sure: true }];
    if (/(?:^|\/)(?:ba|da|a)?sh$/.test(first) && argv[1] === '-c' && argv[2] !== undefined) {
      const inner = shellProgram(argv[2]);
      if (inner) programs.push({ program: inner, sure: false });
    }
    for (const { program, sure } of programs) {
      const at = locate(program, workingDir, ctx.view);
      if ('missing' in at) {
        if (at.missing === 'path') ctx.report({ messageId: 'missing', data: { field, program } });
        else if (sure) ctx.report({ messageId: 'notInPath', data: { field, program, dirs: ctx.view.path.map(shown).join(':') } });
        return;
      }
      const f = ctx.view.tree.resolve(at.path);
      const facts = f?.facts;
      if (!facts) continue;
      if (facts.format === 'elf') {
        if (fitsPlatform(facts, ctx.platform).fits === 'no') {
          ctx.report({ messageId: 'foreign', data: { field, path: shown(at.path), arch: elfArchitecture(facts).architecture ?? elfArchitecture(facts).machineName, platform: ctx.name }, path: at.path, what: describeFacts(facts), ...(f ? { layer: f.layer } : {}) });
          return;
        }
        if (facts.interpreter && loaderProblem(facts, ctx.view)) {
          ctx.report({ messageId: 'noLoader', data: { field, path: shown(at.path), loader: facts.interpreter }, path: at.path, what: describeFacts(facts), ...(f ? { layer: f.layer } : {}) });
          return;
        }
      } else if (facts.format === 'script' && facts.interpreter.startsWith('/') && !ctx.view.tree.resolve(facts.interpreter.slice(1))) {
        ctx.report({ messageId: 'noInterpreter', data: { field, path: shown(at.path), interpreter: facts.interpreter }, path: at.path, what: describeFacts(facts), ...(f ? { layer: f.layer } : {}) });
        return;
      }
    }
  },
});

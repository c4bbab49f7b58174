/**
 * Is a variable set for a shell command? Its assignment prefix and `env NAME=...`, assignments
 * and `go env -w` earlier in the RUN, ENV/ARG in scope, and `go env -w` in earlier RUNs.
 */
import type { Instruction } from '../../dockerfile/ast.js';
import type { Model, ShellSource, Stage } from '../../dockerfile/model.js';
import type { SimpleCommand } from '../../dockerfile/shell.js';
import type { Platform } from '../../platform/index.js';
import { envWords, settingWords } from './shell-words.js';
import { goEnvWrites } from './toolchains.js';

export type EnvState = { set: false } | { set: true; value: string | undefined };

/**
 * Is `name` set for `cmd` (index `index` in the stage, inside `source`)? Looks at the command's
 * assignment prefix and `env NAME=...`, NAME=/export NAME=/`go env -w NAME=` earlier in the RUN,
 * ENV/ARG in scope, and `go env -w NAME=` in earlier RUNs of the stage and its parents. A RUN that
 * sources a file or evals counts as setting everything (value unknown).
 */
export function envFor(model: Model, stage: Stage, index: number, source: ShellSource, cmd: SimpleCommand, name: string, target: Platform): EnvState {
  const prefix = new RegExp(`^${name}=`);
  for (const w of [...cmd.assignments, ...envWords(cmd)]) {
    if (prefix.test(w.value)) return { set: true, value: w.value.slice(name.length + 1) };
  }
  let found: EnvState = { set: false };
  for (const c of source.script.commands) {
    if (c.start >= cmd.start) break;
    for (const w of [...settingWords(c), ...goEnvWrites(c)]) {
      if (prefix.test(w.value)) found = { set: true, value: w.value.slice(name.length + 1) };
    }
    const first = c.words[0]?.value;
    if (first === 'source' || first === '.' || first === 'eval') found = { set: true, value: undefined };
  }
  if (found.set) return found;
  const view = model.view(stage, target);
  const b = (view.scopes[index] ?? view.end).get(name);
  if (b) return { set: true, value: b.value };
  const goEnv = goEnvPattern(name);
  for (let i = 0; i < index; i++) {
    const ins = stage.instructions[i] as Instruction;
    if (ins.keyword === 'run' && goEnv.test(ins.body.text)) return { set: true, value: undefined };
  }
  return stage.parent && chainSetsGoEnv(stage.parent, name) ? { set: true, value: undefined } : { set: false };
}

const goEnvPatterns = new Map<string, RegExp>();
function goEnvPattern(name: string): RegExp {
  let re = goEnvPatterns.get(name);
  if (!re) goEnvPatterns.set(name, (re = new RegExp(`\\bgo\\s+env\\s+-w\\b[^\\n]*\\b${name}=`)));
  return re;
}

/** Per stage and name: does a RUN of the stage or of one of its parents run `go env -w NAME=`? */
const chainGoEnv = new WeakMap<Stage, Map<string, boolean>>();

/**
 * Worked out once per stage and name, and without recursion: the parents not yet known are
 * walked up to the first known one, then filled in from the oldest down (a chain of thousands of
 * stages costs one pass, not one per command).
 */
function chainSetsGoEnv(stage: Stage, name: string): boolean {
  const goEnv = goEnvPattern(name);
  const known = (s: Stage): boolean | undefined => chainGoEnv.get(s)?.get(name);
  const pending: Stage[] = [];
  let s: Stage | null = stage;
  for (; s && known(s) === undefined; s = s.parent) pending.push(s);
  let acc = s ? (known(s) as boolean) : false;
  for (let i = pending.length - 1; i >= 0; i--) {
    const p = pending[i] as Stage;
    acc ||= p.instructions.some((ins) => ins.keyword === 'run' && goEnv.test(ins.body.text));
    let byName = chainGoEnv.get(p);
    if (!byName) chainGoEnv.set(p, (byName = new Map()));
    byName.set(name, acc);
  }
  return acc;
}

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
  for (let s: Stage | null = stage; s; s = s.parent) {
    const upto = s === stage ? index : s.instructions.length;
    for (let i = 0; i < upto; i++) {
      const ins = s.instructions[i] as Instruction;
      if (ins.keyword === 'run' && new RegExp(`\\bgo\\s+env\\s+-w\\b[^\\n]*\\b${name}=`).test(ins.body.text)) return { set: true, value: undefined };
    }
  }
  return { set: false };
}

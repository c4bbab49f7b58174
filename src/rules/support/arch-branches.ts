/**
 * Branches chosen by the CPU architecture: a `case` on an architecture word or variable, an
 * `if`/`test` of one, a test on the left of `&&`/`||`. A command inside such a branch is meant for
 * one architecture, so the rules leave it alone.
 */
import type { Branch, ShellWord, SimpleCommand } from '../../dockerfile/shell.js';
import { findArchTokens } from './url-arch-words.js';

/** Words that mention the architecture: detectors, platform args, variables named *arch*. */
const ARCH_MENTION =
  /arch|platform|uname|dpkg|apk\b|machine|TARGET|BUILDOS|BUILDARCH|\$\{?(ARCH|arch|GOARCH|goarch)|x86_64|amd64|aarch64|arm64/i;

function wordsMentionArch(words: readonly ShellWord[]): boolean {
  return words.some((w) => ARCH_MENTION.test(w.value) || findArchTokens(`/${w.value}/`).length > 0 || isArchWord(w.value));
}

function isArchWord(v: string): boolean {
  return findArchTokens(`linux-${v.replace(/^['"]|['"]$/g, '')}`).length > 0;
}

/** True when a branch is chosen by the architecture (case on an arch, if/test of an arch). */
export function isArchBranch(b: Branch): boolean {
  if (b.kind === 'case') {
    return ARCH_MENTION.test(b.subject.value) || b.patterns.some((p) => p !== '*' && isArchWord(p));
  }
  return b.condition.some((c) => wordsMentionArch(c.words) || wordsMentionArch(c.assignments));
}

/** Commands that test something: on the left of `&&`/`||` they make a guard. */
export const TEST_COMMANDS: ReadonlySet<string> = new Set(['[', '[[', 'test', 'grep']);

/**
 * A branch that selects by architecture. For `a && b` / `a || b` only a test on the left counts
 * (`[ "$arch" = amd64 ] && …`): `ARCH=$(dpkg --print-architecture) && curl …` chooses nothing.
 */
function isGuardBranch(b: Branch): boolean {
  // Branch objects are shared by every command they enclose (a chain of a thousand `&&` gives each
  // command the branches before it): judged once each, a long chain costs its length, not its cube.
  let guard = guardCache.get(b);
  if (guard === undefined) {
    if (b.kind !== 'and' && b.kind !== 'or') guard = isArchBranch(b);
    else {
      const tests = b.condition.filter((c) => TEST_COMMANDS.has(c.words[0]?.value ?? ''));
      guard = tests.length > 0 && isArchBranch({ kind: b.kind, condition: tests });
    }
    guardCache.set(b, guard);
  }
  return guard;
}
const guardCache = new WeakMap<Branch, boolean>();

/** True when any enclosing branch of the command is chosen by the architecture. */
export function isArchGuarded(cmd: SimpleCommand): boolean {
  for (let c: SimpleCommand | undefined = cmd; c; c = c.parent) {
    if (anyGuard(c.branches)) return true;
  }
  return false;
}

/**
 * Whether any of a command's enclosing branches is a guard. A command's branches are the shell
 * reader's branch stack when it was read, so the branches before a given branch are the same in
 * every list that holds it: the answer for a list's prefix is kept on its last branch, and a
 * command in a chain of n `&&` costs one step, not n.
 */
function anyGuard(branches: readonly Branch[]): boolean {
  let i = branches.length - 1;
  while (i >= 0 && !prefixGuard.has(branches[i] as Branch)) i--;
  let acc = i >= 0 ? (prefixGuard.get(branches[i] as Branch) as boolean) : false;
  for (let k = i + 1; k < branches.length; k++) {
    const b = branches[k] as Branch;
    acc = acc || isGuardBranch(b);
    prefixGuard.set(b, acc);
  }
  return acc;
}
const prefixGuard = new WeakMap<Branch, boolean>();

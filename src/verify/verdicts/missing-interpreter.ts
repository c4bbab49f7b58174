/**
 * AA207: an executable script whose `#!` interpreter is not in the final file system (for
 * `#!/usr/bin/env X`, X searched in the config's PATH). Running it fails with "no such file or
 * directory", naming the script.
 */
import { defineVerdict, shown } from './types.js';

const messages = {
  missing: '{path} starts with #!{interpreter}, which is not in the image',
  notInPath: '{path} runs {program} through {interpreter}, but no {program} is in PATH ({dirs})',
} as const;

/** The program `/usr/bin/env [-S] [-i] [NAME=value...] PROGRAM` runs, or undefined. */
export function envProgram(args: readonly string[]): string | undefined {
  const words = args.flatMap((a) => a.split(/\s+/)).filter((w) => w !== '');
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '-u' || w === '-C' || w === '--unset' || w === '--chdir') {
      i++;
      continue;
    }
    if (w.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    return w;
  }
  return undefined;
}

export default defineVerdict({
  meta: {
    id: 'AA207',
    name: 'missing-interpreter',
    title: "An executable script's #! interpreter is missing from the image",
    severity: 'warning',
    description:
      'A script marked executable names its interpreter on its first line (#!/bin/bash, #!/usr/bin/env python3). When that program is not in the image (bash in Alpine, python3 in a slim stage), running the script fails with "no such file or directory".',
    allowable: true,
  },
  messages,
  judge(ctx) {
    for (const k of ctx.view.kept) {
      if (k.facts.format !== 'script' || (k.file.entry.mode & 0o111) === 0) continue;
      const interp = k.facts.interpreter;
      if (!interp.startsWith('/')) continue;
      if (!ctx.view.tree.resolve(interp.slice(1))) {
        ctx.report({ messageId: 'missing', data: { path: shown(k.path), interpreter: interp }, path: k.path, what: `script, #!${[interp, ...k.facts.args].join(' ')}` });
        continue;
      }
      if (!/\/env$/.test(interp)) continue;
      const program = envProgram(k.facts.args);
      if (!program || program.includes('/') || ctx.view.which(program)) continue;
      ctx.report({
        messageId: 'notInPath',
        data: { path: shown(k.path), program, interpreter: interp, dirs: ctx.view.path.map(shown).join(':') },
        path: k.path,
        what: `script, #!${[interp, ...k.facts.args].join(' ')}`,
      });
    }
  },
});

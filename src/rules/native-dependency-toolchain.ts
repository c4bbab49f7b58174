/**
 * AA124: an install RUN where a native dependency compiles at install on a target platform (no
 * binary for it, but a source the package manager builds: node-gyp, an sdist) and the stage lacks
 * what the compile needs (a C/C++ compiler, make, python3, Rust, headers) at that RUN. Names what
 * is lacking and offers the line that installs it in the stage. Decided from the lockfile and the
 * registries (looked up before the check, cached); without them the rule says nothing.
 */
import { INSTALL_GATE, toolchainAdvice } from '../deps/dockerfile.js';
import { formatPlatform } from '../platform/index.js';
import { listSome, siteFailures, targetName } from './support/native-deps.js';
import { defineRule, type Suggestion } from './types.js';

const messages = {
  toolchain: '{command} compiles {packages} and stage {stage} lacks {lacking} at this RUN: add them before it ({advice})',
} as const;

export default defineRule({
  meta: {
    id: 'AA124',
    name: 'native-dependency-toolchain',
    title: 'A native dependency compiles at install but the stage lacks the compiler or headers',
    severity: 'error',
    description:
      'An install RUN reads a lockfile with a native package that has no binary for a target platform and ' +
      'is compiled at install instead (node-gyp, a Python sdist), but the stage has no compiler, make, python3, ' +
      'Rust or headers the compile needs at that RUN (neither its base image nor an earlier RUN of the stage ' +
      'installs them): the install fails for that platform. Checked against the registries before the check ' +
      '(cached); `--offline` answers from the cache only.',
    related: [],
    fixable: false,
  },
  needs: ['nativeDeps'],
  gate: INSTALL_GATE,
  messages,
  check(model, ctx) {
    const failing = siteFailures(model, ctx, (c) => c.status === 'missing' && !!c.lacking?.length);
    for (const { site, packages } of failing) {
      const lacking = [...new Set(packages.flatMap(({ on }) => on.flatMap((o) => o.cell.lacking ?? [])))];
      const base = site.targets.find((t) => t.site?.base)?.site?.base ?? '';
      const advice = toolchainAdvice(base, lacking);
      const evidence = packages[0]?.on[0]?.target.toolchain?.evidence ?? [];
      const named = packages.map(({ pkg, on }) => `${pkg.name}@${pkg.version} on ${on.map((o) => targetName(o.target)).join(', ')}`);
      // the line that installs what is lacking, before the install RUN (a suggestion: it changes the image)
      const suggestions: Suggestion[] = [];
      if (advice.startsWith('RUN ')) {
        const at = site.instruction.range.start.offset;
        suggestions.push({ title: `Install ${lacking.join(', ')} in stage ${site.stage.name ?? `#${site.stage.index}`} before this RUN`, edits: [{ start: at, end: at, text: `${advice}\n` }] });
      }
      ctx.report({
        messageId: 'toolchain',
        range: site.range,
        data: { command: site.command, packages: listSome(named), stage: site.stage.name ?? `#${site.stage.index}`, lacking: lacking.join(', '), advice },
        platforms: [...new Set(packages.flatMap(({ on }) => on.map((o) => formatPlatform(o.target.platform))))],
        suggestions,
        // how the stage's toolchain was read: the base, and what earlier RUNs installed
        ...(evidence.length ? { fixNote: `the stage's toolchain at this RUN: ${evidence.join('; ')}` } : {}),
      });
    }
  },
});

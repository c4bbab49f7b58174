/**
 * AA123: an install RUN that fails on a target platform because a native dependency of its
 * lockfile has no binary there and cannot be compiled there (no prebuilt package, prebuild or
 * wheel for that CPU and C library, and no source to build from). Decided from the lockfile and
 * the registries (looked up before the check, cached); without them the rule says nothing.
 */
import { INSTALL_GATE } from '../deps/dockerfile.js';
import { formatPlatform } from '../platform/index.js';
import { listSome, siteFailures, targetName } from './support/native-deps.js';
import { defineRule } from './types.js';

const messages = {
  missing: '{command} fails on {platforms}: {packages} (lockfile {lockfile})',
} as const;

export default defineRule({
  meta: {
    id: 'AA123',
    name: 'native-dependency-missing',
    title: 'A native dependency has no binary for a target platform and cannot compile there',
    severity: 'error',
    description:
      'An install RUN (`npm ci`, `pnpm install`, `yarn install`, `pip install -r`, `uv sync`, `poetry install`, ' +
      '`pipenv install`) reads a lockfile with a native package that has no prebuilt binary for a target ' +
      'platform (its CPU and C library: no per-platform package, prebuild or wheel) and no source to compile: ' +
      'the install, or the first import, fails for that platform. Checked against the registries before the ' +
      'check (cached); `--offline` answers from the cache only.',
    related: [],
    fixable: false,
  },
  needs: ['nativeDeps'],
  gate: INSTALL_GATE,
  messages,
  check(model, ctx) {
    const failing = siteFailures(model, ctx, (c) => c.status === 'missing' && !c.lacking?.length);
    for (const { site, fact, packages } of failing) {
      const platforms = new Set<string>();
      const named = packages.map(({ pkg, on }) => {
        for (const o of on) platforms.add(targetName(o.target));
        return { pkg, on };
      });
      // the platforms named once when every package fails on all of them
      const one = packages.every(({ on }) => on.length === platforms.size);
      ctx.report({
        messageId: 'missing',
        range: site.range,
        data: {
          command: site.command,
          platforms: [...platforms].join(', '),
          packages: listSome(named.map(({ pkg, on }) => `${pkg.name}@${pkg.version}${one ? '' : ` on ${on.map((o) => targetName(o.target)).join(', ')}`}: ${on[0]?.cell.reason ?? 'no binary'}`)),
          lockfile: fact.lockfile,
        },
        platforms: [...new Set(packages.flatMap(({ on }) => on.map((o) => formatPlatform(o.target.platform))))],
        ...(packages.some(({ pkg }) => pkg.suggestion) ? { fixNote: [...new Set(packages.flatMap(({ pkg }) => (pkg.suggestion ? pkg.suggestion.split(/;\s+/) : [])))].join('; ') } : {}),
      });
    }
  },
});

/**
 * `anyarch deps`: its flags (commander) and its help, kept beside the command so that main.ts
 * stays a table. The action lazily imports `./deps.js` (glue only), which loads the analysis
 * only then: `check`'s start-up never loads src/deps beyond what its rules use.
 */
import { Option, type Command } from '../packages.js';
import type { Io, Outcome } from '../io.js';
import { httpUrl, nodeMajor, pythonVersion, seconds } from '../flags.js';

// literal list, so that --help does not load the reporters
const FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;

export const DEPS_DESCRIPTION = `Will every native dependency have a binary for every platform you build?

anyarch reads your lockfiles and, for each package with native code (sharp,
esbuild, better-sqlite3, bcrypt, numpy, cryptography, grpcio...), works out per
target platform whether the install finds a prebuilt binary, compiles one, or
fails. It asks the npm registry and the Python index what exists (answers are
cached; --offline uses the cache only) and never installs anything.

PATHS are lockfiles, directories (default: the current directory) or quoted
glob patterns ("services/**/package-lock.json"). In a directory every known
lockfile is read: package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml,
yarn.lock (Yarn 1 and Berry), uv.lock, poetry.lock, pylock.toml, Pipfile.lock,
requirements.txt.

The targets come from the Dockerfile when there is one (--dockerfile, or a
Dockerfile beside the lockfile): the stage that runs the install gives the C
library and its version (Alpine = musl), the Python or Node version, and
whether a compiler is there. Without one, --platform, --libc, --python and
--node say what the targets are.`;

export const DEPS_FOOTER = `
Each cell of the matrix is one of:
  prebuilt   a binary for that platform exists (which one is listed below)
  compiles   nothing prebuilt; it compiles at install (slow under QEMU)   AA303
  MISSING    the install fails there: no binary and no way to compile    AA301
             (or a compile the stage lacks tools for)                    AA302
  unknown    anyarch could not tell (offline, registry error)             AA304
A lockfile pruned to one platform, or without libc fields, is AA305.

Examples:
  anyarch deps                                   # lockfiles here, linux/amd64 + linux/arm64
  anyarch deps --dockerfile Dockerfile           # targets from the stage that installs
  anyarch deps --platform linux/arm64,linux/arm/v7 --libc musl package-lock.json
  anyarch deps --python 3.12 --platform linux/arm64 uv.lock
  anyarch deps --offline                         # cached answers only (run once online first)
  anyarch deps --format markdown > deps.md       # a table for a pull request
  anyarch deps --format sarif -o deps.sarif      # for code scanning

Exit codes: 0 every target installs · 1 some target would fail (a MISSING
cell) · 2 a lockfile, path or Dockerfile that could not be read, or a usage
error · 3 internal error. Unknown cells do not fail the run; the summary
counts them. See docs/cli.md#anyarch-deps and docs/rules/AA301.md.`;

interface DepsFlags {
  platform?: string;
  dockerfile?: string;
  libc?: string;
  python?: string;
  node?: string;
  registry?: string;
  indexUrl?: string;
  offline?: boolean;
  timeout?: number;
  format: (typeof FORMATS)[number];
  output?: string;
  color: boolean;
}

export function registerDeps(program: Command, io: Io, done: (o: Outcome) => void): void {
  program
    .command('deps')
    .summary('check that every native dependency of a lockfile has a binary for every target platform (AA301..AA305)')
    .description(DEPS_DESCRIPTION)
    .argument('[paths...]', 'lockfiles, directories holding them, or quoted glob patterns ("services/**/package-lock.json"; default: .)')
    .option('--platform <platforms>', 'target platforms, comma-separated (default: the Dockerfile\'s, else linux/amd64,linux/arm64)')
    .option('--dockerfile <file>', 'the Dockerfile that installs the dependencies: its installing stage gives libc, versions and toolchain (default: a Dockerfile beside the lockfile)')
    .option('--libc <libc>', 'without a Dockerfile: glibc (default) or musl, optionally with a version (glibc:2.31, musl:1.2.4)')
    .addOption(new Option('--python <version>', 'the Python version for wheel tags (e.g. 3.12; default: the base image\'s, else any)').argParser(pythonVersion))
    .addOption(new Option('--node <major>', 'the Node.js major version for ABI-specific prebuilds (e.g. 20; default: the base image\'s, else any)').argParser(nodeMajor))
    .addOption(new Option('--registry <url>', "the npm registry, http(s) (default: npm's configured one, .npmrc or npm_config_registry, else https://registry.npmjs.org/)").argParser(httpUrl))
    .addOption(new Option('--index-url <url>', 'the Python package index, PEP 691/503, http(s) (default: the lockfile\'s, PIP_INDEX_URL, else https://pypi.org/simple/)').argParser(httpUrl))
    .option('--offline', 'answer from the cache only: no request is sent; what is not cached is unknown (also ANYARCH_OFFLINE=1)')
    .addOption(new Option('--timeout <seconds>', 'how long one registry or index request may take before it is retried (default 30)').argParser(seconds))
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to this file (replaced atomically) instead of standard output')
    .option('--no-color', 'do not colour the output (colour is used on a terminal unless NO_COLOR is set)')
    .addHelpText('after', DEPS_FOOTER)
    .action(async (paths: string[], flags: DepsFlags) => {
      const { deps } = await import('./deps.js');
      done(
        await deps(
          {
            paths,
            ...(flags.platform !== undefined ? { platforms: flags.platform } : {}),
            ...(flags.dockerfile !== undefined ? { dockerfile: flags.dockerfile } : {}),
            ...(flags.libc !== undefined ? { libc: flags.libc } : {}),
            ...(flags.python !== undefined ? { python: flags.python } : {}),
            ...(flags.node !== undefined ? { node: flags.node } : {}),
            ...(flags.registry !== undefined ? { registry: flags.registry } : {}),
            ...(flags.indexUrl !== undefined ? { indexUrl: flags.indexUrl } : {}),
            offline: flags.offline === true,
            ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
            format: flags.format,
            ...(flags.output !== undefined ? { output: flags.output } : {}),
            color: flags.color,
          },
          io,
        ),
      );
    });
}

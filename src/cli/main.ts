/**
 * The command line: a table of commands and flags (commander) whose actions lazily import
 * `./commands/<name>.js`. This is the only module that turns outcomes and errors into exit codes:
 *
 *   0 clean · 1 findings at or above --fail-on (build: a variant refused, nothing tagged) · 2 usage,
 *   config or input error, or output that could not be written · 3 internal error · 4 an engine's
 *   build failed (nothing tagged)
 */
import { Command, CommanderError, Option } from './packages.js';
import type { FailOn } from '../check/outcome.js';
import { isAnyarchError, isBug, type AnyarchError } from '../errors.js';
import { errnoReason } from '../fs/errno.js';
import { redactUserInfo } from '../net/url.js';
import type { FixStyle } from '../rules/types.js';
import { registerAssemble } from './commands/assemble-command.js';
import { registerBuild } from './commands/build-command.js';
import { registerDeps } from './commands/deps-command.js';
import { registerMerge } from './commands/merge-command.js';
import { positiveMib, repeatList as collect, seconds } from './flags.js';
import * as help from './help.js';
import { processIo, type Io, type Outcome } from './io.js';
import { FORMATS, sanitize } from './reporters/types.js';
import { installSignalHandlers } from './signals.js';
import { packageVersion } from './version.js';

export const EXIT = { clean: 0, findings: 1, usage: 2, internal: 3, buildFailed: 4 } as const;

const EXIT_OF_OUTCOME: Readonly<Record<Outcome, number>> = {
  clean: EXIT.clean,
  findings: EXIT.findings,
  'input-error': EXIT.usage,
  bug: EXIT.internal,
  'build-failed': EXIT.buildFailed,
};

// Literal lists, so that --help does not load the library.
const FAIL_ON = ['error', 'warning', 'info', 'never'] as const satisfies readonly FailOn[];
const FIX_STYLES = ['targetarch', 'detect'] as const satisfies readonly FixStyle[];
const COMMANDS = ['check', 'parse', 'rules', 'platforms', 'verify', 'build', 'assemble', 'merge', 'deps'] as const;

interface CheckFlags {
  platforms?: string;
  format: (typeof FORMATS)[number];
  failOn?: FailOn;
  rule?: string[];
  disable?: string[];
  fix?: boolean;
  fixDryRun?: boolean;
  fixStyle?: FixStyle;
  config?: string | false;
  color: boolean;
  quiet?: boolean;
  output?: string;
  offline?: boolean;
  insecureRegistry?: string[];
  buildPlatform?: string;
  timeout?: number;
  context?: string;
}

function buildProgram(io: Io, done: (o: Outcome) => void): Command {
  const program = new Command('anyarch');
  program
    .description(help.PROGRAM_DESCRIPTION)
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
      outputError: () => undefined, // main() prints errors in its own one-line form
    })
    .addHelpText('after', help.PROGRAM_FOOTER);

  program
    .command('check')
    .summary('check Dockerfiles for CPU-architecture assumptions')
    .description(help.CHECK_DESCRIPTION)
    .argument('[paths...]', 'files, directories or quoted glob patterns; - reads standard input (default: .)')
    .option('--platforms <list>', 'target platforms, comma-separated (default: platforms in .anyarch.yaml, else linux/amd64,linux/arm64)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 when a problem is at least this severe (default: failOn in .anyarch.yaml, else warning)').choices(FAIL_ON),
    )
    .option('--rule <ids>', 'run only these rules: ids or names, comma-separated or repeated', collect)
    .option('--disable <ids>', 'do not run these rules: ids or names, comma-separated or repeated', collect)
    .addOption(new Option('--fix', 'apply the safe fixes to the files in place').conflicts('fixDryRun'))
    .option('--fix-dry-run', 'print the changes --fix would make as a unified diff on stdout (the report goes to stderr); write nothing')
    .addOption(
      new Option('--fix-style <style>', 'how fixes pick the architecture word: targetarch uses $TARGETARCH, detect a shell case on dpkg/apk/uname (default: fixStyle in .anyarch.yaml, else targetarch)').choices(
        FIX_STYLES,
      ),
    )
    .option('-c, --config <file>', 'config file (default: .anyarch.yaml or .anyarch.yml here or in a parent directory, up to the git root)')
    .option('--no-config', 'use no config file')
    .option('--no-color', 'do not colour the output (colour is used on a terminal unless NO_COLOR is set; FORCE_COLOR forces it)')
    .option('-q, --quiet', 'leave out the summary line')
    .option('-o, --output <file>', 'write the report to this file (replaced atomically) instead of standard output')
    .option('--offline', 'do not ask registries: AA114, AA115 skipped; AA123, AA124 answer from the cache of anyarch deps only (also ANYARCH_OFFLINE=1)')
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry when reading base images (repeatable)', collect)
    .option('--build-platform <platform>', 'the platform of the machine that runs the build (default: this machine\'s); --platform=$BUILDPLATFORM stages must work on it and on linux/amd64 and linux/arm64')
    .addOption(new Option('--timeout <seconds>', TIMEOUT_HELP).argParser(seconds))
    .option('--context <dir>', 'the build context: scripts of it that RUN executes are checked too (default: each Dockerfile\'s directory)')
    .addHelpText('after', help.CHECK_FOOTER)
    .action(async (paths: string[], flags: CheckFlags) => {
      const { check } = await import('./commands/check.js');
      done(
        await check(
          {
            paths,
            ...(flags.platforms !== undefined ? { platforms: flags.platforms } : {}),
            format: flags.format,
            ...(flags.failOn ? { failOn: flags.failOn } : {}),
            rule: flags.rule ?? [],
            disable: flags.disable ?? [],
            fix: flags.fix === true,
            fixDryRun: flags.fixDryRun === true,
            ...(flags.fixStyle ? { fixStyle: flags.fixStyle } : {}),
            ...(flags.config !== undefined ? { config: flags.config } : {}),
            color: flags.color,
            quiet: flags.quiet === true,
            ...(flags.output !== undefined ? { output: flags.output } : {}),
            ...(flags.offline ? { offline: true } : {}),
            ...(flags.insecureRegistry ? { insecureRegistries: flags.insecureRegistry } : {}),
            ...(flags.buildPlatform !== undefined ? { buildPlatform: flags.buildPlatform } : {}),
            ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
            ...(flags.context !== undefined ? { context: flags.context } : {}),
          },
          io,
        ),
      );
    });

  program
    .command('parse')
    .summary('print how anyarch parses a Dockerfile')
    .description(help.PARSE_DESCRIPTION)
    .argument('<file>', 'the Dockerfile; - reads standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'buildkit'] as const).default('json'))
    .addHelpText('after', help.PARSE_FOOTER)
    .action(async (file: string, flags: { format: 'json' | 'buildkit' }) => {
      const { parse } = await import('./commands/parse.js');
      done(await parse({ file, format: flags.format }, io));
    });

  program
    .command('rules')
    .summary('list the rules')
    .description(help.RULES_DESCRIPTION)
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json'] as const).default('text'))
    .addHelpText('after', help.RULES_FOOTER)
    .action(async (flags: { format: 'text' | 'json' }) => {
      const { rules } = await import('./commands/rules.js');
      done(await rules({ format: flags.format }, io));
    });

  program
    .command('platforms')
    .summary('list the platforms images publish (registry, OCI layout or archive)')
    .description(help.PLATFORMS_DESCRIPTION)
    .argument('<images...>', 'image references or source specifiers (docker://, oci:, oci-archive:, docker-archive:, docker-daemon:)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('--require <platforms>', 'exit 1 unless every image publishes these platforms (comma-separated, e.g. linux/amd64,linux/arm64)')
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry (repeatable; loopback registries always may)', collect)
    .option('--index-only', 'read the index only: no per-platform manifest or config requests')
    .option('--no-trunc', 'print full digests')
    .addOption(new Option('--timeout <seconds>', TIMEOUT_HELP).argParser(seconds))
    .addOption(new Option('--max-image-mib <MiB>', 'most MiB of manifests, indexes and configs read per image (default 256)').argParser(positiveMib))
    .addHelpText('after', help.PLATFORMS_FOOTER)
    .action(async (images: string[], flags: { format: (typeof FORMATS)[number]; require?: string; insecureRegistry?: string[]; indexOnly?: boolean; trunc: boolean; timeout?: number; maxImageMib?: number }) => {
      const { platforms } = await import('./commands/platforms.js');
      done(
        await platforms(
          {
            images,
            format: flags.format,
            ...(flags.require !== undefined ? { require: flags.require } : {}),
            insecureRegistries: flags.insecureRegistry ?? [],
            indexOnly: flags.indexOnly === true,
            noTrunc: !flags.trunc,
            ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
            ...(flags.maxImageMib !== undefined ? { maxImageBytes: Math.round(flags.maxImageMib * 1024 * 1024) } : {}),
          },
          io,
        ),
      );
    });

  program
    .command('verify')
    .summary('prove each platform variant of an image was built for its platform (AA201..AA212)')
    .description(help.VERIFY_DESCRIPTION)
    .argument('<images...>', 'image references or source specifiers (docker://, oci:, oci-archive:, docker-archive:, docker-daemon:)')
    .option('--platform <platforms>', 'verify only these platforms, comma-separated (default: every platform the image publishes)')
    .option('--dockerfile <file>', 'the Dockerfile the image was built from: each verdict points at the line that made its layer, with the check finding on it')
    .option('--base <image>', "the base image: verdicts on its layers say they are the base's bug (default: the org.opencontainers.image.base.name annotation)")
    .addOption(new Option('--run <command>', "run this command in each variant under emulation (e.g. '/usr/local/bin/app --version'); a failure is AA211").conflicts('runEntrypoint'))
    .option('--run-entrypoint [args]', "run the image's Entrypoint in each variant, with these arguments (default: its Cmd)")
    .addOption(new Option('--run-timeout <seconds>', 'how long a smoke run may take (default 30)').argParser(seconds))
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a verdict is at least this severe (default: failOn in .anyarch.yaml, else warning)').choices(FAIL_ON))
    .option('-c, --config <file>', 'config file (default: .anyarch.yaml or .anyarch.yml here or in a parent directory, up to the git root); verify.allow declares intended foreign files')
    .option('--no-config', 'use no config file')
    .option('--insecure-registry <host>', 'allow plain HTTP to this registry (repeatable; loopback registries always may)', collect)
    .addOption(new Option('--timeout <seconds>', TIMEOUT_HELP).argParser(seconds))
    .addOption(new Option('--max-image-mib <MiB>', 'most MiB of manifests, indexes and configs read per image (default 256)').argParser(positiveMib))
    .option('--no-scan-cache', 'read every layer: neither use nor fill the cache of layer scans (also ANYARCH_NO_SCAN_CACHE=1)')
    .option('--no-trunc', 'print full digests')
    .option('--no-color', 'do not colour the output')
    .addHelpText('after', help.VERIFY_FOOTER)
    .action(
      async (
        images: string[],
        flags: {
          platform?: string;
          dockerfile?: string;
          base?: string;
          run?: string;
          runEntrypoint?: string | true;
          runTimeout?: number;
          format: (typeof FORMATS)[number];
          failOn?: FailOn;
          config?: string | false;
          insecureRegistry?: string[];
          timeout?: number;
          maxImageMib?: number;
          scanCache: boolean;
          trunc: boolean;
          color: boolean;
        },
      ) => {
        const { verify } = await import('./commands/verify.js');
        done(
          await verify(
            {
              images,
              ...(flags.platform !== undefined ? { platforms: flags.platform } : {}),
              ...(flags.dockerfile !== undefined ? { dockerfile: flags.dockerfile } : {}),
              ...(flags.base !== undefined ? { base: flags.base } : {}),
              ...(flags.run !== undefined ? { run: flags.run } : {}),
              ...(flags.runEntrypoint !== undefined ? { runEntrypoint: flags.runEntrypoint } : {}),
              ...(flags.runTimeout !== undefined ? { runTimeout: flags.runTimeout } : {}),
              format: flags.format,
              ...(flags.failOn ? { failOn: flags.failOn } : {}),
              ...(flags.config !== undefined ? { config: flags.config } : {}),
              insecureRegistries: flags.insecureRegistry ?? [],
              ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
              ...(flags.maxImageMib !== undefined ? { maxImageBytes: Math.round(flags.maxImageMib * 1024 * 1024) } : {}),
              scanCache: flags.scanCache,
              noTrunc: !flags.trunc,
              color: flags.color,
            },
            io,
          ),
        );
      },
    );

  // build, assemble, merge, deps: each command's flags live beside it (src/cli/commands/<name>-command.ts)
  registerBuild(program, io, done);
  registerAssemble(program, io, done);
  registerMerge(program, io, done);
  registerDeps(program, io, done);

  return program;
}

const TIMEOUT_HELP = 'how long one registry request may take, every try and the whole answer included (default 30; e.g. 10 or 2.5s)';

function printAnyarchError(io: Io, e: AnyarchError): void {
  io.stderr.write(`anyarch: ${sanitize(e.describe())}\n`);
  if (e.hint) io.stderr.write(`  hint: ${sanitize(e.hint)}\n`);
}

/** The command the user meant (for the --help pointer of a usage error). */
function commandIn(argv: readonly string[]): string | undefined {
  return argv.find((a): a is (typeof COMMANDS)[number] => (COMMANDS as readonly string[]).includes(a));
}

function printUsageError(io: Io, e: CommanderError, argv: readonly string[]): void {
  const [first = e.message, ...rest] = e.message.replace(/^error: /, '').split('\n');
  const cmd = commandIn(argv);
  const suggestion = rest.join(' ').trim().replace(/^\((.*)\)$/, '$1');
  // commander repeats the value refused: a URL's user-info (a token) is never printed
  io.stderr.write(`anyarch: ${sanitize(redactUserInfo(first))}\n`);
  io.stderr.write(`  hint: ${suggestion ? `${suggestion} ` : ''}See 'anyarch ${cmd ? `${cmd} ` : ''}--help'.\n`);
}

function printInternalError(io: Io, e: unknown): void {
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr.write(`anyarch: internal error: ${err.message}\n`);
  io.stderr.write(`${err.stack ?? ''}\n`);
  io.stderr.write(
    `This is a bug in anyarch ${packageVersion()}; please report this at ${help.ISSUES_URL} ` +
      `with the command you ran and, if you can, the Dockerfile.\n`,
  );
}

/** Runs the command line `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  installSignalHandlers();
  let outcome: Outcome = 'clean';
  const program = buildProgram(io, (o) => {
    outcome = o;
  });
  if (argv.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT.usage;
  }
  let code: number;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    code = EXIT_OF_OUTCOME[outcome];
  } catch (e) {
    code = handleError(e, io, argv);
  }
  return outputExit(io, code);
}

/**
 * The exit code once standard output has been written: a reader that went away (`| head`) is
 * not an error (the work's own code, nothing printed); any other write error (a full disk) is
 * one line on standard error and exit 2, since the report was lost.
 */
async function outputExit(io: Io, code: number): Promise<number> {
  const e = await io.outputError?.();
  if (!e || e.code === 'EPIPE') return code;
  io.stderr.write(`anyarch: cannot write the output: ${errnoReason(e)}\n`);
  return code === EXIT.internal ? code : EXIT.usage;
}

/** Prints an error that ended a command and returns its exit code. */
export function handleError(e: unknown, io: Io, argv: readonly string[] = []): number {
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return EXIT.clean; // --help, --version
    if (e.code === 'commander.help') return EXIT.usage; // help shown because a command was missing
    printUsageError(io, e, argv);
    return EXIT.usage;
  }
  if (isAnyarchError(e)) {
    printAnyarchError(io, e);
    return isBug(e) ? EXIT.internal : e.code === 'E_BUILD' ? EXIT.buildFailed : EXIT.usage;
  }
  printInternalError(io, e);
  return EXIT.internal;
}

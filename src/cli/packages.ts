/**
 * The CommonJS packages the command line uses (commander, picocolors), loaded with `require`.
 * An ESM `import` of a CommonJS module makes Node run its CommonJS export lexer over the module
 * and the modules it re-exports; on commander's sources that lexer gets hot enough for V8 to
 * compile it with TurboFan in the background, and the process waits for that compile before it
 * exits: about 100 ms of a 500 ms `anyarch check Dockerfile` (measured with `--trace-opt` and
 * strace). `require` needs no lexer.
 */
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import type * as Picocolors from 'picocolors';

const require = createRequire(import.meta.url);
const commander = require('commander') as typeof Commander;

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Command = Commander.Command;
export type CommanderError = Commander.CommanderError;
export type InvalidArgumentError = Commander.InvalidArgumentError;
export type Option = Commander.Option;

/** picocolors' colours (its CommonJS `module.exports`). */
export const pc = require('picocolors') as typeof Picocolors;

import type { BaseImageFacts } from './support/base-image-requirements.js';
import type { NativeDepsFacts } from '../deps/dockerfile.js';
import type { Range } from '../dockerfile/ast.js';
import type { Model } from '../dockerfile/model.js';
import type { Platform } from '../platform/index.js';

export type Severity = 'error' | 'warning' | 'info';

/** A text edit on the source: replace [start, end) (0-based source offsets) with `text`. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A behaviour-changing edit that is offered, never applied by --fix. */
export interface Suggestion {
  readonly title: string;
  readonly edits: readonly Edit[];
}

export interface Finding {
  readonly ruleId: string;
  readonly ruleName: string;
  readonly severity: Severity;
  readonly message: string;
  /** message key of the rule (tests assert these, so wording can change) */
  readonly messageId: string;
  readonly file: string;
  readonly range: Range;
  readonly docsUrl: string;
  /** the safe automatic fix, applied by --fix */
  readonly fix?: readonly Edit[];
  /** why no automatic fix is offered, and what to do instead (any rule may give one) */
  readonly fixNote?: string;
  readonly suggestions?: readonly Suggestion[];
  /** target platforms for which the finding holds (empty: platform-independent) */
  readonly platforms?: readonly string[];
  /**
   * For a finding in a build-context script (`file` is the script): the Dockerfile and the line of
   * the RUN that executes it. Such a finding has no fix: anyarch writes Dockerfiles only.
   */
  readonly via?: { readonly file: string; readonly line: number; readonly column: number };
}

export type FixStyle = 'targetarch' | 'detect';

export interface RuleMeta {
  /** stable id, e.g. AA101 */
  readonly id: string;
  /** kebab-case name, also the rule's file name (src/rules/<name>.ts); docs live at docs/rules/<id>.md */
  readonly name: string;
  readonly title: string;
  readonly severity: Severity;
  /** one paragraph on what and why */
  readonly description: string;
  /** ids of other tools' rules with the same meaning, honoured in their ignore pragmas */
  readonly related: readonly string[];
  /** the rule reports automatic fixes; the engine refuses (`E_RULE`) a fix from a rule that says it has none */
  readonly fixable: boolean;
}

/**
 * Message templates keyed by message id. `{name}` placeholders are filled from the report's data;
 * tests assert the ids, so the wording can improve freely.
 */
export type Messages = Readonly<Record<string, string>>;

type Letter = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'h' | 'i' | 'j' | 'k' | 'l' | 'm' | 'n' | 'o' | 'p' | 'q' | 'r' | 's' | 't' | 'u' | 'v' | 'w' | 'x' | 'y' | 'z';
/** A character of `\w` (what the engine's `\{(\w+)\}` fills). */
type WordChar = Letter | Uppercase<Letter> | '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '_';
/** Is `S` one or more word characters? */
type IsWord<S extends string> = S extends `${infer C}${infer R}` ? (C extends WordChar ? (R extends '' ? true : IsWord<R>) : false) : false;

/**
 * The `{name}` placeholders of a message template, as a union of names (never when it has none,
 * string when the template is not a literal type): exactly what the engine fills, a `{` then word
 * characters then `}`, left to right (`{a-b}` is text; in `{x{y}` the placeholder is `y`). A rule
 * whose messages are literal types (an object `as const`, or written inline in `defineRule`) gets
 * its report data checked: a missing or misspelt placeholder does not compile.
 */
export type Placeholders<T extends string> = string extends T
  ? string
  : T extends `${string}{${infer Rest}`
    ? Rest extends `${infer Name}}${infer After}`
      ? IsWord<Name> extends true
        ? Name | Placeholders<After>
        : Placeholders<Rest>
      : never
    : never;

/** The `data` a report of a message must carry: a value for each placeholder, no other key. */
export type MessageData<T extends string> = string extends T
  ? { readonly data?: Readonly<Record<string, string | number>> }
  : [Placeholders<T>] extends [never]
    ? { readonly data?: undefined }
    : { readonly data: { readonly [K in Placeholders<T>]: string | number } };

interface ReportFields {
  readonly range: Range;
  readonly fix?: readonly Edit[];
  readonly fixNote?: string;
  readonly suggestions?: readonly Suggestion[];
  readonly platforms?: readonly string[];
  /** override the rule's default severity (e.g. info for a hint) */
  readonly severity?: Severity;
}

/**
 * The messages a type argument stands for: a rule's messages object, or (the older form, still
 * accepted) a union of message ids, whose data is then not checked.
 */
export type MessagesOf<M extends string | Messages> = [M] extends [string] ? Readonly<Record<M & string, string>> : Extract<M, Messages>;

type Descriptors<T extends Messages> = {
  readonly [Id in keyof T & string]: ReportFields & { readonly messageId: Id } & MessageData<T[Id]>;
}[keyof T & string];

/**
 * What a rule reports: one of its message ids with that message's data, a range, and optionally a
 * fix. `M` is the rule's messages object (`typeof messages`), or a union of message ids.
 */
export type ReportDescriptor<M extends string | Messages = Messages> = Descriptors<MessagesOf<M>>;

export interface RuleContext<M extends string | Messages = Messages> {
  readonly platforms: readonly Platform[];
  readonly fixStyle: FixStyle;
  /** the platform of the machine that runs the build ($BUILDPLATFORM); the engine's default is `hostPlatform()` */
  readonly buildPlatform: Platform;
  /**
   * The machines a `--platform=$BUILDPLATFORM` stage must work on. Such a stage runs on whatever
   * machine builds the Dockerfile (a CI runner, a colleague's laptop), so a rule asks its
   * questions for each of these, not only for `buildPlatform`: linux/amd64 and linux/arm64 (the
   * usual builders, in that order), then `buildPlatform` when it is another CPU
   * (`builderPlatforms(buildPlatform)` of src/platform, worked out once by the engine).
   */
  readonly builderPlatforms: readonly Platform[];
  /** what registries said about base images (looked up before the check); absent: offline */
  readonly baseImages?: BaseImageFacts;
  /** what the ecosystem analysers said about the lockfiles the install RUNs read (looked up before the check); absent: not looked up */
  readonly nativeDeps?: NativeDepsFacts;
  report(d: ReportDescriptor<M>): void;
}

/**
 * A rule. `M` is its messages object (`typeof messages`), or a union of message ids (whose data
 * is then not checked), as for {@link RuleContext}.
 */
export interface Rule<M extends string | Messages = Messages> {
  readonly meta: RuleMeta;
  /** message templates: `{name}` placeholders are filled from `data` */
  readonly messages: MessagesOf<M>;
  /**
   * A speed hint: the rule cannot report anything on a file whose text does not match, so the
   * engine skips it there. It must be conservative (the rule's tests run through the gate).
   */
  readonly gate?: RegExp;
  /**
   * Facts from outside the Dockerfile the rule reads from its context. `baseImages`: the CLI
   * looks base images up in their registries before the check when such a rule runs (and not
   * offline); without them the rule must stay silent. `nativeDeps`: the lockfiles install RUNs
   * read, analysed per target platform (src/check/deps-lookup.ts) before the check.
   */
  readonly needs?: readonly ('baseImages' | 'nativeDeps')[];
  check(model: Model, ctx: RuleContext<M>): void;
}

/**
 * A rule, typed from its messages: `ctx.report` then takes only the rule's message ids, each with
 * exactly the data its template's placeholders name (as typescript-eslint's `createRule` infers
 * message ids from `meta.messages`). The older form `defineRule<'id1' | 'id2'>({ ... })` still
 * compiles, with message ids checked and data not.
 */
export function defineRule<const M extends Messages>(rule: Rule<M> & { readonly messages: M }): Rule<M>;
export function defineRule<Id extends string>(rule: Rule<Id>): Rule<Id>;
export function defineRule(rule: Rule): Rule {
  return rule;
}

export const DOCS_BASE = 'https://github.com/anyarch/anyarch/blob/main/docs/rules/';
export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}

import type { BaseImageFacts } from './support/base-image-requirements.js';
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
}

export type FixStyle = 'targetarch' | 'detect';

export interface RuleMeta {
  /** stable id, e.g. AA101 */
  readonly id: string;
  /** kebab-case name; docs live at docs/rules/<id>.md */
  readonly name: string;
  readonly title: string;
  readonly severity: Severity;
  /** one paragraph on what and why */
  readonly description: string;
  /** ids of other tools' rules with the same meaning, honoured in their ignore pragmas */
  readonly related: readonly string[];
  readonly fixable: boolean;
}

export interface ReportDescriptor<M extends string> {
  readonly messageId: M;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly range: Range;
  readonly fix?: readonly Edit[];
  readonly fixNote?: string;
  readonly suggestions?: readonly Suggestion[];
  readonly platforms?: readonly string[];
  /** override the rule's default severity (e.g. info for a hint) */
  readonly severity?: Severity;
}

export interface RuleContext<M extends string = string> {
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
  report(d: ReportDescriptor<M>): void;
}

export interface Rule<M extends string = string> {
  readonly meta: RuleMeta;
  /** message templates: `{name}` placeholders are filled from `data` */
  readonly messages: Readonly<Record<M, string>>;
  /**
   * A speed hint: the rule cannot report anything on a file whose text does not match, so the
   * engine skips it there. It must be conservative (the rule's tests run through the gate).
   */
  readonly gate?: RegExp;
  /**
   * Facts from outside the Dockerfile the rule reads from its context. `baseImages`: the CLI
   * looks base images up in their registries before the check when such a rule runs (and not
   * offline); without them the rule must stay silent.
   */
  readonly needs?: readonly 'baseImages'[];
  check(model: Model, ctx: RuleContext<M>): void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

export const DOCS_BASE = 'https://github.com/anyarch/anyarch/blob/main/docs/rules/';
export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}

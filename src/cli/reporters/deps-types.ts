/**
 * The reporters of `anyarch deps`: one module per format (text, json, sarif, markdown), each
 * loaded only when used. They format a `DepsRun` that `analyzeDeps` computed: every count and
 * every verdict was decided before them.
 */
import type { DepsRun } from '../../deps/analyze.js';

export type DepsFormat = 'text' | 'json' | 'sarif' | 'markdown';
export const DEPS_FORMATS: readonly DepsFormat[] = ['text', 'json', 'sarif', 'markdown'];

export interface DepsReportContext {
  /** the directory paths are relative to (SARIF's %SRCROOT%) */
  readonly cwd: string;
  readonly color: boolean;
  readonly toolVersion: string;
}

export interface DepsReporter {
  readonly format: DepsFormat;
  deps(run: DepsRun, ctx: DepsReportContext): string;
}

export async function loadDepsReporter(format: DepsFormat): Promise<DepsReporter> {
  switch (format) {
    case 'text':
      return (await import('./deps-text.js')).depsTextReporter;
    case 'json':
      return (await import('./deps-json.js')).depsJsonReporter;
    case 'sarif':
      return (await import('./deps-sarif.js')).depsSarifReporter;
    case 'markdown':
      return (await import('./deps-markdown.js')).depsMarkdownReporter;
  }
}

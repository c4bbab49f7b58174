/**
 * Several Python indexes as one, as pip sees `--index-url` with `--extra-index-url`s: a project's
 * files are every index's files together (pip takes candidates from all of them). An index that
 * fails does not hide what the others answer; the failure is the answer only when no index lists
 * the project.
 */
import { isMetadataFailure } from '../metadata-failure.js';
import type { DistributionFile, MetadataFailure, PythonIndexSource } from '../types.js';

export function mergedIndex(indexes: readonly PythonIndexSource[]): PythonIndexSource {
  return {
    async files(name: string): Promise<readonly DistributionFile[] | undefined | MetadataFailure> {
      const answers = await Promise.all(indexes.map((i) => i.files(name)));
      const lists = answers.filter((a): a is readonly DistributionFile[] => Array.isArray(a));
      if (lists.length === 0) return answers.find(isMetadataFailure);
      const byName = new Map<string, DistributionFile>();
      for (const list of lists) for (const f of list) if (!byName.has(f.filename)) byName.set(f.filename, f);
      return [...byName.values()];
    },
  };
}

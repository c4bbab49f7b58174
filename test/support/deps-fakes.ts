/**
 * In-memory parts of `anyarch deps` for tests of the whole (analyze, the command, reporters):
 * a fake lockfile format (JSON `{ packages: [{ name, version, line?, native?: { <arch>: status } }], warn? }`)
 * whose packages say what the fake analyser answers per target architecture.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { AnyarchError } from '../../src/errors.js';
import { targetLabel, type DepsParts } from '../../src/deps/analyze.js';
import type { Cell, DepsTarget, Lockfile, LockfileKind, PackageReport } from '../../src/deps/types.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

export function tree(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(tmpdir(), 'anyarch-deps-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    writeFileSync(path.join(d, name), text);
  }
  return d;
}

const KINDS: Record<string, LockfileKind> = { 'package-lock.json': 'package-lock', 'npm-shrinkwrap.json': 'npm-shrinkwrap', 'uv.lock': 'uv-lock', 'requirements.txt': 'requirements' };

/**
 * The fake lockfile format: JSON `{ "packages": [{ "name", "version", "cells": { "<arch>": "<status>" } }] }`;
 * a package's cells per target architecture say what the fake analyser answers.
 */
export interface FakePkg {
  name: string;
  version: string;
  line?: number;
  native?: Record<string, Cell['status'] | 'missing-tools'>;
}

export const fakeCalls: string[] = [];
const calls = fakeCalls;
export function fakeParts(over: Partial<DepsParts> = {}): DepsParts {
  const analyse = async (lock: Lockfile, targets: readonly DepsTarget[]): Promise<PackageReport[]> => {
    calls.push(`analyse ${lock.file} ${targets.map(targetLabel).join(',')}`);
    const out: PackageReport[] = [];
    for (const p of lock.packages) {
      const native = (p as unknown as { native?: FakePkg['native'] }).native;
      if (!native) continue;
      const cells = targets.map((t): Cell => {
        const s = native[t.platform.architecture] ?? 'prebuilt';
        if (s === 'missing-tools') return { status: 'missing', needs: ['a C compiler'], lacking: ['a C compiler'], reason: 'no gcc in stage' };
        return s === 'prebuilt' ? { status: 'prebuilt', artifact: `${p.name}-${t.platform.architecture}`, reason: 'a prebuild' } : { status: s, reason: `${s} here` };
      });
      out.push({ ecosystem: lock.ecosystem, name: p.name, version: p.version, ...(p.position ? { position: p.position } : {}), mechanism: 'prebuildify', cells });
    }
    return out;
  };
  return {
    lockfileKind: (file) => KINDS[path.basename(file)],
    readLockfile: (file, text) => {
      let data: { packages: FakePkg[]; warn?: string };
      try {
        data = JSON.parse(text) as typeof data;
      } catch {
        throw new AnyarchError('E_INPUT', 'not JSON', undefined, { file, line: 1, column: 1 });
      }
      const kind = KINDS[path.basename(file)] as LockfileKind;
      const ecosystem = kind === 'uv-lock' || kind === 'requirements' ? 'python' : 'npm';
      return {
        file,
        kind,
        ecosystem,
        packages: data.packages.map((p) => ({ ecosystem, name: p.name, version: p.version, key: p.name, ...(p.line ? { position: { line: p.line, column: 5 } } : {}), native: p.native })),
        warnings: data.warn ? [new AnyarchError('E_INPUT', data.warn, undefined, { file, line: 2, column: 3 })] : [],
      } as Lockfile;
    },
    analyzeNpmLockfile: analyse,
    analyzePythonLockfile: analyse,
    openNpmMetadata: () => {
      calls.push('open npm');
      return { manifest: async () => undefined, versions: async () => [], files: async () => [], exists: async () => false };
    },
    openPythonIndex: () => {
      calls.push('open python');
      return { files: async () => undefined };
    },
    installSites: () => [],
    ...over,
  };
}

export const fakeLock = (pkgs: FakePkg[], warn?: string): string => JSON.stringify({ packages: pkgs, ...(warn ? { warn } : {}) });


/**
 * Temporary directories the library makes (an image exported from the Docker engine, later the
 * work areas of `build`) and has not removed yet. Each owner removes its own (a source's
 * `close()`); what is left when the process is interrupted is removed by whoever owns the
 * process: the anyarch command installs signal and exit handlers that call
 * {@link removeTemporaryDirs} (src/cli/signals.ts); an application embedding anyarch calls it
 * from its own. Library code never installs process handlers itself.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as path from 'node:path';

export class TemporaryDirs {
  private readonly live = new Set<string>();

  /** A fresh private directory (mode 0700) in `parent`, named `prefix` plus a random suffix, held until removed. */
  async make(parent: string, prefix: string): Promise<string> {
    const dir = await mkdtemp(path.join(parent, prefix));
    this.live.add(dir);
    return dir;
  }

  /** Removes a directory this registry holds, with everything in it. */
  async remove(dir: string): Promise<void> {
    this.live.delete(dir);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }

  /** Removes every directory held, synchronously (for exit and signal handlers); best effort. */
  removeAllSync(): void {
    for (const dir of this.live) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort: the process is ending
      }
    }
    this.live.clear();
  }
}

/** The process's temporary directories (every library module that makes one records it here). */
export const temporaryDirs = new TemporaryDirs();

/** Removes every temporary directory the library still holds, synchronously: call it from exit and signal handlers. */
export function removeTemporaryDirs(): void {
  temporaryDirs.removeAllSync();
}

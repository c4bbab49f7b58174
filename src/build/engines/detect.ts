/**
 * Which engine builds: `--engine` picks one; otherwise the first that can, in this order:
 *
 *  1. buildx, when a docker client on PATH (or `--docker PATH`) answers `docker buildx version`;
 *  2. a docker client that builds without buildx (before Docker 23, BuildKit is built into the
 *     client: Debian's docker.io 20.10), when the engine at DOCKER_HOST (or the default socket)
 *     answers. A client of Docker 23 or later without buildx is skipped and said so: its
 *     `docker build` needs the buildx plug-in;
 *  3. buildah on PATH, else podman (or `--buildah PATH`): podman's build and manifest commands
 *     take the same flags; with CONTAINER_HOST podman is a client of a podman service, which
 *     writes the OCI layout where it runs (so it must run on this machine).
 *
 * Every docker client on PATH is asked, not only the first (here /usr/local/bin/docker is a
 * Docker 28 client without buildx and /usr/bin/docker Debian's 20.10). The engine chosen says why
 * in one sentence (`Engine.why`), naming what was skipped.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { connectDockerEngine } from '../../engine/api.js';
import { AnyarchError, isAnyarchError } from '../../errors.js';
import { programOnPath } from '../../fs/programs.js';
import type { Engine, EngineName } from '../types.js';
import { BuildahEngine, type BuildahStorage } from './buildah.js';
import { BuildxEngine, parseBuildxVersion } from './buildx.js';
import { DockerBuildEngine } from './docker.js';
import { runProgram } from './run.js';

export interface FindEngineOptions {
  /** `--engine`: this one or an error saying why it cannot */
  readonly engine?: EngineName;
  /** `--docker PATH`: the docker client to use (default: every `docker` on PATH, then /usr/bin/docker) */
  readonly docker?: string;
  /** `--buildah PATH`: buildah or podman (default: `buildah` on PATH) */
  readonly buildah?: string;
  /** the environment: PATH, DOCKER_HOST, DOCKER_CONFIG… (default `process.env`) */
  readonly env?: NodeJS.ProcessEnv;
  /** buildah's storage flags (tests give it storage of its own) */
  readonly buildahStorage?: BuildahStorage;
  /** how long a client may take to say its version, ms (default 15 s) */
  readonly probeTimeoutMs?: number;
}

/** Where Debian's docker.io puts its client. */
export const DEBIAN_DOCKER_CLIENT = '/usr/bin/docker';
/** The first Docker release whose `docker build` needs the buildx plug-in. */
export const BUILDX_REQUIRED_FROM_MAJOR = 23;

/** What a docker client says of itself. */
export interface DockerClient {
  readonly program: string;
  /** `20.10.24+dfsg1`; undefined when `--version` did not answer as Docker's client does */
  readonly version?: string;
  /** buildx's version, when `docker buildx version` answered */
  readonly buildx?: string;
}

/** `Docker version 20.10.24+dfsg1, build 297e128` -> `20.10.24+dfsg1`. */
export function parseDockerVersion(out: string): string | undefined {
  return /^Docker version ([0-9][^\s,]*)/m.exec(out)?.[1];
}

/** `buildah version 1.28.2 (image-spec …)` or `podman version 4.3.1` -> the tool and its version. */
export function parseBuildahVersion(out: string): { tool: 'buildah' | 'podman'; version: string } | undefined {
  const m = /^(buildah|podman) version ([0-9][^\s]*)/im.exec(out);
  return m ? { tool: (m[1] as string).toLowerCase() as 'buildah' | 'podman', version: m[2] as string } : undefined;
}

/** Whether this client's `docker build` works without buildx (BuildKit built into the client). */
export function buildsWithoutBuildx(version: string): boolean {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  return Number.isFinite(major) && major < BUILDX_REQUIRED_FROM_MAJOR;
}

/** Every `docker` on PATH, then Debian's, each once (by the file it resolves to). */
export function dockerCandidates(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = programOnPath('docker', dir);
    if (p) found.push(p);
  }
  if (programOnPath('docker', path.dirname(DEBIAN_DOCKER_CLIENT))) found.push(DEBIAN_DOCKER_CLIENT);
  const seen = new Set<string>();
  return found.filter((p) => {
    let real = p;
    try {
      real = realpathSync(p);
    } catch {
      // keep it under its own name
    }
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

/** Asks a docker client its version and whether buildx answers. */
export async function probeDockerClient(program: string, env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<DockerClient> {
  const version = await runProgram(program, ['--version'], { env, timeoutMs }).catch(() => undefined);
  const v = version && version.code === 0 ? parseDockerVersion(version.stdout) : undefined;
  if (v === undefined) return { program };
  const buildx = await runProgram(program, ['buildx', 'version'], { env, timeoutMs }).catch(() => undefined);
  const bx = buildx && buildx.code === 0 ? parseBuildxVersion(buildx.stdout) : undefined;
  return { program, version: v, ...(bx !== undefined ? { buildx: bx } : {}) };
}

function explicitProgram(flag: string, p: string, env: NodeJS.ProcessEnv): string {
  const found = p.includes('/') ? programOnPath(path.basename(p), path.dirname(path.resolve(p))) : programOnPath(p, env.PATH);
  if (!found) throw new AnyarchError('E_USAGE', `${flag} ${p}: no such program`, `name the client's full path, e.g. ${flag} ${flag === '--docker' ? DEBIAN_DOCKER_CLIENT : '/usr/bin/buildah'}`);
  return found;
}

/** One sentence of what was passed over, or nothing. */
function skippedClause(skipped: readonly string[]): string {
  return skipped.length ? ` (skipped: ${skipped.join('; ')})` : '';
}

/**
 * Finds the engine to build with.
 *
 * @throws AnyarchError `E_USAGE` naming what was tried and why each could not build, when none
 *   can (or the one `--engine` names cannot).
 */
export async function findEngine(opts: FindEngineOptions = {}): Promise<Engine> {
  const env = opts.env ?? process.env;
  const want = opts.engine;
  if (want === 'assemble') {
    throw new AnyarchError('E_USAGE', '--engine assemble does not build a Dockerfile', 'anyarch assemble puts files on a base image without an engine; anyarch build --go builds a Go program that way');
  }
  // why each client could not build, by program (the last reason kept), and what else was tried
  const reasons = new Map<string, string>();
  const tried: string[] = [];
  const passedOver = (): string[] => [...[...reasons].map(([p, r]) => `${p}: ${r}`), ...tried];

  if (want === undefined || want === 'buildx' || want === 'docker') {
    const programs = opts.docker !== undefined ? [explicitProgram('--docker', opts.docker, env)] : dockerCandidates(env);
    if (!programs.length) tried.push('no docker client on PATH');
    const clients = await Promise.all(programs.map((p) => probeDockerClient(p, env, opts.probeTimeoutMs)));
    for (const c of clients) if (c.version === undefined) reasons.set(c.program, "did not answer --version as Docker's client does");

    if (want === undefined || want === 'buildx') {
      const bx = clients.find((c) => c.buildx !== undefined);
      if (bx?.version !== undefined && bx.buildx !== undefined) {
        const why = `buildx ${bx.buildx} through ${bx.program} (Docker ${bx.version}): \`docker buildx version\` answered${want ? ' and --engine buildx asked for it' : ''}`;
        return new BuildxEngine(bx.program, bx.buildx, why, env);
      }
      for (const c of clients) if (c.version !== undefined) reasons.set(c.program, `Docker ${c.version}, no buildx`);
    }

    if (want === undefined || want === 'docker') {
      const usable = clients.filter((c) => c.version !== undefined && (c.buildx !== undefined || buildsWithoutBuildx(c.version)));
      for (const c of clients) {
        if (c.version !== undefined && !usable.includes(c)) reasons.set(c.program, `Docker ${c.version} without buildx, whose docker build needs it`);
      }
      const client = usable[0];
      if (client?.version !== undefined) {
        try {
          const engine = await connectDockerEngine({ env, subject: 'the Docker engine', timeoutMs: opts.probeTimeoutMs ?? 15_000 });
          const builtIn = client.buildx === undefined ? 'BuildKit built into the client, no buildx needed' : `buildx ${client.buildx} as its builder`;
          reasons.delete(client.program);
          const why = `docker ${client.version} at ${client.program}: ${builtIn}, and the engine at ${engine.endpoint.display} answered${want ? ' (--engine docker)' : ''}${skippedClause(passedOver())}`;
          return new DockerBuildEngine(client.program, client.version, why, env);
        } catch (e) {
          if (!isAnyarchError(e)) throw e;
          reasons.set(client.program, `Docker ${client.version}, but ${e.message.replace(/^the Docker engine: /, '')}`);
        }
      }
    }
  }

  if (want === undefined || want === 'buildah') {
    const program = opts.buildah !== undefined ? explicitProgram('--buildah', opts.buildah, env) : (programOnPath('buildah', env.PATH) ?? programOnPath('podman', env.PATH));
    if (program !== undefined) {
      const r = await runProgram(program, ['--version'], { env, timeoutMs: opts.probeTimeoutMs ?? 15_000 }).catch(() => undefined);
      const v = r && r.code === 0 ? parseBuildahVersion(r.stdout) : undefined;
      if (v) {
        const reason = want ? '--engine buildah asked for it' : `no docker client could build (${passedOver().join('; ') || 'none found'})`;
        // podman with CONTAINER_HOST is a client of a podman service: its oci:DIR is written where the service runs
        const remote = v.tool === 'podman' && env.CONTAINER_HOST ? `, through the podman service at CONTAINER_HOST=${env.CONTAINER_HOST} (which must run on this machine: the OCI layout is written where it runs)` : '';
        const why = `${v.tool} ${v.version} at ${program}: ${reason}${remote}`;
        return new BuildahEngine(program, v.version, why, env, opts.buildahStorage);
      }
      reasons.set(program, 'did not answer --version as buildah or podman does');
    } else tried.push('no buildah or podman on PATH');
  }

  throw new AnyarchError(
    'E_USAGE',
    want ? `the ${want} engine cannot build here` : 'no container engine found to build with',
    `${passedOver().join('; ')}. Install docker.io (Docker before 23 needs no buildx) or buildah, or name a client with --docker PATH or --buildah PATH`,
  );
}

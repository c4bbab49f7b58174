/**
 * The registry client anyarch's commands use: credentials from the Docker config of an
 * environment (`DOCKER_CONFIG`, `~/.docker/config.json`, credential helpers), plain HTTP only
 * for loopback and the registries named insecure, and an optional answer timeout. One factory,
 * so that reading images and looking up base images speak to registries the same way.
 */
import { RegistryClient } from './client.js';
import { resolveCredential } from './credentials.js';

export interface CredentialedClientOptions {
  /** the environment whose Docker config gives the credentials (default: the process's) */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** registries (host or host:port) that may be spoken to over plain HTTP; loopback always may */
  readonly insecureRegistries?: readonly string[];
  /** how long one request to a registry may take, every try and its body included, ms (default the client's, `DEFAULT_REQUEST_TIMEOUT_MS`: 30 s) */
  readonly timeoutMs?: number;
}

export function credentialedClient(opts: CredentialedClientOptions = {}): RegistryClient {
  const env = (opts.env ?? process.env) as NodeJS.ProcessEnv;
  return new RegistryClient({
    insecureRegistries: opts.insecureRegistries ?? [],
    credentials: (registry) => resolveCredential(registry, { env }),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  });
}

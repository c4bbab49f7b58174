/**
 * A Python package index as `deps` asks it: the files of one project, from the Simple API at
 * `<index>/<normalised name>/`, asking for PEP 691 JSON (`application/vnd.pypi.simple.v1+json`)
 * and reading PEP 503 HTML when that is what comes (anchors with `data-requires-python` and
 * `data-yanked`; devpi, Artifactory, Nexus and plain directory servers answer HTML). Answers,
 * a 404 included, are kept in the on-disk JSON cache (src/fs/cache.ts) for `ttlMs`; offline,
 * only the cache answers. Every failure (a network error, a 5xx after retries, an answer that is
 * not the Simple API) is a value naming the project and the status, and nothing of it is cached.
 * Requests go through src/net/http.ts, at most `concurrency` at a time per index, retried on
 * network trouble and 408/429/5xx (src/net/retry.ts).
 */
import * as path from 'node:path';
import { AnyarchError } from '../../errors.js';
import { jsonCache, type JsonCache } from '../../fs/cache.js';
import { isTemporaryStatus, NetworkError, readBody, redactUserInfo, send, type HttpResponse } from '../../net/http.js';
import { httpUrlProblem } from '../../net/url.js';
import { backoffMs, DEFAULT_RETRY, GIVE_UP, retrying, Semaphore, type RetryPolicy } from '../../net/retry.js';
import type { DistributionFile, MetadataFailure, PythonIndexSource } from '../types.js';
import { normalizeName } from './tags.js';
import { metadataFailure } from '../metadata-failure.js';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

/** PyPI's largest project pages (numpy, botocore) are a few MiB of JSON. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;
/** the cache refuses entries over 1 MiB; the URLs go first when an entry would be larger */
const MAX_ENTRY_CHARS = 900 * 1024;

const ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

export interface PythonIndexOptions {
  /** the Simple API root (`https://pypi.org/simple/`, a mirror, `pip`'s `--index-url`) */
  readonly indexUrl?: string;
  /** where answers are cached (a `pypi-simple` directory is made inside); none: no cache */
  readonly cacheDir?: string;
  /** answer from the cache only */
  readonly offline?: boolean;
  /** requests at a time (default 16) */
  readonly concurrency?: number;
  /** how long a cached answer is used (default one day) */
  readonly ttlMs?: number;
  readonly signal?: AbortSignal;
  /** called before each request (`GET https://pypi.org/simple/numpy/`), for progress lines */
  readonly onRequest?: (what: string) => void;
  /** per request: how long to wait for the headers, and how long a body may stay silent (default 30 s) */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
}

/** What the cache keeps per project: the files, or that the index has no such project. */
interface Stored {
  readonly absent?: true;
  readonly files?: readonly { f: string; u?: string; h?: string; rp?: string; y?: true }[];
}

function toStored(files: readonly DistributionFile[] | undefined): Stored {
  if (!files) return { absent: true };
  const full = files.map((f) => ({ f: f.filename, ...(f.url ? { u: f.url } : {}), ...(f.hash ? { h: f.hash } : {}), ...(f.requiresPython ? { rp: f.requiresPython } : {}), ...(f.yanked ? { y: true as const } : {}) }));
  if (JSON.stringify(full).length <= MAX_ENTRY_CHARS) return { files: full };
  return { files: full.map(({ f, rp, y }) => ({ f, ...(rp ? { rp } : {}), ...(y ? { y } : {}) })) };
}

function fromStored(s: unknown): readonly DistributionFile[] | undefined | null {
  if (typeof s !== 'object' || s === null) return null;
  const v = s as Stored;
  if (v.absent === true) return undefined;
  if (!Array.isArray(v.files)) return null;
  const out: DistributionFile[] = [];
  for (const e of v.files) {
    if (typeof e?.f !== 'string') return null;
    out.push({ filename: e.f, ...(e.u ? { url: e.u } : {}), ...(e.h ? { hash: e.h } : {}), ...(e.rp ? { requiresPython: e.rp } : {}), ...(e.y ? { yanked: true } : {}) });
  }
  return out;
}

/** An answer the client will not use: a status it does not expect, or a body that is not the Simple API. */
class IndexAnswerError extends AnyarchError {
  constructor(message: string, readonly transient: boolean) {
    super('E_REGISTRY', message);
  }
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" };

function unescapeHtml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (ENTITIES[e.toLowerCase()] !== undefined) return ENTITIES[e.toLowerCase()]!;
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return m;
  });
}

const ANCHOR = /<a\s([^>]*)>([\s\S]*?)<\/a\s*>/gi;
const ATTR = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g;

function hashOf(url: string): string | undefined {
  const m = /#sha256=([0-9a-f]{64})/i.exec(url);
  return m ? `sha256:${m[1]!.toLowerCase()}` : undefined;
}

/** PEP 503 HTML: every anchor a file. */
export function parseSimpleHtml(html: string, pageUrl: string): DistributionFile[] {
  const out: DistributionFile[] = [];
  for (const a of html.matchAll(ANCHOR)) {
    const attrs = new Map<string, string | undefined>();
    for (const m of a[1]!.matchAll(ATTR)) attrs.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4]);
    const href = attrs.get('href');
    if (!href) continue;
    let url: string;
    try {
      url = new URL(unescapeHtml(href), pageUrl).href;
    } catch {
      continue;
    }
    const text = unescapeHtml(a[2]!.replace(/<[^>]*>/g, '')).trim();
    const filename = text || decodeURIComponent(url.split(/[?#]/)[0]!.split('/').pop() ?? '');
    if (!filename) continue;
    const rp = attrs.get('data-requires-python');
    const hash = hashOf(url);
    out.push({ filename, url: url.split('#')[0]!, ...(hash ? { hash } : {}), ...(rp ? { requiresPython: unescapeHtml(rp) } : {}), ...(attrs.has('data-yanked') ? { yanked: true } : {}) });
  }
  return out;
}

/** PEP 691 JSON: `files[]` with `filename`, `url`, `hashes`, `requires-python`, `yanked`; undefined when it is not that. */
export function parseSimpleJson(doc: unknown, pageUrl: string): DistributionFile[] | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const files = (doc as { files?: unknown }).files;
  if (!Array.isArray(files)) return undefined;
  const out: DistributionFile[] = [];
  for (const f of files as unknown[]) {
    if (typeof f !== 'object' || f === null) return undefined;
    const e = f as Record<string, unknown>;
    if (typeof e['filename'] !== 'string' || typeof e['url'] !== 'string') return undefined;
    let url: string;
    try {
      url = new URL(e['url'], pageUrl).href;
    } catch {
      return undefined;
    }
    const hashes = e['hashes'] as Record<string, unknown> | undefined;
    const sha = typeof hashes?.['sha256'] === 'string' ? hashes['sha256'] : undefined;
    const rp = typeof e['requires-python'] === 'string' ? e['requires-python'] : undefined;
    const yanked = e['yanked'] === true || (typeof e['yanked'] === 'string' && e['yanked'] !== '');
    out.push({ filename: e['filename'], url, ...(sha ? { hash: `sha256:${sha}` } : {}), ...(rp ? { requiresPython: rp } : {}), ...(yanked ? { yanked: true } : {}) });
  }
  return out;
}


export function openPythonIndex(opts: PythonIndexOptions = {}): PythonIndexSource {
  const base = (opts.indexUrl ?? DEFAULT_INDEX_URL).trim().replace(/\/*$/, '/');
  // the index as messages and cache keys name it: never its user-info (a password in --index-url)
  const shown = redactUserInfo(base);
  const why = httpUrlProblem(base);
  if (why !== undefined) throw new AnyarchError('E_USAGE', `the Python index ${JSON.stringify(shown.slice(0, 200))} is not an http(s) URL (${why})`, 'give it as pip does: https://pypi.org/simple/');
  const limit = new Semaphore(opts.concurrency ?? 16);
  const policy = opts.retry ?? DEFAULT_RETRY;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // the cache's value is the answer, read once from its stored form: `{ files }`, files undefined for no such project
  const cache: JsonCache<{ readonly files: readonly DistributionFile[] | undefined }> | undefined = opts.cacheDir
    ? jsonCache({
        dir: path.join(opts.cacheDir, 'pypi-simple'),
        ...(opts.ttlMs !== undefined ? { ttlMs: opts.ttlMs } : {}),
        read: (v) => {
          const files = fromStored(v);
          return files === null ? undefined : { files };
        },
        write: (v: { readonly files: readonly DistributionFile[] | undefined }) => toStored(v.files),
      })
    : undefined;
  const memo = new Map<string, Promise<readonly DistributionFile[] | undefined | MetadataFailure>>();

  const fetchPage = async (name: string, url: string): Promise<readonly DistributionFile[] | undefined> => {
    const what = `the index's page for ${name} (${redactUserInfo(url)})`;
    const attempt = async (): Promise<readonly DistributionFile[] | undefined> => {
      opts.onRequest?.(`GET ${redactUserInfo(url)}`);
      const res: HttpResponse = await send({ method: 'GET', url, headers: { accept: ACCEPT }, what }, { ...(opts.signal ? { signal: opts.signal } : {}), timeoutMs });
      if (res.status === 404 || res.status === 410) {
        res.body?.resume();
        return undefined;
      }
      if (res.status !== 200) {
        res.body?.resume();
        throw new IndexAnswerError(`${shown} answered HTTP ${res.status} for ${name}`, isTemporaryStatus(res.status));
      }
      const text = Buffer.from(await readBody(res, MAX_PAGE_BYTES, what)).toString('utf8');
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      const page = res.url || url;
      if (type.includes('json') || (!type.includes('html') && /^\s*[{[]/.test(text))) {
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch (e) {
          throw new IndexAnswerError(`${shown} answered ${name} with JSON that does not parse (${(e as Error).message}); is it a PEP 691 index?`, false);
        }
        const files = parseSimpleJson(doc, page);
        if (!files) throw new IndexAnswerError(`${shown} answered ${name} with JSON that is not a PEP 691 project page (no files[] of filename and url)`, false);
        return files;
      }
      if (type.includes('html') || /<a\s|<html|<!doctype/i.test(text)) return parseSimpleHtml(text, page);
      throw new IndexAnswerError(`${shown} answered ${name} with ${type || 'no content type'}, neither PEP 691 JSON nor PEP 503 HTML`, false);
    };
    const decide = (e: unknown, n: number) => {
      if (opts.signal?.aborted) return GIVE_UP;
      const transient = (e instanceof NetworkError || e instanceof IndexAnswerError) && e.transient;
      return transient ? { retry: true as const, waitMs: backoffMs(policy, n), reason: (e as Error).message } : GIVE_UP;
    };
    return limit.run(() => retrying(policy, attempt, decide));
  };

  const lookup = async (name: string): Promise<readonly DistributionFile[] | undefined | MetadataFailure> => {
    const url = `${base}${name}/`;
    const key = `${shown}${name}/`;
    const cached = cache ? await cache.get(key) : undefined;
    if (cached) return cached.files;
    if (opts.offline) return metadataFailure(new AnyarchError('E_NOT_FOUND', `${name}: not in the cache; run without --offline once`));
    try {
      // file URLs resolved against a page whose URL holds a password would carry it: kept without
      const files = (await fetchPage(name, url))?.map((f) => (f.url && f.url.includes('@') ? { ...f, url: redactUserInfo(f.url) } : f));
      await cache?.set(key, { files });
      return files;
    } catch (e) {
      if (e instanceof AnyarchError) return metadataFailure(new AnyarchError(e.code, e.message.includes(name) ? e.message : `${name}: ${e.message}`, e.hint, undefined, { cause: e }));
      return metadataFailure(new AnyarchError('E_REGISTRY', `${name}: ${(e as Error).message ?? String(e)}`, undefined, undefined, { cause: e }));
    }
  };

  return {
    files(name: string) {
      const key = normalizeName(name);
      let p = memo.get(key);
      if (!p) {
        p = lookup(key);
        memo.set(key, p);
      }
      return p;
    },
  };
}

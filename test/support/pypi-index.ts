// A Python package index on 127.0.0.1 for tests: a plain node:http server over a tree the test
// describes (projects, their wheels and sdists), answering the Simple API as PEP 691 JSON when
// asked for it (`Accept: application/vnd.pypi.simple.v1+json`, as pip >= 22.2 and anyarch ask)
// and as PEP 503 HTML otherwise, or always HTML (`html: true`, like a static directory server).
// Files are real: each wheel is a zip holding a module, METADATA, WHEEL (with the tags the test
// chose) and RECORD, so pip accepts it; each sdist a gzipped tar with PKG-INFO. Projects can
// misbehave (a status, garbage) to test failures. Every request path is recorded.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { tarOf } from './images.js';

export interface IndexProject {
  readonly name: string;
  /** file names: wheels (`natpkg-1.0.0-cp312-cp312-manylinux_2_17_x86_64.whl`) and sdists (`natpkg-1.0.0.tar.gz`) */
  readonly files: readonly string[];
  /** answer this status instead of the page */
  readonly status?: number;
  /** answer 200 with this body (text/plain) instead of the page */
  readonly garbage?: string;
  /** file names the index marks yanked */
  readonly yanked?: readonly string[];
}

export interface PypiIndex {
  /** `http://127.0.0.1:PORT/simple/` */
  readonly url: string;
  /** request paths, in order */
  readonly requests: string[];
  stop(): Promise<void>;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip of stored (uncompressed) entries: what a wheel is. */
export function zip(entries: readonly (readonly [string, string])[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(0, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(0, 30); // extra, comment lengths
    central.writeUInt32LE(0, 34); // disk, internal attrs
    central.writeUInt32LE(0, 38); // external attrs
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** A wheel pip installs: the tags in WHEEL are the file name's. */
export function wheelBytes(filename: string): Buffer {
  const parts = filename.slice(0, -4).split('-');
  const [dist, version] = parts as [string, string];
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  const module = dist.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const info = `${dist}-${version}.dist-info`;
  const tags = py.split('.').flatMap((p) => abi.split('.').flatMap((a) => plat.split('.').map((pl) => `Tag: ${p}-${a}-${pl}`)));
  const files: [string, string][] = [
    [`${module}/__init__.py`, `__version__ = "${version}"\n`],
    [`${info}/METADATA`, `Metadata-Version: 2.1\nName: ${dist.replace(/_/g, '-')}\nVersion: ${version}\n`],
    [`${info}/WHEEL`, `Wheel-Version: 1.0\nGenerator: anyarch-tests\nRoot-Is-Purelib: ${plat === 'any' ? 'true' : 'false'}\n${tags.join('\n')}\n`],
  ];
  const record = files.map(([n, t]) => `${n},sha256=${createHash('sha256').update(t).digest('base64url')},${Buffer.byteLength(t)}`);
  files.push([`${info}/RECORD`, `${record.join('\n')}\n${info}/RECORD,,\n`]);
  return zip(files);
}

/** A gzipped tar holding `<stem>/PKG-INFO`. */
export function sdistBytes(filename: string): Buffer {
  const stem = filename.replace(/\.(tar\.gz|zip)$/, '');
  const info = `Metadata-Version: 2.1\nName: ${stem.replace(/-[^-]*$/, '')}\nVersion: ${stem.replace(/^.*-/, '')}\n`;
  return gzipSync(tarOf({ [`${stem}/PKG-INFO`]: info }));
}

const normalize = (n: string): string => n.replace(/[-_.]+/g, '-').toLowerCase();

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function startPypiIndex(projects: readonly IndexProject[], opts: { readonly html?: boolean } = {}): Promise<PypiIndex> {
  const files = new Map<string, Buffer>();
  for (const p of projects) for (const f of p.files) files.set(f, f.endsWith('.whl') ? wheelBytes(f) : sdistBytes(f));
  const sha = (f: string): string => createHash('sha256').update(files.get(f)!).digest('hex');
  const byName = new Map(projects.map((p) => [normalize(p.name), p]));
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const file = /^\/files\/([^/]+)$/.exec(url.pathname);
    if (file) {
      const bytes = files.get(decodeURIComponent(file[1]!));
      return bytes ? send(200, 'application/octet-stream', bytes) : send(404, 'text/plain', 'not found\n');
    }
    if (url.pathname === '/simple/') {
      const links = projects.map((p) => `<a href="${normalize(p.name)}/">${escapeHtml(p.name)}</a>`).join('\n');
      return send(200, 'text/html', `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`);
    }
    const page = /^\/simple\/([^/]+)\/$/.exec(url.pathname);
    const project = page ? byName.get(page[1]!) : undefined;
    if (!page) return send(404, 'text/plain', 'not found\n');
    if (!project) return send(404, 'text/plain', 'no such project\n');
    if (project.status) return send(project.status, 'text/plain', `status ${project.status}\n`);
    if (project.garbage !== undefined) return send(200, 'text/plain', project.garbage);
    const yanked = new Set(project.yanked ?? []);
    const wantsJson = !opts.html && (req.headers.accept ?? '').includes('application/vnd.pypi.simple.v1+json');
    if (wantsJson) {
      const doc = {
        meta: { 'api-version': '1.1' },
        name: normalize(project.name),
        files: project.files.map((f) => ({ filename: f, url: `../../files/${encodeURIComponent(f)}`, hashes: { sha256: sha(f) }, 'requires-python': '>=3.8', ...(yanked.has(f) ? { yanked: true } : {}) })),
      };
      return send(200, 'application/vnd.pypi.simple.v1+json', JSON.stringify(doc));
    }
    const anchors = project.files.map(
      (f) => `<a href="../../files/${encodeURIComponent(f)}#sha256=${sha(f)}" data-requires-python="&gt;=3.8"${yanked.has(f) ? ' data-yanked=""' : ''}>${escapeHtml(f)}</a><br/>`,
    );
    return send(200, 'text/html', `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>Links for ${escapeHtml(project.name)}</title></head>\n<body><h1>Links for ${escapeHtml(project.name)}</h1>\n${anchors.join('\n')}\n</body></html>\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { AnyarchError } from '../../../errors.js';
import { readPipfileLock } from './pipfile.js';
import { readPoetryLock } from './poetry.js';
import { readPylock } from './pylock.js';
import { readRequirements } from './requirements.js';
import { readUvLock } from './uv.js';

const H = 'sha256:' + 'a'.repeat(64);
const FILES = 'https://files.pythonhosted.org/packages/aa/bb';

function throwsLockfile(fn: () => unknown, line: number | undefined, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AnyarchError);
    assert.equal(e.code, 'E_LOCKFILE');
    assert.match(e.message, message);
    if (line !== undefined) assert.equal(e.location?.line, line, e.describe());
    return true;
  });
}

// Shaped like dannystewart/dsbin's uv.lock (aiohttp with macOS and Linux wheels), plus a
// Windows-only dependency and the project itself as a virtual package.
const UV = `version = 1
revision = 2
requires-python = ">=3.11, <3.13"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "aiohttp" },
    { name = "pywin32", marker = "sys_platform == 'win32'" },
    { name = "colorama", marker = "sys_platform == 'win32'" },
]

[[package]]
name = "aiohttp"
version = "3.10.10"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "colorama" },
]
sdist = { url = "${FILES}/aiohttp-3.10.10.tar.gz", hash = "${H}", size = 7542993 }
wheels = [
    { url = "${FILES}/aiohttp-3.10.10-cp312-cp312-macosx_11_0_arm64.whl", hash = "${H}", size = 1 },
    { url = "${FILES}/aiohttp-3.10.10-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", hash = "${H}", size = 1 },
]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "${FILES}/colorama-0.4.6-py2.py3-none-any.whl", hash = "${H}", size = 1 },
]

[[package]]
name = "pywin32"
version = "306"
source = { registry = "https://pypi.org/simple" }
wheels = [
    { url = "${FILES}/pywin32-306-cp312-cp312-win_amd64.whl", hash = "${H}", size = 1 },
]

[[package]]
name = "mylib"
version = "1.0.0"
source = { git = "https://github.com/example/mylib?rev=main#0123456789abcdef" }
`;

describe('uv.lock', () => {
  test('packages, files from URLs, edge markers, the project left out, git as a source build', () => {
    const lock = readUvLock('uv.lock', UV);
    assert.equal(lock.kind, 'uv-lock');
    assert.equal(lock.formatVersion, '1');
    assert.equal(lock.requiresPython, '>=3.11, <3.13');
    assert.deepEqual(lock.packages.map((p) => p.key), ['aiohttp==3.10.10', 'colorama==0.4.6', 'pywin32==306', 'mylib==1.0.0']);
    const aiohttp = lock.packages[0]!;
    assert.deepEqual(aiohttp.position, { line: 15, column: 1 });
    assert.equal(aiohttp.files?.length, 3);
    assert.equal(aiohttp.files?.[0]?.filename, 'aiohttp-3.10.10.tar.gz');
    assert.equal(aiohttp.files?.[2]?.filename, 'aiohttp-3.10.10-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl');
    assert.equal(aiohttp.index, 'https://pypi.org/simple');
    assert.equal(aiohttp.marker, undefined);
    assert.equal(lock.packages[1]!.marker, undefined, 'colorama is also reached without a marker');
    assert.equal(lock.packages[2]!.marker, "sys_platform == 'win32'");
    assert.equal(lock.packages[3]!.files?.[0]?.filename, 'mylib-1.0.0.tar.gz');
    assert.deepEqual(lock.warnings, []);
  });
  test('a forked resolution: two versions of numpy, each with the markers of its own edges', () => {
    const lock = readUvLock('uv.lock', `version = 1
requires-python = ">=3.10"
resolution-markers = ["python_full_version >= '3.12'", "python_full_version < '3.12'"]

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" },
    { name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]
`);
    assert.deepEqual(lock.packages.map((p) => [p.key, p.marker]), [
      ['numpy==1.26.4', "python_full_version < '3.12'"],
      ['numpy==2.1.0', "python_full_version >= '3.12'"],
    ]);
  });
  test('a version anyarch does not read, no version, bad TOML, truncated', () => {
    throwsLockfile(() => readUvLock('uv.lock', 'version = 2\n'), 1, /uv.lock version 2 is not one anyarch reads/);
    throwsLockfile(() => readUvLock('uv.lock', '[[package]]\nname = "x"\n'), 1, /no `version`/);
    throwsLockfile(() => readUvLock('uv.lock', 'version = 1\n[[package]]\nname = "x\n'), 3, /not valid TOML/);
    throwsLockfile(() => readUvLock('uv.lock', UV.slice(0, UV.indexOf('size = 7542993'))), undefined, /not valid TOML/);
  });
  test('an entry without a name is a warning with its position, the rest is read', () => {
    const lock = readUvLock('uv.lock', 'version = 1\n\n[[package]]\nversion = "1"\n\n[[package]]\nname = "ok"\nversion = "2"\n');
    assert.deepEqual(lock.packages.map((p) => p.key), ['ok==2']);
    assert.equal(lock.warnings.length, 1);
    assert.equal(lock.warnings[0]!.location?.line, 3);
  });
});

// Shaped like a Poetry 1.x lock (lock-version 1.1 keeps files under [metadata.files]) and a 2.x one.
const POETRY2 = `[[package]]
name = "cryptography"
version = "43.0.1"
description = "cryptographic recipes"
optional = false
python-versions = ">=3.7"
groups = ["main"]
files = [
    {file = "cryptography-43.0.1-cp39-abi3-manylinux_2_28_aarch64.whl", hash = "${H}"},
    {file = "cryptography-43.0.1.tar.gz", hash = "${H}"},
]

[package.dependencies]
cffi = {version = ">=1.12", markers = "platform_python_implementation != \\"PyPy\\""}

[[package]]
name = "cffi"
version = "1.17.1"
description = "C FFI"
optional = false
python-versions = ">=3.8"
groups = ["main"]
files = [
    {file = "cffi-1.17.1-cp312-cp312-musllinux_1_1_aarch64.whl", hash = "${H}"},
]

[[package]]
name = "pytest"
version = "8.3.3"
description = ""
optional = false
python-versions = ">=3.8"
groups = ["dev"]
files = [
    {file = "pytest-8.3.3-py3-none-any.whl", hash = "${H}"},
]

[package.source]
type = "legacy"
url = "https://mirror.example/simple"
reference = "mirror"

[metadata]
lock-version = "2.1"
python-versions = "^3.12"
content-hash = "abc"
`;

const POETRY11 = `[[package]]
name = "colorama"
version = "0.4.6"
description = "Cross-platform colored terminal text."
category = "dev"
optional = false
python-versions = "!=3.0.*,>=2.7"

[metadata]
lock-version = "1.1"
python-versions = "^3.8"
content-hash = "abc"

[metadata.files]
colorama = [
    {file = "colorama-0.4.6-py2.py3-none-any.whl", hash = "${H}"},
]
`;

describe('poetry.lock', () => {
  test('lock 2.1: files, groups, edge markers, a legacy source', () => {
    const lock = readPoetryLock('poetry.lock', POETRY2);
    assert.equal(lock.formatVersion, '2.1');
    assert.equal(lock.requiresPython, '^3.12');
    assert.deepEqual(lock.packages.map((p) => p.key), ['cryptography==43.0.1', 'cffi==1.17.1', 'pytest==8.3.3']);
    assert.equal(lock.packages[0]!.files?.length, 2);
    assert.deepEqual(lock.packages[0]!.position, { line: 1, column: 1 });
    assert.equal(lock.packages[1]!.marker, 'platform_python_implementation != "PyPy"');
    assert.equal(lock.packages[2]!.dev, true);
    assert.equal(lock.packages[2]!.index, 'https://mirror.example/simple');
  });
  test('lock 1.1: files under [metadata.files], category dev', () => {
    const lock = readPoetryLock('poetry.lock', POETRY11);
    assert.equal(lock.packages[0]!.files?.[0]?.filename, 'colorama-0.4.6-py2.py3-none-any.whl');
    assert.equal(lock.packages[0]!.dev, true);
  });
  test('no metadata, an unknown lock-version', () => {
    throwsLockfile(() => readPoetryLock('poetry.lock', '[[package]]\nname = "x"\nversion = "1"\n'), 1, /no `\[metadata\] lock-version`/);
    throwsLockfile(() => readPoetryLock('poetry.lock', '\n[metadata]\nlock-version = "3.0"\n'), 2, /lock-version 3.0 is not one anyarch reads/);
  });
});

// PEP 751's example shape, as `uv export --format pylock.toml` writes it.
const PYLOCK = `lock-version = "1.0"
requires-python = ">=3.12"
created-by = "uv"

[[packages]]
name = "numpy"
version = "2.1.0"
index = "https://pypi.org/simple"
sdist = { url = "${FILES}/numpy-2.1.0.tar.gz", hashes = { sha256 = "${'b'.repeat(64)}" } }
wheels = [
    { url = "${FILES}/numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", hashes = { sha256 = "${'c'.repeat(64)}" } },
]

[[packages]]
name = "tomli"
version = "2.0.1"
marker = "python_full_version < '3.11'"

[[packages.wheels]]
name = "tomli-2.0.1-py3-none-any.whl"
url = "${FILES}/tomli-2.0.1-py3-none-any.whl"
hashes = { sha256 = "${'d'.repeat(64)}" }

[[packages]]
name = "project"
directory = { path = "." }
`;

describe('pylock.toml', () => {
  test('packages, wheels inline and as tables, markers, the directory left out', () => {
    const lock = readPylock('pylock.toml', PYLOCK);
    assert.equal(lock.kind, 'pylock');
    assert.deepEqual(lock.packages.map((p) => p.key), ['numpy==2.1.0', 'tomli==2.0.1']);
    assert.equal(lock.packages[0]!.files?.[0]?.hash, `sha256:${'b'.repeat(64)}`);
    assert.equal(lock.packages[0]!.files?.[1]?.filename, 'numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl');
    assert.deepEqual(lock.packages[1]!.position, { line: 14, column: 1 });
    assert.equal(lock.packages[1]!.marker, "python_full_version < '3.11'");
  });
  test('lock-version 2 is refused, as PEP 751 asks', () => {
    throwsLockfile(() => readPylock('pylock.toml', 'lock-version = "2.0"\n'), 1, /lock-version 2.0/);
  });
});

// Shaped like pypa/pipenv's docs/pipfile.md example and defn/ubuntu-home's Pipfile.lock.
const PIPFILE = `{
    "_meta": {
        "hash": { "sha256": "abc" },
        "pipfile-spec": 6,
        "requires": { "python_version": "3.12" },
        "sources": [ { "name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true } ]
    },
    "default": {
        "psycopg2-binary": {
            "hashes": [ "${H}" ],
            "index": "pypi",
            "version": "==2.9.9"
        },
        "waitress": {
            "hashes": [],
            "markers": "sys_platform == 'win32'",
            "version": "==3.0.0"
        },
        "mylib": { "editable": true, "path": "." }
    },
    "develop": {
        "pytest": { "version": "==8.3.3" }
    }
}
`;

describe('Pipfile.lock', () => {
  test('default and develop, markers, the source URL, editable entries as warnings', () => {
    const lock = readPipfileLock('Pipfile.lock', PIPFILE);
    assert.deepEqual(lock.packages.map((p) => p.key), ['psycopg2-binary==2.9.9', 'waitress==3.0.0', 'pytest==8.3.3']);
    assert.equal(lock.indexUrl, 'https://pypi.org/simple');
    assert.equal(lock.packages[0]!.index, 'https://pypi.org/simple');
    assert.deepEqual(lock.packages[0]!.position, { line: 9, column: 9 });
    assert.equal(lock.packages[0]!.files, undefined);
    assert.equal(lock.packages[1]!.marker, "sys_platform == 'win32'");
    assert.equal(lock.packages[2]!.dev, true);
    assert.equal(lock.warnings.length, 1);
    assert.match(lock.warnings[0]!.message, /mylib in default: a local path or VCS checkout/);
    assert.equal(lock.warnings[0]!.location?.line, 19);
  });
  test('each entry at its own key, even when its name is another entry\'s value (a package named as the index)', () => {
    const entries = Array.from({ length: 300 }, (_, i) => [`pkg-${i}`, { hashes: [], index: 'pypi', version: `==1.${i}` }] as const);
    const text = JSON.stringify({ _meta: { 'pipfile-spec': 6, sources: [{ name: 'pypi', url: 'https://pypi.org/simple' }] }, default: Object.fromEntries([...entries, ['pypi', { version: '==1.0' }]]), develop: { 'pkg-0': { version: '==2.0' } } }, null, 4);
    const lock = readPipfileLock('Pipfile.lock', text);
    const lines = text.split('\n');
    assert.equal(lock.packages.length, 302);
    for (const p of lock.packages) {
      const line = lines[(p.position?.line ?? 0) - 1] ?? '';
      assert.equal(line.slice((p.position?.column ?? 0) - 1), `"${p.name}": {`, p.key);
      assert.equal(line.startsWith(' '.repeat(8)), true, p.key);
    }
    assert.equal(lock.packages.at(-1)?.dev, true);
    assert.equal(lock.packages.at(-1)?.position?.line, lines.lastIndexOf('        "pkg-0": {') + 1);
  });
  test('truncated JSON names where it ends; not pipenv; a newer spec', () => {
    throwsLockfile(() => readPipfileLock('Pipfile.lock', PIPFILE.slice(0, 200)), undefined, /not valid JSON/);
    throwsLockfile(() => readPipfileLock('Pipfile.lock', '{"default": {}}'), 1, /no `_meta`/);
    throwsLockfile(() => readPipfileLock('Pipfile.lock', '{"_meta": {"pipfile-spec": 7}}'), 1, /pipfile-spec 7/);
  });
});

// Shaped like pip-compile output: hashes on continuation lines, "via" comments, options.
const REQS = `#
# This file is autogenerated by pip-compile with Python 3.12
#
--index-url https://mirror.example/simple
--extra-index-url https://other.example/simple

cryptography==43.0.1 \\
    --hash=${H} \\
    --hash=${H}
    # via -r requirements.in
Pillow[extras] == 10.4.0 ; python_version >= "3.9"  # comment
pywin32==306; sys_platform == "win32"
-r base.txt
-e ./libs/mine
requests>=2
mypkg @ https://example.com/mypkg-1.0.tar.gz
numpy===2.1.0
`;

describe('requirements.txt', () => {
  test('pins with hashes and continuations, markers, the index, and warnings for the rest', () => {
    const lock = readRequirements('requirements.txt', REQS);
    assert.equal(lock.indexUrl, 'https://mirror.example/simple');
    assert.deepEqual(lock.packages.map((p) => p.key), ['cryptography==43.0.1', 'pillow==10.4.0', 'pywin32==306', 'numpy==2.1.0']);
    assert.deepEqual(lock.packages[0]!.position, { line: 7, column: 1 });
    assert.equal(lock.packages[1]!.marker, 'python_version >= "3.9"');
    assert.equal(lock.packages[2]!.marker, 'sys_platform == "win32"');
    assert.deepEqual(
      lock.warnings.map((w) => [w.location?.line, w.message.replace(/:.*/, '')]),
      [[13, '-r base.txt'], [14, '-e ./libs/mine'], [15, 'requests>=2'], [16, 'mypkg @ https']],
    );
    assert.match(lock.warnings[0]!.message, /included files are not followed/);
  });
  test('an empty file and -i=URL', () => {
    assert.deepEqual(readRequirements('r.txt', '').packages, []);
    assert.equal(readRequirements('r.txt', '-i=http://127.0.0.1:1/simple\n').indexUrl, 'http://127.0.0.1:1/simple');
  });
  test('-r and -c followed through the reader, relative to the including file; a cycle read once; constraints pin what is unpinned', () => {
    const files: Record<string, string> = {
      'reqs/base.txt': 'numpy==2.1.0 ; platform_machine == "x86_64"\n-r ../requirements.txt\n-r more/extra.txt\n',
      'reqs/more/extra.txt': '-i https://inner.example/simple\nlxml==5.3.0\nrequests\n',
      'constraints.txt': 'requests==2.32.3\npsutil==5.9.0 --hash=sha256:00\n',
      'requirements.txt': 'never read again\n',
    };
    const asked: string[] = [];
    const include = (ref: string, from: string) => {
      const file = path.posix.normalize(path.posix.join(path.posix.dirname(from), ref));
      asked.push(file);
      return files[file] !== undefined ? { file, text: files[file]! } : { error: `${file}: no such file or directory` };
    };
    const text = '-r reqs/base.txt\n-c constraints.txt\npsutil>=5\n-r missing.txt\n-r https://example.com/r.txt\n--extra-index-url https://extra.example/simple\n--extra-index-url=file:///wheels\n--no-index\n';
    const lock = readRequirements('requirements.txt', text, { include });
    assert.deepEqual(asked, ['reqs/base.txt', 'requirements.txt', 'reqs/more/extra.txt', 'constraints.txt', 'missing.txt']);
    assert.deepEqual(lock.packages.map((p) => [p.key, p.position?.line, p.marker]), [
      ['numpy==2.1.0', 1, 'platform_machine == "x86_64"'],
      ['lxml==5.3.0', 1, undefined],
      ['requests==2.32.3', 1, undefined],
      ['psutil==5.9.0', 3, undefined],
    ]);
    assert.equal(lock.indexUrl, 'https://inner.example/simple', 'an included file\'s index when the top file names none');
    assert.deepEqual(lock.extraIndexUrls, ['https://extra.example/simple']);
    assert.deepEqual(lock.warnings.map((w) => [w.location?.file, w.location?.line, w.message]), [
      ['requirements.txt', 4, '-r missing.txt: missing.txt: no such file or directory; what it pins is not checked'],
      ['requirements.txt', 5, '-r https://example.com/r.txt: a URL; anyarch does not fetch included files, so what it pins is not checked'],
      ['requirements.txt', 8, '--no-index: pip asks no index, only --find-links locations; anyarch asks the index for what exists, which may differ'],
      ['requirements.txt', undefined, 'the index it names (file:///wheels) is not an http(s) URL (a URL with scheme file:); it is not asked'],
    ]);
  });
  test('includes are bounded: a chain longer than the bound stops with a warning', () => {
    const include = (ref: string) => ({ file: ref, text: `-r ${Number(ref.replace('.txt', '')) + 1}.txt\nnumpy==2.1.0\n` });
    const lock = readRequirements('requirements.txt', '-r 1.txt\n', { include });
    assert.deepEqual(lock.packages.map((p) => p.key), ['numpy==2.1.0']);
    assert.equal(lock.warnings.length, 1);
    assert.match(lock.warnings[0]!.message, /^-r 32\.txt: more than 32 files are included; not followed$/);
    assert.equal(lock.warnings[0]!.location?.file, '31.txt');
  });
  test('an index that is no http(s) URL is not asked: a warning without its user-info', () => {
    const lock = readRequirements('r.txt', '--index-url ftp://user:s3cret@mirror.example/simple\nnumpy==2.1.0\n');
    assert.equal(lock.indexUrl, undefined);
    assert.equal(lock.warnings.length, 1);
    assert.match(lock.warnings[0]!.message, /ftp:\/\/\*\*\*@mirror\.example\/simple\) is not an http\(s\) URL \(a URL with scheme ftp:\); the default index is asked instead/);
    assert.ok(!lock.warnings[0]!.message.includes('s3cret'));
  });
});
